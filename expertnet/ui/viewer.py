"""Who is looking, decided before any data is read.

In order: a share link in the URL makes an investor (or a plain "not valid" page);
an OIDC provider in secrets signs people in with st.login, roles from an email
allowlist; local accounts sign in with a password; with neither, the founder view
is served only to a browser on this machine (demo mode). Anyone else sees no data.
"""

import ipaddress
import json
import math
from dataclasses import replace

import streamlit as st

from expertnet.access import roles
from expertnet.access import accounts, share_links
from expertnet import config

from expertnet.access.devices import describe_device
from expertnet.access.roles import Viewer
from expertnet.ui.session_routes import SESSION_COOKIE
from expertnet.ui.text import md

_TOKEN_KEY = "_session_token"
_GRANT_KEY = "_cookie_grant"
_SHARE_KEY = "_share_token"
_VIEWED_KEY = "_last_page_viewed"


def gate(title: str, render) -> None:
    """Show one page without data and end the run. It goes through st.navigation like
    every page, so Streamlit never falls back to serving the files in pages/ by URL."""
    st.navigation([st.Page(render, title=title, url_path="welcome")], position="hidden").run()
    st.stop()


def _brand() -> None:
    """Whose page this is, above a sign-in form (a bare form could be anyone's)."""
    st.markdown(f"#### :material/monitoring: {config.PRODUCT_NAME}")
    st.caption("Growth, supply, payouts, revenue and retention of the expert network, for its founders and ops.")


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


def _host_is_loopback(host: str) -> bool:
    """The Host header names this machine: localhost, 127.x or [::1], with or without a port."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":")[0]
    return host == "localhost" or is_loopback(host)


def demo_mode_allowed() -> bool:
    """Demo mode serves only when asked for, and only a browser on this machine that also
    addressed it as this machine: a forwarder or tunnel on another address connects from
    loopback, but the browser behind it sends that other address as its Host."""
    if not config.demo_mode_requested() or not is_loopback(st.context.ip_address):
        return False
    headers = st.context.headers
    if not headers:          # no connection at all (a test harness): nothing came from elsewhere
        return True
    return _host_is_loopback(headers.get("Host") or "")


# ---------------------------------------------------------------- investors

def investor_from_link(token: str) -> Viewer:
    link, _reason = share_links.resolve(token)
    if link is None:
        st.session_state.pop(_SHARE_KEY, None)   # a reload without the link returns to one's own view
        # Say nothing about why: an expired link and a forged one look the same.
        _stop_with("This link is not valid", "Ask the person who shared it for a new link.")
    return Viewer(roles.INVESTOR, link.to_name, link=link, locked=link.filters(),
                  show_client_names=link.show_client_names)


# ---------------------------------------------------------------- sign-in

def _role_from_allowlist(email: str, secrets: dict) -> str | None:
    allowlist = secrets.get("roles", {})
    email = email.strip().lower()
    for role, key in ((roles.FOUNDER, "founders"), (roles.OPS, "ops")):
        if email in {e.strip().lower() for e in allowlist.get(key, [])}:
            return role
    return None


AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _oidc_viewer(secrets: dict) -> Viewer:
    auth = secrets.get("auth")
    missing = [key for key in AUTH_KEYS if not (isinstance(auth, dict) and auth.get(key))]
    if missing:     # names of settings only, never their values
        _stop_with("Sign-in is not fully configured",
                   f"The [auth] section of the secrets file lacks {', '.join(missing)}. Fill it in as "
                   ".streamlit/secrets.toml.example shows, then reload this page.")
    if not st.user.is_logged_in:
        def sign_in():
            _brand()
            st.title("Sign in")
            st.write("This dashboard holds expert and client data. Sign in with your company account.")
            st.button("Sign in", on_click=st.login, type="primary", key="oidc-login")
        gate("Sign in", sign_in)
    email = str(st.user.get("email") or "")
    role = _role_from_allowlist(email, secrets)
    if role is None:
        def no_access():
            st.title("No access")
            st.info(f"{md(email) if email else 'This account'} is not on the dashboard's list of founders or ops. "
                    "Ask a founder to add you.")
            st.button("Sign out", on_click=st.logout, key="oidc-logout-denied")
        gate("No access", no_access)
    with st.sidebar:
        st.caption(f"Signed in as {md(email)} ({role})")
        st.button("Sign out", on_click=st.logout, key="oidc-logout")
    return Viewer(role, email)


def _post(path: str, body: str = "") -> None:
    """Have the browser POST `body` to one of this server's own routes (serve.py), the way the
    sign-in cookie is set and cleared by the server, HttpOnly, rather than by the page."""
    st.html(f"<script>fetch({json.dumps(path)}, {{method: 'POST', body: {json.dumps(body)}, "
            f"credentials: 'same-origin'}});</script>", unsafe_allow_javascript=True)


def _sync_cookie(token: str | None) -> None:
    """Make the browser's cookie hold `token` (None: hold nothing). The code that trades for the
    cookie is posted on every run until the server has traded it, not once before st.rerun():
    a rerun can replace the script element before the browser has run it."""
    if token is None:
        if st.context.cookies.get(SESSION_COOKIE):
            _post("/session/end")
        return
    grant = st.session_state.get(_GRANT_KEY)
    if grant and accounts.cookie_grant_pending(grant):
        _post("/session/start", grant)
    else:
        st.session_state.pop(_GRANT_KEY, None)


def _password_form() -> None:
    _brand()
    st.title("Sign in")
    with st.form("sign-in"):
        email = st.text_input("Email", key="signin-email", max_chars=254, autocomplete="username")
        password = st.text_input("Password", type="password", key="signin-password", max_chars=1024,
                                 autocomplete="current-password")
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
            st.session_state[_GRANT_KEY] = accounts.cookie_grant(token)
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
        st.caption(f"Signed in as {md(email)} ({role})")
        if st.button("Sign out", key="local-logout"):
            accounts.end_session(token)
            st.session_state.pop(_TOKEN_KEY, None)
            st.session_state.pop(_GRANT_KEY, None)
            st.rerun()
    return Viewer(role, email)


def _share_token() -> str | None:
    """The share link of this browser session. It is bound to the session when the link is
    first opened and put back into every page's address, so the sidebar's links, a reload,
    back and forward, and a copied address all stay in the investor's view."""
    token = st.query_params.get("share")
    if token is not None:
        st.session_state[_SHARE_KEY] = token
        return token
    token = st.session_state.get(_SHARE_KEY)
    if token is not None:
        st.query_params["share"] = token
    return token


def _own_role(secrets: dict) -> str | None:
    """The role this browser has on its own, without a share link (None: none), without
    showing a sign-in form: what decides whether a share link is a founder's preview."""
    if "auth" in secrets:
        return _role_from_allowlist(str(st.user.get("email") or ""), secrets) if st.user.is_logged_in else None
    if accounts.has_accounts():
        token = st.context.cookies.get(SESSION_COOKIE)
        user = accounts.session_user(token) if token else None
        return user[1] if user else None
    return roles.FOUNDER if demo_mode_allowed() else None


def leave_preview() -> None:
    st.session_state.pop(_SHARE_KEY, None)
    st.query_params.pop("share", None)


def resolve_viewer() -> Viewer:
    """The viewer of this run, or a page without data and st.stop()."""
    secrets = _secrets()
    token = _share_token()
    if token is not None:
        viewer = investor_from_link(token)
        if _own_role(secrets) is not None:
            viewer = replace(viewer, previewing=True)
        return viewer
    if "auth" in secrets:
        return _oidc_viewer(secrets)
    if accounts.has_accounts():
        return _local_viewer()
    if demo_mode_allowed():
        return Viewer(roles.FOUNDER, "local demo", demo_mode=True)
    _stop_with("Sign-in is not configured",
               "No account or identity provider is set up, so this dashboard shows no data. Add an account "
               "with `python -m expertnet users add EMAIL --role founder`, or configure an identity provider "
               "in .streamlit/secrets.toml (see secrets.toml.example). To try it on this machine alone, "
               f"start it in demo mode with `make run` (EXPERTNET_DEMO=1) and open {config.DEFAULT_BASE_URL}.")


def record_page_view(link_id: str, page: str) -> None:
    """One view per page opened through a link, not per rerun (a filter change or a click inside
    the page reruns it), with the browser and device in plain words."""
    opened = (link_id, page)
    if st.session_state.get(_VIEWED_KEY) == opened:
        return
    st.session_state[_VIEWED_KEY] = opened
    share_links.record_view(link_id, page, describe_device(st.context.headers.get("User-Agent")))
