"""`python -m expertnet report`, `digest send|preview` and `alerts`: the monthly update as a PDF,
by email, and the alert rules it carries."""

import os
import sys
import tempfile
from pathlib import Path

from expertnet.cli.common import CliError, add_db
from expertnet.metrics.breakdowns import filter_options
from expertnet.metrics.filters import parse_month
from expertnet.reports import alerts, digest, pdf, update
from expertnet.warehouse import open_read_only

MAX_NOTE_BYTES = 20_000


def _write_atomically(path: Path, data: bytes) -> None:
    """The file whole or not at all: written beside it, then renamed over it."""
    path = path.expanduser()
    if not path.parent.is_dir():
        raise CliError(f"there is no folder {path.parent} to write {path.name} in")
    if path.is_dir():
        raise CliError(f"{path} is a folder: give a file name")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise CliError(f"cannot write in {path.parent}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CliError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _note(path: str | None) -> str:
    if not path:
        return ""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read the note {path}: {error.strerror}") from None
    if len(data) > MAX_NOTE_BYTES:
        raise CliError(f"the note {path} is longer than {MAX_NOTE_BYTES:,} bytes; an update has room for a page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"the note {path} is not UTF-8 text") from None


def _within_data(options: dict, month) -> None:
    """CliError unless the warehouse has data and `month` lies within it."""
    if options["first_month"] is None:
        raise CliError("the warehouse is empty")
    if not options["first_month"] <= month <= options["last_month"]:
        raise CliError(f"{month:%Y-%m} is outside the data ({options['first_month']:%Y-%m} to "
                       f"{options['last_month']:%Y-%m})")


def _update(args) -> tuple[update.Update, bytes]:
    audience = update.audience_of(args.link)
    month = parse_month(args.month)
    note = _note(args.note)
    with open_read_only(args.db) as con:
        _within_data(filter_options(con), month)
        made = update.build(con, month, audience, note)
    return made, _rendered(made)


def _rendered(made: update.Update) -> bytes:
    document, undrawn = pdf.render_counting(made)
    if undrawn:
        print(f"warning: {undrawn:,} character(s) of the note or the names have no glyph in the PDF's font "
              "(DejaVu Sans: Latin, Greek, Cyrillic, Arabic, Hebrew and more, not Chinese, Japanese, Korean, Thai "
              "or emoji) and are drawn as ?", file=sys.stderr)
    return document


def cmd_report(args) -> int:
    made, document = _update(args)
    _write_atomically(Path(args.pdf), document)
    print(f"wrote {args.pdf}: {made.title}, for {made.audience.name} ({len(document):,} bytes)")
    return 0


def cmd_digest_preview(args) -> int:
    made, _document = _update(args)
    _write_atomically(Path(args.html), digest.html_part(made).encode("utf-8"))
    print(f"wrote {args.html}: the digest of {made.title}, for {made.audience.name}")
    return 0


def cmd_digest_send(args) -> int:
    recipients = digest.addresses(args.to)
    smtp = digest.settings()                       # settings first: a wrong setup costs no work
    made, document = _update(args)
    digest.send(digest.message(made, document, smtp.sender, recipients), recipients, smtp)
    print(f"sent {made.title} to {', '.join(recipients)} through {smtp.host}:{smtp.port}"
          + (f"; {len(made.alerts)} alert(s) held" if made.alerts else ""))
    return 0


def cmd_alerts(args) -> int:
    rules = alerts.read_rules(Path(args.rules) if args.rules else None)
    where = args.rules or alerts.rules_file()
    if not rules:
        print(f"no alert rules in {where}")
        return 0
    with open_read_only(args.db) as con:
        options = filter_options(con)
        month = parse_month(args.month) if args.month else options["last_month"]
        _within_data(options, month)
        fired = alerts.fired(con, rules, month)
    print(f"{len(rules)} rule(s) in {where}; {len(fired)} hold for {month:%Y-%m}")
    for item in fired:
        print(f"- {item.rule.name}: {item.message} (rule: {item.rule.describe()})")
    return 0


def _update_arguments(parser) -> None:
    add_db(parser)
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--link", help="a share link's id: the update shows exactly what its investor may see")
    parser.add_argument("--note", help="the founder's note, a markdown file")


def add_commands(commands) -> None:
    p = commands.add_parser("report", help="the monthly update of a month as a PDF (for the founders or a share link)")
    _update_arguments(p)
    p.add_argument("--pdf", required=True, help="the PDF file to write")
    p.set_defaults(run=cmd_report)

    p = commands.add_parser("digest", help="the monthly update by email")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    send = actions.add_parser("send", help="send it (settings: EXPERTNET_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM)")
    _update_arguments(send)
    send.add_argument("--to", nargs="+", required=True, metavar="ADDRESS", help="who gets it")
    send.set_defaults(run=cmd_digest_send)
    preview = actions.add_parser("preview", help="write its HTML to a file instead")
    _update_arguments(preview)
    preview.add_argument("--html", required=True, help="the HTML file to write")
    preview.set_defaults(run=cmd_digest_preview)

    p = commands.add_parser("alerts", help="check the alert rules (alerts.toml) and list those that hold")
    add_db(p)
    p.add_argument("--month", help="YYYY-MM (default: the latest with data)")
    p.add_argument("--rules", help="the rules file (default: $EXPERTNET_ALERTS, then alerts.toml)")
    p.set_defaults(run=cmd_alerts)
