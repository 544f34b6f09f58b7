"""A person's own site without markup: who it belongs to and what they say about themselves.

Signals, each read from what the page prints (never from one site's layout):
- a self-introduction in a heading or the lead: "Hi, I'm Ada Lovelace, ... working at Acme";
- a site-wide byline: one distinct "By Ada Lovelace" outside the posts;
- the meta author, when the same name is a heading of the page (a sidebar's author card);
- labelled values: "From | Murcia, Spain", "Based in: Berlin";
- "I work as a data engineer", "I'm working as a Linux Kernel engineer" in the bio.
"""

from __future__ import annotations

import re

from extractors.facts import FactBag, clean, norm
from extractors.html import Document, element_text
from extractors.lines import text_lines
from extractors.meta import title_parts

__all__ = ["LOOKS_LIKE_NAME", "owner_name", "person_text_facts", "titled_role"]

_NAME = r"(?P<name>[A-ZÀ-Þ][\w'’.-]+(?:\s+(?:[A-ZÀ-Þ][\w'’.-]+|de|da|van|von|der|del|la|le)){0,3})"
_INTRO = re.compile(
    r"(?:^|\b)(?:I[’']m|I am|my name is|je suis|je m'appelle|ich bin|ich heiße|soy|me llamo|"
    r"sono|mi chiamo|ik ben|eu sou)\s+" + _NAME,
    re.U,
)
_BYLINE = re.compile(r"^(?:by|written by|von|por|par|di)\s+" + _NAME + r"$", re.I | re.U)
_WORKS_AT = re.compile(
    r"\b(?:work(?:ing|s)?|employed) (?:at|for)\s+(?P<org>[A-Z0-9][\w&.'’-]*(?:\s+[A-Z0-9][\w&.'’-]*){0,4})"
)
_ROLES = (
    r"(?:engineer|developer|designer|manager|consultant|researcher|scientist|writer|architect|analyst|"
    r"founder|director|lead|officer|photographer|teacher|professor|journalist|editor|producer|artist|"
    r"musician|programmer|specialist|advisor|coach|illustrator|author|translator|lawyer|attorney|"
    r"therapist|doctor|physician|nurse|accountant|animator|composer|filmmaker|maker|ceramicist|"
    r"entrepreneur|strategist|copywriter|speaker|economist|historian|curator|chef|craftsman|potter)"
)
_ROLE_WORD = re.compile(r"\b" + _ROLES + r"s?\b", re.I)
_WORKS_AS = re.compile(
    r"\b(?:work(?:ing|s)? as|I[’']m an?|I am an?)\s+(?:an?\s+)?(?P<role>(?:[\w-]+\s+){0,4}?" + _ROLES + r")\b", re.I
)
_ORG_NAME = r"(?P<org>[A-Z0-9][\w&.'’-]*(?:\s+(?:[A-Z0-9&][\w&.'’-]*|of|for|and|de|la))*)"
_AT_ORG = re.compile(r"\s+(?:at|for|with|bei|chez)\s+" + _ORG_NAME)
_LIVES_IN = re.compile(
    r"\b(?:based in|live in|living in|lives in|located in)\s+(?P<place>[A-ZÀ-Þ][\w'’.-]+"
    r"(?:,?\s+[A-ZÀ-Þ][\w'’.-]+){0,3})"
)
_BYLINE_LINES = 12  # a site-wide byline sits in the header; "By X" further down is a post's
LOOKS_LIKE_NAME = re.compile(r"^[A-ZÀ-Þ][\w'’.-]+(?: [A-ZÀ-Þ][\w'’.-]+){1,3}$")


def _headings(doc: Document) -> list[str]:
    return [element_text(h) for h in doc.xpath("//h1 | //h2 | //h3")[:40]]


def _intro(doc: Document) -> tuple[str, str] | None:
    for text in [*_headings(doc)[:10], *text_lines(doc)[:30]]:
        match = _INTRO.search(text)
        if match and len(match.group("name").split()) >= 2:
            return match.group("name").rstrip(".,"), text
    return None


def _byline(doc: Document) -> tuple[str, str] | None:
    """One distinct 'By Ada Lovelace' in the page's header lines (a site-wide byline), else None."""
    names: dict[str, str] = {}
    for line in text_lines(doc)[:_BYLINE_LINES]:
        match = _BYLINE.match(line) if len(line) <= 40 else None
        if match and LOOKS_LIKE_NAME.match(match.group("name")):
            names.setdefault(match.group("name"), line)
    return next(iter(names.items())) if len(names) == 1 else None


def titled_role(doc: Document) -> tuple[str, str, str] | None:
    """A title that is a person's name and a role: 'Wren Okonkwo — Illustrator' -> (name, role, title)."""
    parts = title_parts(doc)
    if len(parts) != 2:
        return None
    for name, role in (parts, parts[::-1]):
        if LOOKS_LIKE_NAME.match(name) and _ROLE_WORD.search(role) and len(role) <= 60:
            return name, role, doc.title
    return None


def owner_name(doc: Document) -> tuple[str, str] | None:
    """The person a site without markup belongs to, with the evidence; None when it does not say."""
    found = _intro(doc)
    if found:
        return found
    titled = titled_role(doc)
    if titled:
        return titled[0], f"title: {titled[2]}"
    author = clean(doc.meta.get("author"))
    if author and LOOKS_LIKE_NAME.match(author) and norm(author) in {norm(h) for h in _headings(doc)}:
        return author, f"meta:author = heading {author!r}"
    return _byline(doc)


def person_text_facts(doc: Document, bag: FactBag, owner: tuple[str, str]) -> None:
    """Name, employer, role and place a personal page prints in its own words."""
    bag.add("name", owner[0], owner[1], "text")
    texts = [owner[1], *(str(v) for v in bag.values("bio")), *text_lines(doc)[:60]]
    for text in texts:
        match = _WORKS_AT.search(text)
        if match:
            bag.add("employer", match.group("org").rstrip(".,"), text, "text")
            break
    titled = titled_role(doc)
    if titled and titled[0] == owner[0]:
        bag.add("job_title", titled[1], f"title: {titled[2]}", "meta")
    for text in texts:
        match = _WORKS_AS.search(text)
        if match:
            bag.add("job_title", match.group("role"), text, "text")
            after = _AT_ORG.match(text[match.end() :])  # "I'm a data engineer at Fernhill Analytics"
            if after:
                bag.add("employer", after.group("org").rstrip(".,"), text, "text")
            break
    for text in texts:
        match = _LIVES_IN.search(text)
        if match:
            bag.add("location", match.group("place").rstrip(".,"), text, "text")
            break
