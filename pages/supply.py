"""Supply: the funnel from signup to approval to first paid hour to active, how long each step
takes, where supply idles, who comes and goes, and how much rests on the busiest experts."""

import streamlit as st

from expertnet.metrics import units
from expertnet.ui import charts, widgets
from expertnet.ui.context import current

MATURE, NOT_MATURE = "90 days over", "not yet mature"
STEPS = {"experts_signed_up": "Signed up", "experts_approved": "Approved", "experts_first_paid": "First paid hour",
         "experts_active_last_month": "Active in the last month"}
TIMES = {"days_to_approval_p50": "To approval, p50", "days_to_approval_p90": "To approval, p90",
         "days_to_first_paid_p50": "To first paid hour, p50", "days_to_first_paid_p90": "To first paid hour, p90"}

context = current()
widgets.header(context, "Supply", "Who is vetted, who starts earning, who stays, and where supply idles")
series = widgets.period_series(context)

if not widgets.nothing_to_show(context, series["experts_total"], "expert counts"):
    widgets.kpi_row(context, ["experts_first_paid", "experts_reactivated", "utilization_rate"], series)
    widgets.kpi_row(context, ["days_to_approval_p50", "days_to_first_paid_p50", "top10pct_hours_share"], series)
    widgets.withheld_note(context)

    st.subheader("The funnel by signup cohort")
    st.caption("Of the experts who signed up in each month of the period: how many were approved, were paid for "
               "work, and worked in the period's last month. A cohort whose 90 days are not over by the last day "
               "of data is not yet mature: its later steps can still fill up.")
    funnel = context.fetch("supply_by_cohort")
    if funnel.empty:
        widgets.empty_state("No signup cohort of this period can be shown for these filters.")
    else:
        long = funnel.melt(id_vars=["segment", "mature"], value_vars=list(STEPS), var_name="step",
                           value_name="experts")
        long["step"] = long["step"].map(STEPS)
        long["cohort"] = long["segment"] + long["mature"].map({True: "", False: " (not yet mature)"})
        long = long.rename(columns={"experts": "value"})
        chart = charts.grouped_bars(long, "cohort", "step", units.EXPERTS, "Experts", list(STEPS.values()))
        charts.show(chart, funnel.drop(columns=["mature"]).rename(columns={"segment": "cohort"}),
                    "supply-funnel", "funnel")

    st.subheader("How long each step takes")
    st.caption("Days from signup to approval and to the first paid hour, over the experts who reached the step "
               "in the period: the median (p50) and the slowest tenth (p90).")
    for by, title in (("domain", "By domain"), ("country", "By country")):
        times = context.fetch(f"supply_by_{by}")[["segment", *TIMES]]
        st.markdown(f"**{title}**")
        widgets.figures_table(context, times, {column: units.DAYS for column in TIMES},
                              {"segment": by.capitalize(), **TIMES})

    st.subheader("Where supply is short and where it idles")
    st.caption("By domain, over the period: the approved experts who worked (active / approved by the period's "
               "end) and the hours each active expert put in. Low use with many approved experts is idle supply; "
               "high hours per expert is supply stretched thin.")
    by_domain = context.fetch("experts_by_domain")
    use = by_domain.assign(
        use_rate=by_domain["experts_active"] / by_domain["experts_approved"].where(by_domain["experts_approved"] > 0),
        hours_per_active_expert=by_domain["hours"] / by_domain["experts_active"].where(by_domain["experts_active"] > 0))
    left, right = st.columns(2)
    with left:
        charts.show(lambda: charts.bars(use, "segment", "use_rate", units.SHARE, "Active / approved", x_title="Domain",
                                horizontal=True), use[["segment", "experts_approved", "experts_active", "use_rate"]],
                    "use-by-domain", "use")
    with right:
        charts.show(lambda: charts.bars(use, "segment", "hours_per_active_expert", units.HOURS_PER_EXPERT,
                                "Hours per active expert", x_title="Domain", horizontal=True),
                    use[["segment", "experts_active", "hours", "hours_per_active_expert"]], "hours-by-domain", "load")

    st.subheader("Who comes and who goes")
    left, right = st.columns(2)
    with left:
        st.caption("Active experts each month: paid for the first time, back after a month or more away, and "
                   "gone (worked the month before, not this one).")
        moves = series[["month", "experts_first_paid", "experts_reactivated"]].copy()
        before = series["experts_active"].shift(1)
        retained = series["experts_active"] - series["experts_first_paid"] - series["experts_reactivated"]
        moves["experts_gone"] = (before - retained).where(series["experts_reactivated"].notna()).astype("Int64")
        charts.show(lambda: charts.line(moves, {"experts_first_paid": "First paid", "experts_reactivated": "Back",
                                        "experts_gone": "Gone"}, units.EXPERTS, "Experts per month"),
                    moves, "active-flows", "flows")
    with right:
        st.caption("The share of the month's hours worked by the busiest tenth of the active experts.")
        charts.show(lambda: charts.line(series, {"top10pct_hours_share": "Top 10% of experts"}, units.SHARE,
                                "Share of hours"), series[["month", "experts_active", "top10pct_hours_share"]],
                    "top-decile-hours", "decile")
    widgets.withheld_note(context)
