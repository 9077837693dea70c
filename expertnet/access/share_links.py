"""Share links: how an investor sees the aggregate pages, without an account.

A link is a record on the server (to whom, by whom, until when, revoked or not, which
filters are locked) and a token in the URL that names the record and is signed with
HMAC-SHA256:

    token = base64url(json {"id": ..., "exp": unix seconds}) + "." + base64url(hmac)

The signature only proves that this server made the token. Whether the link still works
is the server record's to say, read afresh at every resolve(): revoking a link or
shortening its life takes effect at the next page load, with no restart and no cache.

The signing key (at least 32 random bytes) comes, in order, from the `key` argument
(e.g. a Streamlit secret the caller passes), $EXPERTNET_SHARE_KEY (hex or base64url), or
the file config.share_key_path(), made on first use with mode 0600. Changing the key
turns every link ever made into "tampered".
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from expertnet.access import app_state
from expertnet import config
from expertnet.access.app_state import clean_label, from_text, to_text
from expertnet.metrics.filters import Filters, month_label
from expertnet.errors import BadInput

MIN_KEY_BYTES = 32
MAX_DAYS = 365
MAX_TOKEN = 512
MAX_NAME = 120
MAX_PAGE = 200

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_LINK_ID = re.compile(r"[0-9a-f]{12}")
_MAKE_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


class ShareKeyError(RuntimeError):
    """The signing key is missing, unreadable or too short; the message says which and how to fix it."""


@dataclass(frozen=True)
class ShareLink:
    id: str
    to_name: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    locked_domain: str | None
    locked_country: str | None
    locked_cohort: str | None          # YYYY-MM
    show_client_names: bool

    def state(self, now: datetime | None = None) -> str:
        """'revoked', 'expired' or 'valid', from this record."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if (now or app_state.utcnow()) >= self.expires_at else "valid"

    def filters(self) -> Filters:
        """The filters this link locks; the app applies them and hides the filter controls."""
        return Filters.parse(self.locked_domain, self.locked_country, self.locked_cohort)


class View(NamedTuple):
    link_id: str
    to_name: str | None
    page: str
    viewed_at: datetime
    device: str | None = None        # the browser and device in plain words (devices.describe_device)


_COLUMNS = ("id, to_name, created_by, created_at, expires_at, revoked_at, "
            "locked_domain, locked_country, locked_cohort, show_client_names")


def _link(row) -> ShareLink:
    return ShareLink(row[0], row[1], row[2], from_text(row[3]), from_text(row[4]), from_text(row[5]),
                     row[6], row[7], row[8], bool(row[9]))


# ---------------------------------------------------------------- the key

def _decode_key(value, where: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    else:
        text = str(value).strip()
        if _HEX.fullmatch(text):
            raw = bytes.fromhex(text)
        else:
            try:
                raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
            except (binascii.Error, ValueError):
                raise ShareKeyError(f"{where} is neither hex nor base64; make a key with {_MAKE_KEY}") from None
    if len(raw) < MIN_KEY_BYTES:
        raise ShareKeyError(f"{where} is too short: {len(raw)} bytes, a share-link key needs at least "
                            f"{MIN_KEY_BYTES} random bytes; make one with {_MAKE_KEY}")
    return raw


def _key_file(path: Path) -> bytes:
    if not path.exists():
        try:
            _make_key_file(path)
        except OSError as error:
            raise ShareKeyError(f"cannot write the share-link key file {path}: {error.strerror or error}") from None
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ShareKeyError(f"cannot read the share-link key file {path}: {error.strerror}") from None
    if len(raw) < MIN_KEY_BYTES:
        raise ShareKeyError(f"the share-link key file {path} holds {len(raw)} bytes, fewer than {MIN_KEY_BYTES}; "
                            f"delete it to make a new key (every link made so far will stop working)")
    return raw


def _make_key_file(path: Path) -> None:
    """32 random bytes, mode 0600. Written whole to a private temporary file, then linked into place:
    no reader sees half a key, and if two processes race, the first link wins and both use its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".share_key.")
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, secrets.token_bytes(MIN_KEY_BYTES))
        os.fsync(handle)
        os.close(handle)
        handle = None
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        if handle is not None:
            os.close(handle)
        os.unlink(temporary)


def signing_key(key: bytes | str | None = None) -> bytes:
    """The key that signs links: `key` if given (bytes, or hex/base64url text), else $EXPERTNET_SHARE_KEY,
    else `share_signing_key` in the secrets file, else the key file (made on first use).
    Raises ShareKeyError if the chosen one is under 32 bytes."""
    if key is not None:
        return _decode_key(key, "the share-link key given")
    from_env = os.environ.get("EXPERTNET_SHARE_KEY", "").strip()
    if from_env:
        return _decode_key(from_env, "EXPERTNET_SHARE_KEY")
    from_secrets = (config.secret("share_signing_key") or "").strip()
    if from_secrets:
        return _decode_key(from_secrets, f"share_signing_key in {config.secrets_path()}")
    return _key_file(config.share_key_path())


# ---------------------------------------------------------------- tokens

def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def _token(link: ShareLink, key: bytes) -> str:
    body = json.dumps({"id": link.id, "exp": int(link.expires_at.timestamp())}, separators=(",", ":"))
    payload = _b64(body.encode("ascii"))
    return f"{payload}.{_signature(payload, key)}"


def url_for(link: ShareLink, key: bytes | str | None = None, base: str | None = None) -> str:
    """The link's URL again (tokens are deterministic), e.g. to copy it a second time. `base` is
    the address the dashboard is reached at; $EXPERTNET_BASE_URL, where set, wins over it."""
    return f"{config.base_url(base)}/?share={_token(link, signing_key(key))}"


def _read_token(token, key: bytes) -> tuple[str, int] | None:
    """(link id, expiry) from a token whose signature is right, else None."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    if not _B64URL.fullmatch(payload) or not _B64URL.fullmatch(signature):
        return None
    # Compared as canonical text, not decoded bytes: base64 without padding ignores the low bits of
    # its last character, so two different strings can decode to the same signature.
    if not hmac.compare_digest(_signature(payload, key), signature):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or type(body.get("exp")) is not int:
        return None
    return body["id"], body["exp"]


# ---------------------------------------------------------------- links

def create_link(to_name: str, days: int, created_by: str, locked_domain: str | None = None,
                locked_country: str | None = None, locked_cohort: str | None = None,
                show_client_names: bool = False, key: bytes | str | None = None,
                base: str | None = None) -> tuple[ShareLink, str, str]:
    """A new link for `to_name`, valid `days` (1..365) from now: (record, token, url).
    Locked filters are checked like the dashboard's (BadInput if wrong)."""
    to_name = clean_label(to_name, "the recipient's name", MAX_NAME)
    created_by = clean_label(created_by, "created by", 254)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise BadInput(f"days must be a whole number from 1 to {MAX_DAYS} (got {str(days)[:20]!r})")
    domain = locked_domain.strip().lower() if isinstance(locked_domain, str) and locked_domain.strip() else None
    country = locked_country.strip().upper() if isinstance(locked_country, str) and locked_country.strip() else None
    cohort = locked_cohort.strip() if isinstance(locked_cohort, str) and locked_cohort.strip() else None
    locks = Filters.parse(domain, country, cohort)
    if len(locks.domain or ()) > 1 or len(locks.country or ()) > 1:
        # the disclosure rules are checked for views of one domain and one country
        raise BadInput("a link locks at most one domain and one country")
    cohort = month_label(locks.cohort) if locks.cohort else None
    domain, country = (locks.domain or (None,))[0], (locks.country or (None,))[0]
    signing = signing_key(key)   # before anything is written: a bad key must not leave a dead record
    now = app_state.utcnow()
    for _ in range(5):
        link = ShareLink(secrets.token_hex(6), to_name, created_by, now, now + timedelta(days=days), None,
                         domain, country, cohort, bool(show_client_names))
        try:
            with app_state.connect() as con:
                con.execute(f"INSERT INTO share_links ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (link.id, link.to_name, link.created_by, to_text(link.created_at),
                             to_text(link.expires_at), None, link.locked_domain, link.locked_country,
                             link.locked_cohort, int(link.show_client_names)))
            break
        except app_state.Conflict:   # 48 random bits collided; draw again
            continue
    else:
        raise RuntimeError("could not draw an unused link id")
    token = _token(link, signing)
    return link, token, f"{config.base_url(base)}/?share={token}"


def resolve(token: str, key: bytes | str | None = None) -> tuple[ShareLink, None] | tuple[None, str]:
    """(record, None) if the token opens a link now, else (None, reason) with reason one of
    "tampered" (bad signature or malformed), "unknown" (no such record), "revoked", "expired".
    Expiry is the server record's (and, never later, the token's own)."""
    found = _read_token(token, signing_key(key))
    if found is None:
        return None, "tampered"
    link_id, token_expiry = found
    link = get_link(link_id)
    if link is None:
        return None, "unknown"
    if link.revoked_at is not None:
        return None, "revoked"
    now = app_state.utcnow()
    if now >= link.expires_at or now.timestamp() >= token_expiry:
        return None, "expired"
    return link, None


def _link_id(link_id) -> str | None:
    """A link id as stored (12 lower-case hex digits), or None if it cannot be one."""
    if not isinstance(link_id, str):
        return None
    link_id = link_id.strip().lower()
    return link_id if _LINK_ID.fullmatch(link_id) else None


def get_link(link_id: str) -> ShareLink | None:
    """The record of a link, or None if there is none."""
    link_id = _link_id(link_id)
    if link_id is None:
        return None
    with app_state.connect() as con:
        row = con.execute(f"SELECT {_COLUMNS} FROM share_links WHERE id = ?", (link_id,)).fetchone()
    return None if row is None else _link(row)


def list_links() -> list[ShareLink]:
    """Every link, newest first, whatever its state."""
    with app_state.connect() as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM share_links ORDER BY created_at DESC, id").fetchall()
    return [_link(row) for row in rows]


def revoke(link_id: str) -> bool:
    """Stop the link at its next page load. True if this call revoked it; False if it was already
    revoked (the first revocation time is kept) or there is no such link (see get_link)."""
    link_id = _link_id(link_id)
    if link_id is None:
        return False
    with app_state.connect() as con:
        return con.execute("UPDATE share_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           (to_text(app_state.utcnow()), link_id)).rowcount > 0


def record_view(link_id: str, page: str, device: str | None = None) -> None:
    """Note that the link's holder opened `page` now, on `device` (plain words). Raises BadInput
    for an unknown link or a bad page name."""
    page = clean_label(page, "page", MAX_PAGE)
    device = clean_label(device, "device", MAX_PAGE) if device else None
    link_id = _link_id(link_id)
    if link_id is None:
        raise BadInput("there is no such share link")
    try:
        with app_state.connect() as con:
            con.execute("INSERT INTO share_views (link_id, page, viewed_at, device) VALUES (?, ?, ?, ?)",
                        (link_id, page, to_text(app_state.utcnow()), device))
    except app_state.Conflict:
        raise BadInput(f"there is no share link {link_id}") from None


def views(link_id: str | None = None) -> list[View]:
    """Views of one link, or of all links, newest first: (link_id, to_name, page, viewed_at, device)."""
    query = ("SELECT v.link_id, l.to_name, v.page, v.viewed_at, v.device FROM share_views v "
             "LEFT JOIN share_links l ON l.id = v.link_id")
    with app_state.connect() as con:
        if link_id is None:
            rows = con.execute(query + " ORDER BY v.viewed_at DESC, v.id DESC").fetchall()
        else:
            rows = con.execute(query + " WHERE v.link_id = ? ORDER BY v.viewed_at DESC, v.id DESC",
                               (_link_id(link_id) or "",)).fetchall()
    return [View(r[0], r[1], r[2], from_text(r[3]), r[4]) for r in rows]


def view_counts() -> dict[str, int]:
    """How many pages each link has had opened (links never viewed are absent)."""
    return {link_id: count for link_id, (count, _last) in view_summary().items()}


def view_summary() -> dict[str, tuple[int, datetime]]:
    """Per link: (pages opened, when the last was opened); links never viewed are absent."""
    with app_state.connect() as con:
        rows = con.execute("SELECT link_id, count(*), max(viewed_at) FROM share_views GROUP BY link_id").fetchall()
    return {link_id: (count, from_text(last)) for link_id, count, last in rows}
