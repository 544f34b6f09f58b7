"""The typed values that cross the pipeline's boundaries (see DESIGN.md, "Data that crosses").

Contact + URLs -> Page / FetchResult -> Extraction (facts) -> ProfileDraft.
The pure types the extractors use live in `extractors.models` and are re-exported here; this module
adds the agent-only ones. These are plain data: no I/O, no clock reads, no configuration.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from extractors.models import (
    Contact,
    Engine,
    Extraction,
    Fact,
    FactMethod,
    FactValue,
    Identity,
    Outcome,
    Page,
    SourceKind,
    SubjectKind,
)

__all__ = [
    "Contact",
    "Engine",
    "Extraction",
    "Fact",
    "FactMethod",
    "FactValue",
    "FetchResult",
    "Identity",
    "Outcome",
    "Page",
    "ProfileDraft",
    "ProfileStatus",
    "Provenance",
    "SourceKind",
    "SubjectKind",
    "payload_hash",
]


class FetchResult(BaseModel):
    """The fetcher's answer for one URL: a page when the outcome allows one, always a reason."""

    url: str
    outcome: Outcome
    reason: str
    page: Page | None = None
    engine: Engine | None = None
    status: int | None = None
    final_url: str | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    robots_override: bool = False  # fetched although robots.txt disallowed it (operator's choice)
    not_modified: bool = False  # revalidation answered 304: the stored page still holds


class Provenance(BaseModel):
    """Where a payload value came from: a page (url + evidence), or a person who edited it in review."""

    url: str
    evidence: str
    by: Literal["page", "person"] = "page"
    editor: str | None = None  # who edited it (by == "person")
    note: str = ""  # the editor's note


class ProfileStatus(StrEnum):
    """The fate of one profile (one contact, one origin)."""

    posted = "posted"
    dry_run = "dry_run"
    queued_for_review = "queued_for_review"
    unchanged = "unchanged"
    identity_mismatch = "identity_mismatch"
    unverified = "unverified"  # nothing ties the pages to the contact (no hint matched): not posted
    no_data = "no_data"
    failed = "failed"
    unknown = "unknown"
    rejected = "rejected"  # rejected by a reviewer


class ProfileDraft(BaseModel):
    """A condensed profile before posting, with everything needed to trust or reject it."""

    contact_id: UUID
    profile_source: str
    payload: dict[str, Any]
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    grounding: list[str] = Field(default_factory=list)  # unsupported keys/claims (dropped)
    identity: dict[str, Identity] = Field(default_factory=dict)  # source URL -> does the page match the contact
    set_aside: list[str] = Field(default_factory=list)  # pages of this origin left out, and why
    violations: list[str] = Field(default_factory=list)  # best-practice rule problems left
    repairs: list[str] = Field(default_factory=list)  # safe repairs applied
    condenser: str = "offline"
    prompt_version: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable hash of a payload, ignoring key order and the retrieval date."""
    stable = {k: v for k, v in payload.items() if k != "retrieved_at"}
    blob = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
