"""The dashboard in a real browser: `streamlit run` on a free port, Debian's headless
Chromium driven by Playwright. What only a browser shows: charts drawn, deep links
applied, and what an investor's page source holds.

Screenshots of every page are saved to tests/artifacts/ for a person to look at.
"""

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.browser_pages import CHROMIUM as CHROMIUM_PATH
from bench.browser_pages import (CHROMIUM_ARGS, READY, collect_output, free_port, open_page, start_server,
                                 share_token, wait_for_line)
from conftest import ARTIFACTS_DIR, FIXTURE_EXPORT
from expertnet.access.roles import FOUNDER, INVESTOR
from expertnet.ingest.load import ingest
from expertnet.ui.pages import pages_for

CHROMIUM = Path(CHROMIUM_PATH)
PROJECT_DIR = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed (/usr/bin/chromium): "
                                       "`apt-get install chromium` to run the browser tests")]

FOUNDER_PAGES = {p.url_path: p.title for p in pages_for(FOUNDER)}     # address: sidebar title
INVESTOR_PAGES = [p.url_path for p in pages_for(INVESTOR)]


@pytest.fixture(scope="module")
def server(fixture_db, tmp_path_factory):
    """The real app on loopback, over the fixture warehouse, with its own app state."""
    state = tmp_path_factory.mktemp("browser-state")
    env = dict(os.environ, EXPERTNET_DB=str(fixture_db), EXPERTNET_APP_STATE=str(state / "app.sqlite3"),
               EXPERTNET_SHARE_KEY_FILE=str(state / "share.key"), EXPERTNET_SECRETS=str(state / "none.toml"), EXPERTNET_PREWARM="1",
               EXPERTNET_DEMO="1")
    port = free_port()
    process = start_server(env, port)
    url = f"http://127.0.0.1:{port}"
    yield {"url": url, "env": env}
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)


def _fixture_identifiers() -> set[str]:
    with (FIXTURE_EXPORT / "experts.csv").open() as f:
        rows = list(csv.DictReader(f))
    return {r[c] for r in rows for c in ("expert_id", "full_name", "email")}


def leaked_identifiers(html: str) -> list[str]:
    """Expert ids, names and emails that stand in the page as whole tokens. (A short id like
    E07 can occur inside a random element hash; only a standalone one identifies anybody.)"""
    return sorted(i for i in _fixture_identifiers()
                  if re.search(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])", html))


def test_every_page_renders_its_charts_without_an_exception(server, page):
    timings = {}
    for path, title in FOUNDER_PAGES.items():
        timings[title] = open_page(page, f"{server['url']}/{path}")
        assert page.locator("[data-testid='stException']").count() == 0, f"{title} raised"
        assert page.locator("h1").first.inner_text().strip() == title
        shot(page, f"founder-{path or 'overview'}")
    charts = {}
    for path in ("network_growth", "payouts", "revenue", "cohorts", "valuation"):
        open_page(page, f"{server['url']}/{path}")
        charts[path] = page.locator(".vega-embed canvas, .vega-embed svg").count()
    assert all(n >= 2 for n in charts.values()), charts
    print("\nseconds from navigation to a finished page:",
          ", ".join(f"{t}: {s:.2f}" for t, s in timings.items()))


def test_demo_mode_banner_on_every_page_for_a_local_viewer(server, page):
    for path in FOUNDER_PAGES:
        open_page(page, f"{server['url']}/{path}")
        assert "Demo mode" in page.locator("[data-testid='stAlert']").first.inner_text()


def test_a_deep_link_opens_with_its_filters_applied(server, page):
    open_page(page, f"{server['url']}/?domain=software&country=US&period=2025-01&period=2025-06")
    caption = page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    assert "2025-01 to 2025-06" in caption and "domain software" in caption and "country US" in caption
    sidebar = page.locator("[data-testid='stSidebar']")
    picked = [m.inner_text() for m in sidebar.locator("[data-testid='stMultiSelect']").all()]
    assert "software" in picked[0] and "US" in picked[1]        # the domain and country pickers
    cohort = sidebar.locator("[data-testid='stSelectbox'] input").evaluate_all(
        "inputs => inputs.map(i => [i.getAttribute('aria-label'), i.value])")
    assert dict(cohort) == {"Signup cohort": "All"}
    shot(page, "deep-link-software-US")
    # The same filters reach the next page through the URL.
    page.get_by_role("link", name="Revenue & clients").click()
    page.wait_for_function(READY, timeout=60_000)
    assert "domain software" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    assert "domain=software" in page.url


def _share_link(server, **locks) -> str:
    return share_token(server["env"], "Ada Investor", **locks)


def test_an_investor_sees_aggregates_and_no_expert_identity(server, page):
    token = _share_link(server)
    for path in INVESTOR_PAGES:
        open_page(page, f"{server['url']}/{path}?share={token}")
        assert page.locator("[data-testid='stException']").count() == 0
        leaked = leaked_identifiers(page.content())
        assert not leaked, f"{path or 'overview'} shows {leaked}"
        assert "Shared with Ada Investor" in page.locator("[data-testid='stAlert']").first.inner_text()
        shot(page, f"investor-{path or 'overview'}")
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Experts" not in nav and "Share" not in nav
    # The fixture has fewer than 11 experts: money figures are withheld.
    open_page(page, f"{server['url']}/?share={token}")
    assert "fewer than 11 experts" in page.content()
    # Expert rows cannot be reached by URL.
    open_page(page, f"{server['url']}/experts?share={token}")
    assert page.locator("h1").first.inner_text().strip() != "Experts"
    assert not leaked_identifiers(page.content())


def test_a_bad_link_shows_no_numbers(server, page):
    token = _share_link(server)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    open_page(page, f"{server['url']}/?share={tampered}")
    assert page.locator("h1").first.inner_text().strip() == "This link is not valid"
    assert page.locator("[data-testid='stMetric'], .vega-embed, [data-testid='stDataFrame']").count() == 0
    shot(page, "investor-invalid-link")


@pytest.fixture(scope="module")
def accounts_server(fixture_db, tmp_path_factory):
    """The real app with one local account (so no demo mode): signing in takes a password."""
    state = tmp_path_factory.mktemp("accounts-state")
    env = dict(os.environ, EXPERTNET_DB=str(fixture_db), EXPERTNET_APP_STATE=str(state / "app.sqlite3"),
               EXPERTNET_SHARE_KEY_FILE=str(state / "share.key"), EXPERTNET_SECRETS=str(state / "none.toml"))
    subprocess.run([sys.executable, "-m", "expertnet", "users", "add", "ops@example.com", "--role", "ops",
                    "--password-stdin"], input="correct horse battery\n", text=True, cwd=PROJECT_DIR, env=env,
                   check=True, capture_output=True)
    port = free_port()
    process = start_server(env, port)
    yield {"url": f"http://127.0.0.1:{port}", "env": env}
    process.terminate()
    process.wait(10)


def _sign_in_form(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    assert page.locator("h1").first.inner_text().strip() == "Sign in"
    assert page.locator("[data-testid='stMetric'], .vega-embed").count() == 0


def test_a_local_sign_in_survives_a_reload_and_signing_out_ends_it(accounts_server, page):
    _sign_in_form(page, accounts_server["url"])
    page.get_by_role("textbox", name="Email").fill("ops@example.com")
    page.get_by_role("textbox", name="Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(READY, timeout=60_000)
    page.get_by_text("That email and password do not match an account.").wait_for(timeout=30_000)

    page.get_by_role("textbox", name="Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
    assert "Signed in as ops@example.com (ops)" in page.locator("[data-testid='stSidebar']").inner_text()
    # the cookie is set by the server: HttpOnly (no script can read it) and SameSite=Strict
    cookie = _wait_for_cookie(page)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert page.evaluate("document.cookie.includes('expertnet_session')") is False

    page.reload()
    page.wait_for_function(READY, timeout=60_000)
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Experts" in nav and "Share" not in nav   # ops: expert rows, no link management

    page.get_by_role("button", name="Sign out").click()
    page.locator("h1", has_text="Sign in").wait_for(timeout=60_000)
    _sign_in_form(page, accounts_server["url"])             # and a reload does not bring the session back
    deadline = time.monotonic() + 30
    while _session_cookie(page) and time.monotonic() < deadline:   # the dead cookie is cleared too
        page.wait_for_timeout(200)
    assert _session_cookie(page) is None


def _session_cookie(page):
    return next((c for c in page.context.cookies() if c["name"] == "expertnet_session"), None)


def _wait_for_cookie(page):
    deadline = time.monotonic() + 30
    while _session_cookie(page) is None and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert _session_cookie(page) is not None, "the server never set the sign-in cookie"
    return _session_cookie(page)


def test_a_running_dashboard_prewarms_a_snapshot_swapped_in_under_it(fixture_db, tmp_path, page):
    """No page load needed: the server notices the new file and works out the default views."""
    db = tmp_path / "warehouse.duckdb"
    ingest(FIXTURE_EXPORT, db)
    env = dict(os.environ, EXPERTNET_DB=str(db), EXPERTNET_APP_STATE=str(tmp_path / "app.sqlite3"),
               EXPERTNET_SHARE_KEY_FILE=str(tmp_path / "share.key"), EXPERTNET_SECRETS=str(tmp_path / "none.toml"),
               EXPERTNET_PREWARM="1", EXPERTNET_DEMO="1")
    port = free_port()
    process = start_server(env, port)
    output = collect_output(process)
    try:
        open_page(page, f"http://127.0.0.1:{port}/")          # the first visitor opens the snapshot
        swapped = ingest(FIXTURE_EXPORT, db)                  # a new snapshot under the running server
        wait_for_line(output, f"pre-warmed snapshot {swapped.snapshot_id[:8]}", 60)
    finally:
        process.terminate()
        process.wait(10)


# ---------------------------------------------------------------- journeys that click

WIDTHS = {"phone": 390, "laptop": 1400, "wide": 1920}


def _click_sidebar(page, title: str) -> None:
    """Click a page's link in the sidebar as a person does (on a phone, open the sidebar first)."""
    opened = _open_sidebar(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    page.locator("h1", has_text=title).first.wait_for(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    phone = page.viewport_size["width"] < 700      # where the sidebar covers the page
    if (opened or phone) and page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false":
        page.locator("[data-testid='stSidebarCollapseButton'] button, [data-testid='stSidebarCollapseButton']").first.click()
        page.wait_for_timeout(600)


def _open_sidebar(page) -> bool:
    """On a phone the sidebar starts closed: open it with its button, as a person would."""
    if page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") != "true":
        return False
    page.locator("[data-testid='stExpandSidebarButton']").click()
    page.wait_for_timeout(600)    # the sidebar slides in
    return True


def _investor_banner(page) -> str:
    return page.locator("[data-testid='stAlert']").first.inner_text()


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_an_investor_clicks_through_every_page_reloads_goes_back_and_downloads(accounts_server, browser, width):
    """An investor (no account in this browser) opens a link and moves around by clicking."""
    url = accounts_server["url"]
    token = share_token(accounts_server["env"], "Ada Investor", locked_country="IN")
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, accept_downloads=True)
    page = context.new_page()
    open_page(page, f"{url}/?share={token}")
    assert "Shared with Ada Investor" in _investor_banner(page)
    shot(page, f"journey-investor-{width}-0-overview")
    titles = ["Network growth", "Payouts", "Revenue & clients", "Cohorts", "Valuation", "Definitions", "Overview"]
    for n, title in enumerate(titles, 1):
        _click_sidebar(page, title)
        assert page.locator("[data-testid='stException']").count() == 0, title
        assert "Shared with Ada Investor" in _investor_banner(page), title
        assert f"share={token}" in page.url, (title, page.url)
        assert "country IN" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Experts" not in nav and "Share" not in nav
        assert not leaked_identifiers(page.content()), title
        shot(page, f"journey-investor-{width}-{n}-{title.split()[0].lower()}")
    # the investor changes the period with the slider (keyboard on its first handle)
    _click_sidebar(page, "Payouts")
    main_caption = "[data-testid='stMain'] [data-testid='stCaptionContainer']"
    before = page.locator(main_caption).first.inner_text()
    _open_sidebar(page)
    page.locator("[data-testid='stSidebar'] [aria-label='Months — start']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([selector, before]) => document.querySelector(selector).innerText !== before",
                           arg=[main_caption, before], timeout=30_000)
    page.wait_for_function(READY, timeout=60_000)
    after = page.locator(main_caption).first.inner_text()
    assert "2024-08 to 2025-06" in after, after          # the default 2024-07 to 2025-06, a month on
    assert f"share={token}" in page.url and "period=2024-08" in page.url
    assert "Shared with Ada Investor" in _investor_banner(page)
    shot(page, f"journey-investor-{width}-period")
    # a reload, back and a copied address keep the investor's view
    _click_sidebar(page, "Payouts")
    page.reload()
    page.wait_for_function(READY, timeout=60_000)
    assert page.locator("h1").first.inner_text().strip() == "Payouts"
    assert "Shared with Ada Investor" in _investor_banner(page)
    page.go_back()
    page.wait_for_function(READY, timeout=60_000)
    assert "Shared with Ada Investor" in _investor_banner(page)
    copied = page.url
    other = context.browser.new_context(viewport={"width": WIDTHS[width], "height": 900}).new_page()
    open_page(other, copied)
    assert "Shared with Ada Investor" in _investor_banner(other)
    other.context.close()
    # a download holds the withheld words, never a blank, None or nan
    _click_sidebar(page, "Overview")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download the KPIs")).click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0].startswith("month,experts_total")
    cells = [cell for line in text.splitlines()[1:] for cell in line.split(",")]
    assert "fewer than 11 experts" in cells
    assert not {"", "nan", "NaN", "None", "<NA>"} & set(cells)
    # the founder revokes it while the tab is open: the next click stops
    share_links_env = dict(accounts_server["env"])
    subprocess.run([sys.executable, "-m", "expertnet", "share", "revoke", token_link_id(share_links_env, token)],
                   cwd=PROJECT_DIR, env=share_links_env, check=True, capture_output=True)
    _open_sidebar(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Cohorts", exact=True).click()
    page.locator("h1", has_text="This link is not valid").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stMetric'], .vega-embed").count() == 0
    shot(page, f"journey-investor-{width}-revoked")
    context.close()


def token_link_id(env: dict, token: str) -> str:
    code = ("import sys; from expertnet.access import share_links; "
            "print(share_links.resolve(sys.argv[1])[0].id)")
    return subprocess.run([sys.executable, "-c", code, token], cwd=PROJECT_DIR, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_a_founder_previews_a_link_and_goes_back(server, page):
    token = _share_link(server, locked_domain="software")
    open_page(page, f"{server['url']}/?share={token}")
    assert "Shared with Ada Investor" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert "You are previewing this link" in page.content()
    _click_sidebar(page, "Payouts")
    assert f"share={token}" in page.url
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Experts" not in nav and "Share" not in nav          # exactly the investor's view
    shot(page, "journey-founder-preview")
    page.get_by_role("button", name="Back to my own view").click()
    page.wait_for_function(READY, timeout=60_000)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Experts").wait_for(timeout=60_000)
    assert "share=" not in page.url
    assert "Shared with" not in page.content()
    _click_sidebar(page, "Share")                                # and stays the founder's
    shot(page, "journey-founder-back")


# ---------------------------------------------------------------- demo mode behind a forwarder

class _Relay:
    """A TCP forwarder on loopback, as a tunnel (ngrok) or a port forward on another address
    would be: connections reach the dashboard from 127.0.0.1, whatever the browser asked for."""

    def __init__(self, target_port: int):
        import socket
        import threading
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.target_port = target_port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.server.close()


def test_demo_mode_is_refused_through_a_forwarder_that_names_another_host(server, browser):
    """The browser behind a tunnel sends the tunnel's name as Host; the connection still comes
    from loopback. Demo mode must see the Host and refuse; the same relay addressed as
    127.0.0.1 is this machine and is served."""
    port = int(server["url"].rsplit(":", 1)[1])
    relay = _Relay(port)
    try:
        chromium = browser.browser_type.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + ["--host-resolver-rules=MAP tunnel.example 127.0.0.1"])
        page = chromium.new_page()
        page.goto(f"http://tunnel.example:{relay.port}/")
        page.wait_for_function(READY, timeout=60_000)
        page.locator("h1", has_text="Sign-in is not configured").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stMetric'], .vega-embed, [data-testid='stDataFrame']").count() == 0
        assert "Demo mode" not in page.content()
        shot(page, "demo-refused-through-a-tunnel")
        page.goto(f"http://127.0.0.1:{relay.port}/")
        page.wait_for_function(READY, timeout=60_000)
        page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
        assert "Demo mode" in page.locator("[data-testid='stAlert']").first.inner_text()
        chromium.close()
    finally:
        relay.close()
