"""Benchmark: are the dashboard's numbers fast at 2M experts and 100M work logs?

    python bench/run.py --experts N --work-logs M [--format table|json] [--db PATH]
                        [--skip-pandas-above ROWS] [--repeat R]

Builds (or reuses) a demo warehouse of that size, then times the numbers each
dashboard page shows, three ways, each in a process of its own so that its
peak memory is its own:

  way 1  this project: expertnet.metrics (kpi_series, kpis, retention) over the
         rollups built at load time, on the dashboard's read-only connection;
  way 2  the usual Streamlit way: load the raw tables into pandas with .df(),
         then groupby (the load is part of its time);
  way 3  plain DuckDB SQL over the raw tables (work_logs, contracts, experts,
         bonuses), without the rollups.

Then it checks that the three ways give the same numbers (relative tolerance
1e-9) and exits 1 if they do not. See bench/README.md.
"""

import argparse
import gc
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # `python bench/run.py` puts bench/, not the project, on the path
    sys.path.insert(0, str(PROJECT_DIR))

BENCH_DATA_DIR = PROJECT_DIR / "data" / "bench"
SEED = 7                                  # the CLI's default seed
REL_TOL = 1e-9
WAYS = (1, 2, 3)
WAY_NAMES = {1: "metrics over rollups", 2: "pandas (load + groupby)", 3: "raw SQL, no rollups"}
# The order the ways run in; way 2 last, so the biggest process does not evict the others' cache.
RUN_ORDER = (1, 3, 2)

# What the pages compute, as workloads shared between pages. Until expertnet/metrics.py has
# page-level functions, four pages draw from the same 12-month KPI series.
WORKLOADS = {
    "overview_month": "kpis(last month)",
    "kpi_series_12m": "kpi_series(last 12 months)",
    "retention": "retention(all cohorts)",
}
PAGES = (
    ("Overview", ("overview_month", "kpi_series_12m")),
    ("Network growth", ("kpi_series_12m",)),
    ("Payouts", ("kpi_series_12m",)),
    ("Revenue & clients", ("kpi_series_12m",)),
    ("Cohorts", ("retention",)),
    ("Valuation", ("kpi_series_12m",)),
)
# Metric functions this benchmark calls; any other public function in metrics.py is reported.
CALLED_METRIC_FUNCTIONS = {"kpi_series", "kpis", "retention"}
NOT_METRIC_FUNCTIONS = {"records", "dataclass", "run", "add_months", "month_label"}
# The figures the three ways must agree on (the rest of the KPIs are compared too).
REQUIRED_MONTHLY = ("hours", "expert_pay_usd", "billings_usd", "bonuses_usd", "experts_active")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ================================================================ months

def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def label(month) -> str:
    return f"{month.year:04d}-{month.month:02d}"


# ================================================================ memory and machine

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def machine_info() -> dict:
    import duckdb
    import numpy
    import pandas
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "memory_total_gib": round(mem_kb / 1024 ** 2, 1) if mem_kb else None,
        "cpu_model": model or platform.processor() or None,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }


# ================================================================ way 1: the project's metric functions

def way1_overview_month(con, first, last):
    from expertnet import metrics
    return metrics.kpis(con, last)


def way1_series(con, first, last):
    from expertnet import metrics
    return metrics.kpi_series(con, first, last)


def way1_retention(con, first, last):
    from expertnet import metrics
    return metrics.retention(con)


# ================================================================ the KPIs from their parts (ways 2 and 3)
#
# Ways 2 and 3 each compute the same small "parts" (monthly activity, counts, earnings
# spread, client figures, valuation); this turns them into the KPI rows of METRICS.md,
# independently of expertnet/metrics.py.

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
    activation = parts["activation"].loc[months]
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
    return k


def _spread(values) -> dict:
    """Percentiles (linear, = DuckDB quantile_cont), Gini and top-1% share of positive earnings."""
    import numpy as np
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    total = x.sum()
    ranks = np.arange(1, n + 1, dtype="float64")
    return {
        "earnings_p50_usd": float(np.quantile(x, 0.50)),
        "earnings_p90_usd": float(np.quantile(x, 0.90)),
        "earnings_p99_usd": float(np.quantile(x, 0.99)),
        "earnings_gini": float(((2 * ranks - n - 1) * x).sum() / (n * total)),
        "top1pct_earnings_share": float(x[n - math.ceil(n / 100):].sum() / total),
    }


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
        month_end = pd.Timestamp(add_months(m, 1)) - pd.Timedelta(days=1)
        before = marks[marks["as_of_date"] <= month_end]
        rows[pd.Timestamp(m)] = before["post_money_usd"].iloc[-1] if len(before) else float("nan")
    return pd.DataFrame({"valuation_usd": pd.Series(rows, dtype="float64")})


def _retention_rows(cohort_sizes: dict, active: dict, last_month: date) -> list:
    """(cohort, months_since, cohort_size, active, rate) from the first cohort to the last month with work."""
    rows = []
    for cohort in sorted(cohort_sizes):
        size = cohort_sizes[cohort]
        for k, month in enumerate(month_range(cohort, last_month)):
            a = int(active.get((cohort, month), 0))
            rows.append((label(cohort), k, int(size), a, a / size))
    return rows


# ================================================================ way 2: the usual Streamlit way, pandas

PANDAS_LOADS = {
    # work_logs joined to contracts: one row per work log, as `st.cache_data` would hold it
    "logs": """SELECT w.expert_id, w.contract_id, w.work_date, w.hours, w.pay_rate_usd,
                      c.client_id, c.bill_rate_usd
               FROM work_logs w JOIN contracts c USING (contract_id)""",
    "experts": "SELECT expert_id, domain, country, signup_date, approved_date FROM experts",
    "bonuses": "SELECT expert_id, paid_date, amount_usd FROM bonuses",
    "valuations": "SELECT as_of_date, post_money_usd FROM valuations",
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


def pandas_parts(f: dict, first: date, last: date) -> dict:
    import numpy as np
    import pandas as pd
    logs, experts, bonuses = f["logs"], f["experts"], f["bonuses"]
    span_first = pd.Timestamp(add_months(first, -12))
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    span_months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(span_first.date(), last)])
    months = [pd.Timestamp(m) for m in month_range(first, last)]

    span_logs = logs[(logs["month"] >= span_first) & (logs["month"] <= hi)]
    g = span_logs.groupby("month")
    activity = pd.DataFrame({
        "experts_active": g["expert_id"].nunique(),
        "hours": g["hours"].sum(),
        "expert_pay_usd": g["pay_usd"].sum(),
        "billings_usd": g["bill_usd"].sum(),
    }).reindex(span_months, fill_value=0)
    span_bonuses = bonuses[(bonuses["month"] >= span_first) & (bonuses["month"] <= hi)]
    activity["bonuses_usd"] = span_bonuses.groupby("month")["amount_usd"].sum().reindex(span_months, fill_value=0)

    counts = {}
    for m in months:
        month_end = m + pd.offsets.MonthEnd(0)
        counts[m] = {
            "experts_total": int((experts["signup_date"] <= month_end).sum()),
            "experts_new": int((experts["signup_month"] == m).sum()),
            "experts_approved_total": int((experts["approved_date"] <= month_end).sum()),
        }

    # 90-day activation of the cohorts M-3
    cohort_lo, cohort_hi = pd.Timestamp(add_months(first, -3)), pd.Timestamp(add_months(last, -3))
    cohort = experts[(experts["signup_month"] >= cohort_lo) & (experts["signup_month"] <= cohort_hi)]
    first_work = logs[logs["expert_id"].isin(cohort["expert_id"])].groupby("expert_id")["work_date"].min()
    cohort = cohort.assign(first_work_date=cohort["expert_id"].map(first_work))
    cohort = cohort.assign(activated=cohort["first_work_date"] < cohort["signup_date"] + pd.Timedelta(days=90))
    by_cohort = cohort.groupby("signup_month").agg(cohort_size=("expert_id", "size"), activated_90d=("activated", "sum"))
    activation = pd.DataFrame({
        "cohort_size": [int(by_cohort["cohort_size"].get(pd.Timestamp(add_months(m.date(), -3)), 0)) for m in months],
        "activated_90d": [int(by_cohort["activated_90d"].get(pd.Timestamp(add_months(m.date(), -3)), 0)) for m in months],
    }, index=months)

    # earnings = pay + bonuses per expert and month, > 0
    window_logs = span_logs[span_logs["month"] >= lo]
    pay = window_logs.groupby(["month", "expert_id"])["pay_usd"].sum()
    window_bonuses = span_bonuses[span_bonuses["month"] >= lo]
    paid = window_bonuses.groupby(["month", "expert_id"])["amount_usd"].sum()
    earnings = pay.add(paid, fill_value=0)
    earnings = earnings[earnings > 0]
    spread = pd.DataFrame.from_dict({m: _spread(e.to_numpy()) for m, e in earnings.groupby(level=0)}, orient="index")

    client_billings = span_logs.groupby(["month", "client_id"])["bill_usd"].sum()
    return {
        "activity": activity,
        "counts": pd.DataFrame.from_dict(counts, orient="index"),
        "activation": activation,
        "earnings": spread,
        "clients": _client_figures(client_billings, first, last),
        "valuation": _valuation_by_month(f["valuations"], first, last),
    }


def way2_overview_month(f, first, last):
    return assemble_kpis(pandas_parts(f, last, last), last, last)


def way2_series(f, first, last):
    return assemble_kpis(pandas_parts(f, first, last), first, last)


def way2_retention(f, first, last):
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


# ================================================================ way 3: plain SQL over the raw tables

RAW_SQL = {
    # work and pay by month, months $span_first .. $last
    "activity": """
        SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month,
               count(DISTINCT w.expert_id) AS experts_active,
               sum(w.hours) AS hours,
               sum(w.hours * w.pay_rate_usd) AS expert_pay_usd,
               sum(w.hours * c.bill_rate_usd) AS billings_usd
        FROM work_logs w JOIN contracts c USING (contract_id)
        WHERE w.work_date BETWEEN $span_first AND last_day($last)
        GROUP BY ALL""",
    "bonuses": """
        SELECT CAST(date_trunc('month', paid_date) AS DATE) AS month, sum(amount_usd) AS bonuses_usd
        FROM bonuses
        WHERE paid_date BETWEEN $span_first AND last_day($last)
        GROUP BY ALL""",
    "counts": """
        WITH months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT m.month,
               count(*) FILTER (WHERE e.signup_date <= last_day(m.month)) AS experts_total,
               count(*) FILTER (WHERE date_trunc('month', e.signup_date) = m.month) AS experts_new,
               count(*) FILTER (WHERE e.approved_date <= last_day(m.month)) AS experts_approved_total
        FROM months m CROSS JOIN experts e
        GROUP BY m.month""",
    # cohorts $cohort_first .. $cohort_last; reported on the month three months later
    "activation": """
        SELECT CAST(date_trunc('month', e.signup_date) + INTERVAL 3 MONTH AS DATE) AS month,
               count(DISTINCT e.expert_id) AS cohort_size,
               count(DISTINCT w.expert_id) AS activated_90d
        FROM experts e
        LEFT JOIN work_logs w ON w.expert_id = e.expert_id AND w.work_date < e.signup_date + 90
        WHERE e.signup_date BETWEEN $cohort_first AND last_day($cohort_last)
        GROUP BY ALL""",
    "earnings": """
        WITH pay AS (
            SELECT CAST(date_trunc('month', work_date) AS DATE) AS month, expert_id,
                   sum(hours * pay_rate_usd) AS pay_usd
            FROM work_logs WHERE work_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), paid AS (
            SELECT CAST(date_trunc('month', paid_date) AS DATE) AS month, expert_id, sum(amount_usd) AS bonus_usd
            FROM bonuses WHERE paid_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), earners AS (
            SELECT month, coalesce(pay_usd, 0) + coalesce(bonus_usd, 0) AS earnings_usd
            FROM pay FULL JOIN paid USING (month, expert_id)
            WHERE coalesce(pay_usd, 0) + coalesce(bonus_usd, 0) > 0
        ), ranked AS (
            SELECT month, earnings_usd,
                   row_number() OVER (PARTITION BY month ORDER BY earnings_usd) AS rank_asc,
                   count(*) OVER (PARTITION BY month) AS n
            FROM earners
        )
        SELECT month,
               quantile_cont(earnings_usd, 0.50) AS earnings_p50_usd,
               quantile_cont(earnings_usd, 0.90) AS earnings_p90_usd,
               quantile_cont(earnings_usd, 0.99) AS earnings_p99_usd,
               sum((2 * rank_asc - n - 1) * earnings_usd) / (any_value(n) * sum(earnings_usd)) AS earnings_gini,
               sum(earnings_usd) FILTER (WHERE rank_asc > n - ceil(n / 100)) / sum(earnings_usd)
                   AS top1pct_earnings_share
        FROM ranked GROUP BY month""",
    "clients": """
        WITH client_months AS (
            SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month, c.client_id,
                   sum(w.hours * c.bill_rate_usd) AS billings_usd
            FROM work_logs w JOIN contracts c USING (contract_id)
            WHERE w.work_date BETWEEN $span_first AND last_day($last)
            GROUP BY ALL
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY month ORDER BY billings_usd DESC, client_id) AS rank_desc,
                      sum(billings_usd) OVER (PARTITION BY month) AS month_usd
            FROM client_months WHERE month >= $first
        ), concentration AS (
            SELECT month, count(*) AS clients_active,
                   max(billings_usd) / NULLIF(max(month_usd), 0) AS top_client_share,
                   sum(billings_usd) FILTER (WHERE rank_desc <= 5) / NULLIF(max(month_usd), 0) AS top5_client_share,
                   sum(power(100 * billings_usd / NULLIF(month_usd, 0), 2)) AS client_hhi
            FROM ranked GROUP BY month
        ), retained AS (
            SELECT CAST(base.month + INTERVAL 12 MONTH AS DATE) AS month,
                   sum(coalesce(cur.billings_usd, 0)) / NULLIF(sum(base.billings_usd), 0) AS nrr_12m,
                   sum(least(coalesce(cur.billings_usd, 0), base.billings_usd))
                       / NULLIF(sum(base.billings_usd), 0) AS grr_12m
            FROM client_months base
            LEFT JOIN client_months cur
                   ON cur.client_id = base.client_id AND cur.month = CAST(base.month + INTERVAL 12 MONTH AS DATE)
            WHERE base.month <= CAST($last - INTERVAL 12 MONTH AS DATE)
            GROUP BY ALL
        )
        SELECT coalesce(c.month, r.month) AS month, c.clients_active, c.top_client_share, c.top5_client_share,
               c.client_hhi, r.nrr_12m, r.grr_12m
        FROM concentration c FULL JOIN retained r USING (month)""",
    "valuation": """
        WITH months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT m.month, arg_max(v.post_money_usd, v.as_of_date) AS valuation_usd
        FROM months m LEFT JOIN valuations v ON v.as_of_date <= last_day(m.month)
        GROUP BY m.month""",
    "retention": """
        WITH cohorts AS (
            SELECT CAST(date_trunc('month', signup_date) AS DATE) AS cohort, count(*) AS cohort_size
            FROM experts GROUP BY ALL
        ), active AS (
            SELECT CAST(date_trunc('month', e.signup_date) AS DATE) AS cohort,
                   CAST(date_trunc('month', w.work_date) AS DATE) AS month,
                   count(DISTINCT w.expert_id) AS active
            FROM work_logs w JOIN experts e USING (expert_id)
            GROUP BY ALL
        ), months AS (
            SELECT CAST(unnest(generate_series(
                       (SELECT min(cohort) FROM cohorts),
                       (SELECT CAST(date_trunc('month', max(work_date)) AS DATE) FROM work_logs),
                       INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT strftime(c.cohort, '%Y-%m') AS cohort,
               datediff('month', c.cohort, m.month) AS months_since,
               c.cohort_size,
               coalesce(a.active, 0) AS active,
               coalesce(a.active, 0) / c.cohort_size AS rate
        FROM cohorts c
        JOIN months m ON m.month >= c.cohort
        LEFT JOIN active a ON a.cohort = c.cohort AND a.month = m.month
        ORDER BY c.cohort, months_since""",
}


def _sql(con, name: str, **params):
    cursor = con.cursor()
    try:
        return cursor.execute(RAW_SQL[name], params).df()
    finally:
        cursor.close()


def sql_parts(con, first: date, last: date) -> dict:
    import pandas as pd
    span_first = add_months(first, -12)
    span_months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(span_first, last)])

    def by_month(frame):
        frame["month"] = pd.to_datetime(frame["month"])
        return frame.set_index("month")

    activity = by_month(_sql(con, "activity", span_first=span_first, last=last)).reindex(span_months, fill_value=0)
    bonuses = by_month(_sql(con, "bonuses", span_first=span_first, last=last))
    activity["bonuses_usd"] = bonuses["bonuses_usd"].reindex(span_months, fill_value=0)
    months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(first, last)])
    activation = by_month(_sql(con, "activation", cohort_first=add_months(first, -3),
                               cohort_last=add_months(last, -3))).reindex(months, fill_value=0)
    return {
        "activity": activity,
        "counts": by_month(_sql(con, "counts", first=first, last=last)),
        "activation": activation,
        "earnings": by_month(_sql(con, "earnings", first=first, last=last)),
        "clients": by_month(_sql(con, "clients", span_first=span_first, first=first, last=last)),
        "valuation": by_month(_sql(con, "valuation", first=first, last=last)),
    }


def way3_overview_month(con, first, last):
    return assemble_kpis(sql_parts(con, last, last), last, last)


def way3_series(con, first, last):
    return assemble_kpis(sql_parts(con, first, last), first, last)


def way3_retention(con, first, last):
    return [tuple(row) for row in _sql(con, "retention").itertuples(index=False)]


WORKLOAD_FUNCTIONS = {
    1: {"overview_month": way1_overview_month, "kpi_series_12m": way1_series, "retention": way1_retention},
    2: {"overview_month": way2_overview_month, "kpi_series_12m": way2_series, "retention": way2_retention},
    3: {"overview_month": way3_overview_month, "kpi_series_12m": way3_series, "retention": way3_retention},
}


# ================================================================ results in one shape, for comparing

def _plain(value):
    import numpy as np
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    try:
        import pandas as pd
        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:
        pass
    return value


def normalise(workload: str, value) -> list:
    """A workload's result as JSON-ready rows: KPI dicts, or retention tuples."""
    import pandas as pd
    if workload == "retention":
        if isinstance(value, pd.DataFrame):
            value = value[["cohort", "months_since", "cohort_size", "active", "rate"]].itertuples(index=False)
        return [[_plain(v) for v in row] for row in value]
    if isinstance(value, dict):
        return [{k: _plain(v) for k, v in value.items()}]
    return [{k: _plain(v) for k, v in row.items()} for row in value.to_dict("records")]


# ================================================================ a worker: one way, in its own process

def run_worker(way: int, db: str, first: date, last: date, repeat: int, out: Path) -> None:
    import duckdb  # noqa: F401  (imports first, so the baseline includes them)
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from expertnet import metrics  # noqa: F401
    from expertnet.warehouse import open_read_only
    baseline_kb = _status_kb("VmRSS")
    functions = WORKLOAD_FUNCTIONS[way]
    times = {name: [] for name in WORKLOADS}
    load_times = []
    results = {}
    con = open_read_only(db)
    try:
        for rep in range(repeat):
            context = con
            if way == 2:
                context = None
                gc.collect()
                started = time.perf_counter()
                context = pandas_load(con)
                load_times.append(time.perf_counter() - started)
            for name in WORKLOADS:
                started = time.perf_counter()
                value = functions[name](context, first, last)
                times[name].append(time.perf_counter() - started)
                if rep == repeat - 1:
                    results[name] = normalise(name, value)
                del value
            spent = ", ".join(f"{n} {t[-1]:.3f}s" for n, t in times.items())
            loaded = f"load {load_times[-1]:.3f}s, " if way == 2 else ""
            progress(f"  way {way} repetition {rep + 1}/{repeat}: {loaded}{spent}")
            del context
    finally:
        con.close()
    out.write_text(json.dumps({
        "times_s": times,
        "load_times_s": load_times,
        "results": results,
        "baseline_rss_mb": baseline_kb / 1024 if baseline_kb else None,
        "vm_hwm_mb": (_status_kb("VmHWM") or 0) / 1024,
    }))


def run_draw(db: Path, experts: int, work_logs: int, export: Path, out: Path) -> None:
    from expertnet import demo
    started = time.perf_counter()
    shape = demo.draw(experts, work_logs, SEED)
    drawn = time.perf_counter() - started
    progress(f"  drew {experts:,} experts and {shape.work_logs.num_rows:,} work logs in {drawn:.1f}s")
    demo.write_export(shape, export, "parquet", lambda m: progress(f"  [{time.perf_counter() - started:6.1f}s] {m}"))
    out.write_text(json.dumps({"draw_s": drawn, "draw_and_write_s": time.perf_counter() - started,
                               "work_logs": shape.work_logs.num_rows}))


def run_ingest(db: Path, export: Path, out: Path) -> None:
    from expertnet.load import ingest
    started = time.perf_counter()
    result = ingest(export, db, lambda m: progress(f"  {m}"))
    out.write_text(json.dumps({"ingest_s": time.perf_counter() - started, "rows": result.rows}))


def child(arguments: list[str], what: str) -> dict:
    """Run this script with a hidden flag in a process of its own; return its JSON answer
    plus its own peak RSS and CPU time (os.wait4 gives one child's resource use, unmixed)."""
    with tempfile.NamedTemporaryFile(prefix="bench-", suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *arguments, "--_out", str(out)])
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        answer = {"peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall}
        if process.returncode != 0:
            reason = (f"killed by signal {-process.returncode}"
                      + (" (out of memory?)" if process.returncode == -9 else "")
                      if process.returncode < 0 else f"exited with code {process.returncode}")
            answer["error"] = f"{what} failed: {reason}"
            return answer
        answer.update(json.loads(out.read_text()))
        return answer
    finally:
        out.unlink(missing_ok=True)


# ================================================================ the warehouse

def default_db(experts: int, work_logs: int) -> Path:
    return BENCH_DATA_DIR / f"experts-{experts}-logs-{work_logs}.duckdb"


def warehouse_facts(db: Path) -> dict:
    from expertnet.warehouse import open_read_only
    with open_read_only(str(db)) as con:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("experts", "clients", "contracts", "work_logs", "bonuses", "valuations")}
        last_work = con.execute("SELECT last_work_date FROM snapshot").fetchone()[0]
    return {"rows": rows, "last_work_date": last_work.isoformat() if last_work else None,
            "file_mb": db.stat().st_size / 1024 ** 2}


def ensure_warehouse(db: Path, experts: int, work_logs: int) -> tuple[dict, dict | None]:
    """(facts, generation timings or None when reused)."""
    if db.exists():
        facts = warehouse_facts(db)
        if facts["rows"]["experts"] != experts:
            raise SystemExit(f"error: {db} already holds {facts['rows']['experts']:,} experts, not {experts:,}; "
                             f"remove it or pick another --db")
        progress(f"reusing the warehouse at {db} ({facts['rows']['experts']:,} experts, "
                 f"{facts['rows']['work_logs']:,} work logs)")
        return facts, None
    db.parent.mkdir(parents=True, exist_ok=True)
    export = Path(tempfile.mkdtemp(prefix=f".bench-export-{db.stem}-", dir=db.parent))
    try:
        progress(f"generating {experts:,} experts and {work_logs:,} work logs (draw + write_export)")
        drawn = child(["--_draw", "--db", str(db), "--experts", str(experts), "--work-logs", str(work_logs),
                       "--_export", str(export)], "draw + write_export")
        if "error" in drawn:
            raise SystemExit(f"error: {drawn['error']}")
        progress(f"ingesting {export} into {db}")
        ingested = child(["--_ingest", "--db", str(db), "--experts", str(experts), "--work-logs", str(work_logs),
                          "--_export", str(export)], "ingest")
        if "error" in ingested:
            raise SystemExit(f"error: {ingested['error']}")
    finally:
        shutil.rmtree(export, ignore_errors=True)
    generation = {
        "draw_and_write_export_s": drawn["draw_and_write_s"], "draw_s": drawn["draw_s"],
        "draw_and_write_export_peak_rss_mb": drawn["peak_rss_mb"],
        "ingest_s": ingested["ingest_s"], "ingest_peak_rss_mb": ingested["peak_rss_mb"],
    }
    return warehouse_facts(db), generation


# ================================================================ comparing the ways

def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)


def _show(value) -> str:
    return "null" if value is None else repr(value)


def compare(reference: dict, other: dict, way: int) -> list[str]:
    """Every difference between way 1's results and another way's, one line each."""
    differences = []
    largest = [0.0, ""]

    def note(a, b, where):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a and not isinstance(a, bool):
            rel = abs(b - a) / abs(a)
            if rel > largest[0]:
                largest[:] = [rel, where]

    for workload in ("overview_month", "kpi_series_12m"):
        mine, theirs = reference[workload], other[workload]
        if [r["month"] for r in mine] != [r["month"] for r in theirs]:
            differences.append(f"way {way} {WORKLOADS[workload]}: months {[r['month'] for r in theirs]} "
                               f"vs way 1 {[r['month'] for r in mine]}")
            continue
        for a, b in zip(mine, theirs):
            for key in a:
                if key not in b:
                    differences.append(f"way {way} {WORKLOADS[workload]}: no {key}")
                else:
                    note(a[key], b[key], f"{WORKLOADS[workload]} {a['month']} {key}")
                if key in b and not _close(a[key], b[key]):
                    rel = (abs(b[key] - a[key]) / abs(a[key])
                           if isinstance(a[key], (int, float)) and isinstance(b[key], (int, float)) and a[key] else None)
                    differences.append(f"way {way} {WORKLOADS[workload]} {a['month']} {key}: {_show(b[key])} "
                                       f"vs way 1 {_show(a[key])}" + (f" (relative difference {rel:.2e})" if rel else ""))
    mine = {(r[0], r[1]): r for r in reference["retention"]}
    theirs = {(r[0], r[1]): r for r in other["retention"]}
    for key in sorted(mine.keys() - theirs.keys()):
        differences.append(f"way {way} retention: no row for cohort {key[0]} months_since {key[1]}")
    for key in sorted(theirs.keys() - mine.keys()):
        differences.append(f"way {way} retention: extra row for cohort {key[0]} months_since {key[1]}")
    for key in sorted(mine.keys() & theirs.keys()):
        for index, column in ((2, "cohort_size"), (3, "active"), (4, "rate")):
            note(mine[key][index], theirs[key][index], f"retention {key[0]}+{key[1]} {column}")
            if not _close(mine[key][index], theirs[key][index]):
                differences.append(f"way {way} retention cohort {key[0]} months_since {key[1]} {column}: "
                                   f"{_show(theirs[key][index])} vs way 1 {_show(mine[key][index])}")
    return differences, (largest[0], largest[1])


# ================================================================ output

def _seconds(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 0.1 else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:,.1f}x" if value >= 1 else f"{value:.2f}x"


def _mb(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _table(rows: list[list[str]], left: int = 1) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_table(report: dict) -> str:
    m, wh, out = report["machine"], report["warehouse"], []
    out.append("expertnet benchmark: the dashboard's numbers, three ways")
    out.append(f"machine: {m['nproc']} CPUs (nproc), {m['memory_total_gib']} GiB RAM, {m['cpu_model']}; "
               f"Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, numpy {m['numpy']}; "
               f"load average {m['load_average_at_start']} at start, {report['load_average_at_end']} at end")
    rows = wh["rows"]
    out.append(f"warehouse: {wh['path']} ({wh['how']}), {wh['file_mb']:,.0f} MB: "
               + ", ".join(f"{n:,} {t}" for t, n in rows.items()))
    gen = report["generation"]
    if gen:
        out.append(f"generation: draw + write_export {_seconds(gen['draw_and_write_export_s'])} s "
                   f"(peak RSS {_mb(gen['draw_and_write_export_peak_rss_mb'])} MB), "
                   f"ingest {_seconds(gen['ingest_s'])} s (peak RSS {_mb(gen['ingest_peak_rss_mb'])} MB)")
    else:
        out.append("generation: not timed (warehouse reused; remove the file to time it)")
    out.append(f"months: kpi_series {report['months']['first']} .. {report['months']['last']}, "
               f"kpis of {report['months']['last']}; {report['repeat']} repetitions of each; times in seconds")
    out.append("")
    for way in WAYS:
        out.append(f"  way {way}: {WAY_NAMES[way]}")
    out.append("")
    out.append("seconds per page view (min and median of the repetitions):")
    header = ["page", "way 1 min", "way 1 median", "way 2 min", "way 2 median", "way 3 min", "way 3 median",
              "way 2 / way 1", "way 3 / way 1"]
    table = [header]
    for page in report["pages"]:
        row = [page["page"]]
        for way in WAYS:
            t = page["ways"].get(str(way))
            row += [_seconds(t["min_s"]), _seconds(t["median_s"])] if t else ["skipped", "skipped"]
        row += [_ratio(page["ratio_2_1"]), _ratio(page["ratio_3_1"])]
        table.append(row)
    out.append(_table(table))
    out.append("(ratios are of the medians; way 2 includes the load of the raw tables in every page's time)")
    load = report["pandas_load"]
    if load:
        out.append(f"way 2 load of the raw tables alone: min {_seconds(load['min_s'])} s, "
                   f"median {_seconds(load['median_s'])} s")
    for note in report["notes"]:
        out.append(f"NOTE: {note}")
    out.append("")
    out.append("what each page computes (the same figures in every way):")
    for page in report["pages"]:
        out.append(f"  {page['page']:<18} {page['computes']}")
    out.append("")
    mem = [["way", "peak RSS (MB)", "after imports (MB)", "CPU user+sys (s)", "wall (s)", "status"]]
    for way in WAYS:
        w = report["memory"].get(str(way))
        if w is None:
            mem.append([f"{way} {WAY_NAMES[way]}", "-", "-", "-", "-", "skipped"])
        else:
            mem.append([f"{way} {WAY_NAMES[way]}", _mb(w["peak_rss_mb"]), _mb(w.get("baseline_rss_mb")),
                        _seconds(w["cpu_s"]), _seconds(w["wall_s"]), w.get("error", "ok")])
    out.append("memory and CPU of each way's process (all repetitions):")
    out.append(_table(mem))
    out.append("")
    agreement = report["agreement"]
    out.append(f"compared ({agreement['compared']}), relative tolerance {REL_TOL:g}:")
    for way, worst in agreement["largest_relative_difference"].items():
        out.append(f"  largest relative difference, way {way} vs way 1: {worst['relative_difference']:.1e}"
                   + (f" ({worst['where']})" if worst["where"] else ""))
    if agreement["agree"]:
        out.append("results agree")
    else:
        out.append(f"results DIFFER ({len(agreement['differences'])} difference(s)):")
        out += [f"  {d}" for d in agreement["differences"][:60]]
        if len(agreement["differences"]) > 60:
            out.append(f"  ... and {len(agreement['differences']) - 60} more (see --format json)")
    return "\n".join(out)


def _summary(samples: list[float]) -> dict:
    return {"min_s": min(samples), "median_s": statistics.median(samples), "times_s": samples}


# ================================================================ main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time the dashboard's numbers three ways (see bench/README.md).")
    parser.add_argument("--experts", type=int, required=True, help="experts in the demo warehouse")
    parser.add_argument("--work-logs", type=int, required=True, help="work logs in the demo warehouse")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--db", help="the warehouse (default: data/bench/experts-N-logs-M.duckdb); "
                                     "generated if missing, reused if it holds N experts")
    parser.add_argument("--skip-pandas-above", type=int, default=20_000_000, metavar="ROWS",
                        help="skip way 2 (pandas) above this many work logs (default 20,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each measurement (default 5)")
    # hidden: what a child process does
    for flag in ("--_worker", "--_first", "--_last", "--_out", "--_export"):
        parser.add_argument(flag, help=argparse.SUPPRESS)
    parser.add_argument("--_draw", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_ingest", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.experts <= 0 or args.work_logs <= 0 or args.repeat <= 0:
        raise SystemExit("error: --experts, --work-logs and --repeat must be greater than 0")
    if args._worker:
        run_worker(int(args._worker), args.db, date.fromisoformat(args._first), date.fromisoformat(args._last),
                   args.repeat, Path(args._out))
        return 0
    if args._draw:
        run_draw(Path(args.db), args.experts, args.work_logs, Path(args._export), Path(args._out))
        return 0
    if args._ingest:
        run_ingest(Path(args.db), Path(args._export), Path(args._out))
        return 0

    machine = machine_info()
    db = Path(args.db) if args.db else default_db(args.experts, args.work_logs)
    existed = db.exists()
    facts, generation = ensure_warehouse(db, args.experts, args.work_logs)
    notes = []
    if facts["rows"]["work_logs"] != args.work_logs:
        notes.append(f"the warehouse holds {facts['rows']['work_logs']:,} work logs, not the {args.work_logs:,} asked for")
    last_work = date.fromisoformat(facts["last_work_date"])
    last = date(last_work.year, last_work.month, 1)
    first = add_months(last, -11)

    from expertnet import metrics
    uncalled = sorted(name for name, value in vars(metrics).items()
                      if callable(value) and not name.startswith("_") and not isinstance(value, type)
                      and getattr(value, "__module__", None) == metrics.__name__
                      and name not in CALLED_METRIC_FUNCTIONS | NOT_METRIC_FUNCTIONS)
    if uncalled:
        notes.append("expertnet/metrics.py has functions this benchmark does not time yet: " + ", ".join(uncalled))

    skip_pandas = facts["rows"]["work_logs"] > args.skip_pandas_above
    if skip_pandas:
        notes.append(f"way 2 (pandas) SKIPPED: {facts['rows']['work_logs']:,} work logs is above "
                     f"--skip-pandas-above {args.skip_pandas_above:,}")

    answers = {}
    for way in RUN_ORDER:
        if way == 2 and skip_pandas:
            progress(notes[-1])
            continue
        progress(f"way {way}: {WAY_NAMES[way]}, {args.repeat} repetitions")
        answers[way] = child(["--_worker", str(way), "--db", str(db), "--experts", str(args.experts),
                              "--work-logs", str(args.work_logs), "--repeat", str(args.repeat),
                              "--_first", first.isoformat(), "--_last", last.isoformat()], f"way {way}")
        if "error" in answers[way]:
            notes.append(answers[way]["error"])
            progress(answers[way]["error"])

    ok = {way: a for way, a in answers.items() if "error" not in a}
    pages = []
    for page, workloads in PAGES:
        entry = {"page": page, "computes": " + ".join(WORKLOADS[w] for w in workloads), "ways": {}}
        for way, answer in ok.items():
            samples = [sum(parts) for parts in zip(*(answer["times_s"][w] for w in workloads))]
            if way == 2:
                samples = [load + s for load, s in zip(answer["load_times_s"], samples)]
            entry["ways"][str(way)] = _summary(samples)
        for other in (2, 3):
            a, b = entry["ways"].get("1"), entry["ways"].get(str(other))
            entry[f"ratio_{other}_1"] = b["median_s"] / a["median_s"] if a and b and a["median_s"] else None
            entry[f"ratio_{other}_1_min"] = b["min_s"] / a["min_s"] if a and b and a["min_s"] else None
        pages.append(entry)

    differences, largest = [], {}
    if 1 in ok:
        for way in (2, 3):
            if way in ok:
                found, (rel, where) = compare(ok[1]["results"], ok[way]["results"], way)
                differences += found
                largest[str(way)] = {"relative_difference": rel, "where": where}
    compared_ways = sorted(ok)
    agreement = {
        "agree": not differences and 1 in ok and len(ok) > 1,
        "ways_compared": compared_ways,
        "compared": (f"ways {', '.join(map(str, compared_ways))}: every KPI of the 12 months and of the "
                     f"overview month, including {', '.join(REQUIRED_MONTHLY)} and earnings_p50_usd; "
                     f"the retention matrix (cohort, months_since, cohort_size, active, rate)"),
        "differences": differences,
        "largest_relative_difference": largest,
    }
    report = {
        "machine": machine,
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "run_at": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "warehouse": {"path": str(db), "how": "reused" if existed else "generated", **facts},
        "generation": generation,
        "months": {"first": label(first), "last": label(last)},
        "repeat": args.repeat,
        "ways": {str(w): WAY_NAMES[w] for w in WAYS},
        "pages": pages,
        "pandas_load": _summary(ok[2]["load_times_s"]) if 2 in ok else None,
        "pandas_skipped": skip_pandas,
        "memory": {str(way): {k: a.get(k) for k in ("peak_rss_mb", "vm_hwm_mb", "baseline_rss_mb", "cpu_s",
                                                      "wall_s", "error") if k in a}
                   for way, a in answers.items()},
        "notes": notes,
        "agreement": agreement,
    }
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    if any("error" in a for a in answers.values()):
        return 2
    return 0 if agreement["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
