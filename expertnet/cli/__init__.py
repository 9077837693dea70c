"""`python -m expertnet ...`: everything a person does outside the browser, one module per
command group (data: generate, ingest; figures: kpis, retention, plan, queues,
audit-investor-view; access: users, share; reports: report, digest, alerts)."""

import sys

import duckdb

from expertnet.cli import access, data, figures, reports
from expertnet.cli.common import CliError, Parser
from expertnet.errors import BadInput
from expertnet.warehouse import WarehouseMissing


def build_parser() -> Parser:
    parser = Parser(prog="python -m expertnet",
                    description="Warehouse, metrics and access for the expert-network dashboard.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
    for group in (data, figures, access, reports):
        group.add_commands(commands)
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
