"""Every rule of the data contract (docs/DATA_CONTRACT.md), broken one at a time.

A small valid export is written here from Python lists and loaded once into a
"previous" warehouse. Each case writes a broken copy of that export, loads it over
a byte copy of the previous warehouse and checks that the load is refused with
exactly the expected `FILE:LINE: column: reason` lines, that the previous
warehouse is byte for byte what it was, and that no scratch file is left behind.
"""

import copy
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expertnet.ingest.load import PROBLEM_CAP, LoadRefused, ingest

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- the valid export
# Line numbers in the comments: the header is line 1.
VALID = {
    "experts": (
        ["expert_id", "full_name", "email", "country", "domain", "signup_date", "approved_date"],
        [["E-0001", "Ann Lee", "ann@example.com", "US", "law", "2024-01-10", "2024-01-15"],        # 2
         ["E-0002", "Bo Chen", "bo@example.com", "IN", "software", "2024-01-20", ""],              # 3
         ["E-0003", "Cy Diaz", "cy@example.com", "GB", "finance", "2024-02-01", "2024-02-05"],     # 4
         ["E-0004", "Di Ng", "di@example.com", "DE", "medicine", "2024-02-10", "2024-02-12"]],     # 5
    ),
    "clients": (
        ["client_id", "name", "segment", "country"],
        [["C-01", "Acme AI", "ai_lab", "US"],                                                      # 2
         ["C-02", "Beta Group", "enterprise", "GB"]],                                              # 3
    ),
    "contracts": (
        ["contract_id", "client_id", "start_date", "end_date", "bill_rate_usd", "committed_usd"],
        [["K-01", "C-01", "2024-01-01", "", "100", "50000"],                                       # 2
         ["K-02", "C-02", "2024-02-15", "2024-06-30", "150.5", ""]],                               # 3
    ),
    "work_logs": (
        ["expert_id", "contract_id", "work_date", "hours", "pay_rate_usd"],
        [["E-0001", "K-01", "2024-02-01", "3.5", "70"],                                            # 2
         ["E-0001", "K-01", "2024-02-02", "4", "70"],                                              # 3
         ["E-0002", "K-01", "2024-02-01", "2.25", "65"],                                           # 4
         ["E-0003", "K-02", "2024-03-01", "5", "110"],                                             # 5
         ["E-0004", "K-02", "2024-03-02", "1.5", "110"],                                           # 6
         ["E-0003", "K-02", "2024-03-03", "6", "110"]],                                            # 7
    ),
    "bonuses": (
        ["bonus_id", "expert_id", "paid_date", "amount_usd", "kind"],
        [["B-1", "E-0001", "2024-03-05", "100", "performance"],                                    # 2
         ["B-2", "E-0003", "2024-04-05", "50", "referral"]],                                       # 3
    ),
    "valuations": (
        ["as_of_date", "round", "post_money_usd"],
        [["2023-06-01", "Seed", "10000000"],                                                       # 2
         ["2024-06-01", "Series A", "100000000"]],                                                 # 3
    ),
}


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    columns = {name: pa.array([row[i] if row[i] != "" else None for row in rows], type=pa.string())
               for i, name in enumerate(header)}
    pq.write_table(pa.table(columns), path)


def write_export(folder: Path, tables: dict, raw: dict | None = None, fmt: str = "csv") -> Path:
    """Write `tables` ({table: (header, rows)}) as an export folder; `raw` gives the
    exact bytes of some files instead ({file name: bytes})."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        if fmt == "parquet":
            write_parquet(folder / f"{name}.parquet", header, rows)
        else:
            (folder / f"{name}.csv").write_bytes(csv_bytes(header, rows))
    for file_name, data in (raw or {}).items():
        (folder / file_name).write_bytes(data)
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ---------------------------------------------------------------- mutations

def tables() -> dict:
    return copy.deepcopy(VALID)


def set_field(t: dict, table: str, line: int, column: str, value: str) -> dict:
    header, rows = t[table]
    rows[line - 2][header.index(column)] = value
    return t


def add_row(t: dict, table: str, values: list[str]) -> dict:
    t[table][1].append(list(values))
    return t


def drop_column(t: dict, table: str, column: str) -> dict:
    header, rows = t[table]
    i = header.index(column)
    t[table] = (header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    return t


def add_column(t: dict, table: str, column: str, value: str) -> dict:
    header, rows = t[table]
    t[table] = (header + [column], [r + [value] for r in rows])
    return t


def edit(table, line, column, value):
    return lambda t: (set_field(t, table, line, column, value), {})


def append(table, values):
    return lambda t: (add_row(t, table, values), {})


def raw_lines(table: str, lines: list[str], t: dict | None = None) -> bytes:
    header = (t or VALID)[table][0]
    return (",".join(header) + "\n" + "".join(line + "\n" for line in lines)).encode()


def without(table):
    def mutate(t):
        del t[table]
        return t, {}
    return mutate


def non_utf8_early(t):
    header, rows = t["experts"]
    del t["experts"]
    data = csv_bytes(header, rows).replace(b"Bo Chen", b"B\xf6 Chen")    # Latin-1, line 3
    return t, {"experts.csv": data}


def non_utf8_late(t):
    # The bad byte comes after the first 64 KiB, past anything read with the header.
    header, rows = t["experts"]
    rows[0][1] = "Ann " + "L" * 70_000
    del t["experts"]
    return t, {"experts.csv": csv_bytes(header, rows).replace(b"Cy Diaz", b"Cy D\xedaz")}


def field_count(line: int, drop: bool):
    def mutate(t):
        header, rows = t["work_logs"]
        del t["work_logs"]
        lines = [",".join(r) for r in rows]
        lines[line - 2] = lines[line - 2].rsplit(",", 1)[0] if drop else lines[line - 2] + ",9"
        return t, {"work_logs.csv": raw_lines("work_logs", lines)}
    return mutate


def quoted_newline_then(table, line, column, value):
    """A multi-line quoted field in line 2 (so the record of line 2 spans lines 2-3):
    every later record sits one physical line further down."""
    def mutate(t):
        set_field(t, "experts", 2, "full_name", "Ann\nLee")
        set_field(t, table, line, column, value)
        return t, {}
    return mutate


def blank_line_then(line, column, value):
    def mutate(t):
        set_field(t, "work_logs", line, column, value)
        header, rows = t["work_logs"]
        del t["work_logs"]
        lines = [",".join(r) for r in rows]
        lines.insert(1, "")                   # physical line 3 is blank
        return t, {"work_logs.csv": raw_lines("work_logs", lines)}
    return mutate


def empty_in(table, line, column):
    return edit(table, line, column, "")


# Each case: id, mutation (tables -> (tables, raw files)), the exact expected report
# lines as (file, line or None, column or None, what the reason must contain).
# A reason must contain the bad value (or, for structure problems, the column or count).
CASES = [
    # files and columns
    ("missing_file", without("contracts"), [("contracts.csv", None, None, "missing")]),
    ("missing_required_file_clients", without("clients"), [("clients.csv", None, None, "missing")]),
    ("column_removed", lambda t: (drop_column(t, "work_logs", "hours"), {}),
     [("work_logs.csv", None, None, "missing column hours")]),
    ("unknown_extra_column", lambda t: (add_column(t, "experts", "notes", "x"), {}),
     [("experts.csv", None, None, "unknown column notes")]),
    ("column_twice_in_header", lambda t: (add_column(t, "bonuses", "kind", "other"), {}),
     [("bonuses.csv", None, None, "column kind appears more than once")]),
    ("non_utf8_in_first_chunk", non_utf8_early, [("experts.csv", None, None, "UTF-8")]),
    ("non_utf8_after_first_chunk", non_utf8_late, [("experts.csv", None, None, "UTF-8")]),
    ("field_missing_in_a_row", field_count(4, drop=True), [("work_logs.csv", 4, None, "4 fields")]),
    ("field_extra_in_a_row", field_count(6, drop=False), [("work_logs.csv", 6, None, "6 fields")]),
    # uniqueness
    ("duplicate_expert_id", append("experts", ["E-0002", "Bo Again", "bo2@example.com", "IN", "law",
                                               "2024-01-20", ""]),
     [("experts.csv", 6, "expert_id", "E-0002 appears again (first at line 3)")]),
    ("duplicate_email", append("experts", ["E-0005", "Ann Twin", "ann@example.com", "US", "law",
                                           "2024-01-20", ""]),
     [("experts.csv", 6, "email", "ann@example.com appears again (first at line 2)")]),
    ("duplicate_client_id", append("clients", ["C-01", "Acme Again", "startup", "US"]),
     [("clients.csv", 4, "client_id", "C-01 appears again (first at line 2)")]),
    ("duplicate_contract_id", append("contracts", ["K-02", "C-01", "2024-01-01", "", "90", ""]),
     [("contracts.csv", 4, "contract_id", "K-02 appears again (first at line 3)")]),
    ("duplicate_bonus_id", append("bonuses", ["B-1", "E-0002", "2024-03-05", "10", "other"]),
     [("bonuses.csv", 4, "bonus_id", "B-1 appears again (first at line 2)")]),
    ("duplicate_work_log", append("work_logs", ["E-0001", "K-01", "2024-02-02", "1", "70"]),
     [("work_logs.csv", 8, "expert_id, contract_id, work_date",
       "(E-0001, K-01, 2024-02-02) appears again (first at line 3)")]),
    ("duplicate_valuation_date", append("valuations", ["2024-06-01", "Series B", "200000000"]),
     [("valuations.csv", 4, "as_of_date", "2024-06-01 appears again (first at line 3)")]),
    # references
    ("work_log_unknown_expert", edit("work_logs", 4, "expert_id", "E-0999"),
     [("work_logs.csv", 4, "expert_id", "E-0999 does not exist in experts")]),
    ("work_log_unknown_contract", edit("work_logs", 3, "contract_id", "K-99"),
     [("work_logs.csv", 3, "contract_id", "K-99 does not exist in contracts")]),
    ("contract_unknown_client", edit("contracts", 3, "client_id", "C-99"),
     [("contracts.csv", 3, "client_id", "C-99 does not exist in clients")]),
    ("bonus_unknown_expert", edit("bonuses", 3, "expert_id", "E-0777"),
     [("bonuses.csv", 3, "expert_id", "E-0777 does not exist in experts")]),
    # dates across columns and tables
    ("work_date_before_signup", edit("work_logs", 4, "work_date", "2024-01-15"),
     [("work_logs.csv", 4, "work_date", "2024-01-15 is before the expert's signup_date 2024-01-20")]),
    ("work_date_after_contract_end", edit("work_logs", 6, "work_date", "2024-07-01"),
     [("work_logs.csv", 6, "work_date", "2024-07-01 is outside contract K-02")]),
    ("work_date_before_contract_start", edit("work_logs", 7, "work_date", "2024-02-10"),
     [("work_logs.csv", 7, "work_date", "2024-02-10 is outside contract K-02")]),
    ("end_date_before_start_date", append("contracts", ["K-03", "C-01", "2024-05-01", "2024-04-30", "90", ""]),
     [("contracts.csv", 4, "end_date", "2024-04-30 is before start_date 2024-05-01")]),
    ("approved_before_signup", edit("experts", 4, "approved_date", "2024-01-31"),
     [("experts.csv", 4, "approved_date", "2024-01-31 is before signup_date 2024-02-01")]),
    # numbers
    ("hours_zero", edit("work_logs", 3, "hours", "0"), [("work_logs.csv", 3, "hours", "0 is not > 0")]),
    ("hours_negative", edit("work_logs", 5, "hours", "-2.5"),
     [("work_logs.csv", 5, "hours", "-2.5 is not > 0")]),
    ("hours_over_24", edit("work_logs", 2, "hours", "25"), [("work_logs.csv", 2, "hours", "25 is not <= 24")]),
    ("pay_rate_zero", edit("work_logs", 6, "pay_rate_usd", "0"),
     [("work_logs.csv", 6, "pay_rate_usd", "0 is not > 0")]),
    ("pay_rate_over_2000", edit("work_logs", 7, "pay_rate_usd", "2001"),
     [("work_logs.csv", 7, "pay_rate_usd", "2001 is not <= 2000")]),
    ("bill_rate_zero", edit("contracts", 2, "bill_rate_usd", "0"),
     [("contracts.csv", 2, "bill_rate_usd", "0 is not > 0")]),
    ("committed_negative", edit("contracts", 2, "committed_usd", "-1"),
     [("contracts.csv", 2, "committed_usd", "-1 is not >= 0")]),
    ("bonus_amount_zero", edit("bonuses", 3, "amount_usd", "0"),
     [("bonuses.csv", 3, "amount_usd", "0 is not > 0")]),
    ("post_money_zero", edit("valuations", 2, "post_money_usd", "0"),
     [("valuations.csv", 2, "post_money_usd", "0 is not > 0")]),
    ("hours_not_a_number", edit("work_logs", 4, "hours", "12,5"),
     [("work_logs.csv", 4, "hours", "'12,5' is not a decimal number")]),
    ("bill_rate_not_a_number", edit("contracts", 3, "bill_rate_usd", "$150"),
     [("contracts.csv", 3, "bill_rate_usd", "'$150' is not a decimal number")]),
    # codes and enums
    ("country_lower_case", edit("experts", 3, "country", "us"), [("experts.csv", 3, "country", "'us'")]),
    ("country_unassigned", edit("experts", 5, "country", "XX"), [("experts.csv", 5, "country", "'XX'")]),
    ("client_country_unassigned", edit("clients", 3, "country", "UK"), [("clients.csv", 3, "country", "'UK'")]),
    ("domain_not_lower_case", edit("experts", 2, "domain", "Law"),
     [("experts.csv", 2, "domain", "'Law' is not lower case")]),
    ("bad_segment", edit("clients", 2, "segment", "government"),
     [("clients.csv", 2, "segment", "'government' is not one of ai_lab, enterprise, startup, other")]),
    ("bad_bonus_kind", edit("bonuses", 2, "kind", "signing"),
     [("bonuses.csv", 2, "kind", "'signing' is not one of performance, referral, other")]),
    # dates
    ("date_month_13", edit("experts", 3, "signup_date", "2024-13-01"),
     [("experts.csv", 3, "signup_date", "'2024-13-01' is not a date (expected YYYY-MM-DD)")]),
    ("date_us_format", edit("bonuses", 3, "paid_date", "01/02/2024"),
     [("bonuses.csv", 3, "paid_date", "'01/02/2024' is not a date (expected YYYY-MM-DD)")]),
    ("date_february_30", edit("contracts", 2, "start_date", "2024-02-30"),
     [("contracts.csv", 2, "start_date", "'2024-02-30' is not a date")]),
    ("valuation_date_bad", edit("valuations", 3, "as_of_date", "2024-6-1"),
     [("valuations.csv", 3, "as_of_date", "'2024-6-1' is not a date")]),
    # required fields
    ("empty_expert_full_name", empty_in("experts", 3, "full_name"),
     [("experts.csv", 3, "full_name", "is empty, but it is required")]),
    ("empty_signup_date", empty_in("experts", 5, "signup_date"),
     [("experts.csv", 5, "signup_date", "is empty, but it is required")]),
    ("empty_hours", empty_in("work_logs", 4, "hours"),
     [("work_logs.csv", 4, "hours", "is empty, but it is required")]),
    ("empty_client_segment", empty_in("clients", 3, "segment"),
     [("clients.csv", 3, "segment", "is empty, but it is required")]),
    ("empty_valuation_round", empty_in("valuations", 2, "round"),
     [("valuations.csv", 2, "round", "is empty, but it is required")]),
    # dates from 2000-01-01 to 2099-12-31 (a year 10000 month would break every page)
    ("signup_date_year_9999", edit("experts", 3, "signup_date", "9999-12-31"),
     [("experts.csv", 3, "signup_date",
       "9999-12-31 is outside the dates the contract allows (2000-01-01 to 2099-12-31)"),
      ("work_logs.csv", 4, "work_date", "2024-02-01 is before the expert's signup_date 9999-12-31")]),
    ("bonus_paid_in_year_1", edit("bonuses", 2, "paid_date", "0001-01-01"),
     [("bonuses.csv", 2, "paid_date", "0001-01-01 is outside the dates the contract allows")]),
    ("valuation_in_1999", edit("valuations", 2, "as_of_date", "1999-12-31"),
     [("valuations.csv", 2, "as_of_date", "1999-12-31 is outside the dates the contract allows")]),
    # numbers are finite, and a limit holds for the value as written, not its rounded double
    ("bill_rate_1e400", edit("contracts", 2, "bill_rate_usd", "1" + "0" * 400),
     [("contracts.csv", 2, "bill_rate_usd",
       "'1000000000000000000000000000000000000000... (401 characters)' is not a finite number")]),
    ("hours_just_over_24", edit("work_logs", 3, "hours", "24.0000000000000001"),
     [("work_logs.csv", 3, "hours", "24.0000000000000001 is not <= 24")]),
    ("pay_rate_just_over_2000", edit("work_logs", 4, "pay_rate_usd", "+2000.000000000000000000001"),
     [("work_logs.csv", 4, "pay_rate_usd", "+2000.000000000000000000001 is not <= 2000")]),
    ("committed_just_below_0", edit("contracts", 3, "committed_usd", "-0.00000000000000000001"),
     [("contracts.csv", 3, "committed_usd", "-0.00000000000000000001 is not >= 0")]),
    ("bill_rate_a_long_zero", edit("contracts", 3, "bill_rate_usd", "0.0000000000000000000000"),
     [("contracts.csv", 3, "bill_rate_usd", "0.0000000000000000000000 is not > 0")]),
    # physical lines: a quoted multi-line field and a blank line push later records down
    ("line_after_quoted_newline", quoted_newline_then("experts", 4, "country", "XX"),
     [("experts.csv", 5, "country", "'XX'")]),
    ("line_after_blank_line", blank_line_then(3, "hours", "-2.5"),
     [("work_logs.csv", 4, "hours", "-2.5 is not > 0")]),
]

PARQUET_CASES = ["signup_date_year_9999", "hours_just_over_24", "hours_negative", "work_log_unknown_expert", "duplicate_expert_id", "column_removed",
                 "unknown_extra_column", "date_month_13", "empty_expert_full_name", "country_unassigned",
                 "duplicate_work_log", "missing_file"]
CASES_BY_ID = {case[0]: case for case in CASES}


def expected_line(file: str, line: int | None, column: str | None, reason: str) -> re.Pattern:
    where = re.escape(file) + ("" if line is None else f":{line}")
    # A lined problem without a column must not start like one (`FILE:LINE: reason`).
    what = re.escape(column) + ": " if column else "" if line is None else r"(?![a-z_, ]+: )"
    return re.compile(f"{where}: {what}.*?{re.escape(reason)}.*")


def assert_report(refused: LoadRefused, expected: list[tuple]) -> None:
    lines = refused.report().splitlines()
    assert refused.total == len(expected), refused.report()
    assert len(lines) == len(expected), refused.report()
    for want in expected:
        pattern = expected_line(*want)
        assert any(pattern.fullmatch(line) for line in lines), (
            f"no line like {want} in:\n{refused.report()}")
    for line in lines:   # nothing but `FILE: reason` or `FILE:LINE: [column: ]reason`
        assert re.match(r"^[a-z_]+\.(csv|parquet)(:\d+)?: \S", line), line


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, str]:
    """The valid export loaded once: the warehouse that a refused load must leave alone."""
    base = tmp_path_factory.mktemp("previous")
    folder = write_export(base / "export", VALID)
    db = base / "warehouse" / "warehouse.duckdb"
    result = ingest(folder, db)
    assert result.rows["work_logs"] == len(VALID["work_logs"][1])
    return db, sha256(db)


@pytest.fixture
def warehouse(previous, tmp_path) -> Path:
    """A byte copy of the previous warehouse in a folder of its own."""
    db, digest = previous
    target = tmp_path / "warehouse" / "warehouse.duckdb"
    target.parent.mkdir()
    shutil.copyfile(db, target)
    assert sha256(target) == digest
    return target


def assert_untouched(db: Path, digest: str, export: Path, export_files: set[str]) -> None:
    assert sha256(db) == digest, "the previous warehouse changed"
    # A load leaves nothing beside the warehouse, not even a lock file.
    assert listing(db.parent) == {db.name}, listing(db.parent)
    leftovers = [n for n in listing(db.parent) | listing(export)
                 if n.endswith(".wal") or ".building-" in n or ".scratch-" in n or n.endswith(".tmp")]
    assert not leftovers
    assert listing(export) == export_files, "the export folder changed"


def refuse(folder: Path, db: Path) -> LoadRefused:
    with pytest.raises(LoadRefused) as info:
        ingest(folder, db)
    return info.value


# ---------------------------------------------------------------- one test per rule

@pytest.mark.parametrize("case_id, mutate, expected", CASES, ids=[c[0] for c in CASES])
def test_contract_rule_refuses_csv(case_id, mutate, expected, previous, warehouse, tmp_path):
    t, raw = mutate(tables())
    folder = write_export(tmp_path / "export", t, raw)
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, expected)
    assert_untouched(warehouse, previous[1], folder, files)


@pytest.mark.parametrize("case_id", PARQUET_CASES)
def test_contract_rule_refuses_parquet(case_id, previous, warehouse, tmp_path):
    _, mutate, expected = CASES_BY_ID[case_id]
    t, raw = mutate(tables())
    assert not raw
    folder = write_export(tmp_path / "export", t, fmt="parquet")
    files = listing(folder)
    refused = refuse(folder, warehouse)
    # The same report, naming the .parquet file (a missing file is named by its .csv name).
    as_parquet = [(f.replace(".csv", ".parquet"), line, column, reason) for f, line, column, reason in expected]
    if case_id == "missing_file":
        as_parquet = [("contracts.csv", None, None, "contracts.parquet")]
    assert_report(refused, as_parquet)
    assert_untouched(warehouse, previous[1], folder, files)


def test_typed_parquet_reports_the_value(previous, warehouse, tmp_path):
    """A Parquet export with real types (dates, doubles) is checked on the same text."""
    folder = write_export(tmp_path / "export", {k: v for k, v in VALID.items() if k != "work_logs"})
    header, rows = VALID["work_logs"]
    pq.write_table(pa.table({
        "expert_id": [r[0] for r in rows],
        "contract_id": [r[1] for r in rows],
        "work_date": pa.array([date.fromisoformat(r[2]) for r in rows]),
        "hours": [float(r[3]) if i != 2 else -2.5 for i, r in enumerate(rows)],
        "pay_rate_usd": [float(r[4]) for r in rows],
    }), folder / "work_logs.parquet")
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, [("work_logs.parquet", 4, "hours", "-2.5 is not > 0")])
    assert_untouched(warehouse, previous[1], folder, files)


def test_both_csv_and_parquet_of_one_table(previous, warehouse, tmp_path):
    folder = write_export(tmp_path / "export", VALID)
    header, rows = VALID["bonuses"]
    write_parquet(folder / "bonuses.parquet", header, rows)
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, [("bonuses.csv", None, None, "bonuses.parquet")])
    assert_untouched(warehouse, previous[1], folder, files)


# ---------------------------------------------------------------- the reference messages

def test_reference_messages_exactly(previous, warehouse, tmp_path):
    t = tables()
    # work_logs: 40 lines (39 rows); line 17 has hours -2.5, line 40 an unknown expert.
    header, rows = t["work_logs"]
    rows[:] = [["E-0001", "K-01", f"2024-0{3 + i // 28}-{i % 28 + 1:02d}", "2", "70"] for i in range(39)]
    rows[15][3] = "-2.5"
    rows[38][0] = "E-0999"
    # experts: E-0007 at line 3 and again at line 8.
    header, rows = t["experts"]
    rows[1:1] = [["E-0007", "Gus Park", "gus@example.com", "KR", "mathematics", "2024-01-05", ""]]
    rows.append(["E-0011", "Xi Wu", "xi@example.com", "US", "law", "2024-01-05", ""])
    rows.append(["E-0007", "Gus Again", "gus2@example.com", "KR", "mathematics", "2024-01-05", ""])
    assert len(rows) == 7
    folder = write_export(tmp_path / "export", t)
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert sorted(refused.report().splitlines()) == sorted([
        "work_logs.csv:17: hours: -2.5 is not > 0",
        "work_logs.csv:40: expert_id: E-0999 does not exist in experts",
        "experts.csv:8: expert_id: E-0007 appears again (first at line 3)",
    ])
    assert_untouched(warehouse, previous[1], folder, files)


# ---------------------------------------------------------------- many problems

def test_a_file_with_several_problems_reports_every_one(previous, warehouse, tmp_path):
    t = tables()
    set_field(t, "work_logs", 3, "hours", "-2.5")
    set_field(t, "work_logs", 4, "expert_id", "E-0999")
    set_field(t, "work_logs", 5, "pay_rate_usd", "2001")
    set_field(t, "work_logs", 6, "work_date", "2024-13-01")
    set_field(t, "work_logs", 7, "hours", "")
    set_field(t, "experts", 2, "country", "us")
    set_field(t, "clients", 3, "segment", "gov")
    folder = write_export(tmp_path / "export", t)
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, [
        ("work_logs.csv", 3, "hours", "-2.5 is not > 0"),
        ("work_logs.csv", 4, "expert_id", "E-0999 does not exist in experts"),
        ("work_logs.csv", 5, "pay_rate_usd", "2001 is not <= 2000"),
        ("work_logs.csv", 6, "work_date", "'2024-13-01' is not a date"),
        ("work_logs.csv", 7, "hours", "is empty, but it is required"),
        ("experts.csv", 2, "country", "'us'"),
        ("clients.csv", 3, "segment", "'gov'"),
    ])
    assert_untouched(warehouse, previous[1], folder, files)


def test_several_rows_with_a_wrong_field_count_are_all_reported(previous, warehouse, tmp_path):
    lines = [",".join(r) for r in VALID["work_logs"][1]]
    lines[1] = lines[1] + ",1"                      # line 3: 6 fields
    lines[4] = lines[4].rsplit(",", 2)[0]           # line 6: 3 fields
    folder = write_export(tmp_path / "export", {k: v for k, v in VALID.items() if k != "work_logs"},
                          {"work_logs.csv": raw_lines("work_logs", lines)})
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, [("work_logs.csv", 3, None, "6 fields"), ("work_logs.csv", 6, None, "3 fields")])
    assert_untouched(warehouse, previous[1], folder, files)


def test_more_than_100_rows_with_a_wrong_field_count(previous, warehouse, tmp_path):
    lines = [f"E-0001,K-01,2024-{3 + i // 28:02d}-{i % 28 + 1:02d},1,70,extra" for i in range(150)]
    folder = write_export(tmp_path / "export", {k: v for k, v in VALID.items() if k != "work_logs"},
                          {"work_logs.csv": raw_lines("work_logs", lines)})
    files = listing(folder)
    refused = refuse(folder, warehouse)
    lines = refused.report().splitlines()
    assert refused.total == 150
    assert lines[:100] == [f"work_logs.csv:{n}: has 6 fields, but the header has 5" for n in range(2, 102)]
    assert len(lines) == 101 and "50 more" in lines[100]
    assert_untouched(warehouse, previous[1], folder, files)


def many_bad_work_logs(count: int, bad_pay_every: int = 0) -> dict:
    t = tables()
    rows = t["work_logs"][1]
    rows[:] = []
    for i in range(count):
        day = f"2024-{3 + i // 28:02d}-{i % 28 + 1:02d}"
        pay = "0" if bad_pay_every and i % bad_pay_every == 0 else "70"
        rows.append(["E-0001", "K-01", day, "-1", pay])
    return t


def test_more_than_100_problems_reports_100_and_a_count_of_the_rest(previous, warehouse, tmp_path):
    folder = write_export(tmp_path / "export", many_bad_work_logs(250))
    files = listing(folder)
    refused = refuse(folder, warehouse)
    lines = refused.report().splitlines()
    assert refused.total == 250
    assert len(lines) == PROBLEM_CAP + 1 == 101
    assert lines[:100] == [f"work_logs.csv:{n}: hours: -1 is not > 0" for n in range(2, 102)]
    assert "150" in lines[100] and "more" in lines[100] and "250" in lines[100]
    assert not re.match(r"^[a-z_]+\.csv:\d+:", lines[100])
    assert_untouched(warehouse, previous[1], folder, files)


def test_the_cap_counts_problems_of_every_rule_and_file(previous, warehouse, tmp_path):
    t = many_bad_work_logs(90, bad_pay_every=3)                 # 90 hours + 30 pay_rate problems
    set_field(t, "experts", 3, "domain", "Software")            # + 1
    folder = write_export(tmp_path / "export", t)
    files = listing(folder)
    refused = refuse(folder, warehouse)
    lines = refused.report().splitlines()
    assert refused.total == 121
    assert len(lines) == 101
    assert "experts.csv:3: domain: 'Software' is not lower case" in lines
    assert "21 more" in lines[100]
    assert_untouched(warehouse, previous[1], folder, files)


# ---------------------------------------------------------------- the CLI

CLI_CASES = ["hours_negative", "duplicate_expert_id", "missing_file", "non_utf8_in_first_chunk"]


@pytest.mark.parametrize("case_id", CLI_CASES)
def test_cli_refuses_with_exit_code_1(case_id, previous, warehouse, tmp_path):
    _, mutate, expected = CASES_BY_ID[case_id]
    t, raw = mutate(tables())
    folder = write_export(tmp_path / "export", t, raw)
    files = listing(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "expertnet", "ingest", str(folder), "--db", str(warehouse)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    stderr_lines = proc.stderr.splitlines()
    for want in expected:
        pattern = expected_line(*want)
        assert any(pattern.fullmatch(line) for line in stderr_lines), proc.stderr
    assert "refused" in proc.stderr
    assert "loaded" not in proc.stdout
    assert_untouched(warehouse, previous[1], folder, files)


def test_cli_loads_a_valid_export(tmp_path):
    folder = write_export(tmp_path / "export", VALID)
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "expertnet", "ingest", str(folder), "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert db.exists()


# ---------------------------------------------------------------- what may be absent

def test_a_refused_first_load_creates_no_warehouse(tmp_path):
    t, raw = CASES_BY_ID["hours_negative"][1](tables())
    folder = write_export(tmp_path / "export", t, raw)
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    refuse(folder, db)
    assert not db.exists()
    assert listing(db.parent) == set()


def test_valuations_may_be_absent(warehouse, tmp_path):
    folder = write_export(tmp_path / "export", {k: v for k, v in VALID.items() if k != "valuations"})
    result = ingest(folder, warehouse)
    assert result.rows["valuations"] == 0
    assert listing(warehouse.parent) == {warehouse.name}
    from expertnet.metrics import kpis
    from expertnet.metrics.filters import parse_month
    from expertnet.warehouse import open_read_only
    with open_read_only(str(warehouse)) as con:
        assert con.execute("SELECT count(*) FROM work_logs").fetchone()[0] == len(VALID["work_logs"][1])
        k = kpis.kpis(con, parse_month("2024-03"))
    assert k["valuation_usd"] is None
    assert k["implied_arr_multiple"] is None
    assert k["hours"] == pytest.approx(5 + 1.5 + 6)


def test_the_valid_export_loads_and_the_previous_warehouse_is_readable(previous):
    db, _ = previous
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in VALID}
    finally:
        con.close()
    assert counts == {t: len(rows) for t, (_, rows) in VALID.items()}


# ---------------------------------------------------------------- odd files and stopped loads

def test_a_symlinked_export_file_is_refused_and_its_target_never_echoed(previous, warehouse, tmp_path):
    folder = write_export(tmp_path / "export", tables())
    secret = tmp_path / "elsewhere.csv"
    secret.write_text("as_of_date,round,post_money_usd\nroot:x:0:0:root:/root:/bin/bash,Seed,1\n")
    (folder / "valuations.csv").unlink()
    (folder / "valuations.csv").symlink_to(secret)
    refused = refuse(folder, warehouse)
    assert refused.report() == ("valuations.csv: is a symbolic link; put the file itself in the export folder")
    assert "root" not in refused.report()
    assert sha256(warehouse) == previous[1]


def test_a_20_mb_field_gets_a_short_exact_message(previous, warehouse, tmp_path):
    t = set_field(tables(), "clients", 2, "name", "x" * (20 * 2**20))
    folder = write_export(tmp_path / "export", t)
    refused = refuse(folder, warehouse)
    [line] = refused.report().splitlines()
    # C-01, (5 bytes) + the 20 MiB name + ,ai_lab,US (10 bytes)
    assert line == ("clients.csv:2: the record is 20,971,535 bytes long, over the 2,000,000 bytes a record may "
                    "have: a field this long is not a real value; check the export")
    assert sha256(warehouse) == previous[1]


def test_ten_thousand_unknown_columns_make_one_short_line(previous, warehouse, tmp_path):
    header, rows = VALID["clients"]
    extra = [f"extra_{n}" for n in range(10_000)]
    folder = write_export(tmp_path / "export", tables() | {"clients": (header + extra, [r + [""] * 10_000 for r in rows])})
    refused = refuse(folder, warehouse)
    [line] = refused.report().splitlines()
    assert line == ("clients.csv: unknown column extra_0, extra_1, extra_2, extra_3, extra_4 and 9,995 more "
                    "(expected exactly: client_id, name, segment, country; is this the right export?)")


def test_a_parquet_list_column_is_refused(previous, warehouse, tmp_path):
    folder = write_export(tmp_path / "export", tables(), fmt="parquet")
    header, rows = VALID["clients"]
    columns = {name: pa.array([row[i] for row in rows], type=pa.string()) for i, name in enumerate(header)}
    columns["name"] = pa.array([[1, 2], [3]], type=pa.list_(pa.int64()))
    pq.write_table(pa.table(columns), folder / "clients.parquet")
    refused = refuse(folder, warehouse)
    assert refused.report() == ("clients.parquet: name: holds BIGINT[] values, not text (a column holds text, "
                                "a date or a number, never a list, a struct or a map)")
    assert sha256(warehouse) == previous[1]


@pytest.mark.parametrize("stop_at", ["reading", "checking", "building rollups", "swapping in"])
def test_a_load_killed_at_any_step_leaves_the_warehouse_and_the_next_load_cleans_up(stop_at, previous, warehouse,
                                                                                     tmp_path):
    """SIGKILL, as an out-of-memory kill or a power cut would: no finally runs."""
    folder = write_export(tmp_path / "export", tables())
    code = ("import os, signal, sys; from pathlib import Path; from expertnet.ingest.load import ingest\n"
            "stop = sys.argv[3]\n"
            "ingest(Path(sys.argv[1]), Path(sys.argv[2]), "
            "lambda m: os.kill(os.getpid(), signal.SIGKILL) if stop in m else None)\n")
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(warehouse), stop_at], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    debris = listing(warehouse.parent) - {warehouse.name}
    assert debris, "a killed load leaves its half-built snapshot (that is what the next load must clean)"
    assert sha256(warehouse) == previous[1]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM work_logs").fetchone()[0] == len(VALID["work_logs"][1])
    messages = []
    ingest(folder, warehouse, messages.append)
    assert listing(warehouse.parent) == {warehouse.name}
    assert any(m.endswith("left by a load that was stopped") for m in messages)


def test_typed_parquet_doubles_load_whatever_their_size(tmp_path):
    """A double prints as 5e+20 or 1e-05; as Parquet's own type, it is the value as written."""
    folder = write_export(tmp_path / "export", {k: v for k, v in VALID.items() if k not in ("work_logs", "valuations")})
    header, rows = VALID["work_logs"]
    pq.write_table(pa.table({
        "expert_id": [r[0] for r in rows], "contract_id": [r[1] for r in rows],
        "work_date": pa.array([date.fromisoformat(r[2]) for r in rows]),
        "hours": [1e-05] + [float(r[3]) for r in rows[1:]],
        "pay_rate_usd": [float(r[4]) for r in rows]}), folder / "work_logs.parquet")
    pq.write_table(pa.table({"as_of_date": pa.array([date(2024, 6, 1)]), "round": ["Series A"],
                             "post_money_usd": [5e20]}), folder / "valuations.parquet")
    db = tmp_path / "w.duckdb"
    ingest(folder, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT min(hours) FROM work_logs").fetchone()[0] == 1e-05
        assert con.execute("SELECT post_money_usd FROM valuations").fetchone()[0] == 5e20


def test_a_value_too_small_to_store_is_refused(previous, warehouse, tmp_path):
    tiny = "0." + "0" * 400 + "1"
    folder = write_export(tmp_path / "export", set_field(tables(), "work_logs", 3, "hours", tiny))
    refused = refuse(folder, warehouse)
    assert refused.report() == (f"work_logs.csv:3: hours: '{tiny[:40]}... (403 characters)' is too small to store "
                                "(it would be kept as 0)")


def test_mixed_line_endings_are_named(previous, warehouse, tmp_path):
    folder = write_export(tmp_path / "export", tables())
    with (folder / "clients.csv").open("ab") as f:
        f.write(b"C-03,Gamma Ltd,startup,FR\r\n")
    refused = refuse(folder, warehouse)
    assert refused.report() == ("clients.csv: mixes line endings (\\n and \\r\\n); export it with one kind of "
                                "line ending")


# ---------------------------------------------------------------- the optional plan and events

TARGETS = (["metric", "month", "target_value"],
           [["billings_usd", "2024-06", "500000"],                                                # 2
            ["take_rate", "2024-06", "0.3"],                                                      # 3
            ["experts_new", "2024-07", "0"]])                                                     # 4
EVENTS = (["event_date", "title", "kind", "investor_visible"],
          [["2024-06-01", "Series A closed", "round", "true"],                                     # 2
           ["2024-03-15", "New pricing", "pricing", ""]])                                         # 3


def test_targets_and_events_load_when_they_keep_the_contract(tmp_path):
    folder = write_export(tmp_path / "export", tables() | {"targets": TARGETS, "events": EVENTS})
    db = tmp_path / "w.duckdb"
    result = ingest(folder, db)
    assert (result.rows["targets"], result.rows["events"]) == (3, 2)


@pytest.mark.parametrize("table, line, column, value, reason", [
    ("targets", 2, "metric", "revenue", "'revenue' is not one of billings_usd, net_revenue_usd"),
    ("targets", 3, "month", "2024-13", "'2024-13' is not a month as YYYY-MM from 2000-01 to 2099-12"),
    ("targets", 2, "month", "1999-12", "'1999-12' is not a month as YYYY-MM"),
    ("targets", 4, "target_value", "-1", "-1 is not >= 0"),
    ("targets", 3, "target_value", "1.5", "1.5 is above 1 (take_rate is a share, from 0 to 1)"),
    ("events", 2, "title", "x" * 81, "is 81 characters long, more than 80"),
    ("events", 3, "kind", "launch", "'launch' is not one of round, client, product, pricing, other"),
    ("events", 2, "investor_visible", "yes", "'yes' is not one of true, false"),
    ("events", 3, "event_date", "1999-12-31", "1999-12-31 is outside the dates the contract allows"),
])
def test_targets_and_events_rules(table, line, column, value, reason, previous, warehouse, tmp_path):
    t = tables() | {"targets": copy.deepcopy(TARGETS), "events": copy.deepcopy(EVENTS)}
    folder = write_export(tmp_path / "export", set_field(t, table, line, column, value))
    files = listing(folder)
    refused = refuse(folder, warehouse)
    assert_report(refused, [(f"{table}.csv", line, column, reason)])
    assert_untouched(warehouse, previous[1], folder, files)


def test_a_target_appears_again(previous, warehouse, tmp_path):
    t = tables() | {"targets": (TARGETS[0], TARGETS[1] + [["billings_usd", "2024-06", "1"]])}
    refused = refuse(write_export(tmp_path / "export", t), warehouse)
    assert_report(refused, [("targets.csv", 5, "metric, month", "(billings_usd, 2024-06) appears again (first at line 2)")])
