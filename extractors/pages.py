"""Pages that are not a profile: error statuses, bot challenges, login walls and "not found" pages.

A gate runs before any fact is read: when it answers, the extraction carries that outcome and no facts.
Site modules add their own markers (LinkedIn's authwall, X's "This account doesn't exist").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.html import Document, element_text
from extractors.lines import text_lines
from extractors.models import Outcome

__all__ = ["Gate", "Markers", "bot_challenge", "challenge_reason", "consent_reason", "gate", "status_gate"]

# Bot challenges (Cloudflare, DataDome, PerimeterX, Imperva, Akamai): the one detector, used by the fetcher
# (agent.fetch.challenge) and by the gate below. A challenge page holds a sentence or two of text (Cloudflare's
# about 300 characters, PerimeterX's 150), so every marker counts only on a page with less visible text than
# this: Cloudflare's and Imperva's scripts ride along on ordinary pages, and CAPTCHA widgets sit on real forms.
CHALLENGE_MAX_TEXT = 2_500
# Challenge machinery, looked up as plain substrings of the lower-cased HTML (a regex alternation over a
# megabyte costs most of a second). Cloudflare's /cdn-cgi/challenge-platform/ script and Imperva's plain
# /_Incapsula_Resource script are injected into ordinary pages too: not markers.
CHALLENGE_MARKERS = (
    "_cf_chl_opt",
    'id="challenge-form"',
    "id='challenge-form'",
    "cf-browser-verification",
    "cf-turnstile-wrapper",
    "captcha-delivery.com",
    "px-captcha",
    "/_incapsula_resource?cwudnsai",
    "incapsula incident id",
    "ak_bmsc_challenge",
)
_CHALLENGE_TITLE = re.compile(
    r"^(just a moment|attention required|please wait|checking your browser|security check|ddos-guard|"
    r"access denied|robot check|are you a robot|pardon our interruption|one more step|verifying you are human)",
    re.I,
)
# This wording in the visible text. A captcha widget alone is not a marker: contact forms carry reCAPTCHA too.
_CHALLENGE_WORDS = re.compile(
    r"verify (?:that )?you are (?:a )?human|are you a robot|unusual traffic|enable javascript and cookies to "
    r"continue|complete the security check|press (?:&|and) hold|checking your browser",
    re.I,
)
_NOT_FOUND_TITLE = re.compile(
    r"^(404\b|error 404|page not found|not found\b|profile not found|user not found|account not found)|"
    r"\b(page not found|404 not found|404 error|page (?:does not|doesn.t) exist)\b",
    re.I,
)
# A page's main heading saying the account is not there ("Couldn't find this account", "Sorry, this page
# isn't available", "User not found"), in the languages profile sites answer in.
_NOT_FOUND_HEADING = re.compile(
    r"^(?:sorry,? )?(?:we )?(?:couldn.t|could not|can.t|cannot) find (?:this|that|the) (?:account|user|page|profile)|"
    r"^(?:this|that) (?:account|user|profile|page) (?:doesn.t|does not) exist|^(?:user|account|profile|page) "
    r"not found|^(?:sorry, )?this page (?:isn.t|is not) available|^no such (?:user|account|page)|"
    r"^(?:diese seite|dieses profil|dieses konto) (?:existiert nicht|gibt es nicht)|^(?:página|perfil|cuenta) "
    r"no encontrad[ao]|^(?:page|profil|compte) introuvable",
    re.I,
)
_MESSAGE_LINES = 60  # an error view's message comes before its suggestions and footer
# A page whose title says the visit was refused ("Blocked", "Access denied"): an answer, not a profile.
_REFUSED_TITLE = re.compile(
    r"^(?:blocked|request blocked|access blocked|forbidden|403 forbidden|too many requests|"
    r"rate limited|you have been blocked)$",
    re.I,
)
_LOGIN_TITLE = re.compile(r"\b(log ?in|sign ?in|sign ?up|log on)\b", re.I)
_SMALL_PAGE = 2_500  # characters of visible text below which a page "holds nothing else"
# A cookie-consent interstitial (Google's consent.youtube.com, Yahoo's guce, CMP walls) is served in place
# of the page: its form posts the visitor's choice to a consent endpoint, or its canonical URL is one.
_CONSENT_TARGET = re.compile(r"^https?://(?:consent\.|guce\.)|/(?:consent|cookie-?wall|privacy-?gate)\b", re.I)
_COOKIE_WORDS = re.compile(r"\bcookies?\b", re.I)


@dataclass(frozen=True)
class Markers:
    """Site-specific words that reveal a login wall or a missing profile (regexes on title / visible text)."""

    login: tuple[re.Pattern, ...] = ()
    not_found: tuple[re.Pattern, ...] = ()
    blocked: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Gate:
    """Why a page is not a profile."""

    outcome: Outcome
    reason: str
    extra: dict = field(default_factory=dict)


def status_gate(status: int) -> Gate | None:
    """The outcome an HTTP status alone decides (404 -> not_found, 999/403 -> blocked, ...)."""
    if status in (404, 410):
        return Gate(Outcome.not_found, f"the site answered HTTP {status}: no such page")
    if status == 401:
        return Gate(Outcome.login_wall, "the site answered HTTP 401: it asks to log in")
    if status in (403, 999):
        return Gate(Outcome.blocked, f"the site answered HTTP {status}: it refused the request")
    if status == 429:
        return Gate(Outcome.rate_limited, "the site answered HTTP 429: too many requests, try later")
    if status >= 500:
        return Gate(Outcome.error, f"the site answered HTTP {status}: a server error, try later")
    if status >= 400:
        return Gate(Outcome.error, f"the site answered HTTP {status}")
    return None


def bot_challenge(status: int, html: str, title: str, text_chars: int, text: str) -> str | None:
    """Why an answer is a bot challenge instead of the page (never solved), or None.

    `title` is the page's title, `text_chars` the amount of visible text and `text` a sample of it.
    """
    if status == 999:
        return "HTTP 999: the site refuses automated visitors"
    if text_chars >= CHALLENGE_MAX_TEXT:
        return None
    if _CHALLENGE_TITLE.search(title):
        return f'the site answered with a bot challenge ("{title[:60]}") instead of the page; it is never solved'
    lowered = html.lower()
    marker = next((m for m in CHALLENGE_MARKERS if m in lowered), None)
    if marker:
        return f"the site answered with a bot challenge (marker {marker!r}) instead of the page; it is never solved"
    words = _CHALLENGE_WORDS.search(text)
    if words:
        return f"the site answered with a human check ({words.group(0)!r}) instead of the page; it is never solved"
    return None


def challenge_reason(doc: Document) -> str | None:
    """Why the page looks like a bot challenge, or None."""
    return bot_challenge(doc.page.status, doc.page.html, doc.title, doc.body_text_length, doc.text_sample)


def consent_reason(doc: Document) -> str | None:
    """Why the page is a cookie-consent wall served instead of the page asked for, or None."""
    if doc.body_text_length > _SMALL_PAGE * 4 or not _COOKIE_WORDS.search(doc.text_sample):
        return None
    own = doc.host
    targets = [doc.absolute(a) for a in doc.xpath("//form/@action | //link[@rel='canonical']/@href")]
    for target in targets:
        host = target.split("/")[2].lower() if target.count("/") >= 2 else ""
        if _CONSENT_TARGET.search(target) and host != own:
            return f'cookie-consent wall ("{doc.title[:60]}"): the site shows its content only after a choice'
    return None


def _search(patterns: tuple[re.Pattern, ...], *texts: str) -> re.Match | None:
    for pattern in patterns:
        for text in texts:
            found = pattern.search(text)
            if found:
                return found
    return None


def gate(doc: Document, markers: Markers = Markers()) -> Gate | None:
    """Run every check, most decisive first; None when the page may be a profile."""
    by_status = status_gate(doc.page.status)
    blocked = challenge_reason(doc)
    if blocked:
        outcome = Outcome.rate_limited if doc.page.status == 429 else Outcome.blocked
        return Gate(outcome, blocked)
    if by_status:
        return by_status
    sample = doc.text_sample
    found = _search(markers.blocked, doc.title, sample)
    if found or _REFUSED_TITLE.search(doc.title):
        said = found.group(0) if found else doc.title
        return Gate(Outcome.blocked, f'the site refused the visit ("{said[:80]}")')
    # the page's message: its first headings, and short lines (an error view's title is often a <p>)
    headings = [element_text(h) for h in doc.root.xpath("//h1 | //h2")[:4]]
    headings += [line for line in text_lines(doc)[:_MESSAGE_LINES] if len(line) <= 60]
    found = _search(markers.not_found, doc.title, sample) or _search((_NOT_FOUND_HEADING,), *headings)
    if found or _NOT_FOUND_TITLE.search(doc.title):
        said = found.group(0) if found else doc.title
        return Gate(Outcome.not_found, f'the page says the profile does not exist ("{said[:80]}")')
    consent = consent_reason(doc)
    if consent:
        return Gate(Outcome.login_wall, consent)
    found = _search(markers.login, doc.title, sample)
    if found:
        return Gate(Outcome.login_wall, f'login wall ("{found.group(0)[:80]}"): only a logged-in visitor sees it')
    has_password = bool(doc.root.xpath("//input[@type='password']"))
    if _LOGIN_TITLE.search(doc.title) and (has_password and doc.body_text_length < _SMALL_PAGE * 4):
        return Gate(Outcome.login_wall, f'login page ("{doc.title[:60]}"): only a logged-in visitor sees more')
    return None
