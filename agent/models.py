"""The typed values that cross the pipeline's boundaries (see DESIGN.md, "Data that crosses").

Contact + URLs -> Page / FetchResult -> Extraction (facts) -> ProfileDraft -> Posting.
These are plain data: no I/O, no clock reads, no configuration.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Union
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Contact",
    "Engine",
    "Extraction",
    "Fact",
    "FactValue",
    "FetchResult",
    "Identity",
    "Outcome",
    "Page",
    "Posting",
    "ProfileDraft",
    "ProfileStatus",
    "Provenance",
    "SourceKind",
    "payload_hash",
]

Engine = Literal["http", "browser", "replay"]
FactMethod = Literal["jsonld", "meta", "microformat", "microdata", "selector", "text"]
FactValue = Union[bool, int, float, str, list[str]]
# The template family of a source, declared by the extractor that read the page; the condenser picks
# its key order and summary template from it (never from the URL's host).
SourceKind = Literal["linkedin_person", "linkedin_company", "twitter", "github_user", "github_org",
                     "company_website", "personal_website", "social_profile", "generic"]


class Outcome(StrEnum):
    """What happened to one source. Every source gets one; none is hidden."""

    ok = "ok"
    not_found = "not_found"
    login_wall = "login_wall"
    blocked = "blocked"  # bot challenge, CAPTCHA, 403/999
    rate_limited = "rate_limited"
    robots_disallowed = "robots_disallowed"
    unsafe_url = "unsafe_url"
    invalid_url = "invalid_url"
    timeout = "timeout"
    too_large = "too_large"
    unsupported = "unsupported"
    error = "error"


class Contact(BaseModel):
    """A CRM contact and the identity hints we have for it."""

    model_config = ConfigDict(frozen=True)

    contact_id: UUID
    name: str | None = None
    email: str | None = None
    company: str | None = None
    location: str | None = None


class Page(BaseModel):
    """One fetched (or replayed) page, as the extractors see it."""

    url: str
    final_url: str
    status: int
    html: str
    fetched_at: datetime
    engine: Engine
    content_hash: str
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @staticmethod
    def hash_html(html: str) -> str:
        """The content hash used for change detection."""
        return hashlib.sha256(html.encode("utf-8", "replace")).hexdigest()


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


class Fact(BaseModel):
    """One thing a page says, with the evidence that it says it."""

    key: str
    value: FactValue
    evidence: str  # verbatim snippet of the page, or the JSON-LD/meta path it came from
    method: FactMethod
    approximate: bool = False  # e.g. "86.4K" followers where no exact figure exists


class Identity(BaseModel):
    """Does this page match the contact? `matched` is None when there were no hints to compare."""

    score: float = Field(ge=0.0, le=1.0)
    matched: bool | None
    reason: str


class Extraction(BaseModel):
    """What one extractor found on one page."""

    url: str
    extractor: str
    profile_source: str
    outcome: Outcome
    reason: str = ""
    subject: Literal["person", "organization", "unknown"] = "unknown"
    kind: SourceKind = "generic"  # what sort of source the extractor found (see SourceKind)
    facts: list[Fact] = Field(default_factory=list)
    text: str = ""  # cleaned, bounded text for the condenser
    links: list[str] = Field(default_factory=list)  # rel=me and profile links
    identity: Identity | None = None

    def fact(self, key: str) -> Fact | None:
        """The first fact with this key, if any."""
        return next((f for f in self.facts if f.key == key), None)


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


class Posting(BaseModel):
    """What was sent to Zyntro and what it answered."""

    contact_id: UUID
    profile_source: str
    payload_hash: str
    status: Literal["posted", "unknown", "failed"]
    profile_id: int | None = None
    message: str = ""


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable hash of a payload, ignoring key order and the retrieval date."""
    stable = {k: v for k, v in payload.items() if k != "retrieved_at"}
    blob = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
