"""Step 4: bonuses. The top tier monthly (paid early the next month); some workers now and
then; referral bonuses to approved experts, working or not."""

import numpy as np
import pyarrow as pa

from expertnet.demo.network import DAYS_IN_MONTH, LAST_DAY, MONTH_STARTS, MONTHS
from expertnet.demo.work import WorkerMonths, Workers


def draw_bonuses(rng, workers: Workers, months: WorkerMonths, approved, is_approved) -> pa.Table:
    wm_worker, wm_month = months.worker, months.month
    top_months = np.flatnonzero(workers.is_top[wm_worker] & (wm_month < MONTHS - 1))
    perf = np.flatnonzero(~workers.is_top[wm_worker] & (rng.random(len(wm_worker)) < 0.06))
    referral = rng.choice(np.flatnonzero(is_approved), size=max(1, int(is_approved.sum() * 0.01)), replace=False)
    referral_day = approved[referral] + rng.integers(5, 200, len(referral))
    referral, referral_day = referral[referral_day <= LAST_DAY], referral_day[referral_day <= LAST_DAY]
    return pa.table({
        "expert_n": np.concatenate([workers.expert[wm_worker[top_months]], workers.expert[wm_worker[perf]],
                                    referral]).astype(np.int64),
        "paid_date": np.concatenate([MONTH_STARTS[wm_month[top_months] + 1] + 4,
                                     MONTH_STARTS[wm_month[perf]] + (DAYS_IN_MONTH[wm_month[perf]] - 1),
                                     referral_day]),
        "amount_usd": np.round(np.concatenate([rng.uniform(2500, 4500, len(top_months)),
                                               rng.uniform(50, 500, len(perf)),
                                               rng.choice([25.0, 50.0, 100.0], len(referral))]), 2),
        "kind": np.array(["performance"] * (len(top_months) + len(perf)) + ["referral"] * len(referral)),
    })
