"""Alert rules, read from a small TOML file (alerts.toml), and which of them hold for a month.

    [[alert]]
    name = "Billings fell"
    metric = "billings_usd"        # a key of docs/METRICS.md
    change = "previous_month"      # or "year_ago"
    beyond_pct = 10                # |change| above 10%; with direction = "down" or "up", one way only
    direction = "down"

    [[alert]]
    name = "Take rate too low"
    metric = "take_rate"
    below = 0.3                    # or above = ...

    [[alert]]
    name = "Billings behind plan"
    metric = "billings_usd"
    misses_target = true           # worse than the month's target in the targets file

Each rule has exactly one condition. A rule is checked against the whole company's KPIs of a
month (kpis.kpi_series), as the founders' Overview shows them. A file with an unknown metric, a
missing name or an unclear condition is refused when read, naming the file and the line.
"""

import math
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from expertnet.config import PROJECT_DIR
from expertnet.errors import BadInput
from expertnet.metrics import kpis
from expertnet.metrics.filters import add_months
from expertnet.metrics.formatting import format_value, is_missing

DEFAULT_FILE = PROJECT_DIR / "alerts.toml"
CHANGES = {"previous_month": ("the month before", 1), "year_ago": ("the same month a year earlier", 12)}
DIRECTIONS = ("either", "down", "up")
KEYS = {"name", "metric", "below", "above", "change", "beyond_pct", "direction", "misses_target"}


@dataclass(frozen=True)
class Rule:
    name: str
    metric: str
    below: float | None = None
    above: float | None = None
    change: str | None = None
    beyond_pct: float | None = None
    direction: str = "either"
    misses_target: bool = False

    def describe(self) -> str:
        kpi = kpis.KPIS_BY_KEY[self.metric]
        if self.below is not None:
            return f"{kpi.label} below {format_value(self.below, kpi.unit)}"
        if self.above is not None:
            return f"{kpi.label} above {format_value(self.above, kpi.unit)}"
        if self.change:
            way = {"either": "changed by more than", "down": "fell by more than", "up": "rose by more than"}
            return f"{kpi.label} {way[self.direction]} {self.beyond_pct:g}% against {CHANGES[self.change][0]}"
        return f"{kpi.label} worse than its target"


@dataclass(frozen=True)
class Fired:
    rule: Rule
    month: str
    value: float
    compared_with: float | None      # the month it is compared with, or the target
    message: str


def rules_file() -> Path:
    return Path(os.environ.get("EXPERTNET_ALERTS") or DEFAULT_FILE)


class _RuleError(ValueError):
    """What is wrong with a rule, and the setting it is about (to find its line)."""
    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


def _line_of(text: str, index: int, key: str | None) -> int:
    """The line of `key` in the index-th [[alert]] table, else where that table starts (1-based)."""
    starts = [m.start() for m in re.finditer(r"(?m)^[ \t]*\[\[[ \t]*alert[ \t]*\]\]", text)]
    if index >= len(starts):
        return 1
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    found = re.search(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=", text[starts[index]:end]) if key else None
    return text.count("\n", 0, starts[index] + (found.start() if found else 0)) + 1


def _number(value, key: str, what: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _RuleError(f"{what or key} must be a number", key)
    return float(value)


def _rule(table: dict) -> Rule:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise _RuleError(f"unknown setting {unknown[0]!r} (one of: {', '.join(sorted(KEYS))})", unknown[0])
    name, metric = table.get("name"), table.get("metric")
    if not isinstance(name, str) or not name.strip():
        raise _RuleError("a rule needs a name", "name")
    if metric not in kpis.KPIS_BY_KEY or metric == "month":
        raise _RuleError(f"unknown metric {str(metric)[:60]!r} (the keys of docs/METRICS.md)", "metric")
    # (a 0 is a value: "net revenue below 0" is a rule; only misses_target = false means unset)
    conditions = [c for c in ("below", "above", "change", "misses_target")
                  if c in table and not (c == "misses_target" and table[c] is False)]
    if len(conditions) != 1:
        raise _RuleError("a rule needs exactly one of below, above, change or misses_target",
                         conditions[1] if len(conditions) > 1 else None)
    if "change" in conditions:
        if table["change"] not in CHANGES:
            raise _RuleError(f"change must be one of {', '.join(CHANGES)}", "change")
        direction = table.get("direction", "either")
        if direction not in DIRECTIONS:
            raise _RuleError(f"direction must be one of {', '.join(DIRECTIONS)}", "direction")
        beyond = _number(table.get("beyond_pct"), "beyond_pct", "beyond_pct (a change needs it)")
        if beyond <= 0:
            raise _RuleError("beyond_pct must be above 0 (a per cent, like 10)", "beyond_pct")
        return Rule(name.strip(), metric, change=table["change"], beyond_pct=beyond, direction=direction)
    for key in ("direction", "beyond_pct"):
        if key in table:
            raise _RuleError(f"{key} goes with change only", key)
    if "misses_target" in conditions:
        if table["misses_target"] is not True:
            raise _RuleError("misses_target must be true", "misses_target")
        if kpis.KPIS_BY_KEY[metric].higher_is_better is None:
            raise _RuleError(f"{metric} is neither better higher nor lower, so it cannot miss a target", "metric")
        return Rule(name.strip(), metric, misses_target=True)
    kind = conditions[0]
    return Rule(name.strip(), metric, **{kind: _number(table[kind], kind)})


def read_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules of the file (none if it does not exist); BadInput naming FILE:LINE if it is wrong."""
    chosen = Path(path) if path else None
    path = chosen or rules_file()
    if not path.is_file():
        # alerts.toml is optional, but a file someone named (--rules, EXPERTNET_ALERTS) must be there
        if chosen or os.environ.get("EXPERTNET_ALERTS"):
            raise BadInput(f"{path}: there is no such rules file")
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}:1: not UTF-8 text") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise BadInput(f"{path}:{line.group(1) if line else 1}: not valid TOML: {error}") from None
    tables = document.get("alert", [])
    if set(document) - {"alert"} or not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise BadInput(f"{path}:1: the file holds [[alert]] tables only")
    rules = []
    for index, table in enumerate(tables):
        try:
            rules.append(_rule(table))
        except _RuleError as error:
            raise BadInput(f"{path}:{_line_of(text, index, error.key)}: {error}") from None
    return tuple(rules)


def rules_or_none() -> tuple[Rule, ...]:
    """The rules for a page: none where the file is wrong (the page says why, from read_rules)."""
    try:
        return read_rules()
    except BadInput:
        return ()


def fired(con, rules: tuple[Rule, ...], month: date) -> list[Fired]:
    """The rules that hold for `month`, over the whole company's KPIs (founders' figures)."""
    if not rules:
        return []
    plan = kpis.plan(con, month) if any(r.misses_target for r in rules) else []
    return holding(rules, kpis.kpi_series(con, add_months(month, -12), month), plan)


def holding(rules: tuple[Rule, ...], series, plan: list[dict]) -> list[Fired]:
    """The rules that hold for the last month of `series`: the whole company's KPI series
    (kpis.kpi_series, founders' figures) ending on it, 13 months for a year-ago change, and
    that month's plan (kpis.plan) for misses_target."""
    series = series.set_index("month")
    now, before, year_ago = (series.iloc[-1], series.iloc[-2] if len(series) > 1 else None,
                             series.iloc[0] if len(series) == 13 else None)
    targets = {row["metric"]: row for row in plan}
    out = []
    for rule in rules:
        kpi = kpis.KPIS_BY_KEY[rule.metric]
        value = now[rule.metric]
        if is_missing(value):
            continue
        shown = format_value(value, kpi.unit)
        if rule.below is not None and value < rule.below:
            out.append(Fired(rule, now.name, value, rule.below, f"{kpi.label} is {shown}"))
        elif rule.above is not None and value > rule.above:
            out.append(Fired(rule, now.name, value, rule.above, f"{kpi.label} is {shown}"))
        elif rule.change:
            then_row = before if rule.change == "previous_month" else year_ago
            then = None if then_row is None else then_row[rule.metric]
            if is_missing(then) or then == 0:
                continue
            change = (value / then - 1) * 100
            held = {"either": abs(change) > rule.beyond_pct, "down": change < -rule.beyond_pct,
                    "up": change > rule.beyond_pct}[rule.direction]
            if held:
                out.append(Fired(rule, now.name, value, then, f"{kpi.label} is {shown}, {change:+.1f}% against "
                                 f"{CHANGES[rule.change][0]} ({format_value(then, kpi.unit)})"))
        elif rule.misses_target and rule.metric in targets:
            target = targets[rule.metric]["target"]
            worse = value < target if kpi.higher_is_better else value > target
            if worse:
                out.append(Fired(rule, now.name, value, target,
                                 f"{kpi.label} is {shown} against a target of {format_value(target, kpi.unit)}"))
    return out
