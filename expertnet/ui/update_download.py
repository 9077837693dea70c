"""The monthly update's PDF as a download button: made when it is clicked (a PDF with its charts
takes a second or two), through reports/update.py with the audience's own role and filters."""

import streamlit as st

from expertnet.metrics.filters import month_label
from expertnet.ui import charts


def update_button(context, link_id: str | None, label: str, key: str) -> None:
    """A button for the update of the period's last month, for the founders or for a link."""
    from expertnet.reports import pdf, update
    snapshot, month = context.snapshot, context.last_month

    def made() -> bytes:
        return pdf.render(update.build(snapshot.con, month, update.audience_of(link_id)))

    slug = f"link-{link_id}" if link_id else "founders"
    st.download_button(label, charts.still_allowed(made), f"update-{slug}-{month_label(month)}.pdf",
                       "application/pdf", key=key, on_click="ignore", icon=":material/picture_as_pdf:")
