"""The offline condenser: deterministic, no network, the default when no LLM is configured.

One template per source kind picks and orders the descriptive keys and writes the summary
(agent.condense.summaries). Values are the extractors' facts, cleaned of injected content, so a user
without an API key still gets a useful profile that passes every payload rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from agent.condense.base import Condenser, finish_draft, require_fields, usable_extractions
from agent.condense.kinds import LIST_FACT_KEYS, OriginFacts, source_kind, source_subject
from agent.condense.rules import KEY_TYPES, MAX_KEYS, MAX_VALUE_CHARS, key_type
from agent.condense.summaries import offline_summary
from agent.condense.text import truncate_words
from agent.condense.usage import Usage
from agent.models import Contact, Extraction, ProfileDraft, SourceKind

__all__ = ["KIND_KEYS", "OfflineCondenser", "offline_draft", "offline_payload", "offline_version"]

_PERSON = [
    "name",
    "headline",
    "job_title",
    "employer",
    "location",
    "industry",
    "bio",
    "experience",
    "education",
    "skills",
    "languages",
    "interests",
    "organizations",
    "pinned_repositories",
    "website",
    "email",
    "handle",
    "joined_date",
    "followers_count",
    "following_count",
    "posts_count",
    "repositories_count",
    "stars_count",
    "connections",
    "social_profiles",
]
_ORG = [
    "name",
    "legal_name",
    "description",
    "industry",
    "company_size",
    "employees_count",
    "founded",
    "headquarters",
    "address",
    "locations",
    "products",
    "specialties",
    "people",
    "website",
    "email",
    "phone",
    "handle",
    "followers_count",
    "repositories_count",
    "pinned_repositories",
    "social_profiles",
    "vat_id",
    "register_id",
]

_SOCIAL = [
    "name",
    "handle",
    "bio",
    "location",
    "website",
    "joined_date",
    "followers_count",
    "following_count",
    "posts_count",
    *_PERSON,
]

# The payload keys of each source kind, in the order a reader wants them; other known facts follow.
KIND_KEYS: dict[SourceKind, list[str]] = {
    "linkedin_person": _PERSON,
    "linkedin_company": _ORG,
    "twitter": _SOCIAL,
    "social_profile": _SOCIAL,
    "github_user": [
        "name",
        "handle",
        "bio",
        "employer",
        "location",
        "website",
        "email",
        "organizations",
        "pinned_repositories",
        "repositories_count",
        "followers_count",
        "following_count",
        "stars_count",
        "joined_date",
        *_PERSON,
    ],
    "github_org": [
        "name",
        "handle",
        "description",
        "location",
        "website",
        "email",
        "pinned_repositories",
        "repositories_count",
        "followers_count",
        *_ORG,
    ],
    "company_website": _ORG,
    "personal_website": _PERSON,
    "generic": _PERSON + _ORG,
}
_FRAME_ROOM = 4  # summary, source_url, source_urls, retrieved_at


def offline_version() -> str:
    """A version for offline drafts: sha256[:12] of the template code, so a template change shows."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("offline.py", "summaries.py"):
        digest.update((here / name).read_bytes())
    return "offline-" + digest.hexdigest()[:12]


def offline_payload(profile_source: str, extractions: list[Extraction]) -> dict[str, Any]:
    """The offline payload of one origin (before framing, checking and grounding)."""
    bag = OriginFacts.gather(extractions)
    kind, subject = source_kind(extractions), source_subject(extractions)
    payload: dict[str, Any] = {"summary": offline_summary(profile_source, extractions)}
    known = set(KEY_TYPES) | LIST_FACT_KEYS
    order = list(dict.fromkeys([*_kind_keys(kind, subject), *(k for k in bag.origin if k in known)]))
    said: set[str] = set()
    for key in order:
        if len(payload) >= MAX_KEYS - _FRAME_ROOM:
            break
        value = _value(bag, key)
        if isinstance(value, list):  # a website already given is not repeated among the social profiles
            value = [item for item in value if item.rstrip("/") not in said] or None
        if value is None or (isinstance(value, str) and len(value) > 40 and value in said):
            continue  # a long text under two keys (bio and description) is said once
        payload[key] = value
        if isinstance(value, str):
            said.update({value, value.rstrip("/")})
    return payload


def _kind_keys(kind: SourceKind, subject: str) -> list[str]:
    # A generic page about an organisation (a club, a bank's home page) is read like a company's.
    if kind == "generic" and subject == "organization":
        return _ORG
    return KIND_KEYS[kind]


def _value(bag: OriginFacts, key: str) -> Any:
    if key_type(key) == "int":
        return bag.count(key)  # a count we cannot read as a whole number is left out, not guessed
    value = bag.get(key)
    if isinstance(value, str):
        return truncate_words(value, MAX_VALUE_CHARS)
    if isinstance(value, list):
        kept: list[str] = []
        for item in value:
            if len(", ".join([*kept, item])) > MAX_VALUE_CHARS:
                break
            kept.append(item)
        return kept or None
    return value


class OfflineCondenser(Condenser):
    """Condenses with templates only: deterministic, free, no network."""

    name = "offline"

    def __init__(self) -> None:
        self.prompt_version = offline_version()

    async def condense(
        self, contact: Contact, profile_source: str, extractions: list[Extraction], retrieved_at: date
    ) -> ProfileDraft:
        """Condense one origin's extractions into a checked, grounded draft (ThinProfile when too thin)."""
        usable = usable_extractions(profile_source, extractions)
        return require_fields(
            offline_draft(contact, profile_source, usable, retrieved_at, prompt_version=self.prompt_version)
        )


def offline_draft(
    contact: Contact,
    profile_source: str,
    usable: list[Extraction],
    retrieved_at: date,
    *,
    condenser: str = "offline",
    prompt_version: str | None = None,
    usage: Usage | None = None,
    repairs: Sequence[str] = (),
) -> ProfileDraft:
    """The offline condenser's checked, grounded draft of these ok extractions (thin or not)."""
    return finish_draft(
        contact=contact,
        profile_source=profile_source,
        extractions=usable,
        payload=offline_payload(profile_source, usable),
        retrieved_at=retrieved_at,
        condenser=condenser,
        prompt_version=prompt_version or offline_version(),
        usage=usage,
        repairs=repairs,
    )
