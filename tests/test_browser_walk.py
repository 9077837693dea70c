"""A founder, an ops lead and an investor each click through every page they may open, at phone
(390 px), laptop (1400 px) and wide (1920 px) widths, over a demo network shaped like the
company (a 200k-expert draw: figures in the millions, a $500M valuation, a dozen domains): every
page draws its charts with no exception, and no tile's label or value is cut off (an element
whose text is wider than its box, or that ends in an ellipsis). Screenshots of every page go to
tests/artifacts/walk-*.png."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.browser_pages import (CHARTS_DRAWN, CHROMIUM, READY, free_port, open_page, share_token,
                                 start_server)
from conftest import ARTIFACTS_DIR, PROJECT_DIR
from expertnet.access.roles import FOUNDER, INVESTOR, OPS
from expertnet.config import PRODUCT_NAME
from expertnet.demo import generate
from expertnet.ui.pages import pages_for
from test_browser import _click_sidebar

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian's chromium is not installed: `apt-get install chromium`")]

WIDTHS = {"phone": 390, "laptop": 1400, "wide": 1920}
PASSWORD = "correct horse battery"
# Text that does not fit its box: wider than the element (scrollWidth) or cut with an ellipsis.
CUT_OFF = """() => [...document.querySelectorAll(
        '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricLabel"] p')]
    .filter(e => e.offsetParent !== null)
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.innerText.includes('\u2026'))
    .map(e => e.innerText)"""
# Text wider than the page itself (the page would scroll sideways on a phone).
WIDER_THAN_PAGE = "() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth > window.innerWidth + 1"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp("walk")
    db = folder / "warehouse.duckdb"
    generate(db, 200_000)
    env = {**os.environ, "EXPERTNET_DB": str(db), "EXPERTNET_APP_STATE": str(folder / "app.sqlite3"),
           "EXPERTNET_SHARE_KEY_FILE": str(folder / "share.key"), "EXPERTNET_SECRETS": str(folder / "none.toml"),
           "EXPERTNET_PREWARM": "1"}
    for email, role in (("founder@example.com", FOUNDER), ("ops@example.com", OPS)):
        subprocess.run([sys.executable, "-m", "expertnet", "users", "add", email, "--role", role, "--password-stdin"],
                       input=PASSWORD + "\n", text=True, cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    port = free_port()
    process = start_server(env, port)
    yield {"url": f"http://127.0.0.1:{port}", "env": env}
    process.terminate()
    process.wait(10)


def _sign_in(page, url: str, email: str) -> None:
    open_page(page, url)
    assert PRODUCT_NAME in page.locator("[data-testid='stMain']").inner_text()    # whose sign-in this is
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)


def _whole_page_shot(page, path: Path) -> None:
    """The page from top to bottom: Streamlit scrolls inside its main element, so the window is
    made as tall as the page for the picture."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("role", [FOUNDER, OPS, INVESTOR])
def test_every_page_at_every_width_is_drawn_whole(demo_server, browser, role, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 1000})
    page = context.new_page()
    if role == INVESTOR:
        token = share_token(demo_server["env"], "Ada Investor")
        open_page(page, f"{demo_server['url']}/?share={token}")
    else:
        _sign_in(page, demo_server["url"], f"{role}@example.com")
    problems = []
    for page_entry in [p for p in pages_for(role) if not p.hidden]:   # as the sidebar lists them
        if page_entry is not pages_for(role)[0]:
            _click_sidebar(page, page_entry.title)
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        page.wait_for_timeout(300)          # fonts and the tiles' layout settle
        name = page_entry.url_path or "overview"
        _whole_page_shot(page, ARTIFACTS_DIR / f"walk-{role}-{width}-{name}.png")
        if page.locator("[data-testid='stException']").count():
            problems.append(f"{name}: an exception")
        if page_entry.calls and page.locator("[data-testid='stMetric'], .vega-embed, [data-testid='stDataFrame']").count() == 0:
            problems.append(f"{name}: no figure at all")
        cut = page.evaluate(CUT_OFF)
        if cut:
            problems.append(f"{name}: cut off: {cut}")
        if page.evaluate(WIDER_THAN_PAGE):
            problems.append(f"{name}: wider than the screen")
    context.close()
    assert problems == []


# ---------------------------------------------------------------- an ops lead's morning

def _latest_worker(env: dict) -> tuple[str, str, str]:
    """(expert_id, full_name, email) of the expert who worked last, read as any export reader would."""
    import duckdb
    con = duckdb.connect(env["EXPERTNET_DB"], read_only=True)
    try:
        return con.execute("SELECT e.expert_id, e.full_name, e.email FROM experts e JOIN expert_facts f USING "
                           "(expert_id) ORDER BY f.last_work_date DESC NULLS LAST, e.expert_id LIMIT 1").fetchone()
    finally:
        con.close()


def _open_first_row(page, grid) -> None:
    """Click the first row's selection box, as a person does (the grid is drawn on a canvas)."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_ops_finds_an_email_opens_the_expert_goes_back_and_reopens_the_address(demo_server, browser, width):
    expert_id, name, email = _latest_worker(demo_server["env"])
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 1000})
    page = context.new_page()
    _sign_in(page, demo_server["url"], "ops@example.com")
    _click_sidebar(page, "Experts")
    # a period of its own, as a colleague's copied address sets it: it must follow the expert
    open_page(page, f"{demo_server['url']}/experts?period=2025-02&period=2025-12")
    search = page.get_by_role("textbox", name="Find an expert")
    search.fill(email.upper())                      # as pasted from a mail client, in capitals
    search.press("Enter")
    page.wait_for_function(f"() => location.search.includes('q=')", timeout=30_000)
    page.get_by_text("1 match;").wait_for(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    grid = page.locator("[data-testid='stDataFrame']").first
    _open_first_row(page, grid)                     # the second click: the expert's history
    page.locator("h1", has_text=name).wait_for(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)      # the heading comes first; the rest follows in the run
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    assert f"expert={expert_id}" in page.url and "period=2025-02" in page.url
    main = page.locator("[data-testid='stMain']").inner_text()
    assert email in main and "Month by month" in main and "Clients and contracts" in main
    assert "2025-02 to 2025-12" in main
    assert page.locator("[data-testid='stException']").count() == 0
    _whole_page_shot(page, ARTIFACTS_DIR / f"ops-{width}-expert.png")
    address = page.url

    page.go_back()                                  # the list as it was: the search still typed
    page.locator("h1", has_text="Experts").wait_for(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    page.wait_for_function("() => !location.search.includes('expert=')", timeout=30_000)
    assert page.get_by_role("textbox", name="Find an expert").input_value().lower() == email.lower()
    assert "period=2025-02" in page.url
    page.get_by_text("1 match;").wait_for(timeout=60_000)
    _whole_page_shot(page, ARTIFACTS_DIR / f"ops-{width}-back.png")

    tab = context.new_page()                        # the copied address, in a new tab
    open_page(tab, address)
    tab.locator("h1", has_text=name).wait_for(timeout=60_000)
    context.close()


def test_ops_opens_an_expert_from_a_queue(demo_server, browser):
    context = browser.new_context(viewport={"width": WIDTHS["laptop"], "height": 1000})
    page = context.new_page()
    _sign_in(page, demo_server["url"], "ops@example.com")
    _click_sidebar(page, "Queues")
    open_page(page, f"{demo_server['url']}/queues?queue=Stuck+in+vetting&domain=software")   # a copied address
    page.locator("h3", has_text="Stuck in vetting").wait_for(timeout=60_000)
    _whole_page_shot(page, ARTIFACTS_DIR / "ops-laptop-queues.png")
    _open_first_row(page, page.locator("[data-testid='stDataFrame']").first)
    page.wait_for_function("() => location.search.includes('expert=')", timeout=60_000)
    # the address changes first; the expert's name replaces the heading when the page has run
    page.wait_for_function("() => { const h = document.querySelector('h1');"
                           " return h && !['Queues', 'Expert'].includes(h.innerText.trim()); }", timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    heading = page.locator("h1").first.inner_text()
    assert heading not in ("Expert", "Queues") and "Month by month" in page.locator("[data-testid='stMain']").inner_text()
    page.go_back()
    page.locator("h1", has_text="Queues").wait_for(timeout=60_000)
    page.locator("h3", has_text="Stuck in vetting").wait_for(timeout=60_000)      # the same queue, as it was
    assert "domain=software" in page.url and "queue=Stuck+in+vetting" in page.url
    context.close()


def test_an_investor_link_to_an_experts_address_gets_the_plain_page(demo_server, browser):
    expert_id, name, email = _latest_worker(demo_server["env"])
    token = share_token(demo_server["env"], "Ada Investor")
    context = browser.new_context(viewport={"width": WIDTHS["laptop"], "height": 1000})
    page = context.new_page()
    for path in ("expert", "queues", "experts"):
        open_page(page, f"{demo_server['url']}/{path}?expert={expert_id}&share={token}")
        page.wait_for_timeout(500)
        html = page.content()
        assert page.locator("h1").first.inner_text() in ("Overview", "Page not found"), path
        assert expert_id not in html.replace(f"expert={expert_id}", "") and name not in html and email not in html
    context.close()
