"""Reading one export file into `stage_<table>`: every column as text, NULL where the
field was empty, and `line_no`, the physical line the record starts on (the header
being line 1). A file that cannot be read that way is reported, not raised.
"""

import csv
import re
from pathlib import Path

import duckdb
import pyarrow as pa

from expertnet.ingest.contract import DECIMAL, Table
from expertnet.ingest.problems import PROBLEM_CAP, Problem


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def _parquet_columns(con, path: Path) -> dict[str, str]:
    """{column: DuckDB type} of a Parquet file."""
    rows = con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()
    return {row[0]: row[1] for row in rows}


_NESTED = ("[]", "STRUCT", "MAP", "UNION", "LIST")


_FLOATS = ("DOUBLE", "FLOAT", "REAL")


def _as_text(column, parquet_type: str | None) -> str:
    if column.kind == DECIMAL and parquet_type and parquet_type.upper() in _FLOATS:
        # shortest round-trip digits in fixed notation; not finite stays 'inf'/'nan' (refused)
        return (f"CASE WHEN isfinite({column.name}) THEN rtrim(rtrim(format('{{:.{_FIXED_DIGITS}f}}', "
                f"{column.name}), '0'), '.') ELSE CAST({column.name} AS VARCHAR) END")
    return f"CAST({column.name} AS VARCHAR)"


_FIXED_DIGITS = 30


def parquet_type_problems(table: Table, file: str, types: dict[str, str]) -> list[Problem]:
    """A column holds the scalar type of its rule (text, a date or a number), never a list, a
    struct or a map: DuckDB would otherwise turn [1, 2] into the text "[1, 2]"."""
    return [Problem(file, f"holds {types[c.name][:40]} values, not {c.kind} (a column holds text, a date "
                          f"or a number, never a list, a struct or a map)", column=c.name)
            for c in table.columns if c.name in types and any(n in types[c.name].upper() for n in _NESTED)]


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
        problems.append(Problem(file, f"unknown column {_some(unknown)} (expected exactly: "
                                      f"{', '.join(expected)}; is this the right export?)"))
    return problems


def _some(names: list[str], most: int = 5) -> str:
    """Names from a file's header, a few and each cut short: a header can be anything."""
    shown = ", ".join(n if len(n) <= 40 else n[:40] + "..." for n in names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most:,} more"


# ---------------------------------------------------------------- staging

_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_TOO_LONG = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes")
NOT_UTF8 = "is not valid UTF-8 text; export it as UTF-8"


csv.field_size_limit(1 << 30)   # as long as a record DuckDB reads, so line numbers stay exact


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


def _mixed_line_endings(path: Path) -> bool:
    crlf = bare = False
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            crlf = crlf or b"\r\n" in chunk
            bare = bare or chunk.replace(b"\r\n", b"").count(b"\n") > 0
    return crlf and bare


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
    if "state machine" in text.lower() and path.suffix == ".csv" and _mixed_line_endings(path):
        return [Problem(file, "mixes line endings (\\n and \\r\\n); export it with one kind of line ending", line)], 1
    too_long = _TOO_LONG.search(text)
    if too_long:
        limit, actual = int(too_long.group(1)), int(too_long.group(2))
        return [Problem(file, f"the record is {actual:,} bytes long, over the {limit:,} bytes a record may "
                              "have: a field this long is not a real value; check the export", line)], 1
    if "Expected Number of Columns" in text or "columns" in text.lower():
        return [Problem(file, "has a different number of fields than the header", line)], 1
    first = text.splitlines()[0][:200] if text else "could not be read"
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
        types = {} if path.suffix == ".csv" else _parquet_columns(con, path)
        header = _csv_header(path) if path.suffix == ".csv" else list(types)
    except UnicodeDecodeError:
        return 0, [Problem(file, NOT_UTF8)], 1
    except (duckdb.Error, OSError) as error:
        return 0, [Problem(file, f"could not be read: {str(error).splitlines()[0][:200]}")], 1
    except csv.Error as error:
        return 0, [Problem(file, f"the header could not be read as CSV: {str(error)[:200]}")], 1
    problems = header_problems(table, file, header) or parquet_type_problems(table, file, types)
    if problems:
        return 0, problems, len(problems)
    # Column names are the contract's own (the header was just matched against them). A typed
    # Parquet number becomes text without an exponent (a double prints 5e+20 or 1e-05), with
    # enough digits to round-trip; the checks then read it as they read a CSV's.
    columns = ", ".join(f"NULLIF({_as_text(c, types.get(c.name))}, '') AS {c.name}" for c in table.columns)
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
