"""The store's review functions: the draft queue, claims on drafts, decisions, and serve's keys.

They take an agent.store.Store and work on its tables (`decisions`, serve's keys in `meta` and the drafts' claim
columns, created by agent.store_schema); nothing else in the agent touches these rows.

- A draft is decided once. Approving first *claims* it (status `approving`, with the claimer's pid and
  host, in one BEGIN IMMEDIATE transaction): a second click, a second browser tab or `review approve`
  in another terminal finds it claimed and leaves it. A claim whose process died (or that is older than
  the store's lease) is free again; the posting protocol (agent.posting) then settles the post it may
  have left `sending`, so a crash mid-approve is never posted twice.
- Every decision (approve, reject, edit, and what Zyntro answered) is one row of `decisions`: who,
  when, what, the note, and details (the profile id or the error; the keys an edit changed).

The webhook's work queue (`hook_events`) is agent.store_events.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from agent.store_rows import ActivityItem, ClaimedDraft, DecisionRow, DraftRow

if TYPE_CHECKING:
    from agent.models import ProfileDraft
    from agent.store import Store

__all__ = [
    "DECIDABLE",
    "DraftQuery",
    "activity",
    "claim_draft",
    "decisions",
    "draft_counts",
    "edit_draft",
    "posted_payload",
    "query_drafts",
    "record_decision",
    "renew_claim",
    "origins",
    "release_draft",
    "server_key",
    "set_server_key",
]

# Statuses a person can still decide: waiting, or an approval that did not go through (rejected by
# Zyntro, unreachable, answer lost), which can be approved again.
DECIDABLE = ("queued_for_review", "failed", "unknown")
_SORTS = {
    "newest": "d.draft_id DESC",
    "oldest": "d.draft_id ASC",
    "contact": "contact_name COLLATE NOCASE, d.draft_id",
    "origin": "d.profile_source COLLATE NOCASE, d.draft_id",
    "identity": "identity_score, d.draft_id",
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class DraftQuery:
    """Which drafts to show or decide: every filter is optional; `status` None means the decidable ones."""

    status: str | None = None  # one status, "decidable" (the default), or "all"
    origin: str | None = None
    contact: str | None = None  # contact id, or part of the contact's name (case-insensitive)
    since: str | None = None  # YYYY-MM-DD, inclusive (created_at, UTC)
    until: str | None = None  # YYYY-MM-DD, inclusive
    min_identity: float | None = None  # lowest identity score among the draft's pages
    max_identity: float | None = None
    grounding: bool | None = None  # True: only drafts where grounding dropped something; False: only clean ones
    sort: str = "newest"
    ids: list[int] = field(default_factory=list)  # only these drafts

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        status = self.status or "decidable"
        if status == "decidable":
            clauses.append(f"d.status IN ({','.join('?' * len(DECIDABLE))})")
            params += DECIDABLE
        elif status != "all":
            clauses.append("d.status = ?")
            params.append(status)
        if self.origin:
            clauses.append("d.profile_source = ?")
            params.append(self.origin)
        if self.contact:
            clauses.append("(d.contact_id = ? OR d.contact_name LIKE ? ESCAPE '\\')")
            escaped = self.contact.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [self.contact.strip().lower(), f"%{escaped}%"]
        if self.since:
            clauses.append("substr(d.created_at, 1, 10) >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("substr(d.created_at, 1, 10) <= ?")
            params.append(self.until)
        if self.min_identity is not None:
            clauses.append("identity_score >= ?")
            params.append(self.min_identity)
        if self.max_identity is not None:
            clauses.append("identity_score <= ?")
            params.append(self.max_identity)
        if self.grounding is not None:
            clauses.append("json_array_length(d.draft, '$.grounding') " + ("> 0" if self.grounding else "= 0"))
        if self.ids:
            clauses.append(f"d.draft_id IN ({','.join('?' * len(self.ids))})")
            params += list(self.ids)
        return " AND ".join(clauses) or "1", params


# The lowest identity score among a draft's pages (1.0 when none was compared), computed in SQL so that
# filters and sorting page through the database rather than through Python.
_SELECT = """
SELECT * FROM (
    SELECT d.*, c.name AS contact_name,
           COALESCE((SELECT MIN(json_extract(value, '$.score')) FROM json_each(d.draft, '$.identity')), 1.0)
               AS identity_score
    FROM drafts d LEFT JOIN contacts c USING (contact_id)
) d
"""


def query_drafts(
    store: Store, query: DraftQuery, limit: int | None = None, offset: int = 0
) -> tuple[list[DraftRow], int]:
    """One page of drafts matching the query, and how many match in all."""
    where, params = query.where()
    base = f"{_SELECT} WHERE {where}"
    total = store._rows(f"SELECT COUNT(*) AS n FROM ({base})", tuple(params))[0]["n"]
    order = _SORTS.get(query.sort, _SORTS["newest"])
    sql = f"{base} ORDER BY {order}" + (" LIMIT ? OFFSET ?" if limit is not None else "")
    rows = store._rows(sql, tuple(params) + ((limit, offset) if limit is not None else ()))
    return [store._draft_row(r) for r in rows], total


def draft_counts(store: Store) -> dict[str, int]:
    """How many drafts there are of each status."""
    return {r["status"]: r["n"] for r in store._rows("SELECT status, COUNT(*) AS n FROM drafts GROUP BY status")}


def origins(store: Store) -> list[str]:
    """Every origin (profile_source) that has drafts, sorted."""
    return [
        r["profile_source"]
        for r in store._rows("SELECT DISTINCT profile_source FROM drafts ORDER BY profile_source COLLATE NOCASE")
    ]


def claim_draft(store: Store, draft_id: int, pid: int | None = None) -> ClaimedDraft | str:
    """Take a draft for approval: its row, or why it cannot be taken (decided already, or being approved).

    One transaction checks and claims, so two approvals of one draft (two tabs, a web page and the CLI,
    two machines on one database) never both go on.
    """
    from agent.store import _live

    pid = pid or os.getpid()
    with store._transaction() as db:
        row = db.execute(
            "SELECT status, claim_pid, claim_host, claim_ts FROM drafts WHERE draft_id=?", (draft_id,)
        ).fetchone()
        if row is None:
            return f"there is no draft {draft_id}"
        if row["status"] == "approving":  # free again only once its process died or stopped renewing the claim
            if _live(row["claim_pid"], row["claim_host"], row["claim_ts"] or 0.0):
                return f"draft {draft_id} is being approved right now (pid {row['claim_pid']})"
        elif row["status"] not in DECIDABLE:
            return f"draft {draft_id} is {row['status']}, not waiting for review"
        from agent.store import _HOST

        db.execute(
            "UPDATE drafts SET status='approving', claim_pid=?, claim_host=?, claim_ts=? WHERE draft_id=?",
            (pid, _HOST, time.time(), draft_id),
        )
        previous = row["status"] if row["status"] != "approving" else "queued_for_review"
    claimed = store.draft(draft_id)
    if claimed is None:
        return f"there is no draft {draft_id}"
    return cast(ClaimedDraft, {**claimed, "previous_status": previous})


def release_draft(store: Store, draft_id: int, status: str, note: str = "") -> None:
    """End a claim with the draft's new status (posted, unchanged, failed, unknown, suppressed, or back to waiting)."""
    store._exec(
        "UPDATE drafts SET status=?, decided_at=?, note=?, claim_pid=NULL, claim_host=NULL, claim_ts=NULL "
        "WHERE draft_id=?",
        (status, _now(), note, draft_id),
    )


def renew_claim(store: Store, draft_id: int) -> None:
    """Keep a claim live while its approval runs (a post can outlast the lease: retries, reconciling)."""
    store._exec("UPDATE drafts SET claim_ts=? WHERE draft_id=? AND status='approving'", (time.time(), draft_id))


def edit_draft(
    store: Store, draft_id: int, draft: ProfileDraft, payload_hash: str, was_hash: str, statuses: tuple[str, ...]
) -> bool:
    """Replace a draft's content (a person's edit) if it is still as the person saw it; False otherwise.

    `was_hash` is the payload hash the edit started from: a draft changed (another edit) or claimed for
    approval meanwhile is not overwritten.
    """
    cur = store._exec(
        f"UPDATE drafts SET draft=?, payload_hash=? WHERE draft_id=? AND payload_hash=? "
        f"AND status IN ({','.join('?' * len(statuses))})",
        (draft.model_dump_json(), payload_hash, draft_id, was_hash, *statuses),
    )
    return cur.rowcount == 1


def record_decision(
    store: Store, row: Mapping[str, Any], actor: str, action: str, note: str = "", **detail: Any
) -> None:
    """Keep one decision: who, when, what, the note, and its details (profile id, error, changed keys)."""
    store._exec(
        "INSERT INTO decisions (draft_id, contact_id, profile_source, actor, action, note, detail, at) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (
            row["draft_id"],
            row["contact_id"],
            row["profile_source"],
            actor,
            action,
            note,
            json.dumps(detail, ensure_ascii=False, default=str),
            _now(),
        ),
    )


def decisions(store: Store, draft_id: int | None = None) -> list[DecisionRow]:
    """Decisions, oldest first (of one draft, or all)."""
    sql = "SELECT * FROM decisions" + (" WHERE draft_id=?" if draft_id is not None else "") + " ORDER BY decision_id"
    rows = store._rows(sql, (draft_id,) if draft_id is not None else ())
    return [cast(DecisionRow, {**dict(r), "detail": json.loads(r["detail"])}) for r in rows]


def activity(store: Store, limit: int | None = None) -> list[ActivityItem]:
    """Every decision and every post with Zyntro's answer, newest first, in one shape for pages and exports."""
    items = [
        {
            "at": d["at"],
            "kind": "decision",
            "action": d["action"],
            "actor": d["actor"],
            "draft_id": d["draft_id"],
            "contact_id": d["contact_id"],
            "profile_source": d["profile_source"],
            "note": d["note"],
            "profile_id": d["detail"].get("profile_id"),
            "answer": d["detail"].get("answer", ""),
            "_order": (1, d["decision_id"]),
        }
        for d in decisions(store)
    ]
    for p in store.postings():
        items.append(
            {
                "at": p["updated_at"],
                "kind": "post",
                "action": p["state"],
                "actor": f"run {p['run_id']}",
                "draft_id": None,
                "contact_id": p["contact_id"],
                "profile_source": p["profile_source"],
                "note": "",
                "profile_id": p["profile_id"],
                "answer": p["message"],
                "_order": (0, p["posting_id"]),
            }
        )
    items.sort(key=lambda i: (i["at"], i["_order"]), reverse=True)  # newest first; a decision after its post
    shown = [cast(ActivityItem, {k: v for k, v in i.items() if k != "_order"}) for i in items]
    return shown[:limit] if limit is not None else shown


def posted_payload(
    store: Store, contact_id: str, profile_source: str, own_hash: str | None = None
) -> dict[str, Any] | None:
    """The payload of the last profile Zyntro confirmed for this contact and origin, when this state holds it.

    A posting of `own_hash` (the draft's own post, once approved) is passed over, so a posted draft is
    compared with the profile before it. Found through the posting's payload hash; None when nothing was
    posted, {} when only its hash is known (a profile found already in Zyntro, or posted before `forget`).
    """
    posted = store._rows(
        "SELECT payload_hash FROM postings WHERE contact_id=? AND profile_source=? AND state='posted' "
        "AND payload_hash IS NOT ? ORDER BY posting_id DESC LIMIT 1",
        (contact_id, profile_source, own_hash),
    )
    if not posted:
        return None
    rows = store._rows(
        "SELECT draft FROM drafts WHERE contact_id=? AND profile_source=? AND payload_hash=? "
        "ORDER BY draft_id DESC LIMIT 1",
        (contact_id, profile_source, posted[0]["payload_hash"]),
    )
    if not rows:
        return {}
    return json.loads(rows[0]["draft"])["payload"]


# serve's own keys ---------------------------------------------------------------------------------


def server_key(store: Store, name: str) -> tuple[str, bool]:
    """A random key `serve` keeps in the state (the session-signing key, the generated token's hash).

    Returns (value, created): made once, the same on every later start and on every machine sharing
    the state, so a restart does not sign everybody out.
    """
    import secrets

    with store._transaction() as db:
        row = db.execute("SELECT value FROM meta WHERE key=?", (f"serve.{name}",)).fetchone()
        if row is not None:
            return row[0], False
        value = secrets.token_urlsafe(32)
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"serve.{name}", value))
    return value, True


def set_server_key(store: Store, name: str, value: str) -> None:
    """Replace one of serve's keys (a new token's hash)."""
    store._exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
        (f"serve.{name}", value),
    )
