"""The row checks of the data contract, run as SQL over staged exports.

A staged table is `stage_<table>`: `line_no` (the physical line in the file, the
header being line 1) and every column as text, NULL where the field was empty.
Each check is one query that returns the offending rows, first lines first; the
message is formatted here. Table and column names come from contract.TABLES,
never from a file, and every value is a bound parameter.
"""

from dataclasses import dataclass
from typing import Callable

from expertnet.ingest.contract import DATE, DECIMAL, Column, Table
from expertnet.ingest.countries import ISO_3166_ALPHA2

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
DECIMAL_PATTERN = r"[+-]?(\d+\.?\d*|\.\d+)"   # no exponent: 1e3 is not how money is written


@dataclass(frozen=True)
class Check:
    column: str
    sql: str                                  # SELECT line_no, <values...> ... ORDER BY line_no
    message: Callable[..., str]               # values -> reason
    params: dict | None = None
    # A rule on one row of its own table gives its condition too, so that every such rule
    # of a table is counted in a single scan and only a failing one is listed row by row.
    where: str | None = None
    # A query counting possible offenders cheaply; 0 means the rule holds everywhere.
    precheck: str | None = None


def _row_check(stage: str, column: str, where: str, values: str, message, params: dict | None = None) -> Check:
    select = f"line_no, {values}" if values else "line_no"
    return Check(column, f"SELECT {select} FROM {stage} WHERE {where} ORDER BY line_no", message, params, where)


FIRST_DATE, LAST_DATE = "2000-01-01", "2099-12-31"
_SHORT = 40


def _short(value) -> str:
    """A value as written, cut to a length a message can carry."""
    text = str(value)
    return text if len(text) <= _SHORT else f"{text[:_SHORT]}... ({len(text):,} characters)"


def _compare_as_written(column: str, breaks: str, bound: str) -> str:
    """Whether a decimal as written is above, below, or not above a whole-number bound, decided
    on its digits, not on a double: 24.0000000000000001 is a double of 24 but is above 24.
    The integer part decides, and at equality, whether any fractional digit is not 0. Values
    whose integer part is too long for a HUGEINT fall back to the double (they are far off any
    bound, and not finite is a rule of its own)."""
    text = f"ltrim({column}, '+-')"
    negative = f"starts_with({column}, '-')"
    whole = f"TRY_CAST(coalesce(nullif(split_part({text}, '.', 1), ''), '0') AS HUGEINT)"
    fraction = f"regexp_matches(split_part({text}, '.', 2), '[1-9]')"
    nonzero = f"({whole} > 0 OR {fraction})"
    above = f"(NOT {negative} AND ({whole} > {bound} OR ({whole} = {bound} AND {fraction})))"
    below = f"(({negative} AND {nonzero}) OR (NOT {negative} AND {whole} < {bound}))"
    exact = {"above": above, "below": below, "not_above": f"NOT {above}"}[breaks]
    double = {"above": ">", "below": "<", "not_above": "<="}[breaks]
    return (f"{column} IS NOT NULL AND regexp_full_match({column}, $decimal_pattern) AND "
            f"coalesce(CASE WHEN {whole} IS NOT NULL THEN {exact} END, {_number(column)} {double} {bound})")


def _date(column: str) -> str:
    return f"TRY_CAST({column} AS DATE)"


def _number(column: str) -> str:
    return f"TRY_CAST({column} AS DOUBLE)"


def column_checks(table: Table, column: Column, staged: set[str]) -> list[Check]:
    s, c = f"stage_{table.name}", column.name
    checks: list[Check] = []
    if column.required:
        checks.append(_row_check(s, c, f"{c} IS NULL", "", lambda: "is empty, but it is required"))
    if column.kind == DATE:
        checks.append(_row_check(
            s, c, f"{c} IS NOT NULL AND (NOT regexp_full_match({c}, $date_pattern) OR {_date(c)} IS NULL)", c,
            lambda v: f"'{v}' is not a date (expected YYYY-MM-DD)", {"date_pattern": DATE_PATTERN}))
        checks.append(_row_check(
            s, c, f"{_date(c)} NOT BETWEEN DATE '{FIRST_DATE}' AND DATE '{LAST_DATE}'", c,
            lambda v: f"{v} is outside the dates the contract allows ({FIRST_DATE} to {LAST_DATE})"))
    if column.kind == DECIMAL:
        checks.append(_row_check(
            s, c, f"{c} IS NOT NULL AND (NOT regexp_full_match({c}, $decimal_pattern) OR {_number(c)} IS NULL)", c,
            lambda v: f"'{_short(v)}' is not a decimal number", {"decimal_pattern": DECIMAL_PATTERN}))
        checks.append(_row_check(
            s, c, f"isinf({_number(c)})", c,
            lambda v: f"'{_short(v)}' is not a finite number (too large to store)"))
        checks.append(_row_check(
            s, c, f"{_number(c)} = 0 AND regexp_matches({c}, '[1-9]')", c,
            lambda v: f"'{_short(v)}' is too small to store (it would be kept as 0)"))
    if column.one_of:
        allowed = list(column.one_of)
        checks.append(_row_check(
            s, c, f"{c} IS NOT NULL AND NOT list_contains(${c}_allowed, {c})", c,
            lambda v: f"'{v}' is not one of {', '.join(allowed)}", {f"{c}_allowed": allowed}))
    if column.is_country:
        checks.append(_row_check(
            s, c, f"{c} IS NOT NULL AND NOT list_contains($country_codes, {c})", c,
            lambda v: f"'{v}' is not an ISO 3166-1 alpha-2 country code (two upper-case letters, like US)",
            {"country_codes": sorted(ISO_3166_ALPHA2)}))
    if column.pattern:
        hint = column.pattern_hint
        checks.append(_row_check(
            s, c, f"{c} IS NOT NULL AND NOT regexp_full_match({c}, ${c}_pattern)", c,
            lambda v: f"'{_short(v)}' is not {hint}", {f"{c}_pattern": column.pattern}))
    if column.max_length:
        most = column.max_length
        checks.append(_row_check(
            s, c, f"length({c}) > {int(most)}", f"length({c})",
            lambda n: f"is {n:,} characters long, more than {most}"))
    if column.is_lower_case:
        checks.append(_row_check(s, c, f"{c} <> lower({c})", c, lambda v: f"'{v}' is not lower case"))
    for bound, breaks, word, name in ((column.greater_than, "not_above", ">", "gt"),
                                      (column.at_least, "below", ">=", "ge"), (column.at_most, "above", "<=", "le")):
        if bound is not None:
            checks.append(_row_check(
                s, c, _compare_as_written(c, breaks, f"${c}_{name}"), c,
                lambda v, word=word, bound=bound: f"{_short(v)} is not {word} {bound:g}",
                {f"{c}_{name}": bound, "decimal_pattern": DECIMAL_PATTERN}))
    if column.not_before:
        other = column.not_before
        checks.append(_row_check(s, c, f"{_date(c)} < {_date(other)}", f"{c}, {other}",
                                 lambda v, o, other=other: f"{v} is before {other} {o}"))
    if column.unique:
        checks.append(_duplicates(s, (c,)))
    if column.references:
        ref_table, ref_column = column.references.split(".")
        if ref_table in staged:
            checks.append(Check(
                c, f"SELECT line_no, {c} FROM {s} WHERE {c} IS NOT NULL AND {c} NOT IN "
                   f"(SELECT {ref_column} FROM stage_{ref_table} WHERE {ref_column} IS NOT NULL) ORDER BY line_no",
                lambda v, ref_table=ref_table: f"{v} does not exist in {ref_table}"))
    return checks


def _duplicates(stage: str, columns: tuple[str, ...]) -> Check:
    keys = ", ".join(columns)
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    sql = (f"WITH firsts AS (SELECT {keys}, min(line_no) AS first_line FROM {stage} WHERE {not_null} "
           f"GROUP BY {keys} HAVING count(*) > 1) "
           f"SELECT s.line_no, {', '.join('s.' + c for c in columns)}, f.first_line FROM {stage} s "
           f"JOIN firsts f USING ({keys}) WHERE s.line_no > f.first_line ORDER BY s.line_no")

    def message(*values):
        *key, first_line = values
        shown = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
        return f"{shown} appears again (first at line {first_line})"
    # Grouping 100M rows by one 64-bit hash is much cheaper than by the text keys; a
    # repeated hash (a repeated key, or a rare collision) sends it to the exact query.
    precheck = (f"SELECT count(*) FROM (SELECT hash({keys}) AS h FROM {stage} WHERE {not_null} "
                f"GROUP BY h HAVING count(*) > 1)")
    return Check(keys, sql, message, precheck=precheck)


def work_log_checks(staged: set[str]) -> list[Check]:
    """The rules of a work log that reach into other tables' dates."""
    checks = []
    if "experts" in staged:
        checks.append(Check(
            "work_date",
            "SELECT w.line_no, w.work_date, e.signup_date FROM stage_work_logs w "
            "JOIN (SELECT expert_id, min(TRY_CAST(signup_date AS DATE)) AS signup_date "
            "      FROM stage_experts GROUP BY expert_id) e USING (expert_id) "
            "WHERE TRY_CAST(w.work_date AS DATE) < e.signup_date ORDER BY w.line_no",
            lambda d, s: f"{d} is before the expert's signup_date {s}"))
    if "contracts" in staged:
        checks.append(Check(
            "work_date",
            "SELECT w.line_no, w.work_date, w.contract_id, c.start_date, c.end_date FROM stage_work_logs w "
            "JOIN (SELECT contract_id, min(TRY_CAST(start_date AS DATE)) AS start_date, "
            "             min(TRY_CAST(end_date AS DATE)) AS end_date "
            "      FROM stage_contracts GROUP BY contract_id) c USING (contract_id) "
            "WHERE TRY_CAST(w.work_date AS DATE) < c.start_date "
            "   OR TRY_CAST(w.work_date AS DATE) > c.end_date ORDER BY w.line_no",
            lambda d, contract, start, end:
                f"{d} is outside contract {contract} ({start} to {end or 'open-ended'})"))
    return checks


def table_checks(table: Table, staged: set[str]) -> list[Check]:
    checks = [check for column in table.columns for check in column_checks(table, column, staged)]
    if table.unique_together:
        checks.append(_duplicates(f"stage_{table.name}", table.unique_together))
    if table.name == "work_logs":
        checks.extend(work_log_checks(staged))
    if table.name == "targets":
        checks.append(_row_check(
            "stage_targets", "target_value", f"metric = 'take_rate' AND {_number('target_value')} > 1",
            "target_value", lambda v: f"{_short(v)} is above 1 (take_rate is a share, from 0 to 1)"))
    return checks
