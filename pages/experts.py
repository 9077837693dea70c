"""Experts (ops): the experts who match the filters, with their work in the period."""

import math

import streamlit as st

from expertnet.metrics import breakdowns, units
from expertnet.ui import widgets
from expertnet.ui.context import current

context = current()
widgets.header(context, "Experts", "Expert-level rows for ops: who worked, how much, for what")

left, middle, right = st.columns([2, 1, 1])
sort_key = left.selectbox("Sort by", list(breakdowns.EXPERT_SORT_KEYS), key="sort",
                          format_func=breakdowns.EXPERT_SORT_KEYS.get, bind="query-params")
descending = middle.toggle("Largest first", value=True, key="desc")
active_only = right.toggle("Worked in the period only", value=True, key="active_only",
                           help="Off: every expert who matches the filters and had signed up by the period's end.")

first_page = context.call(breakdowns.experts_page, context.first_month, context.last_month, context.filters,
                          context.role, sort_key, descending, 1, 0, active_only)
matching = int(first_page["matching_experts"].iloc[0]) if len(first_page) else 0
if not matching:
    widgets.empty_state("No expert matches these filters in this period.")
else:
    pages = math.ceil(matching / breakdowns.EXPERTS_PAGE_SIZE)
    page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, step=1, key="page")
    rows = context.call(breakdowns.experts_page, context.first_month, context.last_month, context.filters,
                        context.role, sort_key, descending, breakdowns.EXPERTS_PAGE_SIZE, (int(page) - 1) * breakdowns.EXPERTS_PAGE_SIZE, active_only)
    st.caption(f"{matching:,} experts match; rows {(int(page) - 1) * breakdowns.EXPERTS_PAGE_SIZE + 1:,} to "
               f"{min(int(page) * breakdowns.EXPERTS_PAGE_SIZE, matching):,}.")
    st.dataframe(rows.drop(columns=["matching_experts"]), hide_index=True, width="stretch", column_config={
        "expert_id": "Expert", "full_name": "Name", "email": "Email", "domain": "Domain", "country": "Country",
        "signup_date": st.column_config.DateColumn("Signed up"),
        "hours": st.column_config.NumberColumn("Hours", format=units.HOURS.column_format),
        "expert_pay_usd": st.column_config.NumberColumn("Pay", format=units.USD.column_format),
        "bonuses_usd": st.column_config.NumberColumn("Bonuses", format=units.USD.column_format),
        "earnings_usd": st.column_config.NumberColumn("Earnings", format=units.USD.column_format),
        "effective_rate_usd": st.column_config.NumberColumn("Effective rate ($/h)", format=units.USD_PER_HOUR.column_format),
        "last_active_date_in_period": st.column_config.DateColumn("Last worked in period")})
    snapshot, args = context.snapshot, (context.first_month, context.last_month, context.filters, context.role,
                                        sort_key, descending, active_only)
    st.download_button(f"Download all {matching:,} rows (CSV)",
                       lambda: breakdowns.experts_csv(snapshot.con, *args),
                       context.file_name("experts", "csv"), "text/csv", key="experts-csv", on_click="ignore",
                       icon=":material/download:")
