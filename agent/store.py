"""SQLite state under ZYNTRO_ENRICH_HOME: runs, contacts, sources, pages, drafts and postings.

Every write commits at once (WAL mode), so a `kill -9` loses at most the step in flight. The
posting protocol makes resumption safe against Zyntro's insert-only API: the intent to post is
written before the request (`sending`) and the answer after (`posted`/`failed`/`unknown`); a row
left in `sending` by a crash is an unknown outcome and is never re-sent automatically, while one
left in `waiting` (between a 429/503 and its retry) certainly stored nothing and is posted again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import StoreError
from agent.models import Contact, FetchResult, Outcome, Page, ProfileDraft

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, batch_key TEXT, started_at TEXT NOT NULL,
    finished_at TEXT, total INTEGER NOT NULL DEFAULT 0, llm_usage TEXT
);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, name TEXT, email TEXT, company TEXT, location TEXT,
    urls TEXT NOT NULL DEFAULT '[]', review INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL
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
    fetched_at TEXT NOT NULL, html BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    draft_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, draft TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL, decided_at TEXT, note TEXT
);
CREATE TABLE IF NOT EXISTS postings (
    posting_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    profile_source TEXT NOT NULL, payload_hash TEXT NOT NULL, input_hash TEXT, state TEXT NOT NULL,
    pid INTEGER, profile_id INTEGER, message TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS postings_by_profile ON postings (contact_id, profile_source);
CREATE INDEX IF NOT EXISTS drafts_by_status ON drafts (status);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """The agent's SQLite database. Thread-safe; one connection guarded by a lock."""

    def __init__(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the state database {path} ({exc}): set ZYNTRO_ENRICH_HOME to a writable directory"
            ) from None
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _exec(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # runs -------------------------------------------------------------------------------------

    def start_run(self, kind: str, batch_key: str | None = None, total: int = 0,
                  resume_within_s: float = 86400.0) -> tuple[str, bool]:
        """Start a run, or resume the newest unfinished one with the same batch key started within
        `resume_within_s` (a day: older results are stale). Returns (id, resumed)."""
        if batch_key:
            since = datetime.fromtimestamp(datetime.now(UTC).timestamp() - resume_within_s, UTC)
            rows = self._rows(
                "SELECT run_id FROM runs WHERE batch_key=? AND finished_at IS NULL AND started_at >= ? "
                "ORDER BY started_at DESC LIMIT 1",
                (batch_key, since.isoformat(timespec="seconds")),
            )
            if rows:
                return rows[0]["run_id"], True
        run_id = uuid.uuid4().hex[:12]
        self._exec(
            "INSERT INTO runs (run_id, kind, batch_key, started_at, total) VALUES (?,?,?,?,?)",
            (run_id, kind, batch_key, _now(), total),
        )
        return run_id, False

    def finish_run(self, run_id: str) -> None:
        self._exec("UPDATE runs SET finished_at=? WHERE run_id=?", (_now(), run_id))

    def record_usage(self, run_id: str, usage: dict[str, Any]) -> None:
        """Keep the run's LLM usage (calls, tokens, estimated cost), added to what a resumed run already had."""
        rows = self._rows("SELECT llm_usage FROM runs WHERE run_id=?", (run_id,))
        before = json.loads(rows[0]["llm_usage"]) if rows and rows[0]["llm_usage"] else {}
        total = {k: before.get(k, 0) + v if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                 for k, v in usage.items()}
        self._exec("UPDATE runs SET llm_usage=? WHERE run_id=?", (json.dumps(total), run_id))

    def run(self, run_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM runs WHERE run_id=?", (run_id,))
        return dict(rows[0]) if rows else None

    def contact_done(self, run_id: str, contact_id: str, result: dict[str, Any]) -> None:
        """Record that a contact of this run is finished, with its result."""
        self._exec(
            "INSERT OR REPLACE INTO run_contacts (run_id, contact_id, state, result, updated_at) VALUES (?,?,?,?,?)",
            (run_id, contact_id, "done", json.dumps(result), _now()),
        )

    def done_contacts(self, run_id: str) -> dict[str, dict[str, Any]]:
        """Contacts of this run already finished, with their recorded results."""
        rows = self._rows("SELECT contact_id, result FROM run_contacts WHERE run_id=? AND state='done'", (run_id,))
        return {r["contact_id"]: json.loads(r["result"]) for r in rows}

    # contacts and sources ---------------------------------------------------------------------

    def save_contact(self, contact: Contact, urls: list[str], review: bool = False) -> None:
        """Remember a contact, its source URLs and whether its profiles go through review (for refresh)."""
        self._exec(
            "INSERT INTO contacts (contact_id, name, email, company, location, urls, review, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(contact_id) DO UPDATE SET name=excluded.name, "
            "email=excluded.email, company=excluded.company, location=excluded.location, urls=excluded.urls, "
            "review=excluded.review, updated_at=excluded.updated_at",
            (str(contact.contact_id), contact.name, contact.email, contact.company, contact.location,
             json.dumps(urls), int(review), _now()),
        )

    def due_contacts(self, older_than_days: float | None) -> list[tuple[Contact, list[str], bool]]:
        """Tracked contacts last enriched more than `older_than_days` ago (all when None), with their review flag."""
        rows = self._rows("SELECT * FROM contacts ORDER BY updated_at")
        now = datetime.now(UTC)
        out = []
        for r in rows:
            age_days = (now - datetime.fromisoformat(r["updated_at"])).total_seconds() / 86400
            if older_than_days is None or age_days >= older_than_days:
                contact = Contact(contact_id=r["contact_id"], name=r["name"], email=r["email"],
                                  company=r["company"], location=r["location"])
                out.append((contact, json.loads(r["urls"]), bool(r["review"])))
        return out

    def record_source(
        self, run_id: str, contact_id: str, result: FetchResult, outcome: Outcome | None = None, reason: str = ""
    ) -> None:
        """Record one source: how it was fetched and its final outcome (after extraction, when given)."""
        outcome = outcome or result.outcome
        self._exec(
            "INSERT INTO sources (run_id, contact_id, url, outcome, reason, engine, status, robots_override, fetched_at) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (run_id, contact_id, result.url, outcome.value, reason or result.reason, result.engine, result.status,
             int(result.robots_override), _now()),
        )

    def sources(self, contact_id: str) -> list[dict[str, Any]]:
        """Every recorded source of a contact, oldest first."""
        return [dict(r) for r in self._rows("SELECT * FROM sources WHERE contact_id=? ORDER BY id", (contact_id,))]

    # pages (for revalidation) -----------------------------------------------------------------

    def save_page(self, page: Page) -> None:
        """Keep the latest copy of a page, compressed, with its validators."""
        self._exec(
            "INSERT OR REPLACE INTO pages (url, final_url, status, engine, content_hash, etag, last_modified, "
            "content_type, fetched_at, html) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (page.url, page.final_url, page.status, page.engine, page.content_hash, page.etag, page.last_modified,
             page.content_type, page.fetched_at.isoformat(), zlib.compress(page.html.encode("utf-8", "replace"))),
        )

    def page(self, url: str) -> Page | None:
        """The stored copy of a page, if any."""
        rows = self._rows("SELECT * FROM pages WHERE url=?", (url,))
        if not rows:
            return None
        r = rows[0]
        return Page(
            url=r["url"], final_url=r["final_url"], status=r["status"], engine=r["engine"],
            content_hash=r["content_hash"], etag=r["etag"], last_modified=r["last_modified"],
            content_type=r["content_type"], fetched_at=datetime.fromisoformat(r["fetched_at"]),
            html=zlib.decompress(r["html"]).decode("utf-8"),
        )

    # drafts -----------------------------------------------------------------------------------

    def save_draft(self, run_id: str, draft: ProfileDraft, payload_hash: str, status: str,
                   input_hash: str | None = None) -> int:
        """Store a draft with its status (and the fingerprint of its inputs); returns its id."""
        cur = self._exec(
            "INSERT INTO drafts (run_id, contact_id, profile_source, payload_hash, input_hash, draft, status, "
            "created_at) VALUES (?,?,?,?,?,?,?,?)",
            (run_id, str(draft.contact_id), draft.profile_source, payload_hash, input_hash, draft.model_dump_json(),
             status, _now()),
        )
        return int(cur.lastrowid)

    def queued_draft(self, contact_id: str, profile_source: str, payload_hash: str) -> int | None:
        """The draft already waiting for review with this very payload, if any."""
        rows = self._rows(
            "SELECT draft_id FROM drafts WHERE contact_id=? AND profile_source=? AND payload_hash=? "
            "AND status='queued_for_review' ORDER BY draft_id DESC LIMIT 1",
            (contact_id, profile_source, payload_hash),
        )
        return rows[0]["draft_id"] if rows else None

    def supersede_queued(self, contact_id: str, profile_source: str, keep: int | None = None) -> None:
        """Retire drafts of this contact and origin still awaiting a decision (a newer one exists or was posted)."""
        self._exec(
            "UPDATE drafts SET status='superseded', decided_at=? WHERE contact_id=? AND profile_source=? "
            "AND status IN ('queued_for_review', 'failed') AND draft_id IS NOT ?",
            (_now(), contact_id, profile_source, keep),
        )

    def drafts(self, status: str | None = None) -> list[dict[str, Any]]:
        """Drafts, newest first, optionally of one status."""
        sql = ("SELECT d.*, c.name AS contact_name FROM drafts d LEFT JOIN contacts c USING (contact_id)"
               + (" WHERE d.status=?" if status else "") + " ORDER BY d.draft_id DESC")
        return [self._draft_row(r) for r in self._rows(sql, (status,) if status else ())]

    def draft(self, draft_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT d.*, c.name AS contact_name FROM drafts d LEFT JOIN contacts c USING (contact_id) "
                          "WHERE d.draft_id=?", (draft_id,))
        return self._draft_row(rows[0]) if rows else None

    def was_rejected(self, contact_id: str, profile_source: str, payload_hash: str) -> bool:
        """True when a reviewer already rejected this very payload for this contact and origin."""
        rows = self._rows(
            "SELECT 1 FROM drafts WHERE contact_id=? AND profile_source=? AND payload_hash=? AND status='rejected'",
            (contact_id, profile_source, payload_hash),
        )
        return bool(rows)

    def set_draft_status(self, draft_id: int, status: str, note: str = "") -> None:
        self._exec("UPDATE drafts SET status=?, decided_at=?, note=? WHERE draft_id=?", (status, _now(), note, draft_id))

    @staticmethod
    def _draft_row(r: sqlite3.Row) -> dict[str, Any]:
        row = dict(r)
        row["draft"] = ProfileDraft.model_validate_json(r["draft"])
        return row

    # postings ---------------------------------------------------------------------------------

    def last_posted(self, contact_id: str, profile_source: str) -> dict[str, Any] | None:
        """The newest posting Zyntro confirmed for this contact and origin."""
        rows = self._rows(
            "SELECT * FROM postings WHERE contact_id=? AND profile_source=? AND state='posted' "
            "ORDER BY posting_id DESC LIMIT 1",
            (contact_id, profile_source),
        )
        return dict(rows[0]) if rows else None

    def last_posting(self, contact_id: str, profile_source: str) -> dict[str, Any] | None:
        """The newest posting for this contact and origin, whatever its state."""
        rows = self._rows(
            "SELECT * FROM postings WHERE contact_id=? AND profile_source=? ORDER BY posting_id DESC LIMIT 1",
            (contact_id, profile_source),
        )
        return dict(rows[0]) if rows else None

    def claim_posting(self, run_id: str, contact_id: str, profile_source: str, payload_hash: str,
                      input_hash: str | None, pid: int) -> int | None:
        """Write the intent to post, before anything is sent; None when another run got there first.

        The check and the insert are one transaction (BEGIN IMMEDIATE), so two processes sharing this
        database cannot both claim the same contact and origin.
        """
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                last = self._db.execute(
                    "SELECT state, payload_hash FROM postings WHERE contact_id=? AND profile_source=? "
                    "ORDER BY posting_id DESC LIMIT 1", (contact_id, profile_source),
                ).fetchone()
                if last and (last["state"] in ("sending", "waiting") or (last["state"] == "posted"
                                                                         and last["payload_hash"] == payload_hash)):
                    self._db.execute("ROLLBACK")
                    return None
                cur = self._db.execute(
                    "INSERT INTO postings (run_id, contact_id, profile_source, payload_hash, input_hash, state, pid, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (run_id, contact_id, profile_source, payload_hash, input_hash, "sending", pid, now, now),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(cur.lastrowid)

    def set_posting_state(self, posting_id: int, state: str, message: str = "") -> None:
        """Record where a post in progress is: `sending` (a request may be on the wire) or `waiting` (nothing stored)."""
        self._exec("UPDATE postings SET state=?, message=?, updated_at=? WHERE posting_id=?",
                   (state, message, _now(), posting_id))

    def end_posting(self, posting_id: int, state: str, profile_id: int | None = None, message: str = "") -> None:
        """Write Zyntro's answer (or its absence) for a posting."""
        self._exec(
            "UPDATE postings SET state=?, profile_id=?, message=?, updated_at=? WHERE posting_id=?",
            (state, profile_id, message, _now(), posting_id),
        )

    def postings(self, contact_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM postings" + (" WHERE contact_id=?" if contact_id else "") + " ORDER BY posting_id"
        return [dict(r) for r in self._rows(sql, (contact_id,) if contact_id else ())]
