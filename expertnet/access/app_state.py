"""The small SQLite database of accounts, sign-in sessions and share links.

It lives apart from the warehouse (config.app_state_path(), git-ignored), is made on
first use, and runs in WAL mode so that the dashboard's threads can read while one
writes. Every call opens its own short connection: a sqlite3 connection must not be
shared between Streamlit's script threads. Values reach SQL only as bound parameters.
"""

import os
import sqlite3
import unicodedata
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from expertnet import config
from expertnet.errors import BadInput

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    email          TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('founder', 'ops')),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash  TEXT PRIMARY KEY,              -- sha256 of the token, never the token itself
    email       TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_email ON sessions (email);
CREATE TABLE IF NOT EXISTS share_links (
    id                 TEXT PRIMARY KEY,
    to_name            TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    revoked_at         TEXT,
    locked_domain      TEXT,
    locked_country     TEXT,
    locked_cohort      TEXT,                   -- YYYY-MM
    show_client_names  INTEGER NOT NULL DEFAULT 0 CHECK (show_client_names IN (0, 1))
);
CREATE TABLE IF NOT EXISTS share_views (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id    TEXT NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    page       TEXT NOT NULL,
    viewed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS share_views_by_link ON share_views (link_id, viewed_at);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    email      TEXT NOT NULL,                  -- as typed, lower-cased: unknown emails count too
    failed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_by_email ON sign_in_failures (email, failed_at);
CREATE TABLE IF NOT EXISTS cookie_grants (
    grant_hash    TEXT PRIMARY KEY,            -- sha256 of a one-time code the signed-in page holds
    token_sealed  TEXT NOT NULL,               -- the session token, XOR a pad only that code makes
    expires_at    TEXT NOT NULL
);
"""

# Columns added after a table was first made: (table, column, declaration).
_ADDED_COLUMNS = (
    ("share_views", "device", "TEXT"),        # the browser and device, in plain words (version 3)
)


class AppStateError(RuntimeError):
    """The app-state database cannot be opened or written; the message says where."""


# ---------------------------------------------------------------- time

def utcnow() -> datetime:
    """The one clock of the access layer (tests replace it to travel in time)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_text(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(timezone.utc)


# ---------------------------------------------------------------- input

def clean_label(text, what: str, max_length: int) -> str:
    """A name shown to people: 1..max_length characters, no control or invisible format characters
    (they could rewrite a terminal or hide text), surrounding space removed."""
    if not isinstance(text, str):
        raise BadInput(f"{what} must be text")
    text = text.strip()
    if not text:
        raise BadInput(f"{what} must not be empty")
    if len(text) > max_length:
        raise BadInput(f"{what} must be at most {max_length} characters (got {len(text):,})")
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise BadInput(f"{what} must not contain control characters (got {text[:40]!r})")
    return text


# ---------------------------------------------------------------- connections

def _create_file(path: Path) -> None:
    """Make the database file readable by its owner only; SQLite gives -wal and -shm the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _ensure_schema(con: sqlite3.Connection) -> None:
    if con.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("BEGIN IMMEDIATE")  # one thread or process creates the tables; the others wait
    try:
        if con.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            for statement in _SCHEMA.split(";\n"):   # no statement or comment holds ";\n"
                if statement.strip():
                    con.execute(statement)
            for table, column, declaration in _ADDED_COLUMNS:
                if column not in {row[1] for row in con.execute(f"PRAGMA table_info({table})")}:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            con.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    """A fresh connection in autocommit mode (each statement is its own transaction), closed on exit.
    Use `transaction()` when several statements must happen together."""
    path = config.app_state_path()
    try:
        if not path.exists():
            _create_file(path)
        con = sqlite3.connect(path, timeout=10, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise AppStateError(f"cannot open the app-state database at {path}: {error}") from None
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA busy_timeout = 10000")
        _ensure_schema(con)
        yield con
    except sqlite3.IntegrityError:
        raise          # a constraint the caller handles (a taken email, a drawn id)
    except sqlite3.DatabaseError as error:     # locked, damaged, or not a database at all
        raise AppStateError(f"the app-state database at {path} could not answer: {error}") from None
    finally:
        con.close()


@contextmanager
def transaction() -> Iterator[sqlite3.Connection]:
    """A connection inside BEGIN IMMEDIATE ... COMMIT; rolled back if anything raises."""
    with connect() as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
