"""Which kind of source an origin is, and the facts of its extractions gathered by key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.condense.contacts import ContactBook
from agent.condense.safety import (
    DELIMITER_TAG,
    looks_like_injection,
    neutralise_tags,
    secret_in,
    strip_hostile,
)
from agent.condense.text import number_mentions
from agent.models import Extraction, Fact, FactValue, Outcome, SourceKind
from extractors.facts import LIST_KEYS

__all__ = [
    "LIST_FACT_KEYS",
    "OriginFacts",
    "SourceKind",
    "clean_fact_value",
    "scrub_fact_value",
    "source_kind",
    "source_subject",
]

_ABBREVIATED = re.compile(r"\d\s?[kKmMbB]\b")  # "86.4K", "1.2 M": a figure rounded for display

# Fact keys that come one item per fact and become one list value (one list, kept with the extractors).
LIST_FACT_KEYS = LIST_KEYS


def source_kind(extractions: Sequence[Extraction]) -> SourceKind:
    """The template family of an origin: the kind its first ok extraction's extractor declared."""
    # Never guessed from hosts or labels ("spacex.com" contains "x.com/"): the extractor that read the
    # page knows what it read, so a new source is an extractor and a registry line, nothing here.
    ok = [e for e in extractions if e.outcome is Outcome.ok]
    first = next(iter(ok or extractions), None)
    return first.kind if first is not None else "generic"


def source_subject(extractions: Sequence[Extraction]) -> str:
    """What the origin is about ("person", "organization" or "unknown"): the first known subject."""
    return next((e.subject for e in extractions if e.subject != "unknown"), "unknown")


def _postcode_like(address: str) -> set[str]:
    """Tokens of an address that hold digits and are 3+ long (postcodes, house numbers)."""
    return {t.strip(",.").lower() for t in address.split() if len(t) >= 3 and any(c.isdigit() for c in t)}


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
class OriginFacts:
    """The clean facts of one origin: first scalar per key, every item of list keys, with their source."""

    scalars: dict[str, FactValue] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    origin: dict[str, tuple[str, Fact]] = field(default_factory=dict)  # key -> (url, first fact)
    contacts: ContactBook = field(default_factory=ContactBook)  # what a summary may name as a contact

    @classmethod
    def gather(cls, extractions: Sequence[Extraction]) -> OriginFacts:
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
        elif key == "address" and isinstance(value, str):  # a second office: one of the locations
            bucket = self.lists.setdefault("locations", [])
            main = _postcode_like(str(self.scalars[key]))
            if value not in bucket and value != self.scalars[key] and not (main and main & _postcode_like(value)):
                bucket.append(value)  # the same office written twice ("..., GB" and "..., United Kingdom") is one
            self.origin.setdefault("locations", (url, fact))
            return
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
        """True when the fact behind this key was marked approximate, or its value or evidence reads like "86.4K"."""
        origin = self.origin.get(key)
        if origin is None:
            return False
        fact = origin[1]
        if fact.approximate or (isinstance(fact.value, str) and _ABBREVIATED.search(fact.value)):
            return True
        # An integer 1200 whose evidence reads "1.2k followers" is a rounded figure, not an exact one.
        value = self.count(key)
        return value is not None and any(
            _ABBREVIATED.search(raw) and float(value) in readings for raw, readings in number_mentions(fact.evidence)
        )
