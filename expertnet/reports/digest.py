"""The email digest of a monthly update: an HTML part and a plain-text part with the headline
figures, their changes and the alerts, and the update's PDF attached; sent over SMTP.

Settings, from the environment or else the secrets file (the same names in lower case, e.g.
smtp_password): EXPERTNET_SMTP_HOST, EXPERTNET_SMTP_PORT (587), EXPERTNET_SMTP_USER,
EXPERTNET_SMTP_PASSWORD, EXPERTNET_SMTP_FROM (default: the user), EXPERTNET_SMTP_STARTTLS
(1 or 0; default 1 on port 587, else 0), EXPERTNET_SMTP_TLS (TLS from the first byte; default 1
on port 465). A password is never sent over a plain connection, except to this machine.

Nothing is half-sent: the message is whole before the server is reached, and every recipient
must be accepted before the message is handed over (one SMTP transaction; a refused address
ends it with RSET, so nobody gets it)."""

import html
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from expertnet.config import PRODUCT_NAME, secret
from expertnet.errors import BadInput
from expertnet.metrics.filters import month_label
from expertnet.reports.update import Update

TIMEOUT_S = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    tls: bool = False            # TLS from the first byte (port 465), rather than STARTTLS


def _setting(name: str) -> str | None:
    value = os.environ.get(f"EXPERTNET_SMTP_{name.upper()}") or secret(f"smtp_{name}")
    return value.strip() if value and value.strip() else None


def settings() -> SmtpSettings:
    host = _setting("host")
    if not host:
        raise BadInput("no SMTP server: set EXPERTNET_SMTP_HOST (and its port, user and password) or smtp_host "
                       "in the secrets file")
    try:
        port = int(_setting("port") or 587)
    except ValueError:
        raise BadInput("EXPERTNET_SMTP_PORT must be a port number") from None
    user, password = _setting("user"), _setting("password")
    sender = _setting("from") or user
    if not sender:
        raise BadInput("no sender address: set EXPERTNET_SMTP_FROM (or EXPERTNET_SMTP_USER) to an email address")
    if any(ord(c) < 32 for c in sender):
        raise BadInput("EXPERTNET_SMTP_FROM holds a line break or another control character")
    sender = _address(sender)
    tls = (_setting("tls") or ("1" if port == 465 else "0")) not in ("0", "false", "no")
    starttls = not tls and (_setting("starttls") or ("1" if port == 587 else "0")) not in ("0", "false", "no")
    if user and password and not (tls or starttls) and host not in ("localhost", "127.0.0.1", "::1"):
        raise BadInput(f"a password would cross the network in clear to {host}: set EXPERTNET_SMTP_STARTTLS=1 "
                       "(port 587) or EXPERTNET_SMTP_TLS=1 (port 465)")
    return SmtpSettings(host, port, user, password, sender, starttls, tls)


def _address(text: str) -> str:
    address = parseaddr(text)[1]
    if "@" not in address or any(c.isspace() or c in "<>,;" or ord(c) < 32 for c in address):
        raise BadInput(f"not an email address: {text[:80]!r}")
    if not address.isascii():
        raise BadInput(f"{text[:80]!r}: addresses outside ASCII are not supported by this sender")
    return address


def addresses(recipients: list[str]) -> list[str]:
    """The recipients as plain addresses (several may be given in one argument, separated by
    commas); BadInput naming the first that is not one."""
    out = []
    for text in recipients:
        for part in (p for p in text.split(",") if p.strip()):
            out.append(_address(part))
    if not out:
        raise BadInput("give at least one recipient (--to ADDRESS)")
    return out


def text_part(update: Update) -> str:
    lines = [update.title, f"For {update.audience.name}; experts shown: {update.audience.filters.describe()}.",
             update.freshness + ".", ""]
    width = max(len(row.label) for row in update.rows)
    for row in update.rows:
        changes = ", ".join(f"{text} {what}" for text, what in ((row.vs_month_before, "m/m"),
                                                                (row.vs_year_before, "y/y"), (row.plan, "plan"))
                            if text)
        lines.append(f"{row.label.ljust(width)}  {row.value}" + (f"  ({changes})" if changes else ""))
    if not update.audience.is_investor:
        lines += ["", "Alerts:"] + ([f"- {f.rule.name}: {f.message}" for f in update.alerts] or ["- none hold"])
    if update.note:
        lines += ["", update.note]
    lines += ["", "The full update, with its charts, is attached as a PDF."]
    return "\n".join(lines) + "\n"


def html_part(update: Update) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r.label)}</td><td style='text-align:right'><b>{e(r.value)}</b></td>"
        f"<td style='text-align:right'>{e(r.vs_month_before)}</td><td style='text-align:right'>{e(r.vs_year_before)}</td>"
        f"<td style='text-align:right'>{e(r.plan)}</td></tr>\n" for r in update.rows)
    alerts = "" if update.audience.is_investor else (
        "<h3>Alerts</h3><ul>" + ("".join(f"<li><b>{e(f.rule.name)}</b>: {e(f.message)}</li>" for f in update.alerts)
                                 or "<li>No alert rule holds for this month.</li>") + "</ul>")
    note = "".join(f"<p>{e(p)}</p>" for p in update.note.split("\n\n") if p.strip())
    return (f"<html><body style='font-family:sans-serif;color:#212529'><h2>{e(update.title)}</h2>"
            f"<p style='color:#6c757d'>For {e(update.audience.name)}; experts shown: "
            f"{e(update.audience.filters.describe())}. {e(update.freshness)}.</p>{note}"
            "<table cellpadding='4' style='border-collapse:collapse'><tr><th align='left'>Metric</th><th>Value</th>"
            f"<th>vs month before</th><th>vs year before</th><th>Plan</th></tr>{rows}</table>{alerts}"
            "<p>The full update, with its charts, is attached as a PDF.</p></body></html>")


def message(update: Update, pdf: bytes, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"{PRODUCT_NAME}: {update.title}"
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].split("@")[-1] or None)
    # quoted-printable: SMTP servers refuse lines over 998 characters, which a table row can be
    mail.set_content(text_part(update), cte="quoted-printable")
    mail.add_alternative(html_part(update), subtype="html", cte="quoted-printable")
    mail.add_attachment(pdf, maintype="application", subtype="pdf",
                        filename=f"update-{update.audience.filters.slug()}-{month_label(update.month)}.pdf")
    return mail


def send(mail: EmailMessage, recipients: list[str], smtp: SmtpSettings) -> None:
    """Hand `mail` to the server for every recipient, or for none (BadInput saying why)."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        connect = (lambda: smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S,
                                            context=ssl.create_default_context())) if smtp.tls else \
            (lambda: smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S))
        with connect() as server:
            server.ehlo()
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if smtp.user and smtp.password:
                server.login(smtp.user, smtp.password)
            code, reply = server.mail(smtp.sender)
            if code != 250:
                raise BadInput(f"the SMTP server at {where} refused the sender {smtp.sender}: {code} {reply.decode(errors='replace')}")
            for address in recipients:
                code, reply = server.rcpt(address)
                if code not in (250, 251):
                    server.rset()           # before DATA: nobody gets it
                    raise BadInput(f"the SMTP server at {where} refused {address}: {code} "
                                   f"{reply.decode(errors='replace')}; nothing was sent")
            code, reply = server.data(mail.as_bytes(policy=policy.SMTP))    # CRLF line ends, as SMTP wants
            if code != 250:
                raise BadInput(f"the SMTP server at {where} did not accept the message: {code} "
                               f"{reply.decode(errors='replace')}; nothing was sent")
    except BadInput:
        raise
    except smtplib.SMTPAuthenticationError:
        raise BadInput(f"the SMTP server at {where} refused the user name or password; nothing was sent") from None
    except (smtplib.SMTPException, ssl.SSLError) as error:
        raise BadInput(f"the SMTP server at {where} failed: {error}; nothing was sent") from None
    except (socket.timeout, TimeoutError):
        raise BadInput(f"the SMTP server at {where} did not answer in {TIMEOUT_S} s; nothing was sent") from None
    except OSError as error:
        raise BadInput(f"cannot reach the SMTP server at {where}: {error.strerror or error}; nothing was sent") from None
