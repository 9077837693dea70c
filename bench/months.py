"""Month arithmetic for the benchmark: months as the first day of the month (datetime.date), stepping by
whole months, the list of months of a period, a month's last day and its YYYY-MM label."""

from datetime import date


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
