"""The generic layer every page passes through: what any page states about itself in its head.

`<title>` patterns ("Name (@handle) / Site", "Name - Site", "Name | Site"), OpenGraph and Twitter
cards, the meta description (unless it is the site's own boilerplate), OpenGraph place tags, counts in
site-namespaced meta tags ("soundcloud:follower_count"), the canonical URL, the first `<h1>`.
"""

from __future__ import annotations

import re

from extractors.facts import FactBag, clean, norm
from extractors.html import Document, registrable_domain
from extractors.sites import platform_name

__all__ = [
    "boilerplate",
    "canonical_url",
    "description",
    "meta_counts",
    "meta_place",
    "page_name",
    "site_label",
    "strip_stats",
    "title_parts",
    "without_boilerplate",
]

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|•|::|»|/)\s+")
# A meta description that advertises the site rather than describing the subject: "Listen to X on
# Spotify", "Read writing from X on Medium", "The latest Tweets from X", "Explore X's 618 photos on Flickr".
_PROMO_VERBS = re.compile(
    r"^(?:listen to|read writing from|read|explore|watch|see|discover|follow|check out|join|stream|"
    r"the latest (?:tweets|posts|videos|photos) (?:from|by)|sign up|log in|find|view|download|play|"
    r"sieh dir|schau dir|entdecke|hör dir|lies|mira|descubre|escucha|regarde|découvre|écoute|guarda|scopri|"
    r"ascolta|bekijk|ontdek|luister|veja|confira|ouça)\b",
    re.I,
)
# "1,2 k messages, 311 abonnements, 2,8 k abonnés · " before a bio (Mastodon's and Instagram's meta).
_STATS_PREFIX = re.compile(r"^(?:[\d\s.,\u00a0\u202f]+\s?[kKmM]?\s+[^\W\d]+[,\s]*){1,5}[·•|:–-]\s*")
_STATS_ONLY = re.compile(r"^[\w\s.,·•|]*\d[\w\s.,·•|]*$")
_META_COUNTS = {
    "follower_count": "followers_count",
    "followers_count": "followers_count",
    "followers": "followers_count",
    "following_count": "following_count",
    "followings_count": "following_count",
    "sound_count": "posts_count",
    "track_count": "posts_count",
    "post_count": "posts_count",
    "posts_count": "posts_count",
    "video_count": "posts_count",
    "photo_count": "posts_count",
}


def title_parts(doc: Document) -> list[str]:
    """The <title> (else og:title) split on the usual separators: 'About | Acme' -> ['About', 'Acme']."""
    title = doc.title or clean(doc.meta.get("og:title"))
    return [p for p in (clean(s) for s in _SEPARATORS.split(title)) if p]


def _domain_label(doc: Document) -> str:
    return norm(registrable_domain(doc.host).split(".")[0])


def site_label(doc: Document) -> str:
    """The site's own name: og:site_name / application-name, else the title part that names the domain."""
    own = clean(doc.meta.get("og:site_name") or doc.meta.get("application-name"))
    if own:
        return own
    parts = title_parts(doc)
    label = _domain_label(doc)
    for part in parts:
        squashed = norm(part).replace(" ", "")
        if label and (squashed == label or squashed.startswith(label) and len(squashed) <= len(label) + 4):
            return part
    return parts[-1] if len(parts) > 1 else ""


def _without_site(text: str, site: str) -> str:
    """A title without its site part at either end: 'Lucía | cerámica | TikTok' -> 'Lucía | cerámica'."""
    parts = _SEPARATORS.split(text)
    if len(parts) > 1 and norm(parts[-1]) == site:
        return clean(text[: [m.start() for m in _SEPARATORS.finditer(text)][-1]])
    if len(parts) > 1 and norm(parts[0]) == site:
        return clean(text[next(_SEPARATORS.finditer(text)).end() :])
    return "" if norm(text) == site else clean(text)


def page_name(doc: Document) -> tuple[str, str]:
    """What the page names itself (og:title / twitter:title / <title> without the site part), with evidence."""
    site = norm(site_label(doc))
    for key in ("og:title", "twitter:title"):
        kept = _without_site(clean(doc.meta.get(key)), site)
        if kept:
            return kept, f"meta:{key}"
    kept = _without_site(doc.title, site)
    if kept:
        return kept, f"title: {doc.title}"
    h1 = doc.text_of("//h1")
    return (h1, f"h1: {h1}") if h1 and len(h1) <= 80 else ("", "")


def boilerplate(text: str, doc: Document) -> bool:
    """True for a description that is the site's own wording about itself, not the subject's."""
    text = clean(text)
    if not text:
        return True
    sites = {
        norm(s)
        for s in (site_label(doc), platform_name(doc.url), registrable_domain(doc.host).split(".")[0])
        if s and norm(s)
    }
    first = re.split(r"(?<=[.!?])\s+", text)[0]
    if _PROMO_VERBS.match(first) and any(s in norm(text) or s.split()[0] in norm(text).split() for s in sites):
        return True
    return bool(_STATS_ONLY.match(text)) and len(text) < 60


def description(doc: Document) -> tuple[str, str]:
    """The meta description (og:, twitter:, plain), without site boilerplate sentences, with its tag."""
    for key in ("og:description", "description", "twitter:description"):
        text = clean(doc.meta.get(key))
        if not text:
            continue
        kept = without_boilerplate(text, doc)
        if kept:
            return kept, f"meta:{key}"
    return "", ""


def without_boilerplate(text: str, doc: Document) -> str:
    """The text without the site's boilerplate sentences ('' when nothing else is left)."""
    text = clean(text)
    head = _SEPARATORS.split(text, maxsplit=1)
    named = {norm(p) for p in (*title_parts(doc), clean(doc.meta.get("og:title")), site_label(doc)) if p}
    if len(head) == 2 and norm(head[0]) in named:
        text = head[1]  # "Fernlight Studio | Branding and ...": the title repeated before the description
    text = strip_stats(text)
    kept = [s for s in re.split(r"(?<=[.!?])\s+", text) if not boilerplate(s, doc)]
    joined = " ".join(kept)
    return "" if not joined or boilerplate(joined, doc) else joined


def meta_counts(doc: Document, bag: FactBag) -> None:
    """Counts in site-namespaced meta tags: 'soundcloud:follower_count' -> followers_count."""
    for name, value in doc.meta.items():
        prefix, _, local = name.rpartition(":")
        key = _META_COUNTS.get(local)
        if prefix and key and prefix not in ("og", "twitter"):
            bag.add(key, value, f"meta:{name}", "meta")


def meta_place(doc: Document, bag: FactBag) -> None:
    """OpenGraph's place tags (og:locality, og:region, og:country-name) as the subject's location."""
    parts = [clean(doc.meta.get(k)) for k in ("og:locality", "og:region", "og:country-name")]
    place = ", ".join(dict.fromkeys(p for p in parts if p))
    bag.add("location", place, "meta:og:locality", "meta")


def strip_stats(text: str) -> str:
    """Text without a leading row of counts ('311 abonnements, 2,8 k abonnés · Cartographe...')."""
    return _STATS_PREFIX.sub("", text or "").strip()


def canonical_url(doc: Document) -> str:
    """<link rel=canonical>, else og:url, else the page URL."""
    for el in doc.root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            return doc.absolute(el.get("href"))
    return doc.absolute(doc.meta.get("og:url")) or doc.url
