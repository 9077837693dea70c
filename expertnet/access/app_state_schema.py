"""The app state's tables, their version, and the errors of the access layer, shared by its two
backends (app_state_sqlite.py, app_state_postgres.py) and app_state.py, which chooses between them."""

SCHEMA_VERSION = 3   # SQLite: PRAGMA user_version; PostgreSQL: app_state_schema.version

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    email          TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('founder', 'ops')),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash  TEXT PRIMARY KEY,              -- sha256 of the token, never the token itself
    email       TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_email ON sessions (email);
CREATE TABLE IF NOT EXISTS share_links (
    id                 TEXT PRIMARY KEY,
    to_name            TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    revoked_at         TEXT,
    locked_domain      TEXT,
    locked_country     TEXT,
    locked_cohort      TEXT,                   -- YYYY-MM
    show_client_names  INTEGER NOT NULL DEFAULT 0 CHECK (show_client_names IN (0, 1))
);
CREATE TABLE IF NOT EXISTS share_views (
    id         {identity},
    link_id    TEXT NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    page       TEXT NOT NULL,
    viewed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS share_views_by_link ON share_views (link_id, viewed_at);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    email      TEXT NOT NULL,                  -- as typed, lower-cased: unknown emails count too
    failed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_by_email ON sign_in_failures (email, failed_at);
CREATE TABLE IF NOT EXISTS cookie_grants (
    grant_hash    TEXT PRIMARY KEY,            -- sha256 of a one-time code the signed-in page holds
    token_sealed  TEXT NOT NULL,               -- the session token, XOR a pad only that code makes
    expires_at    TEXT NOT NULL
);
"""

# Columns added after a table was first made: (table, column, declaration).
ADDED_COLUMNS = (
    ("share_views", "device", "TEXT"),        # the browser and device, in plain words (version 3)
)


class AppStateError(RuntimeError):
    """The app-state database cannot be opened or written; the message says where."""


class Conflict(Exception):
    """A constraint held against a write: a taken email, a drawn id in use, a view of no link."""


def schema_statements(identity: str) -> list[str]:
    """The CREATE statements, with the dialect's auto-numbered key for share_views.id."""
    return [s for s in _SCHEMA.format(identity=identity).split(";\n") if s.strip()]   # no statement holds ";\n"
