"""What an investor may see (METRICS.md): aggregates only, never a figure that rests on
fewer than 11 experts. Applied in the metric layer, so no page can skip it.
"""

import math

import numpy as np
import pandas as pd

MIN_EXPERTS = 11
WITHHELD_TEXT = f"fewer than {MIN_EXPERTS} experts"


def count_is_withheld(count) -> bool:
    """A count of experts between 1 and 10 would single people out; 0 does not."""
    return count is not None and not pd.isna(count) and 1 <= count < MIN_EXPERTS


def basis_is_too_small(experts) -> bool:
    return experts is None or pd.isna(experts) or experts < MIN_EXPERTS


def percentile_is_withheld(earners, percent: int) -> bool:
    """At least 11 experts must lie on each side of the percentile: n * min(q, 1-q) >= 11."""
    if earners is None or pd.isna(earners):
        return True
    return int(earners) * min(percent, 100 - percent) < MIN_EXPERTS * 100


def top_share_is_withheld(earners) -> bool:
    """The top 1% (ceil(n / 100) experts) must itself be at least 11 experts."""
    return earners is None or pd.isna(earners) or math.ceil(earners / 100) < MIN_EXPERTS


def top_tenth_is_withheld(experts) -> bool:
    """The top 10% (ceil(n / 10) experts) must itself be at least 11 experts."""
    return experts is None or pd.isna(experts) or math.ceil(experts / 10) < MIN_EXPERTS


def _withheld(kpi, basis, value) -> bool:
    kind = kpi.basis.split(":")[0]
    if kind == "percentile":
        return percentile_is_withheld(basis, int(kpi.basis.split(":")[1]))
    if kpi.basis == "gini":
        return basis_is_too_small(basis)
    if kpi.basis == "top1pct":
        return top_share_is_withheld(basis)
    if kpi.basis == "top10pct":
        return top_tenth_is_withheld(basis)
    if kind == "ratio":       # basis: (numerator count, denominator count) of experts
        return any(count_is_withheld(count) for count in basis)
    if kpi.basis == kpi.key:  # the figure is itself a count of experts
        return count_is_withheld(value)
    return basis_is_too_small(basis)


def _basis_of(kpi, basis: pd.DataFrame) -> list:
    """The counts of experts each month's figure rests on. Basis forms (Kpi.basis): a column;
    percentile:P (the earners) or percentile:P:column; gini and top1pct (the earners); top10pct
    (the active experts); ratio:numerator:denominator (both columns)."""
    parts = kpi.basis.split(":")
    if parts[0] == "ratio":
        return list(zip(basis[parts[1]], basis[parts[2]]))
    if parts[0] == "percentile":
        return list(basis[parts[2] if len(parts) > 2 else "earners"])
    if kpi.basis in ("gini", "top1pct"):
        return list(basis["earners"])
    if kpi.basis == "top10pct":
        return list(basis["experts_active"])
    return list(basis[kpi.basis])


def blank(values: pd.Series, mask) -> pd.Series:
    """`values` with the masked ones set to null; whole counts stay whole."""
    kind = "Int64" if pd.api.types.is_integer_dtype(values) else "float64"
    return values.astype(kind).mask(pd.Series(np.asarray(mask, dtype=bool), index=values.index))


def withhold_kpis(kpis: pd.DataFrame, basis: pd.DataFrame, declarations) -> pd.DataFrame:
    kpis = kpis.copy()
    for kpi in declarations:
        if kpi.basis is None:
            continue
        kpis[kpi.key] = blank(kpis[kpi.key], [_withheld(kpi, b, v) for b, v in zip(_basis_of(kpi, basis), kpis[kpi.key])])
    return kpis


def withhold_retention(frame: pd.DataFrame) -> pd.DataFrame:
    """Cohorts under 11 experts are dropped whole; a count of 1 to 10 active is withheld with its
    rate; and so are the cells that would give those away through a month's active experts
    (protect_calendar_months)."""
    frame = frame.reset_index(drop=True).copy()
    cohort_index = frame["cohort"].str.slice(0, 4).astype(int) * 12 + frame["cohort"].str.slice(5, 7).astype(int)
    frame["calendar"] = cohort_index + frame["months_since"]
    frame["withheld"] = (frame["cohort_size"] < MIN_EXPERTS) | frame["active"].map(count_is_withheld).astype(bool)
    withheld = protect_calendar_months(frame)
    frame = frame.drop(columns=["calendar", "withheld"])
    frame["active"] = blank(frame["active"], withheld)
    frame["rate"] = blank(frame["rate"], withheld)
    return frame[frame["cohort_size"] >= MIN_EXPERTS].reset_index(drop=True)


def withhold_columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Every value of these columns withheld (a table whose column would give a figure away)."""
    for column in columns:
        frame[column] = blank(frame[column], [True] * len(frame))
    return frame


def withhold_by_basis(frame: pd.DataFrame, basis_column: str, value_columns: list[str]) -> pd.DataFrame:
    """For breakdown tables: blank every value of a row that rests on fewer than 11 experts."""
    frame = frame.copy()
    small = frame[basis_column].map(basis_is_too_small).astype(bool)
    for column in value_columns:
        frame[column] = blank(frame[column], small)
    return frame


# ---------------------------------------------------------------- what can be worked out
# Withholding a figure is not enough when the figures shown beside it add up to it
# (METRICS.md, "nothing withheld can be worked out"). The rules below close the
# identities the pages show; `python -m expertnet audit-investor-view` checks them.

def shown_count(count) -> bool:
    """A count of experts an investor may see: 0, or 11 and more."""
    return count is not None and not pd.isna(count) and not count_is_withheld(count)


def running_count_visibility(totals, steps) -> tuple[list[bool], list[bool]]:
    """Which months of a running count (experts signed up to date) may be shown beside its
    monthly steps (new signups), walking from the first month with data: (totals shown,
    steps withheld besides those of 1 to 10).

    A step of 1 to 10 is withheld, so the totals on both sides of it cannot both be shown:
    their difference minus the steps shown between would give it. The next total is shown
    once the steps withheld since the last shown total add up to at least 11 and none of
    them can be pinned by its bounds (a withheld step of 1 to 10 is known to lie there). A
    lone small step followed only by large ones would keep every later total hidden, so a
    large step after it is withheld too (that is what closes the gap)."""
    shown, secondary, pending = [], [], []
    for total, step in zip(totals, steps):
        extra = False
        if count_is_withheld(step):
            pending.append((int(step), 1, MIN_EXPERTS - 1))
        elif pending and step:
            pending.append((int(step), 0, math.inf))
            extra = True
        values = [p[0] for p in pending]
        safe = not pending or (sum(values) >= MIN_EXPERTS
                               and not _pinned(values, [p[1] for p in pending], [p[2] for p in pending]))
        if extra and not safe:
            pending.pop()       # withholding this step would not close the gap: keep showing it
            extra = False
        ok = shown_count(total) and safe
        shown.append(ok)
        secondary.append(extra)
        if ok:
            pending = []
    return shown, secondary


def rows_shown_separately(experts: pd.DataFrame, disjoint: bool, alone_ok=None, group_ok=None) -> list:
    """Which rows of a breakdown stand on their own; the rest are merged into one "other" row.

    `experts` has one row per breakdown row, largest first, and one column per month of the
    period (distinct experts behind the row's figures in that month) plus any count the row
    shows. A row stands on its own when each of those is 0 or at least 11, so that no period
    an investor can choose, nor the difference of two, singles out fewer than 11 experts.
    The "other" row must pass the same test; while it does not, the smallest row standing on
    its own joins it. Its experts per month are the sum of its rows' where the rows hold
    different experts (`disjoint`, e.g. domains), else at least its largest row's.
    `alone_ok(row)` and `group_ok(rows)` add tests of the caller's (a running count's)."""
    ok = experts.apply(lambda column: column.map(shown_count)).all(axis=1)
    shown = [row for row in experts.index if ok[row] and (alone_ok is None or alone_ok(row))]
    while True:
        other = [row for row in experts.index if row not in shown]
        if not other or not shown:
            return shown
        merged = experts.loc[other].sum() if disjoint else experts.loc[other].max()
        if all(shown_count(v) for v in merged) and (group_ok is None or group_ok(other)):
            return shown
        shown.pop()


def rows_shown_in_every_month(monthly: dict, whole: pd.DataFrame, disjoint: bool, alone_ok=None,
                              group_ok=None) -> list:
    """The rows of a breakdown over a period that stand on their own: decided month by month
    (rows_shown_separately on each month's experts), and a row stands alone in the period only
    where it does in every month of it. Deciding per month, not per period, keeps a row that was
    merged to protect a small one in some month merged in every period holding that month, so no
    period's row gives that month's cell away. `whole` holds the period's own counts (rows in
    order, largest first), tested as rows_shown_separately does, with the callers' tests."""
    alone = set(whole.index)
    for cells in monthly.values():
        alone &= set(rows_shown_separately(cells.reindex(whole.index).fillna(0), disjoint))
    return rows_shown_separately(whole, disjoint, group_ok=group_ok,
                                 alone_ok=lambda row: row in alone and (alone_ok is None or alone_ok(row)))


def merge_histogram_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """Adjacent bins merged, from the lowest up, until each holds at least 11 experts; what is
    left at the top joins the last full bin. (earnings_from_usd, earnings_to_usd, experts)."""
    groups, current = [], None
    for row in frame.sort_values("earnings_from_usd").itertuples(index=False):
        if current is None:
            current = [row.earnings_from_usd, row.earnings_to_usd, row.experts]
        else:
            current[1], current[2] = row.earnings_to_usd, current[2] + row.experts
        if current[2] >= MIN_EXPERTS:
            groups.append(current)
            current = None
    if current is not None and groups:
        groups[-1][1], groups[-1][2] = current[1], groups[-1][2] + current[2]
    return pd.DataFrame(groups, columns=["earnings_from_usd", "earnings_to_usd", "experts"]).astype(
        {"experts": "Int64"})


def _pinned(values: list, lows: list, highs: list) -> bool:
    """Whether any of these unknowns, whose sum is known, is fixed by the sum and the bounds."""
    total = sum(values)
    for i in range(len(values)):
        # the others' sums, not all minus this one: inf - inf would be nan
        rest_low = sum(low for j, low in enumerate(lows) if j != i)
        rest_high = sum(high for j, high in enumerate(highs) if j != i)
        if max(lows[i], total - rest_high) >= min(highs[i], total - rest_low):
            return True
    return False


def protect_calendar_months(frame: pd.DataFrame) -> pd.Series:
    """For the retention grid: cells to withhold so that no withheld cell follows from a
    month's active experts (shown as a KPI) minus the cells shown for that month.

    `frame` holds every cohort of the view (cohort, months_since, cohort_size, active) with
    `calendar` (the cohort month plus months_since) and `withheld` (the cells withheld by
    the count rule or with their cohort). Per month, while the unknown cells could be pinned (one alone,
    or their sum under 11, or bounds that leave one value), the smallest shown cell joins them."""
    withheld = frame["withheld"].copy()
    for _month, cells in frame.groupby("calendar"):
        unknown = cells.index[withheld[cells.index]].tolist()
        if not unknown:
            continue
        candidates = cells.loc[~withheld[cells.index]].sort_values("active")
        while True:
            values = [int(frame.at[i, "active"]) for i in unknown]
            lows = [1 if count_is_withheld(v) and frame.at[i, "cohort_size"] >= MIN_EXPERTS else 0
                    for i, v in zip(unknown, values)]
            highs = [int(frame.at[i, "cohort_size"]) if frame.at[i, "cohort_size"] >= MIN_EXPERTS else MIN_EXPERTS - 1
                     for i in unknown]
            if sum(values) == 0 or (sum(values) >= MIN_EXPERTS and not _pinned(values, lows, highs)):
                break
            # a sum under 11 needs a cell with experts in it; a pinned one, any cell's slack
            pool = candidates[candidates["active"] > 0] if sum(values) < MIN_EXPERTS else candidates
            if pool.empty:
                break
            unknown.append(pool.index[0])
            candidates = candidates.drop(pool.index[0])
            withheld[unknown[-1]] = True
    return withheld
