"""Definitions: what every metric means in plain words, with its exact formula one click away,
from the same declarations the pages and the CLI compute with (expertnet/metrics/kpis.py)."""

import streamlit as st

from expertnet.metrics import kpis
from expertnet.metrics.privacy import MIN_EXPERTS
from expertnet.ui.context import current
from expertnet.ui.text import md

context = current()
st.title("Definitions")
st.caption("The one meaning of every number on these pages and in `python -m expertnet kpis`. "
           "All money is US dollars; a month is a calendar month.")
st.markdown("\n".join(f"- **{term}** {meaning}" for term, meaning in kpis.TERMS))

st.subheader("Metrics")
for kpi in kpis.KPIS[1:]:
    with st.container(border=True):
        st.markdown(f"**{md(kpi.label)}**  \n{md(kpi.about)}")
        with st.expander("Formula"):
            st.markdown(f"{md(kpi.definition)}  \nKey `{kpi.key}` · unit {kpi.unit.name}")
            if kpi.period_definition:
                st.markdown(f"Over a whole period (Payouts): {md(kpi.period_definition)}")

st.subheader("What an investor may see")
st.markdown(f"Aggregates only: no names, emails or expert ids. A figure drawn from fewer than {MIN_EXPERTS} "
            f"experts is withheld, and so is a count between 1 and {MIN_EXPERTS - 1}, and whatever would give "
            f"one away by adding or subtracting figures that are shown. A percentile is shown only "
            f"where at least {MIN_EXPERTS} experts lie on each side of it; a retention row whose cohort has fewer "
            f"than {MIN_EXPERTS} experts is left out.")
