"""Every call each page makes on its default view, as the page registry declares it
(expertnet/ui/pages.py), for a founder and for an investor with no filter: uncached seconds.

    python bench/page_calls.py --db data/bench/experts-2000000-logs-100000000.duckdb [--repeat 3]

bench/run.py compares three ways of computing the investor pages' figures; this times
the project's own calls only, but all of them, including those only founders and ops see (the
plan, the ARR projection, client logo retention, spread by contract, the Experts page). The
period is the pages' default (the last 12 months). Prints each call's median and each page's
sum; a call two pages share is counted in each. Then the Experts page's search (an email, an
id, part of a name) and one expert's page (the expert with the most work logs), which have no
default view.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the warehouse")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of every call (default 3)")
    args = parser.parse_args()
    from expertnet.access.roles import FOUNDER, INVESTOR
    from expertnet.metrics import breakdowns, experts
    from expertnet.metrics.filters import Filters, add_months
    from expertnet.ui.pages import PAGES, View
    from expertnet.warehouse import open_read_only

    con = open_read_only(args.db)
    last = breakdowns.filter_options(con)["last_month"]
    first = add_months(last, -11)
    print(f"warehouse: {args.db}; period {first:%Y-%m} .. {last:%Y-%m}; nothing cached; "
          f"median of {args.repeat}; seconds")
    fetch = lambda function, **kwargs: function(con, **kwargs)   # noqa: E731
    for role in (FOUNDER, INVESTOR):
        view = View(first, last, Filters(), role)
        for page in PAGES:
            calls = [call for call in page.calls if role in call.roles]
            if role not in page.roles or not calls:
                continue
            seconds = {}
            for call in calls:
                samples = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    call.function(con, **call.arguments(view, fetch))
                    samples.append(time.perf_counter() - started)
                seconds[call.workload] = statistics.median(samples)
            print(f"{role:<9}{page.title:<19}{sum(seconds.values()):6.2f}  "
                  + ", ".join(f"{name} {s:.2f}" for name, s in seconds.items()), flush=True)
    busiest, email, name = con.execute(
        "SELECT expert_id, email, full_name FROM experts WHERE expert_id = "
        "(SELECT expert_id FROM expert_months GROUP BY ALL ORDER BY sum(work_logs) DESC LIMIT 1)").fetchone()
    one_expert = {
        "search by email": lambda: experts.search(con, email.upper()),
        "search by id": lambda: experts.search(con, busiest),
        f"search by part of a name ({name.split()[-1][:4].lower()!r})": lambda: experts.search(con, name.split()[-1][:4]),
        "expert page: profile": lambda: experts.profile(con, busiest),
        "expert page: months": lambda: experts.by_month(con, busiest, first, last),
        "expert page: contracts": lambda: experts.contracts(con, busiest, first, last),
        "expert page: bonuses": lambda: experts.bonuses(con, busiest, first, last),
        "expert page: place in domain": lambda: experts.domain_place(con, busiest, first, last),
    }
    for label, call in one_expert.items():
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        print(f"{'ops':<9}{label:<45}{statistics.median(samples):6.3f}", flush=True)
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
