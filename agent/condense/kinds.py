"""Which kind of source an origin is, and the facts of its extractions gathered by key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from agent.condense.contacts import ContactBook
from agent.condense.safety import (
    DELIMITER_TAG,
    looks_like_injection,
    neutralise_tags,
    secret_in,
    strip_hostile,
)
from agent.condense.text import number_mentions
from agent.models import Extraction, Fact, FactValue

__all__ = ["LIST_FACT_KEYS", "FactBag", "SourceKind", "clean_fact_value", "scrub_fact_value", "source_kind"]

SourceKind = Literal["linkedin_person", "linkedin_company", "twitter", "github_user", "github_org",
                     "company_website", "personal_website", "generic"]

# Fact keys that come one item per fact and become one list value.
LIST_FACT_KEYS = frozenset({"education", "experience", "skills", "interests", "languages", "pinned_repositories",
                            "organizations", "products", "specialties", "locations"})


def source_kind(profile_source: str, extractions: Sequence[Extraction]) -> SourceKind:
    """The template family for an origin, from its label, its URLs and the page subject."""
    label = profile_source.strip().lower()
    hosts = " ".join(urlsplit(e.url).netloc.lower() + urlsplit(e.url).path.lower() for e in extractions)
    subject = next((e.subject for e in extractions if e.subject != "unknown"), "unknown")
    if "linkedin" in label or "linkedin.com" in hosts:
        is_company = subject == "organization" or "/company/" in hosts or "/school/" in hosts
        return "linkedin_company" if is_company else "linkedin_person"
    if label in {"twitter", "x", "twitter/x", "x (twitter)"} or any(h in hosts for h in ("twitter.com", "x.com/")):
        return "twitter"
    if "github" in label or "github.com" in hosts:
        return "github_org" if subject == "organization" else "github_user"
    if "company" in label or (subject == "organization" and "website" in label):
        return "company_website"
    if "personal" in label or "website" in label or "blog" in label:
        return "company_website" if subject == "organization" else "personal_website"
    return "generic"


def clean_fact_value(value: FactValue) -> FactValue | None:
    """A fact value with injected instructions, fake JSON and credentials removed (None when nothing is left)."""
    return scrub_fact_value(value)[0]


def scrub_fact_value(value: FactValue) -> tuple[FactValue | None, list[str]]:
    """clean_fact_value and the sentences it cut (so a report can say what was never used)."""
    if isinstance(value, list):
        items: list[str] = []
        cut: list[str] = []
        for item in value:
            clean, removed = scrub_fact_value(item)
            cut += removed
            if isinstance(clean, str) and clean:
                items.append(clean)
        return items or None, cut
    if not isinstance(value, str):
        return value, []
    text, removed = value, []
    if looks_like_injection(text) or secret_in(text) or DELIMITER_TAG in text.lower():
        text, removed = strip_hostile(text)
        text = " ".join(text.split())
    return neutralise_tags(text) or None, removed


@dataclass
class FactBag:
    """The clean facts of one origin: first scalar per key, every item of list keys, with their source."""

    scalars: dict[str, FactValue] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    origin: dict[str, tuple[str, Fact]] = field(default_factory=dict)  # key -> (url, first fact)
    contacts: ContactBook = field(default_factory=ContactBook)  # what a summary may name as a contact

    @classmethod
    def gather(cls, extractions: Sequence[Extraction]) -> "FactBag":
        """Collect the facts of these extractions, cleaned, first occurrence winning."""
        bag = cls(contacts=ContactBook.from_extractions(extractions))
        for extraction in extractions:
            for fact in extraction.facts:
                bag._add(extraction.url, fact)
        return bag

    def _add(self, url: str, fact: Fact) -> None:
        value = clean_fact_value(fact.value)
        if value is None or value == "":
            return
        key = fact.key
        if key in LIST_FACT_KEYS or isinstance(value, list):
            items = value if isinstance(value, list) else [str(value)]
            bucket = self.lists.setdefault(key, [])
            bucket += [i for i in items if i not in bucket]
        elif key not in self.scalars:
            self.scalars[key] = value
        else:
            return
        self.origin.setdefault(key, (url, fact))

    def get(self, key: str) -> FactValue | None:
        """The value for a key (a list for list keys), or None."""
        return self.lists.get(key) or self.scalars.get(key)

    def text(self, key: str) -> str | None:
        """A scalar string fact, or None."""
        value = self.scalars.get(key)
        return value if isinstance(value, str) and value else None

    def count(self, key: str) -> int | None:
        """An integer fact (counts, years), also read from text like "3,893" or "1.2K"; None otherwise."""
        value = self.scalars.get(key)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            mentions = number_mentions(value)
            if len(mentions) == 1:
                whole = [r for r in mentions[0][1] if r.is_integer()]
                return int(max(whole)) if whole else None
        return None

    def approximate(self, key: str) -> bool:
        """True when the fact behind this key was marked approximate, or written like "86.4K"."""
        origin = self.origin.get(key)
        if origin is None:
            return False
        raw = origin[1].value
        return origin[1].approximate or (isinstance(raw, str) and bool(re.search(r"\d\s?[kKmMbB]\b", raw)))
