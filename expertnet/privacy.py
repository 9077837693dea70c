"""What an investor may see (METRICS.md): aggregates only, never a figure that rests on
fewer than 11 experts. Applied in the metric layer, so no page can skip it.
"""

import math

import numpy as np
import pandas as pd

FOUNDER, OPS, INVESTOR = "founder", "ops", "investor"
ROLES = (FOUNDER, OPS, INVESTOR)
MIN_EXPERTS = 11
WITHHELD_TEXT = "fewer than 11 experts"


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


def _withheld(kpi, basis, value) -> bool:
    if kpi.basis.startswith("percentile:"):
        return percentile_is_withheld(basis, int(kpi.basis.split(":")[1]))
    if kpi.basis == "gini":
        return basis_is_too_small(basis)
    if kpi.basis == "top1pct":
        return top_share_is_withheld(basis)
    if kpi.basis == kpi.key:  # the figure is itself a count of experts
        return count_is_withheld(value)
    return basis_is_too_small(basis)


def blank(values: pd.Series, mask) -> pd.Series:
    """`values` with the masked ones set to null; whole counts stay whole."""
    kind = "Int64" if pd.api.types.is_integer_dtype(values) else "float64"
    return values.astype(kind).mask(pd.Series(np.asarray(mask, dtype=bool), index=values.index))


def withhold_kpis(kpis: pd.DataFrame, basis: pd.DataFrame, declarations) -> pd.DataFrame:
    kpis = kpis.copy()
    for kpi in declarations:
        if kpi.basis is None:
            continue
        source = "earners" if kpi.basis.split(":")[0] in ("percentile", "gini", "top1pct") else kpi.basis
        kpis[kpi.key] = blank(kpis[kpi.key], [_withheld(kpi, b, v) for b, v in zip(basis[source], kpis[kpi.key])])
    return kpis


def withhold_retention(frame: pd.DataFrame) -> pd.DataFrame:
    """Cohorts under 11 experts are dropped whole; a count of 1 to 10 active is withheld with its rate."""
    frame = frame[frame["cohort_size"] >= MIN_EXPERTS].copy()
    small = frame["active"].map(count_is_withheld).astype(bool)
    frame["active"] = blank(frame["active"], small)
    frame["rate"] = blank(frame["rate"], small)
    return frame.reset_index(drop=True)


def withhold_by_basis(frame: pd.DataFrame, basis_column: str, value_columns: list[str]) -> pd.DataFrame:
    """For breakdown tables: blank every value of a row that rests on fewer than 11 experts."""
    frame = frame.copy()
    small = frame[basis_column].map(basis_is_too_small).astype(bool)
    for column in value_columns:
        frame[column] = blank(frame[column], small)
    return frame
