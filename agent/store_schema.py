"""The state database's schema as an ordered list of migrations, keyed on SQLite's `PRAGMA user_version`.

`MIGRATIONS[n - 1]` brings a database from version n-1 to version n; `CURRENT` is their number.
Version 1 is the whole schema as the first versioned release left it (every table of agent.store,
agent.store_privacy and agent.store_review, with every column added before versions existed). A
change of the schema is a new migration at the end of the list, never an edit of an earlier one:
a database in the wild is at some version and only the steps after it run.

A database from before versions (user_version 0 with tables in it) is brought to version 1 by
creating the tables it lacks and adding the columns it lacks (`LEGACY_COLUMNS`: old databases hold
any subset of them), then stamped. A database newer than this code is refused: its data may depend
on columns or rules this code does not know.

`migrate()` runs inside the caller's one write transaction (agent.store opens with BEGIN IMMEDIATE),
so two processes opening the same new state take turns and the second finds it current.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from agent.errors import StoreError

__all__ = ["CURRENT", "LEGACY_COLUMNS", "MIGRATIONS", "migrate", "statements", "version"]

_V1 = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, batch_key TEXT, started_at TEXT NOT NULL,
    finished_at TEXT, total INTEGER NOT NULL DEFAULT 0, llm_usage TEXT,
    started_ts REAL, pid INTEGER, host TEXT, heartbeat REAL
);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, name TEXT, email TEXT, company TEXT, location TEXT,
    urls TEXT NOT NULL DEFAULT '[]', review INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL,
    accepted_urls TEXT
);
CREATE TABLE IF NOT EXISTS run_contacts (
    run_id TEXT NOT NULL, contact_id TEXT NOT NULL, state TEXT NOT NULL, result TEXT,
    updated_at TEXT NOT NULL, PRIMARY KEY (run_id, contact_id)
);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL, url TEXT NOT NULL,
    outcome TEXT NOT NULL, reason TEXT NOT NULL, engine TEXT, status INTEGER,
    robots_override INTEGER NOT NULL DEFAULT 0, fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, final_url TEXT NOT NULL, status INTEGER NOT NULL, engine TEXT NOT NULL,
    content_hash TEXT NOT NULL, etag TEXT, last_modified TEXT, content_type TEXT,
    fetched_at TEXT NOT NULL, html BLOB NOT NULL, used_ts REAL
);
CREATE TABLE IF NOT EXISTS drafts (
    draft_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, draft TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL, decided_at TEXT, note TEXT,
    claim_pid INTEGER, claim_host TEXT, claim_ts REAL
);
CREATE TABLE IF NOT EXISTS postings (
    posting_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, state TEXT NOT NULL,
    pid INTEGER, profile_id INTEGER, message TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contact_claims (
    contact_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, state TEXT NOT NULL, updated_ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS postings_by_profile ON postings (contact_id, profile_source);
CREATE INDEX IF NOT EXISTS drafts_by_status ON drafts (status);
CREATE TABLE IF NOT EXISTS suppressions (
    kind TEXT NOT NULL, value TEXT NOT NULL, added_at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS erasures (erasure_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL, removed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS forgotten_postings (
    contact_key TEXT NOT NULL, profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT,
    state TEXT NOT NULL, posted_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}', at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_draft ON decisions (draft_id);
CREATE TABLE IF NOT EXISTS hook_events (
    event_key TEXT PRIMARY KEY, contact_id TEXT, received_at TEXT NOT NULL, deliveries INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, pid INTEGER, host TEXT, heartbeat REAL,
    run_id TEXT, message TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, not_before REAL
);
"""
# Columns added to the first release's tables before the schema had versions: (table, column, declaration).
# A database from then holds any subset of them; version 1 adds those it lacks.
LEGACY_COLUMNS = [
    ("runs", "started_ts", "REAL"),  # the start as epoch seconds (started_at is for people)
    ("runs", "pid", "INTEGER"),  # the lease: which process runs it, on which host, last seen when
    ("runs", "host", "TEXT"),
    ("runs", "heartbeat", "REAL"),
    ("pages", "used_ts", "REAL"),  # when the cached page was last saved or read (retention, LRU eviction)
    ("contacts", "accepted_urls", "TEXT"),  # URLs posted with --accept-unverified (JSON list): refresh may too
    ("drafts", "claim_pid", "INTEGER"),  # a draft being approved: by which process, on which host, since when
    ("drafts", "claim_host", "TEXT"),
    ("drafts", "claim_ts", "REAL"),
    ("hook_events", "not_before", "REAL"),  # a webhook event retried later: not claimed before (epoch s)
]


def statements(script: str) -> list[str]:
    """The SQL statements of a script, one by one (executescript would commit the caller's transaction)."""
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]}")
    return out


def _v1(db: sqlite3.Connection) -> None:
    """The whole schema; on a database from before versions, the tables and columns it lacks."""
    for statement in statements(_V1):
        db.execute(statement)
    for table, column, declaration in LEGACY_COLUMNS:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


# Append only: MIGRATIONS[n - 1] takes a database from version n-1 to n, inside the open transaction.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]
CURRENT = len(MIGRATIONS)


def version(db: sqlite3.Connection) -> int:
    """The schema version stamped in the database (0: new, or from before versions)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the database to CURRENT inside the caller's write transaction; returns the version it had.

    Raises StoreError for a database written by a newer zyntro-enrich.
    """
    found = version(db)
    if found > CURRENT:
        raise StoreError(
            f"the state database {path} has schema version {found}, newer than this zyntro-enrich knows "
            f"(up to {CURRENT}): it was written by a newer release. Upgrade zyntro-enrich "
            "(`pip install --upgrade zyntro-enrich`) and run the same command again; nothing was changed"
        )
    for step in MIGRATIONS[found:]:
        step(db)
    if found != CURRENT:
        db.execute(f"PRAGMA user_version = {CURRENT}")
    return found
