"""Share (founders): make read-only investor links, see who opened what, revoke."""

import pandas as pd
import streamlit as st

from expertnet import share_links
from expertnet.filters import BadInput
from expertnet.ui import widgets
from expertnet.ui.context import current
from expertnet.ui.prewarm import prewarm_link_in_background

context = current()
widgets.header(context, "Share", "Read-only links for investors: aggregates only, they expire, you can revoke them")

with st.form("new-link", clear_on_submit=True):
    st.subheader("New link")
    left, right = st.columns(2)
    to_name = left.text_input("Shared with", placeholder="Jane Doe, Acme Ventures", max_chars=120, key="share-to")
    days = right.number_input("Valid for (days)", min_value=1, max_value=share_links.MAX_DAYS, value=14, key="share-days")
    st.caption("Lock the link to part of the network (the investor cannot change it); leave a field empty for all.")
    a, b, c = st.columns(3)
    domain = a.text_input("Domain", placeholder="software", key="share-domain")
    country = b.text_input("Country", placeholder="US", key="share-country")
    cohort = c.text_input("Signup cohort", placeholder="YYYY-MM", key="share-cohort")
    names = st.checkbox("Show client names (otherwise a client is named by its segment)", key="share-names")
    created = st.form_submit_button("Create link", type="primary")
if created:
    try:
        link, _token, url = share_links.create_link(to_name, int(days), context.viewer.name, domain or None,
                                                    country or None, cohort or None, names)
    except (BadInput, ValueError) as error:
        st.error(f"The link was not created: {error}")
    else:
        st.success(f"Link for {link.to_name}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
        st.code(url, language=None)
        prewarm_link_in_background(context.snapshot, link)

links = share_links.list_links()
counts = share_links.view_counts()
st.subheader("Links")
if not links:
    st.info("No links yet.")
else:
    st.dataframe(pd.DataFrame([{
        "Id": l.id, "Shared with": l.to_name, "Created by": l.created_by, "Created": l.created_at,
        "Expires": l.expires_at, "State": l.state(), "Views": counts.get(l.id, 0),
        "Locked to": l.filters().describe(), "Client names": "shown" if l.show_client_names else "hidden"}
        for l in links]), hide_index=True, width="stretch")
    valid = [l for l in links if l.state() == "valid"]
    if valid:
        left, right = st.columns([3, 1])
        chosen = left.selectbox("Revoke a link", valid, format_func=lambda l: f"{l.id} — {l.to_name}",
                                key="revoke-choice")
        right.write("")
        if right.button("Revoke", key="revoke", type="secondary"):
            share_links.revoke(chosen.id)
            st.toast(f"Revoked the link for {chosen.to_name}; it stops working at its next page load.")
            st.rerun()

st.subheader("Who viewed what")
seen = share_links.views()
if not seen:
    st.info("No link has been opened yet.")
else:
    st.dataframe(pd.DataFrame([{"When (UTC)": v.viewed_at, "Shared with": v.to_name, "Page": v.page, "Link": v.link_id}
                               for v in seen]), hide_index=True, width="stretch")
