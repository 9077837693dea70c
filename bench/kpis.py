"""The KPI rows of METRICS.md built from a few small "parts" (monthly activity, expert counts, activation,
earnings spread, client figures, valuation) that ways 2 and 3 each compute their own way, independently
of expertnet/metrics/kpis.py; and the row shapes both ways share for the earnings summary and activation."""

import math
from datetime import date

from bench.months import add_months, label, month_range


def _div(numerator, denominator):
    import pandas as pd
    numerator = pd.Series(numerator, dtype="float64")
    denominator = pd.Series(denominator, dtype="float64")
    return (numerator / denominator.where(denominator != 0)).to_numpy(dtype="float64")


def assemble_kpis(parts: dict, first: date, last: date):
    """One row per month from first to last with the KPI keys of METRICS.md."""
    import pandas as pd
    months = [pd.Timestamp(m) for m in month_range(first, last)]
    activity = parts["activity"]                 # months first-12 .. last, zeros filled
    act = activity.loc[months]
    billings = act["billings_usd"].to_numpy()
    previous = activity["billings_usd"].shift(1).loc[months].to_numpy()
    year_ago = activity["billings_usd"].shift(12).loc[months].to_numpy()
    counts = parts["counts"].loc[months]
    # the 90-day activation of month M is that of the signup cohort M-3
    activation = parts["activation"].reindex([pd.Timestamp(add_months(m.date(), -3)) for m in months], fill_value=0)
    earnings = parts["earnings"].reindex(months)
    clients = parts["clients"].reindex(months)
    valuation = parts["valuation"].reindex(months)["valuation_usd"].to_numpy(dtype="float64")

    k = pd.DataFrame(index=range(len(months)))
    k["month"] = [label(m) for m in months]
    for column in ("experts_total", "experts_new", "experts_approved_total"):
        k[column] = counts[column].to_numpy()
    k["experts_active"] = act["experts_active"].to_numpy()
    k["activation_rate_90d"] = _div(activation["activated_90d"].to_numpy(), activation["cohort_size"].to_numpy())
    for column in ("hours", "expert_pay_usd", "bonuses_usd", "billings_usd"):
        k[column] = act[column].to_numpy(dtype="float64")
    k["payouts_usd"] = k["expert_pay_usd"] + k["bonuses_usd"]
    k["net_revenue_usd"] = k["billings_usd"] - k["payouts_usd"]
    k["take_rate"] = _div(k["net_revenue_usd"], k["billings_usd"])
    k["arr_usd"] = k["billings_usd"] * 12
    k["billings_growth_mom"] = _div(billings, previous) - 1
    k["billings_cmgr_12m"] = _div(billings, year_ago) ** (1 / 12) - 1
    k["avg_pay_rate_usd"] = _div(k["expert_pay_usd"], k["hours"])
    k["avg_bill_rate_usd"] = _div(k["billings_usd"], k["hours"])
    k["hours_per_active_expert"] = _div(k["hours"], k["experts_active"])
    for column in ("earnings_p50_usd", "earnings_p90_usd", "earnings_p99_usd", "earnings_gini",
                   "top1pct_earnings_share"):
        k[column] = earnings[column].to_numpy(dtype="float64")
    k["clients_active"] = clients["clients_active"].fillna(0).to_numpy(dtype="int64")
    for column in ("top_client_share", "top5_client_share", "client_hhi", "nrr_12m", "grr_12m"):
        k[column] = clients[column].to_numpy(dtype="float64")
    k["valuation_usd"] = valuation
    k["implied_arr_multiple"] = _div(valuation, k["billings_usd"] * 12)
    _assemble_operator(k, parts, months)
    return k


def _assemble_operator(k, parts: dict, months: list) -> None:
    """The operator KPIs of METRICS.md, from the parts "supply", "bridge" and "forward"."""
    supply = parts["supply"].reindex(months)
    bridge = parts["bridge"].reindex(months).fillna(0)
    forward = parts["forward"].reindex(months)
    year_ago = parts["activity"]["billings_usd"].shift(12).loc[months].to_numpy()
    k["billings_growth_yoy"] = _div(k["billings_usd"], year_ago) - 1
    k["spread_per_hour_usd"] = _div(k["billings_usd"] - k["expert_pay_usd"], k["hours"])
    for column in ("experts_first_paid", "experts_reactivated"):
        k[column] = supply[column].fillna(0).to_numpy(dtype="int64")
    k["utilization_rate"] = _div(supply["active_approved"].fillna(0).to_numpy(), k["experts_approved_total"])
    for column in ("days_to_approval_p50", "days_to_first_paid_p50", "top10pct_hours_share"):
        k[column] = supply[column].to_numpy(dtype="float64")
    for column in ("clients_new", "clients_churned"):
        k[column] = bridge[column].to_numpy(dtype="int64")
    gained = ("revenue_new_usd", "revenue_reactivated_usd", "revenue_expansion_usd")
    lost = ("revenue_contraction_usd", "revenue_churned_usd")
    for column in gained + lost:
        k[column] = bridge[column].to_numpy(dtype="float64")
    k["quick_ratio"] = _div(bridge[list(gained)].sum(axis=1).to_numpy(), bridge[list(lost)].sum(axis=1).to_numpy())
    k["committed_backlog_usd"] = forward["committed_backlog_usd"].to_numpy(dtype="float64")
    k["contracts_ending_90d"] = forward["contracts_ending_90d"].to_numpy(dtype="int64")
    k["arr_ending_90d_usd"] = forward["arr_ending_90d_usd"].to_numpy(dtype="float64")


def earnings_spread(values) -> dict:
    """Percentiles (linear, = DuckDB quantile_cont), Gini and top-1% share of positive earnings."""
    import numpy as np
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    total = x.sum()
    ranks = np.arange(1, n + 1, dtype="float64")
    return {
        "experts_earning": n,
        "earnings_usd": float(total),
        "earnings_p50_usd": float(np.quantile(x, 0.50)),
        "earnings_p90_usd": float(np.quantile(x, 0.90)),
        "earnings_p99_usd": float(np.quantile(x, 0.99)),
        "earnings_gini": float(((2 * ranks - n - 1) * x).sum() / (n * total)),
        "top1pct_earnings_share": float(x[n - math.ceil(n / 100):].sum() / total),
    }


def summary_row(earnings) -> dict:
    """breakdowns.earnings_of_period's summary: the spread of period earnings, or nothing to spread."""
    if len(earnings):
        return earnings_spread(earnings)
    return {"experts_earning": 0, "earnings_usd": None, "earnings_p50_usd": None, "earnings_p90_usd": None,
            "earnings_p99_usd": None, "earnings_gini": None, "top1pct_earnings_share": None}


def activation_rows(frame, first: date, last: date, last_work_date) -> list[dict]:
    """cohort, cohort_size, activated_90d, activation_rate_90d and mature (the 90 days of the
    cohort's last signup day are over by the last work date) for every cohort first..last, from a
    frame indexed by cohort month with cohort_size and activated_90d."""
    import pandas as pd
    from datetime import timedelta
    from bench.months import last_day
    end = None if last_work_date is None or pd.isna(last_work_date) else pd.Timestamp(last_work_date).date()
    rows = []
    for m in month_range(first, last):
        key = pd.Timestamp(m)
        size = int(frame["cohort_size"].get(key, 0))
        activated = int(frame["activated_90d"].get(key, 0))
        rows.append({"cohort": m, "cohort_size": size, "activated_90d": activated,
                     "activation_rate_90d": activated / size if size else None,
                     "mature": end is not None and last_day(m) + timedelta(days=89) <= end})
    return rows
