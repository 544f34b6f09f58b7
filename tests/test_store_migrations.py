"""Schema versions of the state database (agent.store_schema): new, from before versions, newer, reopened."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from agent.errors import StoreError
from agent.models import Contact
from agent.store import Store
from agent.store_schema import CURRENT, LEGACY_COLUMNS, MIGRATIONS, statements

# The first release's tables, before any column was added and before the privacy and review tables.
_FIRST_RELEASE = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, batch_key TEXT, started_at TEXT NOT NULL,
    finished_at TEXT, total INTEGER NOT NULL DEFAULT 0, llm_usage TEXT
);
CREATE TABLE contacts (
    contact_id TEXT PRIMARY KEY, name TEXT, email TEXT, company TEXT, location TEXT,
    urls TEXT NOT NULL DEFAULT '[]', review INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL
);
CREATE TABLE run_contacts (
    run_id TEXT NOT NULL, contact_id TEXT NOT NULL, state TEXT NOT NULL, result TEXT,
    updated_at TEXT NOT NULL, PRIMARY KEY (run_id, contact_id)
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL, url TEXT NOT NULL,
    outcome TEXT NOT NULL, reason TEXT NOT NULL, engine TEXT, status INTEGER,
    robots_override INTEGER NOT NULL DEFAULT 0, fetched_at TEXT NOT NULL
);
CREATE TABLE pages (
    url TEXT PRIMARY KEY, final_url TEXT NOT NULL, status INTEGER NOT NULL, engine TEXT NOT NULL,
    content_hash TEXT NOT NULL, etag TEXT, last_modified TEXT, content_type TEXT,
    fetched_at TEXT NOT NULL, html BLOB NOT NULL
);
CREATE TABLE drafts (
    draft_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, draft TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL, decided_at TEXT, note TEXT
);
CREATE TABLE postings (
    posting_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, state TEXT NOT NULL,
    pid INTEGER, profile_id INTEGER, message TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE contact_claims (
    contact_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, state TEXT NOT NULL, updated_ts REAL NOT NULL
);
"""
CID = str(uuid.UUID(int=7))


def _shape(path) -> dict[str, list[str]]:
    """Every table's column names, in order."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(r[1] for r in db.execute(f"PRAGMA table_info({t})")) for t in tables}
    finally:
        db.close()


def _user_version(path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def _first_release(path, extra_columns=()) -> None:
    """An old state: the first release's tables (plus some of the columns added later), one row each, version 0."""
    db = sqlite3.connect(path)
    for statement in statements(_FIRST_RELEASE):
        db.execute(statement)
    for table, column, declaration in extra_columns:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    db.execute(
        "INSERT INTO runs (run_id, kind, started_at, total) VALUES ('old', 'enrich', '2024-01-02T00:00:00+00:00', 1)"
    )
    db.execute(
        "INSERT INTO contacts (contact_id, name, urls, review, updated_at) "
        "VALUES (?, 'Ada Quinlan', '[\"https://example.com/ada\"]', 0, '2024-01-02T00:00:00+00:00')",
        (CID,),
    )
    db.execute(
        "INSERT INTO postings (run_id, contact_id, profile_source, payload_hash, state, profile_id, "
        "created_at, updated_at) VALUES ('old', ?, 'GitHub', 'abc', 'posted', 41, 'x', 'y')",
        (CID,),
    )
    db.commit()
    db.close()


def test_a_new_state_gets_the_current_version_and_the_whole_schema(tmp_path):
    path = tmp_path / "state.sqlite3"
    Store(path).close()
    assert _user_version(path) == CURRENT == len(MIGRATIONS)
    shape = _shape(path)
    for table in (
        "runs",
        "contacts",
        "pages",
        "drafts",
        "postings",
        "suppressions",
        "erasures",
        "forgotten_postings",
        "meta",
        "decisions",
        "hook_events",
    ):
        assert table in shape, table
    for table, column, _ in LEGACY_COLUMNS:
        assert column in shape[table], (table, column)


def test_a_state_from_before_versions_gains_the_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "state.sqlite3"
    _first_release(path)
    assert _user_version(path) == 0
    with Store(path) as store:
        assert store.run("old")["started_ts"] is None  # a column it lacked, now there
        tracked = store.tracked_contact(CID)
        assert (tracked["name"], tracked["urls"], tracked["accepted_urls"]) == (
            "Ada Quinlan",
            ["https://example.com/ada"],
            [],
        )
        assert store.last_posted(CID, "GitHub")["profile_id"] == 41  # what was posted is still known
        run_id, _ = store.start_run("enrich")  # the lease columns work
        assert store.run(run_id)["pid"]
    assert _user_version(path) == CURRENT
    fresh = tmp_path / "fresh.sqlite3"
    Store(fresh).close()
    assert _shape(path) == _shape(fresh)  # upgraded to exactly the shape a new state has


@pytest.mark.parametrize("subset", [LEGACY_COLUMNS[:4], LEGACY_COLUMNS[4:6], LEGACY_COLUMNS[6:9]])
def test_a_state_from_before_versions_with_some_added_columns_opens(tmp_path, subset):
    path = tmp_path / "state.sqlite3"
    _first_release(path, extra_columns=[c for c in subset if c[0] != "hook_events"])
    with Store(path) as store:
        store.track_contact(Contact(contact_id=CID), ["https://example.com/more"], accept_unverified=True)
        assert store.tracked_contact(CID)["accepted_urls"] == ["https://example.com/more"]
    fresh = tmp_path / "fresh.sqlite3"
    Store(fresh).close()
    assert _shape(path) == _shape(fresh)


def test_old_hook_events_without_not_before_gain_it(tmp_path):
    """A state from the review release (hook_events, but not yet its not_before column)."""
    path = tmp_path / "state.sqlite3"
    _first_release(path, extra_columns=LEGACY_COLUMNS[:9])
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE hook_events (event_key TEXT PRIMARY KEY, contact_id TEXT, received_at TEXT NOT NULL, "
        "deliveries INTEGER NOT NULL DEFAULT 1, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
        "pid INTEGER, host TEXT, heartbeat REAL, run_id TEXT, message TEXT NOT NULL DEFAULT '', "
        "updated_at TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO hook_events (event_key, contact_id, received_at, state, updated_at) "
        "VALUES ('e1', ?, 'x', 'queued', 'x')",
        (CID,),
    )
    db.commit()
    db.close()
    from agent.store_events import claim_event

    with Store(path) as store:
        assert claim_event(store)["event_key"] == "e1"


def test_a_state_of_a_newer_release_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {CURRENT + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert f"schema version {CURRENT + 1}" in message and "Upgrade zyntro-enrich" in message and str(path) in message
    assert _user_version(path) == CURRENT + 1
    assert list(_shape(path)) == ["future"]  # nothing was created in it


def test_opening_a_current_state_again_changes_nothing_and_takes_no_lock(tmp_path):
    path = tmp_path / "state.sqlite3"
    with Store(path) as store:
        store.start_run("enrich")
    before = (_shape(path), _user_version(path))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing: opening needs no write lock
    try:
        with Store(path, busy_timeout_s=0) as store:
            assert len(store._rows("SELECT * FROM runs")) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    Store(path).close()
    assert (_shape(path), _user_version(path)) == before


def test_salvage_keeps_an_old_states_rows_and_refuses_a_newer_one(tmp_path):
    from agent.store_repair import salvage

    path = tmp_path / "state.sqlite3"
    _first_release(path)
    lines = salvage(path)
    assert any(line.startswith("postings: 1 rows kept") for line in lines)
    assert _user_version(path) == CURRENT
    with Store(path) as store:
        assert store.last_posted(CID, "GitHub")["profile_id"] == 41

    newer = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(newer)
    db.execute("CREATE TABLE postings (x)")
    db.execute(f"PRAGMA user_version = {CURRENT + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="upgrade zyntro-enrich"):
        salvage(newer)
    assert newer.exists() and not list(tmp_path.glob("newer.sqlite3.salvage-*"))
    assert json.dumps(_shape(newer)) == json.dumps({"postings": ["x"]})
