"""The parse path shared by the company, personal and generic extractors: any site that is not a
known social network with its own module.

The routed extractor proposes a label; the content has the last word on a site of its own:
a representative h-card, rel=me links or a schema.org Person about the page -> "Personal Website";
an Organization -> "Company Website"; otherwise the routed extractor's own default
("Company Website" for company-ish paths, "Personal Website" on personal hosting, else the site's own
name: og:site_name, a known platform's name, or the registrable domain). On a known platform
(extractors.sites.KNOWN_SITES) the label is always the platform's name.
"""

from __future__ import annotations

import re
from typing import Literal

from extractors.base import refused, result
from extractors.contact import contact_facts, copyright_holder
from extractors.facts import FactBag, clean
from extractors.html import Document, registrable_domain
from extractors.labels import icon_labelled, labelled_details
from extractors.layers import count_elements, count_phrases, structured
from extractors.links import lead_paragraphs, profile_links
from extractors.meta import description, page_name, site_label, strip_stats
from extractors.mf import hcard_facts, representative_hcard
from extractors.models import Extraction, Page, SourceKind, SubjectKind
from extractors.pages import gate
from extractors.person_text import LOOKS_LIKE_NAME, owner_name, person_text_facts
from extractors.profile import (
    PROFILE_TITLE,
    is_profile_page,
    looks_like_org,
    platform_profile,
    user_links,
)
from extractors.schema import ARTICLE_TYPES, is_person, person_facts
from extractors.sites import is_platform, platform_name
from extractors.structured import as_list, jsonld_nodes, type_names
from extractors.text import condenser_text
from extractors.urls import host_of

__all__ = ["parse_web", "site_name"]

Mode = Literal["company", "personal", "generic"]
COMPANY_LABEL, PERSONAL_LABEL = "Company Website", "Personal Website"
_MODE_KIND: dict[str, SourceKind] = {"company": "company_website", "personal": "personal_website", "generic": "generic"}

QUOTED_BIO = re.compile(r"\bon [\w .]{2,30}:\s*[\"“](?P<bio>.+)[\"”]\s*$", re.S)


def site_name(doc: Document) -> str:
    """og:site_name, else a known platform's name, else the registrable domain ('example.org')."""
    own = clean(doc.meta.get("og:site_name") or doc.meta.get("application-name"))
    if own:
        return own[:60]
    return platform_name(doc.url) or registrable_domain(doc.host) or "Unknown"


def _default_label(doc: Document, mode: Mode) -> str:
    if mode == "company":
        return COMPANY_LABEL
    if mode == "personal":
        return PERSONAL_LABEL
    return site_name(doc)


def parse_web(page: Page, mode: Mode) -> Extraction:
    """Parse any non-social page; the label and subject come from the content as described above."""
    doc = Document(page)
    # "/@name" paths are accounts on a multi-user site (Mastodon, Medium-likes): label with the site's name
    on_platform = is_platform(doc.url) or any(seg.startswith("@") for seg in doc.path.split("/"))
    stop = gate(doc)
    if stop:
        label = site_name(doc) if on_platform else _default_label(doc, mode)
        return refused(page, mode, label, stop, kind="social_profile" if on_platform else _MODE_KIND[mode])
    bag = FactBag()
    kind, links = structured(doc, bag)
    owner = kind  # what the page itself declares (not an article's author)
    card = representative_hcard(doc) if kind in ("unknown", "person") else None
    if card is not None:
        links += hcard_facts(bag, card, doc)
        kind = owner = "person"
    links += _rel_me(doc, bag)
    if kind == "unknown" and doc.rel_me:
        kind = owner = "person"  # rel=me: the page speaks for the person behind these profiles
    if kind == "unknown" and _article_author(doc, bag, links):
        kind = "person"
    profile_page = on_platform and is_profile_page(doc)
    if profile_page and kind == "unknown" and looks_like_org(page_name(doc)[0]):
        kind = "organization"  # "Fernlight Studio" on a design platform: an organization's account
    if profile_page or not on_platform:
        kind = _meta_profile(doc, bag, kind)
    if profile_page:  # a band's or a company's account is a profile too: it keeps its organization subject
        named = platform_profile(doc, bag)
        links += user_links(doc)
        kind = "person" if named and kind == "unknown" else kind
    if not on_platform and owner == "unknown" and kind == "unknown":
        person = owner_name(doc)
        if person:
            person_text_facts(doc, bag, person)
            kind = owner = "person"
    if kind == "person":
        labelled_details(doc, bag)
        icon_labelled(doc, bag)
        count_elements(doc, bag)
    if not on_platform:
        links += profile_links(doc, bag)
    source: SourceKind
    if on_platform:
        label, name, source = site_name(doc), "generic", "social_profile"
    elif owner == "person":
        label, name, source = PERSONAL_LABEL, "personal", "personal_website"
        _person_fallbacks(doc, bag)
    elif owner == "organization" or (mode == "company" and kind == "unknown"):
        label, name, source = COMPANY_LABEL, "company", "company_website"
        kind = "organization"
        _company_fallbacks(doc, bag)
    else:
        label, name, source = _default_label(doc, mode), mode, _MODE_KIND[mode]
        if mode == "personal" and kind == "unknown":
            _person_fallbacks(doc, bag)
            kind = "person" if bag.has("name") else "unknown"
        else:
            _page_fallbacks(doc, bag, kind)
    text = condenser_text(doc)
    return result(page, name, label, kind, bag, links, text, kind=source)


def _article_author(doc: Document, bag: FactBag, links: list[str]) -> bool:
    """A blog post's author (JSON-LD Article.author that is a Person): who wrote the page."""
    for node in jsonld_nodes(doc):
        if not type_names(node) & ARTICLE_TYPES:
            continue
        for author in as_list(node.get("author")):
            if is_person(author):
                links += person_facts(bag, author, doc.host, "jsonld", source="jsonld:Article.author")
                return True
    author = clean(doc.meta.get("author"))
    if author and LOOKS_LIKE_NAME.match(author) and any(type_names(n) & ARTICLE_TYPES for n in jsonld_nodes(doc)):
        return bag.add("name", author, "meta:author", "meta")
    return False


def _meta_profile(doc: Document, bag: FactBag, kind: SubjectKind) -> SubjectKind:
    """OpenGraph profile pages: profile:* tags, 'Name (@handle)' titles, counts in the description."""
    meta = doc.meta
    is_profile = meta.get("og:type", "").lower() == "profile" or any(k.startswith("profile:") for k in meta)
    if kind not in ("unknown", "person") or not is_profile:
        return kind  # a post's description says nothing about its author
    first, last = clean(meta.get("profile:first_name")), clean(meta.get("profile:last_name"))
    bag.add("name", f"{first} {last}".strip(), "meta:profile:first_name+last_name", "meta")
    bag.add("handle", meta.get("profile:username"), "meta:profile:username", "meta")
    for key in ("og:title", "twitter:title"):
        match = PROFILE_TITLE.match(clean(meta.get(key)))
        if match:
            bag.add("name", match.group("name"), f"meta:{key}", "meta")
            bag.add("handle", match.group("handle"), f"meta:{key}", "meta")
    for key in ("description", "og:description", "twitter:description"):
        text = clean(meta.get(key))
        for count_key, value, _ in count_phrases(text):
            bag.add(count_key, value, f"meta:{key}", "meta")
        quoted = QUOTED_BIO.search(text)
        if quoted:
            bag.add("bio", quoted.group("bio"), f"meta:{key}", "meta")
    bio, where = description(doc)
    bio = strip_stats(bio)
    if bio and not count_phrases(bio):
        bag.add("bio", bio, where, "meta")
    if is_profile and not bag.has("name"):
        title = clean(meta.get("og:title"))
        bag.add("name", title, "meta:og:title", "meta")
    if is_profile and not bag.has("handle"):
        segments = [s for s in doc.path.split("/") if s]
        if len(segments) == 1 and re.fullmatch(r"@?[\w.-]{2,40}", segments[0]):
            bag.add("handle", segments[0], f"url:{doc.path}", "text")
    return "person" if bag.has("name") or bag.has("handle") else kind


def _rel_me(doc: Document, bag: FactBag) -> list[str]:
    """rel=me links of every scheme: web profiles become links, mailto:/tel:/sms: become contact facts."""
    links = []
    for el in doc.xpath("//a[@rel][@href] | //link[@rel][@href]"):
        if "me" not in el.get("rel", "").lower().split():
            continue
        href = el.get("href").strip()
        scheme = href.split(":", 1)[0].lower()
        if scheme == "mailto":
            bag.add("email", href[7:].split("?", 1)[0], f'rel=me "{href}"', "microformat")
        elif scheme in ("tel", "sms"):
            bag.add(
                "phone", href[4:].split("?", 1)[0] if scheme == "tel" else href[4:], f'rel=me "{href}"', "microformat"
            )
        elif doc.absolute(href).startswith(("http://", "https://")):
            url = doc.absolute(href)
            links.append(url)
            if url.rstrip("/") != doc.url.rstrip("/"):  # the page's own address is not another profile
                bag.add("social_profiles", url, f'rel=me "{href}"', "microformat")
    return links


def _company_fallbacks(doc: Document, bag: FactBag) -> None:
    """An organization's own page: the name, tagline and description it gives itself, and its contact block."""
    name = site_label(doc)
    bag.add("name", name, "meta:og:site_name" if doc.meta.get("og:site_name") else f"title: {doc.title}", "meta")
    if not bag.has("name"):
        bag.add("name", *page_name(doc), "meta")
    text, where = description(doc)
    bag.add("description", text, where, "meta")
    for lead in lead_paragraphs(doc):
        bag.add("description", lead, lead, "selector")
    own = registrable_domain(doc.host)
    for el in doc.xpath("//a[@href]"):  # the site printing its own address: <a href="...">www.acme.com</a>
        shown = clean(el.text_content()).lower().removeprefix("https://").removeprefix("http://").rstrip("/")
        if (
            own
            and shown.removeprefix("www.") == own
            and registrable_domain(host_of(doc.absolute(el.get("href")))) == own
        ):
            bag.add("website", doc.absolute(el.get("href")), f'<a href="{el.get("href")}">{shown}</a>', "selector")
            break
    contact_facts(doc, bag, str(bag.get("name") or ""))


def _person_fallbacks(doc: Document, bag: FactBag) -> None:
    """A personal site without markup: the author meta tag, a title that is just a name, the description."""
    author = clean(doc.meta.get("author"))
    if author and LOOKS_LIKE_NAME.match(author):
        bag.add("name", author, "meta:author", "meta")
    elif LOOKS_LIKE_NAME.match(doc.title):
        bag.add("name", doc.title, f"title: {doc.title}", "meta")
    bio, where = description(doc)
    if bio and bag.has("name"):
        bag.add("bio", bio, where, "meta")
    if not bag.has("email"):
        for href in doc.xpath("//a[starts-with(@href,'mailto:')]/@href")[:1]:
            bag.add("email", href[7:].split("?", 1)[0], href, "selector")
    if not bag.has("phone"):
        for href in doc.xpath("//a[starts-with(@href,'tel:')]/@href")[:1]:
            bag.add("phone", href[4:].strip(), href, "selector")
    if not bag.has("employer"):
        holder = copyright_holder(doc)  # a one-person business: "© 2014 The Daring Fireball Company LLC"
        if holder:
            bag.add("employer", holder[0], holder[1], "text")


def _page_fallbacks(doc: Document, bag: FactBag, kind: str) -> None:
    """Any other page still says what it is called and what it is about."""
    if kind == "unknown":
        bag.add("name", *page_name(doc), "meta")
        text, where = description(doc)
        bag.add("description", text, where, "meta")
