"""Loading an export folder into the warehouse as one full snapshot.

The new snapshot is built in a file beside the warehouse and swapped in with one
atomic rename only when it is complete. A refused or interrupted load leaves the
warehouse that was there byte for byte as it was.
"""

import fcntl
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from expertnet.ingest.checks import table_checks
from expertnet.ingest.contract import DATE, DECIMAL, EXPORT_SUFFIXES, TABLES, Table
from expertnet.ingest.problems import PROBLEM_CAP, LoadRefused, Problem
from expertnet.ingest.staging import stage
from expertnet.warehouse import ROLLUPS_SQL, ROLLUPS_VERSION



@dataclass(frozen=True)
class LoadResult:
    snapshot_id: str
    rows: dict[str, int]
    seconds: float


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------- finding files

def find_exports(folder: Path) -> tuple[dict[str, Path], list[Problem]]:
    found, problems = {}, []
    if not folder.is_dir():
        return {}, [Problem(str(folder), "is not a folder of exports")]
    for table in TABLES:
        links = [folder / f"{table.name}{suffix}" for suffix in EXPORT_SUFFIXES
                 if (folder / f"{table.name}{suffix}").is_symlink()]
        if links:   # a link could point anywhere on the machine; the export holds its own files
            problems += [Problem(link.name, "is a symbolic link; put the file itself in the export folder")
                         for link in links]
            continue
        paths = [folder / f"{table.name}{suffix}" for suffix in EXPORT_SUFFIXES
                 if (folder / f"{table.name}{suffix}").is_file()]
        if len(paths) > 1:
            problems.append(Problem(paths[0].name, f"both {paths[0].name} and {paths[1].name} exist; keep one"))
        elif paths:
            found[table.name] = paths[0]
        elif table.required:
            problems.append(Problem(f"{table.name}.csv", "missing: the folder has no "
                                    f"{table.name}.csv or {table.name}.parquet"))
    return found, problems


def check_rows(con, table: Table, file: str, staged: set[str], room: int) -> tuple[list[Problem], int]:
    """Every contract rule on the staged rows: (up to `room` problems, how many in all)."""
    problems, total = [], 0
    checks = table_checks(table, staged)
    counts = _count_row_checks(con, table, [c for c in checks if c.where])
    for check in checks:
        if counts.get(id(check)) == 0:
            continue
        if check.precheck and con.execute(check.precheck).fetchone()[0] == 0:
            continue
        rows = con.execute(f"{check.sql} LIMIT {room + 1}", check.params or {}).fetchall()
        if id(check) in counts:
            count = counts[id(check)]
        elif len(rows) > room:
            count = con.execute(f"SELECT count(*) FROM ({check.sql})", check.params or {}).fetchone()[0]
        else:
            count = len(rows)
        total += count
        problems += [Problem(file, check.message(*row[1:]), row[0], check.column) for row in rows[:room]]
    return problems, total


def _count_row_checks(con, table: Table, checks: list) -> dict[int, int]:
    """How many rows break each single-row rule, all counted in one scan of the table."""
    if not checks:
        return {}
    params = {name: value for check in checks for name, value in (check.params or {}).items()}
    counts = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.where})" for c in checks)
                         + f" FROM stage_{table.name}", params).fetchone()
    return {id(check): count for check, count in zip(checks, counts)}


# ---------------------------------------------------------------- building

def _typed(column) -> str:
    if column.kind == DATE:
        return f"CAST({column.name} AS DATE) AS {column.name}"
    if column.kind == DECIMAL:
        return f"CAST({column.name} AS DOUBLE) AS {column.name}"
    return column.name


def build_tables(con, staged: set[str], source: str, progress: Progress) -> dict[str, int]:
    rows = {}
    for table in TABLES:
        if table.name in staged:
            select = ", ".join(_typed(c) for c in table.columns)
            con.execute(f"CREATE TABLE {table.name} AS SELECT {select} FROM stage_{table.name}")
            con.execute(f"DROP TABLE stage_{table.name}")
        else:  # only an optional table can be absent here
            cols = ", ".join(f"{c.name} {'DATE' if c.kind == DATE else 'DOUBLE' if c.kind == DECIMAL else 'VARCHAR'}"
                             for c in table.columns)
            con.execute(f"CREATE TABLE {table.name} ({cols})")
        con.execute(f"COMMENT ON TABLE {table.name} IS '{table.grain}'")
        rows[table.name] = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
    progress("building rollups (expert_facts, contract_expert_months, client_expert_months, contract_months, "
             "expert_months, month_activity_of_all_experts, earnings_spread_by_month, supply_activity_by_month, "
             "the queues' tables)")
    con.execute(ROLLUPS_SQL.read_text())
    snapshot_id = uuid.uuid4().hex
    con.execute("""
        CREATE TABLE snapshot AS
        SELECT $id AS snapshot_id, now()::TIMESTAMP AS loaded_at, $source AS source,
               $rollups_version AS rollups_version,
               (SELECT min(work_date) FROM work_logs) AS first_work_date,
               (SELECT max(work_date) FROM work_logs) AS last_work_date""",
                {"id": snapshot_id, "source": source, "rollups_version": ROLLUPS_VERSION})
    con.execute("COMMENT ON TABLE snapshot IS 'one row: the load this warehouse came from'")
    return rows


@contextmanager
def _ingest_lock(db_path: Path):
    """One load at a time into a folder: a lock on the folder itself, so nothing is left behind."""
    folder = os.open(db_path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another load into {db_path.parent} is running; wait for it to finish") from None
        yield
    finally:
        os.close(folder)     # closing releases the lock


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:      # alive, someone else's
        return False
    return False


def remove_debris(db_path: Path) -> list[str]:
    """Remove what loads that were killed left beside the warehouse (their half-built snapshot,
    its .wal, their spill folder): files named after a process that is gone. Run under the
    load lock, so no live load's files are touched. Returns the names removed."""
    removed = []
    prefix = f".{db_path.name}."
    for path in db_path.parent.iterdir():
        match = _DEBRIS.fullmatch(path.name[len(prefix):]) if path.name.startswith(prefix) else None
        if match and _process_is_gone(int(match.group(1))):
            _remove(path)
            removed.append(path.name)
    _remove(db_path.with_name(db_path.name + ".lock"))   # the lock file older loads left
    return removed


_DEBRIS = re.compile(r"(?:building|scratch)-(\d+)(?:\.wal)?")


def load_memory_limit() -> str:
    """What a load may hold in memory before it spills to disk: half the machine by default,
    so a dashboard on the same machine keeps room ($EXPERTNET_LOAD_MEMORY, e.g. 8GB)."""
    configured = os.environ.get("EXPERTNET_LOAD_MEMORY")
    if configured:
        return configured
    total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(total_bytes // 2 // 2**20, 1024)}MB"


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def ingest(folder: Path, db_path: Path, progress: Progress = _quiet) -> LoadResult:
    """Check `folder` against the contract and, if it passes, make it the warehouse at `db_path`.

    Raises LoadRefused with every problem found (up to PROBLEM_CAP) when it does not.
    """
    started = time.monotonic()
    folder, db_path = Path(folder), Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    building = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    scratch = db_path.with_name(f".{db_path.name}.scratch-{os.getpid()}")

    def step(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    with _ingest_lock(db_path):
        for name in remove_debris(db_path):
            step(f"removed {name}, left by a load that was stopped")
        try:
            files, problems = find_exports(folder)
            con = duckdb.connect(str(building), config={"temp_directory": str(scratch),
                                                        "memory_limit": load_memory_limit(),
                                                        "preserve_insertion_order": True})
            try:
                staged: set[str] = set()
                total = len(problems)
                for table in TABLES:
                    if table.name not in files:
                        continue
                    step(f"reading {files[table.name].name}")
                    count, file_problems, file_total = stage(con, table, files[table.name])
                    problems += file_problems[:max(PROBLEM_CAP - len(problems), 0)]
                    total += file_total
                    if not file_total:
                        staged.add(table.name)
                        step(f"read {files[table.name].name}: {count:,} rows")
                for table in TABLES:
                    if table.name in staged:
                        step(f"checking {files[table.name].name}")
                        found, count = check_rows(con, table, files[table.name].name, staged,
                                                  max(PROBLEM_CAP - len(problems), 0))
                        problems += found
                        total += count
                if total:
                    raise LoadRefused(problems[:PROBLEM_CAP], total)
                step("all rows pass the contract; building the snapshot")
                rows = build_tables(con, staged, str(folder.resolve()), step)
                snapshot_id = con.execute("SELECT snapshot_id FROM snapshot").fetchone()[0]
                con.execute("CHECKPOINT")
            finally:
                con.close()
            # A stale .wal beside the swapped-in file would make it unopenable.
            step("swapping in the new snapshot")
            _remove(db_path.with_name(db_path.name + ".wal"))
            os.replace(building, db_path)
            step(f"swapped in snapshot {snapshot_id[:8]} at {db_path}")
            return LoadResult(snapshot_id, rows, time.monotonic() - started)
        finally:
            for leftover in (building, building.with_name(building.name + ".wal"), scratch):
                _remove(leftover)
