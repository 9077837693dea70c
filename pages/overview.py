"""Overview: the headline KPIs of the chosen month, against the month before."""

import pandas as pd
import streamlit as st

from expertnet.metrics import kpis
from expertnet.metrics.filters import add_months
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.ui.text import md
from expertnet.ui.context import current

# The figures of a month that add up to those of a longer span.
PERIOD_SUMS = ("billings_usd", "net_revenue_usd", "payouts_usd", "bonuses_usd", "hours", "experts_new",
               "experts_first_paid", "revenue_new_usd")

context = current()
widgets.header(context, "Overview", "Headline KPIs of the last month of the period")
series = context.fetch("kpi_series_13m")
now = series.iloc[-1].to_dict()
before = series.iloc[-2].to_dict()
withheld = context.viewer.is_investor

if not now["experts_total"] and not now["billings_usd"]:
    widgets.empty_state(f"No experts or work in {now['month']} for {md(context.filters.describe())}.")
else:
    st.subheader(f"{now['month']} compared with {before['month']}")
    st.caption("Each tile's change: against the month before (its colour), the same month a year earlier, and "
               "the plan where the targets file sets one.")
    # targets describe the whole company: they sit on the tiles of the unfiltered view only
    targets = ({row["metric"]: row for row in context.fetch("plan")}
               if not withheld and context.filters.is_empty() else {})
    for keys in (["billings_usd", "net_revenue_usd", "take_rate", "arr_usd"],
                 ["experts_total", "experts_new", "experts_active", "activation_rate_90d"],
                 ["payouts_usd", "hours", "avg_pay_rate_usd", "hours_per_active_expert"],
                 ["clients_active", "top_client_share", "nrr_12m", "grr_12m"],
                 ["billings_growth_mom", "billings_cmgr_12m", "valuation_usd", "implied_arr_multiple"]):
        widgets.kpi_row(context, keys, series, targets)
    widgets.withheld_note(context)

    st.subheader("Every KPI of the month")
    filtered = not context.filters.is_empty()
    table = pd.DataFrame([{"Metric": widgets.kpi_label(k, filtered),
                           "Value": format_value(now[k.key], k.unit, withheld and k.can_be_withheld),
                           "Previous month": format_value(before[k.key], k.unit, withheld and k.can_be_withheld),
                           "What it means": k.about, "Key": k.key} for k in kpis.KPIS[1:]])
    st.dataframe(table, hide_index=True, width="stretch", height="content",
                 column_config={"Value": st.column_config.TextColumn(width="medium"),
                                "Previous month": st.column_config.TextColumn(width="medium"),
                                "What it means": st.column_config.TextColumn(width="large")})
    st.download_button("Download the KPIs of the last 13 months (CSV)", charts.csv_text(series),
                       context.file_name("kpis", "csv", first=add_months(context.last_month, -12)), "text/csv", key="overview-csv", on_click="ignore",
                       icon=":material/download:")

    st.subheader("Period totals")
    st.caption("Sums over the quarter to date, the year to date and the last three months, for the figures "
               "that add up over months (a sum that includes a withheld month is withheld).")
    months = pd.to_datetime(series["month"])
    last = months.iloc[-1]
    spans = {"Quarter to date": months >= last.to_period("Q").start_time,
             "Year to date": months >= last.to_period("Y").start_time,
             "Last 3 months": months >= last - pd.DateOffset(months=2)}
    summed = [k for k in kpis.KPIS if k.key in PERIOD_SUMS]
    totals = pd.DataFrame([{"Metric": k.label, **{name: format_value(
        series.loc[inside, k.key].sum(min_count=int(inside.sum())), k.unit, withheld) for name, inside in spans.items()}}
        for k in summed])
    st.dataframe(totals, hide_index=True, width="stretch", height="content")
