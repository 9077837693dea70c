"""`python -m expertnet users ...` and `python -m expertnet share ...`: accounts and share links.

Mistakes are raised as BadInput or CliError, which cli.main() prints as one line.
"""

import argparse
import getpass
import sys
from datetime import datetime

from expertnet.access import accounts, share_links
from expertnet import config
from expertnet.access import app_state
from expertnet.access.app_state import utcnow
from expertnet.config import share_key_path, warehouse_target
from expertnet.cli.common import CliError, Parser
from expertnet.metrics.formatting import text_table


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number of days") from None
    if not 1 <= value <= share_links.MAX_DAYS:
        raise argparse.ArgumentTypeError(f"days must be from 1 to {share_links.MAX_DAYS} (got {value})")
    return value


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if password.endswith("\r"):
            password = password[:-1]
        if not password:
            raise CliError("--password-stdin: no password on standard input")
        return password
    try:
        first = getpass.getpass("password: ")
        second = getpass.getpass("password again: ")
    except EOFError:
        print(file=sys.stderr)  # end the prompt's line
        raise CliError("no password given; type it at the prompt or pipe it with --password-stdin") from None
    if first != second:
        raise CliError("the two passwords differ; nothing was changed")
    return first


# ---------------------------------------------------------------- users

def cmd_users_add(args) -> int:
    email = accounts.normalise_email(args.email)    # refuse a bad email before asking for a password
    if accounts.get_user(email) is not None:
        raise CliError(f"there is already an account for {email}; `users remove` it first to replace it")
    user = accounts.add_user(email, args.role, _read_password(args.password_stdin))
    print(f"added {user.role} {user.email} (in {app_state.where()})")
    return 0


def cmd_users_list(args) -> int:
    users = accounts.list_users()
    if not users:
        print("no accounts yet; add one with `python -m expertnet users add EMAIL --role founder`")
        return 0
    rows = [["email", "role", "created (UTC)"]] + [[u.email, u.role, _when(u.created_at)] for u in users]
    print(text_table(rows))
    return 0


def cmd_users_remove(args) -> int:
    email = accounts.normalise_email(args.email)
    if not accounts.remove_user(email):
        raise CliError(f"there is no account for {email}")
    print(f"removed {email}; its sign-in sessions have ended")
    return 0


def cmd_users_unlock(args) -> int:
    email = accounts.normalise_email(args.email)
    forgotten = accounts.unlock(email)
    print(f"{email} may sign in again ({forgotten} recent wrong password(s) forgotten)")
    return 0


# ---------------------------------------------------------------- share links

def _check_locks(args) -> None:
    """A lock names a domain and a country the warehouse holds: a typo would make a link that
    shows nothing. Codes are normalised first (us -> US, Software -> software)."""
    from expertnet.metrics.breakdowns import filter_options
    from expertnet.warehouse import WarehouseMissing, open_read_only
    args.domain = args.domain.strip().lower() if args.domain else None
    args.country = args.country.strip().upper() if args.country else None
    if not (args.domain or args.country):
        return
    try:
        with open_read_only(args.db) as con:
            options = filter_options(con)
    except WarehouseMissing as missing:
        raise CliError(f"cannot check the locks against the warehouse at {args.db} (--db): {missing}") from None
    for name, value, known in (("domain", args.domain, options["domains"]),
                               ("country", args.country, options["countries"])):
        if value and value not in known:
            raise CliError(f"no expert has {name} {value!r}; the warehouse holds: {', '.join(known)}")


def cmd_share_create(args) -> int:
    by = accounts.normalise_email(args.by) if args.by else "command line"
    _check_locks(args)
    link, _, url = share_links.create_link(args.to, args.days, by, args.domain, args.country, args.cohort,
                                           args.show_client_names)
    locks = link.filters()
    print(f"link {link.id} for {link.to_name}, valid until {_when(link.expires_at)} UTC; "
          f"shows {locks.describe()}{', with client names' if link.show_client_names else ''}",
          file=sys.stderr)
    print(f"the link starts with {config.base_url()} ({config.base_url_source()}); set EXPERTNET_BASE_URL to "
          "the address people open the dashboard at to change it", file=sys.stderr)
    print(url)
    return 0


def cmd_share_list(args) -> int:
    links = share_links.list_links()
    if not links:
        print("no share links yet; make one with `python -m expertnet share create --to NAME --days N`")
        return 0
    counts, now = share_links.view_counts(), utcnow()
    rows = [["id", "to", "created by", "created (UTC)", "expires (UTC)", "state", "shows", "views"]]
    rows += [[l.id, l.to_name, l.created_by, _when(l.created_at), _when(l.expires_at), l.state(now),
              _shows(l), f"{counts.get(l.id, 0):,}"] for l in links]
    print(text_table(rows, right_aligned={7}))
    return 0


def _shows(link) -> str:
    """What a link's investor sees: its locked filters, and whether client names show."""
    return f"{link.filters().describe()}; client names {'shown' if link.show_client_names else 'hidden'}"


def cmd_share_revoke(args) -> int:
    link = share_links.get_link(args.id)
    if link is None:
        raise CliError(f"there is no share link {args.id[:40]!r}; see `python -m expertnet share list`")
    if not share_links.revoke(link.id):
        raise CliError(f"link {link.id} (to {link.to_name}) was already revoked at {_when(link.revoked_at)} UTC")
    print(f"revoked link {link.id} (to {link.to_name}); it stops working at its next page load")
    return 0


# ---------------------------------------------------------------- parser

def add_commands(commands) -> None:
    """Add `users` and `share` to the subparsers of cli.build_parser()."""
    p = commands.add_parser("users", help="local accounts of founders and ops")
    users = p.add_subparsers(dest="users_command", metavar="COMMAND", required=True, parser_class=Parser)
    q = users.add_parser("add", help="add an account (asks for the password twice)")
    q.add_argument("email")
    q.add_argument("--role", required=True, choices=accounts.ACCOUNT_ROLES)
    q.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (for scripts)")
    q.set_defaults(run=cmd_users_add)
    q = users.add_parser("list", help="list the accounts")
    q.set_defaults(run=cmd_users_list)
    q = users.add_parser("remove", help="remove an account and end its sessions")
    q.add_argument("email")
    q.set_defaults(run=cmd_users_remove)
    q = users.add_parser("unlock", help="end a lockout after too many wrong passwords")
    q.add_argument("email")
    q.set_defaults(run=cmd_users_unlock)

    p = commands.add_parser("share", help="share links for investors")
    share = p.add_subparsers(dest="share_command", metavar="COMMAND", required=True, parser_class=Parser)
    q = share.add_parser("create", help="make a link and print its URL",
                         description=f"The link is signed with the key from $EXPERTNET_SHARE_KEY, "
                                     f"else {share_key_path()} (made on first use).")
    q.add_argument("--to", required=True, help="who the link is for, e.g. \"Jane Doe, Acme Ventures\"")
    q.add_argument("--days", required=True, type=_days, help=f"how long it works, 1 to {share_links.MAX_DAYS}")
    q.add_argument("--domain", help="lock the pages to this expert domain")
    q.add_argument("--country", help="lock the pages to this country (ISO code like US)")
    q.add_argument("--cohort", help="lock the pages to this signup cohort, YYYY-MM")
    q.add_argument("--show-client-names", action="store_true", help="show client names instead of hiding them")
    q.add_argument("--by", metavar="EMAIL", help="who made the link (default: command line)")
    q.add_argument("--db", default=warehouse_target(), help="the warehouse whose values the locks are checked against")
    q.set_defaults(run=cmd_share_create)
    q = share.add_parser("list", help="every link with its state and views")
    q.set_defaults(run=cmd_share_list)
    q = share.add_parser("revoke", help="stop a link at once")
    q.add_argument("id")
    q.set_defaults(run=cmd_share_revoke)
