"""Grounding: every payload value and every summary sentence must be traceable to the facts.

Structural checks that hold for any phrasing of an injected instruction (agent.condense.safety's
patterns are only the first line):

- a key must be a known one (agent.condense.keys) or the key of an extracted fact: "next_step" or
  "payment_address" proposed by a model that obeyed the page is dropped;
- a value must be supported by facts of the same or a compatible key (agent.condense.corpus): a
  number must equal one stated there; a string must occur there as whole words, or every name and
  number in it must occur there and most of its other words too (only grammatical words are exempt).
  A value made only of template words ("Personal Website", "Team Member") must be the whole value of
  such a fact. The source's label supports no value, only a summary sentence naming the source. Free
  page text alone supports nothing except short, exact phrases listed under qualitative keys (skills,
  interests, focus_areas, technologies ...);
- an email, URL or phone number anywhere must equal a contact the sources state as a contact
  (agent.condense.contacts); a bio or description copied verbatim from its fact may keep its links;
- each summary sentence must be supported by the facts (names, numbers, most words), so a sentence
  made of page text alone is dropped, and text that reads like instructions is never kept.

Unsupported values and sentences are dropped and listed, as is what cleaning cut from the sources;
nothing is posted silently. source_url, source_urls and retrieved_at are exempt (they come from the
fetch, not the page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from agent.condense.contacts import PROSE_KEYS
from agent.condense.corpus import FUNCTION_WORDS, GENERIC_WORDS, GLUE, Corpus
from agent.condense.keys import QUALITATIVE_KEYS, is_known_key, supporting_keys
from agent.condense.safety import looks_like_injection
from agent.condense.summaries import offline_summary
from agent.condense.text import split_sentences, terms
from agent.models import Extraction, Provenance

__all__ = ["GLUE", "Corpus", "Grounding", "ground"]

_EXEMPT = {"source_url", "source_urls", "retrieved_at"}
_FREE_TEXT = {"bio", "description", "headline"}  # prose values: unsupported sentences are cut, not the whole
_CONTACT_KEYS = ("website", "email", "phone")
# A page-text phrase may support a qualitative list item only when it is this short: a tag, not a claim.
_PAGE_PHRASE_CHARS = 60
_PAGE_PHRASE_WORDS = 6


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


class _Grounder:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.fact_keys = corpus.fact_keys
        self.unsupported: list[str] = []
        self.provenance: dict[str, Provenance] = {}
        self.checked = 0
        self.kept = 0

    def value(self, key: str, value: Any) -> Any:
        if not is_known_key(key) and key not in self.fact_keys:
            # Whatever its value, a key nobody extracted is the shape an obeyed injection takes.
            self.checked += 1
            self.unsupported.append(f"{key}={value!r:.100}: {key!r} is not a known key and no fact has it")
            return None
        if isinstance(value, list):
            kept = [item for item in (self._item(key, v, listed=True) for v in value) if item is not None]
            return kept or None
        return self._item(key, value, listed=False)

    def _item(self, key: str, value: Any, listed: bool) -> Any:
        self.checked += 1
        what = f"{key} item {value!r:.100}" if listed else f"{key}={value!r:.100}"
        value, problem = self._screen(key, value, listed)
        if problem:
            self.unsupported.append(f"{what}: {problem}")
            return None
        found = self._support(key, value, listed)
        if found is None:
            self.unsupported.append(f"{what}: not found in the sources")
            return None
        self.kept += 1
        self.provenance.setdefault(key, found)
        return value

    def _screen(self, key: str, value: Any, listed: bool) -> tuple[Any, str | None]:
        """The value (prose with unvetted sentences cut) and a reason to drop it, if any."""
        if not isinstance(value, str):
            return value, None
        if key in _FREE_TEXT:
            if looks_like_injection(value) or self.corpus.contacts.unvetted(value):
                value = self._cut_sentences(key, value)
            return value, None if value else "nothing left after cutting instructions and unvetted contacts"
        if looks_like_injection(value):
            return value, "reads like an instruction or hidden data, not a profile value"
        qualitative_item = listed and key in QUALITATIVE_KEYS  # "socket.io" is a technology, not a link
        unvetted = self.corpus.contacts.unvetted(value, with_domains=not qualitative_item)
        if unvetted:
            return value, f"{unvetted[0]!r:.80} is not an email, website, phone or link the sources state"
        return value, None

    def _cut_sentences(self, key: str, text: str) -> str:
        """Prose without sentences that instruct or hold unvetted contacts (links copied verbatim may stay)."""
        same_key = frozenset({key})
        kept = []
        for sentence in split_sentences(text):
            unvetted = self.corpus.contacts.unvetted(sentence)
            verbatim_links = (
                unvetted
                and self.corpus.contacts.urls_only(unvetted)
                and self.corpus.locate(sentence, same_key, key) is not None
            )
            if looks_like_injection(sentence):
                self.unsupported.append(f"{key} sentence {sentence!r:.120}: reads like an instruction, cut")
            elif unvetted and not verbatim_links:
                self.unsupported.append(
                    f"{key} sentence {sentence!r:.120}: {unvetted[0]!r:.80} is not a contact the sources state, cut"
                )
            else:
                kept.append(sentence)
        return " ".join(kept)

    def _support(self, key: str, value: Any, listed: bool) -> Provenance | None:
        corpus = self.corpus
        keys = supporting_keys(key, self.fact_keys)
        if isinstance(value, bool):
            source = next((k for k in sorted(keys) if corpus.bools.get(k) is value), None)
            return Provenance(url=corpus.urls[0], evidence=f"fact {source}={str(value).lower()}") if source else None
        if isinstance(value, (int, float)):
            return corpus.locate_number(float(value), keys) if float(value) in corpus.index(keys).numbers else None
        text = str(value)
        if key in _CONTACT_KEYS or key.endswith(("_url", "_link", "_email", "_phone")):
            return self._contact(text)
        if _generic(text):
            # "Team Member", "Company Headquarters": template words state no fact, whatever facts contain
            # them; only a fact whose whole value is this text supports it.
            return corpus.stated(text, keys, key)
        exact = corpus.locate(text, keys, key)
        if exact is not None:
            return exact
        if not corpus.index(keys).claim_gaps(text, share=0.75, value=True):
            return Provenance(
                url=corpus.urls[0],
                evidence=f"every name, number and most words of {text!r:.80} "
                f"occur in facts ({', '.join(sorted(keys & self.fact_keys))})",
            )
        if listed and key in QUALITATIVE_KEYS and _short_phrase(text):
            # Decision: a short qualitative tag the page states verbatim ("plain language") may be listed;
            # it cannot carry a contact, an instruction or a claim about the person beyond the tag.
            return corpus.in_page(text)
        return None

    def _contact(self, text: str) -> Provenance | None:
        """A website, email or phone value: exactly one contact, and one the sources state as such."""
        found = self.corpus.contacts.unvetted(text) == [] and self.corpus.contacts.allows(text.strip())
        if not found:
            return None
        located = self.corpus.locate(text, frozenset(self.fact_keys) - PROSE_KEYS)
        return located or Provenance(url=self.corpus.urls[0], evidence="a contact link of the page")

    def summary(self, summary: Any) -> str:
        kept: list[str] = []
        facts = self.corpus.summary_index()  # the source's label may be named here, never in a value
        for sentence in split_sentences(str(summary)):
            self.checked += 1
            unvetted = self.corpus.contacts.unvetted(sentence)
            if looks_like_injection(sentence):
                reason = "reads like an instruction or hidden data"
            elif unvetted:
                reason = f"{unvetted[0]!r:.80} is not a contact the sources state"
            else:
                gaps = facts.claim_gaps(sentence)
                reason = f"{', '.join(gaps[:6])} not in the sources" if gaps else ""
            if reason:
                self.unsupported.append(f"summary sentence {sentence!r:.160}: {reason}")
                continue
            self.kept += 1
            kept.append(sentence)
        return " ".join(kept)


def _generic(text: str) -> bool:
    """True when every word of the text but grammatical ones is template vocabulary (or there is none)."""
    return all(word in GENERIC_WORDS for word in terms(text) if word not in FUNCTION_WORDS)


def _short_phrase(text: str) -> bool:
    return len(text) <= _PAGE_PHRASE_CHARS and len(text.split()) <= _PAGE_PHRASE_WORDS


def ground(
    payload: Mapping[str, Any],
    extractions: Sequence[Extraction],
    fallback_summary: str | Callable[[], str] | None = None,
) -> Grounding:
    """Drop what the sources do not support; rebuild an emptied summary from the offline template."""
    if not extractions:
        return Grounding(payload=dict(payload), unsupported=["no sources to ground against"])
    corpus = Corpus.from_extractions(extractions)
    grounder = _Grounder(corpus)
    grounder.unsupported += list(dict.fromkeys(corpus.notes))
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
    return Grounding(
        payload=payload_out,
        provenance={k: provenance[k] for k in payload_out if k in provenance},
        unsupported=grounder.unsupported,
        checked=grounder.checked,
        kept=grounder.kept,
    )


def _exempt(key: str, value: Any, corpus: Corpus, grounder: _Grounder) -> Any:
    if key != "source_urls" or not isinstance(value, list):
        return value
    kept = [u for u in value if u in corpus.urls]
    grounder.unsupported += [
        f"source_urls item {u!r:.100}: not one of the fetched URLs" for u in value if u not in corpus.urls
    ]
    return kept


def _fallback(fallback: str | Callable[[], str] | None, extractions: Sequence[Extraction], grounder: _Grounder) -> str:
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
    words = set(terms(summary))
    keys = []
    for blob in corpus.blobs:
        if blob.key and blob.key not in keys and words & set(terms(blob.text)) - GLUE:
            keys.append(blob.key)
    evidence = f"from facts: {', '.join(keys)}" if keys else "from the source's facts"
    return Provenance(url=corpus.urls[0], evidence=evidence)
