"""How long each dashboard page takes in a real browser, and how much memory the
dashboard process holds while serving them.

    python bench/browser_pages.py --db data/bench/experts-2000000-logs-100000000.duckdb

Starts `streamlit run app.py` on a free loopback port over the given warehouse (demo
mode: a viewer on this machine is a founder), opens every page in Debian's headless
Chromium twice, and prints, per page, the seconds from navigation until the script has
finished and every chart is drawn: the first view after the snapshot is opened (nothing
cached) and the view after (cached). Then the server's peak resident memory (VmHWM).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"": "Overview", "network_growth": "Network growth", "payouts": "Payouts",
         "revenue": "Revenue & clients", "cohorts": "Cohorts", "valuation": "Valuation",
         "experts": "Experts", "definitions": "Definitions"}
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


def start_server(env: dict, port: int) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port; returns once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
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


def open_page(page, url: str) -> float:
    """Navigate, wait until the run has finished and every chart is drawn; seconds taken."""
    started = time.monotonic()
    page.goto(url)
    page.wait_for_function(READY, timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    return time.monotonic() - started


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
                   EXPERTNET_SECRETS=f"{state}/none.toml")
        port = free_port()
        server = start_server(env, port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                cold = {title: open_page(page, f"http://127.0.0.1:{port}/{path}") for path, title in PAGES.items()}
                warm = {title: open_page(page, f"http://127.0.0.1:{port}/{path}") for path, title in PAGES.items()}
                browser.close()
            memory = peak_memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    print(f"warehouse: {args.db}")
    print(f"{'page':<20}{'first view (s)':>16}{'cached (s)':>12}")
    for title in PAGES.values():
        print(f"{title:<20}{cold[title]:>16.2f}{warm[title]:>12.2f}")
    print(f"dashboard process peak resident memory: {memory:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
