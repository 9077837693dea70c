"""Settings, each from the environment with a default that works on a laptop."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
QUERIES_DIR = PROJECT_DIR / "queries"


def warehouse_target() -> str:
    """Where the warehouse is: a file path, or a hosted DuckDB (`md:...`)."""
    return os.environ.get("EXPERTNET_DB") or str(DATA_DIR / "warehouse.duckdb")


def app_state_path() -> Path:
    """The small database of accounts and share links, apart from the warehouse."""
    return Path(os.environ.get("EXPERTNET_APP_STATE") or DATA_DIR / "app_state.sqlite3")


def base_url() -> str:
    """Where the dashboard is reached; share links are made from it."""
    return os.environ.get("EXPERTNET_BASE_URL", "http://localhost:8501").rstrip("/")
