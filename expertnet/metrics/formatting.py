"""How a figure is written for people, by its unit: the same in the pages and the CLI."""

import math

import pandas as pd

from expertnet.metrics.privacy import WITHHELD_TEXT
from expertnet.metrics.units import SHARE, Unit, unit_of


def is_missing(value) -> bool:
    """None, NaN, NaT or pandas' NA (a withheld whole count is NA)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def format_value(value, unit: Unit, withheld: bool = False) -> str:
    if is_missing(value):
        return WITHHELD_TEXT if withheld else "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "n/a (too large)"
    return unit_of(unit).text(value)


def change_text(unit: Unit, value, before) -> str | None:
    """The change from `before` to `value` as people read it: points for a share (+1.5 pts), per
    cent for the rest (+12.3%); None where either is missing, or nothing changed once rounded
    (never a "-0.0")."""
    if is_missing(value) or is_missing(before):
        return None
    if unit is SHARE:
        points = round((value - before) * 100, 1)
        return f"{points:+.1f} pts" if points else None
    if before and value != before:
        change = round((value / before - 1) * 100, 1)
        return f"{change:+.1f}%" if change else None
    return None


def text_table(rows: list[list[str]], right_aligned=()) -> str:
    """Rows of text as aligned columns for a terminal, the first row a header underlined;
    the columns numbered in `right_aligned` (numbers) align right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right_aligned else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
