"""GitHub user and organization profiles (github.com/<name>).

Layers: microdata (itemprop="worksFor", "homeLocation", "url" on the schema.org Person), the h-card
(p-name, p-nickname, p-note), then the profile's own elements (vcard-*, Counter, pinned items) read
with the selectors below, then og/meta description. Other github.com pages (repositories, settings)
are not profiles and go to the generic extractor.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from extractors.base import Extractor, is_http, refused, result
from extractors.facts import FactBag, clean
from extractors.html import Document, class_xpath, element_text
from extractors.layers import count_phrases, structured
from extractors.mf import hcard_facts, representative_hcard
from extractors.models import Extraction, Outcome, Page, SourceKind, SubjectKind
from extractors.pages import Gate, gate
from extractors.text import condenser_text
from extractors.urls import host_of

__all__ = ["GitHubExtractor"]

_KIND: SourceKind = "github_user"  # the source kind of a refused page (a profile found decides its own)

HOSTS = frozenset({"github.com", "www.github.com"})
# First path segments that are GitHub's own pages, not accounts.
RESERVED = frozenset(
    {
        "about",
        "account",
        "apps",
        "blog",
        "codespaces",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "events",
        "explore",
        "features",
        "marketplace",
        "new",
        "notifications",
        "orgs",
        "pricing",
        "pulls",
        "issues",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "team",
        "topics",
        "trending",
        "login",
        "join",
        "signup",
        "logout",
        "readme",
        "resources",
        "solutions",
        "premium-support",
        "mobile",
        "home",
        "dashboard",
        "stars",
    }
)
ORG_MARKERS = (
    "//meta[@name='hovercard-subject-tag'][starts-with(@content,'organization:')]",
    "//*[contains(@itemtype,'schema.org/Organization')]",
    f"//*[{class_xpath('orghead')}]",
)
TITLE = re.compile(r"^(?P<handle>[\w-]+) \((?P<name>.+)\)(?: · GitHub)?$")

NAME = "//*[contains(@class,'vcard-fullname')]"
USERNAME = "//*[contains(@class,'vcard-username')]"
BIO = "//*[contains(@class,'user-profile-bio')]"
ITEMPROP = "//*[@itemprop='{prop}']"
SOCIAL = "//*[@itemprop='social']//a/@href"
EMAIL = "//*[@itemprop='email']//a[starts-with(@href,'mailto:')]"
TAB_LINKS = (
    "//a[contains(@href,'tab=') or contains(@href,'/followers') or contains(@href,'/following') or "
    "contains(@href,'/repositories')]"
)
TAB_KEYS = {
    "repositories": "repositories_count",
    "stars": "stars_count",
    "followers": "followers_count",
    "following": "following_count",
}
PINNED = (
    f"//*[contains(@class,'pinned-item-list-item')]//span[{class_xpath('repo')}] | "
    f"//*[contains(@class,'pinned-repo-item')]//span[{class_xpath('repo')}]"
)
ORGANIZATIONS = "//a[@data-hovercard-type='organization' and contains(@class,'avatar-group-item')]/@aria-label"
ORG_NAME = f"//*[{class_xpath('orghead')}]//h1 | //h1[{class_xpath('h2')} and {class_xpath('lh-condensed')}]"
ORG_DESCRIPTION = f"//*[{class_xpath('orghead')}]//*[{class_xpath('color-fg-muted')}]/div"
REPO_COUNT_META = re.compile(r"has (\d[\d,]*) repositor(?:y|ies) available", re.I)
TEXT_FIRST = (
    "//*[contains(@class,'h-card')]",
    f"//*[{class_xpath('orghead')}]",
    "//*[contains(@class,'js-pinned-items-reorder-container')]",
)
TEXT_DROP = (
    "//*[@id='report-block-modal']",
    "//a[@href='#report-block-modal']",
    "//*[contains(@class,'user-following-container')]",
    "//*[contains(@class,'flash')]",
    "//*[contains(@class,'js-calendar-graph')]",
    "//*[contains(@class,'contribution-activity')]",
    "//*[contains(@class,'js-yearly-contributions')]",
)


class GitHubExtractor(Extractor):
    """github.com user and organization profiles."""

    name = "github"
    profile_source = "GitHub"
    needs_browser = False

    def matches(self, url: str) -> bool:
        if not is_http(url) or host_of(url) not in HOSTS:
            return False
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) == 1:
            return segments[0].lower() not in RESERVED
        return len(segments) >= 2 and segments[0] == "orgs"

    def parse(self, page: Page) -> Extraction:
        doc = Document(page)
        stop = gate(doc)
        if stop:
            return refused(page, self.name, self.profile_source, stop, kind=_KIND)
        bag = FactBag()
        _, links = structured(doc, bag)
        subject: SubjectKind
        if any(doc.xpath(expr) for expr in ORG_MARKERS):
            _organization(doc, bag, links)
            subject = "organization"
        else:
            _user(doc, bag, links)
            subject = "person"
        _counts(doc, bag)
        _meta(doc, bag, subject)
        if not bag.has("name") and not bag.has("handle"):
            return refused(
                page,
                self.name,
                self.profile_source,
                Gate(Outcome.unsupported, "no GitHub profile on the page"),
                kind=_KIND,
            )
        text = condenser_text(doc, first=TEXT_FIRST, drop=TEXT_DROP)
        kind: SourceKind = "github_org" if subject == "organization" else "github_user"
        return result(page, self.name, self.profile_source, subject, bag, links, text, kind=kind)


def _user(doc: Document, bag: FactBag, links: list[str]) -> None:
    card = representative_hcard(doc)
    if card is not None:
        links += hcard_facts(bag, card, doc, handle_from_nickname=True)
    for key, expr in (("name", NAME), ("handle", USERNAME)):
        text = doc.text_of(expr)
        bag.add(key, text, text, "selector")
    bio_el = doc.first(BIO)
    if bio_el is not None:
        bio = bio_el.get("data-bio-text") or element_text(bio_el)
        bag.add("bio", bio, bio, "selector")
    for key, prop in (("employer", "worksFor"), ("location", "homeLocation")):
        text = doc.text_of(ITEMPROP.format(prop=prop))
        # the company line is often an @mention ("@acme"): the organization's name is what follows
        bag.add(
            key,
            text.lstrip("@") if key == "employer" else text,
            text,
            "selector",
            replace=key == "employer" and text.startswith("@"),
        )
    site = doc.first(ITEMPROP.format(prop="url") + "//a")
    if site is not None:
        bag.add("website", site.get("href") or element_text(site), element_text(site), "selector")
        links.append(doc.absolute(site.get("href")))
    for el in doc.xpath(EMAIL):
        bag.add("email", el.get("href"), element_text(el), "selector")
    links += [doc.absolute(href) for href in doc.xpath(SOCIAL)]
    bag.add_all("pinned_repositories", doc.texts_of(PINNED), "pinned repositories", "selector")
    bag.add_all("organizations", [clean(a).lstrip("@") for a in doc.xpath(ORGANIZATIONS)], "organizations", "selector")


def _organization(doc: Document, bag: FactBag, links: list[str]) -> None:
    name = doc.text_of(ORG_NAME)
    bag.add("name", name, name, "selector")
    description = doc.text_of(ORG_DESCRIPTION)
    bag.add("description", description, description, "selector")
    for key, prop in (("headquarters", "location"), ("email", "email"), ("website", "url")):
        el = doc.first(ITEMPROP.format(prop=prop))
        if el is None:
            continue
        href = el.get("href") or ""
        value = href if key != "headquarters" and href else element_text(el)
        bag.add(key, value, element_text(el), "selector")
        if key == "website" and href:
            links.append(doc.absolute(href))
    bag.add_all("pinned_repositories", doc.texts_of(PINNED), "pinned repositories", "selector")


def _tab(href: str) -> str:
    try:
        parts = urlsplit(href)
    except ValueError:  # "http://[::1?tab=..." is not a URL
        return ""
    tab = (parse_qs(parts.query).get("tab") or [""])[0]
    return tab or parts.path.rstrip("/").rsplit("/", 1)[-1]


def _counts(doc: Document, bag: FactBag) -> None:
    """Counters on tab links: exact figures from a Counter's title, else the shown ('1.2k') one."""
    for link in doc.xpath(TAB_LINKS):
        key = TAB_KEYS.get(_tab(link.get("href") or "").lower())
        if key is None:
            continue
        counter = link.find(".//*[@title]")
        exact = counter.get("title") if counter is not None else ""
        shown = element_text(link)
        if exact and re.fullmatch(r"[\d,]+", exact.strip()):
            bag.add(key, exact, f"{shown} (title {exact})", "selector")
            continue
        number = re.search(r"\d[\d,.]*\s?[kKmM]?", shown)
        if number:
            bag.add(key, number.group(0), shown, "selector")


def _meta(doc: Document, bag: FactBag, subject: str) -> None:
    match = TITLE.match(clean(doc.meta.get("og:title") or doc.title))
    if match and subject == "person":
        bag.add("handle", match.group("handle"), "meta:og:title", "meta")
        bag.add("name", match.group("name"), "meta:og:title", "meta")
    description = clean(doc.meta.get("description", ""))
    found = REPO_COUNT_META.search(description)
    if found:
        bag.add("repositories_count", found.group(1), "meta:description", "meta")
    for key, value, _snippet in count_phrases(description):
        bag.add(key, value, "meta:description", "meta")
    og = clean(doc.meta.get("og:description", ""))
    for own in (str(bag.get("handle") or "").lstrip("@"), str(bag.get("name") or "")):
        if own and og.endswith(f" - {own}"):  # GitHub appends " - <login>" to the bio
            og = og[: -len(own) - 3].strip()
    if og and not REPO_COUNT_META.search(og) and not og.lower().startswith(("contribute to", "github is where")):
        bag.add("bio" if subject == "person" else "description", og, "meta:og:description", "meta")
