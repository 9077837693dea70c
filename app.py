"""The dashboard's entry point: who is looking, the snapshot, the shared filters, the pages."""

import streamlit as st

from expertnet.config import PRODUCT_NAME
from expertnet.ui.context import FILTER_PARAMS, WANTED_PAGE, address, filter_bar
from expertnet.ui.errors import plainly
from expertnet.ui.expert_rows import returning
from expertnet.ui.text import md
from expertnet.ui.widgets import page_style
from expertnet.ui.pages import pages_for
from expertnet.ui.prewarm import on_new_snapshot
from expertnet.ui.session import pin_snapshot
from expertnet.ui.viewer import gate, leave_preview, record_page_view, resolve_viewer
from expertnet.warehouse import WarehouseMissing

st.set_page_config(page_title=PRODUCT_NAME, page_icon=":material/monitoring:", layout="wide")


def show_page(viewer, snapshot) -> None:
    """The banners, the filter bar and the page this viewer asked for."""
    page_style()
    if viewer.demo_mode:
        st.warning("Demo mode: no sign-in is configured, so this view is served only to this machine. "
                   "Add an account (`python -m expertnet users add`) before sharing the address.",
                   icon=":material/science:")
    if viewer.is_investor:
        expires = viewer.link.expires_at
        st.info(f"Shared with {md(viewer.name)} · read-only, aggregates only · link expires {expires:%Y-%m-%d %H:%M} UTC",
                icon=":material/lock:")
        if viewer.previewing:
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.caption("You are previewing this link: these pages are exactly what its investor sees.")
            if right.button("Back to my own view", key="leave-preview", icon=":material/arrow_back:"):
                leave_preview()
                st.rerun()

    filter_bar(snapshot, viewer)
    # An investor's navigation simply lacks the pages their role may not open, so no URL reaches them.
    pages = {p.file: st.Page(p.file, title=p.title, icon=p.icon, visibility="hidden" if p.hidden else "visible")
             for p in pages_for(viewer.role)}
    page = st.navigation(list(pages.values()))
    wanted = pages.get(st.session_state.pop(WANTED_PAGE, None))
    if wanted is not None and wanted is not page:   # the address a first run was opened at
        # the sidebar's keys stay by themselves (bound to its widgets, drawn above); the page's own go along
        st.switch_page(wanted, query_params=address(leaving_out=FILTER_PARAMS))
    if viewer.is_investor and not viewer.previewing:
        record_page_view(viewer.link.id, page.title)
    else:
        returning(next(file for file, entry in pages.items() if entry is page))
    page.run()


viewer = None


def runs_the_dashboard() -> bool:
    return viewer is not None and not viewer.is_investor


with plainly(runs_the_dashboard):
    viewer = resolve_viewer()
    try:
        snapshot = pin_snapshot(on_new_snapshot())
    except WarehouseMissing as missing:
        how_to_build = str(missing)
        gate("No warehouse yet", lambda: (st.title("No warehouse yet"), st.info(how_to_build)))
    show_page(viewer, snapshot)


