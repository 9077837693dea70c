"""What every page shares: the pinned snapshot, who is looking, the filters and the period.

app.py builds it once per run (after the viewer is known) and pages read it with
`current()`. The filter widgets are bound to the URL, so a copied link opens the
same view; a share link's locked filters are not widgets at all, so no URL can
change them.
"""

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from datetime import date

import streamlit as st

from expertnet.access import roles
from expertnet.access.roles import Viewer
from expertnet.metrics import breakdowns
from expertnet.metrics.filters import Filters, month_label, month_range, parse_month
from expertnet.ui.pages import CALLS, View
from expertnet.ui.session import Snapshot, cached_call
from expertnet.ui.text import md

ALL = "All"
# the address keys of the sidebar's widgets (bound to them: Streamlit refuses to set them directly)
FILTER_PARAMS = ("period", "domain", "country", "cohort")
_CONTEXT_KEY = "_view_context"
WANTED_PAGE = "_wanted_page"      # the page a first run was asked for, e.g. "pages/payouts.py"


@dataclass(frozen=True)
class ViewContext:
    snapshot: Snapshot
    viewer: Viewer
    filters: Filters
    first_month: date
    last_month: date

    @property
    def role(self) -> str:
        """The role the figures are computed for. Only an investor's differ (withheld below the
        threshold), so founders and ops share one cache of results."""
        return roles.INVESTOR if self.viewer.is_investor else roles.FOUNDER

    def call(self, function, *args, **kwargs):
        """A metric function on this run's snapshot, cached per snapshot."""
        return cached_call(self.snapshot, function, *args, **kwargs)

    def fetch(self, workload: str):
        """A page's default figures, by the name the page registry gives them (ui/pages.py): the
        call declared there, with this view's period, filters and role."""
        call = CALLS[workload]
        return self.call(call.function, **call.arguments(self.view, self.call))

    @property
    def view(self) -> View:
        """What the page registry's calls depend on (ui/pages.py)."""
        return View(self.first_month, self.last_month, self.filters, self.role, self.viewer.show_client_names)

    def file_name(self, what: str, suffix: str, first: date | None = None, filtered: bool = True,
                  as_of: date | None = None) -> str:
        """A download named after what it holds: payouts-software-US-2025-01_2025-12.csv (from
        `first` where it starts before the period; without the filters where they do not apply,
        as on one expert's page; as-of-2025-12-31 for a list as of a day rather than of the period)."""
        first = first or self.first_month
        period = month_label(first) if first == self.last_month else \
            f"{month_label(first)}_{month_label(self.last_month)}"
        when = f"as-of-{as_of.isoformat()}" if as_of else period
        stem = "-".join([what, self.filters.slug(), when] if filtered else [what, when])
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:150] + f".{suffix}"

    @property
    def period_label(self) -> str:
        if self.first_month == self.last_month:
            return month_label(self.last_month)
        return f"{month_label(self.first_month)} to {month_label(self.last_month)}"


def month_options(first: date, last: date) -> list[str]:
    return [month_label(month) for month in month_range(first, last)]


def default_period_of(months: list[str]) -> tuple[str, str]:
    """The period a page opens on: the last 12 months with data."""
    return months[max(len(months) - 12, 0)], months[-1]


def filter_bar(snapshot: Snapshot, viewer: Viewer) -> ViewContext:
    """The sidebar filters, bound to the URL; returns the context every page uses."""
    options = cached_call(snapshot, breakdowns.filter_options)
    if options["first_month"] is None:
        st.sidebar.info("The warehouse has no experts yet.")
        months = [month_label(date.today().replace(day=1))]
    else:
        months = month_options(options["first_month"], options["last_month"])
    default_period = default_period_of(months)
    with st.sidebar:
        st.markdown("**Period**")
        period = st.select_slider("Months", months, value=default_period, key="period",
                                  bind="query-params", label_visibility="collapsed",
                                  help="The months the pages describe; the Overview shows the last one.")
        first, last = (period if isinstance(period, tuple) else (period, period))
        if viewer.is_investor:
            filters = viewer.locked
            st.caption(f"Experts shown: {md(filters.describe())} (set by the share link)")
        else:
            st.markdown("**Experts**")
            domains = st.multiselect("Domain", options["domains"], key="domain", bind="query-params",
                                     placeholder="All domains", help="Experts of any of these domains; none: all.")
            countries = st.multiselect("Country", options["countries"], key="country", bind="query-params",
                                       placeholder="All countries", help="Experts of any of these countries; none: all.")
            cohort = st.selectbox("Signup cohort", [ALL] + months, key="cohort", bind="query-params",
                                  help="Only experts who signed up in this month.")
            filters = Filters(domains, countries, None if cohort == ALL else parse_month(cohort))
    context = ViewContext(snapshot, viewer, filters, parse_month(first), parse_month(last))
    st.session_state[_CONTEXT_KEY] = context
    return context


def address(leaving_out: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """This run's query parameters as (key, value) pairs, a repeated key once per value, to hand
    to st.switch_page (Streamlit refuses keys bound to widgets drawn in this run: leave them out)."""
    return [(key, value) for key in st.query_params if key not in leaving_out
            for value in st.query_params.get_all(key)]


def current() -> ViewContext:
    context = st.session_state.get(_CONTEXT_KEY)
    if context is None:
        # Streamlit ran this page file without app.py: until a run calls st.navigation, a server
        # serves a project with a pages/ folder in its old folder mode, where /experts runs
        # pages/experts.py alone. Start again from app.py, which decides who is looking, and
        # which then opens this page if the viewer may see it (WANTED_PAGE).
        page_file = Path(inspect.stack()[1].filename)
        st.session_state[WANTED_PAGE] = f"{page_file.parent.name}/{page_file.name}"
        st.switch_page("app.py", query_params=address())
    return context
