"""Settings, each from the environment with a default that works on a laptop."""

import os
import tomllib
from pathlib import Path

PRODUCT_NAME = "Expert network metrics"      # the browser tab, the sign-in page
PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
QUERIES_DIR = PROJECT_DIR / "queries"


def warehouse_target() -> str:
    """Where the warehouse is: a file path, or a hosted DuckDB (`md:...`)."""
    return os.environ.get("EXPERTNET_DB") or str(DATA_DIR / "warehouse.duckdb")


def app_state_target() -> str:
    """The small database of accounts and share links, apart from the warehouse: a SQLite file
    (the default), or a PostgreSQL address (`postgresql://...`) that several processes share."""
    return os.environ.get("EXPERTNET_APP_STATE") or str(DATA_DIR / "app_state.sqlite3")


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


DEFAULT_BASE_URL = "http://localhost:8501"


def base_url(seen: str | None = None) -> str:
    """Where the dashboard is reached; share links are made from it: $EXPERTNET_BASE_URL where
    set, else the address the founder's browser is using (`seen`), else the default."""
    return (os.environ.get("EXPERTNET_BASE_URL") or seen or DEFAULT_BASE_URL).rstrip("/")


def base_url_source() -> str:
    return "EXPERTNET_BASE_URL" if os.environ.get("EXPERTNET_BASE_URL") else "the default"


def share_key_path() -> Path:
    """The secret that signs share links, made on first use (git-ignored, mode 0600)."""
    return Path(os.environ.get("EXPERTNET_SHARE_KEY_FILE") or DATA_DIR / "share_signing.key")


def secrets_path() -> Path:
    """Streamlit's secrets file; the CLI reads the same file so both sign links alike."""
    return Path(os.environ.get("EXPERTNET_SECRETS") or PROJECT_DIR / ".streamlit" / "secrets.toml")


def secret(name: str) -> str | None:
    """A top-level value of the secrets file, or None where there is no such file or value."""
    try:
        with secrets_path().open("rb") as f:
            value = tomllib.load(f).get(name)
    except FileNotFoundError:
        return None
    return None if value is None else str(value)


def prewarm_enabled() -> bool:
    """Whether a running dashboard watches for new snapshots and works out every page's
    default view in the background ($EXPERTNET_PREWARM=0 turns it off)."""
    return os.environ.get("EXPERTNET_PREWARM", "1") != "0"


def demo_mode_requested() -> bool:
    """Whether the dashboard may run in demo mode (the founder view with no sign-in, for this
    machine only) when no sign-in is configured: only when asked for ($EXPERTNET_DEMO=1, as
    `make run` does), never because the accounts database went missing."""
    return os.environ.get("EXPERTNET_DEMO", "0") == "1"
