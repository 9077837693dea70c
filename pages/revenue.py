"""Revenue & clients: billings, payouts and margin; client segments, concentration, retention."""

import pandas as pd
import streamlit as st

from expertnet.metrics import kpis, units
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.metrics.filters import month_label
from expertnet.ui.context import current

context = current()
widgets.header(context, "Revenue & clients", "What clients pay, what experts get, what stays")
series = widgets.period_series(context)

if not widgets.nothing_to_show(context, series["billings_usd"], "billings"):
    left, right = st.columns(2)
    with left:
        st.subheader("Billings, payouts and net revenue")
        charts.show(charts.line(series, {"billings_usd": "Billings", "payouts_usd": "Payouts",
                                         "net_revenue_usd": "Net revenue"}, units.USD, "USD per month",
                                events=context.fetch("events"),
                                targets=None if context.viewer.is_investor or not context.filters.is_empty()
                                else context.fetch("targets")),
                    series[["month", "billings_usd", "payouts_usd", "net_revenue_usd"]], "revenue", "revenue")
    with right:
        st.subheader("Take rate")
        charts.show(charts.line(series, {"take_rate": "Take rate"}, units.SHARE, "Net revenue / billings"),
                    series[["month", "take_rate"]], "take-rate", "take")

    st.subheader(f"Where the change in billings came from, {month_label(context.last_month)}")
    st.caption("The client revenue bridge: last month's billings, plus new clients, clients back after a gap and "
               "continuing clients who spent more, minus those who spent less and those who left, is this "
               "month's billings.")
    left, right = st.columns([3, 2])
    with left:
        now = series.iloc[-1]
        steps = charts.waterfall_steps(
            month_label((series["month"].iloc[-1] - pd.DateOffset(months=1)).date()), now["billings_usd"] - (
                now[["revenue_new_usd", "revenue_reactivated_usd", "revenue_expansion_usd"]].sum()
                - now[["revenue_contraction_usd", "revenue_churned_usd"]].sum()),
            [("New clients", now["revenue_new_usd"]), ("Back after a gap", now["revenue_reactivated_usd"]),
             ("Expansion", now["revenue_expansion_usd"]), ("Contraction", -now["revenue_contraction_usd"]),
             ("Churned", -now["revenue_churned_usd"])], month_label(context.last_month), now["billings_usd"])
        if steps is None:
            widgets.empty_state("The bridge of this month is withheld or has nothing to show.")
        else:
            charts.show(charts.waterfall(steps, units.USD, "Billings (USD)"), steps, "revenue-bridge", "bridge")
    with right:
        charts.show(charts.line(series, {"quick_ratio": "Quick ratio"}, units.MULTIPLE,
                                "Gained / lost revenue"),
                    series[["month", "quick_ratio", "revenue_new_usd", "revenue_reactivated_usd",
                            "revenue_expansion_usd", "revenue_contraction_usd", "revenue_churned_usd"]],
                    "quick-ratio", "quick")
        st.caption("Quick ratio: revenue gained (new, back, expansion) for each dollar lost (contraction, churn). "
                   "Above 1 the client base grows.")

    st.subheader("Billings by client segment")
    segments = context.fetch("billings_by_segment")
    segments["month"] = pd.to_datetime(segments["month"])
    charts.show(charts.bars(segments, "month", "billings_usd", units.USD, "Billings (USD)", x_type="T", color="segment"),
                segments, "billings-by-segment", "segments")

    left, right = st.columns(2)
    with left:
        st.subheader("Client concentration")
        charts.show(charts.line(series, {"top_client_share": "Top client", "top5_client_share": "Top 5 clients"},
                                units.SHARE, "Share of billings"),
                    series[["month", "clients_active", "top_client_share", "top5_client_share", "client_hhi"]],
                    "concentration", "concentration")
        st.caption(f"HHI in the last month: {format_value(series['client_hhi'].iloc[-1], units.INDEX, context.viewer.is_investor)}"
                   " of 10,000. "
                   + kpis.KPIS_BY_KEY["client_hhi"].about)
    with right:
        st.subheader("Revenue retention (12 months)")
        retention = series[["month", "nrr_12m", "grr_12m"]]
        if retention[["nrr_12m", "grr_12m"]].isna().all().all():
            widgets.empty_state("No client billed 12 months before these months.")
        else:
            charts.show(charts.line(series, {"nrr_12m": "Net (NRR)", "grr_12m": "Gross (GRR)"}, units.SHARE,
                                    "Retention of billings"), retention, "revenue-retention", "nrr")

    st.subheader("Largest clients of the period")
    clients = context.fetch("top_clients")
    widgets.figures_table(context, clients, {"billings_usd": units.USD, "share": units.SHARE, "experts": units.EXPERTS},
                          {"rank": "Rank", "client": "Client", "segment": "Segment", "billings_usd": "Billings",
                           "share": "Share of billings", "experts": "Experts"})
    widgets.withheld_note(context)
