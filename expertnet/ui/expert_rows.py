"""A table of experts (a search's results, a page of the Experts list, a queue) whose rows open
the expert's own page: a click selects the row, and the run that sees it switches page with the
expert's id added to this view's address (period and filters stay).

Going back (the browser's back button, or the sidebar) returns to the list as it was: Streamlit
keeps the expert page's address on a back navigation, so the list's own address (search, sort,
toggles, page, tab) is remembered when a row is opened and put back by app.py (`returning`)."""

import pandas as pd
import streamlit as st

EXPERT_PAGE = "pages/expert.py"
EXPERT_PARAM = "expert"
# the address keys every page shares (ui/context.py's filter bar); a page's own keys stay behind
SHARED_PARAMS = ("period", "domain", "country", "cohort")
_LIST_ADDRESS = "_list_address"     # (page file, its query parameters) of the list a row was opened from


def expert_address(expert_id: str) -> list[tuple[str, str]]:
    """The query parameters of an expert's page opened from this view."""
    shared = [(key, value) for key in SHARED_PARAMS for value in st.query_params.get_all(key)]
    return [*shared, (EXPERT_PARAM, str(expert_id))]


def returning(page_file: str) -> None:
    """Before a page other than the expert's runs: drop the expert's id from the address and, on
    the list a row was opened from, put that list's own address back."""
    if EXPERT_PARAM not in st.query_params or page_file == EXPERT_PAGE:
        return
    listed_on, params = st.session_state.get(_LIST_ADDRESS, (None, []))
    if page_file != listed_on:
        del st.query_params[EXPERT_PARAM]
        return
    restored: dict[str, list[str]] = {}
    for key, value in params:
        restored.setdefault(key, []).append(value)
    st.query_params.from_dict(restored)
    st.rerun()          # the list's widgets take their values from the address as a run starts


def table(rows: pd.DataFrame, key: str, column_config: dict, list_page: str,
          column_order: list[str] | None = None) -> None:
    """`rows` (with an expert_id column) as a grid on the page `list_page`; clicking a row opens
    that expert."""
    event = st.dataframe(rows, hide_index=True, width="stretch", column_config=column_config,
                         column_order=column_order, on_select="rerun", selection_mode="single-row", key=key)
    chosen = event.selection.rows if event is not None else []
    if chosen:
        st.session_state[_LIST_ADDRESS] = (list_page, [(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
        st.switch_page(EXPERT_PAGE, query_params=expert_address(rows["expert_id"].iloc[chosen[0]]))
