"""A demo expert network shaped like the company in the public reports.

Founded 2022-01; signups grow to `experts` by 2025-12; most experts never work;
a thin top tier earns about $200 an hour, 3.5 hours a day, plus bonuses; clients
are mostly AI labs and enterprises, concentrated in a few; bill rates put a
20-35% margin on pay; a seed round, then a Series A at $500M post-money in 2025.

The shape is drawn with numpy from one seed, so a seed always gives the same
export. Strings (ids, names, emails) are formatted by DuckDB while writing.
The result is an export folder that follows the data contract, and it reaches
the warehouse through the same `ingest` as any real export.
"""

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from expertnet.ingest.load import Progress, _quiet, ingest

FIRST_DAY = np.datetime64("2022-01-01")
MONTHS = 48                                         # 2022-01 .. 2025-12
MONTH_STARTS = np.arange("2022-01", "2026-01", dtype="datetime64[M]").astype("datetime64[D]")
DAYS_IN_MONTH = (np.append(MONTH_STARTS[1:], np.datetime64("2026-01-01")) - MONTH_STARTS).astype(int)
LAST_DAY = np.datetime64("2025-12-31")
ARR_PER_EXPERT_USD = 50.0                           # annualised billings per signed-up expert by 2025-12

# domain, share of signups, typical expert pay in USD per hour
DOMAINS = [("software", .20, 70), ("data_science", .07, 80), ("mathematics", .08, 60),
           ("physics", .04, 65), ("chemistry", .04, 60), ("biology", .05, 55),
           ("medicine", .08, 130), ("law", .07, 120), ("finance", .08, 100),
           ("writing", .13, 26), ("languages", .10, 22), ("education", .06, 32)]
PREMIUM_DOMAINS = ("software", "medicine", "law", "finance", "mathematics")
COUNTRIES = [("US", 24), ("IN", 12), ("GB", 6), ("CA", 5), ("NG", 4), ("PH", 4), ("BR", 4),
             ("DE", 3), ("KE", 3), ("PK", 3), ("FR", 2), ("ES", 2), ("MX", 2), ("EG", 2),
             ("AU", 2), ("PL", 2), ("UA", 2), ("ZA", 2), ("IT", 1), ("NL", 1), ("SE", 1),
             ("IE", 1), ("IL", 1), ("TR", 1), ("VN", 1), ("ID", 1), ("BD", 1), ("AR", 1),
             ("CO", 1), ("CL", 1), ("PT", 1), ("RO", 1), ("GH", 1), ("SG", 1), ("JP", 1),
             ("KR", 1), ("NZ", 1), ("CH", 1), ("GR", 1), ("MA", 1)]
FIRST_NAMES = ("Aisha Alejandro Amara Anjali Arjun Ava Benjamin Camila Chen Chiamaka Daniel Diego "
               "Elena Emeka Emma Fatima Gabriel Hana Hiroshi Ibrahim Ines Isabella James Javier "
               "Jin Kwame Laila Leon Lucas Maria Mateo Mei Mohammed Nadia Noah Olivia Omar Priya "
               "Rahul Ravi Sakura Samuel Sara Sofia Tariq Thandiwe Tomasz Valentina Wei Yusuf Zara").split()
LAST_NAMES = ("Adeyemi Ahmed Ali Andersson Banerjee Bianchi Chen Costa Dubois Fernandez Garcia "
              "Gonzalez Gupta Haddad Hansen Ivanova Jensen Johnson Kim Kowalski Kumar Lee Lopez "
              "Martin Mensah Meyer Miller Moreau Muller Nakamura Nguyen Novak Okafor Okonkwo "
              "Patel Perez Petrov Reddy Rossi Santos Schmidt Shah Silva Singh Smith Suzuki "
              "Tanaka Wang Williams Yilmaz").split()
CLIENT_WORDS_A = ("Aurora Beacon Cobalt Delta Ember Fathom Granite Helix Horizon Ion Juniper Keystone "
                  "Lumen Meridian Nimbus Orbit Parallax Quartz Radiant Summit Tensor Umbra Vector "
                  "Willow Zenith").split()
SEGMENT_SUFFIX = {"ai_lab": "AI", "enterprise": "Group", "startup": "Labs", "other": "Institute"}
# segment, number of clients, share of the work they bring (before the Zipf tilt inside)
SEGMENTS = [("ai_lab", 12), ("enterprise", 36), ("startup", 34), ("other", 8)]
VALUATIONS = [("2022-09-15", "Seed", 40_000_000.0), ("2025-03-20", "Series A", 500_000_000.0)]


@dataclass
class DemoShape:
    """What was drawn, before it is written: numpy arrays and small lists."""
    experts: pa.Table
    clients: pa.Table
    contracts: pa.Table
    work_logs: pa.Table
    bonuses: pa.Table
    valuations: pa.Table


def _month_index(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[M]") - np.datetime64("2022-01", "M")).astype(int)


def _experts(rng, n: int):
    growth = np.exp(0.07 * np.arange(MONTHS))
    signup_month = np.sort(rng.choice(MONTHS, size=n, p=growth / growth.sum()))
    signup = MONTH_STARTS[signup_month] + (rng.random(n) * DAYS_IN_MONTH[signup_month]).astype(int)
    signup.sort()
    domain_weights = np.array([d[1] for d in DOMAINS])
    domain = rng.choice(len(DOMAINS), size=n, p=domain_weights / domain_weights.sum())
    country_weights = np.array([c[1] for c in COUNTRIES], dtype=float)
    country = rng.choice(len(COUNTRIES), size=n, p=country_weights / country_weights.sum())
    approved = signup + rng.geometric(1 / 12, size=n)
    is_approved = (rng.random(n) < 0.55) & (approved <= LAST_DAY)
    return signup, domain, country, approved, is_approved


def _clients(rng):
    segment, start_month, churn_month = [], [], []
    for name, count in SEGMENTS:
        for i in range(count):
            segment.append(name)
            # The largest AI labs are there from the first month and never leave.
            early = name == "ai_lab" and i < 3
            start = 0 if early else int(rng.integers(0, 42))
            start_month.append(start)
            churns = not early and rng.random() < 0.25 and start + 8 < MONTHS
            churn_month.append(int(rng.integers(start + 6, MONTHS)) if churns else None)
    n = len(segment)
    # Work concentrates in a few clients: a Zipf tilt, AI labs first.
    weight = 1 / np.arange(1, n + 1) ** 1.15
    return segment, start_month, churn_month, weight


def _contracts(rng, segment, start_month, churn_month):
    """One standard contract per client and domain it buys, plus premium contracts
    for the top tier of experts at large clients. Contracts run whole months."""
    rows = []  # (client, domain, start_month, end_month or None, bill_rate, is_premium)
    for client in range(len(segment)):
        big = segment[client] in ("ai_lab", "enterprise")
        if client < 3:
            domains = list(range(len(DOMAINS)))
        else:
            domains = sorted(rng.choice(len(DOMAINS), size=int(rng.integers(2, 6)), replace=False))
        for d in domains:
            start = start_month[client] + (0 if client < 3 else int(rng.integers(0, 4)))
            if start >= MONTHS:
                continue
            markup = rng.uniform(1.33, 1.55)
            rows.append((client, d, start, churn_month[client], round(DOMAINS[d][2] * markup, 2), False))
            if big and DOMAINS[d][0] in PREMIUM_DOMAINS:
                rows.append((client, d, start, churn_month[client], round(rng.uniform(270, 300), 2), True))
    return rows


def draw(n_experts: int, work_logs: int | None, seed: int) -> DemoShape:
    rng = np.random.default_rng(seed)
    signup, domain, country, approved, is_approved = _experts(rng, n_experts)
    segment, client_start, client_churn, client_weight = _clients(rng)
    contracts = _contracts(rng, segment, client_start, client_churn)
    c_client = np.array([c[0] for c in contracts])
    c_domain = np.array([c[1] for c in contracts])
    c_start = np.array([c[2] for c in contracts])
    c_end = np.array([MONTHS - 1 if c[3] is None else c[3] for c in contracts])
    c_rate = np.array([c[4] for c in contracts])
    c_premium = np.array([c[5] for c in contracts])

    # Candidates: approved experts, in a random order; the first ones become workers.
    candidates = rng.permutation(np.flatnonzero(is_approved))
    first_month = _month_index(approved[candidates]) + 1
    keep = first_month < MONTHS
    candidates, first_month = candidates[keep], first_month[keep]
    n_cand = len(candidates)
    is_top = rng.random(n_cand) < 0.006
    # Each worker takes one contract of their domain that is open in their first month,
    # chosen with the client's weight; they stop when it ends.
    contract = np.full(n_cand, -1)
    candidate_domain = domain[candidates]
    for d in range(len(DOMAINS)):
        in_domain = candidate_domain == d
        for premium in (False, True):
            in_group = in_domain & (is_top == premium)
            for m in range(MONTHS):
                who = np.flatnonzero(in_group & (first_month == m))
                if not len(who):
                    continue
                open_ = np.flatnonzero((c_domain == d) & (c_start <= m) & (c_end >= m) & (c_premium == premium))
                if not len(open_):
                    open_ = np.flatnonzero((c_domain == d) & (c_start <= m) & (c_end >= m))
                if not len(open_):
                    continue
                w = client_weight[c_client[open_]]
                contract[who] = rng.choice(open_, size=len(who), p=w / w.sum())
    has_contract = contract >= 0
    candidates, first_month, is_top, contract = (a[has_contract] for a in (candidates, first_month, is_top, contract))
    n_cand = len(candidates)
    lifetime = np.where(is_top, rng.geometric(1 / 30, n_cand), rng.geometric(1 / 11, n_cand))
    last_month = np.minimum(first_month + lifetime - 1, c_end[contract])
    take = rng.uniform(0.22, 0.34, n_cand)
    pay_rate = np.round(c_rate[contract] * (1 - take), 2)
    hours_per_day = np.where(is_top, rng.uniform(3.2, 3.8, n_cand), rng.uniform(1.5, 5.5, n_cand))
    days_mean = np.where(is_top, 31.0, rng.uniform(4, 14, n_cand))

    # Worker-months: one row per candidate and month of their working life.
    months_each = last_month - first_month + 1
    wm_worker = np.repeat(np.arange(n_cand), months_each)
    wm_month = first_month[wm_worker] + (np.arange(len(wm_worker)) - np.repeat(np.cumsum(months_each) - months_each, months_each))
    present = (rng.random(len(wm_worker)) < 0.85) | is_top[wm_worker]
    wm_worker, wm_month = wm_worker[present], wm_month[present]
    dim = DAYS_IN_MONTH[wm_month]

    def days_for(scale: float) -> np.ndarray:
        drawn = np.where(is_top[wm_worker], dim, rng.poisson(days_mean[wm_worker] * scale))
        return np.clip(drawn, 1, dim)

    days = days_for(1.0)
    if work_logs is not None and days.sum() < work_logs:
        days = days_for(work_logs / days.sum() * 1.1)
    # Workers are taken in the candidate order until the target is met: billings in
    # the last month by default, else exactly `work_logs` logs (the last month cut short).
    if work_logs is None:
        last = wm_month == MONTHS - 1
        billed = np.bincount(wm_worker[last], minlength=n_cand,
                             weights=(days * hours_per_day[wm_worker] * c_rate[contract[wm_worker]])[last])
        n_workers = int(np.searchsorted(np.cumsum(billed), ARR_PER_EXPERT_USD * n_experts / 12)) + 1
        kept = int(np.searchsorted(wm_worker, n_workers))
    else:
        logs_so_far = np.cumsum(days)
        kept = min(int(np.searchsorted(logs_so_far, work_logs)) + 1, len(days))
        days = days.copy()
        days[kept - 1] -= max(int(logs_so_far[kept - 1]) - work_logs, 0)
    wm_worker, wm_month, days, dim = wm_worker[:kept], wm_month[:kept], days[:kept], dim[:kept]

    # Work logs: `days` consecutive days from a random day of the month, wrapping.
    log_row = np.repeat(np.arange(len(days)), days)
    offset = np.arange(len(log_row)) - np.repeat(np.cumsum(days) - days, days)
    start_day = (rng.random(len(days)) * dim).astype(int)
    day = (start_day[log_row] + offset) % dim[log_row]
    worker = wm_worker[log_row]
    work_date = MONTH_STARTS[wm_month[log_row]] + day
    hours = np.clip(np.round(hours_per_day[worker] * rng.uniform(0.6, 1.4, len(worker)) * 4) / 4, 0.25, 12)
    work_logs_table = pa.table({
        "expert_n": candidates[worker].astype(np.int64),
        "contract_n": contract[worker].astype(np.int64),
        "work_date": work_date,
        "hours": hours,
        "pay_rate_usd": pay_rate[worker],
    })

    # Bonuses: the top tier monthly (paid early next month); some workers now and then;
    # referral bonuses to approved experts, working or not.
    top_months = np.flatnonzero(is_top[wm_worker] & (wm_month < MONTHS - 1))
    perf = np.flatnonzero(~is_top[wm_worker] & (rng.random(len(wm_worker)) < 0.06))
    referral = rng.choice(np.flatnonzero(is_approved), size=max(1, int(is_approved.sum() * 0.01)), replace=False)
    referral_day = approved[referral] + rng.integers(5, 200, len(referral))
    referral, referral_day = referral[referral_day <= LAST_DAY], referral_day[referral_day <= LAST_DAY]
    bonuses_table = pa.table({
        "expert_n": np.concatenate([candidates[wm_worker[top_months]], candidates[wm_worker[perf]], referral]).astype(np.int64),
        "paid_date": np.concatenate([MONTH_STARTS[wm_month[top_months] + 1] + 4,
                                     MONTH_STARTS[wm_month[perf]] + (DAYS_IN_MONTH[wm_month[perf]] - 1),
                                     referral_day]),
        "amount_usd": np.round(np.concatenate([rng.uniform(2500, 4500, len(top_months)),
                                               rng.uniform(50, 500, len(perf)),
                                               rng.choice([25.0, 50.0, 100.0], len(referral))]), 2),
        "kind": np.array(["performance"] * (len(top_months) + len(perf)) + ["referral"] * len(referral)),
    })

    n_clients = len(segment)
    client_country = rng.choice(["US", "US", "US", "GB", "FR", "DE", "CA", "JP", "IL", "SG"], n_clients)
    committed = [round(float(c_rate[i]) * rng.integers(2_000, 40_000), 2)
                 if segment[c_client[i]] in ("ai_lab", "enterprise") and rng.random() < 0.6 else None
                 for i in range(len(contracts))]
    return DemoShape(
        experts=pa.table({
            "expert_n": np.arange(n_experts, dtype=np.int64),
            "first_n": rng.integers(0, len(FIRST_NAMES), n_experts),
            "last_n": rng.integers(0, len(LAST_NAMES), n_experts),
            "country": np.array([c[0] for c in COUNTRIES])[country],
            "domain": np.array([d[0] for d in DOMAINS])[domain],
            "signup_date": signup,
            "approved_date": pa.array(approved, mask=~is_approved),
        }),
        clients=pa.table({
            "client_n": np.arange(n_clients, dtype=np.int64),
            "name": [f"{CLIENT_WORDS_A[i % len(CLIENT_WORDS_A)]} {SEGMENT_SUFFIX[s]}"
                     + (f" {i // len(CLIENT_WORDS_A) + 1}" if i >= len(CLIENT_WORDS_A) else "")
                     for i, s in enumerate(segment)],
            "segment": segment,
            "country": client_country,
        }),
        contracts=pa.table({
            "contract_n": np.arange(len(contracts), dtype=np.int64),
            "client_n": c_client.astype(np.int64),
            "start_date": MONTH_STARTS[c_start],
            "end_date": pa.array(np.append(MONTH_STARTS[1:], np.datetime64("2026-01-01"))[c_end] - 1,
                                 mask=np.array([c[3] is None for c in contracts])),
            "bill_rate_usd": c_rate,
            "committed_usd": pa.array(committed, type=pa.float64()),
        }),
        work_logs=work_logs_table,
        bonuses=bonuses_table,
        valuations=pa.table({
            "as_of_date": np.array([v[0] for v in VALUATIONS], dtype="datetime64[D]"),
            "round": [v[1] for v in VALUATIONS],
            "post_money_usd": [v[2] for v in VALUATIONS],
        }),
    )


# How each export file is written from the drawn tables: ids and names are made here.
EXPORT_SELECTS = {
    "experts": """SELECT printf('E%07d', expert_n + 1) AS expert_id,
                         $first_names[first_n + 1] || ' ' || $last_names[last_n + 1] AS full_name,
                         lower($first_names[first_n + 1] || '.' || $last_names[last_n + 1])
                             || '.' || (expert_n + 1) || '@example.com' AS email,
                         country, domain, signup_date, approved_date
                  FROM experts ORDER BY expert_n""",
    "clients": """SELECT printf('C%03d', client_n + 1) AS client_id, name, segment, country
                  FROM clients ORDER BY client_n""",
    "contracts": """SELECT printf('K%04d', contract_n + 1) AS contract_id, printf('C%03d', client_n + 1) AS client_id,
                           start_date, end_date, bill_rate_usd, committed_usd
                    FROM contracts ORDER BY contract_n""",
    "work_logs": """SELECT printf('E%07d', expert_n + 1) AS expert_id, printf('K%04d', contract_n + 1) AS contract_id,
                           work_date, hours, pay_rate_usd
                    FROM work_logs""",
    "bonuses": """SELECT printf('B%08d', row_number() OVER (ORDER BY paid_date, expert_n)) AS bonus_id,
                         printf('E%07d', expert_n + 1) AS expert_id, paid_date, amount_usd, kind
                  FROM bonuses""",
    "valuations": "SELECT * FROM valuations",
}


def write_export(shape: DemoShape, folder: Path, fmt: str = "csv", progress: Progress = _quiet) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for name in EXPORT_SELECTS:
        con.register(name, getattr(shape, name))
    options = "(FORMAT csv, HEADER)" if fmt == "csv" else "(FORMAT parquet)"
    for name, select in EXPORT_SELECTS.items():
        params = {"first_names": FIRST_NAMES, "last_names": LAST_NAMES} if name == "experts" else {}
        target = folder / f"{name}.{fmt}"
        quoted = str(target).replace("'", "''")  # COPY takes no bound parameter for its target
        con.execute(f"COPY ({select}) TO '{quoted}' {options}", params)
        progress(f"wrote {target.name}")
    con.close()


def generate(db_path: Path, n_experts: int, work_logs: int | None = None, seed: int = 7,
             export_dir: Path | None = None, progress: Progress = _quiet):
    """Draw a demo network, write it as an export folder and load it like a real one."""
    started = time.monotonic()
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    shape = draw(n_experts, work_logs, seed)
    progress(f"[{time.monotonic() - started:6.1f}s] drew {n_experts:,} experts and "
             f"{shape.work_logs.num_rows:,} work logs")
    folder = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="expertnet-demo-",
                                                                        dir=Path(db_path).parent))
    try:
        write_export(shape, folder, "csv" if export_dir else "parquet",
                     lambda m: progress(f"[{time.monotonic() - started:6.1f}s] {m}"))
        del shape  # the drawn arrays are on disk now; the load needs the memory
        return ingest(folder, db_path, progress)
    finally:
        if not export_dir:
            shutil.rmtree(folder, ignore_errors=True)
