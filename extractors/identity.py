"""Does a page belong to the contact? Compare its facts with the contact's hints, with a reason.

Person pages: the name decides (all of the contact's name parts on the page, or the same last name and
first initial), corroborated by the company (employer, headline, bio, experience), the email domain
(website, published email, employer) and the location. A page that names someone else is flagged
(matched=False). Organization pages match on the contact's company or email domain.
No hints, or nothing on the page to compare with: matched=None.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from extractors.facts import norm
from extractors.html import registrable_domain
from extractors.models import Contact, Extraction, Identity, Outcome

__all__ = ["MATCH_THRESHOLD", "score_identity"]

MATCH_THRESHOLD = 0.6
# Mail providers say nothing about where someone works.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "qq.com",
        "163.com",
    }
)
_LEGAL_WORDS = frozenset(
    {
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "ag",
        "ab",
        "sa",
        "sas",
        "bv",
        "nv",
        "plc",
        "co",
        "corp",
        "corporation",
        "company",
        "limited",
        "the",
        "group",
        "oy",
        "as",
        "aps",
        "srl",
        "spa",
    }
)


def _comparable_words(text: str) -> list[str]:
    """Words of a name, company or place for matching: accents and punctuation dropped
    ("José O'Brien" -> ["jose", "o", "brien"]), unlike agent.condense.text.terms which keeps "C++" whole."""
    return norm(text).split()


def _company_words(text: str) -> set[str]:
    return {t for t in _comparable_words(text) if t not in _LEGAL_WORDS and len(t) > 1}


def _values(extraction: Extraction, *keys: str) -> list[str]:
    return [str(f.value) for f in extraction.facts if f.key in keys]


def _name_score(hint: str, page_name: str) -> float:
    """1.0 same names, 0.9 all hint parts present, 0.7 last name + first initial, else 0."""
    hint_tokens, page_tokens = _comparable_words(hint), _comparable_words(page_name)
    if not hint_tokens or not page_tokens:
        return 0.0
    if hint_tokens == page_tokens:
        return 1.0
    if set(hint_tokens) <= set(page_tokens):
        return 0.9
    first, last = hint_tokens[0], hint_tokens[-1]
    if len(hint_tokens) > 1 and last in page_tokens and any(t[0] == first[0] for t in page_tokens if t != last):
        return 0.7
    return 0.0


def _company_seen(company: str, extraction: Extraction) -> str:
    """The fact that names the contact's company, or ''."""
    words = _company_words(company)
    if not words:
        return ""
    for key in ("employer", "name", "headline", "experience", "bio", "description", "website", "email"):
        for value in _values(extraction, key):
            found = _company_words(value) | {w for w in _comparable_words(value.replace(".", " "))}
            if words <= found:
                return f"{key} {value[:60]!r}"
    return ""


def _domain_seen(domain: str, extraction: Extraction) -> str:
    """The fact that carries the contact's email domain (or its company part), or ''."""
    label = domain.split(".")[0]
    for value in _values(extraction, "website", "email") + list(extraction.links):
        host = urlsplit(value if "//" in value else f"//{value.split('@')[-1]}").hostname or ""
        if host and registrable_domain(host) == domain:
            return f"{value[:60]!r}"
    for value in _values(extraction, "employer", "name"):
        if label and label in _comparable_words(value):
            return f"{value[:60]!r}"
    return ""


def score_identity(extraction: Extraction, contact: Contact) -> Identity:
    """Score (0..1) how well the page matches the contact, with a one-line reason."""
    domain = ""
    if contact.email and "@" in contact.email:
        domain = registrable_domain(contact.email.rsplit("@", 1)[1].lower())
        domain = "" if domain in FREE_MAIL else domain
    if not (contact.name or contact.company or domain):
        return Identity(score=0.0, matched=None, reason="the contact has no name, company or work email to compare")
    if extraction.outcome is not Outcome.ok:
        return Identity(score=0.0, matched=None, reason=f"nothing to compare: {extraction.outcome.value}")
    if extraction.subject == "organization":
        return _organization(extraction, contact, domain)
    return _person(extraction, contact, domain)


def _corroboration(extraction: Extraction, contact: Contact, domain: str) -> tuple[float, list[str]]:
    bonus = 0.0
    notes: list[str] = []
    company = _company_seen(contact.company, extraction) if contact.company else ""
    if company:
        bonus, notes = bonus + 0.15, notes + [f"company in {company}"]
    where = _domain_seen(domain, extraction) if domain else ""
    if where:
        bonus, notes = bonus + 0.1, notes + [f"email domain {domain} in {where}"]
    if contact.location and any(
        set(_comparable_words(contact.location)) & set(_comparable_words(v)) for v in _values(extraction, "location")
    ):
        bonus, notes = bonus + 0.05, notes + ["same location"]
    return bonus, notes


def _person(extraction: Extraction, contact: Contact, domain: str) -> Identity:
    page_name = next(iter(_values(extraction, "name")), "")
    bonus, notes = _corroboration(extraction, contact, domain)
    if contact.name and page_name:
        base = _name_score(contact.name, page_name)
        if base == 0.0:
            return Identity(score=0.05, matched=False, reason=f"the page is about {page_name!r}, not {contact.name!r}")
        score = min(1.0, base + bonus) if base >= 0.9 else min(1.0, base - 0.2 + bonus)
        detail = "; ".join([f"name {page_name!r}"] + notes)
        return Identity(score=round(score, 2), matched=score >= MATCH_THRESHOLD, reason=detail)
    if notes:  # no name to compare, but the page names the contact's company or domain
        score = round(min(0.5 + bonus, 0.8), 2)
        return Identity(score=score, matched=None, reason="; ".join(["no name to compare"] + notes))
    return Identity(score=0.0, matched=None, reason="the page names no person to compare with the contact")


def _organization(extraction: Extraction, contact: Contact, domain: str) -> Identity:
    org = next(iter(_values(extraction, "name")), "")
    company = _company_seen(contact.company, extraction) if contact.company else ""
    where = _domain_seen(domain, extraction) if domain else ""
    if company or where:
        notes = [f"company in {company}"] * bool(company) + [f"email domain {domain} in {where}"] * bool(where)
        return Identity(score=1.0 if company and where else 0.8, matched=True, reason="; ".join(notes))
    if contact.company or domain:
        said = contact.company or domain
        return Identity(
            score=0.1,
            matched=False,
            reason=f"the page is about {org or 'another organization'!r}, not the contact's {said!r}",
        )
    return Identity(score=0.0, matched=None, reason="the contact has no company or work email to compare")
