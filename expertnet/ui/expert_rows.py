"""A table of experts (a search's results, a page of the Experts list, a queue) whose rows open
the expert's own page: a click selects the row, and the run that sees it switches page with the
expert's id in the address (the period and filters stay: they are bound to the sidebar).

Going back (the browser's back button, or the sidebar) returns to the list as it was: Streamlit
keeps the expert page's address on a back navigation, so the list's own address (search, sort,
toggles, page, tab) is remembered when a row is opened and put back by app.py (`returning`)."""

import pandas as pd
import streamlit as st

from expertnet.ui.context import FILTER_PARAMS, address

EXPERT_PAGE = "pages/expert.py"
EXPERT_PARAM = "expert"
_LIST_ADDRESS = "_list_address"     # (page file, its query parameters) of the list a row was opened from


def returning(page_file: str) -> None:
    """Before a page other than the expert's runs: drop the expert's id from the address and, on
    the list a row was opened from, put that list's own address back."""
    if EXPERT_PARAM not in st.query_params or page_file == EXPERT_PAGE:
        return
    listed_on, params = st.session_state.get(_LIST_ADDRESS, (None, []))
    del st.query_params[EXPERT_PARAM]
    if page_file != listed_on:
        return
    # the sidebar's own keys are bound to its widgets, which this run has drawn already (and which
    # kept their values): only the list's keys are put back
    for key in dict.fromkeys(key for key, _ in params if key not in FILTER_PARAMS):
        st.query_params[key] = [value for k, value in params if k == key]
    st.rerun()          # the list's widgets take their values from the address as a run starts


def table(rows: pd.DataFrame, key: str, column_config: dict, list_page: str,
          column_order: list[str] | None = None) -> None:
    """`rows` (with an expert_id column) as a grid on the page `list_page`; clicking a row opens
    that expert."""
    event = st.dataframe(rows, hide_index=True, width="stretch", column_config=column_config,
                         column_order=column_order, on_select="rerun", selection_mode="single-row", key=key)
    chosen = event.selection.rows if event is not None else []
    if chosen:
        st.session_state[_LIST_ADDRESS] = (list_page, address())
        # the period and filters stay in the address by themselves (bound to the sidebar's widgets)
        st.switch_page(EXPERT_PAGE, query_params={EXPERT_PARAM: str(rows["expert_id"].iloc[chosen[0]])})
