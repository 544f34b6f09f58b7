"""Which payload keys are known, and which facts may support a value under each key.

Grounding uses this so that a value is checked against facts of a compatible key, never against
whatever text happens to contain it: an employer must come from an employer, organizations,
experience or headline fact, a follower count from a followers fact. An injected sentence can sit in
a page's text or even inside a bio, but it cannot make itself an employer fact.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.condense.contacts import PROSE_KEYS
from agent.condense.kinds import LIST_FACT_KEYS
from agent.condense.rules import KEY_TYPES, key_type

__all__ = ["QUALITATIVE_KEYS", "is_known_key", "supporting_keys"]

# Descriptive list keys: what someone works on or offers. Their items may come from a prose fact
# (bio, description, headline) and, as short exact phrases, from the page text (see grounding).
QUALITATIVE_KEYS = frozenset(
    {"skills", "interests", "focus_areas", "technologies", "specialties", "products", "key_products", "languages"}
)
_ORG = frozenset(
    {"employer", "current_company", "organizations", "experience", "headline", "company", "org", "works_for"}
)
_PLACE = frozenset({"location", "headquarters", "address", "locations"})
# Payload key -> the other fact keys that may support its values (a fact of the same key always may).
_COMPATIBLE: dict[str, frozenset[str]] = {
    "headline": frozenset({"job_title", "employer", "current_company", "bio", "description"}),
    "job_title": frozenset({"headline", "experience", "title", "role"}),
    "employer": _ORG,
    "current_company": _ORG,
    "organizations": _ORG,
    "experience": frozenset({"job_title", "employer", "current_company", "headline"}),
    "location": _PLACE,
    "headquarters": _PLACE,
    "address": _PLACE,
    "locations": _PLACE,
    "bio": frozenset({"description", "headline", "about"}),
    "description": frozenset({"bio", "headline", "about"}),
    "industry": frozenset({"headline", "description", "bio", "specialties"}),
    "company_size": frozenset({"employees_count"}),
    "employees_count": frozenset({"company_size"}),
    "founded": frozenset({"founded_year"}),
    "founded_year": frozenset({"founded"}),
    "is_verified": frozenset({"verified"}),
    "verified": frozenset({"is_verified"}),
}
# Key words that say how a value is typed, not what it is about ("followers_count" is about followers).
_TYPE_WORDS = {"count", "year", "is", "has", "key", "of", "the", "number", "total"}


def is_known_key(key: str) -> bool:
    """True for keys of the project's key table, list fact keys and the typed patterns (_count, is_ ...)."""
    return key in KEY_TYPES or key in LIST_FACT_KEYS or key_type(key) is not None


def supporting_keys(key: str, fact_keys: Iterable[str]) -> frozenset[str]:
    """The fact keys whose values may support a value under this payload key."""
    allowed = {key} | _COMPATIBLE.get(key, frozenset())
    if key in QUALITATIVE_KEYS:
        allowed |= QUALITATIVE_KEYS | PROSE_KEYS
    words = set(key.split("_")) - _TYPE_WORDS
    for fact_key in fact_keys:
        # "stars_count" is supported by a "stars" fact, "key_products" by "products".
        if words & (set(fact_key.split("_")) - _TYPE_WORDS):
            allowed.add(fact_key)
    return frozenset(allowed)
