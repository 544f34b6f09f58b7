"""Grounding: every payload value and every summary sentence must be traceable to the sources.

The corpus is the extractions' facts (values and evidence) and their bounded text, after removing
injected instructions, fake JSON and credentials (agent.condense.safety). A number must equal a
number stated there; a string must occur there, or every name and number in it must occur there and
most of its other words too; a summary sentence likewise. Unsupported values and sentences are
dropped and listed, never posted silently. source_url, source_urls and retrieved_at are exempt
(they come from the fetch, not the page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from agent.condense.kinds import clean_fact_value
from agent.condense.safety import sanitise_text
from agent.condense.summaries import offline_summary
from agent.condense.text import normalise, number_mentions, numbers_in, split_sentences, stem, tokens
from agent.models import Extraction, Provenance

__all__ = ["GLUE", "Corpus", "Grounding", "ground"]

# Connective and template vocabulary: words that state no fact of their own, so a sentence need not
# find them in the sources ("works as", "based in", "followers"). Names and numbers are always checked.
GLUE = frozenset("""
a an the and or but nor of in on at to for from by with as is are was were be been being has have had
do does did who whose whom which that this these those it its he she they them their theirs his her
hers him we our us i my me you your also currently based work works worked working profile profiles
page public account accounts user users list lists listed describe describes described include includes
including included among about over more than around approximately nearly some several many while where
since known role company companies organization organisation organizations organisations person people
team member members followers follower following follows connections connection posts post repositories
repository stars star employees employee founded headquartered headquarters located location bio website
websites personal site homepage joined pinned studied education experience skills skill interests
interest languages language products product specialties specialty industry size according has not
headline github linkedin twitter x one two three
""".split())
_CONTENT_SHARE = 0.6  # share of ordinary words a claim must find in the sources (names: all of them)
_EXEMPT = {"source_url", "source_urls", "retrieved_at"}


class Grounding(BaseModel):
    """The grounded payload, where each key came from, and what was dropped as unsupported."""

    payload: dict[str, Any]
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    unsupported: list[str] = Field(default_factory=list)
    checked: int = 0  # values and summary sentences checked (exempt keys not counted)
    kept: int = 0

    @property
    def share(self) -> float:
        """Share of checked values and sentences that were supported (1.0 when nothing was checked)."""
        return self.kept / self.checked if self.checked else 1.0


@dataclass
class _Blob:
    url: str
    text: str  # display form (whitespace collapsed)
    norm: str
    evidence: str | None = None  # the fact's own evidence, when the blob is a fact value
    key: str | None = None


@dataclass
class Corpus:
    """What the sources say, cleaned of injected content, ready for lookups."""

    blobs: list[_Blob] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    bools: dict[str, bool] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)

    @classmethod
    def from_extractions(cls, extractions: Sequence[Extraction]) -> "Corpus":
        """Build the corpus from the extractions' facts, evidence, text and source label."""
        corpus = cls()
        for ex in extractions:
            corpus.urls.append(ex.url)
            corpus._add_words(ex.profile_source)
            for fact in ex.facts:
                corpus._add_fact(ex.url, fact.key, fact.value, fact.evidence)
            text, _ = sanitise_text(ex.text)
            for line in text.splitlines():
                corpus._add(_Blob(ex.url, " ".join(line.split()), normalise(line)))
        return corpus

    def _add_fact(self, url: str, key: str, value: Any, evidence: str) -> None:
        value = clean_fact_value(value)
        clean_evidence = clean_fact_value(evidence) if evidence else None
        if isinstance(value, bool):
            self.bools.setdefault(key, value)
            return
        items = value if isinstance(value, list) else [] if value is None else [value]
        for item in items:
            if isinstance(item, (int, float)):
                self.numbers.add(float(item))
                item = str(item)
            self._add(_Blob(url, str(item), normalise(str(item)), str(clean_evidence or ""), key))
        if isinstance(clean_evidence, str):
            self._add(_Blob(url, clean_evidence, normalise(clean_evidence), clean_evidence, key))

    def _add(self, blob: _Blob) -> None:
        if blob.norm:
            self.blobs.append(blob)
            self._add_words(blob.text)
            self.numbers |= numbers_in(blob.text)

    def _add_words(self, text: str) -> None:
        for token in tokens(text):
            self.words.add(token)
            self.words.update(p for p in re.split(r"[-.&'’+]", token) if p)
            self.stems.add(stem(token))

    def locate(self, text: str, key: str | None = None) -> Provenance | None:
        """Where this exact text (normalised) occurs: a fact of the same key first, then any fact, then the page."""
        needle = normalise(text).rstrip(".…")
        if not needle:
            return None
        best: tuple[int, Provenance] | None = None
        for blob in self.blobs:
            at = blob.norm.find(needle)
            if at < 0:
                continue
            rank = 0 if blob.key == key and key else 1 if blob.key else 2
            if best is None or rank < best[0]:
                best = (rank, Provenance(url=blob.url, evidence=blob.evidence or _snippet(blob, at, len(needle))))
                if rank == 0:
                    break
        return best[1] if best else None

    def locate_number(self, number: float) -> Provenance | None:
        """The first fact or line stating this number."""
        for blob in self.blobs:
            if number in numbers_in(blob.text):
                return Provenance(url=blob.url, evidence=blob.evidence or _snippet(blob, 0, 160))
        return None

    def claim_gaps(self, claim: str, share: float = _CONTENT_SHARE) -> list[str]:
        """What a claim says that the sources do not: missing names/numbers, or too many other words."""
        missing = [raw for raw, readings in number_mentions(claim) if not readings & self.numbers]
        # Same token shape as the corpus ("4PQvCs" stays whole); digit-only tokens are numbers, checked above.
        words = [w for w in re.findall(r"[^\W_][\w'’.&+#-]*", claim) if any(c.isalpha() for c in w)]
        content: list[str] = []
        for word in words:
            token = tokens(word)
            if not token or token[0] in GLUE:
                continue
            if word[0].isupper() or any(c.isupper() for c in word[1:]):
                if not self._has_word(token[0]):
                    missing.append(word.strip(".,;:"))
            elif len(token[0]) >= 4:
                content.append(token[0])
        unknown = [w for w in content if not self._has_word(w) and stem(w) not in self.stems]
        if content and (len(content) - len(unknown)) / len(content) < share:
            missing += unknown
        return missing

    def _has_word(self, token: str) -> bool:
        if token in self.words:
            return True
        parts = [p for p in re.split(r"[-.&'’+]", token) if p]
        return bool(parts) and all(p in self.words or p in GLUE for p in parts)


def _snippet(blob: _Blob, at: int, length: int, width: int = 60) -> str:
    source = blob.text if len(blob.text) == len(blob.norm) else blob.norm
    start, end = max(0, at - width), min(len(source), at + length + width)
    return ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")


class _Grounder:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.unsupported: list[str] = []
        self.provenance: dict[str, Provenance] = {}
        self.checked = 0
        self.kept = 0

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, list):
            kept = [item for item in value if self._item(key, item, listed=True)]
            return kept or None
        return value if self._item(key, value, listed=False) else None

    def _item(self, key: str, value: Any, listed: bool) -> bool:
        self.checked += 1
        found = self._support(key, value)
        if found is None:
            what = f"{key} item {value!r:.100}" if listed else f"{key}={value!r:.100}"
            self.unsupported.append(f"{what}: not found in the sources")
            return False
        self.kept += 1
        self.provenance.setdefault(key, found)
        return True

    def _support(self, key: str, value: Any) -> Provenance | None:
        corpus = self.corpus
        if isinstance(value, bool):
            if corpus.bools.get(key) is value:
                return Provenance(url=corpus.urls[0], evidence=f"fact {key}={str(value).lower()}")
            return None
        if isinstance(value, (int, float)):
            return corpus.locate_number(float(value)) if float(value) in corpus.numbers else None
        text = str(value)
        exact = corpus.locate(text, key)
        if exact is not None:
            return exact
        if not corpus.claim_gaps(text, share=0.75):
            return Provenance(url=corpus.urls[0], evidence=f"every name, number and most words of {text!r:.80} "
                                                           "occur in the sources")
        return None

    def summary(self, summary: Any) -> str:
        kept: list[str] = []
        for sentence in split_sentences(str(summary)):
            self.checked += 1
            gaps = self.corpus.claim_gaps(sentence)
            if gaps:
                self.unsupported.append(f"summary sentence {sentence!r:.160}: {', '.join(gaps[:6])} "
                                        "not in the sources")
                continue
            self.kept += 1
            kept.append(sentence)
        return " ".join(kept)


def ground(payload: Mapping[str, Any], extractions: Sequence[Extraction],
           fallback_summary: str | Callable[[], str] | None = None) -> Grounding:
    """Drop what the sources do not support; rebuild an emptied summary from the offline template."""
    if not extractions:
        return Grounding(payload=dict(payload), unsupported=["no sources to ground against"])
    corpus = Corpus.from_extractions(extractions)
    grounder = _Grounder(corpus)
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key in _EXEMPT:
            out[key] = _exempt(key, value, corpus, grounder)
        elif key == "summary":
            out[key] = grounder.summary(value)
        else:
            out[key] = grounder.value(key, value)
    if "summary" in payload and not out.get("summary"):
        out["summary"] = _fallback(fallback_summary, extractions, grounder)
    payload_out = {k: v for k, v in out.items() if v not in (None, "", [])}
    provenance = dict(grounder.provenance)
    if "summary" in payload_out:
        provenance["summary"] = _summary_provenance(payload_out["summary"], corpus)
    for key in _EXEMPT & payload_out.keys():
        provenance[key] = Provenance(url=corpus.urls[0], evidence="the fetch of this source, not its content")
    return Grounding(payload=payload_out, provenance={k: provenance[k] for k in payload_out if k in provenance},
                     unsupported=grounder.unsupported, checked=grounder.checked, kept=grounder.kept)


def _exempt(key: str, value: Any, corpus: Corpus, grounder: _Grounder) -> Any:
    if key != "source_urls" or not isinstance(value, list):
        return value
    kept = [u for u in value if u in corpus.urls]
    grounder.unsupported += [f"source_urls item {u!r:.100}: not one of the fetched URLs" for u in value
                             if u not in corpus.urls]
    return kept


def _fallback(fallback: str | Callable[[], str] | None, extractions: Sequence[Extraction],
              grounder: _Grounder) -> str:
    if callable(fallback):
        text = fallback()
    elif fallback:
        text = fallback
    else:
        text = offline_summary(extractions[0].profile_source, extractions)
    grounder.unsupported.append("summary: no sentence was supported; rebuilt it from the facts")
    # The template only restates facts, but check it like any other summary.
    rebuilt = grounder.summary(text)
    return rebuilt or f"This is a public {extractions[0].profile_source} profile."


def _summary_provenance(summary: str, corpus: Corpus) -> Provenance:
    words = set(tokens(summary))
    keys = []
    for blob in corpus.blobs:
        if blob.key and blob.key not in keys and words & set(tokens(blob.text)) - GLUE:
            keys.append(blob.key)
    evidence = f"from facts: {', '.join(keys)}" if keys else "from the page text"
    return Provenance(url=corpus.urls[0], evidence=evidence)
