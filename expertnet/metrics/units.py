"""Every unit a figure can have, declared once: how it is written in text (pages, CLI, CSV
views), how a chart's axis and tooltip write it (d3-format, as Vega-Lite takes it), how a
table column formats it, and whether a rise is good news when nothing says otherwise.

A unit is named by its constant (units.USD), so a typo is a NameError; anything else passed as
a unit is refused (unit_of), never formatted with a silent default.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _tenths(value: float) -> str:
    """One decimal, a half rounded up as the grids round it (678.25 h reads 678.3 h in a table
    and on a tile, where Python's own format would give 678.2)."""
    return f"{Decimal(repr(float(value))).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def _three_digits(value: float) -> str:
    """1.01, 15.2, 162, 500: three significant digits, no trailing zeros after the point."""
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


def compact(value: float, below: float) -> str:
    """A magnitude written short (162k, 1.01M, 500M) from `below` up; under it, whole with commas."""
    size = abs(value)
    if size >= below:
        for limit, suffix in _SUFFIXES:
            rounded = float(f"{size / limit:.3g}")
            if size >= limit or rounded >= 1:
                if rounded >= 1000 and limit < _SUFFIXES[0][0]:   # 999.7k is 1M
                    continue
                return f"{'-' if value < 0 else ''}{_three_digits(rounded)}{suffix}"
    return f"{value:,.0f}"


def _usd(value: float) -> str:
    """One money format per magnitude, everywhere: $3.50, $162, $9,870, $15.2k, $1.01M, $500M."""
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size == 0:
        return "$0"
    if size < 10:
        return f"{sign}${size:,.2f}"
    return f"{sign}${compact(size, 10_000)}"


@dataclass(frozen=True)
class Unit:
    name: str
    text: Callable[[float], str]          # the value written for people
    axis_format: str                      # d3-format of a chart axis
    tooltip_format: str                   # d3-format of a chart tooltip
    column_format: str                    # st.column_config.NumberColumn format
    integer: bool = False                 # a count: axes tick whole numbers only

    def __str__(self) -> str:
        return self.name


MONTH = Unit("month", str, "", "", "")
EXPERTS = Unit("experts", lambda v: compact(v, 1e6), ",.0f", ",.0f", "localized", integer=True)
CLIENTS = Unit("clients", lambda v: compact(v, 1e6), ",.0f", ",.0f", "localized", integer=True)
SHARE = Unit("share", lambda v: f"{v * 100:.1f}%", ".2~%", ".2%", "percent")   # axis: 0.05% .. 45%
HOURS = Unit("hours", lambda v: f"{_tenths(v)} h" if abs(v) < 10_000 else f"{compact(v, 10_000)} h", "~s", ",.1f",
             "%,.1f")
HOURS_PER_EXPERT = Unit("hours/expert", lambda v: f"{v:,.1f} h", ",.1f", ",.1f", "%.1f")
USD = Unit("usd", _usd, "$~s", "$,.0f", "$%,.0f")
USD_PER_HOUR = Unit("usd/hour", lambda v: f"${v:,.2f}/h", "$,.0f", "$,.2f", "$%.2f")
CONTRACTS = Unit("contracts", lambda v: compact(v, 1e6), ",.0f", ",.0f", "localized", integer=True)
DAYS = Unit("days", lambda v: f"{v:,.1f} days" if abs(v) < 100 else f"{v:,.0f} days", ",.0f", ",.1f", "%,.1f")
WHOLE_DAYS = Unit("days", lambda v: f"{v:,.0f} days", ",.0f", ",.0f", "localized", integer=True)   # days since a date
COEFFICIENT = Unit("coefficient", lambda v: f"{v:.3f}", ".2f", ".3f", "%.3f")   # 0 to 1, not a share
INDEX = Unit("index", lambda v: f"{v:,.0f}", ",.0f", ",.0f", "localized")
MULTIPLE = Unit("x", lambda v: f"{v:,.1f}x", ",.1f", ",.1f", "%.1fx")



def unit_of(unit: Unit) -> Unit:
    """The unit itself; anything else (a name typed as text) is a mistake in the code, said at once
    rather than formatted with a silent default."""
    if not isinstance(unit, Unit):
        raise TypeError(f"expected one of the units of expertnet.metrics.units, got {unit!r}")
    return unit
