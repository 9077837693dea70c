"""The access layer: accounts, sign-in sessions, share links, view tracking, and their CLI."""

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from expertnet.access import accounts, app_state, share_links
from expertnet.errors import BadInput
from expertnet.access.share_links import ShareKeyError

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def sqlite_env(isolated_env, monkeypatch):
    """App state (a SQLite file) and the share-link key file in this test's folder; no key or base
    URL from outside."""
    monkeypatch.setenv("EXPERTNET_SHARE_KEY_FILE", str(isolated_env / "share_signing.key"))
    monkeypatch.delenv("EXPERTNET_SHARE_KEY", raising=False)
    monkeypatch.delenv("EXPERTNET_BASE_URL", raising=False)
    return isolated_env


@pytest.fixture(params=["sqlite", "postgresql"])
def access_env(request, sqlite_env, monkeypatch):
    """As sqlite_env, once with the app state in SQLite and once in a schema of its own on a real
    PostgreSQL server: every test of the access layer runs on both backends."""
    if request.param == "postgresql":
        schema = "t_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
        monkeypatch.setenv("EXPERTNET_APP_STATE", request.getfixturevalue("postgres").url_in_schema(schema))
    return sqlite_env


def _flip(text: str, index: int) -> str:
    """`text` with the base64url character at `index` changed to its neighbour (differing in the lowest bit)."""
    replacement = B64URL[B64URL.index(text[index]) ^ 1]
    return text[:index] + replacement + text[index + 1:]


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "expertnet", *args], input=stdin, capture_output=True,
                          text=True, cwd=PROJECT_DIR, env=dict(os.environ), timeout=120)


# ---------------------------------------------------------------- the database

def test_database_is_made_on_first_use_in_wal_mode_and_private(sqlite_env):
    path = sqlite_env / "app_state.sqlite3"
    assert not path.exists()
    assert accounts.has_accounts() is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sessions", "share_links", "share_views"} <= tables


# ---------------------------------------------------------------- accounts

def test_password_is_stored_only_as_an_argon2_hash(access_env):
    accounts.add_user("Ann@Example.com", "founder", PASSWORD)
    with app_state.connect() as con:
        rows = con.execute("SELECT email, role, password_hash FROM users").fetchall()
        every_value = [v for t in ("users", "sessions", "share_links", "share_views")
                       for row in con.execute(f"SELECT * FROM {t}") for v in row]
    assert rows[0][:2] == ("ann@example.com", "founder")
    assert rows[0][2].startswith("$argon2")
    assert not any(PASSWORD in str(v) for v in every_value)
    raw = b"".join(p.read_bytes() for p in access_env.glob("app_state.sqlite3*"))   # none on PostgreSQL
    assert PASSWORD.encode() not in raw
    assert all("password" not in repr(u).lower() for u in accounts.list_users())


def test_verify_right_and_wrong_password(access_env):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    accounts.add_user("otto@example.com", "ops", "another long password")
    assert accounts.verify("ann@example.com", PASSWORD) == "founder"
    assert accounts.verify("  ANN@example.COM ", PASSWORD) == "founder"      # emails are normalised
    assert accounts.verify("otto@example.com", "another long password") == "ops"
    assert accounts.verify("ann@example.com", PASSWORD + "x") is None
    assert accounts.verify("ann@example.com", "another long password") is None
    assert accounts.verify("nobody@example.com", PASSWORD) is None
    assert accounts.verify("not an email", PASSWORD) is None
    assert accounts.verify("ann@example.com", None) is None
    assert accounts.has_accounts() is True
    assert [(u.email, u.role) for u in accounts.list_users()] == [("ann@example.com", "founder"),
                                                                  ("otto@example.com", "ops")]


def test_unknown_email_costs_an_argon2_verification_too(access_env, monkeypatch):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    calls = []
    real = accounts._hasher

    class Spy:
        def verify(self, stored, password):
            calls.append(stored)
            return real.verify(stored, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", Spy())
    assert accounts.verify("nobody@example.com", PASSWORD) is None
    assert accounts.verify("ann@example.com", "wrong password") is None
    assert len(calls) == 2 and all(h.startswith("$argon2") for h in calls)


def test_accounts_refuse_bad_roles_passwords_and_duplicates(access_env):
    for role in ("investor", "admin", "founder' OR '1'='1", "", None):
        with pytest.raises(BadInput):
            accounts.add_user("ann@example.com", role, PASSWORD)
    with pytest.raises(BadInput, match="at least"):
        accounts.add_user("ann@example.com", "ops", "short")
    with pytest.raises(BadInput, match="at most"):
        accounts.add_user("ann@example.com", "ops", "x" * 100_000)
    accounts.add_user("ann@example.com", "ops", PASSWORD)
    with pytest.raises(BadInput, match="already"):
        accounts.add_user("ANN@example.com", "founder", PASSWORD)
    assert accounts.verify("ann@example.com", PASSWORD) == "ops"


def test_removed_user_cannot_sign_in_and_their_sessions_die(access_env):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    accounts.add_user("otto@example.com", "ops", PASSWORD)
    token = accounts.create_session("ann@example.com")
    other = accounts.create_session("otto@example.com")
    assert accounts.session_user(token) == ("ann@example.com", "founder")
    assert accounts.remove_user("Ann@Example.com") is True
    assert accounts.verify("ann@example.com", PASSWORD) is None
    assert accounts.session_user(token) is None
    assert accounts.session_user(other) == ("otto@example.com", "ops")
    assert accounts.remove_user("ann@example.com") is False
    with pytest.raises(BadInput):
        accounts.create_session("ann@example.com")
    # an account made again with the same email does not bring the old session back
    accounts.add_user("ann@example.com", "ops", "a brand new password")
    assert accounts.session_user(token) is None


def test_session_survives_a_new_process_and_is_stored_hashed(access_env):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    token = accounts.create_session("ann@example.com")
    assert len(token) >= 43
    script = "import sys; from expertnet.access import accounts; print(accounts.session_user(sys.argv[1]))"
    other_process = subprocess.run([sys.executable, "-c", script, token], capture_output=True, text=True,
                                   cwd=PROJECT_DIR, env=dict(os.environ), timeout=120)
    assert other_process.stdout.strip() == "('ann@example.com', 'founder')", other_process.stderr
    with app_state.connect() as con:
        stored = con.execute("SELECT token_hash FROM sessions").fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    accounts.end_session(token)
    assert accounts.session_user(token) is None


def test_session_expires_after_12_hours(access_env, clock):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    token = accounts.create_session("ann@example.com")
    short = accounts.create_session("ann@example.com", hours=1)
    clock.advance(hours=11, minutes=59)
    assert accounts.session_user(token) == ("ann@example.com", "founder")
    assert accounts.session_user(short) is None
    clock.advance(minutes=1)
    assert accounts.session_user(token) is None
    with app_state.connect() as con:   # expired sessions are cleaned away
        assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_unknown_and_hostile_session_tokens(access_env):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    accounts.create_session("ann@example.com")
    for token in ("", "x", "' OR '1'='1", "x" * 100_000, None, 42):
        assert accounts.session_user(token) is None
        accounts.end_session(token)   # does nothing, raises nothing
    assert len(accounts.list_users()) == 1


def test_five_wrong_passwords_make_an_email_wait_15_minutes(access_env, clock):
    accounts.add_user("ann@example.com", "founder", PASSWORD)
    for minute in range(5):
        assert accounts.sign_in_wait("ann@example.com") == timedelta(0)
        assert accounts.verify("ann@example.com", f"wrong password {minute}") is None
        clock.advance(minutes=1)
    # the first failure was 5 minutes ago: 10 minutes to go, and now even the right password is refused
    assert accounts.sign_in_wait(" Ann@Example.com ") == timedelta(minutes=10)
    assert accounts.verify("ann@example.com", PASSWORD) is None
    assert accounts.sign_in_wait("bob@example.com") == timedelta(0)       # per email
    clock.advance(minutes=10)
    assert accounts.sign_in_wait("ann@example.com") == timedelta(0)
    assert accounts.verify("ann@example.com", PASSWORD) == "founder"
    with app_state.connect() as con:   # a success clears the email's failures
        assert con.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0


def test_unknown_emails_are_throttled_like_known_ones(access_env, clock):
    for _ in range(5):
        assert accounts.verify("nobody@example.com", PASSWORD) is None
    assert accounts.sign_in_wait("nobody@example.com") == timedelta(minutes=15)
    for hostile in ("' OR 1=1 --", "x" * 10_000, None):
        assert accounts.verify(hostile, PASSWORD) is None
        assert accounts.sign_in_wait(hostile) == timedelta(0)


# ---------------------------------------------------------------- share links

def test_link_is_valid_and_carries_its_record(access_env):
    link, token, url = share_links.create_link("Jane Doe, Acme Ventures", 30, "ann@example.com",
                                               locked_domain="software", locked_country="us",
                                               locked_cohort="2025-03", show_client_names=True)
    assert url == f"http://localhost:8501/?share={token}"
    found, reason = share_links.resolve(token)
    assert reason is None and found == link
    assert (found.to_name, found.created_by, found.locked_domain, found.locked_country, found.locked_cohort,
            found.show_client_names, found.revoked_at) == ("Jane Doe, Acme Ventures", "ann@example.com",
                                                           "software", "US", "2025-03", True, None)
    assert found.expires_at - found.created_at == timedelta(days=30)
    assert found.filters().describe() == "domain software, country US, signup cohort 2025-03"
    assert found.state() == "valid"
    assert share_links.url_for(found) == url
    plain, _, _ = share_links.create_link("Bo", 1, "ann@example.com")
    assert plain.show_client_names is False and plain.filters().is_empty()


def test_base_url_comes_from_the_environment(access_env, monkeypatch):
    monkeypatch.setenv("EXPERTNET_BASE_URL", "https://metrics.example.com/")
    _, token, url = share_links.create_link("Jane", 7, "ann@example.com")
    assert url == f"https://metrics.example.com/?share={token}"


def test_tampered_signature_or_payload(access_env):
    link, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    payload, signature = token.split(".")
    for i in (0, len(signature) // 2, len(signature) - 1):   # the last character has unused low bits
        assert share_links.resolve(f"{payload}.{_flip(signature, i)}") == (None, "tampered")
    for i in (0, len(payload) // 2, len(payload) - 1):
        assert share_links.resolve(f"{_flip(payload, i)}.{signature}") == (None, "tampered")
    assert share_links.resolve(token) == (link, None)


def test_forged_and_malformed_tokens_are_tampered(access_env):
    link, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    other_key = os.urandom(32)
    forged = share_links._token(link, other_key)           # the right record, signed with another key
    assert share_links.resolve(forged) == (None, "tampered")
    assert share_links.resolve(forged, key=other_key)[1] is None   # it is only the key that is wrong
    payload = token.split(".")[0]
    for bad in ("", ".", payload, f"{payload}.", f".{token}", f"{token}.x", token + "=", token.replace(".", "!"),
                "x" * 100_000, "'; DROP TABLE share_links; --", None, 7):
        assert share_links.resolve(bad) == (None, "tampered"), bad
    assert share_links.resolve(token) == (link, None)


def test_unknown_link_has_a_valid_signature_but_no_record(access_env):
    link, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    with app_state.connect() as con:
        con.execute("DELETE FROM share_links WHERE id = ?", (link.id,))
    assert share_links.resolve(token) == (None, "unknown")
    assert share_links.get_link(link.id) is None


def test_revocation_takes_effect_at_the_next_resolve(access_env):
    link, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    other, other_token, _ = share_links.create_link("Bo", 30, "ann@example.com")
    assert share_links.resolve(token)[1] is None
    assert share_links.revoke(link.id) is True
    assert share_links.resolve(token) == (None, "revoked")
    assert share_links.resolve(other_token) == (other, None)
    revoked = share_links.get_link(link.id)
    assert revoked.revoked_at is not None and revoked.state() == "revoked"
    assert share_links.revoke(link.id) is False                       # already revoked; the time is kept
    assert share_links.get_link(link.id).revoked_at == revoked.revoked_at
    assert share_links.revoke("000000000000") is False
    assert share_links.revoke("'; DROP TABLE share_links; --") is False
    assert [l.id for l in share_links.list_links() if l.state() == "revoked"] == [link.id]


def test_revoked_wins_over_expired(access_env, clock):
    link, token, _ = share_links.create_link("Jane", 1, "ann@example.com")
    share_links.revoke(link.id)
    clock.advance(days=2)
    assert share_links.resolve(token) == (None, "revoked")


def test_link_expires(access_env, clock):
    link, token, _ = share_links.create_link("Jane", 7, "ann@example.com")
    clock.advance(days=6, hours=23, minutes=59)
    assert share_links.resolve(token) == (link, None)
    clock.advance(minutes=1)
    assert share_links.resolve(token) == (None, "expired")
    assert share_links.get_link(link.id).state() == "expired"


def test_expiry_is_taken_from_the_server_record(access_env, clock):
    link, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    shortened = app_state.to_text(clock.now - timedelta(seconds=1))
    with app_state.connect() as con:       # the token still says 30 days
        con.execute("UPDATE share_links SET expires_at = ? WHERE id = ?", (shortened, link.id))
    assert share_links.resolve(token) == (None, "expired")
    # and a record made longer on the server does not outlive the expiry signed into the token
    longer = app_state.to_text(clock.now + timedelta(days=90))
    with app_state.connect() as con:
        con.execute("UPDATE share_links SET expires_at = ? WHERE id = ?", (longer, link.id))
    clock.advance(days=31)
    assert share_links.resolve(token) == (None, "expired")


def test_create_link_refuses_bad_input(access_env):
    good = dict(to_name="Jane", days=30, created_by="ann@example.com")
    for change in (dict(days=0), dict(days=366), dict(days=-1), dict(days="30"), dict(days=True), dict(days=1.5),
                   dict(to_name=""), dict(to_name="   "), dict(to_name="x" * 10_000), dict(to_name="Jane\nDoe"),
                   dict(to_name="a\x1b[31mb"), dict(to_name="evil\u202etxt.exe"), dict(to_name=None),
                   # a domain is any lower-case text (the contract's rule; it reaches SQL bound), so only
                   # control characters and over-long ones are refused here
                   dict(created_by="x" * 1000), dict(locked_domain="soft\x00ware"), dict(locked_domain="x" * 201),
                   dict(locked_country="USA"), dict(locked_cohort="2025-13"), dict(locked_cohort="march")):
        with pytest.raises(BadInput):
            share_links.create_link(**{**good, **change})
    assert share_links.list_links() == []


# ---------------------------------------------------------------- the signing key

def test_key_file_is_made_with_32_random_bytes_mode_0600_and_reused(access_env):
    path = access_env / "share_signing.key"
    assert not path.exists()
    _, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    key = path.read_bytes()
    assert len(key) >= 32 and len(set(key)) > 8
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert share_links.signing_key() == key
    _, second, _ = share_links.create_link("Bo", 30, "ann@example.com")
    assert path.read_bytes() == key                          # reused, not remade
    assert share_links.resolve(token)[1] is None and share_links.resolve(second)[1] is None
    assert [p.name for p in access_env.iterdir() if p.name.startswith(".share_key")] == []


def test_a_new_key_makes_old_links_tampered(access_env):
    _, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    (access_env / "share_signing.key").unlink()
    assert share_links.resolve(token) == (None, "tampered")


def test_key_from_the_environment_or_the_caller_comes_first(access_env, monkeypatch):
    env_key, secret_key = os.urandom(32), os.urandom(48)
    monkeypatch.setenv("EXPERTNET_SHARE_KEY", env_key.hex())
    assert share_links.signing_key() == env_key
    _, token, _ = share_links.create_link("Jane", 30, "ann@example.com")
    assert not (access_env / "share_signing.key").exists()
    import base64
    monkeypatch.setenv("EXPERTNET_SHARE_KEY", base64.urlsafe_b64encode(env_key).decode().rstrip("="))
    assert share_links.signing_key() == env_key and share_links.resolve(token)[1] is None
    # a key the caller passes (a Streamlit secret) wins over the environment
    assert share_links.signing_key(secret_key.hex()) == secret_key
    assert share_links.signing_key(secret_key) == secret_key
    _, secret_token, _ = share_links.create_link("Bo", 30, "ann@example.com", key=secret_key.hex())
    assert share_links.resolve(secret_token, key=secret_key)[1] is None
    assert share_links.resolve(secret_token) == (None, "tampered")


def test_short_or_unreadable_keys_are_refused_clearly(access_env, monkeypatch):
    monkeypatch.setenv("EXPERTNET_SHARE_KEY", "00" * 31)
    with pytest.raises(ShareKeyError, match=r"EXPERTNET_SHARE_KEY is too short: 31 bytes.*at least 32"):
        share_links.create_link("Jane", 30, "ann@example.com")
    assert share_links.list_links() == []                    # nothing half-made
    monkeypatch.setenv("EXPERTNET_SHARE_KEY", "not a key, just words!")
    with pytest.raises(ShareKeyError, match="neither hex nor base64"):
        share_links.signing_key()
    with pytest.raises(ShareKeyError, match="too short"):
        share_links.signing_key(b"short")
    with pytest.raises(ShareKeyError, match="too short"):
        share_links.signing_key("")
    monkeypatch.delenv("EXPERTNET_SHARE_KEY")
    (access_env / "share_signing.key").write_bytes(b"tiny")
    with pytest.raises(ShareKeyError, match="holds 4 bytes"):
        share_links.resolve("anything.at-all")


# ---------------------------------------------------------------- views

def test_views_record_page_and_time(access_env, clock):
    link, _, _ = share_links.create_link("Jane", 30, "ann@example.com")
    other, _, _ = share_links.create_link("Bo", 30, "ann@example.com")
    first = clock.now
    share_links.record_view(link.id, "Overview", "Chrome on Android")
    clock.advance(minutes=5)
    share_links.record_view(link.id, "Retention")
    share_links.record_view(other.id, "Overview")
    # newest first
    assert share_links.views(link.id) == [(link.id, "Jane", "Retention", first + timedelta(minutes=5), None),
                                          (link.id, "Jane", "Overview", first, "Chrome on Android")]
    assert [(v.link_id, v.page) for v in share_links.views()] == [(other.id, "Overview"), (link.id, "Retention"),
                                                                 (link.id, "Overview")]
    assert share_links.view_counts() == {link.id: 2, other.id: 1}
    assert share_links.view_summary() == {link.id: (2, first + timedelta(minutes=5)),
                                          other.id: (1, first + timedelta(minutes=5))}
    assert share_links.views("000000000000") == []
    with pytest.raises(BadInput):
        share_links.record_view("000000000000", "Overview")
    with pytest.raises(BadInput):
        share_links.record_view(link.id, "x" * 10_000)
    share_links.record_view(link.id, "'; DROP TABLE share_views; --")   # stored as text, harmlessly
    assert share_links.views(link.id)[0].page == "'; DROP TABLE share_views; --"


def test_views_from_many_threads_are_all_kept(access_env):
    link, _, _ = share_links.create_link("Jane", 30, "ann@example.com")
    errors = []

    def view(n):
        try:
            for i in range(10):
                share_links.record_view(link.id, f"page {n}-{i}")
                share_links.resolve(share_links.url_for(link).split("share=")[1])
        except Exception as error:   # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=view, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert share_links.view_counts() == {link.id: 80}


# ---------------------------------------------------------------- hostile input

HOSTILE_EMAILS = ["'; DROP TABLE users; --", '"ann"@example.com', "ann@example.com' OR '1'='1",
                  "ann@example.com; DROP TABLE users", "ann@exa mple.com", "ann@example", "@example.com",
                  "ann@@example.com", "ann@example.com\nbo@example.com", "ann\x00@example.com", "a" * 300 + "@example.com",
                  "ann@" + "b" * 300 + ".com", "", None]


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_hostile_emails_are_refused(access_env, email):
    with pytest.raises(BadInput):
        accounts.add_user(email, "ops", PASSWORD)
    assert accounts.verify(email, PASSWORD) is None
    assert accounts.list_users() == []


def test_quotes_are_stored_harmlessly(access_env):
    accounts.add_user("o'brien@example.com", "ops", PASSWORD)
    link, token, _ = share_links.create_link("Robert'); DROP TABLE share_links; --", 30, "o'brien@example.com")
    assert accounts.verify("o'brien@example.com", PASSWORD) == "ops"
    assert share_links.resolve(token)[0].to_name == "Robert'); DROP TABLE share_links; --"
    assert [u.email for u in accounts.list_users()] == ["o'brien@example.com"]
    assert accounts.session_user(accounts.create_session("o'brien@example.com")) == ("o'brien@example.com", "ops")


# ---------------------------------------------------------------- the CLI

@pytest.mark.slow
def test_cli_users_add_list_remove(access_env):
    added = _cli("users", "add", "Ann@Example.com", "--role", "founder", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "ann@example.com" in added.stdout
    assert accounts.verify("ann@example.com", PASSWORD) == "founder"
    listed = _cli("users", "list")
    assert listed.returncode == 0 and "ann@example.com" in listed.stdout and "founder" in listed.stdout
    assert PASSWORD not in listed.stdout and "$argon2" not in listed.stdout

    for bad in (["users", "add", "'; DROP TABLE users; --", "--role", "ops", "--password-stdin"],
                ["users", "add", "bo@example.com", "--role", "investor", "--password-stdin"],
                ["users", "add", "ann@example.com", "--role", "ops", "--password-stdin"]):
        refused = _cli(*bad, stdin=PASSWORD + "\n")
        assert refused.returncode == 2 and refused.stderr.startswith("error: ")
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    short = _cli("users", "add", "bo@example.com", "--role", "ops", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least" in short.stderr

    removed = _cli("users", "remove", "ann@example.com")
    assert removed.returncode == 0, removed.stderr
    assert accounts.verify("ann@example.com", PASSWORD) is None
    assert _cli("users", "remove", "ann@example.com").returncode == 2


@pytest.mark.slow
def test_cli_share_create_list_revoke(access_env, fixture_db):
    created = _cli("share", "create", "--to", "Jane Doe, Acme", "--days", "30", "--country", "us",
                   "--cohort", "2025-03", "--by", "ann@example.com", "--db", str(fixture_db))
    assert created.returncode == 0, created.stderr
    assert ("the link starts with http://localhost:8501 (the default); set EXPERTNET_BASE_URL to the address "
            "people open the dashboard at to change it") in created.stderr
    url = created.stdout.strip()
    assert url.startswith("http://localhost:8501/?share=") and "\n" not in url
    link, reason = share_links.resolve(url.split("?share=", 1)[1])
    assert reason is None and link.to_name == "Jane Doe, Acme" and link.locked_country == "US"
    share_links.record_view(link.id, "Overview")

    listed = _cli("share", "list")
    assert listed.returncode == 0, listed.stderr
    header, rule, row = listed.stdout.splitlines()
    assert header.split() == ["id", "to", "created", "by", "created", "(UTC)", "expires", "(UTC)", "state", "shows",
                              "views"]
    assert row.startswith(link.id) and "Jane Doe, Acme" in row and "ann@example.com" in row
    # what the link shows: its locks and whether client names show
    assert "valid  country US, signup cohort 2025-03; client names hidden" in row
    assert row.split()[-1] == "1"
    assert len(header) == len(rule)   # aligned columns

    revoked = _cli("share", "revoke", link.id)
    assert revoked.returncode == 0, revoked.stderr
    assert share_links.resolve(url.split("?share=", 1)[1]) == (None, "revoked")
    assert "  revoked  country US" in _cli("share", "list").stdout.splitlines()[2]
    again = _cli("share", "revoke", link.id)
    assert again.returncode == 2 and "already revoked" in again.stderr
    unknown = _cli("share", "revoke", "'; DROP TABLE share_links; --")
    assert unknown.returncode == 2 and "no share link" in unknown.stderr


@pytest.mark.slow
def test_cli_share_refuses_bad_input_and_short_keys(access_env, monkeypatch):
    for bad in (["--days", "0"], ["--days", "400"], ["--days", "ten"], ["--cohort", "2025-13"], ["--country", "USA"],
                ["--by", "'; DROP TABLE users; --"]):
        refused = _cli("share", "create", "--to", "Jane", *(["--days", "3"] if bad[0] != "--days" else []), *bad)
        assert refused.returncode == 2 and refused.stderr.startswith("error: "), (bad, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    monkeypatch.setenv("EXPERTNET_SHARE_KEY", "ab" * 16)
    short = _cli("share", "create", "--to", "Jane", "--days", "3")
    assert short.returncode == 2
    assert short.stderr.startswith("error: EXPERTNET_SHARE_KEY is too short: 16 bytes")
    assert share_links.list_links() == []


@pytest.mark.parametrize("user_agent, words", [
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
     "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 "
     "Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 "
     "Edg/131.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Mac"),
    ("curl/8.5.0", "another browser"),
    ("<script>alert(1)</script>", "another browser"),
    ("", "unknown browser"),
    (None, "unknown browser"),
])
def test_devices_in_plain_words(user_agent, words):
    from expertnet.access.devices import describe_device
    assert describe_device(user_agent) == words


def test_forty_sign_ins_at_once_check_at_most_five_passwords(access_env):
    """Each check is counted before the password is looked at, in one transaction with the
    count: 40 concurrent wrong attempts leave exactly 5 counted checks, and the right password
    then waits too. `users unlock` ends it."""
    import threading
    accounts.add_user("ann@example.com", "founder", "correct horse battery")
    results, start = [], threading.Barrier(40)

    def attempt():
        start.wait()
        results.append(accounts.verify("ann@example.com", "wrong password!!"))
    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [None] * 40
    with app_state.connect() as con:
        checked = con.execute("SELECT count(*) FROM sign_in_failures WHERE email = 'ann@example.com'").fetchone()[0]
    assert checked == 5
    assert accounts.verify("ann@example.com", "correct horse battery") is None
    done = subprocess.run([sys.executable, "-m", "expertnet", "users", "unlock", "ann@example.com"],
                          capture_output=True, text=True, cwd=PROJECT_DIR, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ann@example.com may sign in again (5 recent wrong password(s) forgotten)" in done.stdout
    assert accounts.verify("ann@example.com", "correct horse battery") == "founder"


def test_a_cookie_grant_opens_its_session_once_and_the_database_alone_opens_none(access_env, clock):
    accounts.add_user("ann@example.com", "founder", "correct horse battery")
    token = accounts.create_session("ann@example.com")
    code = accounts.cookie_grant(token)
    with app_state.connect() as con:
        [(stored_hash, sealed)] = con.execute("SELECT grant_hash, token_sealed FROM cookie_grants").fetchall()
    assert code not in (stored_hash, sealed) and token not in sealed and token.encode().hex() != sealed
    assert accounts.cookie_grant_pending(code)
    wrong = ("y" if code[0] == "x" else "x") + code[1:]                  # (a random code may start with x)
    assert accounts.redeem_cookie_grant(wrong) is None                   # a wrong code, and no harm done
    assert accounts.redeem_cookie_grant(code) == token
    assert accounts.redeem_cookie_grant(code) is None                    # once
    assert not accounts.cookie_grant_pending(code)
    late = accounts.cookie_grant(token)
    clock.advance(seconds=accounts.GRANT_SECONDS)
    assert not accounts.cookie_grant_pending(late)
    assert accounts.redeem_cookie_grant(late) is None                    # expired
    for hostile in (None, "", "x" * 10_000, "'; DROP TABLE users; --"):
        assert accounts.redeem_cookie_grant(hostile) is None


@pytest.mark.slow
def test_cli_share_refuses_a_lock_the_warehouse_does_not_hold(access_env, fixture_db):
    typo = _cli("share", "create", "--to", "Jane", "--days", "7", "--domain", "softwre", "--db", str(fixture_db))
    assert typo.returncode == 2
    assert "no expert has domain 'softwre'; the warehouse holds: finance, software" in typo.stderr
    country = _cli("share", "create", "--to", "Jane", "--days", "7", "--country", "FR", "--db", str(fixture_db))
    assert country.returncode == 2 and "no expert has country 'FR'" in country.stderr
    nowhere = _cli("share", "create", "--to", "Jane", "--days", "7", "--country", "US",
                   "--db", str(access_env / "none.duckdb"))
    assert nowhere.returncode == 2 and "cannot check the locks against the warehouse at" in nowhere.stderr
    assert "There is no warehouse at" in nowhere.stderr        # the reason, as the warehouse says it
    assert share_links.list_links() == []
