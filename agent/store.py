"""SQLite state under ZYNTRO_ENRICH_HOME: runs, contacts, sources, pages, drafts and postings.

Every write commits at once (WAL mode), so a `kill -9` loses at most the step in flight; a change of
several rows is one transaction. A damaged, locked or full database is a StoreError saying what to
do (agent.store_repair), never a traceback; a write that failed left nothing behind. The
posting protocol makes resumption safe against Zyntro's insert-only API: the intent to post is
written before the request (`sending`) and the answer after (`posted`/`failed`/`unknown`); a row
left in `sending` by a crash is an unknown outcome and is never re-sent automatically, while one
left in `waiting` (between a 429/503 and its retry) certainly stored nothing and is posted again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from agent.errors import StoreError
from agent.models import Contact, FetchResult, Outcome, Page, ProfileDraft
from agent.store_privacy import prune_pages, restore_postings
from agent.store_repair import explain
from agent.store_rows import DraftRow, PostingRow, SourceRow, TrackedContact
from agent.store_runs import StoreRuns
from agent.store_schema import CURRENT, migrate, version

__all__ = ["Store", "pid_alive"]

log = logging.getLogger(__name__)

# A run's lease: its process renews it every HEARTBEAT_S; one not renewed for LEASE_S is over even if
# its pid is alive again (pid reuse, or a process on another host sharing the database). On this
# host a dead pid ends the lease at once, so a crashed run's contacts are free straight away.
LEASE_S = 120.0
HEARTBEAT_S = 20.0
_HOST = socket.gethostname()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this host (one we may not signal counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _private(path: Path) -> None:
    """Only the owner may read the state: it holds people's data and serve's session-signing key."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):  # not ours to change (a shared file): leave it as its owner set it
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)


def _live(pid: int | None, host: str | None, heartbeat: float | None) -> bool:
    """Does this run lease still hold? (See LEASE_S.)"""
    if not pid or heartbeat is None or time.time() - heartbeat > LEASE_S:
        return False
    return host != _HOST or pid_alive(pid)


def _use_wal(db: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Switch the database to write-ahead logging, waiting out another process doing the same.

    SQLite answers "locked" at once (without its busy handler) when two connections switch a new
    database to WAL together, so this retries for up to `busy_timeout_s`; once in WAL it is a no-op.
    """
    deadline = time.monotonic() + busy_timeout_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to this code's version (agent.store_schema); a current one costs one read and no lock.

    One write transaction for all of it: two processes opening a new database at once (two runs of a
    batch, serve and a CLI) take turns, and the second finds it current.
    """
    if version(db) == CURRENT:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        found = migrate(db, path)
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
    if found != CURRENT:
        log.debug("state database %s: schema version %d -> %d", path, found, CURRENT)


class Store(StoreRuns):
    """The agent's SQLite database. Thread-safe; one connection guarded by a lock.

    Runs, their leases and claims on contacts are agent.store_runs.StoreRuns's methods (inherited).
    """

    def __init__(
        self, path: Path, busy_timeout_s: float = 30.0, cache_days: float | None = None, cache_mb: float | None = None
    ):
        """Open (or create) the database; a lock held by another process is waited for up to `busy_timeout_s`.

        With `cache_days` and `cache_mb`, each run's start and end prune the page cache (agent.store_privacy).
        """
        self.path, self.busy_timeout_s = path, busy_timeout_s
        self.cache_limits = (cache_days, cache_mb) if cache_days is not None and cache_mb is not None else None
        db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new state directory: ours alone
            db = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False, isolation_level=None)
            _private(path)
            _use_wal(db, busy_timeout_s)
            db.execute("PRAGMA synchronous=NORMAL")
            _migrate(db, path)
        except (OSError, sqlite3.Error, StoreError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, StoreError):
                raise
            raise explain(exc, path, busy_timeout_s, opening=True) or exc from None
        self._db = db
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._leases: set[str] = set()  # runs this Store holds the lease of

    @classmethod
    def for_settings(cls, settings: Any) -> Store:
        """The store of these settings (agent.config.Settings): its path and busy_timeout_s."""
        return cls(
            settings.db_path,
            busy_timeout_s=settings.busy_timeout_s,
            cache_days=settings.cache_days,
            cache_mb=settings.cache_mb,
        )

    def prune_cache(self) -> dict[str, int] | None:
        """Apply the page cache's retention and size cap now (None when this store has no limits)."""
        if self.cache_limits is None:
            return None
        return prune_pages(self, *self.cache_limits)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite failures with a known cause (damaged, locked, full) become a StoreError that says what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            error = explain(exc, self.path, self.busy_timeout_s)
            if error is None:
                raise
            raise error from None

    def close(self) -> None:
        """Give up the leases still held (a run stopped early can be resumed at once), then close."""
        for run_id in list(self._leases):
            with suppress(StoreError):  # a broken database: the lease lapses with the process instead
                self.release_run(run_id)
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _exec(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock, self._errors():
            return self._db.execute(sql, params)

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock, self._errors():
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): other processes wait, none interleaves."""
        with self._lock, self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:  # all of it or none of it
                if self._db.in_transaction:
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    # contacts and sources ---------------------------------------------------------------------

    def save_contact(
        self, contact: Contact, urls: list[str], review: bool = False, accept_unverified: bool = False
    ) -> None:
        """Remember a contact, its source URLs and whether its profiles go through review (for refresh),
        merged into what is tracked already (track_contact).

        A contact forgotten before gets back the payload hashes `forget` kept, so nothing identical is
        posted again (agent.store_privacy).
        """
        restore_postings(self, str(contact.contact_id))
        self.track_contact(contact, urls, review=review, accept_unverified=accept_unverified)

    def track_contact(
        self, contact: Contact, urls: list[str], review: bool = False, accept_unverified: bool = False
    ) -> tuple[Contact, list[str]]:
        """Merge a run's hints and URLs into the tracked contact (nothing earlier runs gave is dropped); returns it.

        A hint given now replaces the tracked one, a missing hint keeps it; URLs are added to the tracked
        ones. The review flag is the latest run's; URLs given with --accept-unverified are remembered so
        that refresh may post them too.
        """
        cid = str(contact.contact_id)
        with self._transaction() as db:
            old = db.execute("SELECT * FROM contacts WHERE contact_id=?", (cid,)).fetchone()
            old = dict(old) if old else {}
            hints = {k: getattr(contact, k) or old.get(k) for k in ("name", "email", "company", "location")}
            merged_urls = list(dict.fromkeys(json.loads(old.get("urls") or "[]") + list(urls)))
            accepted = json.loads(old.get("accepted_urls") or "[]")
            if accept_unverified:
                accepted = list(dict.fromkeys(accepted + list(urls)))
            db.execute(
                "INSERT INTO contacts (contact_id, name, email, company, location, urls, review, updated_at, "
                "accepted_urls) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(contact_id) DO UPDATE SET "
                "name=excluded.name, email=excluded.email, company=excluded.company, location=excluded.location, "
                "urls=excluded.urls, review=excluded.review, updated_at=excluded.updated_at, "
                "accepted_urls=excluded.accepted_urls",
                (
                    cid,
                    hints["name"],
                    hints["email"],
                    hints["company"],
                    hints["location"],
                    json.dumps(merged_urls),
                    int(review),
                    _now(),
                    json.dumps(accepted),
                ),
            )
        return contact.model_copy(update=hints), merged_urls

    def tracked_contact(self, contact_id: str) -> TrackedContact | None:
        """The tracked contact (hints, URLs, review flag, URLs accepted unverified, last enriched), if any."""
        rows = self._rows("SELECT * FROM contacts WHERE contact_id=?", (str(contact_id).lower(),))
        return self._tracked_row(rows[0]) if rows else None

    def tracked_contacts(self) -> list[TrackedContact]:
        """Every tracked contact, least recently enriched first."""
        return [self._tracked_row(r) for r in self._rows("SELECT * FROM contacts ORDER BY updated_at")]

    def untrack_contact(self, contact_id: str) -> bool:
        """Stop tracking a contact (refresh leaves it); what was posted stays known. False if it was not tracked."""
        return self._exec("DELETE FROM contacts WHERE contact_id=?", (str(contact_id).lower(),)).rowcount > 0

    @staticmethod
    def _tracked_row(r: sqlite3.Row) -> TrackedContact:
        row = dict(r)
        row["urls"] = json.loads(row["urls"] or "[]")
        row["accepted_urls"] = json.loads(row.get("accepted_urls") or "[]")
        row["review"] = bool(row["review"])
        return cast(TrackedContact, row)

    def due_contacts(self, older_than_days: float | None) -> list[tuple[Contact, list[str], bool]]:
        """Tracked contacts last enriched more than `older_than_days` ago (all when None), with their review flag."""
        rows = self._rows("SELECT * FROM contacts ORDER BY updated_at")
        now = datetime.now(UTC)
        out = []
        for r in rows:
            age_days = (now - datetime.fromisoformat(r["updated_at"])).total_seconds() / 86400
            if older_than_days is None or age_days >= older_than_days:
                contact = Contact(
                    contact_id=r["contact_id"],
                    name=r["name"],
                    email=r["email"],
                    company=r["company"],
                    location=r["location"],
                )
                out.append((contact, json.loads(r["urls"]), bool(r["review"])))
        return out

    def record_source(
        self, run_id: str, contact_id: str, result: FetchResult, outcome: Outcome | None = None, reason: str = ""
    ) -> None:
        """Record one source: how it was fetched and its final outcome (after extraction, when given)."""
        outcome = outcome or result.outcome
        self._exec(
            "INSERT INTO sources (run_id, contact_id, url, outcome, reason, engine, status, robots_override, "
            "fetched_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                run_id,
                contact_id,
                result.url,
                outcome.value,
                reason or result.reason,
                result.engine,
                result.status,
                int(result.robots_override),
                _now(),
            ),
        )

    def sources(self, contact_id: str) -> list[SourceRow]:
        """Every recorded source of a contact, oldest first."""
        rows = self._rows("SELECT * FROM sources WHERE contact_id=? ORDER BY id", (contact_id,))
        return [cast(SourceRow, dict(r)) for r in rows]

    # pages (for revalidation) -----------------------------------------------------------------

    def save_page(self, page: Page) -> None:
        """Keep the latest copy of a page, compressed, with its validators."""
        self._exec(
            "INSERT OR REPLACE INTO pages (url, final_url, status, engine, content_hash, etag, last_modified, "
            "content_type, fetched_at, html, used_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                page.url,
                page.final_url,
                page.status,
                page.engine,
                page.content_hash,
                page.etag,
                page.last_modified,
                page.content_type,
                page.fetched_at.isoformat(),
                zlib.compress(page.html.encode("utf-8", "replace")),
                time.time(),
            ),
        )

    def page(self, url: str) -> Page | None:
        """The stored copy of a page, if any."""
        rows = self._rows("SELECT * FROM pages WHERE url=?", (url,))
        if not rows:
            return None
        self._exec("UPDATE pages SET used_ts=? WHERE url=?", (time.time(), url))  # least recently used goes first
        r = rows[0]
        return Page(
            url=r["url"],
            final_url=r["final_url"],
            status=r["status"],
            engine=r["engine"],
            content_hash=r["content_hash"],
            etag=r["etag"],
            last_modified=r["last_modified"],
            content_type=r["content_type"],
            fetched_at=datetime.fromisoformat(r["fetched_at"]),
            html=zlib.decompress(r["html"]).decode("utf-8"),
        )

    # drafts -----------------------------------------------------------------------------------

    def save_draft(
        self, run_id: str, draft: ProfileDraft, payload_hash: str, status: str, input_hash: str | None = None
    ) -> int:
        """Store a draft with its status (and the fingerprint of its inputs); returns its id."""
        cur = self._exec(
            "INSERT INTO drafts (run_id, contact_id, profile_source, payload_hash, input_hash, draft, status, "
            "created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                run_id,
                str(draft.contact_id),
                draft.profile_source,
                payload_hash,
                input_hash,
                draft.model_dump_json(),
                status,
                _now(),
            ),
        )
        return cast(int, cur.lastrowid)

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

    def drafts(self, status: str | None = None) -> list[DraftRow]:
        """Drafts, newest first, optionally of one status."""
        sql = (
            "SELECT d.*, c.name AS contact_name FROM drafts d LEFT JOIN contacts c USING (contact_id)"
            + (" WHERE d.status=?" if status else "")
            + " ORDER BY d.draft_id DESC"
        )
        return [self._draft_row(r) for r in self._rows(sql, (status,) if status else ())]

    def draft(self, draft_id: int) -> DraftRow | None:
        rows = self._rows(
            "SELECT d.*, c.name AS contact_name FROM drafts d LEFT JOIN contacts c USING (contact_id) "
            "WHERE d.draft_id=?",
            (draft_id,),
        )
        return self._draft_row(rows[0]) if rows else None

    def was_rejected(self, contact_id: str, profile_source: str, payload_hash: str) -> bool:
        """True when a reviewer already rejected this very payload for this contact and origin."""
        rows = self._rows(
            "SELECT 1 FROM drafts WHERE contact_id=? AND profile_source=? AND payload_hash=? AND status='rejected'",
            (contact_id, profile_source, payload_hash),
        )
        return bool(rows)

    def set_draft_status(self, draft_id: int, status: str, note: str = "") -> None:
        self._exec(
            "UPDATE drafts SET status=?, decided_at=?, note=? WHERE draft_id=?", (status, _now(), note, draft_id)
        )

    @staticmethod
    def _draft_row(r: sqlite3.Row) -> DraftRow:
        row = dict(r)
        row["draft"] = ProfileDraft.model_validate_json(r["draft"])
        return cast(DraftRow, row)

    # postings ---------------------------------------------------------------------------------

    def last_posted(self, contact_id: str, profile_source: str) -> PostingRow | None:
        """The newest posting Zyntro confirmed for this contact and origin."""
        rows = self._rows(
            "SELECT * FROM postings WHERE contact_id=? AND profile_source=? AND state='posted' "
            "ORDER BY posting_id DESC LIMIT 1",
            (contact_id, profile_source),
        )
        return cast(PostingRow, dict(rows[0])) if rows else None

    def last_posting(self, contact_id: str, profile_source: str) -> PostingRow | None:
        """The newest posting for this contact and origin, whatever its state."""
        rows = self._rows(
            "SELECT * FROM postings WHERE contact_id=? AND profile_source=? ORDER BY posting_id DESC LIMIT 1",
            (contact_id, profile_source),
        )
        return cast(PostingRow, dict(rows[0])) if rows else None

    def claim_posting(
        self, run_id: str, contact_id: str, profile_source: str, payload_hash: str, input_hash: str | None, pid: int
    ) -> int | None:
        """Write the intent to post, before anything is sent; None when another run got there first.

        The check and the insert are one transaction (BEGIN IMMEDIATE), so two processes sharing this
        database cannot both claim the same contact and origin.
        """
        now = _now()
        with self._transaction() as db:
            last = db.execute(
                "SELECT state, payload_hash FROM postings WHERE contact_id=? AND profile_source=? "
                "ORDER BY posting_id DESC LIMIT 1",
                (contact_id, profile_source),
            ).fetchone()
            if last and (
                last["state"] in ("sending", "waiting")
                or (last["state"] == "posted" and last["payload_hash"] == payload_hash)
            ):
                return None
            cur = db.execute(
                "INSERT INTO postings (run_id, contact_id, profile_source, payload_hash, input_hash, state, pid, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (run_id, contact_id, profile_source, payload_hash, input_hash, "sending", pid, now, now),
            )
        return cast(int, cur.lastrowid)

    def set_posting_state(self, posting_id: int, state: str, message: str = "") -> None:
        """Record where a post stands: `sending` (a request may be on the wire) or `waiting` (nothing stored)."""
        self._exec(
            "UPDATE postings SET state=?, message=?, updated_at=? WHERE posting_id=?",
            (state, message, _now(), posting_id),
        )

    def end_posting(self, posting_id: int, state: str, profile_id: int | None = None, message: str = "") -> None:
        """Write Zyntro's answer (or its absence) for a posting."""
        self._exec(
            "UPDATE postings SET state=?, profile_id=?, message=?, updated_at=? WHERE posting_id=?",
            (state, profile_id, message, _now(), posting_id),
        )

    def postings(self, contact_id: str | None = None) -> list[PostingRow]:
        """Every posting (of one contact, or all), oldest first."""
        sql = "SELECT * FROM postings" + (" WHERE contact_id=?" if contact_id else "") + " ORDER BY posting_id"
        return [cast(PostingRow, dict(r)) for r in self._rows(sql, (contact_id,) if contact_id else ())]
