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
from ..warehouse import SnapshotInfo, open_read_only, snapshot_info, snapshot_key

# A run finishes in well under this; a connection retired longer ago is closed.
RETIRED_CONNECTION_GRACE_SECONDS = 120


@dataclass(frozen=True)
class Snapshot:
    key: str
    info: SnapshotInfo
    con: duckdb.DuckDBPyConnection


class _Connections:
    def __init__(self):
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._retired: list[tuple[float, duckdb.DuckDBPyConnection]] = []

    def pin(self, target: str) -> Snapshot:
        key = snapshot_key(target)
        with self._lock:
            if self._current is None or self._current.key != key:
                con = open_read_only(target)
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
