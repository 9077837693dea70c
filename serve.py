"""The dashboard's server: Streamlit's pages (app.py) plus the routes that set and clear the
sign-in cookie, which only an HTTP response can make HttpOnly. Start it with
`streamlit run serve.py` (what `make run` does). On exit it closes the warehouse's
connections and leaves quietly, so Ctrl-C prints one line."""

import atexit
import os
import sys

import streamlit as st
from starlette.routing import Route

from expertnet.ui.session import close_all
from expertnet.ui.session_routes import end_session, start_session


def _quiet_exit() -> None:
    """Leave without tearing the interpreter down: DuckDB's bindings report every object still
    alive at teardown (cached results, sessions' snapshots) as dozens of "leaked" lines, which
    look like a crash. The connections are closed first; nothing else is left to write."""
    close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


atexit.register(_quiet_exit)   # registered first, so it runs after every other exit handler


app = st.App("app.py",
             routes=[Route("/session/start", start_session, methods=["POST"]),
                     Route("/session/end", end_session, methods=["POST"])])
