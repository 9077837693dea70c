"""Month arithmetic for the benchmark: months as the first day of the month (datetime.date). Stepping
and labels are the project's own (expertnet.metrics.filters: plain date arithmetic, no metric logic, so ways 2
and 3 stay independent of the project's metrics); the list of a period's months and a month's last
day are the benchmark's."""

from datetime import date

from expertnet.metrics.filters import add_months, month_range
from expertnet.metrics.filters import month_label as label

__all__ = ["add_months", "label", "month_range", "last_day"]


def last_day(month: date) -> date:
    return date.fromordinal(add_months(month, 1).toordinal() - 1)
