"""Experts (founders and ops): find an expert by id, email or name, or list those who match the
filters with their work in the period; a row opens the expert. The whole view (search, sort,
toggles, page) is in the address, so a copied link opens the same list."""

import math

import streamlit as st

from expertnet.errors import BadInput
from expertnet.metrics import breakdowns, experts, units
from expertnet.ui import widgets
from expertnet.ui.context import current
from expertnet.ui.expert_rows import table
from expertnet.ui.text import md

COLUMNS = {
    "expert_id": st.column_config.TextColumn("Expert", width="small"),
    "full_name": st.column_config.TextColumn("Name", width="medium"),
    "email": st.column_config.TextColumn("Email", width="medium"),
    "domain": st.column_config.TextColumn("Domain", width="small"),
    "country": st.column_config.TextColumn("Country", width="small"),
    "signup_date": st.column_config.DateColumn("Signed up"),
    "approved_date": st.column_config.DateColumn("Approved"),
    "last_work_date": st.column_config.DateColumn("Last worked"),
    "hours": st.column_config.NumberColumn("Hours", format=units.HOURS.column_format, width="small"),
    "expert_pay_usd": st.column_config.NumberColumn("Pay", format=units.USD.column_format),
    "bonuses_usd": st.column_config.NumberColumn("Bonuses", format=units.USD.column_format),
    "earnings_usd": st.column_config.NumberColumn("Earnings", format=units.USD.column_format, width="small"),
    "effective_rate_usd": st.column_config.NumberColumn("$/hour", format=units.USD_PER_HOUR.column_format,
                                                        width="small", help="Effective rate: earnings / hours"),
    "last_active_date_in_period": st.column_config.DateColumn("Last worked", width="small"),
}
# what fits a 1,400 px screen; the CSV holds every column
PAGE = "pages/experts.py"
LIST_ORDER = ["expert_id", "full_name", "email", "domain", "country", "hours", "earnings_usd", "effective_rate_usd",
              "last_active_date_in_period"]

context = current()
widgets.header(context, "Experts", "Find an expert, or list those who match the filters; click a row to open one")

text = st.text_input("Find an expert", key="q", bind="query-params", placeholder="Expert id, email or part of a name",
                     help="Searches the whole network (within the sidebar's filters) by expert id, email, or any "
                          "part of a name or an email.")
if text.strip():
    try:
        found = context.call(experts.search, text, context.filters, context.role)
    except BadInput as refused:
        st.warning(str(refused), icon=":material/search_off:")
    else:
        if found.empty:
            st.info(f"No expert matches “{md(text.strip()[:80])}”"
                    + ("" if context.filters.is_empty() else " among the experts the sidebar's filters keep") + ".",
                    icon=":material/search_off:")
        else:
            matches = int(found["matches"].iloc[0])
            shown = (f"{matches:,} {'matches' if matches > 1 else 'match'}" if matches == len(found)
                     else f"the first {len(found)} of {matches:,} matches (type more to narrow them)")
            st.caption(f"{shown}; click a row to open the expert. Last worked: over all time.")
            table(found.drop(columns=["matches"]), "found", COLUMNS, PAGE)
    st.stop()

left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
sort_key = left.selectbox("Sort by", list(breakdowns.EXPERT_SORT_KEYS), key="sort",
                          format_func=breakdowns.EXPERT_SORT_KEYS.get, bind="query-params")
descending = middle.toggle("Largest first", value=True, key="desc", bind="query-params")
active_only = right.toggle("Worked in the period only", value=True, key="active_only", bind="query-params",
                           help="Off: every expert who matches the filters and had signed up by the period's end.")

first_page = context.call(breakdowns.experts_page, context.first_month, context.last_month, context.filters,
                          context.role, sort_key, descending, 1, 0, active_only)
matching = int(first_page["matching_experts"].iloc[0]) if len(first_page) else 0
if not matching:
    widgets.empty_state("No expert matches these filters in this period.")
    st.stop()

size = breakdowns.EXPERTS_PAGE_SIZE
pages = math.ceil(matching / size)
if not 1 <= st.session_state.get("page", 1) <= pages:     # a copied address from a longer list
    st.session_state["page"] = 1
page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, step=1, key="page",
                       bind="query-params")
rows = context.call(breakdowns.experts_page, context.first_month, context.last_month, context.filters,
                    context.role, sort_key, descending, size, (int(page) - 1) * size, active_only)
st.caption(f"{matching:,} experts match; rows {(int(page) - 1) * size + 1:,} to {min(int(page) * size, matching):,}. "
           "Click a row to open the expert; the download holds every column.")
table(rows.drop(columns=["matching_experts"]), "list", COLUMNS, PAGE, LIST_ORDER)
snapshot, args = context.snapshot, (context.first_month, context.last_month, context.filters, context.role,
                                    sort_key, descending, active_only)
st.download_button(f"Download all {matching:,} rows (CSV)", lambda: breakdowns.experts_csv(snapshot.con, *args),
                   context.file_name("experts", "csv"), "text/csv", key="experts-csv", on_click="ignore",
                   icon=":material/download:")
