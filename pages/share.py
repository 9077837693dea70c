"""Share (founders): make read-only investor links, copy them again, see who opened what, revoke,
and audit what a link shows before sending it."""

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from expertnet.metrics import breakdowns
from expertnet.access import share_links
from expertnet.metrics.filters import month_label
from expertnet.errors import BadInput
from expertnet.ui import widgets
from expertnet.ui.context import ALL, current, month_options
from expertnet.ui.prewarm import prewarm_link_in_background
from expertnet.ui.text import md
from expertnet.ui.update_download import update_button

context = current()
widgets.header(context, "Share", "Read-only links for investors: aggregates only, they expire, you can revoke them")


def _address_in_use() -> str | None:
    """scheme://host:port of the address this browser opened the dashboard at."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


base = _address_in_use()


def _with_period(url: str) -> str:
    """The link opens on the period this view shows (the investor can change it)."""
    return url + "".join(f"&period={month_label(m)}" for m in (context.first_month, context.last_month))
options = context.call(breakdowns.filter_options)
cohorts = month_options(options["first_month"], options["last_month"]) if options["first_month"] else []


def _choice(label: str, values: list[str], current_value, key: str):
    """A locked filter, picked from the values the warehouse holds; it starts at this view's."""
    choices = [ALL] + values
    start = choices.index(current_value) if current_value in choices else 0
    picked = st.selectbox(label, choices, index=start, key=key)
    return None if picked == ALL else picked


def _only(values: tuple[str, ...] | None) -> str | None:
    """A sidebar filter's value where it holds exactly one (a link locks one)."""
    return values[0] if values and len(values) == 1 else None


with st.form("new-link", clear_on_submit=False):
    st.subheader("Share this view")
    left, right = st.columns(2)
    to_name = left.text_input("Shared with", placeholder="Jane Doe, Acme Ventures", max_chars=120, key="share-to")
    days = right.number_input("Valid for (days)", min_value=1, max_value=share_links.MAX_DAYS, value=14, key="share-days")
    st.caption("Lock the link to part of the network (the investor cannot change it): one domain, one country, "
               "one signup cohort. It starts from the sidebar's filters where each holds one value, and the "
               "link opens on the period you are looking at.")
    a, b, c = st.columns(3)
    with a:
        domain = _choice("Domain", options["domains"], _only(context.filters.domain), "share-domain")
    with b:
        country = _choice("Country", options["countries"], _only(context.filters.country), "share-country")
    with c:
        cohort = _choice("Signup cohort", cohorts, month_label(context.filters.cohort) if context.filters.cohort
                         else None, "share-cohort")
    names = st.checkbox("Show client names (otherwise a client is named by its segment)", key="share-names")
    created = st.form_submit_button("Create link", type="primary")
if created:
    try:
        link, _token, url = share_links.create_link(to_name, int(days), context.viewer.name, domain, country,
                                                    cohort, names, base=base)
    except (BadInput, ValueError) as error:
        st.error(f"The link was not created: {md(str(error))}")
    else:
        st.success(f"Link for {md(link.to_name)}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC. Copy it "
                   "with the button at the right of the box:")
        st.code(_with_period(url), language=None)
        prewarm_link_in_background(context.snapshot, link)

links = share_links.list_links()
summary = share_links.view_summary()
st.subheader("Links")
if not links:
    st.info("No links yet.")
else:
    st.dataframe(pd.DataFrame([{
        "Id": l.id, "Shared with": l.to_name, "Created by": l.created_by, "Created (UTC)": l.created_at,
        "Expires (UTC)": l.expires_at, "State": l.state(), "Locked to": l.filters().describe(),
        "Client names": "shown" if l.show_client_names else "hidden",
        "Pages viewed": summary.get(l.id, (0, None))[0], "Last viewed (UTC)": summary.get(l.id, (0, None))[1]}
        for l in links]), hide_index=True, width="stretch")
    live = [l for l in links if l.state() == "valid"]
    if live:
        chosen = st.selectbox("A live link", live, key="link-choice",
                              format_func=lambda l: f"{l.to_name} · {l.filters().describe()} · {l.id}")
        # Keyed and tracked: the tab stays chosen when the page above it changes (the "link made" note
        # goes away on the next run), so ticking "Yes, stop the link" does not hide the Revoke button
        copy, monthly, audit_it, revoke = st.tabs(["Copy it again", "Monthly update", "Audit it", "Revoke it"],
                                                  key="link-action", on_change="rerun")
        with copy:
            st.code(_with_period(share_links.url_for(chosen, base=base)), language=None)
        with monthly:
            st.caption(f"The update of {month_label(context.last_month)} (the period's last month) as this link's "
                       "investor may see it: headline figures with their changes, four charts and the data's "
                       "freshness, withheld as their pages withhold. From the command line, with a note: "
                       f"`python -m expertnet report --month {month_label(context.last_month)} --link {chosen.id} "
                       "--note note.md --pdf update.pdf`.")
            update_button(context, chosen.id, "Download the PDF", f"update-{chosen.id}")
        with audit_it:
            st.caption("Gathers every figure this link's investor can see, for every period they can pick, and "
                       "tries to work out each withheld figure from the shown ones (see Definitions).")
            if st.button("Run the disclosure audit", key="audit-link"):
                from expertnet.metrics.audit import audit_investor_view
                with st.spinner("Auditing every page and period of this link..."):
                    report = audit_investor_view(context.snapshot.con, chosen.filters(), chosen.show_client_names)
                checked = (f"Checked {report.figures:,} figures ({report.withheld:,} withheld) over "
                           f"{report.periods:,} periods, with {report.equations:,} identities between them.")
                if report.findings:
                    st.error(f"{checked} {len(report.findings):,} withheld figures can be worked out; do not send "
                             "this link. Run `python -m expertnet audit-investor-view --link "
                             f"{chosen.id}` for the list.")
                else:
                    st.success(f"{checked} Nothing withheld can be worked out from what is shown.")
        with revoke:
            sure = st.checkbox(f"Yes, stop the link for {md(chosen.to_name)} ({chosen.id})", key="revoke-sure")
            if st.button("Revoke", key="revoke", type="primary", disabled=not sure):
                share_links.revoke(chosen.id)
                st.toast(f"Revoked the link for {md(chosen.to_name)}; it stops working at its next page load.")
                st.rerun()

st.subheader("Who viewed what")
seen = share_links.views()
if not seen:
    st.info("No link has been opened yet.")
else:
    st.caption("One row per page opened, newest first.")
    st.dataframe(pd.DataFrame([{"When (UTC)": v.viewed_at, "Shared with": v.to_name, "Page": v.page,
                                "Browser and device": v.device or "unknown", "Link": v.link_id}
                               for v in seen[:500]]), hide_index=True, width="stretch")
