"""The dashboard's server: Streamlit's pages (app.py) plus the routes that set and clear the
sign-in cookie, which only an HTTP response can make HttpOnly. Start it with
`streamlit run serve.py` (what `make run` does)."""

import streamlit as st
from starlette.routing import Route

from expertnet.ui.session_routes import end_session, start_session

app = st.App("app.py", routes=[Route("/session/start", start_session, methods=["POST"]),
                               Route("/session/end", end_session, methods=["POST"])])
