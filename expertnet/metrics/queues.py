"""The ops work queues, each defined once: what puts an expert on it (here, for the docs and the
page, and in its query, queries/queue_<key>.sql), what its rows hold, and how they are counted.

Queues that say "as of" count days up to the snapshot's last day (the `as_of` table the load
builds: the latest work log, signup, approval or bonus in the export), so a queue is the same
however late in the day it is read. Expert-level rows: never part of an investor's view.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd

from expertnet.access import roles
from expertnet.errors import BadInput
from expertnet.metrics import units
from expertnet.metrics.filters import Filters
from expertnet.metrics.queries import run, run_to_csv

SHOWN_ROWS = 200          # a page lists the first rows; the CSV holds the whole queue
EVERY_ROW = 2**62


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    definition: str
    of_period: bool                      # rows dated in the period's months, else as of the snapshot's day
    units: dict[str, units.Unit]         # the figures of a row


QUEUES: tuple[Queue, ...] = (
    Queue("approved_never_worked", "Approved but never worked",
          "Experts with an approved_date on or before the snapshot's last day and no work log at all; "
          "days since approval, longest waiting first.", False, {"days_since_approval": units.WHOLE_DAYS}),
    Queue("went_quiet", "Went quiet",
          "Top-decile earners of the 90 days up to the snapshot's last day D (of the n experts with earnings, "
          "pay + bonuses, dated D - 89 to D, the ceil(n / 10) who earned the most, ties by expert_id; over the "
          "whole network, so a filter narrows the list, not the decile) with no work log dated D - 29 to D.",
          False, {"earnings_90d_usd": units.USD, "days_since_last_work": units.WHOLE_DAYS}),
    Queue("unusual_hours", "Unusual hours",
          "A day with more than 12 hours logged by one expert, or a week (Monday to Sunday) with more than 70, "
          "starting in the period's months: for review.", True, {"hours": units.HOURS}),
    Queue("negative_margin", "Negative margin",
          "Work logged at a pay_rate_usd above its contract's bill_rate_usd in the period's months, by expert, "
          "contract, month and pay rate; loss = hours x (pay rate - bill rate).", True,
          {"hours": units.HOURS, "pay_rate_usd": units.USD_PER_HOUR, "bill_rate_usd": units.USD_PER_HOUR,
           "loss_usd": units.USD}),
    Queue("stuck_in_vetting", "Stuck in vetting",
          "Experts who signed up more than 30 days before the snapshot's last day and have no approved_date "
          "on or before it; days since signup, longest waiting first.", False, {"days_since_signup": units.WHOLE_DAYS}),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}


def _values(key: str, first: date, last: date, filters: Filters, role: str) -> dict:
    if role == roles.INVESTOR:
        raise PermissionError("the work queues list experts: not part of an investor's view")
    if key not in QUEUES_BY_KEY:
        raise BadInput(f"queue must be one of {', '.join(QUEUES_BY_KEY)}")
    values = filters.as_params()
    if QUEUES_BY_KEY[key].of_period:
        values.update(from_month=first, to_month=last)
    return values


def queue(con, key: str, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER,
          limit: int = SHOWN_ROWS) -> tuple[pd.DataFrame, int]:
    """The first `limit` rows of a queue and how many rows it has in all."""
    rows = run(con, f"queue_{key}", limit=int(limit), **_values(key, first, last, filters, role))
    size = int(rows["queue_size"].iloc[0]) if len(rows) else 0
    return rows.drop(columns=["queue_size"]), size


def queue_csv(con, key: str, first: date, last: date, filters: Filters = Filters(),
              role: str = roles.FOUNDER) -> bytes:
    """The whole queue as CSV, streamed."""
    return run_to_csv(con, f"queue_{key}", drop=("queue_size",), limit=EVERY_ROW,
                      **_values(key, first, last, filters, role))


def as_of_date(con) -> date | None:
    """The snapshot's last day, from which the queues count."""
    day = run(con, "as_of").iloc[0, 0]
    return None if pd.isna(day) else pd.Timestamp(day).date()
