"""The app state in a SQLite file: the default, for a dashboard on one machine.

The file is made readable by its owner only and runs in WAL mode, so readers never wait for
the one writer. The process keeps one connection to it, shared by Streamlit's script threads
under a lock (`check_same_thread=False`): sqlite3 allows that as long as two threads never use
it at once. The file is looked at (os.stat) on every use: a file removed or replaced behind
the dashboard's back is opened afresh rather than read through a stale handle.
"""

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from expertnet.access.app_state_schema import (ADDED_COLUMNS, SCHEMA_VERSION, AppStateError, Conflict,
                                        schema_statements)

_IDENTITY = "INTEGER PRIMARY KEY AUTOINCREMENT"


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
            for statement in schema_statements(_IDENTITY):
                con.execute(statement)
            for table, column, declaration in ADDED_COLUMNS:
                if column not in {row[1] for row in con.execute(f"PRAGMA table_info({table})")}:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            con.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


class SqliteStore:
    def __init__(self, target: str):
        self.path = Path(target)
        self.where = str(self.path)
        self._lock = threading.RLock()
        self._con: sqlite3.Connection | None = None
        self._file_id: tuple[int, int, int, int] | None = None

    def _file(self) -> tuple[int, int, int, int] | None:
        """What tells this file from a replaced or rewritten one. The main file changes only when
        the WAL is checkpointed into it (then opening again costs a millisecond) or when something
        other than SQLite wrote it."""
        try:
            seen = os.stat(self.path)
        except FileNotFoundError:
            return None
        return seen.st_dev, seen.st_ino, seen.st_mtime_ns, seen.st_size

    def _open(self) -> sqlite3.Connection:
        file_id = self._file()
        if self._con is not None and file_id == self._file_id:
            return self._con
        self.close()
        try:
            if file_id is None:
                _create_file(self.path)
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise AppStateError(f"cannot open the app-state database at {self.path}: {error}") from None
        try:
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA busy_timeout = 10000")
            _ensure_schema(con)
        except BaseException:
            con.close()
            raise
        self._con, self._file_id = con, self._file()
        return con

    @contextmanager
    def connection(self, transaction: bool) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                con = self._open()
                if not transaction:
                    yield con
                    return
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            except sqlite3.IntegrityError as error:
                raise Conflict(str(error)) from None        # a taken email, a drawn id, a vanished link
            except sqlite3.DatabaseError as error:          # locked, damaged, or not a database at all
                self.close()                                # open it afresh next time
                raise AppStateError(f"the app-state database at {self.path} could not answer: {error}") from None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._file_id = None, None
