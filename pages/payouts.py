"""Payouts: how earnings spread across experts, bonuses against hourly pay, pay rates."""

import streamlit as st

from expertnet.metrics import kpis, units
from expertnet.metrics.formatting import format_value
from expertnet.metrics.privacy import MIN_EXPERTS
from expertnet.ui import charts, widgets
from expertnet.ui.context import current

context = current()
widgets.header(context, "Payouts", "What experts earn: pay for hours plus bonuses")
withheld = context.viewer.is_investor
earnings = context.fetch("earnings_of_period")      # the summary and the histogram, from one pass
summary = earnings["summary"]

if not summary["experts_earning"] and summary["experts_earning"] is not None:
    widgets.empty_state("No expert earned anything in this period for these filters.")
else:
    st.subheader("Earnings per expert in the period")
    st.caption("Each expert's pay plus bonuses summed over the period, among experts who earned more than $0.")
    tiles = [("Experts who earned", summary["experts_earning"], units.EXPERTS, None),
             ("Median (p50)", summary["earnings_p50_usd"], units.USD, "earnings_p50_usd"),
             ("p90", summary["earnings_p90_usd"], units.USD, "earnings_p90_usd"),
             ("p99", summary["earnings_p99_usd"], units.USD, "earnings_p99_usd"),
             ("Gini", summary["earnings_gini"], units.COEFFICIENT, "earnings_gini"),
             ("Top 1% share", summary["top1pct_earnings_share"], units.SHARE, "top1pct_earnings_share")]
    for column, (label, value, unit, key) in zip(st.columns(len(tiles)), tiles):
        help_text = kpis.KPIS_BY_KEY[key].period_definition if key else None
        if withheld and value is None:
            widgets.withheld_tile(column, label, help_text)
        else:
            column.metric(label, format_value(value, unit, withheld), border=True, help=help_text)
    widgets.withheld_note(context)

    histogram = earnings["histogram"]
    st.subheader("Distribution of earnings")
    if histogram.empty:
        st.info(f"Fewer than {MIN_EXPERTS} experts earned in this period, so the distribution is withheld.",
                icon=":material/lock:")
    else:
        charts.show(lambda: charts.earnings_histogram(histogram), histogram, "earnings-histogram", "histogram")

    series = widgets.period_series(context)
    left, right = st.columns(2)
    with left:
        st.subheader("Bonuses against hourly pay")
        # an axis each: bonuses are a few percent of pay, a sliver on a shared axis
        charts.show(lambda: charts.line(series, {"expert_pay_usd": "Hourly pay", "bonuses_usd": "Bonuses"}, units.USD,
                                "Paid to experts", separate_scales=True),
                    series[["month", "expert_pay_usd", "bonuses_usd", "payouts_usd"]], "pay-and-bonuses", "bonuses")
    with right:
        st.subheader("Hours per active expert")
        charts.show(lambda: charts.line(series, {"hours_per_active_expert": "Hours per active expert"}, units.HOURS_PER_EXPERT,
                                "Hours per active expert"),
                    series[["month", "hours", "experts_active", "hours_per_active_expert"]], "hours-per-expert", "hours")

    st.subheader("Average pay rate by domain")
    by_domain = context.fetch("experts_by_domain")
    worked = by_domain[by_domain["hours"].fillna(0) > 0]
    if worked.empty and context.viewer.is_investor and by_domain["hours"].isna().any():
        widgets.withheld_info("pay rates")
    elif worked.empty:
        widgets.empty_state("No hours were worked in this period for these filters.")
    else:
        charts.show(lambda: charts.bars(worked, "segment", "avg_pay_rate_usd", units.USD_PER_HOUR, "Average pay rate (USD per hour)",
                                x_title="Domain", horizontal=True), by_domain, "pay-rate-by-domain", "rate")
