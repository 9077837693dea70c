"""What the benchmark times: the three ways, the workloads (the calls the dashboard's pages make on
their default view: the last 12 months, no filter, founder; declared in the page registry,
expertnet/ui/pages.py) and which page asks for which, plus two checks: a page workload that the
ways do not implement yet (unimplemented_workloads, which run.py refuses to start without), and
any public function of expertnet.metrics.kpis or expertnet.metrics.breakdowns that no workload
times, so that a new page-level query does not go unmeasured."""

from expertnet.access.roles import INVESTOR
from expertnet.ui.pages import pages_for

WAYS = (1, 2, 3)
WAY_NAMES = {1: "pages' functions over rollups", 2: "pandas (load + groupby)", 3: "raw SQL, no rollups"}
TOP_CLIENTS = 10                          # breakdowns.top_clients' default limit, as the page uses it

# A workload a page shares with another page is timed once per repetition and counted in
# each page that asks for it: a first view of each page.
WORKLOADS = {
    "kpi_series_13m": "kpis.kpi_series(last 13 months)",
    "kpi_series_12m": "kpis.kpi_series(last 12 months)",
    "activation_by_cohort": "breakdowns.activation_by_cohort(period)",
    "experts_by_domain": "breakdowns.experts_by_segment('domain', period)",
    "experts_by_country": "breakdowns.experts_by_segment('country', period)",
    "earnings_of_period": "breakdowns.earnings_of_period(period): the spread and the histogram, one pass",
    "billings_by_segment": "breakdowns.billings_by_segment(period)",
    "top_clients": f"breakdowns.top_clients(period, limit {TOP_CLIENTS})",
    "retention": "kpis.retention()",
    "valuation": "breakdowns.valuation_marks() + kpis.company_series(first mark .. last month)",
    "events": "breakdowns.events()",
    "contracts_ending": "breakdowns.contracts_ending(last month)",
    "supply_by_cohort": "breakdowns.supply_by_segment('cohort', period)",
    "supply_by_domain": "breakdowns.supply_by_segment('domain', period)",
    "supply_by_country": "breakdowns.supply_by_segment('country', period)",
}
# (title, workloads) of every page an investor may open that computes figures, as the page
# registry declares its calls.
PAGES = tuple((page.title, tuple(call.workload for call in page.calls if INVESTOR in call.roles))
              for page in pages_for(INVESTOR) if page.calls)
TIMED_FUNCTIONS = {
    "expertnet.metrics.kpis": {"kpi_series", "retention", "company_series"},
    "expertnet.metrics.breakdowns": {"activation_by_cohort", "experts_by_segment", "earnings_of_period",
                                     "billings_by_segment", "top_clients", "valuation_marks", "events",
                                     "contracts_ending", "supply_by_segment"},
}
NOT_PAGE_FUNCTIONS = {"records", "mark_months"}          # helpers of the pages, not queries


def unimplemented_workloads() -> list[str]:
    """Workloads of the investor pages in the registry that WORKLOADS or a way lacks: each
    needs a line in WORKLOADS and an implementation in way_rollups, way_pandas and way_sql."""
    from bench import way_pandas, way_rollups, way_sql
    declared = {w for _, workloads in PAGES for w in workloads}
    implemented = set(WORKLOADS)
    for way in (way_rollups, way_pandas, way_sql):
        implemented &= set(way.workloads())
    return sorted(declared - implemented)


def untimed_functions() -> list[str]:
    """Public functions of the metric modules that no timed page workload calls."""
    import importlib
    found = []
    for module_name, timed in TIMED_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (callable(value) and not name.startswith("_") and not isinstance(value, type)
                    and getattr(value, "__module__", None) == module_name
                    and name not in timed | NOT_PAGE_FUNCTIONS):
                found.append(f"{module_name.split('.')[-1]}.{name}")
    return sorted(found)
