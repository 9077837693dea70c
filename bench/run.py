"""Benchmark: are the dashboard's numbers fast at 2M experts and 100M work logs?

    python bench/run.py --experts N --work-logs M [--format table|json] [--db PATH]
                        [--skip-pandas-above ROWS] [--repeat R]

Builds (or reuses) a demo warehouse of that size, then times what each dashboard
page asks for on a first, uncached view, three ways, each in a process of its own
so that its peak memory is its own:

  way 1  this project: the functions the pages call (expertnet.metrics and
         expertnet.breakdowns) over the rollups built at load time, on the
         dashboard's read-only connection;
  way 2  the usual Streamlit way: load the raw tables into pandas with .df(),
         then groupby (the load is part of every page's time);
  way 3  plain DuckDB SQL over the raw tables (work_logs, contracts, experts,
         bonuses, clients, valuations), without the rollups.

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
WAY_NAMES = {1: "pages' functions over rollups", 2: "pandas (load + groupby)", 3: "raw SQL, no rollups"}
# The order the ways run in: way 2 last, so its big process does not evict the others' file cache.
RUN_ORDER = (1, 3, 2)
TOP_CLIENTS = 10                          # breakdowns.top_clients' default limit, as the page uses it

# What the pages ask for on their default view (the last 12 months, no filter, founder),
# read from pages/*.py. A workload a page shares with another page is timed once per
# repetition and counted in each page that asks for it: a first view of each page.
WORKLOADS = {
    "kpi_series_13m": "metrics.kpi_series(last 13 months)",
    "kpi_series_12m": "metrics.kpi_series(last 12 months)",
    "activation_by_cohort": "breakdowns.activation_by_cohort(period)",
    "experts_by_domain": "breakdowns.experts_by_segment('domain', period)",
    "experts_by_country": "breakdowns.experts_by_segment('country', period)",
    "earnings_summary": "breakdowns.earnings_summary(period)",
    "earnings_histogram": "breakdowns.earnings_histogram(period)",
    "billings_by_segment": "breakdowns.billings_by_segment(period)",
    "top_clients": f"breakdowns.top_clients(period, limit {TOP_CLIENTS})",
    "retention": "metrics.retention()",
    "valuation": "breakdowns.valuation_marks() + metrics.kpis(each mark's month, last month)",
}
PAGES = (
    ("Overview", ("kpi_series_13m",)),
    ("Network growth", ("kpi_series_12m", "activation_by_cohort", "experts_by_domain", "experts_by_country")),
    ("Payouts", ("earnings_summary", "earnings_histogram", "kpi_series_12m", "experts_by_domain")),
    ("Revenue & clients", ("kpi_series_12m", "billings_by_segment", "top_clients")),
    ("Cohorts", ("retention",)),
    ("Valuation", ("kpi_series_12m", "valuation")),
)
TIMED_FUNCTIONS = {
    "expertnet.metrics": {"kpi_series", "kpis", "retention"},
    "expertnet.breakdowns": {"activation_by_cohort", "experts_by_segment", "earnings_summary", "earnings_histogram",
                             "billings_by_segment", "top_clients", "valuation_marks"},
}
NOT_PAGE_FUNCTIONS = {"records"}          # formatting helpers, not queries
# How the rows of each part of a result are matched between the ways (None: by position).
PART_KEYS = {
    "kpis": ("month",), "activation": ("cohort",), "segments": ("segment",), "summary": (),
    "histogram": None, "billings_by_segment": ("month", "segment"), "top_clients": ("rank",),
    "retention": ("cohort", "months_since"), "marks": ("as_of_date",), "mark_kpis": ("month",),
}
# The figures the brief requires to agree; every other figure is compared too.
REQUIRED_MONTHLY = ("hours", "expert_pay_usd", "billings_usd", "bonuses_usd", "experts_active")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str):
    """Stop with exit code 2 (1 means the ways disagree)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


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


def last_day(month: date) -> date:
    return date.fromordinal(add_months(month, 1).toordinal() - 1)


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


# ================================================================ way 1: what the pages call
#
# Every workload takes (context, first, last) -- the period's first and last month --
# and returns {part: rows}. Way 1's context is the read-only connection.

def way1_workloads() -> dict:
    from expertnet import breakdowns, metrics
    from expertnet.filters import Filters

    def valuation(con, first, last):
        marks = breakdowns.valuation_marks(con)
        months = [date(m.year, m.month, 1) for m in marks["as_of_date"]]
        return {"marks": marks,
                "mark_kpis": [metrics.kpis(con, m, Filters()) for m in months]
                + [metrics.kpis(con, last, Filters())]}

    return {
        "kpi_series_13m": lambda con, first, last: {"kpis": metrics.kpi_series(con, add_months(last, -12), last)},
        "kpi_series_12m": lambda con, first, last: {"kpis": metrics.kpi_series(con, first, last)},
        "activation_by_cohort": lambda con, first, last: {
            "activation": breakdowns.activation_by_cohort(con, first, last)},
        "experts_by_domain": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "domain", first, last)},
        "experts_by_country": lambda con, first, last: {
            "segments": breakdowns.experts_by_segment(con, "country", first, last)},
        "earnings_summary": lambda con, first, last: {"summary": [breakdowns.earnings_summary(con, first, last)]},
        "earnings_histogram": lambda con, first, last: {"histogram": breakdowns.earnings_histogram(con, first, last)},
        "billings_by_segment": lambda con, first, last: {
            "billings_by_segment": breakdowns.billings_by_segment(con, first, last)},
        "top_clients": lambda con, first, last: {
            "top_clients": breakdowns.top_clients(con, first, last, limit=TOP_CLIENTS)},
        "retention": lambda con, first, last: {"retention": metrics.retention(con)},
        "valuation": valuation,
    }


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
    return k


def _spread(values) -> dict:
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


def _summary_row(earnings) -> dict:
    """breakdowns.earnings_summary's row: the spread of period earnings, or nothing to spread."""
    if len(earnings):
        return _spread(earnings)
    return {"experts_earning": 0, "earnings_usd": None, "earnings_p50_usd": None, "earnings_p90_usd": None,
            "earnings_p99_usd": None, "earnings_gini": None, "top1pct_earnings_share": None}


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


def _activation_rows(frame, first: date, last: date) -> list[dict]:
    """cohort, cohort_size, activated_90d, activation_rate_90d for every cohort first..last,
    from a frame indexed by cohort month with cohort_size and activated_90d."""
    import pandas as pd
    rows = []
    for m in month_range(first, last):
        key = pd.Timestamp(m)
        size = int(frame["cohort_size"].get(key, 0))
        activated = int(frame["activated_90d"].get(key, 0))
        rows.append({"cohort": m, "cohort_size": size, "activated_90d": activated,
                     "activation_rate_90d": activated / size if size else None})
    return rows


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


# ================================================================ way 2: the usual Streamlit way, pandas

PANDAS_LOADS = {
    # work_logs joined to contracts: one row per work log, as `st.cache_data` would hold it
    "logs": """SELECT w.expert_id, w.contract_id, w.work_date, w.hours, w.pay_rate_usd,
                      c.client_id, c.bill_rate_usd
               FROM work_logs w JOIN contracts c USING (contract_id)""",
    "experts": "SELECT expert_id, domain, country, signup_date, approved_date FROM experts",
    "bonuses": "SELECT expert_id, paid_date, amount_usd FROM bonuses",
    "clients": "SELECT client_id, name, segment FROM clients",
    "valuations": "SELECT as_of_date, round, post_money_usd FROM valuations",
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


def _between(frame, column: str, first: date, last: date):
    import pandas as pd
    return frame[(frame[column] >= pd.Timestamp(first)) & (frame[column] <= pd.Timestamp(last))]


def _pandas_activation(f: dict, first: date, last: date):
    """cohort_size and activated_90d by signup month, cohorts first..last."""
    import pandas as pd
    experts, logs = f["experts"], f["logs"]
    cohort = _between(experts, "signup_month", first, last)
    first_work = logs[logs["expert_id"].isin(cohort["expert_id"])].groupby("expert_id")["work_date"].min()
    activated = cohort["expert_id"].map(first_work) < cohort["signup_date"] + pd.Timedelta(days=90)
    return cohort.assign(activated=activated).groupby("signup_month").agg(
        cohort_size=("expert_id", "size"), activated_90d=("activated", "sum"))


def _pandas_period_earnings(f: dict, first: date, last: date):
    """Each expert's pay + bonuses summed over months first..last, earners (> 0) only."""
    pay = _between(f["logs"], "month", first, last).groupby("expert_id")["pay_usd"].sum()
    paid = _between(f["bonuses"], "month", first, last).groupby("expert_id")["amount_usd"].sum()
    earnings = pay.add(paid, fill_value=0)
    return earnings[earnings > 0]


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
    spread = pd.DataFrame.from_dict({m: _spread(e.to_numpy()) for m, e in earnings.groupby(level=0)}, orient="index")

    client_billings = span_logs.groupby(["month", "client_id"])["bill_usd"].sum()
    return {
        "activity": activity,
        "counts": pd.DataFrame.from_dict(counts, orient="index"),
        "activation": _pandas_activation(f, add_months(first, -3), add_months(last, -3)),
        "earnings": spread,
        "clients": _client_figures(client_billings, first, last),
        "valuation": _valuation_by_month(f["valuations"], first, last),
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


def way2_workloads() -> dict:
    def series(f, first, last):
        return assemble_kpis(pandas_parts(f, first, last), first, last)

    def valuation(f, first, last):
        marks = f["valuations"].sort_values("as_of_date")
        months = [date(m.year, m.month, 1) for m in marks["as_of_date"]] + [last]
        return {"marks": marks, "mark_kpis": [series(f, m, m) for m in months]}

    return {
        "kpi_series_13m": lambda f, first, last: {"kpis": series(f, add_months(last, -12), last)},
        "kpi_series_12m": lambda f, first, last: {"kpis": series(f, first, last)},
        "activation_by_cohort": lambda f, first, last: {
            "activation": _activation_rows(_pandas_activation(f, first, last), first, last)},
        "experts_by_domain": lambda f, first, last: {"segments": _pandas_segments(f, "domain", first, last)},
        "experts_by_country": lambda f, first, last: {"segments": _pandas_segments(f, "country", first, last)},
        "earnings_summary": lambda f, first, last: {"summary": [_summary_row(_pandas_period_earnings(f, first, last))]},
        "earnings_histogram": lambda f, first, last: {
            "histogram": _histogram_rows(_pandas_period_earnings(f, first, last))},
        "billings_by_segment": lambda f, first, last: {
            "billings_by_segment": _pandas_billings_by_segment(f, first, last)},
        "top_clients": lambda f, first, last: {"top_clients": _pandas_top_clients(f, first, last)},
        "retention": lambda f, first, last: {"retention": _pandas_retention(f)},
        "valuation": valuation,
    }


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
    # signup cohorts $first .. $last
    "activation": """
        SELECT CAST(date_trunc('month', e.signup_date) AS DATE) AS month,
               count(DISTINCT e.expert_id) AS cohort_size,
               count(DISTINCT w.expert_id) AS activated_90d
        FROM experts e
        LEFT JOIN work_logs w ON w.expert_id = e.expert_id AND w.work_date < e.signup_date + 90
        WHERE e.signup_date BETWEEN $first AND last_day($last)
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
            SELECT CASE WHEN $per_month THEN month ELSE $first END AS month, expert_id,
                   sum(coalesce(pay_usd, 0) + coalesce(bonus_usd, 0)) AS earnings_usd
            FROM pay FULL JOIN paid USING (month, expert_id)
            GROUP BY ALL
            HAVING sum(coalesce(pay_usd, 0) + coalesce(bonus_usd, 0)) > 0
        ), ranked AS (
            SELECT month, earnings_usd,
                   row_number() OVER (PARTITION BY month ORDER BY earnings_usd) AS rank_asc,
                   count(*) OVER (PARTITION BY month) AS n
            FROM earners
        )
        SELECT month,
               any_value(n) AS experts_earning,
               sum(earnings_usd) AS earnings_usd,
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
    "marks": "SELECT as_of_date, round, post_money_usd FROM valuations ORDER BY as_of_date",
    "segments": """
        WITH kept AS (
            SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment, approved_date
            FROM experts WHERE signup_date <= last_day($last)
        ), work AS (
            SELECT CASE WHEN $by = 'country' THEN e.country ELSE e.domain END AS segment,
                   count(DISTINCT w.expert_id) AS experts_active,
                   sum(w.hours) AS hours, sum(w.hours * w.pay_rate_usd) AS expert_pay_usd
            FROM work_logs w JOIN experts e USING (expert_id)
            WHERE w.work_date BETWEEN $first AND last_day($last)
            GROUP BY ALL
        )
        SELECT k.segment, count(*) AS experts_total,
               count(*) FILTER (WHERE k.approved_date <= last_day($last)) AS experts_approved,
               coalesce(any_value(w.experts_active), 0) AS experts_active,
               coalesce(any_value(w.hours), 0) AS hours,
               coalesce(any_value(w.expert_pay_usd), 0) AS expert_pay_usd,
               any_value(w.expert_pay_usd) / NULLIF(any_value(w.hours), 0) AS avg_pay_rate_usd
        FROM kept k LEFT JOIN work w USING (segment)
        GROUP BY k.segment
        ORDER BY experts_total DESC, k.segment""",
    "histogram": """
        WITH pay AS (
            SELECT expert_id, sum(hours * pay_rate_usd) AS usd
            FROM work_logs WHERE work_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), paid AS (
            SELECT expert_id, sum(amount_usd) AS usd
            FROM bonuses WHERE paid_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), earners AS (
            SELECT coalesce(pay.usd, 0) + coalesce(paid.usd, 0) AS earnings_usd
            FROM pay FULL JOIN paid USING (expert_id)
            WHERE coalesce(pay.usd, 0) + coalesce(paid.usd, 0) > 0
        ), binned AS (
            SELECT floor(log10(earnings_usd) * 4) AS bin FROM earners
        )
        SELECT power(10, bin / 4) AS earnings_from_usd, power(10, (bin + 1) / 4) AS earnings_to_usd,
               count(*) AS experts
        FROM binned GROUP BY bin ORDER BY bin""",
    "billings_by_segment": """
        SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month, cl.segment,
               sum(w.hours * c.bill_rate_usd) AS billings_usd, count(DISTINCT w.expert_id) AS experts
        FROM work_logs w JOIN contracts c USING (contract_id) JOIN clients cl USING (client_id)
        WHERE w.work_date BETWEEN $first AND last_day($last)
        GROUP BY ALL ORDER BY ALL""",
    "top_clients": """
        WITH billed AS (
            SELECT c.client_id, sum(w.hours * c.bill_rate_usd) AS billings_usd,
                   count(DISTINCT w.expert_id) AS experts
            FROM work_logs w JOIN contracts c USING (contract_id)
            WHERE w.work_date BETWEEN $first AND last_day($last)
            GROUP BY ALL
        )
        SELECT row_number() OVER (ORDER BY b.billings_usd DESC, b.client_id) AS rank,
               cl.name AS client, cl.segment, b.billings_usd,
               b.billings_usd / sum(b.billings_usd) OVER () AS share, b.experts
        FROM billed b JOIN clients cl USING (client_id)
        ORDER BY rank LIMIT $limit""",
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


def _by_month(frame):
    import pandas as pd
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.set_index("month")


def sql_parts(con, first: date, last: date) -> dict:
    import pandas as pd
    span_first = add_months(first, -12)
    span_months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(span_first, last)])
    activity = _by_month(_sql(con, "activity", span_first=span_first, last=last)).reindex(span_months, fill_value=0)
    bonuses = _by_month(_sql(con, "bonuses", span_first=span_first, last=last))
    activity["bonuses_usd"] = bonuses["bonuses_usd"].reindex(span_months, fill_value=0)
    return {
        "activity": activity,
        "counts": _by_month(_sql(con, "counts", first=first, last=last)),
        "activation": _by_month(_sql(con, "activation", first=add_months(first, -3), last=add_months(last, -3))),
        "earnings": _by_month(_sql(con, "earnings", first=first, last=last, per_month=True)),
        "clients": _by_month(_sql(con, "clients", span_first=span_first, first=first, last=last)),
        "valuation": _by_month(_sql(con, "valuation", first=first, last=last)),
    }


def way3_workloads() -> dict:
    def series(con, first, last):
        return assemble_kpis(sql_parts(con, first, last), first, last)

    def valuation(con, first, last):
        marks = _sql(con, "marks")
        months = [date(m.year, m.month, 1) for m in marks["as_of_date"]] + [last]
        return {"marks": marks, "mark_kpis": [series(con, m, m) for m in months]}

    def summary(con, first, last):
        frame = _sql(con, "earnings", first=first, last=last, per_month=False).drop(columns=["month"])
        return {"summary": frame.to_dict("records") or [_summary_row([])]}

    return {
        "kpi_series_13m": lambda con, first, last: {"kpis": series(con, add_months(last, -12), last)},
        "kpi_series_12m": lambda con, first, last: {"kpis": series(con, first, last)},
        "activation_by_cohort": lambda con, first, last: {
            "activation": _activation_rows(_by_month(_sql(con, "activation", first=first, last=last)), first, last)},
        "experts_by_domain": lambda con, first, last: {
            "segments": _sql(con, "segments", by="domain", first=first, last=last)},
        "experts_by_country": lambda con, first, last: {
            "segments": _sql(con, "segments", by="country", first=first, last=last)},
        "earnings_summary": summary,
        "earnings_histogram": lambda con, first, last: {"histogram": _sql(con, "histogram", first=first, last=last)},
        "billings_by_segment": lambda con, first, last: {
            "billings_by_segment": _sql(con, "billings_by_segment", first=first, last=last)},
        "top_clients": lambda con, first, last: {
            "top_clients": _sql(con, "top_clients", first=first, last=last, limit=TOP_CLIENTS)},
        "retention": lambda con, first, last: {"retention": _sql(con, "retention")},
        "valuation": valuation,
    }


WORKLOAD_FACTORIES = {1: way1_workloads, 2: way2_workloads, 3: way3_workloads}


# ================================================================ results in one shape, for comparing

def _plain(value):
    """A JSON-ready value: None for null/NaN, int, float, str; dates as YYYY-MM-DD."""
    import numpy as np
    import pandas as pd
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date().isoformat()
    return value


def _rows(value) -> list[dict]:
    import pandas as pd
    if isinstance(value, pd.DataFrame):
        value = value.to_dict("records")
    rows = []
    for row in value:
        if isinstance(row, pd.DataFrame):      # a one-month KPI frame
            rows += _rows(row)
        else:
            rows.append({k: _plain(v) for k, v in row.items()})
    return rows


def normalise(result: dict) -> dict:
    """A workload's result as {part: [row dicts]}, JSON-ready."""
    return {part: _rows(value) for part, value in result.items()}


# ================================================================ a worker: one way, in its own process

def run_worker(way: int, db: str, first: date, last: date, repeat: int, out: Path) -> None:
    import duckdb  # noqa: F401  (imports first, so the baseline includes them)
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from expertnet import breakdowns, metrics  # noqa: F401
    from expertnet.warehouse import open_read_only
    baseline_kb = _status_kb("VmRSS")
    functions = WORKLOAD_FACTORIES[way]()
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
                    results[name] = normalise(value)
                del value
            spent = sum(t[-1] for t in times.values())
            loaded = f"load {load_times[-1]:.3f}s + " if way == 2 else ""
            progress(f"  way {way} repetition {rep + 1}/{repeat}: {loaded}{spent:.3f}s for all workloads")
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


def run_draw(experts: int, work_logs: int, export: Path, out: Path) -> None:
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
            code = process.returncode
            reason = (f"killed by signal {-code}" + (" (out of memory?)" if code == -9 else "")
                      if code < 0 else f"exited with code {code}")
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
        snapshot = con.execute("SELECT snapshot_id, loaded_at, last_work_date FROM snapshot").fetchone()
    return {"rows": rows, "snapshot_id": snapshot[0], "loaded_at": snapshot[1].isoformat(timespec="seconds"),
            "last_work_date": snapshot[2].isoformat() if snapshot[2] else None,
            "file_mb": db.stat().st_size / 1024 ** 2}


def ensure_warehouse(db: Path, experts: int, work_logs: int) -> tuple[dict, dict | None]:
    """(facts, generation timings or None when reused)."""
    if db.exists():
        facts = warehouse_facts(db)
        if facts["rows"]["experts"] != experts:
            fail(f"{db} already holds {facts['rows']['experts']:,} experts, not {experts:,}; "
                 f"remove it or pick another --db")
        progress(f"reusing the warehouse at {db} ({facts['rows']['experts']:,} experts, "
                 f"{facts['rows']['work_logs']:,} work logs, loaded {facts['loaded_at']})")
        return facts, None
    db.parent.mkdir(parents=True, exist_ok=True)
    export = Path(tempfile.mkdtemp(prefix=f".bench-export-{db.stem}-", dir=db.parent))
    try:
        progress(f"generating {experts:,} experts and {work_logs:,} work logs (draw + write_export)")
        drawn = child(["--_draw", "--experts", str(experts), "--work-logs", str(work_logs),
                       "--_export", str(export)], "draw + write_export")
        if "error" in drawn:
            fail(drawn["error"])
        progress(f"ingesting {export} into {db}")
        ingested = child(["--_ingest", "--db", str(db), "--experts", str(experts), "--work-logs", str(work_logs),
                          "--_export", str(export)], "ingest")
        if "error" in ingested:
            fail(ingested["error"])
    finally:
        shutil.rmtree(export, ignore_errors=True)
    generation = {
        "draw_s": drawn["draw_s"],
        "draw_and_write_export_s": drawn["draw_and_write_s"],
        "draw_and_write_export_peak_rss_mb": drawn["peak_rss_mb"],
        "ingest_s": ingested["ingest_s"],
        "ingest_peak_rss_mb": ingested["peak_rss_mb"],
    }
    return warehouse_facts(db), generation


# ================================================================ comparing the ways

def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (str, bool)) or isinstance(b, (str, bool)):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)


def _show(value) -> str:
    return "null" if value is None else repr(value)


def _keyed(rows: list[dict], keys) -> dict:
    if keys is None:
        return {(f"#{i + 1}",): row for i, row in enumerate(rows)}
    return {tuple(row.get(k) for k in keys): row for row in rows}


def compare(reference: dict, other: dict, way: int) -> tuple[list[str], dict]:
    """Every difference between way 1's results and another way's, one line each; and the
    largest relative difference among the figures that agree."""
    differences = []
    largest = {"relative_difference": 0.0, "where": "", "figures_compared": 0}
    for workload, parts in reference.items():
        theirs_parts = other.get(workload, {})
        for part, rows in parts.items():
            where = f"way {way} {workload}/{part}"
            if part not in theirs_parts:
                differences.append(f"{where}: missing")
                continue
            keys = PART_KEYS[part]
            mine, theirs = _keyed(rows, keys), _keyed(theirs_parts[part], keys)
            for key in mine.keys() - theirs.keys():
                differences.append(f"{where}: no row {'/'.join(map(str, key))}")
            for key in theirs.keys() - mine.keys():
                differences.append(f"{where}: extra row {'/'.join(map(str, key))}")
            for key in sorted(mine.keys() & theirs.keys(), key=str):
                a_row, b_row = mine[key], theirs[key]
                name = "/".join(map(str, key)) or "row"
                for column, a in a_row.items():
                    if column not in b_row:
                        differences.append(f"{where} {name}: no column {column}")
                        continue
                    b = b_row[column]
                    largest["figures_compared"] += 1
                    if not _close(a, b):
                        differences.append(f"{where} {name} {column}: {_show(b)} vs way 1 {_show(a)}")
                    elif isinstance(a, (int, float)) and not isinstance(a, bool) and a:
                        rel = abs(b - a) / abs(a)
                        if rel > largest["relative_difference"]:
                            largest.update(relative_difference=rel, where=f"{workload}/{part} {name} {column}")
    return differences, largest


# ================================================================ output

def _seconds(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 0.1 else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:,.1f}x" if value >= 1 else f"{value:.2f}x"


def _mb(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _table(rows: list[list[str]], left: tuple[int, ...] = (0,)) -> str:
    """Aligned columns: text columns (`left`) to the left, figures to the right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i in left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_table(report: dict) -> str:
    m, wh, out = report["machine"], report["warehouse"], []
    out.append("expertnet benchmark: the dashboard's pages, three ways")
    out.append(f"machine: {m['nproc']} CPUs (nproc), {m['memory_total_gib']} GiB RAM, {m['cpu_model']}; "
               f"Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, numpy {m['numpy']}")
    out.append(f"load average (1 min): {m['load_average_at_start']} at start, {report['load_average_at_end']} at end "
               f"(above {m['nproc']} means other work shared the CPUs)")
    out.append(f"warehouse: {wh['path']} ({wh['how']}, snapshot {wh['snapshot_id'][:8]} loaded {wh['loaded_at']}), "
               f"{wh['file_mb']:,.0f} MB")
    out.append("  " + ", ".join(f"{n:,} {t}" for t, n in wh["rows"].items()))
    gen = report["generation"]
    if gen:
        out.append(f"generation: draw + write_export {_seconds(gen['draw_and_write_export_s'])} s "
                   f"(of which draw {_seconds(gen['draw_s'])} s; peak RSS "
                   f"{_mb(gen['draw_and_write_export_peak_rss_mb'])} MB), "
                   f"ingest {_seconds(gen['ingest_s'])} s (peak RSS {_mb(gen['ingest_peak_rss_mb'])} MB)")
    else:
        out.append("generation: not timed (warehouse reused; remove the file to time it)")
    out.append(f"period: {report['months']['first']} .. {report['months']['last']} (the pages' default: the last "
               f"12 months); {report['repeat']} repetitions; no filter; founder view; nothing cached")
    out.append("")
    for way in WAYS:
        out.append(f"  way {way}: {WAY_NAMES[way]}")
    out.append("")
    out.append("seconds for a first view of each page (min and median of the repetitions):")
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
    out.append("(ratios are of the medians; way 2's times include loading the raw tables, every time)")
    load = report["pandas_load"]
    if load:
        out.append(f"way 2's load of the raw tables alone: min {_seconds(load['min_s'])} s, "
                   f"median {_seconds(load['median_s'])} s")
    for note in report["notes"]:
        out.append(f"NOTE: {note}")
    out.append("")
    out.append("seconds per workload (median), and which pages ask for it:")
    work = [["workload", "way 1", "way 2", "way 3", "pages"]]
    for name, entry in report["workloads"].items():
        work.append([entry["call"]] + [_seconds(entry["median_s"].get(str(w))) if str(w) in entry["median_s"]
                                       else "skipped" for w in WAYS] + [", ".join(entry["pages"])])
    out.append(_table(work, left=(0, 4)))
    out.append("")
    mem = [["way", "peak RSS (MB)", "after imports (MB)", "CPU user+sys (s)", "wall (s)", "status"]]
    for way in WAYS:
        w = report["memory"].get(str(way))
        if w is None:
            mem.append([f"{way} {WAY_NAMES[way]}", "-", "-", "-", "-", "skipped"])
        else:
            mem.append([f"{way} {WAY_NAMES[way]}", _mb(w["peak_rss_mb"]), _mb(w.get("baseline_rss_mb")),
                        _seconds(w["cpu_s"]), _seconds(w["wall_s"]), w.get("error", "ok")])
    out.append("memory and CPU of each way's own process (all repetitions):")
    out.append(_table(mem))
    out.append("")
    agreement = report["agreement"]
    out.append(f"compared: {agreement['compared']}; relative tolerance {REL_TOL:g}")
    for way, worst in agreement["largest_relative_difference"].items():
        out.append(f"  way {way} vs way 1: {worst['figures_compared']:,} figures; largest relative difference "
                   f"{worst['relative_difference']:.1e}"
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


def untimed_functions() -> list[str]:
    """Public functions of the metric modules that no timed page workload calls."""
    import importlib
    found = []
    for module_name, timed in TIMED_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (callable(value) and not name.startswith("_") and not isinstance(value, type)
                    and getattr(value, "__module__", None) == module_name
                    and name not in timed | NOT_PAGE_FUNCTIONS):
                found.append(f"{module_name.split('.')[-1]}.{name}")
    return sorted(found)


# ================================================================ main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time the dashboard's pages three ways (see bench/README.md).")
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
        fail("--experts, --work-logs and --repeat must be greater than 0")
    if args._worker:
        run_worker(int(args._worker), args.db, date.fromisoformat(args._first), date.fromisoformat(args._last),
                   args.repeat, Path(args._out))
        return 0
    if args._draw:
        run_draw(args.experts, args.work_logs, Path(args._export), Path(args._out))
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
        notes.append(f"the warehouse holds {facts['rows']['work_logs']:,} work logs, "
                     f"not the {args.work_logs:,} asked for")
    last_work = date.fromisoformat(facts["last_work_date"])
    last = date(last_work.year, last_work.month, 1)
    first = add_months(last, -11)

    untimed = untimed_functions()
    if untimed:
        notes.append("not timed (no page of the six calls it on a default view): " + ", ".join(untimed))
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
        entry = {"page": page, "computes": [WORKLOADS[w] for w in workloads], "ways": {}}
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
    workloads = {name: {"call": call, "pages": [p for p, w in PAGES if name in w],
                        "median_s": {str(way): statistics.median(a["times_s"][name]) for way, a in ok.items()},
                        "min_s": {str(way): min(a["times_s"][name]) for way, a in ok.items()}}
                 for name, call in WORKLOADS.items()}

    differences, largest = [], {}
    if 1 in ok:
        for way in (2, 3):
            if way in ok:
                found, largest[str(way)] = compare(ok[1]["results"], ok[way]["results"], way)
                differences += found
    compared_ways = sorted(ok)
    agreement = {
        "agree": not differences and 1 in ok and len(ok) > 1,
        "ways_compared": compared_ways,
        "compared": (f"ways {', '.join(map(str, compared_ways))}, every figure of every workload: the KPI series "
                     f"(all KPIs, including {', '.join(REQUIRED_MONTHLY)} per month and earnings_p50_usd), the "
                     f"retention matrix (cohort, months_since, cohort_size, active, rate) and each breakdown"),
        "differences": differences,
        "largest_relative_difference": largest,
    }
    report = {
        "machine": machine,
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "run_at": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "warehouse": {"path": str(db), "how": "reused" if existed else "generated", **facts},
        "generation": generation,
        "months": {"first": label(first), "last": label(last)},
        "repeat": args.repeat,
        "ways": {str(w): WAY_NAMES[w] for w in WAYS},
        "pages": pages,
        "workloads": workloads,
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
