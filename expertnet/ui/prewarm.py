"""Working out every page's default view as soon as a snapshot appears, so that the first
person to open a page after a load finds its figures already in the snapshot's cache.

What each page asks for on its default view (the last 12 months; a founder's or ops'
figures with no filter, and an investor's through each live share link, with the filters
it locks) is declared once, in the page registry (ui/pages.py). tests/test_prewarm.py
checks that after a pre-warm no page's default view computes anything more.
"""

import threading
import time

from streamlit.logger import get_logger

from expertnet.access import share_links
from expertnet.access.roles import FOUNDER, INVESTOR
from expertnet.config import prewarm_enabled
from expertnet.metrics import breakdowns
from expertnet.metrics.filters import Filters, parse_month
from expertnet.ui.context import default_period_of, month_options
from expertnet.ui.pages import View, default_calls
from expertnet.ui.session import Snapshot, cached_call

log = get_logger(__name__)  # Streamlit's, so the server's log shows when a snapshot is warm


def _default_period(snapshot: Snapshot):
    """The first and last month pages open on, or None for a warehouse without experts."""
    options = cached_call(snapshot, breakdowns.filter_options)
    if options["first_month"] is None:
        return None
    months = month_options(options["first_month"], options["last_month"])
    return tuple(parse_month(m) for m in default_period_of(months))


def _views(snapshot: Snapshot, view_of) -> list[tuple]:
    period = _default_period(snapshot)
    if period is None:
        return []
    fetch = lambda function, **kwargs: cached_call(snapshot, function, **kwargs)  # noqa: E731
    return default_calls(view_of(*period), fetch)


def link_views(snapshot: Snapshot, link) -> list[tuple]:
    """(function, kwargs) of every page an investor opens through `link`, on its default period."""
    return _views(snapshot, lambda first, last: View(first, last, link.filters(), INVESTOR, link.show_client_names))


def default_views(snapshot: Snapshot) -> list[tuple]:
    """(function, kwargs) of every page's default view: a founder's, then each live link's."""
    views = _views(snapshot, lambda first, last: View(first, last, Filters(), FOUNDER))
    for link in share_links.list_links():
        if link.state() == "valid":
            views += link_views(snapshot, link)
    return views


def prewarm(snapshot: Snapshot, views_of=default_views) -> None:
    """Compute views into the cache; a failure only costs the warm-up."""
    started = time.monotonic()
    try:
        for function, kwargs in views_of(snapshot):
            cached_call(snapshot, function, **kwargs)
    except Exception:  # the pages will compute what is missing, and say what is wrong
        log.exception("pre-warming snapshot %s failed", snapshot.info.snapshot_id[:8])
        return
    log.info("pre-warmed snapshot %s in %.1f s", snapshot.info.snapshot_id[:8], time.monotonic() - started)


def prewarm_link_in_background(snapshot: Snapshot, link) -> None:
    """A link made while the dashboard runs: its investor's first page finds the figures ready."""
    if prewarm_enabled():
        threading.Thread(target=prewarm, args=(snapshot, lambda s: link_views(s, link)),
                         name="expertnet-prewarm-link", daemon=True).start()


def on_new_snapshot():
    """What the server does with each new snapshot: pre-warm it, unless EXPERTNET_PREWARM=0."""
    return prewarm if prewarm_enabled() else None
