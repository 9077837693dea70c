"""`python -m expertnet kpis`, `retention`, `plan`, `queues` and `audit-investor-view`: the
figures, as the pages compute them, for a terminal or a script."""

import json
import sys

from expertnet.access import roles
from expertnet.cli.common import CliError, add_db, add_filters, add_role, filters_of, progress
from expertnet.metrics import breakdowns, kpis, units
from expertnet.metrics.filters import Filters, add_months, month_label, parse_month
from expertnet.metrics.formatting import format_value, text_table
from expertnet.warehouse import open_read_only


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _check_against_data(options: dict, filters: Filters, month=None) -> None:
    """Say so when the figures will be zeros because nothing matches: a domain or country the
    warehouse does not hold, or a month outside its data."""
    for domain in set(filters.domain or ()) - set(options["domains"]):
        _warn(f"no expert has the domain {domain!r}; the warehouse holds "
              f"{', '.join(options['domains'][:12])}{' ...' if len(options['domains']) > 12 else ''}")
    for country in set(filters.country or ()) - set(options["countries"]):
        _warn(f"no expert is in the country {country}")
    first, last = options["first_month"], options["last_month"]
    if month is not None and first is not None and not first <= month <= last:
        _warn(f"{month_label(month)} is outside the data, which runs from {month_label(first)} to {month_label(last)}")


def cmd_kpis(args) -> int:
    filters = filters_of(args)
    month = parse_month(args.month) if args.month else None     # what was typed is checked first
    with open_read_only(args.db) as con:
        options = breakdowns.filter_options(con)
        if month is None and options["last_month"] is None:
            raise CliError("the warehouse holds no experts yet, so there is no latest month; give --month YYYY-MM")
        month = month or options["last_month"]          # by default the latest month with data
        _check_against_data(options, filters, month)
        values = kpis.kpis(con, month, filters, args.role)
    if args.format == "json":
        print(json.dumps(values, allow_nan=False))
        return 0
    withheld = args.role == roles.INVESTOR
    rows = [["metric", "value", "key"]]
    rows += [[k.label, format_value(values[k.key], k.unit, withheld and k.can_be_withheld), k.key] for k in kpis.KPIS]
    whole = ", ".join(k.key for k in kpis.KPIS if k.whole_company)
    print(f"KPIs of {values['month']} ({filters.describe()}; {whole}: whole company)")
    print(text_table(rows, right_aligned={1}))
    return 0


def cmd_retention(args) -> int:
    filters = filters_of(args)
    with open_read_only(args.db) as con:
        _check_against_data(breakdowns.filter_options(con), filters)
        frame = kpis.retention(con, filters, args.role)
    rows = kpis.records(frame)
    if args.format == "json":
        print(json.dumps(rows, allow_nan=False))
        return 0
    withheld = args.role == roles.INVESTOR
    if args.format == "grid":
        print(f"Expert retention by signup cohort ({filters.describe()}): share of each cohort active "
              f"k months after its signup month")
        print(_grid(rows, withheld) if rows else "no experts match these filters")
        return 0
    table = [["cohort", "months_since", "cohort_size (experts)", "active (experts)", "rate"]]
    table += [[r["cohort"], str(r["months_since"]), format_value(r["cohort_size"], units.EXPERTS, withheld),
               format_value(r["active"], units.EXPERTS, withheld), format_value(r["rate"], units.SHARE, withheld)]
              for r in rows]
    print(f"Expert retention by signup cohort ({filters.describe()})")
    print(text_table(table, right_aligned=range(1, 5)) if rows else "no experts match these filters")
    return 0


def cmd_plan(args) -> int:
    month = parse_month(args.month)
    with open_read_only(args.db) as con:
        rows = kpis.plan(con, month)
    if args.format == "json":
        print(json.dumps(rows, allow_nan=False))
        return 0
    if not rows:
        print(f"no targets for {month_label(month)} (load a targets file with the exports to plan against)")
        return 0
    table = [["metric", "target", "actual", "variance"]]
    for row in rows:
        unit = kpis.KPIS_BY_KEY[row["metric"]].unit
        table.append([row["metric"], format_value(row["target"], unit), format_value(row["actual"], unit),
                      "n/a" if row["variance"] is None else f"{row['variance'] * 100:+.1f}%"])
    print(f"Plan against actual, {month_label(month)} (whole company)")
    print(text_table(table, right_aligned={1, 2, 3}))
    return 0


def _grid(rows: list[dict], withheld: bool) -> str:
    """Cohorts down, months since signup across: the share active, as a founder reads a cohort table."""
    months = sorted({r["months_since"] for r in rows})
    cohorts = list(dict.fromkeys(r["cohort"] for r in rows))
    size = {r["cohort"]: r["cohort_size"] for r in rows}
    rate = {(r["cohort"], r["months_since"]): r["rate"] for r in rows}
    table = [["cohort", "experts"] + [f"m{m}" for m in months]]
    for cohort in cohorts:
        cells = [format_value(rate[(cohort, m)], units.SHARE, withheld) if (cohort, m) in rate else ""
                 for m in months]
        table.append([cohort, format_value(size[cohort], units.EXPERTS, withheld)] + cells)
    return text_table(table, right_aligned=range(1, len(months) + 2))


def cmd_queues(args) -> int:
    """The work queues' counts, or one queue's rows as CSV (founders' and ops' lists)."""
    from expertnet.metrics import queues
    filters = filters_of(args)
    with open_read_only(args.db) as con:
        options = breakdowns.filter_options(con)
        if options["last_month"] is None:
            raise CliError("the warehouse holds no experts yet, so every queue is empty")
        last = parse_month(args.to) if args.to else options["last_month"]
        first = parse_month(args.since) if args.since else add_months(last, -11)   # the pages' 12 months
        if first > last:
            raise CliError(f"--since {month_label(first)} is after --to {month_label(last)}")
        _check_against_data(options, filters)
        if args.queue:
            sys.stdout.write(queues.queue_csv(con, args.queue, first, last, filters).decode())
            return 0
        as_of = queues.as_of_date(con)
        rows = [["queue", "rows", "key"]]
        for queue in queues.QUEUES:
            rows.append([queue.title, f"{queues.queue(con, queue.key, first, last, filters, limit=1)[1]:,}", queue.key])
    print(f"Work queues as of {as_of} ({filters.describe()}; dated queues: {month_label(first)} to {month_label(last)})")
    print(text_table(rows, right_aligned={1}))
    return 0


def cmd_audit(args) -> int:
    from expertnet.metrics.audit import audit_investor_view
    from expertnet.access.share_links import get_link
    if args.link:
        link = get_link(args.link)
        if link is None:
            raise CliError(f"there is no share link {args.link[:40]!r} (see `python -m expertnet share list`)")
        filters, names, whose = link.filters(), link.show_client_names, f"link {link.id} for {link.to_name}"
    else:
        filters, names, whose = filters_of(args), False, "a link"
    with open_read_only(args.db) as con:
        report = audit_investor_view(con, filters, names, progress)
    print(f"Disclosure audit of {whose} ({filters.describe()}; client names {'shown' if names else 'hidden'})")
    print(f"checked {report.figures:,} figures ({report.withheld:,} withheld) over {report.periods:,} periods, "
          f"with {report.equations:,} identities between them")
    if not report.findings:
        print("nothing withheld can be worked out from what is shown")
        return 0
    print(f"{len(report.findings):,} withheld figure(s) can be worked out:")
    for finding in report.findings[:100]:
        print(f"  {finding.figure}: {finding.value:,.2f}, pinned to {finding.low:,.2f} .. {finding.high:,.2f} "
              f"by {finding.how}")
    return 1


def add_commands(commands) -> None:
    p = commands.add_parser("kpis", help="the headline KPIs of a month")
    add_db(p)
    p.add_argument("--month", help="YYYY-MM (default: the latest month with data)")
    add_filters(p)
    add_role(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=cmd_kpis)

    p = commands.add_parser("retention", help="expert retention by signup cohort")
    add_db(p)
    add_filters(p)
    add_role(p)
    p.add_argument("--format", choices=("table", "grid", "json"), default="table",
                   help="table: one row per cohort and month; grid: cohorts down, months since signup across")
    p.set_defaults(run=cmd_retention)

    p = commands.add_parser("plan", help="the month's targets against the actual figures (whole company)")
    add_db(p)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=cmd_plan)

    from expertnet.metrics.queues import QUEUES_BY_KEY
    p = commands.add_parser("queues", help="the ops work queues: each one's count, or one queue's rows as CSV")
    add_db(p)
    p.add_argument("--queue", choices=list(QUEUES_BY_KEY), help="print this queue's rows as CSV (docs/QUEUES.md)")
    p.add_argument("--since", help="YYYY-MM: first month of the dated queues (default: 12 months to --to)")
    p.add_argument("--to", help="YYYY-MM: last month of the dated queues (default: the latest with data)")
    add_filters(p)
    p.set_defaults(run=cmd_queues)

    p = commands.add_parser("audit-investor-view",
                            help="try to work out every withheld figure of an investor's view from the shown ones")
    add_db(p)
    p.add_argument("--link", help="the share link's id (its locked filters and client names)")
    add_filters(p)
    p.set_defaults(run=cmd_audit)
