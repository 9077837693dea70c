"""Several dashboard processes behind nginx, sharing one app state in PostgreSQL (docs/deploy.md).

Two `streamlit run serve.py` processes over the fixture warehouse, each with the same app state
(a schema on the test PostgreSQL server) and share-link key, behind nginx running the repository's
own deploy/nginx-expertnet.conf. A founder works through the proxy in a real browser; what they do
must hold on each process reached directly, and through the proxy."""

import asyncio
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.browser_pages import CHROMIUM as CHROMIUM_PATH
from bench.browser_pages import READY, free_port, open_page, start_server
from bench.load import open_once
from bench.proxy import Proxy
from conftest import ARTIFACTS_DIR

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM_PATH).exists(),
                                reason="Debian's chromium is not installed (/usr/bin/chromium): "
                                       "`apt-get install chromium` to run the browser tests")]


@pytest.fixture(scope="module")
def deployment(fixture_db, postgres, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deploy")
    env = dict(os.environ, EXPERTNET_DB=str(fixture_db), EXPERTNET_APP_STATE=postgres.url_in_schema("deploy"),
               EXPERTNET_SHARE_KEY_FILE=str(folder / "share.key"), EXPERTNET_SECRETS=str(folder / "none.toml"),
               EXPERTNET_PREWARM="0")
    env.pop("EXPERTNET_DEMO", None)
    subprocess.run([sys.executable, "-m", "expertnet", "users", "add", "ann@example.com", "--role", "founder",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, cwd=PROJECT_DIR, env=env, check=True,
                   capture_output=True)
    ports = [free_port(), free_port()]
    processes = [start_server(env, port) for port in ports]
    proxy = None
    try:
        proxy = Proxy(free_port(), ports)
        yield {"direct": [f"http://127.0.0.1:{port}" for port in ports], "proxy": proxy.url, "env": env}
    finally:
        if proxy:
            proxy.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _opened_by_link(base_url: str, token: str) -> str:
    """What the link's address shows at `base_url`, read over Streamlit's own websocket protocol."""
    with ThreadPoolExecutor(1) as thread:     # Playwright's sync API holds this thread's event loop
        run = thread.submit(asyncio.run, open_once(base_url, "", {"share": token})).result()
    assert run.error is None, run.error
    return "\n".join(run.texts)


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    page.get_by_role("textbox", name="Email").fill("ann@example.com")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)


def _session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "expertnet_session"), None)


def test_a_link_made_through_the_proxy_opens_on_both_processes_and_a_revocation_ends_it_on_both(deployment, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _sign_in(page, deployment["proxy"])
    assert any(c["name"] == "expertnet_route" for c in context.cookies())     # the proxy keeps this browser on one process
    page.goto(f"{deployment['proxy']}/share")
    page.locator("h1", has_text="Share").wait_for(timeout=60_000)
    page.get_by_role("textbox", name="Shared with").fill("Ada Ventures")
    page.get_by_role("button", name="Create link").click()
    page.get_by_text("Link for Ada Ventures, valid until").wait_for(timeout=60_000)
    url = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    token = url.split("share=")[1].split("&")[0]
    page.screenshot(path=str(ARTIFACTS_DIR / "deploy-link-made-through-proxy.png"), full_page=True)

    for base in deployment["direct"] + [deployment["proxy"]]:
        shown = _opened_by_link(base, token)
        assert "Shared with Ada Ventures" in shown and "This link is not valid" not in shown, base

    # revoked through the proxy (whichever process this browser is kept on) ...
    page.wait_for_function(READY, timeout=60_000)
    page.get_by_role("tab", name="Revoke it").click()
    sure = page.locator("[data-testid='stCheckbox']", has_text="Yes, stop the link for Ada Ventures")
    sure.wait_for(state="visible", timeout=30_000)
    sure.locator("label").click()
    page.wait_for_function(READY, timeout=60_000)
    page.screenshot(path=str(ARTIFACTS_DIR / "deploy-revoke-ticked.png"), full_page=True)
    revoke = page.get_by_role("button", name="Revoke", exact=True)
    expect(revoke).to_be_enabled(timeout=60_000)      # once the tick's rerun has drawn it
    revoke.click()
    page.get_by_text("Revoked the link for Ada Ventures").wait_for(timeout=60_000)
    # ... it is dead on every process at the next page load
    for base in deployment["direct"] + [deployment["proxy"]]:
        shown = _opened_by_link(base, token)
        assert "This link is not valid" in shown and "Ada Ventures" not in shown, base
    context.close()


def test_a_sign_in_through_the_proxy_holds_on_both_processes_and_a_sign_out_ends_it_on_both(deployment, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _sign_in(page, deployment["proxy"])
    cookie = None
    for _ in range(150):                          # the cookie is set by the page's POST to /session/start
        cookie = _session_cookie(context)
        if cookie:
            break
        page.wait_for_timeout(200)
    assert cookie is not None
    # A cookie of 127.0.0.1 goes to every port: each process finds the session in the shared app state
    for base in deployment["direct"]:
        other = context.new_page()
        open_page(other, base)
        assert "Signed in as ann@example.com (founder)" in other.locator("[data-testid='stSidebar']").inner_text(), base
        other.close()

    page.get_by_role("button", name="Sign out").click()
    page.locator("h1", has_text="Sign in").wait_for(timeout=60_000)
    # the session is ended in the app state, not only forgotten by this browser: its old cookie opens nothing
    context.add_cookies([cookie])
    for base in deployment["direct"] + [deployment["proxy"]]:
        other = context.new_page()
        other.goto(base)
        other.wait_for_function(READY, timeout=60_000)
        assert other.locator("h1").first.inner_text().strip() == "Sign in", base
        other.close()
    context.close()


def test_the_load_benchmark_runs_through_the_proxy_for_a_few_seconds(fixture_db, postgres):
    """bench/load.py at N = 5 against two processes behind nginx, so it cannot rot; it checks
    every run finished without an error (the timings are not asserted)."""
    out = subprocess.run([sys.executable, "bench/load.py", "--db", str(fixture_db), "--processes", "2",
                          "--app-state", postgres.url_in_schema("load"), "--sessions", "5", "--seconds", "4",
                          "--json"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    import json
    report = json.loads(out.stdout)
    assert report["warm"]["errors"] == [] and report["warm"]["addresses"] > 20
    (result,) = report["results"]
    assert result["sessions"] == 5 and result["errors"] == 0 and result["page_runs"] > 0
    assert len(result["processes"]) == 2 and all(p["cpu_seconds"] > 0 for p in result["processes"])
    assert "behind nginx" in report["target"]
