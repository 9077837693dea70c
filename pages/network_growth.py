"""Network growth: signups, approvals and active experts; activation; domains and countries."""

import pandas as pd
import streamlit as st

from expertnet.metrics import units
from expertnet.ui import charts, widgets
from expertnet.ui.context import current

MATURE, NOT_MATURE = "90 days over", "not yet mature"

context = current()
widgets.header(context, "Network growth", "Who joins, who gets approved, who works")
series = widgets.period_series(context)

if not widgets.nothing_to_show(context, series["experts_total"], "expert counts"):
    left, right = st.columns(2)
    with left:
        st.subheader("Network size")
        charts.show(lambda: charts.line(series, {"experts_total": "Signed up", "experts_approved_total": "Approved"},
                                units.EXPERTS, "Experts (cumulative)", events=context.fetch("events")),
                    series[["month", "experts_total", "experts_approved_total"]], "network-size", "size")
    with right:
        st.subheader("New signups and active experts")
        charts.show(lambda: charts.line(series, {"experts_new": "New signups", "experts_active": "Active (worked)"},
                                units.EXPERTS, "Experts per month", separate_scales=True),
                    series[["month", "experts_new", "experts_active"]], "signups-active", "signups")

    st.subheader("90-day activation by signup cohort")
    st.caption("Of the experts who signed up in a month, the share who did paid work within their first "
               "90 days. A cohort whose 90 days are not over by the last day of data is not yet mature: "
               "its share can still rise, so it is drawn in grey.")
    activation = context.fetch("activation_by_cohort")
    activation["cohort"] = pd.to_datetime(activation["cohort"])
    activation["maturity"] = activation["mature"].map({True: MATURE, False: NOT_MATURE})
    charts.show(lambda: charts.bars(activation, "cohort", "activation_rate_90d", units.SHARE, "Activated within 90 days",
                            x_type="T", color="maturity", colors={MATURE: charts.PALETTE[0], NOT_MATURE: charts.MUTED}),
                activation, "activation-by-cohort", "activation")

    widgets.withheld_note(context)
    for by, title in (("domain", "By domain"), ("country", "By country")):
        st.subheader(title)
        frame = context.fetch(f"experts_by_{by}")
        top = frame.head(15)
        left, right = st.columns(2)
        with left:
            charts.show(lambda: charts.bars(top, "segment", "experts_total", units.EXPERTS, "Experts signed up",
                                    x_title=by.capitalize(), horizontal=True), frame, f"experts-by-{by}", f"{by}-total")
        with right:
            charts.show(lambda: charts.bars(top, "segment", "experts_active", units.EXPERTS, "Active in the period",
                                    x_title=by.capitalize(), horizontal=True), frame, f"active-by-{by}", f"{by}-active")
