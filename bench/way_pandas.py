"""Way 2, the usual Streamlit way: load the raw tables into pandas with .df() (work_logs joined to
contracts, experts, bonuses, clients, valuations; only the columns the pages use), add month and amount
columns as a cached loader would, then compute every workload's figures with pandas groupby. The worker
times the load apart and adds it to every page's time; each workload takes (frames, first, last)."""

from datetime import date

from bench.kpis import activation_rows, assemble_kpis, earnings_spread, summary_row
from bench.months import add_months, label, last_day, month_range
from bench.workloads import TOP_CLIENTS

PANDAS_LOADS = {
    # work_logs joined to contracts: one row per work log, as `st.cache_data` would hold it
    "logs": """SELECT w.expert_id, w.contract_id, w.work_date, w.hours, w.pay_rate_usd,
                      c.client_id, c.bill_rate_usd
               FROM work_logs w JOIN contracts c USING (contract_id)""",
    "experts": "SELECT expert_id, domain, country, signup_date, approved_date FROM experts",
    "bonuses": "SELECT expert_id, paid_date, amount_usd FROM bonuses",
    "clients": "SELECT client_id, name, segment FROM clients",
    "contracts": "SELECT contract_id, client_id, start_date, end_date, committed_usd FROM contracts",
    "valuations": "SELECT as_of_date, round, post_money_usd FROM valuations",
    "events": "SELECT event_date, title, kind FROM events",
}


def pandas_load(con) -> dict:
    """The raw tables in pandas, with the derived columns a cached loader would add."""
    frames = {}
    for name, sql in PANDAS_LOADS.items():
        cursor = con.cursor()
        try:
            frames[name] = cursor.execute(sql).df()
        finally:
            cursor.close()
    logs, experts, bonuses = frames["logs"], frames["experts"], frames["bonuses"]
    logs["month"] = logs["work_date"].to_numpy().astype("datetime64[M]")
    logs["pay_usd"] = logs["hours"] * logs["pay_rate_usd"]
    logs["bill_usd"] = logs["hours"] * logs["bill_rate_usd"]
    experts["signup_month"] = experts["signup_date"].to_numpy().astype("datetime64[M]")
    bonuses["month"] = bonuses["paid_date"].to_numpy().astype("datetime64[M]")
    return frames


def _client_figures(billings, first: date, last: date):
    """Concentration and 12-month revenue retention from billings per (month, client):
    a Series with a (month, client_id) index covering months first-12 .. last."""
    import numpy as np
    import pandas as pd
    rows = {}
    by_month = {m: s.droplevel(0) for m, s in billings.groupby(level=0)}
    for m in month_range(first, last):
        month = pd.Timestamp(m)
        row = {"clients_active": 0}
        current = by_month.get(month)
        if current is not None and len(current):
            b = np.sort(current.to_numpy(dtype="float64"))[::-1]
            total = b.sum()
            row.update(clients_active=len(b), top_client_share=b[0] / total if total else np.nan,
                       top5_client_share=b[:5].sum() / total if total else np.nan,
                       client_hhi=float((np.square(100 * b / total)).sum()) if total else np.nan)
        base = by_month.get(pd.Timestamp(add_months(m, -12)))
        if base is not None and len(base) and base.sum():
            now = (current if current is not None else pd.Series(dtype="float64")).reindex(base.index, fill_value=0)
            row["nrr_12m"] = now.sum() / base.sum()
            row["grr_12m"] = np.minimum(now.to_numpy(), base.to_numpy()).sum() / base.sum()
        rows[month] = row
    columns = ["clients_active", "top_client_share", "top5_client_share", "client_hhi", "nrr_12m", "grr_12m"]
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)


def _valuation_by_month(valuations, first: date, last: date):
    """post_money_usd of the latest mark on or before each month's last day."""
    import pandas as pd
    marks = valuations.sort_values("as_of_date")
    rows = {}
    for m in month_range(first, last):
        before = marks[marks["as_of_date"] <= pd.Timestamp(last_day(m))]
        rows[pd.Timestamp(m)] = before["post_money_usd"].iloc[-1] if len(before) else float("nan")
    return pd.DataFrame({"valuation_usd": pd.Series(rows, dtype="float64")})


def _histogram_rows(earnings) -> list[dict]:
    """Log-scale bins, four per factor of ten, of positive earnings (as the query bins them)."""
    import numpy as np
    import pandas as pd
    bins = pd.Series(np.floor(np.log10(np.asarray(earnings, dtype="float64")) * 4)).value_counts().sort_index()
    return [{"earnings_from_usd": 10 ** (b / 4), "earnings_to_usd": 10 ** ((b + 1) / 4), "experts": int(n)}
            for b, n in bins.items()]


def _retention_rows(cohort_sizes: dict, active: dict, last_month: date) -> list:
    """(cohort, months_since, cohort_size, active, rate) from the first cohort to the last month with work."""
    rows = []
    for cohort in sorted(cohort_sizes):
        size = cohort_sizes[cohort]
        for k, month in enumerate(month_range(cohort, last_month)):
            a = int(active.get((cohort, month), 0))
            rows.append({"cohort": label(cohort), "months_since": k, "cohort_size": int(size),
                         "active": a, "rate": a / size})
    return rows


def _between(frame, column: str, first: date, last: date):
    import pandas as pd
    return frame[(frame[column] >= pd.Timestamp(first)) & (frame[column] <= pd.Timestamp(last))]


def _pandas_activation(f: dict, first: date, last: date):
    """cohort_size and activated_90d by signup month, cohorts first..last."""
    import pandas as pd
    experts, logs = f["experts"], f["logs"]
    cohort = _between(experts, "signup_month", first, last)
    first_work = logs[logs["expert_id"].isin(cohort["expert_id"])].groupby("expert_id")["work_date"].min()
    # reindex, not map: an empty first_work (a cohort with no work at all, as on a small network)
    # would make map cast the dates to float and fail
    worked_from = pd.Series(first_work.reindex(cohort["expert_id"]).to_numpy(), index=cohort.index)
    activated = worked_from < cohort["signup_date"] + pd.Timedelta(days=90)
    return cohort.assign(activated=activated).groupby("signup_month").agg(
        cohort_size=("expert_id", "size"), activated_90d=("activated", "sum"))


def _pandas_period_earnings(f: dict, first: date, last: date):
    """Each expert's pay + bonuses summed over months first..last, earners (> 0) only."""
    pay = _between(f["logs"], "month", first, last).groupby("expert_id")["pay_usd"].sum()
    paid = _between(f["bonuses"], "month", first, last).groupby("expert_id")["amount_usd"].sum()
    earnings = pay.add(paid, fill_value=0)
    return earnings[earnings > 0]


def _pandas_supply(f: dict, first: date, last: date):
    """First paid, reactivated, approved-and-active experts, the two medians and the top-10% hours
    share of each month first..last, by pandas over the whole work log."""
    import math
    import numpy as np
    import pandas as pd
    logs, experts = f["logs"], f["experts"]
    first_work = logs.groupby("expert_id")["work_date"].min()
    people = experts.set_index("expert_id").assign(first_work_date=first_work)
    first_paid_month = people["first_work_date"].to_numpy().astype("datetime64[M]")
    approved_month = people["approved_date"].to_numpy().astype("datetime64[M]")
    worked = {m: set(g) for m, g in logs.groupby("month")["expert_id"]}
    rows = {}
    for m in month_range(first, last):
        month = np.datetime64(m, "M")
        now, before = worked.get(pd.Timestamp(m), set()), worked.get(pd.Timestamp(add_months(m, -1)), set())
        firsts = people[first_paid_month == month]
        approved = people[approved_month == month]
        came_back = [e for e in now - before if people.at[e, "first_work_date"] < pd.Timestamp(add_months(m, -1))]
        active_approved = sum(1 for e in now if people.at[e, "approved_date"] <= pd.Timestamp(last_day(m)))
        hours = logs[logs["month"] == pd.Timestamp(m)].groupby("expert_id")["hours"].sum().sort_values(ascending=False)
        top = hours.iloc[:math.ceil(len(hours) / 10)].sum() / hours.sum() if len(hours) else np.nan
        days = lambda frame, column: ((frame[column] - frame["signup_date"]).dt.days.to_numpy(dtype="float64"))  # noqa: E731
        rows[pd.Timestamp(m)] = {
            "experts_first_paid": len(firsts),
            "days_to_first_paid_p50": np.median(days(firsts, "first_work_date")) if len(firsts) else np.nan,
            "days_to_approval_p50": np.median(days(approved, "approved_date")) if len(approved) else np.nan,
            "experts_reactivated": len(came_back), "active_approved": active_approved,
            "top10pct_hours_share": top}
    return pd.DataFrame.from_dict(rows, orient="index")


def _pandas_bridge(f: dict, first: date, last: date):
    """The client revenue bridge of each month first..last: each client's billings now and the
    month before, sorted into new, reactivated, kept (expansion, contraction) and churned."""
    import pandas as pd
    billed = f["logs"].groupby(["client_id", "month"])["bill_usd"].sum()
    first_month = billed.reset_index().groupby("client_id")["month"].min()
    rows = {}
    for m in month_range(first, last):
        now = billed.xs(pd.Timestamp(m), level="month") if pd.Timestamp(m) in billed.index.levels[1] else pd.Series(dtype=float)
        prev_key = pd.Timestamp(add_months(m, -1))
        before = billed.xs(prev_key, level="month") if prev_key in billed.index.levels[1] else pd.Series(dtype=float)
        new = [c for c in now.index if first_month[c] == pd.Timestamp(m)]
        back = [c for c in now.index if c not in before.index and c not in new]
        kept = [c for c in now.index if c in before.index]
        gone = [c for c in before.index if c not in now.index]
        change = now.reindex(kept) - before.reindex(kept)
        rows[pd.Timestamp(m)] = {
            "clients_new": len(new), "clients_churned": len(gone),
            "revenue_new_usd": float(now.reindex(new).sum()), "revenue_reactivated_usd": float(now.reindex(back).sum()),
            "revenue_expansion_usd": float(change[change > 0].sum()),
            "revenue_contraction_usd": float(-change[change < 0].sum()),
            "revenue_churned_usd": float(before.reindex(gone).sum())}
    return pd.DataFrame.from_dict(rows, orient="index")


def _pandas_forward(f: dict, first: date, last: date):
    """Committed backlog, and the contracts (and their run-rate) ending within 90 days, at the end
    of each month first..last."""
    import pandas as pd
    contracts, logs = f["contracts"], f["logs"]
    rows = {}
    for m in month_range(first, last):
        end = pd.Timestamp(last_day(m))
        to_date = logs[logs["work_date"] <= end].groupby("contract_id")["bill_usd"].sum()
        in_month = logs[logs["month"] == pd.Timestamp(m)].groupby("contract_id")["bill_usd"].sum()
        c = contracts.set_index("contract_id")
        open_committed = c[c["committed_usd"].notna() & (c["start_date"] <= end)
                           & (c["end_date"].isna() | (c["end_date"] > end))]
        left = (open_committed["committed_usd"] - to_date.reindex(open_committed.index, fill_value=0)).clip(lower=0)
        ending = c[(c["end_date"] > end) & (c["end_date"] <= end + pd.Timedelta(days=90))]
        rows[pd.Timestamp(m)] = {"committed_backlog_usd": float(left.sum()), "contracts_ending_90d": len(ending),
                                 "arr_ending_90d_usd": 12 * float(in_month.reindex(ending.index, fill_value=0).sum())}
    return pd.DataFrame.from_dict(rows, orient="index")


def _pandas_events(f: dict):
    import pandas as pd
    rounds = f["valuations"].assign(title=f["valuations"]["round"] + " round", kind="round")
    return pd.concat([f["events"], rounds.rename(columns={"as_of_date": "event_date"})[["event_date", "title", "kind"]]])


def _pandas_contracts_ending(f: dict, last: date):
    import pandas as pd
    end = pd.Timestamp(last_day(last))
    billed = f["logs"][f["logs"]["month"] == pd.Timestamp(last)].groupby("contract_id")["bill_usd"].sum()
    contracts = f["contracts"].assign(days_left=(f["contracts"]["end_date"] - end).dt.days)
    rows = []
    for window in (30, 60, 90):
        inside = contracts[(contracts["days_left"] > window - 30) & (contracts["days_left"] <= window)]
        rows.append({"ending_within_days": window, "contracts": len(inside),
                     "arr_usd": 12 * float(billed.reindex(inside["contract_id"], fill_value=0).sum())})
    return rows


def _pandas_supply_segments(f: dict, by: str, first: date, last: date):
    import numpy as np
    import pandas as pd
    from datetime import timedelta
    experts, logs = f["experts"], f["logs"]
    end = pd.Timestamp(last_day(last))
    people = experts.set_index("expert_id").assign(first_work_date=logs.groupby("expert_id")["work_date"].min())
    people = people[people["signup_date"] <= end]
    if by == "cohort":
        people = people[people["signup_date"] >= pd.Timestamp(first)]
        people = people.assign(segment=people["signup_date"].dt.strftime("%Y-%m"))
    else:
        people = people.assign(segment=people[by])
    active_last = set(logs.loc[logs["month"] == pd.Timestamp(last), "expert_id"])
    last_work = pd.Timestamp(logs["work_date"].max()).date()
    rows = []
    for segment, group in people.groupby("segment"):
        approved = group[(group["approved_date"] >= pd.Timestamp(first)) & (group["approved_date"] <= end)]
        paid = group[(group["first_work_date"] >= pd.Timestamp(first)) & (group["first_work_date"] <= end)]
        to_approval = (approved["approved_date"] - approved["signup_date"]).dt.days.to_numpy(dtype="float64")
        to_paid = (paid["first_work_date"] - paid["signup_date"]).dt.days.to_numpy(dtype="float64")
        cohort_end = last_day(group["signup_date"].max().date().replace(day=1))
        rows.append({
            "segment": segment, "experts_signed_up": len(group),
            "experts_approved": int((group["approved_date"] <= end).sum()),
            "experts_first_paid": int((group["first_work_date"] <= end).sum()),
            "experts_active_last_month": len(active_last & set(group.index)),
            "days_to_approval_p50": np.quantile(to_approval, 0.5) if len(to_approval) else None,
            "days_to_approval_p90": np.quantile(to_approval, 0.9) if len(to_approval) else None,
            "days_to_first_paid_p50": np.quantile(to_paid, 0.5) if len(to_paid) else None,
            "days_to_first_paid_p90": np.quantile(to_paid, 0.9) if len(to_paid) else None,
            "mature": cohort_end + timedelta(days=89) <= last_work})
    return rows


def pandas_parts(f: dict, first: date, last: date) -> dict:
    import pandas as pd
    logs, experts, bonuses = f["logs"], f["experts"], f["bonuses"]
    span_first = add_months(first, -12)
    span_months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(span_first, last)])
    months = [pd.Timestamp(m) for m in month_range(first, last)]

    span_logs = _between(logs, "month", span_first, last)
    g = span_logs.groupby("month")
    activity = pd.DataFrame({
        "experts_active": g["expert_id"].nunique(),
        "hours": g["hours"].sum(),
        "expert_pay_usd": g["pay_usd"].sum(),
        "billings_usd": g["bill_usd"].sum(),
    }).reindex(span_months, fill_value=0)
    span_bonuses = _between(bonuses, "month", span_first, last)
    activity["bonuses_usd"] = span_bonuses.groupby("month")["amount_usd"].sum().reindex(span_months, fill_value=0)

    counts = {}
    for m in months:
        month_end = pd.Timestamp(last_day(m.date()))
        counts[m] = {
            "experts_total": int((experts["signup_date"] <= month_end).sum()),
            "experts_new": int((experts["signup_month"] == m).sum()),
            "experts_approved_total": int((experts["approved_date"] <= month_end).sum()),
        }

    # earnings = pay + bonuses per expert and month, > 0
    pay = _between(span_logs, "month", first, last).groupby(["month", "expert_id"])["pay_usd"].sum()
    paid = _between(span_bonuses, "month", first, last).groupby(["month", "expert_id"])["amount_usd"].sum()
    earnings = pay.add(paid, fill_value=0)
    earnings = earnings[earnings > 0]
    spread = pd.DataFrame.from_dict({m: earnings_spread(e.to_numpy()) for m, e in earnings.groupby(level=0)},
                                    orient="index")

    client_billings = span_logs.groupby(["month", "client_id"])["bill_usd"].sum()
    return {
        "activity": activity,
        "counts": pd.DataFrame.from_dict(counts, orient="index"),
        "activation": _pandas_activation(f, add_months(first, -3), add_months(last, -3)),
        "earnings": spread,
        "clients": _client_figures(client_billings, first, last),
        "valuation": _valuation_by_month(f["valuations"], first, last),
        "supply": _pandas_supply(f, first, last),
        "bridge": _pandas_bridge(f, first, last),
        "forward": _pandas_forward(f, first, last),
    }


def _pandas_segments(f: dict, by: str, first: date, last: date):
    import pandas as pd
    experts = f["experts"]
    kept = experts[experts["signup_month"] <= pd.Timestamp(last)]
    approved = kept["approved_date"] <= pd.Timestamp(last_day(last))
    table = kept.assign(approved=approved).groupby(by).agg(experts_total=("expert_id", "size"),
                                                           experts_approved=("approved", "sum"))
    work = _between(f["logs"], "month", first, last)
    work = work.assign(segment=work["expert_id"].map(experts.set_index("expert_id")[by]))
    done = work.groupby("segment").agg(experts_active=("expert_id", "nunique"), hours=("hours", "sum"),
                                       expert_pay_usd=("pay_usd", "sum"))
    table = table.join(done).fillna({"experts_active": 0, "hours": 0.0, "expert_pay_usd": 0.0})
    table["avg_pay_rate_usd"] = table["expert_pay_usd"] / table["hours"].where(table["hours"] != 0)
    table = table.rename_axis("segment").reset_index()
    return table.sort_values(["experts_total", "segment"], ascending=[False, True])


def _pandas_billings_by_segment(f: dict, first: date, last: date):
    work = _between(f["logs"], "month", first, last)
    work = work.assign(segment=work["client_id"].map(f["clients"].set_index("client_id")["segment"]))
    table = work.groupby(["month", "segment"]).agg(billings_usd=("bill_usd", "sum"), experts=("expert_id", "nunique"))
    return table.reset_index()


def _pandas_top_clients(f: dict, first: date, last: date):
    work = _between(f["logs"], "month", first, last)
    billed = work.groupby("client_id").agg(billings_usd=("bill_usd", "sum"), experts=("expert_id", "nunique"))
    billed["share"] = billed["billings_usd"] / billed["billings_usd"].sum()
    billed = billed.reset_index().sort_values(["billings_usd", "client_id"], ascending=[False, True])
    billed["rank"] = range(1, len(billed) + 1)
    top = billed.head(TOP_CLIENTS).merge(f["clients"], on="client_id")
    return top.rename(columns={"name": "client"})[["rank", "client", "segment", "billings_usd", "share", "experts"]]


def _pandas_retention(f: dict) -> list:
    import pandas as pd
    logs, experts = f["logs"], f["experts"]
    cohort_sizes = experts.groupby("signup_month").size()
    expert_months = logs[["expert_id", "month"]].drop_duplicates()
    expert_months = expert_months.merge(experts[["expert_id", "signup_month"]], on="expert_id")
    active = expert_months.groupby(["signup_month", "month"]).size()
    last_month = pd.Timestamp(logs["month"].max()).date()
    return _retention_rows({pd.Timestamp(c).date(): n for c, n in cohort_sizes.items()},
                           {(pd.Timestamp(c).date(), pd.Timestamp(m).date()): n for (c, m), n in active.items()},
                           last_month)


def workloads() -> dict:
    def series(f, first, last):
        return assemble_kpis(pandas_parts(f, first, last), first, last)

    def valuation(f, first, last):
        marks = f["valuations"].sort_values("as_of_date")
        months = [date(m.year, m.month, 1) for m in marks["as_of_date"]]
        return {"marks": marks, "mark_kpis": [series(f, m, m) for m in months]}

    return {
        "kpi_series_13m": lambda f, first, last: {"kpis": series(f, add_months(last, -12), last)},
        "kpi_series_12m": lambda f, first, last: {"kpis": series(f, first, last)},
        "activation_by_cohort": lambda f, first, last: {
            "activation": activation_rows(_pandas_activation(f, first, last), first, last, f["logs"]["work_date"].max())},
        "experts_by_domain": lambda f, first, last: {"segments": _pandas_segments(f, "domain", first, last)},
        "experts_by_country": lambda f, first, last: {"segments": _pandas_segments(f, "country", first, last)},
        "earnings_of_period": lambda f, first, last: (lambda earnings: {
            "summary": [summary_row(earnings)], "histogram": _histogram_rows(earnings)})(
            _pandas_period_earnings(f, first, last)),
        "billings_by_segment": lambda f, first, last: {
            "billings_by_segment": _pandas_billings_by_segment(f, first, last)},
        "top_clients": lambda f, first, last: {"top_clients": _pandas_top_clients(f, first, last)},
        "retention": lambda f, first, last: {"retention": _pandas_retention(f)},
        "events": lambda f, first, last: {"events": _pandas_events(f)},
        "contracts_ending": lambda f, first, last: {"ending": _pandas_contracts_ending(f, last)},
        **{f"supply_by_{by}": (lambda by: lambda f, first, last: {
            "supply": _pandas_supply_segments(f, by, first, last)})(by) for by in ("cohort", "domain", "country")},
        "valuation": valuation,
    }
