"""Way 1, this project: each workload calls the functions the pages call (expertnet.metrics and
expertnet.breakdowns) on the dashboard's read-only connection, i.e. the project's SQL over the rollups
built at load time. Like the other ways' workloads, each takes (context, first, last) -- here the
connection and the period's first and last month -- and returns {part: rows}."""

from bench.months import add_months
from bench.workloads import TOP_CLIENTS


def workloads() -> dict:
    from expertnet import breakdowns, metrics
    from expertnet.filters import Filters, month_label

    def valuation(con, first, last):
        # As the Valuation page asks: one series over the marks' months. (Its what-if reads the
        # whole company's series over the period, which with no filter is kpi_series_12m's.)
        marks = breakdowns.valuation_marks(con)
        months = breakdowns.mark_months(marks)
        series = metrics.kpi_series(con, min(months), max(months), Filters())
        at_marks = series[series["month"].isin([month_label(m) for m in months])]
        return {"marks": marks, "mark_kpis": [at_marks]}

    return {
        "kpi_series_13m": lambda con, first, last: {"kpis": metrics.kpi_series(con, add_months(last, -12), last)},
        "kpi_series_12m": lambda con, first, last: {"kpis": metrics.kpi_series(con, first, last)},
        "activation_by_cohort": lambda con, first, last: {
            "activation": breakdowns.activation_by_cohort(con, first, last)},
        "experts_by_domain": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "domain", first, last)},
        "experts_by_country": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "country", first, last)},
        "earnings_summary": lambda con, first, last: {"summary": [breakdowns.earnings_summary(con, first, last)]},
        "earnings_histogram": lambda con, first, last: {"histogram": breakdowns.earnings_histogram(con, first, last)},
        "billings_by_segment": lambda con, first, last: {
            "billings_by_segment": breakdowns.billings_by_segment(con, first, last)},
        "top_clients": lambda con, first, last: {
            "top_clients": breakdowns.top_clients(con, first, last, limit=TOP_CLIENTS)},
        "retention": lambda con, first, last: {"retention": metrics.retention(con)},
        "valuation": valuation,
    }
