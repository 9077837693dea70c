"""Every page of the dashboard, declared once: its file, title, icon, who may open it, and
the metric calls its default view makes (by keyword).

app.py builds the navigation from PAGES; a page asks for its figures by workload name
(ViewContext.fetch), so it makes exactly the calls declared here; the pre-warm computes them
for a new snapshot (ui/prewarm.py); the benchmark times them (bench/workloads.py); the tests
walk the pages from here. A new page is its file in pages/ and one entry below.

No Streamlit here, so the benchmark can read the registry too.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from expertnet.access.roles import FOUNDER, INVESTOR, OPS, ROLES
from expertnet.metrics import breakdowns, forecast, kpis, queues
from expertnet.reports import alerts
from expertnet.metrics.filters import Filters, add_months


@dataclass(frozen=True)
class View:
    """What a page's default figures depend on."""
    first: date
    last: date
    filters: Filters
    role: str
    show_client_names: bool = True


# fetch(function, **kwargs): a metric call on the same snapshot, for calls whose arguments
# depend on other figures (Valuation's months start at the first valuation mark).
Fetch = Callable[..., object]


@dataclass(frozen=True)
class Call:
    workload: str                                   # its name in the benchmark (bench/workloads.py)
    function: Callable
    arguments: Callable[[View, Fetch], dict]        # keyword arguments of `function` for a view
    roles: tuple[str, ...] = ROLES                  # who the page makes it for


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    icon: str
    roles: tuple[str, ...]
    calls: tuple[Call, ...] = ()
    hidden: bool = False          # not in the sidebar: opened from a row, or by its address

    @property
    def url_path(self) -> str:
        """The address Streamlit gives it: the file's name, and "" for the first page."""
        return "" if self is PAGES[0] else Path(self.file).stem


def _period(view: View, fetch: Fetch) -> dict:
    return dict(first=view.first, last=view.last, filters=view.filters, role=view.role)


def _thirteen_months(view: View, fetch: Fetch) -> dict:
    """The Overview: the last month against the same month a year before."""
    return dict(_period(view, fetch), first=add_months(view.last, -12))


def company_months(view: View, fetch: Fetch) -> dict:
    """Valuation: the whole company from the first valuation mark to the period's end."""
    marks = fetch(breakdowns.valuation_marks)
    months = [*(breakdowns.mark_months(marks) if len(marks) else []), view.last]
    return dict(first=min(months), last=max(months), view=view.filters, role=view.role)


def _by(segment: str):
    return lambda view, fetch: dict(_period(view, fetch), by=segment)


def _supply_by(segment: str):
    return lambda view, fetch: dict(_period(view, fetch), by=segment)


def _events(view: View, fetch: Fetch) -> dict:
    return dict(role=view.role)


def _contracts_ending(view: View, fetch: Fetch) -> dict:
    return dict(last=view.last)


def _plan(view: View, fetch: Fetch) -> dict:
    return dict(month=view.last)


def _plan_last(view: View, fetch: Fetch) -> dict:
    return dict(last=view.last)


def _top_clients(view: View, fetch: Fetch) -> dict:
    return dict(_period(view, fetch), show_client_names=view.show_client_names)


def _queue(key: str):
    return lambda view, fetch: dict(key=key, first=view.first, last=view.last, filters=view.filters, role=view.role)


def _experts_count(view: View, fetch: Fetch) -> dict:
    """The Experts page's first question: how many match (one row carries the count)."""
    return dict(_period(view, fetch), limit=1, offset=0)


def _experts_first_page(view: View, fetch: Fetch) -> dict:
    return dict(_period(view, fetch), limit=breakdowns.EXPERTS_PAGE_SIZE, offset=0)


KPIS_OF_PERIOD = Call("kpi_series_12m", kpis.kpi_series, _period)   # every page's headline tiles
EVENTS = Call("events", breakdowns.events, _events)                  # marked on the time charts
TARGETS = Call("targets", breakdowns.targets, lambda view, fetch: {}, roles=(FOUNDER, OPS))   # plan lines
EXPERTS_BY_DOMAIN = Call("experts_by_domain", breakdowns.experts_by_segment, _by("domain"))

PAGES: tuple[Page, ...] = (
    Page("pages/overview.py", "Overview", ":material/dashboard:", ROLES,
         (Call("kpi_series_13m", kpis.kpi_series, _thirteen_months),
          Call("plan", kpis.plan, _plan, roles=(FOUNDER, OPS)),    # targets have no investor flag
          # whole-company rules, checked when a snapshot is loaded (the pre-warm makes this call)
          Call("alerts", alerts.fired, lambda view, fetch: dict(rules=alerts.rules_or_none(), month=view.last),
               roles=(FOUNDER, OPS)))),
    Page("pages/network_growth.py", "Network growth", ":material/group_add:", ROLES,
         (KPIS_OF_PERIOD, EVENTS,
          Call("activation_by_cohort", breakdowns.activation_by_cohort, _period),
          EXPERTS_BY_DOMAIN,
          Call("experts_by_country", breakdowns.experts_by_segment, _by("country")))),
    Page("pages/supply.py", "Supply", ":material/engineering:", ROLES,
         (KPIS_OF_PERIOD,
          Call("supply_by_cohort", breakdowns.supply_by_segment, _supply_by("cohort")),
          Call("supply_by_domain", breakdowns.supply_by_segment, _supply_by("domain")),
          Call("supply_by_country", breakdowns.supply_by_segment, _supply_by("country")),
          EXPERTS_BY_DOMAIN)),
    Page("pages/payouts.py", "Payouts", ":material/payments:", ROLES,
         (Call("earnings_of_period", breakdowns.earnings_of_period, _period),
          KPIS_OF_PERIOD,
          EXPERTS_BY_DOMAIN)),
    Page("pages/revenue.py", "Revenue & clients", ":material/account_balance:", ROLES,
         (KPIS_OF_PERIOD, EVENTS, TARGETS,
          Call("billings_by_segment", breakdowns.billings_by_segment, _period),
          Call("top_clients", breakdowns.top_clients, _top_clients),
          # client by client: the company's own view, never an investor's
          Call("spread_by", breakdowns.spread_by, _period, roles=(FOUNDER, OPS)),
          Call("client_logo_retention", breakdowns.client_logo_retention,
               lambda view, fetch: dict(filters=view.filters, role=view.role), roles=(FOUNDER, OPS)))),
    Page("pages/cohorts.py", "Cohorts", ":material/grid_on:", ROLES,
         (Call("retention", kpis.retention, lambda view, fetch: dict(filters=view.filters, role=view.role)),)),
    Page("pages/valuation.py", "Valuation", ":material/trending_up:", ROLES,
         (KPIS_OF_PERIOD, EVENTS, TARGETS,
          Call("valuation", kpis.company_series, company_months),
          Call("contracts_ending", breakdowns.contracts_ending, _contracts_ending),
          Call("arr_projection", forecast.arr_projection, _plan_last, roles=(FOUNDER, OPS)))),
    Page("pages/experts.py", "Experts", ":material/badge:", (FOUNDER, OPS),
         (Call("experts_count", breakdowns.experts_page, _experts_count),
          Call("experts_page", breakdowns.experts_page, _experts_first_page))),
    Page("pages/expert.py", "Expert", ":material/person:", (FOUNDER, OPS), hidden=True),
    Page("pages/queues.py", "Queues", ":material/checklist:", (FOUNDER, OPS),
         (Call("as_of", queues.as_of_date, lambda view, fetch: {}, roles=(FOUNDER, OPS)),
          *(Call(f"queue_{queue.key}", queues.queue, _queue(queue.key), roles=(FOUNDER, OPS))
            for queue in queues.QUEUES))),
    Page("pages/share.py", "Share", ":material/share:", (FOUNDER,)),
    Page("pages/definitions.py", "Definitions", ":material/menu_book:", ROLES),
)


# Each workload's one call, whichever pages make it (Network growth and Payouts share
# experts_by_domain): what a page asks for with ViewContext.fetch(workload).
CALLS: dict[str, Call] = {call.workload: call for page in PAGES for call in page.calls}


def pages_for(role: str) -> list[Page]:
    return [page for page in PAGES if role in page.roles]


def default_calls(view: View, fetch: Fetch) -> list[tuple[Callable, dict]]:
    """(function, keyword arguments) of every call the pages a view's role may open make on
    their default view, each once."""
    calls = []
    role = INVESTOR if view.role == INVESTOR else FOUNDER
    for page in pages_for(role):
        for call in page.calls:
            if role not in call.roles:
                continue
            made = (call.function, call.arguments(view, fetch))
            if made not in calls:
                calls.append(made)
    return calls
