"""The rows the store hands out, as TypedDicts: plain dicts at run time, checked shapes for the type checker.

One per table (and per joined or decoded shape the store returns). Columns added by a migration
(agent.store_schema) are listed like any other: every open database has them. Times are ISO 8601
text (`*_at`) for people and epoch seconds (`*_ts`, `heartbeat`) for leases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

if TYPE_CHECKING:
    from agent.models import ProfileDraft

__all__ = [
    "ActivityItem",
    "ClaimHolder",
    "ClaimedDraft",
    "ClaimedEvent",
    "ContactRow",
    "DecisionRow",
    "DraftRow",
    "HookEventRow",
    "PostingRow",
    "RunRow",
    "SourceRow",
    "TrackedContact",
]


class RunRow(TypedDict):
    """One run: what started it, when, its LLM usage (JSON text) and its lease (pid, host, heartbeat)."""

    run_id: str
    kind: str
    batch_key: str | None
    started_at: str
    finished_at: str | None
    total: int
    llm_usage: str | None
    started_ts: float | None
    pid: int | None
    host: str | None
    heartbeat: float | None


class ClaimHolder(TypedDict):
    """Who holds a contact another run asked for (Store.claim_contact): the claim and its run's lease."""

    run_id: str
    state: str  # active | done
    updated_ts: float
    pid: int | None
    host: str | None
    heartbeat: float | None
    batch_key: str | None


class ContactRow(TypedDict):
    """A tracked contact as stored: hints, URLs and accepted URLs as JSON text, review as 0/1."""

    contact_id: str
    name: str | None
    email: str | None
    company: str | None
    location: str | None
    urls: str
    review: int
    updated_at: str
    accepted_urls: str | None


class TrackedContact(TypedDict):
    """A tracked contact as the store returns it (Store.tracked_contact): lists decoded, review a bool."""

    contact_id: str
    name: str | None
    email: str | None
    company: str | None
    location: str | None
    urls: list[str]
    review: bool
    updated_at: str  # when it was last enriched
    accepted_urls: list[str]


class SourceRow(TypedDict):
    """One source of one run: how it was fetched and its final outcome."""

    id: int
    run_id: str
    contact_id: str
    url: str
    outcome: str
    reason: str
    engine: str | None
    status: int | None
    robots_override: int
    fetched_at: str


class DraftRow(TypedDict):
    """A draft with its decoded ProfileDraft and the contact's tracked name (None when not tracked)."""

    draft_id: int
    run_id: str
    contact_id: str
    profile_source: str
    payload_hash: str
    input_hash: str | None
    draft: ProfileDraft
    status: str
    created_at: str
    decided_at: str | None
    note: str | None
    claim_pid: int | None
    claim_host: str | None
    claim_ts: float | None
    contact_name: str | None
    identity_score: NotRequired[float]  # the lowest identity score of its pages (store_review.query_drafts)


class ClaimedDraft(DraftRow):
    """A draft taken for approval (store_review.claim_draft), with the status it had before."""

    previous_status: str


class PostingRow(TypedDict):
    """One post to Zyntro: the intent, then the answer (state, profile id, message)."""

    posting_id: int
    run_id: str
    contact_id: str
    profile_source: str
    payload_hash: str
    input_hash: str | None
    state: str  # sending | waiting | posted | failed | unknown | abandoned
    pid: int | None
    profile_id: int | None
    message: str
    created_at: str
    updated_at: str


class DecisionRow(TypedDict):
    """One decision about a draft: who, what, when, the note and its details (decoded)."""

    decision_id: int
    draft_id: int
    contact_id: str
    profile_source: str
    actor: str
    action: str
    note: str
    detail: dict[str, Any]
    at: str


class HookEventRow(TypedDict):
    """One webhook event in the work queue, with its lease while a process works on it."""

    event_key: str
    contact_id: str | None
    received_at: str
    deliveries: int
    state: str  # queued | running | done | failed | duplicate
    attempts: int
    pid: int | None
    host: str | None
    heartbeat: float | None
    run_id: str | None
    message: str
    updated_at: str
    not_before: float | None


class ClaimedEvent(HookEventRow):
    """An event taken up by a worker (store_events.claim_event): resumed when its last worker died."""

    resumed: bool


class ActivityItem(TypedDict):
    """A decision or a post, in the one shape the activity pages and exports show (store_review.activity)."""

    at: str
    kind: str  # decision | post
    action: str
    actor: str
    draft_id: int | None
    contact_id: str
    profile_source: str
    note: str
    profile_id: int | None
    answer: str
