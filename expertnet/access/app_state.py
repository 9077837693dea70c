"""The small database of accounts, sign-in sessions, lockouts, share links and their views.

It lives apart from the warehouse. By default it is a SQLite file (config.app_state_target(),
git-ignored) for one machine; `EXPERTNET_APP_STATE=postgresql://...` puts it in PostgreSQL, so
that several dashboard processes, on one machine or several, share one set of accounts and
links (docs/deploy.md). Either way the schema is made and migrated on first use, safely when
several processes start at once, and values reach SQL only as bound parameters (`?`).

Each process keeps one connection per database, opened on first use and shared by its threads
under a lock: identifying the viewer on every page run must not cost opening a database and
checking its schema (issue 15). A query on it is a fraction of a millisecond, so every run still
reads the current state: a revocation or a sign-out elsewhere is seen at the next page run.
"""

import threading
import unicodedata
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from expertnet import config
from expertnet.access.app_state_schema import AppStateError, Conflict  # noqa: F401  (the access layer's names)
from expertnet.errors import BadInput


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

_stores: dict[str, object] = {}
_stores_lock = threading.Lock()


def _store():
    """The open database of the configured target, opened on first use (one per process)."""
    target = config.app_state_target()
    store = _stores.get(target)
    if store is None:
        with _stores_lock:
            store = _stores.get(target)
            if store is None:
                if "://" in target and not config.is_postgres(target):
                    raise AppStateError("EXPERTNET_APP_STATE must be a SQLite file path or a postgresql:// "
                                        "address (got another kind of address)")
                if config.is_postgres(target):
                    from expertnet.access.app_state_postgres import PostgresStore as Store
                else:
                    from expertnet.access.app_state_sqlite import SqliteStore as Store
                store = _stores[target] = Store(target)
    return store


def where() -> str:
    """Where the app state is, to tell a person: the file, or the server and database without a password."""
    return _store().where


@contextmanager
def connect() -> Iterator:
    """The process's connection in autocommit mode (each statement is its own transaction), held
    by this thread until the block ends. Use `transaction()` when statements must happen together."""
    with _store().connection(transaction=False) as con:
        yield con


@contextmanager
def transaction() -> Iterator:
    """The connection inside one transaction that writers take in turn (SQLite's BEGIN IMMEDIATE,
    an advisory lock in PostgreSQL); committed at the end, rolled back if anything raises."""
    with _store().connection(transaction=True) as con:
        yield con


def close_all() -> None:
    """Close every open app-state connection of this process (tests, shutdown)."""
    with _stores_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
