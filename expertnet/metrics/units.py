"""Every unit a figure can have, declared once: how it is written in text (pages, CLI, CSV
views), how a chart's axis and tooltip write it (d3-format, as Vega-Lite takes it), how a
table column formats it, and whether a rise is good news when nothing says otherwise.

A unit is named by its constant (units.USD); a name that is not one of these is an error,
never a silent default (unit_of).
"""

from dataclasses import dataclass
from typing import Callable


def _usd(value: float) -> str:
    return f"${value:,.0f}" if abs(value) >= 1000 else f"${value:,.2f}"


@dataclass(frozen=True)
class Unit:
    name: str
    text: Callable[[float], str]          # the value written for people
    axis_format: str                      # d3-format of a chart axis
    tooltip_format: str                   # d3-format of a chart tooltip
    column_format: str                    # st.column_config.NumberColumn format
    up_is_good: bool = True

    def __str__(self) -> str:
        return self.name


MONTH = Unit("month", str, "", "", "")
EXPERTS = Unit("experts", lambda v: f"{v:,.0f}", ",.0f", ",.0f", "localized")
CLIENTS = Unit("clients", lambda v: f"{v:,.0f}", ",.0f", ",.0f", "localized")
SHARE = Unit("share", lambda v: f"{v * 100:.1f}%", ".1~%", ".1%", "percent")
HOURS = Unit("hours", lambda v: f"{v:,.1f} h", ",.0f", ",.1f", "%.1f")
HOURS_PER_EXPERT = Unit("hours/expert", lambda v: f"{v:,.1f} h/expert", ",.1f", ",.1f", "%.1f")
USD = Unit("usd", _usd, "$,.3~s", "$,.0f", "dollar")
USD_PER_HOUR = Unit("usd/hour", lambda v: f"${v:,.2f}/h", "$,.0f", "$,.2f", "dollar")
INDEX = Unit("index", lambda v: f"{v:,.0f}", ",.0f", ",.0f", "localized")
MULTIPLE = Unit("x", lambda v: f"{v:,.1f}x", ",.1f", ",.1f", "%.1fx")

UNITS = {u.name: u for u in (MONTH, EXPERTS, CLIENTS, SHARE, HOURS, HOURS_PER_EXPERT, USD, USD_PER_HOUR, INDEX,
                             MULTIPLE)}


def unit_of(unit: "Unit | str") -> Unit:
    """The Unit itself, or the one of that name; anything else is a mistake in the code."""
    if isinstance(unit, Unit):
        return unit
    try:
        return UNITS[unit]
    except (KeyError, TypeError):
        raise ValueError(f"unknown unit {unit!r}; the units are {', '.join(UNITS)}") from None
