"""Opening the warehouse for reading, and telling one snapshot from the next."""

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from expertnet.config import warehouse_target

# The rollups and macros are built into each snapshot; a snapshot built from other
# definitions than this code's would answer with them, so it is refused.
ROLLUPS_SQL = Path(__file__).parent / "ingest" / "rollups.sql"
ROLLUPS_VERSION = hashlib.sha256(ROLLUPS_SQL.read_bytes()).hexdigest()[:16]


# What the dashboard's connections run with: no files, extensions or URLs reachable from SQL,
# and the settings locked so that no query can turn that back on (lock last).
LOCKED_DOWN = {"enable_external_access": False, "lock_configuration": True}


class WarehouseMissing(Exception):
    """There is no warehouse, or not one this version of the code can read; the message says what to do."""


def is_hosted(target: str) -> bool:
    return target.startswith("md:")


def snapshot_key(target: str | None = None) -> str:
    """Changes whenever a new snapshot is swapped in: the file's identity on disk.
    A hosted warehouse has no file; its key is read from its snapshot table."""
    target = target or warehouse_target()
    if is_hosted(target):
        with open_read_only(target) as con:
            return con.execute("SELECT snapshot_id FROM snapshot").fetchone()[0]
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        raise WarehouseMissing(missing_message(target)) from None
    return f"{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"


def missing_message(target: str) -> str:
    return (f"There is no warehouse at {target}. Build the demo with "
            f"`python -m expertnet generate --db {target}` or load your exports with "
            f"`python -m expertnet ingest EXPORT_DIR --db {target}`.")


def open_read_only(target: str | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that can neither write the warehouse nor reach any other file:
    read-only, external access off, and the configuration locked so that no query
    can turn either back on. WarehouseMissing if there is no warehouse, or not one
    this code can read (see snapshot_info)."""
    target = target or warehouse_target()
    if is_hosted(target):
        # A hosted warehouse is reached over the network, so external access must stay on;
        # give the dashboard a read-only (read-scaling) token so it cannot write there either.
        return _readable(duckdb.connect(target, read_only=True))
    if not Path(target).exists():
        raise WarehouseMissing(missing_message(target))
    return _readable(duckdb.connect(target, read_only=True, config=LOCKED_DOWN))


def _readable(con):
    checked_snapshot_info(con)
    return con


def checked_snapshot_info(con) -> "SnapshotInfo":
    """snapshot_info(con); where this code cannot read the snapshot, `con` is closed too."""
    try:
        return snapshot_info(con)
    except BaseException:
        con.close()
        raise


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: str
    loaded_at: datetime
    last_work_date: date | None


def snapshot_info(con) -> SnapshotInfo:
    """The snapshot's identity and dates; WarehouseMissing if this code cannot read it."""
    cursor = con.cursor()
    try:
        columns = {row[0] for row in cursor.execute("DESCRIBE snapshot").fetchall()}
        version = (cursor.execute("SELECT rollups_version FROM snapshot").fetchone()[0]
                   if "rollups_version" in columns else None)
        if version != ROLLUPS_VERSION:
            raise WarehouseMissing(
                "The warehouse was built by another version of expertnet, whose rollups differ from "
                "this one's. Load the exports again (`python -m expertnet ingest EXPORT_DIR`) or "
                "rebuild the demo (`python -m expertnet generate`).")
        row = cursor.execute(
            "SELECT snapshot_id, loaded_at, last_work_date FROM snapshot").fetchone()
    finally:
        cursor.close()
    return SnapshotInfo(*row)
