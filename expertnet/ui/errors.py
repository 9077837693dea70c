"""What a viewer sees when a page cannot be computed: a sentence and an error reference, never a
traceback. The traceback goes to the server's log under that reference, so whoever runs the
dashboard can find it."""

import logging
import secrets
from contextlib import contextmanager

import duckdb
import streamlit as st

from expertnet.access.app_state import AppStateError
from expertnet.errors import BadInput
from expertnet.access.share_links import ShareKeyError
from expertnet.warehouse import WarehouseMissing
from expertnet.ui.text import md

log = logging.getLogger("expertnet")
# Errors whose own words say what to fix (they name a setting or a file, never a secret):
# shown to founders and ops, who run the dashboard; never to investors or strangers.
SAYS_WHAT_TO_FIX = (AppStateError, ShareKeyError, WarehouseMissing, BadInput)


@contextmanager
def plainly(may_read_details) -> None:
    """Run a page; if it raises, log the traceback under a new reference and show one sentence.
    `may_read_details()` says whether the viewer runs the dashboard (founder or ops)."""
    try:
        yield
    except Exception as error:      # st.stop() and st.rerun() are BaseExceptions and pass through
        reference = secrets.token_hex(4)
        log.error("error %s while serving a page", reference, exc_info=True)
        if may_read_details() and isinstance(error, SAYS_WHAT_TO_FIX):
            detail = f" {md(str(error))}"
        elif may_read_details() and isinstance(error, duckdb.Error):
            detail = " The warehouse could not answer; it may be damaged: load the exports again."
        else:
            detail = ""
        st.error(f"This page could not be shown.{detail} Error reference: {reference}. "
                 "The rest of the dashboard keeps working.", icon=":material/error:")
