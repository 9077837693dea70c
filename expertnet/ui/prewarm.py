"""Working out every page's default view as soon as a snapshot appears, so that the first
person to open a page after a load finds its figures already in the snapshot's cache.

The list below is what each page asks for on its default view (the last 12 months, no
filter, a founder's or ops' figures), in the same form the pages ask it, so that it lands
on the same cache keys. tests/test_prewarm.py checks that after a pre-warm every page's
default view computes nothing more.
"""

import time

from streamlit.logger import get_logger

from .. import breakdowns, metrics, privacy
from ..filters import Filters, add_months, parse_month
from .context import default_period_of, month_options
from .session import Snapshot, cached_call

log = get_logger(__name__)  # Streamlit's, so the server's log shows when a snapshot is warm


def default_views(snapshot: Snapshot) -> list[tuple]:
    """(function, args) of every page's default view."""
    options = cached_call(snapshot, breakdowns.filter_options)
    if options["first_month"] is None:
        return []
    first, last = (parse_month(m) for m in default_period_of(month_options(options["first_month"],
                                                                             options["last_month"])))
    everyone, role = Filters(), privacy.FOUNDER
    period = (first, last, everyone, role)
    views = [
        (metrics.kpi_series, (add_months(last, -12), last, everyone, role)),     # Overview
        (metrics.kpi_series, period),                    # Network growth, Payouts, Revenue, Valuation
        (breakdowns.activation_by_cohort, period),
        (breakdowns.experts_by_segment, ("domain", *period)),
        (breakdowns.experts_by_segment, ("country", *period)),
        (breakdowns.earnings_summary, period),
        (breakdowns.earnings_histogram, period),
        (breakdowns.billings_by_segment, period),
        (breakdowns.top_clients, (*period, True)),
        (metrics.retention, (everyone, role)),
        (metrics.kpis, (last, everyone, role)),                                   # Valuation's what-if
        (breakdowns.experts_page, (*period, "earnings_usd", True, 1, 0, True)),  # Experts: the count
        (breakdowns.experts_page, (*period, "earnings_usd", True, breakdowns.EXPERTS_PAGE_SIZE, 0, True)),
    ]
    marks = cached_call(snapshot, breakdowns.valuation_marks)
    if len(marks):
        months = breakdowns.mark_months(marks)
        views.append((metrics.kpi_series, (min(months), max(months), everyone, role)))
    return views


def prewarm(snapshot: Snapshot) -> None:
    """Compute every page's default view into the cache; a failure only costs the warm-up."""
    started = time.monotonic()
    try:
        for function, args in default_views(snapshot):
            cached_call(snapshot, function, *args)
    except Exception:  # the pages will compute what is missing, and say what is wrong
        log.exception("pre-warming snapshot %s failed", snapshot.info.snapshot_id[:8])
        return
    log.info("pre-warmed snapshot %s in %.1f s", snapshot.info.snapshot_id[:8], time.monotonic() - started)
