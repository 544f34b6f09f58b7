"""Offline summary templates: 1-3 factual sentences per source kind, built only from facts.

Zyntro's best practices, in order: who the contact is (name, role and organisation, location; for an
organisation what it is, where and since when), then what stands out (a count, a focus, products),
then a bio or description sentence only when it adds something not already said. No fact is stated
twice, a bio is never labelled "Bio:", and a bio of a word or two ("Husband.") is left to the payload.

Every word a template adds is either a fact value or plain connective vocabulary that the grounding
check knows (agent.condense.corpus.GLUE), so an offline summary always passes grounding. A sentence
of a bio or description that names a link, email or phone number no contact fact states is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from agent.condense.corpus import GLUE
from agent.condense.kinds import OriginFacts, source_kind, source_subject
from agent.condense.rules import MAX_SUMMARY_CHARS, MAX_SUMMARY_SENTENCES
from agent.condense.text import format_int, normalise, split_sentences, stem, terms, truncate_words
from agent.models import Extraction, SourceKind

__all__ = ["offline_summary", "summary_sentences"]

# A bio shorter than this says too little for a sentence of its own ("Husband.", "Compiler hobbyist.").
_MIN_BIO_WORDS = 4
# A bio sentence whose content words are at least this share already said repeats the summary.
_SAID_SHARE = 0.5
_BIO_CHARS = 180  # leaves room for the who and what-stands-out sentences within MAX_SUMMARY_CHARS
_FIRST_PERSON = {"i", "i'm", "i’m", "me", "my", "we", "we're", "our"}
_HEADLINE_PARTS = re.compile(r"\s+[|•·–—]\s+|\s+-\s+")


def offline_summary(profile_source: str, extractions: Sequence[Extraction]) -> str:
    """The offline summary of one origin: never empty, at most 3 sentences and ~400 characters."""
    bag = OriginFacts.gather(extractions)
    return _fit(summary_sentences(source_kind(extractions), bag, profile_source, source_subject(extractions)))


def summary_sentences(kind: SourceKind, bag: OriginFacts, label: str, subject: str = "unknown") -> list[str]:
    """Candidate summary sentences for a source kind, most important first."""
    build = _organization if kind == "generic" and subject == "organization" else _TEMPLATES.get(kind, _generic)
    sentences = [s for s in build(bag, label or "public") if s]
    return sentences or [f"This is a public {label or 'web'} profile."]


def _fit(candidates: list[str]) -> str:
    """The candidates in order that fit 3 sentences and ~400 characters (a bio may hold two sentences)."""
    chosen: list[str] = []
    for candidate in candidates:
        trial = " ".join([*chosen, candidate])
        if len(split_sentences(trial)) <= MAX_SUMMARY_SENTENCES and len(trial) <= MAX_SUMMARY_CHARS:
            chosen.append(candidate)
    return " ".join(chosen) or truncate_words(candidates[0], MAX_SUMMARY_CHARS)


# --- who ------------------------------------------------------------------------------------------


def _named(bag: OriginFacts) -> str | None:
    """The subject, with its handle when both exist: "Ada Lovelace (@ada)"; None when neither does."""
    name, handle = bag.text("name"), bag.text("handle")
    handle = handle.lstrip("@") if handle else None
    if name and handle and handle.lower() != name.lower():
        return f"{name} (@{handle})"
    return name or (f"@{handle}" if handle else None)


def _where(bag: OriginFacts) -> str:
    place = bag.text("location") or bag.text("headquarters")
    return f", based in {place}" if place else ""


def _role(bag: OriginFacts) -> str | None:
    """The predicate: "is Head of Sales at Brightwater", "is a Researcher", "works at Brightwater", or None."""
    title = bag.text("job_title") or _headline_role(bag)
    employer = bag.text("employer")
    employer = employer.lstrip("@") if employer else None
    if title and employer and not _content(employer) <= _content(title):  # "Engineer at Acme" names it
        return f"is {_titled(title)} at {employer}"
    if title:
        return f"is {_titled(title)}"
    return f"works at {employer}" if employer else None


def _headline_role(bag: OriginFacts) -> str | None:
    """The headline's first part when it reads as a role ("Staff Engineer at Acme"), not a slogan."""
    headline = bag.text("headline")
    if not headline or bag.contacts.unvetted(headline):
        return None
    part = _HEADLINE_PARTS.split(headline.strip())[0].strip().rstrip(".")
    words = part.split()
    if not words or _FIRST_PERSON & set(terms(part)) or words[0].lower().endswith("ing") or part.endswith("?"):
        return None
    # "Title at Organisation" is the LinkedIn convention; a short phrase is a title too ("Researcher").
    return part if len(words) <= 5 or (" at " in part and len(words) <= 12) else None


def _titled(title: str) -> str:
    """A one-word title gets its article ("a Researcher"); "Head of Sales" and "CEO" read well bare."""
    if title.isalpha() and not title.isupper():
        return f"{_article(title)} {title}"
    return title


def _who(bag: OriginFacts) -> str | None:
    """Sentence 1 for a person: "Ada Lovelace is Head of Sales at Brightwater, based in Berlin."."""
    named, role = _named(bag), _role(bag)
    return f"{named} {role}{_where(bag)}." if named and role else None


def _org_line(bag: OriginFacts, label: str, noun: str) -> str | None:
    """Sentence 1 for an organisation: name, what it is, where, since when."""
    industry, founded = bag.text("industry"), bag.count("founded")
    what = f"{_article(industry)} {industry} {noun}" if industry else _a(noun)
    place = bag.text("headquarters")
    where = f", headquartered in {place}" if place else _where(bag)
    since = f", founded in {founded}" if founded else ""
    name = _named(bag)
    if name:
        return f"{name} is {what}{where}{since}."
    return f"The {label} page describes {what}{where}{since}." if industry or where or since else None


# --- what stands out ------------------------------------------------------------------------------

_SINGULAR = {
    "followers": "follower",
    "posts": "post",
    "stars": "star",
    "employees": "employee",
    "public repositories": "public repository",
}
_FOCUS = ("interests", "skills", "specialties", "products")  # what a person works on, most personal first
_INCLUDE = {"education": "education includes", "pinned_repositories": "pinned repositories include"}


def _counts(bag: OriginFacts, pairs: list[tuple[str, str]]) -> str | None:
    """Counts as words, "about 1,300 followers and 64 public repositories"; zero stands out for nobody."""
    parts = []
    for key, noun in pairs:
        value = bag.count(key)
        if value:
            about = "about " if bag.approximate(key) else ""  # "86.4K" is not 86,400 exactly
            parts.append(f"{about}{format_int(value)} {noun if value != 1 else _SINGULAR.get(noun, noun)}")
    return _join(parts, limit=4) if parts else None


def _focus(bag: OriginFacts, keys: Sequence[str], besides: str = "") -> str | None:
    """A focus clause, "skills include C++ and Rust", from the first key with items `besides` does not name."""
    said = normalise(besides)
    for key in keys:
        items = [i for i in bag.lists.get(key, []) if not _mentions(said, i)]
        if items:
            return f"{_INCLUDE.get(key, key.replace('_', ' ') + ' include')} {_join(items)}"
    return None


def _mentions(said: str, item: str) -> bool:
    """True when normalised text names this item as whole words ("Go" is not in "Google")."""
    return re.search(rf"(?<!\w){re.escape(normalise(item))}(?!\w)", said) is not None


def _standout_and_about(
    bag: OriginFacts, first: str | None, keys: Sequence[str], counts: str | None, *texts: str | None
) -> tuple[str | None, str | None]:
    """What stands out (a focus, a count) and a bio sentence that adds to it, no item stated in both."""
    about = _fresh(bag, [first, _clauses(_focus(bag, keys), counts)], *texts)
    besides = " ".join(s for s in (first, about) if s)
    return _clauses(_focus(bag, keys, besides), counts), about


def _clauses(*parts: str | None) -> str | None:
    """Clauses joined into one sentence: "Skills include X; it has 85 employees."."""
    kept = [p for p in parts if p]
    if not kept:
        return None
    text = "; ".join(kept)
    return text[0].upper() + text[1:] + "."


def _fresh(bag: OriginFacts, said: Sequence[str | None], *texts: str | None) -> str | None:
    """The first sentence of these texts that adds to what is said: long enough, not mostly repeated."""
    known = _content(" ".join(s for s in said if s))
    for text in texts:
        for sentence in split_sentences(text or ""):
            words = _content(sentence)
            if (
                len(sentence.split()) < _MIN_BIO_WORDS
                or sentence.endswith("?")
                or not words
                or _repeats(sentence, known)
                or bag.contacts.unvetted(sentence)
            ):
                continue
            sentence = truncate_words(sentence, _BIO_CHARS)
            sentence = sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."
            # Someone's own words ("I design sound ...") are quoted, not passed off as the summary's voice.
            return f'"{sentence}"' if _FIRST_PERSON & set(terms(sentence)) else sentence
    return None


def _content(text: str) -> set[str]:
    """The stems of a text's content words (names, nouns, verbs), without template vocabulary."""
    return {stem(t) for t in terms(text) if t not in GLUE and not t.isdigit()}


def _repeats(text: str, known: set[str]) -> bool:
    """True when the text's content is mostly already said, or it adds fewer than two new words."""
    words = _content(text)
    return len(words - known) < min(2, len(words)) or len(words & known) >= _SAID_SHARE * len(words)


# --- words ----------------------------------------------------------------------------------------


def _join(items: list[str], limit: int = 3) -> str:
    items = items[:limit]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _a(word: str) -> str:
    """The word with its indefinite article: "a GitHub", "an Instagram"."""
    return f"{_article(word)} {word}"


def _platform_counts(bag: OriginFacts) -> str | None:
    return _counts(bag, [("followers_count", "followers"), ("posts_count", "posts")])


# --- templates per source kind --------------------------------------------------------------------


def _linkedin_person(bag: OriginFacts, label: str) -> list[str | None]:
    named = _named(bag)
    first = _who(bag) or (f"{named} has {_a(label)} profile{_where(bag)}." if named else None)
    counts = _counts(bag, [("followers_count", "followers")])
    connections = bag.text("connections")
    if connections and connections.strip() not in {"0", "0+"}:
        counts = f"{counts} and {connections} connections" if counts else f"{connections} connections"
    standout, about = _standout_and_about(
        bag,
        first,
        ("skills", "specialties", "interests"),
        f"the {label} profile lists {counts}" if counts else None,
        bag.text("bio"),
        bag.text("headline"),
    )
    education = _clauses(_focus(bag, ("education",)))
    return [first, standout, about, education]


def _social(bag: OriginFacts, label: str) -> list[str | None]:
    """X/Twitter, Bluesky, Instagram ...: who is there and how many follow them."""
    named, who, counts = _named(bag), _who(bag), _platform_counts(bag)
    if who:
        lead = f"On {label} they have {counts}." if counts else None
    else:
        place = bag.text("location")
        where = f", based in {place}," if place else ""
        lead = f"{named}{where} is on {label}" + (f" with {counts}." if counts else ".") if named else None
    focus, about = _standout_and_about(
        bag,
        " ".join(s for s in (who, lead) if s) or None,
        _FOCUS,
        None,
        bag.text("bio"),
        bag.text("headline"),
        bag.text("description"),
    )
    return [who, lead, about, focus]


def _github_user(bag: OriginFacts, label: str) -> list[str | None]:
    named = _named(bag)
    first = _who(bag) or (f"{named} is {_a(label)} user{_where(bag)}." if named else None)
    counts = _counts(
        bag, [("repositories_count", "public repositories"), ("followers_count", "followers"), ("stars_count", "stars")]
    )
    standout = _clauses(
        f"on {label} they have {counts}" if counts else None, _focus(bag, ("pinned_repositories", "skills"))
    )
    return [first, standout, _fresh(bag, [first, standout], bag.text("bio"))]


def _github_org(bag: OriginFacts, label: str) -> list[str | None]:
    named = _named(bag)
    first = f"{named} is {_a(label)} organization{_where(bag)}." if named else None
    about = _fresh(bag, [first], bag.text("description"), bag.text("bio"))
    counts = _counts(bag, [("repositories_count", "public repositories"), ("followers_count", "followers")])
    standout = _clauses(f"it has {counts}" if counts else None, _focus(bag, ("pinned_repositories",)))
    return [first, about, standout]


def _org_standout(bag: OriginFacts, said: str, on: str = "") -> str | None:
    """Products or specialties, and size: "Products include X and Y; it has 85 employees."."""
    size = _counts(bag, [("employees_count", "employees")])
    if size is None and bag.text("company_size"):
        text = bag.text("company_size") or ""
        size = text if "employee" in text.lower() else f"{text} employees"
    followers = _counts(bag, [("followers_count", "followers")]) if on else None
    counts = " and ".join(c for c in (size, followers) if c)
    # "Products include Audiense" under "Audiense is ..." names the company again, not a product.
    focus = _focus(bag, ("products", "specialties"), said)
    return _clauses(focus, f"it has {counts}{on}" if counts else None)


def _company(bag: OriginFacts, label: str, noun: str, on: str = "") -> list[str | None]:
    """An organisation: what it is, its description when that adds, then products and size."""
    first = _org_line(bag, label, noun)
    about = _fresh(bag, [first], bag.text("description"), bag.text("bio"))
    name = bag.text("name")
    if first and about and name and first.endswith(f" is {_a(noun)}.") and about.startswith(name):
        first = None  # "Acme is a company. Acme builds robots.": the description says who, and better
    return [first, about, _org_standout(bag, " ".join(s for s in (first, about) if s), on)]


def _linkedin_company(bag: OriginFacts, label: str) -> list[str | None]:
    return _company(bag, label, "company", f" on {label}")


def _company_website(bag: OriginFacts, label: str) -> list[str | None]:
    return _company(bag, label, "company")


def _organization(bag: OriginFacts, label: str) -> list[str | None]:
    return _company(bag, label, "organization")


def _personal_website(bag: OriginFacts, label: str) -> list[str | None]:
    named = _named(bag)
    first = _who(bag) or (f"{named} has a personal website{_where(bag)}." if named else None)
    standout, about = _standout_and_about(
        bag, first, _FOCUS, None, bag.text("bio"), bag.text("headline"), bag.text("description")
    )
    return [first, standout, about]


def _generic(bag: OriginFacts, label: str) -> list[str | None]:
    named = _named(bag)
    first = _who(bag) or (f"{named} has {_a(label)} profile{_where(bag)}." if named else None)
    counts = _platform_counts(bag)
    standout, about = _standout_and_about(
        bag,
        first,
        _FOCUS,
        f"the profile lists {counts}" if counts else None,
        bag.text("bio"),
        bag.text("headline"),
        bag.text("description"),
    )
    return [first, standout, about]


_TEMPLATES: dict[str, Callable[[OriginFacts, str], list[str | None]]] = {
    "linkedin_person": _linkedin_person,
    "linkedin_company": _linkedin_company,
    "twitter": _social,
    "social_profile": _social,
    "github_user": _github_user,
    "github_org": _github_org,
    "company_website": _company_website,
    "personal_website": _personal_website,
    "generic": _generic,
}
