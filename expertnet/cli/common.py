"""What every command group shares: the parser that says a mistake in one line, the
error a command raises for one, and the arguments several commands take."""

import argparse
import sys

from expertnet.access import roles
from expertnet.config import warehouse_target
from expertnet.metrics.filters import Filters

DB_HELP = "the warehouse (default: $EXPERTNET_DB, then data/warehouse.duckdb)"


class CliError(RuntimeError):
    """A mistake of the caller's, or a command that could not do what was asked: said in one line."""


class Parser(argparse.ArgumentParser):
    """Says a mistake in one line, naming the help of the command as typed (prog is
    `python -m expertnet share create` for that subcommand)."""

    def error(self, message):  # one line, not a usage dump
        raise CliError(f"{message} (see `{self.prog} --help`)")

    def parse_known_args(self, args=None, namespace=None):
        # An argument no command knows is this (sub)command's mistake: argparse would hand it up
        # to the top-level parser, whose error names `python -m expertnet --help` instead.
        parsed, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed, extra


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=warehouse_target(), help=DB_HELP)


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--domain", action="append",
                        help="only experts of this domain; repeat it or separate with commas for several")
    parser.add_argument("--country", action="append",
                        help="only experts of this country (ISO code); repeat it or separate with commas for several")
    parser.add_argument("--cohort", help="signup month, YYYY-MM")


def add_role(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", choices=roles.ROLES, default=roles.FOUNDER,
                        help="investor: withhold what an investor may not see")


def filters_of(args) -> Filters:
    return Filters.parse(args.domain, args.country, args.cohort)
