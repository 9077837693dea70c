"""Cohorts: expert retention by signup month, as a heatmap, and cohorts side by side."""

import altair as alt
import streamlit as st

from expertnet.metrics import units
from expertnet.metrics.privacy import MIN_EXPERTS
from expertnet.metrics.filters import month_label
from expertnet.ui import charts, widgets
from expertnet.ui.context import current

SEEN_MONTHS = 6     # a cohort compared by default has been watched for at least this many months


def default_cohorts(retention) -> list[str]:
    """Three cohorts worth comparing: the oldest, the middle and the newest of those with SEEN_MONTHS
    months behind them (the newest cohorts have a month or two of data, and their lines say little)."""
    seen = retention.groupby("cohort")["months_since"].max()
    watched = list(seen[seen >= SEEN_MONTHS].index) or list(seen.index)
    return list(dict.fromkeys(watched[i] for i in (0, len(watched) // 2, len(watched) - 1)))


context = current()
widgets.header(context, "Cohorts", "Of the experts who signed up in a month, the share who worked k months later")
retention = context.fetch("retention")
in_period = retention[(retention["cohort"] >= month_label(context.first_month))
                      & (retention["cohort"] <= month_label(context.last_month))]

if in_period.empty and context.viewer.is_investor:
    st.info(f"Every signup cohort of this period has fewer than {MIN_EXPERTS} experts, so their retention is withheld.",
            icon=":material/lock:")
elif in_period.empty:
    widgets.empty_state("No signup cohort in this period for these filters.")
else:
    st.subheader("Retention heatmap")
    st.caption("Rows: signup cohorts of the period. Columns: months since signup (0 = the signup month). "
               "Colour: share of the cohort with a work log in that month.")
    charts.show(lambda: charts.heatmap(in_period, "months_since", "cohort", "rate", "Months since signup", "Signup cohort",
                               "Share active", {"active": ("Active experts", units.EXPERTS),
                                                "cohort_size": ("Cohort size", units.EXPERTS)}),
                in_period, "retention", "heatmap")

    st.subheader("Compare cohorts")
    cohorts = list(dict.fromkeys(in_period["cohort"]))
    chosen = st.multiselect("Cohorts", cohorts, default=default_cohorts(in_period), key="compare_cohorts",
                            help="Pick the signup cohorts to draw side by side.")
    compared = in_period[in_period["cohort"].isin(chosen)]
    if compared.empty:
        st.info("Pick at least one cohort to compare.")
    else:
        chart = alt.Chart(compared).mark_line(point=True).encode(
            x=alt.X("months_since:Q", title="Months since signup", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("rate:Q", axis=charts.value_axis(units.SHARE, "Share active")),
            color=alt.Color("cohort:N", title="Cohort", scale=alt.Scale(range=charts.PALETTE)),
            tooltip=["cohort", "months_since", alt.Tooltip("rate:Q", format=units.SHARE.tooltip_format),
                     alt.Tooltip("active:Q", format=units.EXPERTS.tooltip_format),
                     alt.Tooltip("cohort_size:Q", format=units.EXPERTS.tooltip_format)],
        ).properties(height=charts.HEIGHT)
        charts.show(chart, compared, "cohorts-compared", "compare")

    st.subheader("Cohort sizes")
    sizes = in_period.groupby("cohort", as_index=False)["cohort_size"].first()
    widgets.figures_table(context, sizes, {"cohort_size": units.EXPERTS},
                          {"cohort": "Cohort", "cohort_size": "Experts who signed up"})
    widgets.withheld_note(context)
