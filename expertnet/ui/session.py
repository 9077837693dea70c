"""The warehouse as the dashboard sees it: one read-only connection per snapshot,
and results cached per snapshot.

A page run pins one snapshot at its start and asks everything of that snapshot's
connection, so a load swapped in mid-run cannot mix old and new numbers: the
pinned connection keeps reading the file it opened. The next run sees the new
snapshot. Old connections are closed once no run can still be using them.
"""

import importlib
import inspect
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import duckdb
import streamlit as st

from expertnet.config import warehouse_target
from expertnet.warehouse import (LOCKED_DOWN, SnapshotInfo, checked_snapshot_info, is_hosted, open_read_only,
                                 snapshot_key)

# A run finishes in well under this; a connection retired longer ago is closed.
RETIRED_CONNECTION_GRACE_SECONDS = 120
# How often a running server looks for a new snapshot without waiting for a page load.
WATCH_SECONDS = 2
log = logging.getLogger(__name__)


class SnapshotConnection:
    """A read-only connection to the snapshot file that is at `target` now.

    Not duckdb.connect(target): DuckDB hands back the database already open in this
    process under the same path, whatever file is at that path now, so after a swap
    every "new" connection would keep reading the old snapshot for as long as any
    connection to it is open (duckdb/duckdb#15912). Here each snapshot gets an
    in-memory database of its own that attaches the file read-only, with external
    access off and the configuration locked as in open_read_only; every cursor
    starts in the attached file."""

    def __init__(self, target: str):
        con = duckdb.connect(":memory:")
        try:
            con.execute("ATTACH ? AS warehouse (READ_ONLY)", [target])
            for setting, value in LOCKED_DOWN.items():      # the same settings as open_read_only
                con.execute(f"SET {setting} = {str(value).lower()}")
        except BaseException:
            con.close()
            raise
        self._con = con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._con.cursor()
        cursor.execute("USE warehouse")
        return cursor

    def close(self) -> None:
        self._con.close()


def _open(target: str):
    return open_read_only(target) if is_hosted(target) else SnapshotConnection(target)


@dataclass(frozen=True)
class Snapshot:
    key: str
    info: SnapshotInfo
    con: "SnapshotConnection | duckdb.DuckDBPyConnection"
    # How many results were computed on it rather than served from the cache, by function
    # name: what tells that a pre-warmed page computes nothing.
    computed: Counter = field(default_factory=Counter, compare=False)


class _Connections:
    """The current snapshot of one warehouse target, and the ones retired for it.

    With `on_new_snapshot`, a thread checks the target every WATCH_SECONDS, so a load swapped
    in is picked up before anyone asks for it, and each new snapshot is handed to the callback
    (the pre-warm) on a thread of its own."""

    def __init__(self, target: str, on_new_snapshot: Callable[[Snapshot], None] | None):
        _OPEN.append(self)
        self._target = target
        self._on_new_snapshot = on_new_snapshot
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._retired: list[tuple[float, duckdb.DuckDBPyConnection]] = []
        if on_new_snapshot is not None:
            threading.Thread(target=self._watch, name="expertnet-snapshot-watch", daemon=True).start()

    def pin(self) -> Snapshot:
        key = snapshot_key(self._target)
        opened = None
        with self._lock:
            if self._current is None or self._current.key != key:
                con = _open(self._target)
                opened = Snapshot(key, checked_snapshot_info(con), con)
                if self._current is not None:
                    self._retired.append((time.monotonic(), self._current.con))
                self._current = opened
            self._close_retired()
            current = self._current
        if opened is not None and self._on_new_snapshot is not None:
            threading.Thread(target=self._on_new_snapshot, args=(opened,), name="expertnet-prewarm",
                             daemon=True).start()
        return current

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            try:
                self.pin()
            except Exception:  # no warehouse yet, or one this code cannot read: the pages say so
                log.debug("snapshot watch of %s", self._target, exc_info=True)

    def close(self) -> None:
        """Close every connection (the server is stopping)."""
        with self._lock:
            for con in [c for _, c in self._retired] + ([self._current.con] if self._current else []):
                con.close()
            self._retired, self._current = [], None

    def _close_retired(self) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, con in self._retired:
            if now - retired_at > RETIRED_CONNECTION_GRACE_SECONDS:
                con.close()
            else:
                keep.append((retired_at, con))
        self._retired = keep


_OPEN: list[_Connections] = []


def close_all() -> None:
    """Close every warehouse connection of this process: at shutdown, so DuckDB is not torn down
    with connections still open (which prints "terminate called" and "leaked" lines)."""
    while _OPEN:
        _OPEN.pop().close()


@st.cache_resource(show_spinner=False)
def _connections(target: str, _on_new_snapshot) -> _Connections:
    return _Connections(target, _on_new_snapshot)


def pin_snapshot(on_new_snapshot: Callable[[Snapshot], None] | None = None) -> Snapshot:
    """The snapshot this run reads. The first call for a warehouse decides what happens to each
    new snapshot of it (app.py: the pre-warm, where EXPERTNET_PREWARM allows it)."""
    return _connections(warehouse_target(), on_new_snapshot).pin()


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(snapshot_id: str, module: str, name: str, arguments: tuple, _con, _computed: Counter):
    _computed[name] += 1
    function = getattr(importlib.import_module(module), name)
    return function(_con, **dict(arguments))


def _arguments(function, args: tuple, kwargs: dict) -> tuple:
    """The call's arguments by name, defaults filled in: a call made positionally and the same
    call made by keyword (as the page registry makes it) share one cache entry."""
    bound = inspect.signature(function).bind(None, *args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.items())[1:]        # without the connection


def cached_call(snapshot: Snapshot, function, *args, **kwargs):
    """function(con, *args, **kwargs) on the pinned snapshot, cached under its snapshot id:
    a result is never served for another snapshot. A miss is counted in snapshot.computed."""
    return _cached(snapshot.info.snapshot_id, function.__module__, function.__name__,
                   _arguments(function, args, kwargs), _con=snapshot.con, _computed=snapshot.computed)
