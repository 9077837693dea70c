"""How long each dashboard page takes in a real browser, and how much memory the
dashboard process holds while serving them.

    python bench/browser_pages.py --db data/bench/experts-2000000-logs-100000000.duckdb

Starts `streamlit run app.py` on a free loopback port over the given warehouse (demo
mode: a viewer on this machine is a founder) and prints, per page, the seconds from
navigation in Debian's headless Chromium until the script has finished and every chart
is drawn, three times:
- cold: the first view of each page right after the server starts, nothing cached (the
  first visitor's page also opens the snapshot and starts its pre-warm, which competes
  for the cores);
- pre-warmed: the first view of each page in a new browser session once the server has
  logged that the snapshot is pre-warmed (what people see after a load swapped in while
  the server runs: the server notices it within seconds and pre-warms it);
- again: the same pages once more, each loaded from its address (a full page load);
- clicked: the same pages reached by clicking their sidebar links in one tab, as people
  move between pages (no page load, the session stays);
- investor: the aggregate pages opened from a share link made before the server started
  (its investor view is pre-warmed with the founder's), each loaded from its address.
Then the server's peak resident memory (VmHWM), and for scale the floor: a Streamlit page
that only shows a title, opened in a new tab the same way.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from expertnet.access.roles import INVESTOR, OPS  # noqa: E402  (needs the path above)
from expertnet.ui.pages import pages_for  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# address: title of every page ops see (the page registry), and the addresses an investor may open
PAGES = {p.url_path: p.title for p in pages_for(OPS) if not p.hidden}   # as the sidebar lists them
INVESTOR_PAGES = [p.url_path for p in pages_for(INVESTOR)]
# The app has finished its run when Streamlit marks the script as not running and no
# element is still a placeholder; a chart is drawn when vega-embed has made its canvas.
READY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return state && state !== 'running' && state !== 'initial'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
CHARTS_DRAWN = "() => [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('canvas, svg'))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, script: str = "serve.py") -> subprocess.Popen:
    """`streamlit run serve.py` (or another script) on 127.0.0.1:port; returns once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not start within 60 s: " + process.stdout.read().decode()[-2000:])


def collect_output(process: subprocess.Popen) -> list[str]:
    """The server's output lines, gathered as they come (so its pipe never fills)."""
    lines: list[str] = []

    def read():
        for line in iter(process.stdout.readline, b""):
            lines.append(line.decode(errors="replace"))
    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for_line(lines: list[str], text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not log {text!r} within {timeout_s:.0f} s")


def open_page(page, url: str) -> float:
    """Navigate, wait until the run has finished and every chart is drawn; seconds taken."""
    started = time.monotonic()
    page.goto(url)
    page.wait_for_function(READY, timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    return time.monotonic() - started


def click_page(page, title: str) -> float:
    """Click a page's sidebar link; seconds until its title shows, its run has finished and
    every chart is drawn."""
    started = time.monotonic()
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.locator("h1", has_text=title).first.wait_for(timeout=120_000)
    page.wait_for_function(READY, timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    return time.monotonic() - started


def share_token(env: dict, to_name: str, **locks) -> str:
    """The token of a new share link in the app state of a server run with `env`."""
    code = ("from expertnet.access import share_links; "
            f"print(share_links.create_link({to_name!r}, 7, 'founder@example.com', **{locks!r})[1])")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def floor_seconds(browser, env: dict, state: str, tabs: int = 5) -> tuple[float, float]:
    """What Streamlit itself costs here: median seconds for a one-title page opened in a new
    tab, and loaded from its address again in that tab."""
    script = Path(state) / "title_only.py"
    script.write_text('import streamlit as st\nst.title("Title")\n')
    port = free_port()
    server = start_server(env, port, str(script))
    try:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        new_tab, same_tab = [], []
        for _ in range(tabs):
            page = context.new_page()
            new_tab.append(open_page(page, f"http://127.0.0.1:{port}/"))
            same_tab.append(open_page(page, f"http://127.0.0.1:{port}/"))
            page.close()
        context.close()
    finally:
        server.terminate()
        server.wait(10)
    return sorted(new_tab)[tabs // 2], sorted(same_tab)[tabs // 2]


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the warehouse to serve")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, EXPERTNET_DB=str(Path(args.db).resolve()),
                   EXPERTNET_APP_STATE=f"{state}/app.sqlite3", EXPERTNET_SHARE_KEY_FILE=f"{state}/share.key",
                   EXPERTNET_SECRETS=f"{state}/none.toml", EXPERTNET_DEMO="1")
        token = share_token(env, "Benchmark Investor")
        port = free_port()
        server = start_server(env, port)
        output = collect_output(server)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # One browser profile, a new tab each time: a returning user, whose browser
                # has Streamlit's own scripts cached.
                context = browser.new_context(viewport={"width": 1440, "height": 1000})

                def visit_all(paths=PAGES, query="") -> dict[str, float]:
                    page = context.new_page()
                    times = {PAGES[path]: open_page(page, f"http://127.0.0.1:{port}/{path}{query}") for path in paths}
                    page.close()
                    return times
                cold = visit_all()
                wait_for_line(output, "pre-warmed snapshot", 300)
                prewarmed = visit_all()
                again = visit_all()
                investor = visit_all(INVESTOR_PAGES, f"?share={token}")
                page = context.new_page()
                open_page(page, f"http://127.0.0.1:{port}/definitions")
                clicked = {title: click_page(page, title) for title in PAGES.values()}
                memory = peak_memory_mb(server.pid)
                server.terminate()
                floor_new_tab, floor_same_tab = floor_seconds(browser, env, state)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"warehouse: {args.db}")
    print("".join(line for line in output if "pre-warmed snapshot" in line).strip())
    print(f"{'page':<20}{'cold (s)':>10}{'pre-warmed (s)':>16}{'again (s)':>11}{'clicked (s)':>13}"
          f"{'investor (s)':>14}")
    for title in PAGES.values():
        shown = f"{investor[title]:>14.2f}" if title in investor else f"{'-':>14}"
        print(f"{title:<20}{cold[title]:>10.2f}{prewarmed[title]:>16.2f}{again[title]:>11.2f}"
              f"{clicked[title]:>13.2f}{shown}")
    print(f"dashboard process peak resident memory: {memory:,.0f} MB")
    print(f"floor, a one-title Streamlit page (median of 5): {floor_new_tab:.2f} s in a new tab, "
          f"{floor_same_tab:.2f} s loaded again in the same tab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
