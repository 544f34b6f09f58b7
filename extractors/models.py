"""The pure data types the extractors read and write (see DESIGN.md, "Data that crosses").

Contact, Page -> Extraction (facts, identity, outcome). Plain pydantic models: no I/O, no clock
reads, no configuration, and nothing from the `agent` package, so `extractors/` stays pure.
`agent.models` re-exports every name here.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Contact",
    "Engine",
    "Extraction",
    "Fact",
    "FactMethod",
    "FactValue",
    "Identity",
    "Outcome",
    "Page",
    "SourceKind",
    "SubjectKind",
]

Engine = Literal["http", "browser", "replay"]
FactMethod = Literal["jsonld", "meta", "microformat", "microdata", "selector", "text"]
FactValue = bool | int | float | str | list[str]
SubjectKind = Literal["person", "organization", "unknown"]  # what a page is about
# The template family of a source, declared by the extractor that read the page; the condenser picks
# its key order and summary template from it (never from the URL's host).
SourceKind = Literal[
    "linkedin_person",
    "linkedin_company",
    "twitter",
    "github_user",
    "github_org",
    "company_website",
    "personal_website",
    "social_profile",
    "generic",
]


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
    subject: SubjectKind = "unknown"
    kind: SourceKind = "generic"  # what sort of source the extractor found (see SourceKind)
    facts: list[Fact] = Field(default_factory=list)
    text: str = ""  # cleaned, bounded text for the condenser
    links: list[str] = Field(default_factory=list)  # rel=me and profile links
    identity: Identity | None = None

    def fact(self, key: str) -> Fact | None:
        """The first fact with this key, if any."""
        return next((f for f in self.facts if f.key == key), None)
