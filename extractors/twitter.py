"""X / Twitter profiles on x.com and twitter.com.

Layers: JSON-LD ProfilePage (exact counts, handle, location), the server-rendered profile header
(data-testid="UserName", "UserDescription", ... as x.com serves it; ProfileHeaderCard-* classes on the
pre-2019 layout), then og:title / og:description, which is all X gives link-preview bots.
The bio is read from the visible header first: JSON-LD shortens every link in it to t.co.
X's robots.txt disallows crawlers: the fetcher only comes here when the operator overrides it.
"""

from __future__ import annotations

import re

from extractors.appstate import read_app_state
from extractors.base import Extractor, host_in, refused, result
from extractors.facts import FactBag, clean
from extractors.html import Document, element_text
from extractors.layers import count_phrases, structured
from extractors.models import Extraction, Outcome, Page, SourceKind
from extractors.pages import Gate, Markers, gate
from extractors.structured import as_list, jsonld_nodes, type_names
from extractors.text import condenser_text

__all__ = ["TwitterExtractor"]

_KIND: SourceKind = "twitter"  # the source kind of a refused page (a profile found decides its own)

DOMAINS = frozenset({"x.com", "twitter.com"})
RESERVED_PATHS = frozenset(
    {
        "i",
        "home",
        "explore",
        "search",
        "login",
        "signup",
        "settings",
        "messages",
        "notifications",
        "intent",
        "share",
        "hashtag",
        "tos",
        "privacy",
    }
)
# Read only when the page holds no profile: a logged-out profile page also offers "Log in to X".
NOT_FOUND = Markers(
    not_found=(
        re.compile(
            r"this account doesn.t exist|account suspended|this page doesn.t exist|"
            r"sorry, that page doesn.t exist",
            re.I,
        ),
    )
)
LOGIN = Markers(
    login=(
        re.compile(
            r"log in to (?:x|twitter)|sign in to (?:x|twitter)|login on (?:x|twitter)|"
            r"don.t miss what.s happening",
            re.I,
        ),
    )
)
LOGIN_PATH = re.compile(r"^/(?:i/flow/login|login|i/flow/signup)", re.I)
TITLE = re.compile(r"^(?P<name>.+?) \(@(?P<handle>\w{1,15})\)(?: on X| / X| on Twitter| [|/] Twitter)?", re.I)

# x.com, server-rendered
USER_NAME = "//*[@data-testid='UserName']"
USER_NAME_TEXT = USER_NAME + "//span[not(contains(., '@'))][normalize-space()][1]"
USER_HANDLE = USER_NAME + "//*[starts-with(normalize-space(text()), '@')]"
USER_DESCRIPTION = "//*[@data-testid='UserDescription']"
USER_LOCATION = "//*[@data-testid='UserLocation']"
USER_URL = "//*[@data-testid='UserUrl']"
USER_JOINED = "//*[@data-testid='UserJoinDate']"
USER_COUNT_LINKS = (
    "//a[contains(@href,'/following') or contains(@href,'/followers') or contains(@href,'/verified_followers')]"
)
USER_POSTS = "//div[@dir][substring(normalize-space(.), string-length(normalize-space(.)) - 4) = ' posts']"
# twitter.com before 2019
LEGACY_NAME = "//*[contains(@class,'ProfileHeaderCard-nameLink')]"
LEGACY_HANDLE = "//*[contains(@class,'ProfileHeaderCard-screenname')]//span[contains(@class,'username')]"
LEGACY_BIO = "//p[contains(@class,'ProfileHeaderCard-bio')]"
LEGACY_LOCATION = "//*[contains(@class,'ProfileHeaderCard-locationText')]"
LEGACY_URL = "//*[contains(@class,'ProfileHeaderCard-urlText')]//a"
LEGACY_JOINED = "//*[contains(@class,'ProfileHeaderCard-joinDateText')]"
LEGACY_COUNTS = {"tweets": "posts_count", "following": "following_count", "followers": "followers_count"}
LEGACY_COUNT = "//li[contains(@class,'ProfileNav-item--{nav}')]//*[contains(@class,'ProfileNav-value')]"
LEGACY_INIT_DATA = "//input[@id='init-data']/@value"  # the page's own JSON: exact counts, even zero ones
LEGACY_JSON_COUNTS = {
    "followers_count": "followers_count",
    "friends_count": "following_count",
    "statuses_count": "posts_count",
}
TEXT_FIRST = (
    "//*[@data-testid='UserProfileHeader_Items']/ancestor::div[4]",
    "//div[contains(@class,'ProfileHeaderCard')]",
)
# Suggestions of other accounts and the logged-out bottom bar are not about this profile.
TEXT_DROP = (
    "//*[@data-testid='sidebarColumn']",
    "//*[@data-testid='UserCell']",
    "//*[@data-testid='BottomBar']",
    "//div[contains(@class,'ProfileSidebar--withRightAlignment')]",
    "//*[contains(@class,'WhoToFollow')]",
)


class TwitterExtractor(Extractor):
    """X (Twitter) profile pages."""

    name = "twitter"
    profile_source = "Twitter"
    needs_browser = True  # x.com renders profiles client-side; plain HTTP gets an empty shell

    def matches(self, url: str) -> bool:
        return host_in(url, DOMAINS)

    def parse(self, page: Page) -> Extraction:
        doc = Document(page)
        if LOGIN_PATH.match(doc.path):
            return refused(
                page,
                self.name,
                self.profile_source,
                Gate(Outcome.login_wall, "X sent the visit to its login page"),
                kind=_KIND,
            )
        stop = gate(doc)
        if stop:
            return refused(page, self.name, self.profile_source, stop, kind=_KIND)
        bag = FactBag()
        _, links = structured(doc, bag)
        _jsonld_page(doc, bag, links)
        _header(doc, bag, links)
        _legacy(doc, bag, links)
        _meta(doc, bag)
        if not (bag.has("name") or bag.has("handle")):
            stop = (
                gate(doc, NOT_FOUND)
                or gate(doc, LOGIN)
                or Gate(
                    Outcome.unsupported,
                    "no profile on the page (X renders profiles with JavaScript: fetch it "
                    "with the browser, or save the page and use --from-file)",
                )
            )
            return refused(page, self.name, self.profile_source, stop, kind=_KIND)
        _handle_from_url(doc, bag)
        # exact counts where the header shows "12.4K": the embedded state's object for this account
        read_app_state(doc, bag, {str(bag.get("handle") or "")}, set())
        text = condenser_text(doc, first=TEXT_FIRST, drop=TEXT_DROP)
        return result(page, self.name, self.profile_source, "person", bag, links, text, kind="twitter")


def _jsonld_page(doc: Document, bag: FactBag, links: list[str]) -> None:
    """ProfilePage's own fields: when the account was created and the links it names (t.co ones skipped)."""
    for node in jsonld_nodes(doc):
        if "profilepage" not in type_names(node):
            continue
        if isinstance(node.get("dateCreated"), str):
            bag.add("joined_date", node["dateCreated"][:10], "jsonld:ProfilePage.dateCreated", "jsonld")
        for link in as_list(node.get("relatedLink")):
            if isinstance(link, str) and "//t.co/" not in link:
                bag.add("website", link, "jsonld:ProfilePage.relatedLink", "jsonld")
                links.append(link)


def _bio_text(el) -> str:
    """A bio with shortened links replaced by where they lead (data-expanded-url / title)."""
    for link in el.iter("a"):
        full = link.get("data-expanded-url") or (
            link.get("title") if (link.get("title") or "").startswith("http") else None
        )
        if full:
            tail = link.tail
            link.clear()
            link.text, link.tail = full, tail
    # X wraps @mentions in <div>s: read the bio as one run of text, not as blocks
    return clean("".join(t for t in el.itertext()))


def _card(doc: Document, bag: FactBag, name: str, handle: str, bio: str, location: str, joined: str) -> None:
    """The header fields both layouts show, each read with that layout's selector."""
    for key, selector in (("name", name), ("handle", handle), ("location", location)):
        value = doc.text_of(selector)
        bag.add(key, value, value, "selector")
    bio_el = doc.first(bio)
    if bio_el is not None:
        text = _bio_text(bio_el)
        bag.add("bio", text, text, "selector", replace=True)
    shown = doc.text_of(joined)
    bag.add("joined_date", re.sub(r"^joined\s+", "", shown, flags=re.I), shown, "selector")


def _header(doc: Document, bag: FactBag, links: list[str]) -> None:
    _card(doc, bag, USER_NAME_TEXT, USER_HANDLE, USER_DESCRIPTION, USER_LOCATION, USER_JOINED)
    url_el = doc.first(USER_URL)
    if url_el is not None:
        shown = element_text(url_el)
        bag.add("website", shown, shown, "selector")
    for text in doc.texts_of(USER_COUNT_LINKS) + doc.texts_of(USER_POSTS)[:1]:
        for key, value, snippet in count_phrases(text):
            bag.add(key, value, snippet, "selector")


def _legacy(doc: Document, bag: FactBag, links: list[str]) -> None:
    _card(doc, bag, LEGACY_NAME, LEGACY_HANDLE, LEGACY_BIO, LEGACY_LOCATION, LEGACY_JOINED)
    url_el = doc.first(LEGACY_URL)
    if url_el is not None:
        full = url_el.get("title") or element_text(url_el)
        bag.add("website", full, element_text(url_el), "selector")
        links.append(full)
    for nav, key in LEGACY_COUNTS.items():
        el = doc.first(LEGACY_COUNT.format(nav=nav))
        if el is not None:
            exact = el.get("data-count")
            shown = element_text(el)
            bag.add(
                key,
                int(exact) if exact and exact.isascii() and exact.isdigit() and len(exact) <= 15 else shown,
                f"{shown} {nav}",
                "selector",
            )
    _legacy_json(doc, bag)


def _legacy_json(doc: Document, bag: FactBag) -> None:
    raw = doc.first(LEGACY_INIT_DATA)
    start = raw.find('"profile_user"') if raw else -1
    if start < 0:
        return
    # read the fields one by one: the blob is large and one broken byte elsewhere must not lose them
    user = raw[start : start + 5_000]
    for field, key in LEGACY_JSON_COUNTS.items():
        found = re.search(rf'"{field}"\s*:\s*(\d+)', user)
        if found:
            bag.add(key, found.group(1), f"init-data:profile_user.{field}", "selector")  # parse_count bounds it


def _meta(doc: Document, bag: FactBag) -> None:
    for key in ("og:title", "twitter:title", "title"):
        match = TITLE.match(clean(doc.meta.get(key, "")))
        if match:
            bag.add("name", match.group("name"), f"meta:{key}", "meta")
            bag.add("handle", match.group("handle"), f"meta:{key}", "meta")
            break
    for key in ("og:description", "description"):
        text = clean(doc.meta.get(key, ""))
        if text and not text.lower().startswith("the latest tweets from"):
            bag.add("bio", text, f"meta:{key}", "meta")
            break


def _handle_from_url(doc: Document, bag: FactBag) -> None:
    first = doc.path.strip("/").split("/")[0]
    if first and first.lower() not in RESERVED_PATHS and re.fullmatch(r"\w{1,15}", first):
        bag.add("handle", first, f"url:{doc.path}", "text")
