"""First views of the pages for other viewers than bench/run.py's founder with no filter.

    python bench/views.py --db data/bench/experts-2000000-logs-100000000.duckdb [--repeat 3]

Way 1 only (the project's functions over the rollups), nothing cached, the pages' default
period (the last 12 months). Prints the seconds each page's queries take (median of the
repetitions; a call several pages share is timed once and counted in each), for: a founder
with no filter, for reference; a founder with the largest country, the largest domain, or
the signup cohort of a year before the last month; an investor with no filter (a share link
that locks nothing) and with the largest country locked.
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.months import add_months  # noqa: E402
from bench.way_rollups import workloads  # noqa: E402
from bench.workloads import PAGES  # noqa: E402


def largest(con, column: str) -> str:
    return con.execute(f"SELECT {column} FROM expert_facts GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def page_seconds(con, first: date, last: date, filters, role: str, repeat: int) -> dict[str, float]:
    functions = workloads(filters, role)
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function(con, first, last)
            times[name].append(time.perf_counter() - started)
    median = {name: statistics.median(t) for name, t in times.items()}
    return {page: sum(median[name] for name in names) for page, names in PAGES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the warehouse")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of every view (default 3)")
    args = parser.parse_args()
    from expertnet.metrics.filters import Filters
    from expertnet.warehouse import open_read_only

    con = open_read_only(args.db)
    try:
        last = con.execute("SELECT max(month) FROM expert_months").fetchone()[0]
        last = date(last.year, last.month, 1)
        first = add_months(last, -11)
        country, domain = largest(con, "country"), largest(con, "domain")
        cohort = add_months(last, -12)
        views = [
            ("founder, no filter", Filters(), "founder"),
            (f"founder, country {country}", Filters(country=country), "founder"),
            (f"founder, domain {domain}", Filters(domain=domain), "founder"),
            (f"founder, cohort {cohort:%Y-%m}", Filters(cohort=cohort), "founder"),
            ("investor, no filter", Filters(), "investor"),
            (f"investor, country {country}", Filters(country=country), "investor"),
        ]
        rows = [(label, page_seconds(con, first, last, filters, role, args.repeat)) for label, filters, role in views]
    finally:
        con.close()
    print(f"warehouse: {args.db}; period {first:%Y-%m} .. {last:%Y-%m}; nothing cached; "
          f"median of {args.repeat}; seconds of each page's queries")
    pages = [page for page, _names in PAGES]
    print(f"{'view':<28}" + "".join(f"{page:>19}" for page in pages))
    for label, seconds in rows:
        print(f"{label:<28}" + "".join(f"{seconds[page]:>19.2f}" for page in pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
