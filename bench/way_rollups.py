"""Way 1, this project: each workload calls the functions the pages call (expertnet.metrics.kpis and
expertnet.metrics.breakdowns) on the dashboard's read-only connection, i.e. the project's SQL over the rollups
built at load time. Like the other ways' workloads, each takes (context, first, last) -- here the
connection and the period's first and last month -- and returns {part: rows}.

The benchmark's view is a founder's with no filter; bench/views.py times others (a filter set, an
investor) with the same workloads."""

from bench.months import add_months
from bench.workloads import TOP_CLIENTS


def workloads(filters=None, role: str | None = None) -> dict:
    from expertnet.access.roles import FOUNDER, INVESTOR
    from expertnet.metrics import breakdowns, kpis
    from expertnet.metrics.filters import Filters, month_label
    filters, role = filters or Filters(), role or FOUNDER
    client_names = role != INVESTOR     # a share link's default

    def valuation(con, first, last):
        # As the Valuation page asks: one series of the whole company from the first mark to the
        # last of the marks and the period's last month (its what-if reads that month).
        marks = breakdowns.valuation_marks(con)
        mark_months = breakdowns.mark_months(marks)
        months = [*mark_months, last]
        series = kpis.company_series(con, min(months), max(months), filters, role)
        at_marks = series[series["month"].isin([month_label(m) for m in mark_months])]
        return {"marks": marks, "mark_kpis": [at_marks]}

    return {
        "kpi_series_13m": lambda con, first, last: {
            "kpis": kpis.kpi_series(con, add_months(last, -12), last, filters, role)},
        "kpi_series_12m": lambda con, first, last: {"kpis": kpis.kpi_series(con, first, last, filters, role)},
        "activation_by_cohort": lambda con, first, last: {
            "activation": breakdowns.activation_by_cohort(con, first, last, filters, role)},
        "experts_by_domain": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "domain", first, last, filters, role)},
        "experts_by_country": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "country", first, last, filters, role)},
        "earnings_of_period": lambda con, first, last: (lambda both: {
            "summary": [both["summary"]], "histogram": both["histogram"]})(
            breakdowns.earnings_of_period(con, first, last, filters, role)),
        "billings_by_segment": lambda con, first, last: {
            "billings_by_segment": breakdowns.billings_by_segment(con, first, last, filters, role)},
        "top_clients": lambda con, first, last: {
            "top_clients": breakdowns.top_clients(con, first, last, filters, role, client_names, limit=TOP_CLIENTS)},
        "retention": lambda con, first, last: {"retention": kpis.retention(con, filters, role)},
        "events": lambda con, first, last: {"events": breakdowns.events(con, role)},
        "contracts_ending": lambda con, first, last: {"ending": breakdowns.contracts_ending(con, last)},
        **{f"supply_by_{by}": (lambda by: lambda con, first, last: {
            "supply": breakdowns.supply_by_segment(con, by, first, last, filters, role)})(by)
           for by in ("cohort", "domain", "country")},
        "valuation": valuation,
    }
