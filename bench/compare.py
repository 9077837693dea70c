"""Comparing the ways: a worker turns each workload's result (DataFrames, dicts, dates, numpy scalars)
into plain JSON rows; then every figure of ways 2 and 3 is matched row by row against way 1's with a
relative tolerance of 1e-9 (nulls must match nulls), listing every difference and the largest relative
difference among the figures that agree, and summed up in the report's "agreement" entry."""

import math
from datetime import date, datetime

REL_TOL = 1e-9
# How the rows of each part of a result are matched between the ways (None: by position).
PART_KEYS = {
    "kpis": ("month",), "activation": ("cohort",), "segments": ("segment",), "summary": (),
    "histogram": None, "billings_by_segment": ("month", "segment"), "top_clients": ("rank",),
    "retention": ("cohort", "months_since"), "marks": ("as_of_date",), "mark_kpis": ("month",),
    "events": ("event_date", "title"), "ending": ("ending_within_days",), "supply": ("segment",),
}
# Figures a founder's view leaves out on purpose: the experts behind billings by segment
# are counted only for an investor's threshold.
NOT_COMPARED = {("billings_by_segment", "experts")}
# The figures the brief requires to agree; every other figure is compared too.
REQUIRED_MONTHLY = ("hours", "expert_pay_usd", "billings_usd", "bonuses_usd", "experts_active")


def _plain(value):
    """A JSON-ready value: None for null/NaN, int, float, str; dates as YYYY-MM-DD."""
    import numpy as np
    import pandas as pd
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date().isoformat()
    return value


def _rows(value) -> list[dict]:
    import pandas as pd
    if isinstance(value, pd.DataFrame):
        value = value.to_dict("records")
    rows = []
    for row in value:
        if isinstance(row, pd.DataFrame):      # a one-month KPI frame
            rows += _rows(row)
        else:
            rows.append({k: _plain(v) for k, v in row.items()})
    return rows


def normalise(result: dict) -> dict:
    """A workload's result as {part: [row dicts]}, JSON-ready."""
    return {part: _rows(value) for part, value in result.items()}


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (str, bool)) or isinstance(b, (str, bool)):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)


def _show(value) -> str:
    return "null" if value is None else repr(value)


def _keyed(rows: list[dict], keys) -> dict:
    if keys is None:
        return {(f"#{i + 1}",): row for i, row in enumerate(rows)}
    return {tuple(row.get(k) for k in keys): row for row in rows}


def compare(reference: dict, other: dict, way: int) -> tuple[list[str], dict]:
    """Every difference between way 1's results and another way's, one line each; and the
    largest relative difference among the figures that agree."""
    differences = []
    largest = {"relative_difference": 0.0, "where": "", "figures_compared": 0}
    for workload, parts in reference.items():
        theirs_parts = other.get(workload, {})
        for part, rows in parts.items():
            where = f"way {way} {workload}/{part}"
            if part not in theirs_parts:
                differences.append(f"{where}: missing")
                continue
            keys = PART_KEYS[part]
            mine, theirs = _keyed(rows, keys), _keyed(theirs_parts[part], keys)
            for key in mine.keys() - theirs.keys():
                differences.append(f"{where}: no row {'/'.join(map(str, key))}")
            for key in theirs.keys() - mine.keys():
                differences.append(f"{where}: extra row {'/'.join(map(str, key))}")
            for key in sorted(mine.keys() & theirs.keys(), key=str):
                a_row, b_row = mine[key], theirs[key]
                name = "/".join(map(str, key)) or "row"
                for column, a in a_row.items():
                    if (part, column) in NOT_COMPARED:
                        continue
                    if column not in b_row:
                        differences.append(f"{where} {name}: no column {column}")
                        continue
                    b = b_row[column]
                    largest["figures_compared"] += 1
                    if not _close(a, b):
                        differences.append(f"{where} {name} {column}: {_show(b)} vs way 1 {_show(a)}")
                    elif isinstance(a, (int, float)) and not isinstance(a, bool) and a:
                        rel = abs(b - a) / abs(a)
                        if rel > largest["relative_difference"]:
                            largest.update(relative_difference=rel, where=f"{workload}/{part} {name} {column}")
    return differences, largest


def agreement(ok: dict) -> dict:
    """The report's "agreement" entry, from the answers of the ways whose process succeeded."""
    differences, largest = [], {}
    if 1 in ok:
        for way in (2, 3):
            if way in ok:
                found, largest[str(way)] = compare(ok[1]["results"], ok[way]["results"], way)
                differences += found
    compared_ways = sorted(ok)
    return {
        "agree": not differences and 1 in ok and len(ok) > 1,
        "ways_compared": compared_ways,
        "compared": (f"ways {', '.join(map(str, compared_ways))}, every figure of every workload: the KPI series "
                     f"(all KPIs, including {', '.join(REQUIRED_MONTHLY)} per month and earnings_p50_usd), the "
                     f"retention matrix (cohort, months_since, cohort_size, active, rate) and each breakdown "
                     f"(not the experts behind billings by segment, which a founder's view does not count)"),
        "differences": differences,
        "largest_relative_difference": largest,
    }
