"""What the sources say, split by trust: extracted facts (by key) apart from the free page text.

Facts are the extractors' values and evidence, each under its key, with injected instructions, fake
JSON and credentials cut (agent.condense.kinds.scrub_fact_value). The page text is kept apart,
cleaned the same way, because anyone can write anything there: grounding checks values against the
facts of a compatible key and summary sentences against the facts, and uses the page text only for
short qualitative phrases (agent.condense.grounding). What the cleaning cut is kept in `notes`.
Facts under special-category or credential keys (political_party, health_status, api_key ...) are
left out: they support no value and no summary sentence. The source's label supports only summary
sentences (summary_index), never a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.condense.contacts import ContactBook
from agent.condense.kinds import scrub_fact_value
from agent.condense.safety import is_secret_key, redact_secrets, sanitise_text, secret_in, special_category_key
from agent.condense.text import normalise, number_mentions, numbers_in, stem, terms
from agent.models import Extraction, Provenance

__all__ = ["FUNCTION_WORDS", "GENERIC_WORDS", "GLUE", "Corpus", "WordIndex"]

# Grammatical words: they state nothing, so no claim or value needs to find them in the sources.
FUNCTION_WORDS = frozenset(
    """
a an the and or but nor of in on at to for from by with as is are was were be been being has have had
do does did who whose whom which that this these those it its he she they them their theirs his her
hers him we our us i my me you your also not
""".split()
)
# Template vocabulary: words a summary template or a paraphrase uses around the facts ("works as",
# "based in", "followers"). A summary sentence need not find them in the sources, but they state no
# fact either: a payload value made only of them ("Team Member", "Company Headquarters") is supported
# only by a fact stating exactly that value (agent.condense.grounding).
GENERIC_WORDS = frozenset(
    """
currently based work works worked working profile profiles
page public account accounts user users list lists listed describe describes described include includes
including included among about over more than around approximately nearly some several many while where
since known role company companies organization organisation organizations organisations person people
team member members followers follower following follows connections connection posts post repositories
repository stars star employees employee founded headquartered headquarters located location bio website
websites personal site homepage joined pinned studied education experience skills skill interests
interest languages language products product specialties specialty industry size according
headline x one two three
""".split()
)
# Words a summary sentence need not find in the sources. Platform names are not among them: a summary
# may name the source (its label, agent.condense.corpus.Corpus.summary_index), not any platform.
GLUE = FUNCTION_WORDS | GENERIC_WORDS
_CONTENT_SHARE = 0.6  # share of ordinary words a claim must find in the sources (names: all of them)
_MAX_NOTES = 5  # page lines quoted one by one in the report; more are counted
_SPLIT = re.compile(r"[-.&'’+]")
# A token shaped like a domain or handle ("evil.example", "pay-me.io"): checked like a name.
_NAME_SHAPED = re.compile(r"[^\W\d_][.@][^\W_]")


@dataclass
class _Blob:
    url: str
    text: str  # display form (whitespace collapsed)
    norm: str
    evidence: str | None = None  # the fact's own evidence, when the blob is a fact value
    key: str | None = None  # None: a line of page text
    is_value: bool = True  # False: the fact's evidence snippet, not its value


@dataclass
class WordIndex:
    """The words, stems and numbers of some texts, for checking whether a claim is stated there."""

    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)

    def add(self, text: str, numbers: bool = True) -> None:
        """Index a text's words (and its numbers, unless told not to)."""
        for token in terms(text):
            self.words.add(token)
            self.words.update(p for p in _SPLIT.split(token) if p)
            self.stems.add(stem(token))
        if numbers:
            self.numbers |= numbers_in(text)

    def claim_gaps(self, claim: str, share: float = _CONTENT_SHARE, *, value: bool = False) -> list[str]:
        """What a claim says that these texts do not: missing names/numbers, or too many other words.

        A summary sentence (value=False) may use template words (GLUE) freely. A payload value
        (value=True) must find every word but grammatical ones, however short, and a value with
        nothing to check ("the") is not supported at all.
        """
        skip = FUNCTION_WORDS if value else GLUE
        mentions = number_mentions(claim)
        missing = [raw for raw, readings in mentions if not readings & self.numbers]
        # Same token shape as the index ("4PQvCs" stays whole); digit-only tokens are numbers, checked above.
        words = [w for w in re.findall(r"[^\W_][\w'’.&+#-]*", claim) if any(c.isalpha() for c in w)]
        names: list[str] = []
        content: list[str] = []
        for word in words:
            token = terms(word)
            if not token or token[0] in skip:
                continue
            if word[0].isupper() or any(c.isupper() for c in word[1:]) or _NAME_SHAPED.search(word.strip(".")):
                names.append(token[0])
                if not self._has_word(token[0], skip):
                    missing.append(word.strip(".,;:"))
            elif value or len(token[0]) >= 4:
                content.append(token[0])
        unknown = [w for w in content if not self._has_word(w, skip) and stem(w) not in self.stems]
        if content and (len(content) - len(unknown)) / len(content) < share:
            missing += unknown
        if value and not (mentions or names or content):
            missing.append(claim)
        return missing

    def _has_word(self, token: str, skip: frozenset[str] = GLUE) -> bool:
        if token in self.words:
            return True
        parts = [p for p in _SPLIT.split(token) if p]
        return bool(parts) and all(p in self.words or p in skip for p in parts)


@dataclass
class Corpus:
    """The sources: facts by key, cleaned page lines, contacts, and what cleaning cut."""

    blobs: list[_Blob] = field(default_factory=list)  # fact values and evidence, each with its key
    page: list[_Blob] = field(default_factory=list)  # cleaned page text lines
    label: str = ""
    bools: dict[str, bool] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    contacts: ContactBook = field(default_factory=ContactBook)
    notes: list[str] = field(default_factory=list)  # instruction-like text cut from the sources
    _indexes: dict[tuple[frozenset[str] | None, bool], WordIndex] = field(default_factory=dict)

    @classmethod
    def from_extractions(cls, extractions: Sequence[Extraction]) -> Corpus:
        """Build the corpus from the extractions' facts, evidence, text and source label."""
        corpus = cls(contacts=ContactBook.from_extractions(extractions))
        corpus.label = " ".join(dict.fromkeys(e.profile_source for e in extractions))
        for ex in extractions:
            corpus.urls.append(ex.url)
            for fact in ex.facts:
                corpus._add_fact(ex.url, fact.key, fact.value, fact.evidence)
            text, removed = sanitise_text(ex.text)
            corpus._note("page text", removed, each=True)
            for line in text.splitlines():
                if line.strip():
                    corpus.page.append(_Blob(ex.url, " ".join(line.split()), normalise(line)))
        return corpus

    @property
    def fact_keys(self) -> set[str]:
        """Every key an extracted fact has."""
        return {b.key for b in self.blobs if b.key} | set(self.bools)

    def _add_fact(self, url: str, key: str, value: Any, evidence: str) -> None:
        if special_category_key(key) or is_secret_key(key):
            # Such a fact supports nothing: not its own key (removed anyway) and no summary sentence.
            self.notes.append(f"{key} fact: special-category data or a credential, never used")
            return
        value, removed = scrub_fact_value(value)
        clean_evidence, _ = scrub_fact_value(evidence) if evidence else (None, [])
        self._note(f"{key} fact", removed)
        if isinstance(value, bool):
            self.bools.setdefault(key, value)
            return
        items = value if isinstance(value, list) else [] if value is None else [value]
        for item in items:
            self._add(_Blob(url, str(item), normalise(str(item)), str(clean_evidence or ""), key))
        if isinstance(clean_evidence, str) and value is not None:
            self._add(_Blob(url, clean_evidence, normalise(clean_evidence), clean_evidence, key, is_value=False))

    def _add(self, blob: _Blob) -> None:
        if blob.norm:
            self.blobs.append(blob)

    def _note(self, where: str, removed: Iterable[str], *, each: bool = False) -> None:
        """Record what cleaning cut: one note per fact, or one per page line (up to _MAX_NOTES)."""
        cut = [text for text in removed if text.strip()]
        groups = [[c] for c in cut[:_MAX_NOTES]] if each else [cut] if cut else []
        for group in groups:
            # Credentials are never quoted, not even in a report about them.
            shown = "credential-like text" if secret_in(group[0]) else repr(redact_secrets(group[0])[:120])
            # In prose the sentence after an injected one is cut too (it often carries the payload).
            more = f" and {len(group) - 1} more sentence(s), each hostile or right after one" if len(group) > 1 else ""
            self.notes.append(
                f"{where}: cut text that reads like instructions or hidden data, never used: {shown}{more}"
            )
        if each and len(cut) > _MAX_NOTES:
            self.notes.append(f"{where}: cut {len(cut) - _MAX_NOTES} more line(s) like these")

    def index(self, keys: frozenset[str] | None = None) -> WordIndex:
        """The words and numbers of the facts with these keys (all facts when None): what supports a value."""
        return self._index(keys, label=False)

    def summary_index(self) -> WordIndex:
        """The words and numbers of all facts, and the source label (a summary may name its source)."""
        return self._index(None, label=True)

    def _index(self, keys: frozenset[str] | None, label: bool) -> WordIndex:
        if (keys, label) not in self._indexes:
            found = WordIndex()
            if label:
                found.add(self.label, numbers=False)
            for blob in self.blobs:
                if keys is None or blob.key in keys:
                    found.add(blob.text)
            self._indexes[(keys, label)] = found
        return self._indexes[(keys, label)]

    def locate(self, text: str, keys: frozenset[str], key: str | None = None) -> Provenance | None:
        """Where this text (normalised, as whole words) occurs in a fact with one of these keys, same key first."""
        needle = normalise(text).rstrip(".…")
        if not needle:
            return None
        pattern = _whole(needle)
        best: Provenance | None = None
        for blob in self.blobs:
            if blob.key not in keys:
                continue
            match = pattern.search(blob.norm)
            if match is None:
                continue
            found = Provenance(url=blob.url, evidence=blob.evidence or _snippet(blob, match.start(), len(needle)))
            if blob.key == key:
                return found
            best = best or found
        return best

    def stated(self, text: str, keys: frozenset[str], key: str | None = None) -> Provenance | None:
        """The fact with one of these keys whose whole value is this text (normalised), same key first."""
        needle = normalise(text).rstrip(".…")
        found = [b for b in self.blobs if b.is_value and b.key in keys and b.norm.rstrip(".…") == needle]
        found.sort(key=lambda b: b.key != key)
        return Provenance(url=found[0].url, evidence=found[0].evidence or found[0].text) if needle and found else None

    def locate_number(self, number: float, keys: frozenset[str]) -> Provenance | None:
        """The first fact with one of these keys stating this number."""
        for blob in self.blobs:
            if blob.key in keys and number in numbers_in(blob.text):
                return Provenance(url=blob.url, evidence=blob.evidence or _snippet(blob, 0, 160))
        return None

    def in_page(self, phrase: str) -> Provenance | None:
        """The page line where this phrase occurs as whole words, if any."""
        needle = normalise(phrase).rstrip(".…")
        if not needle:
            return None
        pattern = _whole(needle)
        for blob in self.page:
            match = pattern.search(blob.norm)
            if match:
                return Provenance(url=blob.url, evidence=_snippet(blob, match.start(), len(needle)))
        return None


def _whole(needle: str) -> re.Pattern[str]:
    """A pattern matching the needle as whole words only ("lin" is not in "berlin")."""
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")


def _snippet(blob: _Blob, at: int, length: int, width: int = 60) -> str:
    source = blob.text if len(blob.text) == len(blob.norm) else blob.norm
    start, end = max(0, at - width), min(len(source), at + length + width)
    return ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")
