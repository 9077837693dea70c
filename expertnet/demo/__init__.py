"""A demo expert network shaped like the company in the public reports.

Founded 2022-01; signups grow to `experts` by 2025-12; most experts never work;
a thin top tier earns about $200 an hour, 3.5 hours a day, plus bonuses; clients
are mostly AI labs and enterprises, concentrated in a few; bill rates put a
20-35% margin on pay; a seed round, then a Series A at $500M post-money in 2025.

The shape is drawn with numpy from one seed, so a seed always gives the same
export, in steps a reader can follow: experts.py, clients.py (and contracts),
work.py (who works when, and the work logs), bonuses.py, then export.py writes
the folder (ids, names and emails formatted by DuckDB).
The result is an export folder that follows the data contract, and it reaches
the warehouse through the same `ingest` as any real export.
"""

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from expertnet.demo.bonuses import draw_bonuses
from expertnet.demo.clients import Clients, Contracts, draw_clients, draw_contracts
from expertnet.demo.experts import draw_experts
from expertnet.demo.export import write_export
from expertnet.demo.network import (CLIENT_WORDS_A, COUNTRIES, DOMAINS, FIRST_NAMES, LAST_NAMES, MONTH_STARTS,
                                    SEGMENT_SUFFIX, VALUATIONS, DemoShape)
from expertnet.demo.work import draw_work_logs, draw_worker_months, draw_workers
from expertnet.ingest.load import Progress, _quiet, ingest


def draw(n_experts: int, work_logs: int | None, seed: int) -> DemoShape:
    """Every table of a demo network, drawn step by step from one seed (the order of the
    steps is the order of the draws, so it is part of what a seed means)."""
    rng = np.random.default_rng(seed)
    signup, domain, country, approved, is_approved = draw_experts(rng, n_experts)
    clients = draw_clients(rng)
    contracts = draw_contracts(rng, clients)
    workers = draw_workers(rng, domain, approved, is_approved, contracts, clients)
    months = draw_worker_months(rng, workers, contracts, n_experts, work_logs)
    work_logs_table = draw_work_logs(rng, workers, months)
    bonuses_table = draw_bonuses(rng, workers, months, approved, is_approved)
    clients_table, contracts_table = _client_tables(rng, clients, contracts)
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
        clients=clients_table,
        contracts=contracts_table,
        work_logs=work_logs_table,
        bonuses=bonuses_table,
        valuations=pa.table({
            "as_of_date": np.array([v[0] for v in VALUATIONS], dtype="datetime64[D]"),
            "round": [v[1] for v in VALUATIONS],
            "post_money_usd": [v[2] for v in VALUATIONS],
        }),
    )


def _client_tables(rng, clients: Clients, contracts: Contracts) -> tuple[pa.Table, pa.Table]:
    """Clients with a name and country; contracts with dates and, for most large clients, a
    committed amount."""
    segment = clients.segment
    n_clients = len(segment)
    client_country = rng.choice(["US", "US", "US", "GB", "FR", "DE", "CA", "JP", "IL", "SG"], n_clients)
    committed = [round(float(contracts.bill_rate[i]) * rng.integers(2_000, 40_000), 2)
                 if segment[contracts.client[i]] in ("ai_lab", "enterprise") and rng.random() < 0.6 else None
                 for i in range(len(contracts))]
    clients_table = pa.table({
        "client_n": np.arange(n_clients, dtype=np.int64),
        "name": [f"{CLIENT_WORDS_A[i % len(CLIENT_WORDS_A)]} {SEGMENT_SUFFIX[s]}"
                 + (f" {i // len(CLIENT_WORDS_A) + 1}" if i >= len(CLIENT_WORDS_A) else "")
                 for i, s in enumerate(segment)],
        "segment": segment,
        "country": client_country,
    })
    contracts_table = pa.table({
        "contract_n": np.arange(len(contracts), dtype=np.int64),
        "client_n": contracts.client.astype(np.int64),
        "start_date": MONTH_STARTS[contracts.start],
        "end_date": pa.array(np.append(MONTH_STARTS[1:], np.datetime64("2026-01-01"))[contracts.end] - 1,
                             mask=contracts.open_ended),
        "bill_rate_usd": contracts.bill_rate,
        "committed_usd": pa.array(committed, type=pa.float64()),
    })
    return clients_table, contracts_table


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
