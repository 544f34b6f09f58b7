"""Profiles on platforms without a module of their own (Medium, Bluesky, SoundCloud, Flickr, YouTube, ...).

Read from what every such page states: OpenGraph profile tags, "Name (@handle)" titles, the profile's
path in the URL ("/@ada", "/photos/ada/", "/ada"), counts in meta tags and in the meta description,
counters in the page header ("359 Followers • 209 Following"), "Joined 2009", and the embedded
application state object that is tied to the page (extractors.appstate).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extractors.appstate import handle_strings, read_app_state
from extractors.facts import FactBag, clean, norm
from extractors.html import Document, registrable_domain
from extractors.layers import count_phrases
from extractors.lines import split_sentences, text_lines
from extractors.meta import canonical_url, description, meta_counts, meta_place, page_name, site_label, strip_stats
from extractors.sites import is_platform, platform_name
from extractors.urls import host_of

__all__ = [
    "ORG_WORDS",
    "PROFILE_TITLE",
    "PROFILE_TYPES",
    "is_profile_page",
    "looks_like_org",
    "platform_profile",
    "url_handle",
    "user_links",
]

PROFILE_TYPES = frozenset({"profile", "music.musician", "music.group", "books.author"})
# First path segments that are a platform's own pages, not somebody's profile.
_RESERVED = frozenset(
    {
        "share",
        "sharer",
        "sharer.php",
        "intent",
        "home",
        "search",
        "hashtag",
        "hashtags",
        "login",
        "signup",
        "explore",
        "i",
        "settings",
        "privacy",
        "tos",
        "terms",
        "about",
        "help",
        "watch",
        "video",
        "videos",
        "p",
        "post",
        "posts",
        "status",
        "tag",
        "tags",
        "results",
        "playlist",
        "events",
        "reel",
        "reels",
        "tv",
        "stories",
        "embed",
        "sharearticle",
        "feed",
        "jobs",
        "legal",
        "policies",
        "developers",
        "dialog",
        "plugins",
        "oauth",
        "auth",
        "account",
        "notifications",
        "messages",
        "discover",
        "trending",
        "web",
    }
)
# Segments that introduce a profile: "/channel/<id>", "/in/<name>", "/photos/<name>/", "/profile/<handle>".
_PREFIXES = frozenset(
    {
        "in",
        "company",
        "pub",
        "school",
        "channel",
        "c",
        "user",
        "u",
        "users",
        "people",
        "profile",
        "profiles",
        "photos",
        "artist",
        "author",
        "members",
        "member",
        "@",
    }
)
_OPAQUE_AFTER = frozenset({"channel", "artist", "pub"})  # ids, not handles
_JOINED = re.compile(
    r"^(?:joined|member since|joined on|mitglied seit|se unió en|inscrit en|iscritto dal)\s+"
    r"(?P<date>(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2},?\s+)?(?:19|20)\d\d)$",
    re.I,
)
_MAX_USER_LINKS = 8
# The rest of a platform's stock description: "Check out their videos, sign up to chat, and join ..."
_PROMO_TAIL = re.compile(r"^(?:check out|sign up|join|follow|watch|listen|subscribe)\b.*\b(?:their|his|her)\b", re.I)
PROFILE_TITLE = re.compile(r"^(?P<name>[^()•]{1,80}?)\s*\((?P<handle>@[\w.\-]{1,60}(?:@[\w.\-]{1,100})?)\)")
# Words that make an account's name an organization's: "Fernlight Studio", "Acme Labs", "Kranwerk GmbH".
ORG_WORDS = frozenset(
    {
        "studio",
        "studios",
        "agency",
        "labs",
        "lab",
        "inc",
        "llc",
        "ltd",
        "gmbh",
        "ag",
        "sa",
        "sl",
        "company",
        "co",
        "corp",
        "group",
        "records",
        "media",
        "press",
        "collective",
        "foundation",
        "association",
        "club",
        "team",
        "university",
        "institute",
        "school",
        "network",
        "bank",
        "society",
        "council",
        "magazine",
        "journal",
        "news",
        "band",
        "orchestra",
        "choir",
        "ensemble",
    }
)
_LIST_COUNTS = re.compile(r"^[\d\s.,kKmMbB]+\s+\w+(?:\s*[•·|,]\s*[\d\s.,kKmMbB]+\s+\w+)+$")


def looks_like_org(name: str) -> bool:
    """True when a name ends in an organization word ("Fernlight Studio", "Kranwerk GmbH")."""
    words = norm(name).split()
    return len(words) >= 2 and words[-1] in ORG_WORDS


def _segments(url: str) -> list[str]:
    try:
        return [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return []


def _without_platform(text: str, doc: Document) -> str:
    """A profile's description without the sentences that speak of the platform itself ("X streams live on
    Twitch!", "Check out their videos"): an account holder's bio seldom names the site it is on."""
    platform = norm(platform_name(doc.url) or site_label(doc))
    if not platform:
        return text
    kept = [s for s in split_sentences(text) if platform not in norm(s).split() and not _PROMO_TAIL.search(s)]
    return " ".join(kept)


def url_handle(url: str) -> str:
    """The profile's handle its URL carries ('/@ada' -> '@ada', '/photos/ada/' -> 'ada'), else ''."""
    segments = _segments(url)
    if not segments or segments[0].lower() in _RESERVED:
        return ""
    if segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0]
    if len(segments) == 1:
        return segments[0] if re.fullmatch(r"[\w.-]{2,40}", segments[0]) else ""
    if segments[0].lower() in _PREFIXES - _OPAQUE_AFTER and re.fullmatch(r"[\w.-]{2,40}", segments[1]):
        return segments[1]
    return ""


def is_profile_page(doc: Document) -> bool:
    """True when a platform page is somebody's profile (by its OpenGraph type or its URL's shape)."""
    if doc.meta.get("og:type", "").lower() in PROFILE_TYPES or any(k.startswith("profile:") for k in doc.meta):
        return True
    segments = _segments(doc.url)
    if not segments or segments[0].lower() in _RESERVED:
        return False
    return (
        len(segments) == 1 or segments[0].startswith("@") or (len(segments) == 2 and segments[0].lower() in _PREFIXES)
    )


def _joined(doc: Document, bag: FactBag) -> None:
    for line in text_lines(doc)[:300]:
        match = _JOINED.match(line) if len(line) <= 40 else None
        if match:
            bag.add("joined_date", match.group("date"), line, "text")
            return


def _counter_rows(doc: Document, bag: FactBag) -> None:
    """A header row of counters in one element: '359 Followers • 209 Following'."""
    for line in text_lines(doc)[:400]:
        if len(line) <= 80 and _LIST_COUNTS.match(line):
            for key, value, said in count_phrases(line):
                bag.add(key, value, said, "selector")


def user_links(doc: Document) -> list[str]:
    """Links the account holder added: off-platform anchors marked rel=me, nofollow or ugc (the
    convention platforms use for links their users supply), not the platform's own accounts."""
    own = registrable_domain(doc.host)
    site = norm(site_label(doc)).replace(" ", "")
    found: list[str] = []
    for el in doc.xpath("//body//a[@href][@rel]"):
        rel = set(el.get("rel", "").lower().split())
        url = doc.absolute(el.get("href"))
        if not (rel & {"me", "nofollow", "ugc"}) or not url.startswith("http"):
            continue
        host = host_of(url)
        if registrable_domain(host) == own or (site and url_handle(url).lower().lstrip("@") == site):
            continue
        if url not in found:
            found.append(url)
    return found[:_MAX_USER_LINKS]


def platform_profile(doc: Document, bag: FactBag) -> bool:
    """Facts of a profile on a platform; True when the page names its subject."""
    name, evidence = page_name(doc)
    titled = PROFILE_TITLE.match(name)
    if titled:  # "Ada Lovelace (@ada)": the name and the handle
        name = titled.group("name").strip()
        bag.add("handle", titled.group("handle"), evidence, "meta")
    handle = url_handle(canonical_url(doc)) or url_handle(doc.url)
    read_app_state(doc, bag, {handle, str(bag.get("handle") or "")}, {name, str(bag.get("name") or "")})
    bag.add("name", name, evidence, "meta")
    if handle:
        bag.add("handle", handle, f"url:{urlsplit(canonical_url(doc)).path}", "text")
    for path, found in handle_strings(doc) if not bag.has("handle") else ():
        bag.add("handle", found, path, "selector")
        break
    bio, where = description(doc)
    bio = _without_platform(strip_stats(bio), doc)
    if bio and not count_phrases(bio):
        bag.add("bio", bio, where, "meta")  # an account's self-description is its bio, whoever holds it
    for url in user_links(doc):
        if not is_platform(url):
            bag.add("website", url, f'<a rel="me/nofollow" href="{url}">', "selector")
    meta_counts(doc, bag)
    meta_place(doc, bag)
    for key in ("og:description", "description", "twitter:description"):
        for count_key, value, _ in count_phrases(clean(doc.meta.get(key))):
            bag.add(count_key, value, f"meta:{key}", "meta", approximate=bool(re.search(r"\d\s?[kmb]\b", value, re.I)))
    _counter_rows(doc, bag)
    _joined(doc, bag)
    return bag.has("name") or bag.has("handle")
