"""Microformats: h-card (and classic hCard) through mf2py, rel=me through the shared tree.

mf2py builds its own BeautifulSoup tree, which costs hundreds of milliseconds on a large page; so it is
only given the h-card/vcard elements (serialised from the shared lxml tree), never the whole page.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import lxml.html
import mf2py

from extractors.facts import FactBag, clean
from extractors.html import Document, element_text, registrable_domain
from extractors.urls import host_of

__all__ = ["hcard_facts", "hcards", "representative_hcard", "HCard"]

log = logging.getLogger(__name__)

_ROOTS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' h-card ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' vcard ')]"
)
_VALUE_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' value ')"
_MAX_CARDS = 25  # a page of comments can carry hundreds of author cards; the owner's comes early
_MAX_FRAGMENT = 200_000
_LOCATED = re.compile(
    r"\b(?:live|living|lives|based|located|reside|residing)\b[^.]{0,40}?\bin\s+"
    r"((?:[A-Z][\w'’-]*)(?:(?:,\s*|\s+)[A-Z][\w'’-]*){0,3})"
)


class HCard:
    """One parsed h-card: mf2 properties plus the element it came from."""

    def __init__(self, props: dict, element, how: str = ""):
        self.props, self.element, self.how = props, element, how

    def values(self, name: str) -> list[str]:
        """Plain string values of a property (nested h-card values give their name)."""
        out = []
        for value in self.props.get(name, []):
            if isinstance(value, dict):
                value = value.get("value") or (value.get("properties", {}).get("name") or [""])[0]
            text = clean(value) if isinstance(value, str) else ""
            if text:
                out.append(text)
        return out

    def first(self, name: str) -> str:
        """The first value of a property, or ''."""
        found = self.values(name)
        return found[0] if found else ""


def _outermost(elements: list) -> list:
    chosen = set(elements)
    out = []
    for el in elements:
        parent = el.getparent()
        while parent is not None and parent not in chosen:
            parent = parent.getparent()
        if parent is None:
            out.append(el)
    return out


def hcards(doc: Document) -> list[HCard]:
    """The page's outermost h-cards (mf2 through mf2py, classic vcard read directly), in page order."""
    return doc.memo("hcards", _hcards)


def _hcards(doc: Document) -> list[HCard]:
    roots = _outermost(doc.root.xpath(_ROOTS))[:_MAX_CARDS]
    cards: list[HCard] = []
    for el in roots:
        if "h-card" in (el.get("class") or "").split():
            cards += _mf2_cards(el, doc)
        else:
            cards.append(HCard(_classic_props(el, doc), el))
    return cards


def _mf2_cards(el, doc: Document) -> list[HCard]:
    fragment = lxml.html.tostring(el, encoding="unicode")
    if len(fragment) > _MAX_FRAGMENT:
        return []
    try:
        parsed = mf2py.parse(doc=f"<html><body>{fragment}</body></html>", url=doc.url, html_parser="lxml")
    except Exception as exc:  # noqa: BLE001 - mf2py can raise anything on odd markup; the layer is optional
        log.debug("mf2py failed on an h-card of %s: %s", doc.url, exc)
        return []
    return [
        HCard(item.get("properties", {}), el) for item in parsed.get("items", []) if "h-card" in item.get("type", [])
    ]


# Classic hCard class -> mf2 property. mf2py's backward-compatible parser copies the tree for every
# rule and takes hundreds of milliseconds on one card, so classic cards are read here instead.
_CLASSIC = {
    "fn": "name",
    "given-name": "given-name",
    "family-name": "family-name",
    "nickname": "nickname",
    "org": "org",
    "title": "job-title",
    "role": "role",
    "locality": "locality",
    "region": "region",
    "country-name": "country-name",
    "label": "label",
    "email": "email",
    "url": "url",
    "tel": "tel",
    "note": "note",
    "uid": "uid",
}
_LINK_PROPS = {"email", "url", "uid"}


def _classic_props(root, doc: Document) -> dict:
    props: dict[str, list[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.get("class") is None:
            continue
        for cls in el.get("class").split():
            name = _CLASSIC.get(cls)
            if name is None:
                continue
            href = el.get("href") if el.tag in ("a", "link", "area") else None
            if name in _LINK_PROPS and href:
                value = href if href.startswith("mailto:") else doc.absolute(href)
            else:
                parts = el.xpath(f".//*[{_VALUE_CLASS}]")
                value = " ".join(element_text(p) for p in parts) if parts else element_text(el)
            if value:
                props.setdefault(name, []).append(clean(value))
    return props


def _same_site(url: str, doc: Document) -> bool:
    host = host_of(url)
    return bool(host) and registrable_domain(host) == registrable_domain(doc.host)


def representative_hcard(doc: Document) -> HCard | None:
    """The h-card that represents the page (microformats.org 'representative h-card', plus a same-site rule)."""
    cards = [c for c in hcards(doc) if c.first("name") or c.first("given-name")]
    page = doc.url.rstrip("/")
    rel_me = {u.rstrip("/") for u in doc.rel_me}
    for card in cards:
        urls = {u.rstrip("/") for u in card.values("url")}
        if page in urls and page in {u.rstrip("/") for u in card.values("uid")}:
            return _tag(card, "uid and url are the page")
    for card in cards:
        if {u.rstrip("/") for u in card.values("url")} & rel_me:
            return _tag(card, "url is a rel=me link")
    if len(cards) == 1:
        return _tag(cards[0], "only h-card on the page")
    for card in cards:  # a sidebar card pointing at the site's own home page (blog post pages)
        if any(_same_site(u, doc) and urlsplit(u).path in ("", "/") for u in card.values("url")):
            return _tag(card, "url is this site's home page")
    return None


def _tag(card: HCard, how: str) -> HCard:
    card.how = how
    return card


def _location(card: HCard) -> tuple[str, str]:
    for adr in card.props.get("adr", []):  # a nested h-adr: its own locality, region and country
        if isinstance(adr, dict) and adr.get("properties"):
            inner = HCard(adr["properties"], card.element)
            place = ", ".join(
                dict.fromkeys(inner.first(p) for p in ("locality", "region", "country-name") if inner.first(p))
            )
            if place:
                return place, "mf2:h-card.p-adr.h-adr"
    for prop in ("locality", "region", "country-name"):
        if card.first(prop):
            parts = [card.first(p) for p in ("locality", "region", "country-name") if card.first(p)]
            return ", ".join(dict.fromkeys(parts)), f"mf2:h-card.p-{prop}"
    for prop in ("adr", "label", "location"):
        if card.first(prop):
            return card.first(prop), f"mf2:h-card.p-{prop}"
    return "", ""


def hcard_facts(bag: FactBag, card: HCard, doc: Document, *, handle_from_nickname: bool = False) -> list[str]:
    """Add an h-card's facts; returns the profile links it names (its off-site u-url values)."""
    method = "microformat"
    name = card.first("name") or clean(f"{card.first('given-name')} {card.first('family-name')}")
    bag.add("name", name, "mf2:h-card.p-name", method)
    if handle_from_nickname:
        bag.add("handle", card.first("nickname"), "mf2:h-card.p-nickname", method)
    bag.add("job_title", card.first("job-title") or card.first("role"), "mf2:h-card.p-job-title", method)
    bag.add("employer", card.first("org"), "mf2:h-card.p-org", method)
    location, evidence = _location(card)
    bag.add("location", location, evidence, method)
    bag.add("bio", card.first("note"), "mf2:h-card.p-note", method)
    for email in card.values("email"):
        bag.add("email", email, "mf2:h-card.u-email", method)
    bag.add("phone", card.first("tel"), "mf2:h-card.p-tel", method)
    bag.add_all("interests", card.values("category"), "mf2:h-card.p-category", method)
    urls = [u for u in card.values("url") if u.startswith(("http://", "https://"))]
    own = [u for u in urls if _same_site(u, doc)] or urls[:1]
    for url in own[:1]:
        bag.add("website", url, "mf2:h-card.u-url", method)
    if not bag.has("location"):
        match = _LOCATED.search(element_text(card.element))
        if match:
            bag.add("location", match.group(1).rstrip(".,"), match.group(0), "text")
    return [u for u in urls if u not in own]
