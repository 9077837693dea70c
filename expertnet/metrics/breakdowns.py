"""The breakdowns the pages chart beside the headline KPIs: by cohort, domain, country,
client segment and earnings bin, plus ops' expert-level list.

Like kpis.py, each function applies the investor rules itself (privacy.py), and
the expert-level functions refuse an investor outright.
"""

from datetime import date

import pandas as pd

from expertnet.access import roles
from expertnet.metrics import kpis, privacy
from expertnet.metrics.filters import Filters, month_label
from expertnet.errors import BadInput
from expertnet.metrics.queries import run, run_to_csv

SEGMENT_KINDS = ("domain", "country")
PLURAL = {"domain": "domains", "country": "countries"}
EXPERTS_PAGE_SIZE = 50
EXPERT_SORT_KEYS = {"earnings_usd": "Earnings", "hours": "Hours", "effective_rate_usd": "Effective rate",
                    "bonuses_usd": "Bonuses", "signup_date": "Signup date"}


def _range(first: date, last: date, filters: Filters) -> dict:
    return {"from_month": first, "to_month": last, **filters.as_params()}


def _withhold_counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = privacy.blank(frame[column], frame[column].map(privacy.count_is_withheld))
    return frame


def activation_by_cohort(con, first: date, last: date, filters: Filters = Filters(),
                         role: str = roles.FOUNDER) -> pd.DataFrame:
    """cohort, cohort_size, activated_90d, activation_rate_90d, mature for signup months first..last."""
    frame = run(con, "activation_by_cohort", **_range(first, last, filters))
    if role == roles.INVESTOR:
        frame = privacy.withhold_by_basis(frame, "cohort_size", ["activated_90d", "activation_rate_90d"])
        # the ratio rule: a rate times the cohort shown gives the activated count away
        frame["activation_rate_90d"] = privacy.blank(frame["activation_rate_90d"],
                                                     frame["activated_90d"].map(privacy.count_is_withheld))
        frame = _withhold_counts(frame, ["cohort_size", "activated_90d"])
        # a cohort's size is its month's new signups: withheld where that step is
        running = kpis.running_count_visibility(con, first, last, filters)
        hidden = running["step_withheld"].to_numpy()
        frame["cohort_size"] = privacy.blank(frame["cohort_size"], hidden)
        frame["activation_rate_90d"] = privacy.blank(frame["activation_rate_90d"], hidden)
    return frame


SUPPLY_KINDS = ("cohort", "domain", "country")
SUPPLY_TIMES = {"days_to_approval_p50": ("approved_in_period", 50), "days_to_approval_p90": ("approved_in_period", 90),
                "days_to_first_paid_p50": ("first_paid_in_period", 50),
                "days_to_first_paid_p90": ("first_paid_in_period", 90)}
FUNNEL = ("experts_signed_up", "experts_approved", "experts_first_paid", "experts_active_last_month")


def supply_by_segment(con, by: str, first: date, last: date, filters: Filters = Filters(),
                      role: str = roles.FOUNDER) -> pd.DataFrame:
    """segment (cohort YYYY-MM, domain or country), the funnel (experts_signed_up, experts_approved,
    experts_first_paid, experts_active_last_month), the days from signup to approval and to first
    paid work (p50, p90, over those who reached the step in the period) and, for cohorts, mature."""
    if by not in SUPPLY_KINDS:
        raise BadInput(f"breakdown must be one of {', '.join(SUPPLY_KINDS)}")
    frame = run(con, "supply_by_segment", by=by, **_range(first, last, filters))
    if role == roles.INVESTOR:
        frame = _investor_supply(con, frame, by, first, last, filters)
    return frame.drop(columns=["approved_in_period", "first_paid_in_period"])


def _investor_supply(con, frame: pd.DataFrame, by: str, first: date, last: date, filters: Filters) -> pd.DataFrame:
    """The supply funnel for an investor. Each time is a percentile of its own experts and needs 11
    on each side of it. A domain's or country's counts are not shown at all (they would add up to
    network counts); a cohort shows its funnel when it holds 11 experts, each count withheld where
    it is 1 to 10 and its size withheld where the month's signups are."""
    frame = frame.copy()
    for column, (reached, percent) in SUPPLY_TIMES.items():
        frame[column] = privacy.blank(frame[column], [privacy.percentile_is_withheld(n, percent)
                                                      for n in frame[reached]])
    if by != "cohort":
        return privacy.withhold_columns(frame, list(FUNNEL))
    frame = frame[frame["experts_signed_up"] >= privacy.MIN_EXPERTS].reset_index(drop=True)
    frame = _withhold_counts(frame, list(FUNNEL[1:]))
    running = kpis.running_count_visibility(con, first, last, filters)
    hidden = {month_label(m) for m, withheld in running["step_withheld"].items() if withheld}
    frame["experts_signed_up"] = privacy.blank(frame["experts_signed_up"], frame["segment"].isin(hidden))
    return frame


def experts_by_segment(con, by: str, first: date, last: date, filters: Filters = Filters(),
                       role: str = roles.FOUNDER) -> pd.DataFrame:
    """segment, experts_total, experts_approved, experts_active, hours, expert_pay_usd, avg_pay_rate_usd."""
    if by not in SEGMENT_KINDS:
        raise BadInput(f"breakdown must be one of {', '.join(SEGMENT_KINDS)}")
    frame = run(con, "experts_by_segment", by=by, **_range(first, last, filters))
    if role == roles.INVESTOR:
        frame = _investor_segments(con, frame, by, first, last, filters)
    return frame


def _investor_segments(con, frame: pd.DataFrame, by: str, first: date, last: date, filters: Filters) -> pd.DataFrame:
    """Domains or countries for an investor: rows that single out fewer than 11 experts in any
    month of the period, or in a count they show, merged into one "other" row."""
    monthly = run(con, "segment_activity_by_month", by=by, **_range(first, last, filters))
    by_month = {month: cells.set_index("segment")[["experts_active", "experts_with_bonus"]]
                for month, cells in monthly.groupby("month")}
    whole = frame.set_index("segment")[["experts_total", "experts_approved", "experts_active"]].fillna(0)
    # A row shows its segment's running count of signups, and its pay beside what a link locked
    # to that segment shows: each must pass the rules that link's own pages pass.
    steps = run(con, "signups_by_segment_by_month", by=by, to_month=last, **filters.as_params())
    steps = steps.pivot(index="segment", columns="month", values="experts_new").fillna(0)

    def running_shown(rows) -> bool:
        series = steps.loc[[r for r in rows if r in steps.index]].sum()
        return bool(series.empty or privacy.running_count_visibility(series.cumsum(), series)[0][-1])
    shown = privacy.rows_shown_in_every_month(by_month, whole, disjoint=True,
                                              alone_ok=lambda row: running_shown([row]), group_ok=running_shown)
    alone, other = frame[frame["segment"].isin(shown)], frame[~frame["segment"].isin(shown)]
    if len(other):
        sums = other[["experts_total", "experts_approved", "experts_active", "hours", "expert_pay_usd"]].sum()
        label = f"other {PLURAL[by]} ({len(other)})" if len(other) > 1 else "other"
        row = {"segment": label, **sums.to_dict(),
               "avg_pay_rate_usd": sums["expert_pay_usd"] / sums["hours"] if sums["hours"] else None}
        alone = pd.concat([alone, pd.DataFrame([row])], ignore_index=True)
    alone = alone.astype({"avg_pay_rate_usd": "float64"})
    money = ["hours", "expert_pay_usd", "avg_pay_rate_usd"]
    # the period's sums add up the months (and a month whose pay is withheld with its bonuses,
    # kpis.PAY_IDENTITY, would follow from the rows' pay)
    small = _small_months(con, first, last, filters)
    alone = privacy.withhold_columns(alone, money if small["experts_active"] else
                                     ["expert_pay_usd", "avg_pay_rate_usd"] if small["experts_with_bonus"] else [])
    alone = privacy.withhold_by_basis(alone, "experts_active", money)
    # the rows add up to experts signed up to date, which a running count may withhold
    if not kpis.running_count_visibility(con, last, last, filters)["total_shown"].iloc[0]:
        alone = privacy.withhold_columns(alone, ["experts_total"])
    return _withhold_counts(alone, ["experts_total", "experts_approved", "experts_active"])


def _small_months(con, first: date, last: date, filters: Filters) -> dict[str, bool]:
    """Whether some month of the period has 1 to 10 active experts, or 1 to 10 paid a bonus: then
    that month's sums (its pay, with its bonuses) would follow from this period's sums and a
    neighbouring period's, and the period's sums are withheld."""
    activity = run(con, "activity_by_month", **_range(first, last, filters))
    return {column: any(privacy.count_is_withheld(n) for n in activity[column])
            for column in ("experts_active", "experts_with_bonus")}


def earnings_of_period(con, first: date, last: date, filters: Filters = Filters(),
                       role: str = roles.FOUNDER) -> dict:
    """Each expert's earnings summed over the period, in one pass (the earnings_spread macro):
    "summary", how many earned, the total, p50/p90/p99, Gini and top-1% share (None where null or
    withheld); "histogram", earnings_from_usd, earnings_to_usd, experts in log-scale bins (an
    investor's small bins merged)."""
    frame = run(con, "earnings_distribution", per_month=False, **_range(first, last, filters))
    keys = ("experts_earning", "earnings_usd", "earnings_p50_usd", "earnings_p90_usd", "earnings_p99_usd",
            "earnings_gini", "top1pct_earnings_share")
    histogram = pd.DataFrame(list(frame.iloc[0]["histogram"]) if not frame.empty else [],
                             columns=["earnings_from_usd", "earnings_to_usd", "experts"])
    if frame.empty:
        return {"summary": {"experts_earning": 0} | {k: None for k in keys[1:]}, "histogram": histogram}
    row = {k: (None if pd.isna(frame.iloc[0][k]) else frame.iloc[0][k]) for k in keys}
    row["experts_earning"] = int(row["experts_earning"])
    if role == roles.INVESTOR:
        n = row["experts_earning"]
        for key, percent in (("earnings_p50_usd", 50), ("earnings_p90_usd", 90), ("earnings_p99_usd", 99)):
            if privacy.percentile_is_withheld(n, percent):
                row[key] = None
        if privacy.basis_is_too_small(n):
            row["earnings_gini"] = row["earnings_usd"] = None
        if privacy.top_share_is_withheld(n):
            row["top1pct_earnings_share"] = None
        if privacy.count_is_withheld(n):
            row["experts_earning"] = None
        row["earnings_usd"] = None   # no page shows it, and it sums months an investor may not see
        histogram = privacy.merge_histogram_bins(histogram)
    return {"summary": row, "histogram": histogram}


def billings_by_segment(con, first: date, last: date, filters: Filters = Filters(),
                        role: str = roles.FOUNDER) -> pd.DataFrame:
    """month, segment, billings_usd, and for an investor the experts behind them (else 0)."""
    frame = run(con, "billings_by_segment", count_experts=role == roles.INVESTOR, **_range(first, last, filters))
    if role == roles.INVESTOR:
        frame = pd.concat([_merge_small_segments(rows) for _, rows in frame.groupby("month", sort=True)]
                          or [frame.iloc[:0]], ignore_index=True)
    return frame


def _merge_small_segments(rows: pd.DataFrame) -> pd.DataFrame:
    """One month of billings by segment for an investor: the segments with fewer than 11
    experts merged with the smallest other one (an expert can bill several segments, so only
    a member of 11 or more makes the merged row safe); if none has 11, one withheld row."""
    rows = rows.sort_values("experts", ascending=False)
    small = rows[rows["experts"] < privacy.MIN_EXPERTS]
    if small.empty:
        return rows
    big = rows[rows["experts"] >= privacy.MIN_EXPERTS]
    merged = pd.concat([small, big.tail(1)])
    row = {"month": rows["month"].iloc[0], "segment": "all segments" if big.empty else "other segments",
           "billings_usd": float("nan") if big.empty else merged["billings_usd"].sum(),
           "experts": float("nan") if big.empty else merged["experts"].max()}
    out = pd.concat([big.iloc[:-1], pd.DataFrame([row])], ignore_index=True)
    return out.astype({"billings_usd": "float64", "experts": "Int64"})


def top_clients(con, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER,
                show_client_names: bool = True, limit: int = 10) -> pd.DataFrame:
    """rank, client, segment, billings_usd, share, experts: the largest clients of the period.
    Where names are not to be shown, a client is named by its segment and rank."""
    frame = run(con, "top_clients", limit=int(limit), **_range(first, last, filters))
    if not show_client_names:
        frame["client"] = [f"{segment} client #{rank}" for segment, rank in zip(frame["segment"], frame["rank"])]
    if role == roles.INVESTOR:
        frame = _investor_clients(con, frame, first, last, filters)
    return frame.drop(columns=["client_id"])


def _investor_clients(con, frame: pd.DataFrame, first: date, last: date, filters: Filters) -> pd.DataFrame:
    """The largest clients for an investor: a client stands alone when its billings rest on 0
    or at least 11 experts in every month of the period; the others, and every client past
    the list, are one "all other clients" row (the rows add up to billings, which are shown)."""
    cells = run(con, "client_months_with_experts", **_range(first, last, filters))
    if cells.empty:
        return frame
    order = cells.groupby("client_id")["billings_usd"].sum().sort_values(ascending=False).index
    by_month = {month: rows.set_index("client_id")[["experts"]] for month, rows in cells.groupby("month")}
    whole = cells.groupby("client_id")["experts"].max().to_frame().loc[order]
    shown = set(privacy.rows_shown_in_every_month(by_month, whole, disjoint=False))
    alone = frame[frame["client_id"].isin(shown)]
    total = cells["billings_usd"].sum()
    other_billings = total - alone["billings_usd"].sum()
    if len(whole) > len(alone):
        outside = run(con, "experts_of_other_clients", client_ids=list(alone["client_id"]), **_range(first, last, filters))
        row = {"rank": None, "client_id": None, "client": f"all other clients ({len(whole) - len(alone)})",
               "segment": "", "billings_usd": other_billings, "share": other_billings / total,
               "experts": int(outside.iloc[0, 0])}
        alone = pd.concat([alone, pd.DataFrame([row])], ignore_index=True)
    if _small_months(con, first, last, filters)["experts_active"]:
        alone = privacy.withhold_columns(alone, ["billings_usd", "share"])
    return alone.astype({"rank": "Int64", "experts": "Int64"})


SPREAD_KINDS = ("segment", "domain", "contract")
LARGEST_CONTRACTS = 10


def spread_by(con, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER,
              limit: int = LARGEST_CONTRACTS) -> dict[str, pd.DataFrame]:
    """For each of SPREAD_KINDS (client segment, the experts' domain, and the `limit` largest
    contracts by billings), rows of name, client, segment, bill_rate_usd, hours, billings_usd,
    expert_pay_usd, spread_usd, spread_per_hour_usd, experts: what the period's work earned the
    company before bonuses (client, segment and bill rate only for contracts). One pass over the
    rollup for all three. Client and contract detail: not part of an investor's view."""
    if role == roles.INVESTOR:
        raise PermissionError("spread by segment, domain and contract is not part of an investor's view")
    frame = run(con, "spread_by_segment", **_range(first, last, filters))
    tables = {kind: frame[frame["by"] == kind].drop(columns=["by"]).reset_index(drop=True) for kind in SPREAD_KINDS}
    tables["contract"] = tables["contract"].head(int(limit))
    return tables


def client_logo_retention(con, filters: Filters = Filters(), role: str = roles.FOUNDER) -> pd.DataFrame:
    """cohort ('YYYY-MM' of a client's first billing), months_since, cohort_clients, clients_billed,
    rate: of the clients first billed in a month, the share billed k months later. Clients one
    by one: not part of an investor's view."""
    if role == roles.INVESTOR:
        raise PermissionError("client logo retention is not part of an investor's view")
    return run(con, "client_logo_retention", **filters.as_params())


def contracts_ending(con, last: date) -> pd.DataFrame:
    """ending_within_days (30, 60, 90), contracts, arr_usd: the contracts that end in each window
    after the month `last`, and their run-rate (whole company: contracts, not experts)."""
    return run(con, "contracts_ending", to_month=last)


def events(con, role: str = roles.FOUNDER) -> pd.DataFrame:
    """event_date, title, kind: the events file's rows (for an investor only those marked
    investor_visible) and the valuation rounds, to mark on time charts."""
    return run(con, "events", investor_only=role == roles.INVESTOR)


def targets(con) -> pd.DataFrame:
    """metric, month, target_value: the whole plan, for the target lines on the founders' charts
    (targets have no investor flag, so no investor page asks for them)."""
    return run(con, "targets")


def valuation_marks(con) -> pd.DataFrame:
    """as_of_date, round, post_money_usd: every valuation mark (the whole company)."""
    return run(con, "valuation_marks")


def mark_months(marks: pd.DataFrame) -> list[date]:
    """The month of each valuation mark (first day)."""
    return [date(d.year, d.month, 1) for d in marks["as_of_date"]]


def experts_page(con, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER,
                 sort_key: str = "earnings_usd", descending: bool = True, limit: int = 50, offset: int = 0,
                 active_only: bool = True) -> pd.DataFrame:
    """One page of the experts who match the filters, with their work in the period.
    Expert-level rows: never for an investor."""
    return run(con, "experts_in_period", **_experts_params(first, last, filters, role, sort_key, descending,
                                                            limit, offset, active_only))


def experts_csv(con, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER,
                sort_key: str = "earnings_usd", descending: bool = True, active_only: bool = True) -> bytes:
    """The whole filtered expert list as CSV."""
    return run_to_csv(con, "experts_in_period", drop=("matching_experts",),
                      **_experts_params(first, last, filters, role, sort_key, descending, 2**62, 0, active_only))


def _experts_params(first, last, filters, role, sort_key, descending, limit, offset, active_only) -> dict:
    if role == roles.INVESTOR:
        raise PermissionError("expert-level rows are not part of an investor's view")
    if sort_key not in EXPERT_SORT_KEYS:
        raise BadInput(f"sort must be one of {', '.join(EXPERT_SORT_KEYS)}")
    return {"sort_key": sort_key, "descending": bool(descending), "limit": int(limit), "offset": int(offset),
            "active_only": bool(active_only), **_range(first, last, filters)}


def filter_options(con) -> dict:
    """domains, countries, first_month, last_month: what the filter bar offers."""
    row = run(con, "filter_options").iloc[0]
    listed = lambda values: list(values) if hasattr(values, "__len__") else []   # NULL for an empty warehouse
    return {"domains": listed(row["domains"]), "countries": listed(row["countries"]),
            "first_month": None if pd.isna(row["first_month"]) else pd.Timestamp(row["first_month"]).date(),
            "last_month": None if pd.isna(row["last_month"]) else pd.Timestamp(row["last_month"]).date()}
