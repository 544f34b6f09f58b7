"""Links a site publishes to its own profiles elsewhere, and the lead paragraph it describes itself with.

A link to a known platform counts as the site's profile only when its path is a profile's
(extractors.profile.url_handle): share buttons, intents and links to single posts ("/status/123")
are other people's content, not the site's accounts.
"""

from __future__ import annotations

import re

from extractors.facts import FactBag
from extractors.html import Document, class_xpath, element_text, registrable_domain
from extractors.profile import url_handle
from extractors.sites import is_platform
from extractors.urls import host_of

__all__ = ["lead_paragraphs", "profile_links"]

_MAX_LINKS = 12
_LEAD = " or ".join(class_xpath(c) for c in ("lead", "tagline", "slogan", "subtitle", "intro", "hero-text"))
_MIN_LEAD, _MAX_LEAD = 20, 300


def profile_links(doc: Document, bag: FactBag) -> list[str]:
    """Links to the site's own profiles on known platforms, kept as social_profiles facts too."""
    own = registrable_domain(doc.host)
    found: list[str] = []
    for el in doc.xpath("//a[@href]"):
        url = doc.absolute(el.get("href"))
        host = host_of(url)
        if not url.startswith("http") or registrable_domain(host) == own or not is_platform(url):
            continue
        if url_handle(url) and url.rstrip("/") not in {u.rstrip("/") for u in found}:
            found.append(url)
            bag.add("social_profiles", url, f'<a href="{el.get("href")}">{element_text(el)[:60]}</a>', "selector")
        if len(found) >= _MAX_LINKS:
            break
    return found


def lead_paragraphs(doc: Document) -> list[str]:
    """The page's lead/tagline paragraph (class lead, tagline, slogan, ...), as the site words it."""
    out: list[str] = []
    for el in doc.xpath(f"//body//*[{_LEAD}]")[:3]:
        text = element_text(el)
        if _MIN_LEAD <= len(text) <= _MAX_LEAD and re.search(r"[a-zà-ÿ]", text):
            return [text]  # the first: later "lead" paragraphs introduce sections, not the site
    return out
