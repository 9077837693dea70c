"""Valuation: the ARR run-rate and its growth, the valuation marks, and a what-if."""

import pandas as pd
import streamlit as st

from expertnet.metrics import breakdowns, forecast, kpis, units
from expertnet.metrics.filters import month_label
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.ui.context import current

context = current()
widgets.header(context, "Valuation", "What the valuation rests on: run-rate revenue and its growth")
series = widgets.period_series(context)

if not widgets.nothing_to_show(context, series["billings_usd"], "billings"):
    left, right = st.columns(2)
    with left:
        st.subheader("ARR run-rate")
        charts.show(lambda: charts.line(series, {"arr_usd": "ARR (billings x 12)"}, units.USD, "USD per year",
                                events=context.fetch("events"),
                                targets=None if context.viewer.is_investor or not context.filters.is_empty()
                                else context.fetch("targets")),
                    series[["month", "billings_usd", "arr_usd"]], "arr", "arr")
    with right:
        st.subheader("Growth")
        charts.show(lambda: charts.line(series, {"billings_growth_mom": "Month on month",
                                         "billings_cmgr_12m": "CMGR over 12 months"}, units.SHARE, "Billings growth"),
                    series[["month", "billings_growth_mom", "billings_cmgr_12m"]], "growth", "growth")

st.subheader("Forward revenue")
st.caption("Whole company: what clients have committed and not yet spent, and the contracts that end soon "
           "with the run-rate they carry (up for renewal).")
left, right = st.columns(2)
with left:
    charts.show(lambda: charts.line(series, {"committed_backlog_usd": "Committed backlog"}, units.USD, "USD left to bill"),
                series[["month", "committed_backlog_usd"]], "committed-backlog", "backlog")
with right:
    ending = context.fetch("contracts_ending")
    ending["window"] = ending["ending_within_days"].map({30: "in 1-30 days", 60: "in 31-60 days",
                                                         90: "in 61-90 days"})
    charts.show(lambda: charts.bars(ending, "window", "arr_usd", units.USD, "ARR up for renewal",
                            x_title=f"Contracts ending after {month_label(context.last_month)}", sort=None),
                ending[["ending_within_days", "contracts", "arr_usd"]], "contracts-ending", "ending")
    st.caption(f"{int(ending['contracts'].sum()):,} contracts end in the 90 days after "
               f"{month_label(context.last_month)}.")

if not context.viewer.is_investor:
    st.subheader("ARR projected 12 months ahead")
    projection = context.fetch("arr_projection")
    if projection.empty:
        widgets.empty_state("A projection needs 12 months of positive ARR, whole company, up to the period's end.")
    else:
        error = forecast.backtest_error(projection)
        st.caption(
            f"Whole company. A projection, not a forecast to rely on: exponential smoothing with a damped trend "
            f"(statsmodels ETS on log ARR), the band holding {forecast.INTERVAL:.0%} of outcomes by the model. "
            + (f"Made the same way twelve months ago, it missed the months since by {error:.1%} on average "
               f"(the dashed line)." if error is not None else "Too little history to test it on known months."))
        charts.show(lambda: charts.projection(projection, units.USD, "ARR (USD per year)"), projection,
                    "arr-projection", "projection")

st.subheader("Valuation marks")
st.caption("Whole company. Implied multiple = post-money valuation / ARR run-rate of the whole company "
           "in the month of the mark.")
marks = context.call(breakdowns.valuation_marks)
mark_months = breakdowns.mark_months(marks) if len(marks) else []
# One series of the whole company, whatever the filters, from the first mark to the last of
# the marks and the period's last month: the marks' ARR and the what-if's.
company = context.fetch("valuation").set_index("month")
withheld = context.viewer.is_investor
if marks.empty:
    widgets.empty_state("The warehouse holds no valuation marks (valuations.csv was not part of the load).")
else:
    st.dataframe(pd.DataFrame([{
        "Date": f"{mark.as_of_date:%Y-%m-%d}", "Round": mark.round, "Post-money": format_value(mark.post_money_usd, units.USD),
        "ARR that month": format_value(company.at[month_label(month), "arr_usd"], units.USD, withheld),
        "Implied ARR multiple": format_value(company.at[month_label(month), "implied_arr_multiple"], units.MULTIPLE, withheld)}
        for mark, month in zip(marks.itertuples(), mark_months)]), hide_index=True, width="stretch")

st.subheader("What if: ARR times a multiple")
company_now = kpis.records(company.loc[[month_label(context.last_month)]].reset_index())[0]
arr = company_now["arr_usd"]
if arr is None:
    widgets.empty_state("There is no ARR to multiply in this month.")
else:
    low, high = st.slider("ARR multiple range", 1.0, 100.0, (15.0, 40.0), step=1.0, key="multiple",
                          format="%.0fx", help="A range of revenue multiples to apply to today's run-rate.")
    a, b, c = st.columns(3)
    a.metric(f"ARR, {company_now['month']} (whole company)", format_value(arr, units.USD), border=True)
    b.metric(f"At {low:.0f}x", format_value(arr * low, units.USD), border=True)
    c.metric(f"At {high:.0f}x", format_value(arr * high, units.USD), border=True)
widgets.withheld_note(context)
