"""Shared test fixtures: real DuckDB warehouses built by the real loader."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from expertnet.access import app_state
from expertnet.ingest.load import ingest
from streamlit.testing.v1 import app_test as app_test_module

TESTS_DIR = Path(__file__).parent
PROJECT_DIR = TESTS_DIR.parent
FIXTURE_EXPORT = TESTS_DIR / "fixture_export"
ARTIFACTS_DIR = TESTS_DIR / "artifacts"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: browser, concurrency, subprocess and whole-network tests; "
                                       "`make test-fast` leaves them out, `make test` runs everything")


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """The hand-checkable fixture export, loaded through `ingest` into a fresh warehouse."""
    db = tmp_path_factory.mktemp("fixture") / "warehouse.duckdb"
    ingest(FIXTURE_EXPORT, db)
    return db


@pytest.fixture(autouse=True)
def no_background_prewarm(monkeypatch):
    """In-process tests count what the pages compute themselves; a dashboard started as its
    own process (the browser tests) pre-warms as in production."""
    monkeypatch.setenv("EXPERTNET_PREWARM", "0")


@pytest.fixture(autouse=True)
def app_state_closed():
    """Each test's app-state connections are closed after it (the process keeps one per database)."""
    yield
    app_state.close_all()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this test run (pg_server.py), or a skip that says why not."""
    from pg_server import PostgresServer
    from bench.browser_pages import free_port
    try:
        server = PostgresServer(free_port()).start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"no PostgreSQL server could be started: {error}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright, for a test module's journeys."""
    from playwright.sync_api import sync_playwright
    from bench.browser_pages import CHROMIUM, CHROMIUM_ARGS
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """Point app state and the warehouse setting at this test's own folder."""
    monkeypatch.setenv("EXPERTNET_APP_STATE", str(tmp_path / "app_state.sqlite3"))
    monkeypatch.delenv("EXPERTNET_DB", raising=False)
    return tmp_path


@pytest.fixture
def clock(monkeypatch):
    """The access layer's clock, stopped; `clock.advance(...)` moves it on."""
    class Clock:
        now = app_state.utcnow()

        def advance(self, **delta):
            self.now = self.now + timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(app_state, "utcnow", lambda: c.now)
    return c


@pytest.fixture
def app_env(fixture_db, tmp_path, monkeypatch):
    """The fixture warehouse; app state, share-link key and (absent) secrets file in this test's folder."""
    monkeypatch.setenv("EXPERTNET_DB", str(fixture_db))
    monkeypatch.setenv("EXPERTNET_APP_STATE", str(tmp_path / "app_state.sqlite3"))
    monkeypatch.setenv("EXPERTNET_SHARE_KEY_FILE", str(tmp_path / "share_signing.key"))
    monkeypatch.setenv("EXPERTNET_SECRETS", str(tmp_path / "no_secrets.toml"))
    monkeypatch.delenv("EXPERTNET_SHARE_KEY", raising=False)
    monkeypatch.delenv("EXPERTNET_BASE_URL", raising=False)
    from apptest_harness import ServerPagesManager   # the harness imports conftest's paths
    monkeypatch.setattr(app_test_module, "PagesManager", ServerPagesManager)
    return tmp_path
