"""Overview: the headline KPIs of the chosen month, against the month before."""

import pandas as pd
import streamlit as st

from expertnet.metrics import kpis
from expertnet.metrics.filters import add_months
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.ui.text import md
from expertnet.ui.context import current

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
    for keys in (["billings_usd", "net_revenue_usd", "take_rate", "arr_usd"],
                 ["experts_total", "experts_new", "experts_active", "activation_rate_90d"],
                 ["payouts_usd", "hours", "avg_pay_rate_usd", "hours_per_active_expert"],
                 ["clients_active", "top_client_share", "nrr_12m", "grr_12m"],
                 ["billings_growth_mom", "billings_cmgr_12m", "valuation_usd", "implied_arr_multiple"]):
        widgets.kpi_row(context, keys, series)
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
