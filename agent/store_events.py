"""The store's webhook work queue: events from Zyntro's webhook, claimed and worked by agent.review.jobs.

They take an agent.store.Store and work on its `hook_events` table (created by agent.store_schema);
nothing else in the agent touches these rows. Events are keyed by the event's id (or its body's hash):
a retried delivery finds its key and is counted, not queued again. A queued event is worked by one
process at a time (the same pid/host/heartbeat lease as runs), and one left `running` by a dead process
is taken up again; a temporary failure puts it back with a `not_before` time.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from agent.store_rows import ClaimedEvent, HookEventRow

if TYPE_CHECKING:
    from agent.store import Store

__all__ = ["claim_event", "event_heartbeat", "events", "finish_event", "record_contact_event", "record_event"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_event(store: Store, event_key: str, contact_id: str) -> bool:
    """Queue a webhook event; False when its key was seen before (a retried delivery: only counted)."""
    now = _now()
    with store._transaction() as db:
        seen = db.execute("SELECT 1 FROM hook_events WHERE event_key=?", (event_key,)).fetchone()
        if seen:
            db.execute(
                "UPDATE hook_events SET deliveries = deliveries + 1, updated_at=? WHERE event_key=?", (now, event_key)
            )
            return False
        db.execute(
            "INSERT INTO hook_events (event_key, contact_id, received_at, state, updated_at) VALUES (?,?,?,?,?)",
            (event_key, contact_id.lower(), now, "queued", now),
        )
    return True


def record_contact_event(
    store: Store, event_key: str, contact_id: str, recent_s: float = 0.0
) -> tuple[str, HookEventRow | None]:
    """Queue a webhook event unless it repeats one: ("queued", None), ("duplicate", None) for a key seen
    before (counted), or ("contact_busy", the other event) when the contact already has an event queued,
    running, or done within `recent_s` seconds (kept as state `duplicate`, never worked)."""
    now = _now()
    since = datetime.fromtimestamp(time.time() - recent_s, UTC).isoformat(timespec="seconds")
    with store._transaction() as db:
        if db.execute("SELECT 1 FROM hook_events WHERE event_key=?", (event_key,)).fetchone():
            db.execute(
                "UPDATE hook_events SET deliveries = deliveries + 1, updated_at=? WHERE event_key=?", (now, event_key)
            )
            return "duplicate", None
        other = db.execute(
            "SELECT * FROM hook_events WHERE contact_id=? AND (state IN ('queued', 'running') OR "
            "(state='done' AND updated_at >= ?)) ORDER BY received_at DESC LIMIT 1",
            (contact_id.lower(), since),
        ).fetchone()
        state, message = (
            ("duplicate", f"contact already has event {other['event_key']} ({other['state']})")
            if other
            else ("queued", "")
        )
        db.execute(
            "INSERT INTO hook_events (event_key, contact_id, received_at, state, message, updated_at) "
            "VALUES (?,?,?,?,?,?)",
            (event_key, contact_id.lower(), now, state, message, now),
        )
    return ("contact_busy", cast(HookEventRow, dict(other))) if other else ("queued", None)


def claim_event(store: Store, pid: int | None = None) -> ClaimedEvent | None:
    """The oldest event due (queued, its not_before passed, or left `running` by a dead process), claimed; or None."""
    from agent.store import _HOST, _live

    pid = pid or os.getpid()
    with store._transaction() as db:
        rows = db.execute(
            "SELECT * FROM hook_events WHERE state='running' OR (state='queued' AND "
            "(not_before IS NULL OR not_before <= ?)) ORDER BY received_at, rowid",
            (time.time(),),
        ).fetchall()
        for row in rows:
            if row["state"] == "running" and _live(row["pid"], row["host"], row["heartbeat"]):
                continue
            db.execute(
                "UPDATE hook_events SET state='running', pid=?, host=?, heartbeat=?, attempts=attempts+1, "
                "updated_at=? WHERE event_key=?",
                (pid, _HOST, time.time(), _now(), row["event_key"]),
            )
            return cast(
                ClaimedEvent, {**dict(row), "attempts": row["attempts"] + 1, "resumed": row["state"] == "running"}
            )
    return None


def event_heartbeat(store: Store, event_key: str) -> None:
    """Renew this process's hold on an event it is working on."""
    store._exec("UPDATE hook_events SET heartbeat=? WHERE event_key=? AND state='running'", (time.time(), event_key))


def finish_event(
    store: Store,
    event_key: str,
    state: str,
    message: str = "",
    run_id: str | None = None,
    not_before: float | None = None,
) -> None:
    """An event's end: `done`, `failed` (with why), or back to `queued` (retry, not claimed before `not_before`)."""
    store._exec(
        "UPDATE hook_events SET state=?, message=?, run_id=COALESCE(?, run_id), pid=NULL, heartbeat=NULL, "
        "not_before=?, updated_at=? WHERE event_key=?",
        (state, message, run_id, not_before, _now(), event_key),
    )


def events(store: Store, limit: int = 100) -> list[HookEventRow]:
    """Webhook events, newest first."""
    rows = store._rows("SELECT * FROM hook_events ORDER BY received_at DESC, rowid DESC LIMIT ?", (limit,))
    return [cast(HookEventRow, dict(r)) for r in rows]
