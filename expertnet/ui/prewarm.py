"""Working out every page's default view as soon as a snapshot appears, so that the first
person to open a page after a load finds its figures already in the snapshot's cache.

The lists below are what each page asks for on its default view (the last 12 months; a
founder's or ops' figures with no filter, and an investor's through each live share link,
with the filters it locks), in the same form the pages ask it, so that they land on the
same cache keys. tests/test_prewarm.py checks that after a pre-warm no page's default view
computes anything more.
"""

import threading
import time

from streamlit.logger import get_logger

from expertnet.metrics import breakdowns, kpis, privacy
from expertnet.access import share_links
from expertnet.config import prewarm_enabled
from expertnet.metrics.filters import Filters, add_months, parse_month
from expertnet.ui.context import default_period_of, month_options
from expertnet.ui.session import Snapshot, cached_call

log = get_logger(__name__)  # Streamlit's, so the server's log shows when a snapshot is warm


def _page_views(snapshot: Snapshot, first, last, filters: Filters, role: str, show_client_names: bool) -> list[tuple]:
    period = (first, last, filters, role)
    views = [
        (kpis.kpi_series, (add_months(last, -12), last, filters, role)),      # Overview
        (kpis.kpi_series, period),                    # Network growth, Payouts, Revenue, Valuation
        (breakdowns.activation_by_cohort, period),
        (breakdowns.experts_by_segment, ("domain", *period)),
        (breakdowns.experts_by_segment, ("country", *period)),
        (breakdowns.earnings_summary, period),
        (breakdowns.earnings_histogram, period),
        (breakdowns.billings_by_segment, period),
        (breakdowns.top_clients, (*period, show_client_names)),
        (kpis.retention, (filters, role)),
    ]
    if role != privacy.INVESTOR:
        views += [
            (breakdowns.experts_page, (*period, "earnings_usd", True, 1, 0, True)),  # Experts: the count
            (breakdowns.experts_page, (*period, "earnings_usd", True, breakdowns.EXPERTS_PAGE_SIZE, 0, True)),
        ]
    marks = cached_call(snapshot, breakdowns.valuation_marks)
    months = [*(breakdowns.mark_months(marks) if len(marks) else []), last]   # Valuation: the whole company
    views.append((kpis.company_series, (min(months), max(months), filters, role)))
    return views


def _default_period(snapshot: Snapshot):
    """The first and last month pages open on, or None for a warehouse without experts."""
    options = cached_call(snapshot, breakdowns.filter_options)
    if options["first_month"] is None:
        return None
    months = month_options(options["first_month"], options["last_month"])
    return tuple(parse_month(m) for m in default_period_of(months))


def link_views(snapshot: Snapshot, link) -> list[tuple]:
    """(function, args) of every page an investor opens through `link`, on its default period."""
    period = _default_period(snapshot)
    if period is None:
        return []
    return _page_views(snapshot, *period, link.filters(), privacy.INVESTOR, link.show_client_names)


def default_views(snapshot: Snapshot) -> list[tuple]:
    """(function, args) of every page's default view: a founder's, then each live link's."""
    period = _default_period(snapshot)
    if period is None:
        return []
    views = _page_views(snapshot, *period, Filters(), privacy.FOUNDER, True)
    for link in share_links.list_links():
        if link.state() == "valid":
            views += link_views(snapshot, link)
    return views


def prewarm(snapshot: Snapshot, views_of=default_views) -> None:
    """Compute views into the cache; a failure only costs the warm-up."""
    started = time.monotonic()
    try:
        for function, args in views_of(snapshot):
            cached_call(snapshot, function, *args)
    except Exception:  # the pages will compute what is missing, and say what is wrong
        log.exception("pre-warming snapshot %s failed", snapshot.info.snapshot_id[:8])
        return
    log.info("pre-warmed snapshot %s in %.1f s", snapshot.info.snapshot_id[:8], time.monotonic() - started)


def prewarm_link_in_background(snapshot: Snapshot, link) -> None:
    """A link made while the dashboard runs: its investor's first page finds the figures ready."""
    if prewarm_enabled():
        threading.Thread(target=prewarm, args=(snapshot, lambda s: link_views(s, link)),
                         name="expertnet-prewarm-link", daemon=True).start()
