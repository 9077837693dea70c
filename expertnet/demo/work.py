"""Step 3: who works, for which contract, in which months, and the work logs.

Approved experts are taken in a random order; each takes one contract of their domain
open in their first month (chosen with the client's weight) and works until it ends or
they stop. A thin top tier (0.6%) works about 3.5 hours every day at premium rates."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from expertnet.demo.clients import Clients, Contracts
from expertnet.demo.network import ARR_PER_EXPERT_USD, DAYS_IN_MONTH, DOMAINS, MONTH_STARTS, MONTHS, month_index


@dataclass
class Workers:
    """Arrays over the experts who could work (candidates), in the order they are taken."""
    expert: np.ndarray                     # expert index
    first_month: np.ndarray
    is_top: np.ndarray
    contract: np.ndarray
    last_month: np.ndarray
    pay_rate: np.ndarray
    hours_per_day: np.ndarray
    days_mean: np.ndarray


@dataclass
class WorkerMonths:
    """One row per worker and month worked: how many days."""
    worker: np.ndarray                     # index into Workers
    month: np.ndarray
    days: np.ndarray
    days_in_month: np.ndarray


def _assign_contracts(rng, first_month, is_top, candidate_domain, contracts: Contracts, clients: Clients):
    contract = np.full(len(first_month), -1)
    for d in range(len(DOMAINS)):
        in_domain = candidate_domain == d
        for premium in (False, True):
            in_group = in_domain & (is_top == premium)
            for m in range(MONTHS):
                who = np.flatnonzero(in_group & (first_month == m))
                if not len(who):
                    continue
                is_open = (contracts.domain == d) & (contracts.start <= m) & (contracts.end >= m)
                open_ = np.flatnonzero(is_open & (contracts.premium == premium))
                if not len(open_):
                    open_ = np.flatnonzero(is_open)
                if not len(open_):
                    continue
                w = clients.weight[contracts.client[open_]]
                contract[who] = rng.choice(open_, size=len(who), p=w / w.sum())
    return contract


def draw_workers(rng, domain, approved, is_approved, contracts: Contracts, clients: Clients) -> Workers:
    candidates = rng.permutation(np.flatnonzero(is_approved))
    first_month = month_index(approved[candidates]) + 1
    keep = first_month < MONTHS
    candidates, first_month = candidates[keep], first_month[keep]
    is_top = rng.random(len(candidates)) < 0.006
    contract = _assign_contracts(rng, first_month, is_top, domain[candidates], contracts, clients)
    has_contract = contract >= 0
    candidates, first_month, is_top, contract = (a[has_contract] for a in (candidates, first_month, is_top, contract))
    n = len(candidates)
    lifetime = np.where(is_top, rng.geometric(1 / 30, n), rng.geometric(1 / 11, n))
    last_month = np.minimum(first_month + lifetime - 1, contracts.end[contract])
    take = rng.uniform(0.22, 0.34, n)
    return Workers(
        expert=candidates, first_month=first_month, is_top=is_top, contract=contract, last_month=last_month,
        pay_rate=np.round(contracts.bill_rate[contract] * (1 - take), 2),
        hours_per_day=np.where(is_top, rng.uniform(3.2, 3.8, n), rng.uniform(1.5, 5.5, n)),
        days_mean=np.where(is_top, 31.0, rng.uniform(4, 14, n)),
    )


def draw_worker_months(rng, workers: Workers, contracts: Contracts, n_experts: int,
                       work_logs: int | None) -> WorkerMonths:
    """Workers are taken in order until the target is met: the last month's billings of
    ARR_PER_EXPERT_USD a year per signed-up expert by default, else exactly `work_logs`
    logs (the last month cut short)."""
    months_each = workers.last_month - workers.first_month + 1
    wm_worker = np.repeat(np.arange(len(workers.expert)), months_each)
    starts = np.repeat(np.cumsum(months_each) - months_each, months_each)
    wm_month = workers.first_month[wm_worker] + (np.arange(len(wm_worker)) - starts)
    present = (rng.random(len(wm_worker)) < 0.85) | workers.is_top[wm_worker]
    wm_worker, wm_month = wm_worker[present], wm_month[present]
    dim = DAYS_IN_MONTH[wm_month]

    def days_for(scale: float) -> np.ndarray:
        drawn = np.where(workers.is_top[wm_worker], dim, rng.poisson(workers.days_mean[wm_worker] * scale))
        return np.clip(drawn, 1, dim)

    days = days_for(1.0)
    if work_logs is not None and days.sum() < work_logs:
        days = days_for(work_logs / days.sum() * 1.1)
    if work_logs is None:
        last = wm_month == MONTHS - 1
        rate = contracts.bill_rate[workers.contract[wm_worker]]
        billed = np.bincount(wm_worker[last], minlength=len(workers.expert),
                             weights=(days * workers.hours_per_day[wm_worker] * rate)[last])
        n_workers = int(np.searchsorted(np.cumsum(billed), ARR_PER_EXPERT_USD * n_experts / 12)) + 1
        kept = int(np.searchsorted(wm_worker, n_workers))
    else:
        logs_so_far = np.cumsum(days)
        kept = min(int(np.searchsorted(logs_so_far, work_logs)) + 1, len(days))
        days = days.copy()
        days[kept - 1] -= max(int(logs_so_far[kept - 1]) - work_logs, 0)
    return WorkerMonths(wm_worker[:kept], wm_month[:kept], days[:kept], dim[:kept])


def draw_work_logs(rng, workers: Workers, months: WorkerMonths) -> pa.Table:
    """`days` consecutive days from a random day of the month, wrapping; hours in quarters."""
    days, dim = months.days, months.days_in_month
    log_row = np.repeat(np.arange(len(days)), days)
    offset = np.arange(len(log_row)) - np.repeat(np.cumsum(days) - days, days)
    start_day = (rng.random(len(days)) * dim).astype(int)
    day = (start_day[log_row] + offset) % dim[log_row]
    worker = months.worker[log_row]
    hours = np.clip(np.round(workers.hours_per_day[worker] * rng.uniform(0.6, 1.4, len(worker)) * 4) / 4, 0.25, 12)
    return pa.table({
        "expert_n": workers.expert[worker].astype(np.int64),
        "contract_n": workers.contract[worker].astype(np.int64),
        "work_date": MONTH_STARTS[months.month[log_row]] + day,
        "hours": hours,
        "pay_rate_usd": workers.pay_rate[worker],
    })
