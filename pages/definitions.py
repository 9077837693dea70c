"""Definitions: every metric, from the same declarations the pages use."""

import pandas as pd
import streamlit as st

from expertnet.metrics import kpis
from expertnet.metrics.privacy import MIN_EXPERTS
from expertnet.ui.context import current

context = current()
st.title("Definitions")
st.caption("The one meaning of every number on these pages and in `python -m expertnet kpis`. "
           "All money is US dollars; a month is a calendar month.")
st.markdown("- **billings** of a work log = hours x the contract's bill_rate_usd (what clients pay; GMV)\n"
            "- **expert pay** of a work log = hours x pay_rate_usd\n"
            "- **earnings** of an expert in a month = their expert pay plus bonuses paid that month\n"
            "- **filters** keep only matching experts, with their work logs and bonuses; valuation figures "
            "always describe the whole company")
st.dataframe(pd.DataFrame([{"Metric": k.label, "Key": k.key, "Unit": k.unit.name, "Definition": k.definition}
                           for k in kpis.KPIS]), hide_index=True, width="stretch")
st.subheader("What an investor may see")
st.markdown(f"Aggregates only: no names, emails or expert ids. A figure drawn from fewer than {MIN_EXPERTS} "
            f"experts is withheld, and so is a count between 1 and {MIN_EXPERTS - 1}. A percentile is shown only "
            f"where at least {MIN_EXPERTS} experts lie on each side of it; a retention row whose cohort has fewer "
            f"than {MIN_EXPERTS} experts is left out.")
