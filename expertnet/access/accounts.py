"""Local accounts (founder, ops) and the sign-in sessions that survive a page reload.

Only an argon2id hash of a password is stored, never the password. A session token is
random (secrets.token_urlsafe(32)); only its sha256 is stored, so a copy of the database
does not sign anyone in. Investors have no account: they come in through a share link.
"""

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from expertnet.access import app_state
from expertnet.access.app_state import from_text, to_text
from expertnet.errors import BadInput
from expertnet.access.roles import FOUNDER, OPS

ACCOUNT_ROLES = (FOUNDER, OPS)
SESSION_HOURS = 12
MIN_PASSWORD = 10
MAX_PASSWORD = 1024        # argon2 takes any length; this only bounds the work an attacker can ask for
MAX_TOKEN = 128
# Password guessing: after this many wrong passwords for one email within the window, that
# email cannot sign in until the oldest of them leaves the window.
MAX_FAILED_SIGN_INS = 5
FAILED_SIGN_IN_WINDOW = timedelta(minutes=15)

# Conservative on purpose: lower-case letters, digits and . _ % + ' - before the @ (an apostrophe
# is real: o'brien@...), a dotted host name after it. 254 characters at most (RFC 5321).
_EMAIL = re.compile(r"[a-z0-9_%+'-]+(?:\.[a-z0-9_%+'-]+)*@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")

_hasher = PasswordHasher()
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


@dataclass(frozen=True)
class User:
    email: str
    role: str
    created_at: datetime


def normalise_email(email) -> str:
    """Lower-cased and checked; raises BadInput if it is not a plain email address."""
    if not isinstance(email, str):
        raise BadInput("email must be text")
    text = email.strip().lower()
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise BadInput(f"not an email address like name@example.com (got {email[:40]!r})")
    return text


def _check_password(password) -> str:
    if not isinstance(password, str):
        raise BadInput("password must be text")
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise BadInput(f"password must be at most {MAX_PASSWORD} characters")
    return password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _dummy() -> str:
    """A hash with the same cost as real ones, to verify against when the email is unknown."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(24))
        return _dummy_hash


# ---------------------------------------------------------------- accounts

def add_user(email: str, role: str, password: str) -> User:
    """Create a founder or ops account; raises BadInput for a bad email, role or password, or a taken email."""
    email = normalise_email(email)
    if role not in ACCOUNT_ROLES:
        raise BadInput(f"role must be one of {', '.join(ACCOUNT_ROLES)} (investors use share links; got {str(role)[:20]!r})")
    password_hash = _hasher.hash(_check_password(password))
    now = app_state.utcnow()
    try:
        with app_state.connect() as con:
            con.execute("INSERT INTO users (email, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                        (email, role, password_hash, to_text(now)))
    except app_state.Conflict:
        raise BadInput(f"there is already an account for {email}; remove it first to replace it") from None
    return User(email, role, now)


def list_users() -> list[User]:
    """Every account, by email (no password hashes)."""
    with app_state.connect() as con:
        rows = con.execute("SELECT email, role, created_at FROM users ORDER BY email").fetchall()
    return [User(email, role, from_text(created)) for email, role, created in rows]


def get_user(email: str) -> User | None:
    try:
        email = normalise_email(email)
    except BadInput:
        return None
    with app_state.connect() as con:
        row = con.execute("SELECT email, role, created_at FROM users WHERE email = ?", (email,)).fetchone()
    return None if row is None else User(row[0], row[1], from_text(row[2]))


def remove_user(email: str) -> bool:
    """Delete the account and end all its sessions; False if there was no such account."""
    email = normalise_email(email)
    with app_state.transaction() as con:
        con.execute("DELETE FROM sessions WHERE email = ?", (email,))
        return con.execute("DELETE FROM users WHERE email = ?", (email,)).rowcount > 0


def has_accounts() -> bool:
    """Whether any local account exists (if none, the app should say how to add the first)."""
    with app_state.connect() as con:
        return bool(con.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0])


def _attempt_key(email) -> str:
    # as typed (unknown emails are throttled too), but storable: PostgreSQL's text holds no NUL
    return email.strip().lower()[:254].replace("\x00", "\ufffd") if isinstance(email, str) else ""


def sign_in_wait(email) -> timedelta:
    """How long `email` must wait before its next sign-in (zero if it may sign in now)."""
    now = app_state.utcnow()
    with app_state.connect() as con:
        rows = con.execute("SELECT failed_at FROM sign_in_failures WHERE email = ? AND failed_at > ? "
                           "ORDER BY failed_at DESC LIMIT ?",
                           (_attempt_key(email), to_text(now - FAILED_SIGN_IN_WINDOW), MAX_FAILED_SIGN_INS)).fetchall()
    if len(rows) < MAX_FAILED_SIGN_INS:
        return timedelta(0)
    return from_text(rows[-1][0]) + FAILED_SIGN_IN_WINDOW - now


def verify(email: str, password: str) -> str | None:
    """The account's role if the password is right, else None; None too, without looking at the
    password, while the email must wait (sign_in_wait). A wrong password is counted against the
    email, known or not. An unknown email costs the same argon2 work as a known one, so timing
    does not say which emails have accounts."""
    key, now = _attempt_key(email), app_state.utcnow()
    # Check and reserve in one transaction: the attempt is counted as a failure before the
    # password is looked at, so many sign-ins at once cannot all pass the check.
    with app_state.transaction() as con:
        recent = con.execute("SELECT count(*) FROM sign_in_failures WHERE email = ? AND failed_at > ?",
                             (key, to_text(now - FAILED_SIGN_IN_WINDOW))).fetchone()[0]
        if recent >= MAX_FAILED_SIGN_INS:
            return None
        con.execute("DELETE FROM sign_in_failures WHERE failed_at <= ?",   # housekeeping
                    (to_text(now - FAILED_SIGN_IN_WINDOW),))
        con.execute("INSERT INTO sign_in_failures (email, failed_at) VALUES (?, ?)", (key, to_text(now)))
    role = _check_credentials(email, password)
    if role is not None:
        unlock(key)
    return role


def unlock(email) -> int:
    """End a lockout: forget the email's recent wrong passwords. Returns how many were forgotten."""
    with app_state.connect() as con:
        return con.execute("DELETE FROM sign_in_failures WHERE email = ?", (_attempt_key(email),)).rowcount


def _check_credentials(email: str, password: str) -> str | None:
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    try:
        email = normalise_email(email)
    except BadInput:
        email = None
    row = None
    if email is not None:
        with app_state.connect() as con:
            row = con.execute("SELECT role, password_hash FROM users WHERE email = ?", (email,)).fetchone()
    if row is None:
        try:
            _hasher.verify(_dummy(), password)
        except (VerificationError, InvalidHashError):
            pass
        return None
    role, stored = row
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(stored):  # the hasher's cost was raised since this hash was made
        rehashed = _hasher.hash(password)     # before taking the connection, which page runs share
        with app_state.connect() as con:
            con.execute("UPDATE users SET password_hash = ? WHERE email = ? AND password_hash = ?",
                        (rehashed, email, stored))
    return role


# ---------------------------------------------------------------- sessions

def create_session(email: str, hours: float = SESSION_HOURS) -> str:
    """Sign-in for `hours`: returns an opaque token to keep in the browser (only its hash is stored).
    Raises BadInput if there is no such account."""
    email = normalise_email(email)
    if not 0 < hours <= 24 * 31:
        raise BadInput("a session lasts more than 0 and at most 744 hours")
    token = secrets.token_urlsafe(32)
    now = app_state.utcnow()
    with app_state.transaction() as con:
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_text(now),))  # housekeeping
        if con.execute("SELECT 1 FROM users WHERE email = ?", (email,)).fetchone() is None:
            raise BadInput(f"there is no account for {email}")
        con.execute("INSERT INTO sessions (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    (_token_hash(token), email, to_text(now), to_text(now + timedelta(hours=hours))))
    return token


def session_user(token: str) -> tuple[str, str] | None:
    """(email, role) of a live session; None if the token is unknown, expired, ended or its account removed."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return None
    with app_state.connect() as con:
        row = con.execute("SELECT u.email, u.role, s.expires_at FROM sessions s JOIN users u ON u.email = s.email "
                          "WHERE s.token_hash = ?", (_token_hash(token),)).fetchone()
        if row is None:
            return None
        if app_state.utcnow() >= from_text(row[2]):
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
            return None
    return row[0], row[1]


def end_session(token: str) -> None:
    """Sign out: the token no longer works anywhere."""
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN:
        with app_state.connect() as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


# ---------------------------------------------------------------- the session cookie
# The sign-in page cannot set an HttpOnly cookie (only a server response can), so it hands the
# browser a one-time code, and the browser trades it at the server's /session/start route for
# a response that sets the cookie (serve.py). The database holds only the code's hash and the
# token sealed with a pad derived from the code: a copy of the database opens no session.

GRANT_SECONDS = 120


def _pad(code: str, length: int) -> bytes:
    return hashlib.sha512(b"expertnet cookie grant\0" + code.encode("utf-8")).digest()[:length]


def cookie_grant(token: str) -> str:
    """A one-time code (valid GRANT_SECONDS) that redeem_cookie_grant turns back into `token`."""
    raw = token.encode("ascii")
    if not 0 < len(raw) <= 64:
        raise BadInput("not a session token")
    code = secrets.token_urlsafe(32)
    sealed = bytes(a ^ b for a, b in zip(raw, _pad(code, len(raw)))).hex()
    now = app_state.utcnow()
    with app_state.connect() as con:
        con.execute("DELETE FROM cookie_grants WHERE expires_at <= ?", (to_text(now),))   # housekeeping
        con.execute("INSERT INTO cookie_grants (grant_hash, token_sealed, expires_at) VALUES (?, ?, ?)",
                    (_token_hash(code), sealed, to_text(now + timedelta(seconds=GRANT_SECONDS))))
    return code


def redeem_cookie_grant(code) -> str | None:
    """The session token a code was made for, once; None for an unknown, used or expired code."""
    if not isinstance(code, str) or not 0 < len(code) <= MAX_TOKEN:
        return None
    with app_state.connect() as con:
        row = con.execute("DELETE FROM cookie_grants WHERE grant_hash = ? RETURNING token_sealed, expires_at",
                          (_token_hash(code),)).fetchone()
    if row is None or app_state.utcnow() >= from_text(row[1]):
        return None
    sealed = bytes.fromhex(row[0])
    return bytes(a ^ b for a, b in zip(sealed, _pad(code, len(sealed)))).decode("ascii")


def cookie_grant_pending(code) -> bool:
    """Whether the browser has yet to trade this code for its cookie."""
    if not isinstance(code, str):
        return False
    with app_state.connect() as con:
        return con.execute("SELECT 1 FROM cookie_grants WHERE grant_hash = ? AND expires_at > ?",
                           (_token_hash(code), to_text(app_state.utcnow()))).fetchone() is not None
