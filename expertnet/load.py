"""Loading an export folder into the warehouse as one full snapshot.

The new snapshot is built in a file beside the warehouse and swapped in with one
atomic rename only when it is complete. A refused or interrupted load leaves the
warehouse that was there byte for byte as it was.
"""

import csv
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
import pyarrow as pa

from .checks import table_checks
from .contract import DATE, DECIMAL, EXPORT_SUFFIXES, TABLES, Table

PROBLEM_CAP = 100
ROLLUPS_SQL = Path(__file__).with_name("rollups.sql")


@dataclass(frozen=True)
class Problem:
    file: str
    reason: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


class LoadRefused(Exception):
    """The export breaks the contract. `problems` holds at most PROBLEM_CAP of `total`."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems, self.total = problems, total
        super().__init__(f"{total} problem(s)")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems):,} more problems "
                         f"({self.total:,} in all)")
        return "\n".join(lines)


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


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def _parquet_columns(con, path: Path) -> list[str]:
    return [row[0] for row in con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()]


def header_problems(table: Table, file: str, header: list[str]) -> list[Problem]:
    problems = []
    expected = table.column_names
    repeated = sorted({c for c in header if header.count(c) > 1})
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if repeated:
        problems.append(Problem(file, f"column {', '.join(repeated)} appears more than once in the header"))
    if missing:
        problems.append(Problem(file, f"missing column {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(file, f"unknown column {', '.join(unknown)} (expected exactly: "
                                      f"{', '.join(expected)}; is this the right export?)"))
    return problems


# ---------------------------------------------------------------- staging

_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
NOT_UTF8 = "is not valid UTF-8 text; export it as UTF-8"


def _records(path: Path):
    """(physical line a record starts on, its fields) for every record after the header,
    read as DuckDB reads it: `""`-quoting, a quoted field may hold line breaks, and
    blank lines are skipped."""
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        before = reader.line_num
        for row in reader:
            if row:
                yield before + 1, row
            before = reader.line_num


def _physical_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _field_count_problems(path: Path, file: str, width: int) -> tuple[list[Problem], int]:
    """Every record whose number of fields is not the header's (up to PROBLEM_CAP, and how many)."""
    problems, total = [], 0
    for line, row in _records(path):
        if len(row) != width:
            total += 1
            if len(problems) < PROBLEM_CAP:
                problems.append(Problem(file, f"has {len(row)} fields, but the header has {width}", line))
    return problems, total


def _reader_problems(path: Path, width: int, error: duckdb.Error) -> tuple[list[Problem], int]:
    file, text = path.name, str(error)
    if "unicode" in text.lower() or "utf-8" in text.lower():
        return [Problem(file, NOT_UTF8)], 1
    if path.suffix == ".csv":
        try:
            problems, total = _field_count_problems(path, file, width)
        except (UnicodeDecodeError, csv.Error):
            problems, total = [], 0
        if total:
            return problems, total
    line_match = _CSV_LINE.search(text)
    line = int(line_match.group(1)) if line_match else None
    if "Expected Number of Columns" in text or "columns" in text.lower():
        return [Problem(file, "has a different number of fields than the header", line)], 1
    first = text.splitlines()[0] if text else "could not be read"
    return [Problem(file, f"could not be read: {first}", line)], 1


def _renumber(con, stage_table: str, path: Path, count: int) -> None:
    """Make line_no the physical line each record starts on when records are not one
    line each (a quoted field holding a line break, a blank line)."""
    if _physical_lines(path) == count + 1:
        return
    try:
        starts = [line for line, _ in _records(path)]
    except csv.Error:       # a field beyond csv's size limit: keep the record positions
        return
    if len(starts) != count:
        return
    con.register("line_map", pa.table({"row_line": pa.array(range(2, count + 2), pa.int64()),
                                       "physical_line": pa.array(starts, pa.int64())}))
    try:
        con.execute(f"UPDATE {stage_table} SET line_no = m.physical_line FROM line_map m "
                    f"WHERE {stage_table}.line_no = m.row_line").fetchall()
    finally:
        con.unregister("line_map")


def stage(con, table: Table, path: Path) -> tuple[int, list[Problem], int]:
    """Copy one export into `stage_<table>` as text with physical line numbers:
    (rows, up to PROBLEM_CAP problems, how many problems in all)."""
    file = path.name
    try:
        header = _csv_header(path) if path.suffix == ".csv" else _parquet_columns(con, path)
    except UnicodeDecodeError:
        return 0, [Problem(file, NOT_UTF8)], 1
    except (duckdb.Error, OSError) as error:
        return 0, [Problem(file, f"could not be read: {str(error).splitlines()[0]}")], 1
    problems = header_problems(table, file, header)
    if problems:
        return 0, problems, len(problems)
    # Column names are the contract's own (the header was just matched against them).
    columns = ", ".join(f"NULLIF(CAST({c} AS VARCHAR), '') AS {c}" for c in table.column_names)
    if path.suffix == ".csv":
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in header)
        source = (f"read_csv($path, header=true, auto_detect=false, columns={{{types}}}, delim=',', "
                  f"quote='\"', escape='\"', strict_mode=true, encoding='utf-8')")
    else:
        source = "read_parquet($path)"
    try:
        # Insertion order is kept (the default), so row_number() is the file's order.
        con.execute(f"CREATE TEMP TABLE stage_{table.name} AS "
                    f"SELECT row_number() OVER () + 1 AS line_no, {columns} FROM {source}",
                    {"path": str(path)})
    except duckdb.Error as error:
        return 0, *_reader_problems(path, len(header), error)
    [(count,)] = con.execute(f"SELECT count(*) FROM stage_{table.name}").fetchall()
    if path.suffix == ".csv":
        _renumber(con, f"stage_{table.name}", path, count)
    return count, [], 0


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
    progress("building rollups (expert_facts, client_expert_months, expert_months)")
    con.execute(ROLLUPS_SQL.read_text())
    snapshot_id = uuid.uuid4().hex
    con.execute("""
        CREATE TABLE snapshot AS
        SELECT $id AS snapshot_id, now()::TIMESTAMP AS loaded_at, $source AS source,
               (SELECT min(work_date) FROM work_logs) AS first_work_date,
               (SELECT max(work_date) FROM work_logs) AS last_work_date""",
                {"id": snapshot_id, "source": source})
    con.execute("COMMENT ON TABLE snapshot IS 'one row: the load this warehouse came from'")
    return rows


@contextmanager
def _ingest_lock(db_path: Path):
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another load into {db_path} is running; wait for it to finish") from None
        yield


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
            _remove(db_path.with_name(db_path.name + ".wal"))
            os.replace(building, db_path)
            step(f"swapped in snapshot {snapshot_id[:8]} at {db_path}")
            return LoadResult(snapshot_id, rows, time.monotonic() - started)
        finally:
            for leftover in (building, building.with_name(building.name + ".wal"), scratch):
                _remove(leftover)
