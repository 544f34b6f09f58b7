"""The page's useful text for the condenser: no navigation, cookie banners, scripts, forms or footers.

Bounded (about 6,000 characters per source) and ordered most informative first: the site's own
profile regions, then <main>/<article>, then whatever else remains. Off-site links keep their target.
Building it changes the tree, so an extractor calls it last.
"""

from __future__ import annotations

import re

from lxml import etree

from extractors.facts import clean
from extractors.html import BLOCK_TAGS, Document, registrable_domain
from extractors.urls import host_of

__all__ = ["TEXT_LIMIT", "condenser_text"]

TEXT_LIMIT = 6_000
_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "nav",
    "footer",
    "dialog",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "code",
}
_DROP_ROLES = {"navigation", "contentinfo", "dialog", "alertdialog", "search", "banner"}
# class/id words of boilerplate: consent banners, modals, screen-reader duplicates, skip links
_DROP_WORDS = re.compile(
    r"(?:^|[\s_-])(cookie|cookies|consent|gdpr|modal|popup|newsletter|skip-link|sr-only|visually-hidden|"
    r"a11y-text|u-hiddenvisually|screen-reader-text|share-buttons|breadcrumbs?)(?:$|[\s_-])",
    re.I,
)
_SIGN_IN_LINK = re.compile(r"/(?:login|signin|sign-in|signup|sign-up|join|register|uas/login|authwall)\b", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_MAIN = "//main | //*[@role='main'] | //article"
_MIN_LINE = 2
_DEDUP_MIN = 25


def _droppable(el: etree._Element) -> bool:
    tag = el.tag
    if tag == "button" and el.xpath(".//h1 | .//h2 | .//h3"):
        return False  # LinkedIn wraps the profile's name heading in a button
    if tag in _DROP_TAGS or el.get("hidden") is not None or el.get("aria-modal") == "true":
        return True
    if (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    if tag == "header" and el.find(".//nav") is not None:
        return True
    if tag == "a" and _SIGN_IN_LINK.search(el.get("href") or ""):
        return True  # "Sign in to view email", "Join to view profile": prompts, not content
    marks = f"{el.get('class', '')} {el.get('id', '')}"
    if marks.strip() and _DROP_WORDS.search(marks):
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _strip(doc: Document, extra_drop: tuple[str, ...]) -> None:
    doomed = [el for el in doc.root.iter() if not isinstance(el.tag, str) or _droppable(el)]
    for expr in extra_drop:
        doomed.extend(doc.root.xpath(expr))
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:  # keep the text that follows a removed element
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + " " + el.tail
            else:
                parent.text = (parent.text or "") + " " + el.tail
        parent.remove(el)


def _mark_blocks(doc: Document) -> None:
    site = registrable_domain(doc.host)
    for el in doc.root.iter():
        if el.tag in BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
        elif el.tag == "a":
            href = doc.absolute(el.get("href"))
            host = host_of(href)
            shown = "".join(el.itertext())
            if shown.strip() and href.startswith("http") and registrable_domain(host) != site and host not in shown:
                el.tail = f" ({href})" + (el.tail or "")


def _lines(node: etree._Element) -> list[str]:
    return [
        line
        for line in (clean(part) for part in "".join(node.itertext()).split("\n"))
        if len(line) >= _MIN_LINE and any(c.isalnum() for c in line)
    ]


def condenser_text(
    doc: Document, *, first: tuple[str, ...] = (), drop: tuple[str, ...] = (), limit: int = TEXT_LIMIT
) -> str:
    """Clean, de-duplicated, bounded text; `first` XPaths are site regions to put at the top."""
    _strip(doc, drop)
    _mark_blocks(doc)
    body = doc.root.find("body")
    if body is None:
        return ""
    regions: list[etree._Element] = []
    for expr in (*first, _MAIN):
        for el in doc.root.xpath(expr):
            ancestors = set(el.iterancestors())
            if not any(r is el or r in ancestors for r in regions):
                regions.append(el)
    seen: set[str] = set()
    out: list[str] = []
    size = 0
    for node in (*regions, body):
        lines = _lines(node)
        if node is not body and node.getparent() is not None:
            node.getparent().remove(node)  # emitted once: the enclosing regions must not repeat it
        for line in lines:
            # a sentence said twice is said once; a short label ("Nordvik Robotics") may recur in context
            if line in seen and (len(line) >= _DEDUP_MIN or (out and out[-1] == line)):
                continue
            seen.add(line)
            if size + len(line) + 1 > limit:
                room = limit - size - 1
                if room > 80:  # a cut line is still worth having when a good part of it fits
                    out.append(line[:room].rsplit(" ", 1)[0] + " …")
                return "\n".join(out)
            out.append(line)
            size += len(line) + 1
    return "\n".join(out)
