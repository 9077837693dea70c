"""`python -m expertnet ...`: everything a person does outside the browser."""

import argparse
import json
import sys
from pathlib import Path

import duckdb

from expertnet.access import roles
from expertnet.metrics import kpis
from expertnet.cli.access import add_access_commands
from expertnet.config import warehouse_target
from expertnet.metrics.filters import Filters, parse_month
from expertnet.errors import BadInput
from expertnet.metrics.formatting import format_value, text_table
from expertnet.ingest.load import LoadRefused, ingest
from expertnet.warehouse import WarehouseMissing, open_read_only


class CliError(Exception):
    """A mistake of the caller's, said in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not a usage dump
        raise CliError(f"{message} (see `python -m expertnet {self.prog.split()[-1]} --help`)")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


# ---------------------------------------------------------------- commands

def cmd_generate(args) -> int:
    from expertnet.demo import generate
    result = generate(Path(args.db), args.experts, args.work_logs, args.seed, args.export, _progress)
    print(f"demo warehouse at {args.db}: " + ", ".join(f"{n:,} {t}" for t, n in result.rows.items())
          + f" in {result.seconds:.1f}s")
    return 0


def cmd_ingest(args) -> int:
    try:
        result = ingest(Path(args.folder), Path(args.db), _progress)
    except LoadRefused as refused:
        print(refused.report(), file=sys.stderr)
        print(f"refused: {refused.total:,} problem(s) in {args.folder}; the warehouse at {args.db} "
              f"is unchanged. Fix the export and load it again.", file=sys.stderr)
        return 1
    print(f"loaded {args.folder} into {args.db} as snapshot {result.snapshot_id[:8]}: "
          + ", ".join(f"{n:,} {t}" for t, n in result.rows.items()) + f" in {result.seconds:.1f}s")
    return 0


def _filters(args) -> Filters:
    return Filters.parse(args.domain, args.country, args.cohort)


def cmd_kpis(args) -> int:
    month, filters = parse_month(args.month), _filters(args)
    with open_read_only(args.db) as con:
        values = kpis.kpis(con, month, filters, args.role)
    if args.format == "json":
        print(json.dumps(values, allow_nan=False))
        return 0
    withheld = args.role == roles.INVESTOR
    rows = [["metric", "value", "key"]]
    rows += [[k.label, format_value(values[k.key], k.unit, withheld), k.key] for k in kpis.KPIS]
    print(f"KPIs of {values['month']} ({filters.describe()}; valuation keys: whole company)")
    print(text_table(rows, right_aligned={1}))
    return 0


def cmd_retention(args) -> int:
    filters = _filters(args)
    with open_read_only(args.db) as con:
        frame = kpis.retention(con, filters, args.role)
    rows = kpis.records(frame)
    if args.format == "json":
        print(json.dumps(rows, allow_nan=False))
        return 0
    withheld = args.role == roles.INVESTOR
    table = [["cohort", "months_since", "cohort_size (experts)", "active (experts)", "rate"]]
    table += [[r["cohort"], str(r["months_since"]), format_value(r["cohort_size"], "experts"),
               format_value(r["active"], "experts", withheld), format_value(r["rate"], "share", withheld)]
              for r in rows]
    print(f"Expert retention by signup cohort ({filters.describe()})")
    print(text_table(table, right_aligned=range(1, 5)) if rows else "no experts match these filters")
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
        filters, names, whose = _filters(args), False, "a link"
    with open_read_only(args.db) as con:
        report = audit_investor_view(con, filters, names, _progress)
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


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m expertnet",
                     description="Warehouse, metrics and access for the expert-network dashboard.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    db_help = "the warehouse (default: $EXPERTNET_DB, then data/warehouse.duckdb)"

    p = commands.add_parser("generate", help="build a demo warehouse")
    p.add_argument("--db", default=warehouse_target(), help=db_help)
    p.add_argument("--experts", type=_positive, default=2_000_000, help="experts signed up by 2025-12")
    p.add_argument("--work-logs", type=_positive, default=None,
                   help="scale activity to this many work logs (default: billings of ~$50/expert/year)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--export", type=Path, default=None, help="also write the demo as a CSV export folder here")
    p.set_defaults(run=cmd_generate)

    p = commands.add_parser("ingest", help="load an export folder (CSV or Parquet) as a full snapshot")
    p.add_argument("folder")
    p.add_argument("--db", default=warehouse_target(), help=db_help)
    p.set_defaults(run=cmd_ingest)

    for name, run, text in (("kpis", cmd_kpis, "the headline KPIs of a month"),
                            ("retention", cmd_retention, "expert retention by signup cohort")):
        p = commands.add_parser(name, help=text)
        p.add_argument("--db", default=warehouse_target(), help=db_help)
        if name == "kpis":
            p.add_argument("--month", required=True, help="YYYY-MM")
        p.add_argument("--domain")
        p.add_argument("--country")
        p.add_argument("--cohort", help="signup month, YYYY-MM")
        p.add_argument("--role", choices=roles.ROLES, default=roles.FOUNDER,
                       help="investor: withhold what an investor may not see")
        p.add_argument("--format", choices=("table", "json"), default="table")
        p.set_defaults(run=run)
    p = commands.add_parser("audit-investor-view",
                            help="try to work out every withheld figure of an investor's view from the shown ones")
    p.add_argument("--db", default=warehouse_target(), help=db_help)
    p.add_argument("--link", help="the share link's id (its locked filters and client names)")
    p.add_argument("--domain")
    p.add_argument("--country")
    p.add_argument("--cohort", help="signup month, YYYY-MM")
    p.set_defaults(run=cmd_audit)
    add_access_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (CliError, BadInput, WarehouseMissing, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        print(f"error: the warehouse could not answer: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (| head) has gone; that is not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        return 130
