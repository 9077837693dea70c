"""Revenue & clients: billings, payouts and margin; client segments, concentration, retention."""

import pandas as pd
import streamlit as st

from expertnet.metrics import kpis, units
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.metrics.filters import month_label
from expertnet.ui.context import current

SPREAD_COLUMNS = {"hours": units.HOURS, "billings_usd": units.USD, "expert_pay_usd": units.USD,
                  "spread_usd": units.USD, "spread_per_hour_usd": units.USD_PER_HOUR, "experts": units.EXPERTS}
SPREAD_LABELS = {"hours": "Hours", "billings_usd": "Billings", "expert_pay_usd": "Expert pay",
                 "spread_usd": "Spread", "spread_per_hour_usd": "Spread per hour", "experts": "Experts",
                 "bill_rate_usd": "Bill rate", "client": "Client", "segment": "Segment"}


def spread_sections(context) -> None:
    """What an hour earns the company, by client segment, by domain and for the largest contracts
    (founders and ops: client by client)."""
    st.subheader("What an hour earns, by client segment, domain and contract")
    st.caption("Spread: billings minus expert pay for the period's work, before bonuses (a bonus is paid to an "
               "expert, not for one client's work); spread per hour = spread / hours, as spread_per_hour_usd "
               "in Definitions.")
    tables = context.fetch("spread_by")
    by_segment, by_domain, by_contract = st.tabs(["Client segment", "Expert domain", "Largest contracts"])
    for tab, kind, label in ((by_segment, "segment", "Client segment"), (by_domain, "domain", "Domain"),
                             (by_contract, "contract", "Contract")):
        with tab:
            frame = tables[kind]
            if frame.empty:
                widgets.empty_state("No work in this period for these filters.")
                continue
            columns = ["name", *(["client", "segment", "bill_rate_usd"] if kind == "contract" else []),
                       *SPREAD_COLUMNS]
            chart = charts.bars(frame, "name", "spread_per_hour_usd", units.USD_PER_HOUR, "Spread per hour",
                                x_title=label, horizontal=True)
            charts.show(chart, frame[columns], f"spread-by-{kind}", f"spread-{kind}")
            widgets.figures_table(context, frame[columns], {**SPREAD_COLUMNS, "bill_rate_usd": units.USD_PER_HOUR},
                                  {**SPREAD_LABELS, "name": label})


def logo_retention(context) -> None:
    """Of the clients first billed in a month, the share billed k months later (founders and ops)."""
    st.subheader("Client logo retention")
    frame = context.fetch("client_logo_retention")
    if frame.empty:
        widgets.empty_state("No client has been billed for these filters.")
        return
    frame = frame[frame["cohort"] <= month_label(context.last_month)]
    st.caption("Rows: the month of a client's first billing. Columns: months since. Colour: share of those "
               "clients billed in that month (a client back after a gap counts again). All months, not only "
               "the period.")
    charts.show(lambda: charts.heatmap(frame, "months_since", "cohort", "rate", "Months since first billing",
                               "First billed", "Share billed",
                               {"clients_billed": ("Clients billed", units.CLIENTS),
                                "cohort_clients": ("Clients first billed", units.CLIENTS)}),
                frame, "client-logo-retention", "logos")


context = current()
widgets.header(context, "Revenue & clients", "What clients pay, what experts get, what stays")
series = widgets.period_series(context)

if not widgets.nothing_to_show(context, series["billings_usd"], "billings"):
    left, right = st.columns(2)
    with left:
        st.subheader("Billings, payouts and net revenue")
        charts.show(lambda: charts.line(series, {"billings_usd": "Billings", "payouts_usd": "Payouts",
                                         "net_revenue_usd": "Net revenue"}, units.USD, "USD per month",
                                events=context.fetch("events"),
                                targets=None if context.viewer.is_investor or not context.filters.is_empty()
                                else context.fetch("targets")),
                    series[["month", "billings_usd", "payouts_usd", "net_revenue_usd"]], "revenue", "revenue")
    with right:
        st.subheader("Take rate")
        charts.show(lambda: charts.line(series, {"take_rate": "Take rate"}, units.SHARE, "Net revenue / billings"),
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
            charts.show(lambda: charts.waterfall(steps, units.USD, "Billings (USD)"), steps, "revenue-bridge", "bridge")
    with right:
        charts.show(lambda: charts.line(series, {"quick_ratio": "Quick ratio"}, units.MULTIPLE,
                                "Gained / lost revenue"),
                    series[["month", "quick_ratio", "revenue_new_usd", "revenue_reactivated_usd",
                            "revenue_expansion_usd", "revenue_contraction_usd", "revenue_churned_usd"]],
                    "quick-ratio", "quick")
        st.caption("Quick ratio: revenue gained (new, back, expansion) for each dollar lost (contraction, churn). "
                   "Above 1 the client base grows.")

    st.subheader("Billings by client segment")
    segments = context.fetch("billings_by_segment")
    segments["month"] = pd.to_datetime(segments["month"])
    charts.show(lambda: charts.bars(segments, "month", "billings_usd", units.USD, "Billings (USD)", x_type="T", color="segment"),
                segments, "billings-by-segment", "segments")

    if not context.viewer.is_investor:
        spread_sections(context)

    left, right = st.columns(2)
    with left:
        st.subheader("Client concentration")
        charts.show(lambda: charts.line(series, {"top_client_share": "Top client", "top5_client_share": "Top 5 clients"},
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
            charts.show(lambda: charts.line(series, {"nrr_12m": "Net (NRR)", "grr_12m": "Gross (GRR)"}, units.SHARE,
                                    "Retention of billings"), retention, "revenue-retention", "nrr")

    st.subheader("Largest clients of the period")
    clients = context.fetch("top_clients")
    widgets.figures_table(context, clients, {"billings_usd": units.USD, "share": units.SHARE, "experts": units.EXPERTS},
                          {"rank": "Rank", "client": "Client", "segment": "Segment", "billings_usd": "Billings",
                           "share": "Share of billings", "experts": "Experts"})
    if not context.viewer.is_investor:
        logo_retention(context)
    widgets.withheld_note(context)
