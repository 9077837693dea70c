"""Who is looking, decided before any data is read.

In order: a share link in the URL makes an investor (or a plain "not valid" page);
an OIDC provider in secrets signs people in with st.login, roles from an email
allowlist; local accounts sign in with a password; with neither, the founder view
is served only to a browser on this machine (demo mode). Anyone else sees no data.
"""

import ipaddress
import math

import streamlit as st

from .. import accounts, privacy, share_links
from .context import Viewer

SESSION_COOKIE = "expertnet_session"
_TOKEN_KEY = "_session_token"


def gate(title: str, render) -> None:
    """Show one page without data and end the run. It goes through st.navigation like
    every page, so Streamlit never falls back to serving the files in pages/ by URL."""
    st.navigation([st.Page(render, title=title, url_path="welcome")], position="hidden").run()
    st.stop()


def _stop_with(title: str, message: str) -> None:
    def render():
        st.title(title)
        st.info(message)
    gate(title, render)


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml at all: nothing is configured
        return {}


def is_loopback(address) -> bool:
    """Streamlit reports a viewer on 127.0.0.1 or ::1 as None (and uvicorn trusts
    forwarded headers only from loopback proxies), so None means this machine."""
    if address is None:
        return True
    if not isinstance(address, str):
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # A dual-stack server sees 127.0.0.1 as ::ffff:127.0.0.1, which Python 3.11 does not call loopback.
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


# ---------------------------------------------------------------- investors

def investor_from_link(token: str) -> Viewer:
    link, _reason = share_links.resolve(token)
    if link is None:
        # Say nothing about why: an expired link and a forged one look the same.
        _stop_with("This link is not valid", "Ask the person who shared it for a new link.")
    return Viewer(privacy.INVESTOR, link.to_name, link=link, locked=link.filters(),
                  show_client_names=link.show_client_names)


# ---------------------------------------------------------------- sign-in

def _role_from_allowlist(email: str, secrets: dict) -> str | None:
    roles = secrets.get("roles", {})
    email = email.strip().lower()
    for role, key in ((privacy.FOUNDER, "founders"), (privacy.OPS, "ops")):
        if email in {e.strip().lower() for e in roles.get(key, [])}:
            return role
    return None


def _oidc_viewer(secrets: dict) -> Viewer:
    if not st.user.is_logged_in:
        def sign_in():
            st.title("Sign in")
            st.write("This dashboard holds expert and client data. Sign in with your company account.")
            st.button("Sign in", on_click=st.login, type="primary", key="oidc-login")
        gate("Sign in", sign_in)
    email = str(st.user.get("email") or "")
    role = _role_from_allowlist(email, secrets)
    if role is None:
        def no_access():
            st.title("No access")
            st.info(f"{email or 'This account'} is not on the dashboard's list of founders or ops. "
                    "Ask a founder to add you.")
            st.button("Sign out", on_click=st.logout, key="oidc-logout-denied")
        gate("No access", no_access)
    with st.sidebar:
        st.caption(f"Signed in as {email} ({role})")
        st.button("Sign out", on_click=st.logout, key="oidc-logout")
    return Viewer(role, email)


def _write_cookie(token: str, max_age_seconds: int) -> None:
    # The cookie is what makes a sign-in survive a reload: Streamlit reads it back
    # through st.context.cookies on the next connection. The token is random and
    # opaque; SameSite=Strict keeps it off cross-site requests.
    st.html(f"<script>document.cookie = '{SESSION_COOKIE}={token}; path=/; max-age={max_age_seconds}; "
            f"SameSite=Strict';</script>", unsafe_allow_javascript=True)


def _sync_cookie(token: str | None) -> None:
    """Make the browser's cookie hold `token` (None: hold nothing). Written on every run
    until a connection arrives carrying it, not once before st.rerun(): a rerun can
    replace the script element before the browser has run it, and the sign-in would
    then not survive a reload."""
    if token is None:
        _write_cookie("", 0)    # the cookie may have been written after this connection began
    elif st.context.cookies.get(SESSION_COOKIE) != token:
        _write_cookie(token, accounts.SESSION_HOURS * 3600)


def _password_form() -> None:
    st.title("Sign in")
    with st.form("sign-in"):
        email = st.text_input("Email", key="signin-email", max_chars=254)
        password = st.text_input("Password", type="password", key="signin-password", max_chars=1024)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        wait = accounts.sign_in_wait(email)
        if wait:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            st.error(f"Too many wrong passwords for this email. Try again in {minutes} minute"
                     f"{'s' if minutes > 1 else ''}.")
            return
        if accounts.verify(email, password):
            token = accounts.create_session(email)
            st.session_state[_TOKEN_KEY] = token
            st.rerun()
        st.error("That email and password do not match an account.")


def _local_viewer() -> Viewer:
    token = st.session_state.get(_TOKEN_KEY) or st.context.cookies.get(SESSION_COOKIE)
    user = accounts.session_user(token) if token else None
    if user is None:
        st.session_state.pop(_TOKEN_KEY, None)
        _sync_cookie(None)      # an ended or expired session's cookie is cleared
        gate("Sign in", _password_form)
    email, role = user
    with st.sidebar:
        _sync_cookie(token)
        st.caption(f"Signed in as {email} ({role})")
        if st.button("Sign out", key="local-logout"):
            accounts.end_session(token)
            st.session_state.pop(_TOKEN_KEY, None)
            st.rerun()
    return Viewer(role, email)


def resolve_viewer() -> Viewer:
    """The viewer of this run, or a page without data and st.stop()."""
    secrets = _secrets()
    token = st.query_params.get("share")
    if token is not None:
        return investor_from_link(token)
    if "auth" in secrets:
        return _oidc_viewer(secrets)
    if accounts.has_accounts():
        return _local_viewer()
    if is_loopback(st.context.ip_address):
        return Viewer(privacy.FOUNDER, "local demo", demo_mode=True)
    _stop_with("Sign-in is not configured",
               "This dashboard is in demo mode, which only serves a browser on the machine it runs on. "
               "To open it from elsewhere, add an account with `python -m expertnet users add EMAIL --role "
               "founder`, or configure an identity provider in .streamlit/secrets.toml "
               "(see secrets.toml.example).")
