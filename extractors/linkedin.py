"""LinkedIn public pages: people (/in/, /pub/) and companies (/company/, /school/, /showcase/).

Layers: JSON-LD (@graph Person, or Organization), then the page's own sections read with the selectors
below, for three layouts: the logged-out public profile ("top-card-layout"), the logged-in app (Ember,
"text-heading-xlarge") and the 2013-2017 hCard-era profile; then the meta description.
LinkedIn's robots.txt disallows crawlers: the fetcher only comes here when the operator overrides it,
and a login wall ends the attempt. Every LinkedIn URL comes here, so that a redirect to the authwall
or the home page is recognised as what it is.
"""

from __future__ import annotations

import re

from extractors.base import Extractor, host_in, refused, result
from extractors.facts import FactBag, clean
from extractors.html import Document, class_xpath, element_text, label_pairs
from extractors.layers import count_phrases, structured
from extractors.linkedin_company import company_facts
from extractors.models import Extraction, Outcome, Page, SourceKind
from extractors.pages import Gate, gate
from extractors.schema import find_subject
from extractors.structured import jsonld_nodes
from extractors.text import condenser_text

__all__ = ["LinkedInExtractor"]

_KIND: SourceKind = "linkedin_person"  # the source kind of a refused page (a profile found decides its own)

DOMAINS = frozenset({"linkedin.com"})
COMPANY_PATH = re.compile(r"^/(?:company|school|showcase)/[^/]+", re.I)

# What a page that is not a profile looks like.
AUTHWALL_PATH = re.compile(r"^/(?:authwall|login|uas/|signup|checkpoint|reg/)", re.I)
AUTHWALL_PAGE_KEYS = ("d_homepage-guest-home", "auth_wall", "authwall", "d_checkpoint", "d_uas", "login")
AUTHWALL_TITLE = re.compile(
    r"sign up \| linkedin|log in or sign up|linkedin login|sign in \| linkedin|"
    r"join linkedin|linkedin: log in",
    re.I,
)
NOT_FOUND_WORDS = re.compile(
    r"profile not found|page not found|this page doesn.t exist|"
    r"(?:page|profile) is(?: not|n.t) available|this profile is not available",
    re.I,
)

# Logged-out public profile (2020s).
PUBLIC_NAME = "//h1[contains(@class,'top-card-layout__title')]"
PUBLIC_HEADLINE = "//h2[contains(@class,'top-card-layout__headline')]"
PUBLIC_SUBLINE = "//h3[contains(@class,'top-card-layout__first-subline')]"
PUBLIC_SUBLINE_SPANS = PUBLIC_SUBLINE + "//div[contains(@class,'not-first-middot')]/span"
PUBLIC_CURRENT = "//div[@data-section='currentPositionsDetails']//span[contains(@class,'top-card-link__description')]"
PUBLIC_SCHOOL = "//div[@data-section='educationsDetails']//span[contains(@class,'top-card-link__description')]"
PUBLIC_ABOUT = "//section[@data-section='summary']//p | //section[contains(@class,'summary')]//p"
PUBLIC_WEBSITES = "//*[@data-section='websites']//dd//span | //*[@data-section='websites']//a"
EXPERIENCE_ITEMS = (
    "//li[contains(@class,'experience-item')] | //section[@id='experience']//li[contains(@class,"
    "'position')] | //div[@id='profile-experience']//div[contains(@class,'position')]"
)
ITEM_TITLE = (
    ".//span[contains(@class,'experience-item__title')] | .//h4[contains(@class,'item-title')] | "
    f".//span[{class_xpath('title')}]"
)
ITEM_COMPANY = (
    ".//span[contains(@class,'experience-item__subtitle')] | .//h5[contains(@class,'item-subtitle')] | "
    f".//span[{class_xpath('org')}]"
)
ITEM_DATES = ".//time | .//abbr[contains(@class,'dtstart') or contains(@class,'dtend') or contains(@class,'dtstamp')]"
ITEM_RANGE = ".//span[contains(@class,'date-range')] | .//p[contains(@class,'period')]"
EDUCATION = (
    "//li[contains(@class,'education__list-item')]//h3 | //section[@id='education']//h4[contains(@class,"
    "'item-title')] | //div[@id='profile-education']//h3[contains(@class,'org')]"
)
LANGUAGES = "//section[@data-section='languages']//li//h3 | //section[@id='languages']//h4[contains(@class,'name')]"
SKILLS = "//a[contains(@class,'jellybean')] | //li[contains(@class,'skill')]//span[contains(@class,'wrap')]"
# Logged-in app (Ember): the top card is the section around the name.
EMBER_NAME = "//h1[contains(@class,'text-heading-xlarge')]"
EMBER_CARD = EMBER_NAME + "/ancestor::section[1]"
EMBER_HEADLINE = ".//div[contains(@class,'text-body-medium')]"
EMBER_LOCATION = (
    f".//span[{class_xpath('text-body-small')} and {class_xpath('inline')} and {class_xpath('t-black--light')}]"
)
EMBER_CURRENT = ".//button[starts-with(@aria-label,'Current company:')]/@aria-label"
EMBER_SCHOOL = ".//button[starts-with(@aria-label,'Education:')]/@aria-label"
EMBER_CONNECTIONS = ".//li[contains(., 'connections')]"
# 2013-2017 public profile (hCard-era class names).
LEGACY_NAME = (
    f"//span[contains(@class,'full-name')] | //h1[{class_xpath('fn')}] | "
    "//*[@id='name' and not(.//*[contains(@class,'full-name')])]"
)
LEGACY_HEADLINE = "//p[contains(@class,'headline-title')] | //p[contains(@class,'headline')]"
LEGACY_LOCATION = "//span[contains(@class,'locality')]"
LEGACY_CONNECTIONS = "//*[contains(@class,'member-connections')] | //dd[contains(@class,'overview-connections')]"
LEGACY_SUMMARY = "//p[contains(@class,'summary') and contains(@class,'description')] | //section[@id='summary']//p"
# Shared text hints: modals, sign-in prompts and "people also viewed" are dropped from the text.
TEXT_FIRST = (
    "//section[contains(@class,'top-card-layout')]",
    EMBER_CARD,
    "//section[@data-section='summary']",
    "//section[@data-section='experience']",
)
TEXT_DROP = (
    "//*[contains(@class,'contextual-sign-in-modal')]",
    "//*[contains(@class,'sign-in-modal')]",
    "//aside",
    "//*[@data-section='posts']",
    "//section[contains(@class,'activities')]",
)
_DURATION = re.compile(r"\(?\d+ (?:years?|mos?|months?)(?: \d+ (?:mos?|months?))?\)?")


class LinkedInExtractor(Extractor):
    """Public LinkedIn profiles and company pages."""

    name = "linkedin"
    profile_source = "LinkedIn"
    needs_browser = False  # the public pages are server-rendered; the browser only meets the authwall sooner

    def matches(self, url: str) -> bool:
        return host_in(url, DOMAINS)

    def parse(self, page: Page) -> Extraction:
        doc = Document(page)
        stop = gate(doc)
        if stop:
            return refused(page, self.name, self.profile_source, stop, kind=_KIND)
        is_company = bool(COMPANY_PATH.match(doc.path))
        subject = find_subject(jsonld_nodes(doc))
        if subject is not None:
            is_company = subject.kind == "organization"
        if is_company and _has_company(doc, subject):
            bag, links = FactBag(), []
            links += company_facts(doc, bag)
            text = condenser_text(doc, first=TEXT_FIRST, drop=TEXT_DROP)
            return result(
                page, self.name, self.profile_source, "organization", bag, links, text, kind="linkedin_company"
            )
        if not is_company and _has_person(doc, subject):
            bag = FactBag()
            links = person_facts(doc, bag)
            text = condenser_text(doc, first=TEXT_FIRST, drop=TEXT_DROP)
            return result(page, self.name, self.profile_source, "person", bag, links, text, kind="linkedin_person")
        return refused(page, self.name, self.profile_source, _why_empty(doc), kind=_KIND)


def _has_person(doc: Document, subject) -> bool:
    return (subject is not None and subject.kind == "person") or bool(
        doc.xpath(PUBLIC_NAME) or doc.xpath(EMBER_NAME) or doc.xpath(LEGACY_NAME)
    )


def _has_company(doc: Document, subject) -> bool:
    return (subject is not None and subject.kind == "organization") or bool(doc.xpath(PUBLIC_NAME))


def _why_empty(doc: Document) -> Gate:
    """A LinkedIn page with no profile on it: authwall, missing profile, or something else."""
    said = NOT_FOUND_WORDS.search(doc.title) or NOT_FOUND_WORDS.search(doc.text_sample[:3000])
    if said:
        return Gate(Outcome.not_found, f'LinkedIn says "{said.group(0)}"')
    page_key = doc.meta.get("pagekey", "").lower()
    if (
        AUTHWALL_PATH.match(doc.path)
        or any(k in page_key for k in AUTHWALL_PAGE_KEYS)
        or AUTHWALL_TITLE.search(doc.title)
        or doc.xpath("//input[@type='password']")
    ):
        shown = doc.title or doc.path
        return Gate(
            Outcome.login_wall,
            f'LinkedIn login wall ("{shown[:60]}"): the profile is not shown '
            "to logged-out visitors; parse a page you saved yourself with --from-file",
        )
    return Gate(Outcome.unsupported, "a LinkedIn page without a person or company profile on it")


def person_facts(doc: Document, bag: FactBag) -> list[str]:
    """Facts of a person profile, from every layout the page may use; returns its links."""
    _, links = structured(doc, bag)
    _public(doc, bag)
    _ember(doc, bag)
    _legacy(doc, bag)
    _experience(doc, bag)
    bag.add_all("education", doc.texts_of(EDUCATION), "section:education", "selector")
    bag.add_all("languages", doc.texts_of(LANGUAGES), "section:languages", "selector")
    bag.add_all("skills", doc.texts_of(SKILLS), "section:skills", "selector")
    for text in doc.texts_of(PUBLIC_WEBSITES):
        if re.match(r"^https?://\S+$", text):
            links.append(text)
    return links


def _add_text(bag: FactBag, key: str, doc: Document, expr: str, node=None) -> None:
    text = doc.text_of(expr, node)
    bag.add(key, text, text, "selector")


def _public(doc: Document, bag: FactBag) -> None:
    _add_text(bag, "name", doc, PUBLIC_NAME)
    _add_text(bag, "headline", doc, PUBLIC_HEADLINE)  # never the <title>: it repeats the job line instead
    spans = doc.texts_of(PUBLIC_SUBLINE_SPANS)
    if spans and not count_phrases(spans[0]) and "connection" not in spans[0].lower():
        bag.add("location", spans[0], spans[0], "selector")
    for text in spans:
        _stats(bag, text)
    _add_text(bag, "employer", doc, PUBLIC_CURRENT)
    bag.add_all("education", doc.texts_of(PUBLIC_SCHOOL), "top card: education", "selector")
    about = " ".join(doc.texts_of(PUBLIC_ABOUT))
    bag.add("bio", about, about, "selector")


def _stats(bag: FactBag, text: str) -> None:
    for key, value, snippet in count_phrases(text):
        bag.add(key, value, snippet, "selector")
    match = re.search(r"(\d[\d,]*\+?)\s*connections?", text, re.I)
    if match:
        bag.add("connections", match.group(1), match.group(0), "selector")


def _ember(doc: Document, bag: FactBag) -> None:
    card = doc.first(EMBER_CARD)
    if card is None:
        return
    _add_text(bag, "name", doc, EMBER_NAME)
    _add_text(bag, "headline", doc, EMBER_HEADLINE, card)
    _add_text(bag, "location", doc, EMBER_LOCATION, card)
    for attr in doc.xpath(EMBER_CURRENT, card):
        bag.add("employer", attr.split(":", 1)[1].split(". Click", 1)[0], attr, "selector")
    for attr in doc.xpath(EMBER_SCHOOL, card):
        bag.add("education", attr.split(":", 1)[1].split(". Click", 1)[0], attr, "selector")
    for text in doc.texts_of(EMBER_CONNECTIONS, card):
        _stats(bag, text)


def _legacy(doc: Document, bag: FactBag) -> None:
    _add_text(bag, "name", doc, LEGACY_NAME)
    _add_text(bag, "headline", doc, LEGACY_HEADLINE)
    _add_text(bag, "location", doc, LEGACY_LOCATION)
    for text in doc.texts_of(LEGACY_CONNECTIONS):
        _stats(bag, text if "connection" in text.lower() else f"{text} connections")
    summary = " ".join(doc.texts_of(LEGACY_SUMMARY))
    bag.add("bio", summary, summary, "selector")
    for label, value in label_pairs(doc.root):
        text = element_text(value)
        if label in ("industry",):
            bag.add("industry", text, text, "selector")
        elif label == "location":
            bag.add("location", text, text, "selector")
        elif label == "connections":
            _stats(bag, text if "connection" in text.lower() else f"{text} connections")


def _experience(doc: Document, bag: FactBag) -> None:
    """One fact per position ("Title at Company (dates)"); the first current one gives title and employer."""
    for item in doc.xpath(EXPERIENCE_ITEMS):
        title, company = doc.text_of(ITEM_TITLE, item), doc.text_of(ITEM_COMPANY, item)
        if not title and not company:
            continue
        dates = _dates(doc, item)
        line = " at ".join(p for p in (title, company) if p) + (f" ({dates})" if dates else "")
        bag.add("experience", line, line, "selector")
        if "present" in dates.lower() and title and (not bag.has("employer") or bag.get("employer") == company):
            bag.add("job_title", title, line, "selector")
            bag.add("employer", company, line, "selector")


def _dates(doc: Document, item) -> str:
    times = [clean(t.text_content()) for t in doc.xpath(ITEM_DATES, item)]
    times = [t for t in times if t]
    span = doc.text_of(ITEM_RANGE, item)
    if not times:
        return _DURATION.sub("", span).strip(" ·-–")
    if len(times) == 1 and "present" in span.lower() and times[0].lower() != "present":
        times.append("Present")
    return " - ".join(times[:2])
