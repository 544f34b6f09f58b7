"""The store's privacy functions: erasure (`forget`), the do-not-enrich list, page-cache retention, sizes.

They take an agent.store.Store and work on its tables; nothing else in the agent touches these rows.

Erasure removes every row about a contact: the tracked record, its sources, the cached copies of its
pages, its drafts (facts, evidence, payloads), run results (with their LLM usage), claims, and runs
that were about that contact alone. What was posted to Zyntro is personal data too, but forgetting
it entirely would make a later enrichment of the same contact post the very same profile again
(Zyntro only inserts). So by default `forget` keeps, per posted profile, only the origin, the payload
and input hashes and the state, keyed by a salted SHA-256 of the contact id (the salt is random per
state directory and never leaves it): no name, no URL, no content, no Zyntro id. When the contact is
enriched again, those hashes become its posting history once more (`restore_postings`), so identical
content is not posted twice. `keep_hashes=False` drops them too. Each erasure leaves one audit row:
when, and how many rows of each kind went; never the contact id or anything about the person. The
deleted rows are overwritten (`secure_delete`) and the write-ahead log is checkpointed and truncated.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agent.errors import StoreError
from extractors.urls import on_domain

if TYPE_CHECKING:
    from collections.abc import Sequence

    from agent.models import Contact
    from agent.store import Store

__all__ = [
    "SUPPRESSION_KINDS",
    "erasures",
    "forget",
    "prune_pages",
    "restore_postings",
    "stats",
    "stored_contact_suppressed",
    "suppress",
    "suppressed_because",
    "suppressions",
    "unsuppress",
]

SUPPRESSION_KINDS = ("contact_id", "email", "domain")
# Its tables (suppressions, erasures, forgotten_postings, meta) are created by agent.store_schema.
# Tables with a contact_id column: everything erasure removes by contact.
_BY_CONTACT = [
    "drafts",
    "postings",
    "sources",
    "run_contacts",
    "contact_claims",
    "contacts",
    "decisions",
    "hook_events",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _contact_key(db: Any, contact_id: str) -> str:
    row = db.execute("SELECT value FROM meta WHERE key='contact_salt'").fetchone()
    salt = row[0] if row else None
    if salt is None:
        salt = secrets.token_hex(16)
        db.execute("INSERT INTO meta (key, value) VALUES ('contact_salt', ?)", (salt,))
    return hashlib.sha256(f"{salt}\0{contact_id.lower()}".encode()).hexdigest()


# erasure ----------------------------------------------------------------------------------------


def forget(store: Store, contact_id: str, keep_hashes: bool = True) -> dict[str, int]:
    """Erase everything stored about a contact; returns how many rows of each kind went (all 0: unknown)."""
    from agent.store import _live

    cid = contact_id.lower()
    with store._transaction() as db:
        held = db.execute(
            "SELECT c.run_id, r.pid, r.host, r.heartbeat FROM contact_claims c LEFT JOIN runs r USING (run_id) "
            "WHERE c.contact_id=? AND c.state='active'",
            (cid,),
        ).fetchone()
        if held is not None and _live(held["pid"], held["host"], held["heartbeat"]):
            raise StoreError(
                f"run {held['run_id']} (pid {held['pid']}) is enriching contact {cid} right now: "
                "wait for it to finish (or stop it), then run forget again"
            )
        db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
        removed = _erase(db, cid, keep_hashes)
        if any(removed.values()):
            db.execute(
                "INSERT INTO erasures (erasure_id, erased_at, removed) VALUES (?,?,?)",
                (uuid.uuid4().hex[:12], _now(), json.dumps(removed, sort_keys=True)),
            )
    store._exec("PRAGMA secure_delete=OFF")
    store._exec("PRAGMA wal_checkpoint(TRUNCATE)")  # old copies of the rows leave the log too
    return removed


def _erase(db: Any, cid: str, keep_hashes: bool) -> dict[str, int]:
    removed: dict[str, int] = {}
    tracked = db.execute("SELECT urls FROM contacts WHERE contact_id=?", (cid,)).fetchone()
    urls = set(json.loads(tracked["urls"]) if tracked else [])
    urls |= {r["url"] for r in db.execute("SELECT url FROM sources WHERE contact_id=?", (cid,))}
    alone = [
        r["run_id"]
        for r in db.execute(
            "SELECT run_id FROM run_contacts GROUP BY run_id HAVING SUM(contact_id != ?) = 0 "
            "AND SUM(contact_id = ?) > 0",
            (cid, cid),
        )
    ]
    posted = db.execute(
        "SELECT profile_source, payload_hash, input_hash, state, updated_at FROM postings "
        "WHERE contact_id=? AND state IN ('posted', 'unknown', 'sending')",
        (cid,),
    ).fetchall()
    if keep_hashes and posted:
        key = _contact_key(db, cid)
        db.executemany(
            "INSERT INTO forgotten_postings (contact_key, profile_source, payload_hash, input_hash, state, posted_on) "
            "VALUES (?,?,?,?,?,?)",
            [
                (
                    key,
                    p["profile_source"],
                    p["payload_hash"],
                    p["input_hash"],
                    "posted" if p["state"] == "posted" else "unknown",
                    p["updated_at"][:10],
                )
                for p in posted
            ],
        )
    elif not keep_hashes:
        key = _contact_key(db, cid)
        removed["posting_hashes"] = db.execute("DELETE FROM forgotten_postings WHERE contact_key=?", (key,)).rowcount
    for table in _BY_CONTACT:
        removed[table] = db.execute(f"DELETE FROM {table} WHERE contact_id=?", (cid,)).rowcount
    removed["pages"] = 0
    for url in urls:
        removed["pages"] += db.execute("DELETE FROM pages WHERE url=? OR final_url=?", (url, url)).rowcount
    removed["runs"] = sum(db.execute("DELETE FROM runs WHERE run_id=?", (r,)).rowcount for r in alone)
    removed["kept_posting_hashes"] = len(posted) if keep_hashes else 0
    return removed


def restore_postings(store: Store, contact_id: str) -> int:
    """A forgotten contact enriched again: its kept payload hashes become its posting history again."""
    cid = contact_id.lower()
    if not store._rows("SELECT 1 FROM forgotten_postings LIMIT 1"):  # nobody was forgotten: no write lock taken
        return 0
    with store._transaction() as db:
        key = _contact_key(db, cid)
        rows = db.execute("SELECT * FROM forgotten_postings WHERE contact_key=? ORDER BY rowid", (key,)).fetchall()
        now = _now()
        for r in rows:
            db.execute(
                "INSERT INTO postings (run_id, contact_id, profile_source, payload_hash, input_hash, state, "
                "message, created_at, updated_at) VALUES ('forgotten',?,?,?,?,?,?,?,?)",
                (
                    cid,
                    r["profile_source"],
                    r["payload_hash"],
                    r["input_hash"],
                    r["state"],
                    f"kept as a hash when the contact was forgotten ({r['posted_on']})",
                    now,
                    now,
                ),
            )
        db.execute("DELETE FROM forgotten_postings WHERE contact_key=?", (key,))
    return len(rows)


def erasures(store: Store) -> list[dict[str, Any]]:
    """The audit of erasures, oldest first: when, and how many rows of each kind went."""
    rows = store._rows("SELECT erasure_id, erased_at, removed FROM erasures ORDER BY erased_at, rowid")
    return [
        {"erasure_id": r["erasure_id"], "erased_at": r["erased_at"], "removed": json.loads(r["removed"])} for r in rows
    ]


# the do-not-enrich list ---------------------------------------------------------------------------


def suppress(store: Store, kind: str, value: str, note: str = "") -> bool:
    """Add an entry (already normalised by the caller); False when it was there already."""
    cur = store._exec(
        "INSERT OR IGNORE INTO suppressions (kind, value, added_at, note) VALUES (?,?,?,?)", (kind, value, _now(), note)
    )
    return cur.rowcount > 0


def unsuppress(store: Store, kind: str, value: str) -> bool:
    """Remove an entry; False when there was none."""
    return store._exec("DELETE FROM suppressions WHERE kind=? AND value=?", (kind, value)).rowcount > 0


def suppressions(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store._rows("SELECT kind, value, added_at, note FROM suppressions ORDER BY kind, value")]


def _on_domain(host: str, domains: set[str]) -> str | None:
    return on_domain(host, sorted(domains))  # sorted: the same entry named every time


def suppressed_because(store: Store, contact: Contact, urls: Sequence[str] = ()) -> str | None:
    """Why this contact must not be enriched (its id, its email, its email's or a source's domain), or None.

    The email and URLs earlier runs gave (the tracked contact) count as well as those given now.
    """
    entries: dict[str, set[str]] = {kind: set() for kind in SUPPRESSION_KINDS}
    for r in store._rows("SELECT kind, value FROM suppressions"):
        entries.setdefault(r["kind"], set()).add(r["value"])
    if not any(entries.values()):
        return None
    cid = str(contact.contact_id).lower()
    if cid in entries["contact_id"]:
        return "on the do-not-enrich list (contact id)"
    tracked = store._rows("SELECT email, urls FROM contacts WHERE contact_id=?", (cid,))  # what earlier runs gave
    emails = {e.strip().lower() for e in (contact.email, tracked[0]["email"] if tracked else None) if e}
    for email in sorted(emails):
        if email in entries["email"]:
            return "on the do-not-enrich list (email)"
        if domain := _on_domain(email.rpartition("@")[2], entries["domain"]):
            return f"on the do-not-enrich list (email domain {domain})"
    for url in [*urls, *(json.loads(tracked[0]["urls"] or "[]") if tracked else [])]:
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:
            continue
        if host and (domain := _on_domain(host, entries["domain"])):
            return f"on the do-not-enrich list (a source is on {domain})"
    return None


# page-cache retention and sizes -------------------------------------------------------------------


def prune_pages(store: Store, cache_days: float, cache_mb: float) -> dict[str, int]:
    """Drop cached pages not used for `cache_days`, then the least recently used while over `cache_mb`."""
    now = time.time()
    with store._transaction() as db:
        db.execute("UPDATE pages SET used_ts=? WHERE used_ts IS NULL", (now,))  # pages kept before used_ts existed
        expired = db.execute("DELETE FROM pages WHERE used_ts <= ?", (now - cache_days * 86400,)).rowcount
        cap = int(cache_mb * 1024 * 1024)
        total = db.execute("SELECT COALESCE(SUM(LENGTH(html)), 0) FROM pages").fetchone()[0]
        evicted = 0
        if total > cap:
            for row in db.execute("SELECT url, LENGTH(html) AS size FROM pages ORDER BY used_ts, url").fetchall():
                if total <= cap:
                    break
                db.execute("DELETE FROM pages WHERE url=?", (row["url"],))
                total -= row["size"]
                evicted += 1
    return {"expired": expired, "evicted": evicted}


def stats(store: Store) -> dict[str, Any]:
    """Sizes and counts of the state: files, rows per table, the page cache, queued drafts, the lists."""
    tables = [
        "runs",
        "contacts",
        "sources",
        "pages",
        "drafts",
        "postings",
        "run_contacts",
        "contact_claims",
        "suppressions",
        "erasures",
        "forgotten_postings",
    ]
    counts = {t: store._rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in tables}
    cache = store._rows("SELECT COALESCE(SUM(LENGTH(html)), 0) AS bytes, MIN(used_ts) AS oldest FROM pages")[0]
    queued = store._rows("SELECT COUNT(*) AS n FROM drafts WHERE status='queued_for_review'")[0]["n"]
    files = {
        p.name: p.stat().st_size for p in (store.path, store.path.with_name(store.path.name + "-wal")) if p.exists()
    }
    oldest = (
        datetime.fromtimestamp(cache["oldest"], UTC).isoformat(timespec="seconds")
        if cache["oldest"] is not None
        else None
    )
    return {
        "path": str(store.path),
        "files_bytes": files,
        "rows": counts,
        "page_cache_bytes": cache["bytes"],
        "page_cache_oldest_use": oldest,
        "queued_for_review": queued,
    }


def stored_contact_suppressed(store: Store, contact_id: str, urls: Sequence[str] = ()) -> str | None:
    """suppressed_because for a contact known only by id (e.g. a draft's)."""
    from agent.models import Contact

    return suppressed_because(store, Contact(contact_id=contact_id), urls)
