"""The warehouse as the dashboard sees it: one read-only connection per snapshot,
and results cached per snapshot.

A page run pins one snapshot at its start and asks everything of that snapshot's
connection, so a load swapped in mid-run cannot mix old and new numbers: the
pinned connection keeps reading the file it opened. The next run sees the new
snapshot. Old connections are closed once no run can still be using them.
"""

import importlib
import threading
import time
from dataclasses import dataclass

import duckdb
import streamlit as st

from ..config import warehouse_target
from ..warehouse import SnapshotInfo, is_hosted, open_read_only, snapshot_info, snapshot_key

# A run finishes in well under this; a connection retired longer ago is closed.
RETIRED_CONNECTION_GRACE_SECONDS = 120


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
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
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


class _Connections:
    def __init__(self):
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._retired: list[tuple[float, duckdb.DuckDBPyConnection]] = []

    def pin(self, target: str) -> Snapshot:
        key = snapshot_key(target)
        with self._lock:
            if self._current is None or self._current.key != key:
                con = _open(target)
                snapshot = Snapshot(key, snapshot_info(con), con)
                if self._current is not None:
                    self._retired.append((time.monotonic(), self._current.con))
                self._current = snapshot
            self._close_retired()
            return self._current

    def _close_retired(self) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, con in self._retired:
            if now - retired_at > RETIRED_CONNECTION_GRACE_SECONDS:
                con.close()
            else:
                keep.append((retired_at, con))
        self._retired = keep


@st.cache_resource(show_spinner=False)
def _connections(target: str) -> _Connections:
    return _Connections()


def pin_snapshot() -> Snapshot:
    target = warehouse_target()
    return _connections(target).pin(target)


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(snapshot_id: str, module: str, name: str, args: tuple, kwargs: tuple, _con):
    function = getattr(importlib.import_module(module), name)
    return function(_con, *args, **dict(kwargs))


def cached_call(snapshot: Snapshot, function, *args, **kwargs):
    """function(con, *args, **kwargs) on the pinned snapshot, cached under its snapshot id:
    a result is never served for another snapshot."""
    return _cached(snapshot.info.snapshot_id, function.__module__, function.__name__, args,
                   tuple(sorted(kwargs.items())), _con=snapshot.con)
