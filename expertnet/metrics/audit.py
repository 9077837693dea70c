"""The disclosure audit of an investor's view: can anything withheld be worked out?

It gathers every figure the investor of a share link can see, on every page, for every
period they can choose (every single month, and every period of 2, 3, 12 and 13 months,
so that periods whose ends differ by one month are all there), and the founder's value of
each. Then, as statistical offices audit a table before they publish it, it writes down
the linear identities between the figures (payouts = pay + bonuses, a breakdown's rows add
up to its total, a period adds up its months, a running count adds up its steps, a share
times its total is the part...) and, for each withheld figure, solves two linear programs
over everything shown: the least and the most the figure can be. A figure is found out
when that interval holds one whole number (a count), is narrower than 10% of the value
(money), or is a single value (anything else).

Limits, said in docs/disclosure.md: only linear identities (not percentiles, the Gini or the
HHI, which are nonlinear); an attacker with outside knowledge (say, one expert's own pay)
is not modelled.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from expertnet.access import roles
from expertnet.metrics import breakdowns, kpis, privacy
from expertnet.metrics.filters import Filters, add_months, month_label, month_range
from expertnet.metrics.queries import run

PERIOD_LENGTHS = (1, 2, 3, 12, 13)
COUNT, MONEY, SIGNED, RATIO = "count", "money", "signed", "ratio"
_KPI_KIND = {"experts_total": COUNT, "experts_new": COUNT, "experts_approved_total": COUNT,
             "experts_active": COUNT, "clients_active": COUNT, "net_revenue_usd": SIGNED,
             "experts_first_paid": COUNT, "experts_reactivated": COUNT, "clients_new": COUNT, "clients_churned": COUNT,
             "contracts_ending_90d": COUNT}
MONEY_SHARE = 0.10


@dataclass
class Finding:
    figure: str
    value: float
    low: float
    high: float
    how: str


@dataclass
class AuditReport:
    figures: int = 0
    withheld: int = 0
    equations: int = 0
    periods: int = 0
    findings: list[Finding] = field(default_factory=list)


class _System:
    """Figures (shown: a constant; withheld: an unknown) and linear equations between them."""

    def __init__(self):
        self.true: dict = {}
        self.shown: dict = {}
        self.kind: dict = {}
        self.open: set = set()        # figures an investor may see anyway: finding them out is no harm
        self.equations: set[tuple] = set()

    def figure(self, key, shown, true, kind, experts=None) -> None:
        """A figure; `experts` is how many experts a cell that no page shows on its own rests on
        (a breakdown's cell of one month): one on 11 or more may be worked out without harm."""
        if key in self.true or true is None or pd.isna(true):
            return
        self.true[key] = float(true)
        self.kind[key] = kind
        if experts is not None and not privacy.count_is_withheld(experts):
            self.open.add(key)
        if shown is not None and not pd.isna(shown):
            self.shown[key] = float(shown)

    def equation(self, terms: list[tuple[float, object]]) -> None:
        """sum(coefficient * figure) = 0; used where every figure in it is known to the audit."""
        combined = defaultdict(float)
        for coefficient, key in terms:
            combined[key] += coefficient
        self.equations.add(tuple(sorted(combined.items(), key=lambda item: str(item[0]))))

    def value(self, key):
        return self.shown.get(key)

    def bounds(self, key) -> tuple[float, float]:
        kind, true = self.kind[key], self.true[key]
        if kind == COUNT:   # "fewer than 11 experts" tells the attacker 1 to 10, where that is so
            return (1.0, privacy.MIN_EXPERTS - 1.0) if privacy.count_is_withheld(true) else (0.0, math.inf)
        if kind == MONEY:
            return 0.0, math.inf
        return -math.inf, math.inf


def _found_out(kind: str, true: float, low: float, high: float) -> bool:
    if true == 0:       # a zero rests on no expert and may be shown (METRICS.md)
        return False
    if kind == COUNT:
        return math.floor(high + 1e-6) <= math.ceil(low - 1e-6)
    if kind in (MONEY, SIGNED):
        return high - low < MONEY_SHARE * abs(true) or high - low < 1e-6
    return high - low <= 1e-9 * max(1.0, abs(true))


def solve(system: _System, report: AuditReport) -> None:
    """Bound every withheld figure by the equations over the shown ones."""
    unknown = [key for key in system.true if key not in system.shown]
    report.figures, report.withheld = len(system.true), len(unknown)
    rows = []
    for terms in system.equations:
        terms = dict(terms)
        if not all(key in system.true for key in terms):
            continue
        constant = sum(c * system.shown[k] for k, c in terms.items() if k in system.shown)
        free = {k: c for k, c in terms.items() if k not in system.shown and abs(c) > 1e-12}
        if free:
            rows.append((free, -constant))
    report.equations = len(rows)
    # Figures that stand in exactly the same equations with the same coefficients can only be
    # told apart by their bounds: solve for their sum once, then share out its interval.
    signature = defaultdict(list)
    for index, (free, _) in enumerate(rows):
        for key, coefficient in free.items():
            signature[key].append((index, round(coefficient, 12)))
    groups = defaultdict(list)
    for key in unknown:
        if key in signature:
            groups[tuple(signature[key])].append(key)
    group_of = {}
    for members in groups.values():
        for key in members:
            group_of[key] = members[0]
    # connected parts of the system, solved one by one
    parent = {members[0]: members[0] for members in groups.values()}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for free, _ in rows:
        heads = sorted({group_of[k] for k in free}, key=str)
        for other in heads[1:]:
            parent[find(other)] = find(heads[0])
    parts = defaultdict(list)
    for index, (free, _) in enumerate(rows):
        parts[find(group_of[next(iter(free))])].append(index)
    members_of = {head: [k for k in unknown if group_of.get(k) == head] for head in parent}
    for indices in parts.values():
        heads = sorted({group_of[k] for i in indices for k in rows[i][0]}, key=str)
        column = {head: n for n, head in enumerate(heads)}
        a = np.zeros((len(indices), len(heads)))
        b = np.zeros(len(indices))
        for r, i in enumerate(indices):
            free, rhs = rows[i]
            seen = set()
            for key, coefficient in free.items():
                head = group_of[key]
                if head not in seen:      # a group enters its equation once, as its sum
                    a[r, column[head]] = coefficient
                    seen.add(head)
            b[r] = rhs
        group_bounds = []
        for head in heads:
            lows, highs = zip(*(system.bounds(k) for k in members_of[head]))
            group_bounds.append((sum(lows), sum(highs)))
        bounds = [(None if math.isinf(lo) else lo, None if math.isinf(hi) else hi) for lo, hi in group_bounds]
        undecided = _not_yet_free(system, heads, members_of, a, b, group_bounds)
        for n, head in enumerate(heads):
            if head not in undecided:
                continue
            extremes = []
            for sense in (1.0, -1.0):
                c = np.zeros(len(heads))
                c[n] = sense
                result = linprog(c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
                if result.status == 3:          # unbounded in this direction
                    extremes.append(-sense * math.inf)
                elif result.status == 0:
                    extremes.append(sense * result.fun)
                else:                           # infeasible: the rules' own rounding; nothing to learn
                    extremes = None
                    break
            if extremes is None:
                continue
            low_sum, high_sum = extremes
            members = members_of[head]
            member_bounds = [system.bounds(k) for k in members]
            for i, (key, (lo, hi)) in enumerate(zip(members, member_bounds)):
                others_low = sum(b_[0] for j, b_ in enumerate(member_bounds) if j != i)
                others_high = sum(b_[1] for j, b_ in enumerate(member_bounds) if j != i)
                low = max(lo, low_sum - others_high)
                high = min(hi, high_sum - others_low)
                if key not in system.open and _found_out(system.kind[key], system.true[key], low, high):
                    report.findings.append(Finding(_name(key), system.true[key], low, high,
                                                   "the shown figures and the identities between them"))


def _not_yet_free(system: _System, heads: list, members_of: dict, a, b, group_bounds, probes: int = 8) -> set:
    """The unknowns of one part that a few LPs in random directions do not already show to be
    free: any two solutions bound an unknown's interval from inside, so one that varies more
    than the found-out test allows needs no LPs of its own. (Infinite bounds are capped for
    these probes only; a smaller feasible set gives a narrower spread, never a wider one.)"""
    scale = 100 * (1 + max(abs(system.true[k]) for head in heads for k in members_of[head]))
    capped = [(max(lo, -scale), min(hi, scale)) for lo, hi in group_bounds]
    generator = np.random.default_rng(7)
    solutions = []
    for _ in range(probes):
        result = linprog(generator.normal(size=len(heads)), A_eq=a, b_eq=b, bounds=capped, method="highs")
        if result.status == 0:
            solutions.append(result.x)
    if len(solutions) < 2:
        return set(heads)
    spread_low, spread_high = np.min(solutions, axis=0), np.max(solutions, axis=0)
    undecided = set()
    for n, head in enumerate(heads):
        members = members_of[head]
        if len(members) > 1 or _found_out(system.kind[head], system.true[head], spread_low[n], spread_high[n]):
            undecided.add(head)
    return undecided


def _name(key) -> str:
    return key if isinstance(key, str) else " · ".join(str(part) for part in key)


# ---------------------------------------------------------------- gathering

def _pair(con, function, *args, **kwargs):
    return (function(con, *args, role=roles.FOUNDER, **kwargs),
            function(con, *args, role=roles.INVESTOR, **kwargs))


def _kpis(system: _System, truth: pd.DataFrame, shown: pd.DataFrame, company: tuple) -> None:
    months = list(truth["month"])
    for key in kpis.KPI_KEYS[1:]:
        kind = _KPI_KIND.get(key, MONEY if key.endswith("_usd") or key == "hours" else RATIO)
        for month, t, s in zip(months, truth[key], shown[key]):
            system.figure(("kpi", month, key), s, t, kind)
    for month_index, month in enumerate(months):
        k = lambda key, m=month: ("kpi", m, key)
        system.equation([(1, k("payouts_usd")), (-1, k("expert_pay_usd")), (-1, k("bonuses_usd"))])
        system.equation([(1, k("net_revenue_usd")), (-1, k("billings_usd")), (1, k("payouts_usd"))])
        system.equation([(1, k("arr_usd")), (-12, k("billings_usd"))])
        for ratio, numerator, denominator in (("take_rate", "net_revenue_usd", "billings_usd"),
                                              ("avg_pay_rate_usd", "expert_pay_usd", "hours"),
                                              ("avg_bill_rate_usd", "billings_usd", "hours"),
                                              ("hours_per_active_expert", "hours", "experts_active")):
            _ratio(system, k(ratio), k(numerator), k(denominator))
        _operator_identities(system, k)
        if month_index:
            before = months[month_index - 1]
            system.equation([(1, k("experts_total")), (-1, ("kpi", before, "experts_total")), (-1, k("experts_new"))])
            # the revenue bridge: the change in billings is new + reactivated + expansion - contraction - churned
            system.equation([(1, k("billings_usd")), (-1, ("kpi", before, "billings_usd")),
                             (-1, k("revenue_new_usd")), (-1, k("revenue_reactivated_usd")),
                             (-1, k("revenue_expansion_usd")), (1, k("revenue_contraction_usd")),
                             (1, k("revenue_churned_usd"))])
            growth = system.value(k("billings_growth_mom"))
            if growth is not None:
                system.equation([(1, k("billings_usd")), (-(1 + growth), ("kpi", before, "billings_usd"))])
        if month_index >= 12:
            cmgr = system.value(k("billings_cmgr_12m"))
            if cmgr is not None:
                system.equation([(1, k("billings_usd")), (-(1 + cmgr) ** 12, ("kpi", months[month_index - 12], "billings_usd"))])
        cohort = month_label(add_months(date.fromisoformat(month + "-01"), -3))
        if cohort in months:
            _ratio(system, k("activation_rate_90d"), ("activated", cohort), ("kpi", cohort, "experts_new"))
    company_truth, company_shown = company
    for month, t, s, v in zip(company_truth["month"], company_truth["arr_usd"], company_shown["arr_usd"],
                              company_truth["valuation_usd"]):
        system.figure(("company", month, "arr_usd"), s, t, MONEY)
        multiple = system.value(("kpi", month, "implied_arr_multiple"))
        if multiple is not None and v is not None and not pd.isna(v):
            system.equation([(multiple, ("company", month, "arr_usd")), (-1, ("kpi", month, "valuation_usd"))])


def _operator_identities(system: _System, k) -> None:
    """spread per hour x hours = billings - pay; quick ratio x (contraction + churned) = new +
    reactivated + expansion (linear where one factor of each product is shown)."""
    spread, hours = system.value(k("spread_per_hour_usd")), system.value(k("hours"))
    if hours is not None:
        system.equation([(1, k("billings_usd")), (-1, k("expert_pay_usd")), (-hours, k("spread_per_hour_usd"))])
    elif spread is not None:
        system.equation([(1, k("billings_usd")), (-1, k("expert_pay_usd")), (-spread, k("hours"))])
    quick = system.value(k("quick_ratio"))
    if quick is not None:
        system.equation([(1, k("revenue_new_usd")), (1, k("revenue_reactivated_usd")), (1, k("revenue_expansion_usd")),
                         (-quick, k("revenue_contraction_usd")), (-quick, k("revenue_churned_usd"))])


def _ratio(system: _System, ratio, numerator, denominator) -> None:
    """ratio * denominator = numerator, where one of ratio and denominator is shown (else not linear)."""
    r, d = system.value(ratio), system.value(denominator)
    if d is not None:
        system.equation([(1, numerator), (-d, ratio)])
    elif r is not None:
        system.equation([(1, numerator), (-r, denominator)])


def _activation(system: _System, truth: pd.DataFrame, shown: pd.DataFrame) -> None:
    for t, s in zip(truth.itertuples(), shown.itertuples()):
        cohort = month_label(t.cohort)
        system.figure(("activated", cohort), s.activated_90d, t.activated_90d, COUNT)
        system.figure(("activation by cohort", cohort, "cohort_size"), s.cohort_size, t.cohort_size, COUNT)
        system.figure(("activation by cohort", cohort, "rate"), s.activation_rate_90d, t.activation_rate_90d, RATIO)
        system.equation([(1, ("activation by cohort", cohort, "cohort_size")), (-1, ("kpi", cohort, "experts_new"))])
        _ratio(system, ("activation by cohort", cohort, "rate"), ("activated", cohort),
               ("activation by cohort", cohort, "cohort_size"))


def _retention(system: _System, truth: pd.DataFrame, shown: pd.DataFrame, months: list[str]) -> None:
    shown = shown.set_index(["cohort", "months_since"])
    by_month = defaultdict(list)
    for row in truth.itertuples():
        y, m = int(row.cohort[:4]), int(row.cohort[5:7])
        calendar = month_label(add_months(date(y, m, 1), int(row.months_since)))
        key = ("retention", row.cohort, calendar)
        visible = shown["active"].get((row.cohort, row.months_since)) if (row.cohort, row.months_since) in shown.index else None
        system.figure(key, visible, row.active, COUNT)
        by_month[calendar].append(key)
        rate = shown["rate"].get((row.cohort, row.months_since)) if (row.cohort, row.months_since) in shown.index else None
        if rate is not None and not pd.isna(rate):
            system.equation([(1, key), (-rate, ("kpi", row.cohort, "experts_new"))])
    for calendar, keys in by_month.items():
        if calendar in months:
            system.equation([(1, ("kpi", calendar, "experts_active"))] + [(-1, key) for key in keys])


def _segments_by_month(system: _System, truth: pd.DataFrame, shown: pd.DataFrame) -> None:
    """Billings by client segment, month by month: latent cells per segment, rows as shown."""
    for month, rows in truth.groupby("month"):
        label = month_label(month)
        cells = {}
        for row in rows.itertuples():
            cells[row.segment] = ("billings by segment", label, row.segment)
            system.figure(cells[row.segment], None, row.billings_usd, MONEY, row.experts)
        system.equation([(1, ("kpi", label, "billings_usd"))] + [(-1, key) for key in cells.values()])
        seen = shown[shown["month"] == month]
        alone = set(seen["segment"]) & set(cells)
        for row in seen.itertuples():
            if pd.isna(row.billings_usd):
                continue
            members = [row.segment] if row.segment in cells else [s for s in cells if s not in alone]
            key = ("billings by segment shown", label, row.segment)
            system.figure(key, row.billings_usd, sum(system.true[cells[s]] for s in members), MONEY)
            system.equation([(1, key)] + [(-1, cells[s]) for s in members])


def _period_table(system: _System, name: str, period: tuple, cells: dict, shown_rows: list, months: list[str]) -> None:
    """A table over a period whose rows add up months: `cells` maps (row, month) to its true
    value; `shown_rows` lists (label, value, member rows) as the investor sees them."""
    for (row, month), (value, experts) in cells.items():
        system.figure((name, row, month), None, value, MONEY, experts)
    for month in months:
        members = [(1, (name, row, m)) for (row, m) in cells if m == month]
        total = {"hours": "hours", "expert pay": "expert_pay_usd"}.get(name.split(" by ")[0], "billings_usd")
        if members:
            system.equation([(1, ("kpi", month, total))] + [(-c, k) for c, k in members])
    for label, value, members in shown_rows:
        if value is None or pd.isna(value):
            continue
        key = (name, period, label)
        terms = [(name, row, m) for (row, m) in cells if row in members and m in months]
        system.figure(key, value, sum(system.true[t] for t in terms), MONEY)
        system.equation([(1, key)] + [(-1, t) for t in terms])


def audit_investor_view(con, filters: Filters = Filters(), show_client_names: bool = False,
                        progress=None) -> AuditReport:
    """Every figure the investor of a link with these locked filters can see, checked."""
    options = breakdowns.filter_options(con)
    report = AuditReport()
    if options["first_month"] is None:
        return report
    first, last = options["first_month"], options["last_month"]
    months = month_range(first, last)
    labels = [month_label(m) for m in months]
    system = _System()
    truth, shown = _pair(con, kpis.kpi_series, first, last, filters)
    company = _pair(con, kpis.company_series, first, last, filters)
    _kpis(system, truth, shown, company)
    _activation(system, *_pair(con, breakdowns.activation_by_cohort, first, last, filters))
    _retention(system, *_pair(con, kpis.retention, filters), labels)
    truth_segments = run(con, "billings_by_segment", count_experts=True, from_month=first, to_month=last,
                         **filters.as_params())
    _segments_by_month(system, truth_segments,
                       breakdowns.billings_by_segment(con, first, last, filters, role=roles.INVESTOR))

    periods = sorted({(months[i], months[min(i + n, len(months)) - 1])
                      for i in range(len(months)) for n in PERIOD_LENGTHS} | {(first, last)})
    report.periods = len(periods)
    segment_cells = {by: _segment_cells(con, by, first, last, filters) for by in breakdowns.SEGMENT_KINDS}
    client_cells = _client_cells(con, first, last, filters)
    for n, (start, end) in enumerate(periods):
        in_period = [month_label(m) for m in months if start <= m <= end]
        period = (month_label(start), month_label(end))
        for by in breakdowns.SEGMENT_KINDS:
            table = breakdowns.experts_by_segment(con, by, start, end, filters, role=roles.INVESTOR)
            names = {s for (s, m) in segment_cells[by]["hours"] if m in in_period}
            alone = set(table["segment"]) & names
            for column, label in (("hours", "hours"), ("expert_pay_usd", "expert pay")):
                rows = [(r.segment, getattr(r, column), [r.segment] if r.segment in names else list(names - alone))
                        for r in table.itertuples()]
                cells = {(s, m): v for (s, m), v in segment_cells[by][column].items() if m in in_period}
                _period_table(system, f"{label} by {by}", period, cells, rows, in_period)
        clients = breakdowns.top_clients(con, start, end, filters, roles.INVESTOR, show_client_names, limit=10)
        ids = client_cells["ranked"](start, end)
        rows, named = [], []
        for r, rank in zip(clients.itertuples(), clients["rank"]):
            if pd.isna(rank):
                rows.append((r.client, r.billings_usd, [c for c in ids if c not in named]))
            else:
                named.append(ids[int(rank) - 1])
                rows.append((r.client, r.billings_usd, [ids[int(rank) - 1]]))
        cells = {(c, m): v for (c, m), v in client_cells["cells"].items() if m in in_period}
        _period_table(system, "billings by client", period, cells, rows, in_period)
        if progress and n % 50 == 0:
            progress(f"audit: {n:,} of {len(periods):,} periods gathered")
    solve(system, report)
    return report


def _segment_cells(con, by: str, first: date, last: date, filters: Filters) -> dict:
    frame = run(con, "segment_activity_by_month", by=by, from_month=first, to_month=last, **filters.as_params())
    return {column: {(r.segment, month_label(r.month)): (getattr(r, column), r.experts_active)
                     for r in frame.itertuples()}
            for column in ("hours", "expert_pay_usd")}


def _client_cells(con, first: date, last: date, filters: Filters) -> dict:
    frame = run(con, "client_months_with_experts", from_month=first, to_month=last, **filters.as_params())
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["label"] = [month_label(m) for m in frame["month"]]
    cells = {(r.client_id, r.label): (r.billings_usd, r.experts) for r in frame.itertuples()}

    def ranked(start, end):
        """Client ids of a period, largest billings first (the ranks top_clients gives)."""
        kept = frame[(frame["month"] >= start) & (frame["month"] <= end)]
        totals = kept.groupby("client_id")["billings_usd"].sum().reset_index()
        return list(totals.sort_values(["billings_usd", "client_id"], ascending=[False, True])["client_id"])
    return {"cells": cells, "ranked": ranked}
