"""Offline summary templates: 1-3 factual sentences per source kind, built only from facts.

Every word a template adds is either a fact value or plain connective vocabulary that the grounding
check knows (agent.condense.corpus.GLUE), so an offline summary always passes grounding. A sentence
of a bio or description that names a link, email or phone number no contact fact states is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent.condense.kinds import FactBag, SourceKind, source_kind
from agent.condense.rules import MAX_SUMMARY_CHARS, MAX_SUMMARY_SENTENCES
from agent.condense.text import format_int, split_sentences, truncate_words
from agent.models import Extraction

__all__ = ["offline_summary", "summary_sentences"]


def offline_summary(profile_source: str, extractions: Sequence[Extraction]) -> str:
    """The offline summary of one origin: never empty, at most 3 sentences and ~400 characters."""
    bag = FactBag.gather(extractions)
    kind = source_kind(profile_source, extractions)
    return _fit(summary_sentences(kind, bag, profile_source))


def summary_sentences(kind: SourceKind, bag: FactBag, label: str) -> list[str]:
    """Candidate summary sentences for a source kind, most important first."""
    build = _TEMPLATES.get(kind, _generic)
    sentences = [s for s in build(bag, label or "public") if s]
    return sentences or [f"This is a public {label or 'web'} profile."]


def _fit(sentences: list[str]) -> str:
    chosen: list[str] = []
    for sentence in sentences:
        if len(chosen) == MAX_SUMMARY_SENTENCES:
            break
        if len(" ".join([*chosen, sentence])) <= MAX_SUMMARY_CHARS:
            chosen.append(sentence)
    return " ".join(chosen) or truncate_words(sentences[0], MAX_SUMMARY_CHARS)


# --- pieces ---------------------------------------------------------------------------------------

def _subject(bag: FactBag, label: str) -> str:
    name, handle = bag.text("name"), bag.text("handle")
    if name:
        return name
    return f"@{handle.lstrip('@')}" if handle else f"This {label} profile"


def _named(bag: FactBag, label: str) -> str:
    """The subject with its handle when both exist: "Ada Lovelace (@ada)"."""
    name, handle = bag.text("name"), bag.text("handle")
    if name and handle and handle.lstrip("@").lower() != name.lower():
        return f"{name} (@{handle.lstrip('@')})"
    return _subject(bag, label)


def _first_sentence(bag: FactBag, text: str | None, limit: int = 200) -> str | None:
    """The first sentence that names no contact the sources do not state as one (a bio's stray links)."""
    if not text:
        return None
    sentences = [s for s in split_sentences(text) or [text] if not bag.contacts.unvetted(s)]
    if not sentences:
        return None
    first = truncate_words(sentences[0], limit)
    return first if first.endswith((".", "!", "?", "…")) else first + "."


def _join(items: list[str], limit: int = 3) -> str:
    items = items[:limit]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _where(bag: FactBag, key: str = "location", word: str = "based in") -> str:
    place = bag.text(key) or (bag.text("headquarters") if key == "location" else None)
    return f", {word} {place}" if place else ""


_SINGULAR = {"followers": "follower", "posts": "post", "stars": "star", "employees": "employee",
             "public repositories": "public repository"}


def _counts(bag: FactBag, pairs: list[tuple[str, str]]) -> str | None:
    parts = []
    for key, noun in pairs:
        value = bag.count(key)
        if value is not None:
            about = "about " if bag.approximate(key) else ""
            parts.append(f"{about}{format_int(value)} {noun if value != 1 else _SINGULAR.get(noun, noun)}")
    if not parts:
        return None
    return _join(parts, limit=4)


def _role(bag: FactBag) -> str | None:
    title, employer = bag.text("job_title"), bag.text("employer")
    employer = employer.lstrip("@") if employer else None
    if title and employer:
        return f"works as {title} at {employer}"
    if title:
        return f"works as {title}"
    if employer:
        return f"works at {employer}"
    return None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _a(word: str) -> str:
    """The word with its indefinite article: "a GitHub", "an Instagram"."""
    return f"{_article(word)} {word}"


def _org_line(bag: FactBag, label: str, noun: str) -> str:
    industry = bag.text("industry")
    what = f"{_article(industry)} {industry} {noun}" if industry else f"{_article(noun)} {noun}"
    founded = bag.count("founded")
    since = f", founded in {founded}" if founded else ""
    return f"{_subject(bag, label)} is {what}{_where(bag, 'headquarters', 'headquartered in')}{since}."


# --- templates per source kind --------------------------------------------------------------------

def _linkedin_person(bag: FactBag, label: str) -> list[str]:
    role = _role(bag)
    headline = _first_sentence(bag, bag.text("headline"), 160)
    if role:
        first = f"{_subject(bag, label)} {role}{_where(bag)}."
    elif headline:
        first = f"{_subject(bag, label)} has {_a(label)} profile{_where(bag)}. Headline: {headline}"
    else:
        first = f"{_subject(bag, label)} has {_a(label)} profile{_where(bag)}."
    education = bag.lists.get("education")
    skills = bag.lists.get("skills")
    middle = (f"Education includes {_join(education, 2)}." if education
              else f"Skills include {_join(skills)}." if skills else None)
    counts = _counts(bag, [("followers_count", "followers")])
    connections = bag.text("connections")
    if connections:
        counts = f"{counts} and {connections} connections" if counts else f"{connections} connections"
    return [first, middle, f"The {label} profile lists {counts}." if counts else None]


def _linkedin_company(bag: FactBag, label: str) -> list[str]:
    size = bag.text("company_size")
    counts = _counts(bag, [("employees_count", "employees"), ("followers_count", "followers")])
    tail = (f"Company size: {size}" + (f"; {counts} on {label}." if counts else ".")) if size else (
        f"It has {counts} on {label}." if counts else None)
    specialties = bag.lists.get("specialties")
    return [_org_line(bag, label, "company"), _first_sentence(bag, bag.text("description")), tail,
            f"Specialties include {_join(specialties)}." if specialties else None]


def _twitter(bag: FactBag, label: str) -> list[str]:
    first = f"{_named(bag, label)} has {_a(label)} account{_where(bag)}."
    counts = _counts(bag, [("followers_count", "followers"), ("following_count", "following"),
                           ("posts_count", "posts")])
    return [first, _bio(bag), f"The account has {counts}." if counts else None]


def _github_user(bag: FactBag, label: str) -> list[str]:
    role = _role(bag)
    first = f"{_named(bag, label)} is {_a(label)} user{_where(bag)}." if not role else (
        f"{_named(bag, label)} {role}{_where(bag)}, according to {label}.")
    counts = _counts(bag, [("repositories_count", "public repositories"), ("followers_count", "followers"),
                           ("stars_count", "stars")])
    pinned = bag.lists.get("pinned_repositories")
    work = f"They have {counts}" if counts else None
    if pinned:
        work = f"{work}; pinned repositories include {_join(pinned)}." if work else (
            f"Pinned repositories include {_join(pinned)}.")
    elif work:
        work += "."
    return [first, _bio(bag), work]


def _bio(bag: FactBag) -> str | None:
    bio = _first_sentence(bag, bag.text("bio"))
    return f"Bio: {bio}" if bio else None


def _github_org(bag: FactBag, label: str) -> list[str]:
    first = f"{_subject(bag, label)} is {_a(label)} organization{_where(bag)}."
    counts = _counts(bag, [("repositories_count", "public repositories"), ("followers_count", "followers")])
    pinned = bag.lists.get("pinned_repositories")
    return [first, _first_sentence(bag, bag.text("description") or bag.text("bio")),
            f"It has {counts}." if counts else None,
            f"Pinned repositories include {_join(pinned)}." if pinned else None]


def _company_website(bag: FactBag, label: str) -> list[str]:
    products = bag.lists.get("products")
    specialties = bag.lists.get("specialties")
    offer = (f"Products include {_join(products)}." if products
             else f"Specialties include {_join(specialties)}." if specialties else None)
    return [_org_line(bag, label, "company"), _first_sentence(bag, bag.text("description")), offer]


def _personal_website(bag: FactBag, label: str) -> list[str]:
    role = _role(bag)
    first = (f"{_subject(bag, label)} {role}{_where(bag)}." if role
             else f"{_subject(bag, label)} has a personal website{_where(bag)}.")
    about = _bio(bag) or _first_sentence(bag, bag.text("headline") or bag.text("description"))
    interests = bag.lists.get("interests") or bag.lists.get("skills")
    return [first, about, f"Interests include {_join(interests)}." if interests else None]


def _generic(bag: FactBag, label: str) -> list[str]:
    if bag.text("name") is None and bag.text("description") and bag.text("handle") is None:
        return [_first_sentence(bag, bag.text("description"))]
    role = _role(bag)
    first = (f"{_named(bag, label)} {role}{_where(bag)}." if role
             else f"{_named(bag, label)} has {_a(label)} profile{_where(bag)}.")
    counts = _counts(bag, [("followers_count", "followers"), ("following_count", "following"),
                           ("posts_count", "posts")])
    about = _bio(bag) or _first_sentence(bag, bag.text("headline") or bag.text("description"))
    return [first, about, f"The profile lists {counts}." if counts else None]


_TEMPLATES: dict[str, Callable[[FactBag, str], list[str | None]]] = {
    "linkedin_person": _linkedin_person,
    "linkedin_company": _linkedin_company,
    "twitter": _twitter,
    "github_user": _github_user,
    "github_org": _github_org,
    "company_website": _company_website,
    "personal_website": _personal_website,
    "generic": _generic,
}
