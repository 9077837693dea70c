"""Overview: the headline KPIs of the chosen month, against the month before."""

import pandas as pd
import streamlit as st

from expertnet.errors import BadInput
from expertnet.metrics import kpis
from expertnet.reports import alerts
from expertnet.metrics.filters import add_months
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.ui.text import md
from expertnet.ui.context import current
from expertnet.ui.update_download import update_button

# The figures of a month that add up to those of a longer span.
PERIOD_SUMS = ("billings_usd", "net_revenue_usd", "payouts_usd", "bonuses_usd", "hours", "experts_new",
               "experts_first_paid", "revenue_new_usd")

def show_alerts(context) -> None:
    """The alert rules (alerts.toml) that hold for the month, whole company, with their rule."""
    try:
        rules = alerts.read_rules()
    except BadInput as wrong:
        st.warning(f"The alert rules were not read: {md(str(wrong))}", icon=":material/rule:")
        return
    if not rules:
        return
    fired = context.fetch("alerts")
    st.subheader(f"Alerts ({len(fired)} of {len(rules)} rules hold)")
    if not fired:
        st.caption(f"No alert rule of {md(alerts.rules_file().name)} holds for this month.")
    for item in fired:
        st.warning(f"**{md(item.rule.name)}**: {md(item.message)} · rule: {md(item.rule.describe())} (whole company)",
                   icon=":material/notifications_active:")


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
    for keys in kpis.HEADLINE_ROWS:
        widgets.kpi_row(context, list(keys), series, targets)
    widgets.withheld_note(context)
    if withheld:
        update_button(context, context.viewer.link.id, f"Download the update of {now['month']} (PDF)", "update-pdf")
    else:
        show_alerts(context)

    st.subheader("Every KPI of the month")
    filtered = not context.filters.is_empty()
    table = pd.DataFrame([{"Metric": k.label_in_view(filtered),
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
