"""Embedded application state: JSON in script tags, read as data and never executed.

Client-rendered sites ship the data of the page as JSON inside scripts: `<script type="application/json">`,
`__NEXT_DATA__`, Nuxt/Apollo state, `window._sharedData = {...}`, hydration arrays passed to a bundle.
Every JSON object or array literal found in a script is decoded (json.JSONDecoder.raw_decode at each
`{"` / `[{"` start, skipping past what decoded) and walked for profile-shaped objects: a dict with
several profile keys (followers/following counts, biography, username, created_at...). Only an object
tied to the page (its username/permalink is the handle in the URL, or its name is the page's title) is
read: embedded state also holds the viewer's session, geo-IP and other accounts' widgets.
Evidence is the JSON path ("state:$[5].data[0].followers_count").
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from extractors.facts import FactBag, clean, norm
from extractors.html import Document

__all__ = ["handle_strings", "json_blobs", "profile_objects", "read_app_state"]

log = logging.getLogger(__name__)

_START = re.compile(r'[\[{]\s*(?=[{"])')
_MAX_SCRIPT = 4_000_000  # characters; a bigger script is a bundle, not state
_MAX_ATTEMPTS = 400  # decode attempts per page: failed attempts re-scan text, so they are bounded
_MAX_NODES = 200_000  # dicts and lists visited per page
_DECODER = json.JSONDecoder(strict=False)

# Profile keys as sites name them (compared lower-cased with "_" removed) -> our fact key.
_COUNTS = {
    "followerscount": "followers_count",
    "followercount": "followers_count",
    "followers": "followers_count",
    "subscribercount": "followers_count",
    "subscriberscount": "followers_count",
    "fancount": "followers_count",
    "edgefollowedby": "followers_count",
    "followingscount": "following_count",
    "followingcount": "following_count",
    "friendscount": "following_count",
    "following": "following_count",
    "edgefollow": "following_count",
    "followscount": "following_count",
    "trackcount": "posts_count",
    "trackscount": "posts_count",
    "postscount": "posts_count",
    "postcount": "posts_count",
    "statusescount": "posts_count",
    "mediacount": "posts_count",
    "videocount": "posts_count",
    "photoscount": "posts_count",
    "edgeownertotimelinemedia": "posts_count",
}
_TEXTS = {
    "fullname": "name",
    "displayname": "name",
    "name": "name",
    "biography": "bio",
    "bio": "bio",
    "description": "bio",
    "about": "bio",
    "city": "location",
    "location": "location",
    "externalurl": "website",
    "website": "website",
    "blog": "website",
    "homepage": "website",
}
_LINKS = ("biolink", "externallink", "websitelink")  # {"link": "..."} objects
_HANDLES = ("username", "screenname", "permalink", "handle", "login", "uniqueid", "vanityname", "slug")
_DATES = ("createdat", "joindate", "joined", "datejoined", "joineddate", "creationdate")
_VERIFIED = ("verified", "isverified")
_MIN_PROFILE_KEYS = 3


def _key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def json_blobs(doc: Document) -> list[Any]:
    """Every JSON value decoded from the page's non-JSON-LD scripts (cached per page)."""
    return doc.memo("appstate", _json_blobs)


def _json_blobs(doc: Document) -> list[Any]:
    blobs: list[Any] = []
    attempts = 0
    for script in doc.root.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        text = script.text or ""
        if kind == "application/ld+json" or script.get("src") or not text or len(text) > _MAX_SCRIPT:
            continue
        position = 0
        while attempts < _MAX_ATTEMPTS:
            match = _START.search(text, position)
            if match is None:
                break
            attempts += 1
            try:
                value, end = _DECODER.raw_decode(text, match.start())
            except (ValueError, RecursionError):  # not JSON, or a number past int()'s digit limit
                position = match.start() + 1
                continue
            if isinstance(value, (dict, list)) and value:
                blobs.append(value)
            position = max(end, match.start() + 1)
    return blobs


def _walk(value: Any, path: str, budget: list[int]) -> Iterator[tuple[str, dict]]:
    """(path, dict) for every dict under value, depth first, within the node budget."""
    stack = [(value, path)]
    while stack and budget[0] > 0:
        node, where = stack.pop()
        budget[0] -= 1
        if isinstance(node, dict):
            yield where, node
            stack.extend((v, f"{where}.{k}") for k, v in reversed(node.items()) if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(
                (v, f"{where}[{i}]") for i, v in reversed(list(enumerate(node))) if isinstance(v, (dict, list))
            )


def _count(value: Any) -> int | None:
    if isinstance(value, dict):  # Instagram: {"edge_followed_by": {"count": 2362}}
        value = value.get("count")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _profile_score(node: dict) -> int:
    keys = {_key(k) for k in node}
    return sum(1 for k in keys if k in _COUNTS or k in _DATES or k in ("biography", "bio", "fullname")) + bool(
        keys & set(_HANDLES)
    )


def _merged(node: dict) -> dict:
    """The object with its child objects' keys folded in (the object's own keys win): TikTok-style state
    keeps {"user": {...}, "stats": {...}} side by side."""
    view = dict(node)
    for child in node.values():
        if isinstance(child, dict) and len(child) <= 60:
            for k, v in child.items():
                view.setdefault(k, v)
    return view


def profile_objects(doc: Document) -> list[tuple[str, dict]]:
    """Profile-shaped objects in the embedded state (merged with their children), with their JSON paths."""
    found, budget = [], [_MAX_NODES]
    for index, blob in enumerate(json_blobs(doc)):
        for path, node in _walk(blob, f"state:$[{index}]", budget):
            view = _merged(node)
            if _profile_score(view) >= _MIN_PROFILE_KEYS:
                found.append((path, view))
    return found


def _ties(node: dict, handles: set[str], names: set[str]) -> bool:
    """True when the object is the page's own subject (its handle is in the URL, or its name is the title's)."""
    for key, value in node.items():
        if not isinstance(value, str):
            continue
        k = _key(key)
        if k in _HANDLES and value.lower().lstrip("@") in handles:
            return True
        if k in ("fullname", "displayname", "name", "username") and norm(value) and norm(value) in names:
            return True
    return False


def read_app_state(doc: Document, bag: FactBag, handles: set[str], names: set[str]) -> bool:
    """Facts of the embedded profile object tied to this page; True when one was read."""
    handles = {h.lower().lstrip("@") for h in handles if h}
    names = {norm(n) for n in names if n and norm(n)}
    for path, node in profile_objects(doc):
        if _ties(node, handles, names):
            _profile_facts(bag, node, path)
            return True
    return False


def _profile_facts(bag: FactBag, node: dict, path: str) -> None:
    for key, value in node.items():
        k, where = _key(key), f"{path}.{key}"
        if k in _COUNTS and _count(value) is not None:
            bag.add(_COUNTS[k], _count(value), where, "selector")
        elif k in _TEXTS and isinstance(value, str):
            bag.add(_TEXTS[k], clean(value), where, "selector")
        elif k in _LINKS and isinstance(value, dict) and isinstance(value.get("link") or value.get("url"), str):
            bag.add("website", value.get("link") or value.get("url"), f"{where}.link", "selector")
        elif k in _HANDLES[:3] and isinstance(value, str):
            bag.add("handle", value, where, "selector")
        elif k in _DATES and isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
            bag.add("joined_date", value[:10], where, "selector")
        elif k in _VERIFIED and isinstance(value, bool):
            bag.add("verified", value, where, "selector")


def handle_strings(doc: Document) -> Iterator[tuple[str, str]]:
    """(path, '@handle') for values of keys named like '*handle*' in the embedded state (YouTube's header)."""
    budget = [_MAX_NODES]
    for index, blob in enumerate(json_blobs(doc)):
        for path, node in _walk(blob, f"state:$[{index}]", budget):
            for key, value in node.items():
                if "handle" not in key.lower():
                    continue
                text = _text_of(value)
                if text.startswith("@") and 1 < len(text) <= 60 and " " not in text:
                    yield f"{path}.{key}", text


def _text_of(value: Any) -> str:
    """A string, or the text of {"runs": [{"text": ...}]} / {"content": ...} / {"simpleText": ...}."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        runs = value.get("runs")
        if isinstance(runs, list):
            return clean("".join(r.get("text", "") for r in runs if isinstance(r, dict)))
        for key in ("content", "simpleText", "text"):
            if isinstance(value.get(key), str):
                return clean(value[key])
    return ""
