"""One parsed page shared by every layer: the lxml tree, meta tags, title, links and small helpers.

The HTML is parsed once per page (lxml, the fastest parser at hand); JSON-LD, microdata, microformats,
meta tags, selectors and the condenser text all read the same tree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cached_property
from typing import TypeVar, cast
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from extractors.facts import clean
from extractors.models import Page
from extractors.urls import host_of

__all__ = ["BLOCK_TAGS", "Document", "class_xpath", "element_text", "label_pairs", "registrable_domain"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Second-level labels under which registrations happen one level deeper (example.co.uk).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SAMPLE_CHARS = 20_000
_COUNT_CAP = 50_000
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "ne", "or", "go"}


def class_xpath(name: str) -> str:
    """An XPath predicate that matches elements carrying the CSS class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def registrable_domain(host: str) -> str:
    """'blog.example.co.uk' -> 'example.co.uk'; 'www.example.org' -> 'example.org' (approximate PSL)."""
    host = (host or "").lower().strip(".")
    if ":" in host or host.replace(".", "").isdigit():
        return host  # an IP address has no registrable part
    labels = [p for p in host.split(".") if p]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


class Document:
    """A page's parsed tree with cached views; create one per parse call."""

    def __init__(self, page: Page):
        self.page = page
        self.url = page.final_url or page.url
        self.root = self._parse(page.html)
        self.cache: dict[str, object] = {}  # per-page results of the layers (JSON-LD nodes, h-cards, ...)

    @staticmethod
    def _parse(html: str) -> etree._Element:
        # C0 controls and noncharacters are not text (HTML's "noncharacter" parse errors) and lxml refuses
        # them when a layer sets text later: drop them once, here.
        text = _NOT_TEXT.sub("", html).strip() if html else ""
        if not text:
            return lxml.html.fromstring("<html><body></body></html>")
        try:
            # bytes let lxml honour <meta charset>; an XML declaration in a str would be refused
            return lxml.html.document_fromstring(
                text.encode("utf-8", "replace"), parser=lxml.html.HTMLParser(encoding="utf-8")
            )
        except (etree.ParserError, ValueError) as exc:
            log.debug("unparseable page (%d chars): %s", len(text), exc)
            return lxml.html.fromstring("<html><body></body></html>")

    def memo(self, key: str, build: Callable[[Document], _T]) -> _T:
        """What `build` makes of this page, built once and kept under `key` in the cache."""
        if key not in self.cache:
            self.cache[key] = build(self)
        return cast(_T, self.cache[key])  # each key is built by one function, so it holds that function's type

    @cached_property
    def host(self) -> str:
        return host_of(self.url)

    @cached_property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @cached_property
    def meta(self) -> dict[str, str]:
        """Meta tags by lower-cased name/property (first one wins), e.g. 'og:title', 'description'."""
        found: dict[str, str] = {}
        for el in self.root.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            content = el.get("content")
            if key and content is not None and key not in found:
                found[key] = content
        return found

    @cached_property
    def title(self) -> str:
        el = self.root.find(".//title")
        return clean(el.text_content()) if el is not None else ""

    @cached_property
    def _visible(self) -> list[str]:
        """Visible body strings in page order, up to ~50,000 characters (one walk, shared)."""
        body = self.root.find("body")
        out: list[str] = []
        if body is None:
            return out
        total = 0
        for el in body.iter():
            # a script's own text is not visible, what follows it is
            texts = (el.tail,) if not isinstance(el.tag, str) or el.tag in _NON_TEXT else (el.text, el.tail)
            for text in texts:
                if text and not text.isspace():
                    text = text.strip()
                    out.append(text)
                    total += len(text)
            if total >= _COUNT_CAP:
                break
        return out

    @cached_property
    def text_sample(self) -> str:
        """The first ~20,000 characters of visible body text, for marker checks."""
        return clean(" ".join(self._visible))[:_SAMPLE_CHARS]

    @cached_property
    def body_text_length(self) -> int:
        """Size of the visible text (counted up to 50,000), for 'is there anything here' decisions."""
        return sum(len(t) for t in self._visible)

    @cached_property
    def rel_me(self) -> list[str]:
        """Absolute targets of rel="me" links (a and link elements), in page order, de-duplicated."""
        out: list[str] = []
        for el in self.root.xpath("//a[@rel][@href] | //link[@rel][@href]"):
            if "me" in el.get("rel", "").lower().split():
                url = self.absolute(el.get("href"))
                if url and url not in out:
                    out.append(url)
        return out

    def absolute(self, href: str | None) -> str:
        """Resolve a link against the page URL; empty for javascript: and fragment-only links."""
        href = (href or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            return ""
        try:
            return urljoin(self.url, href)
        except ValueError:
            return ""

    def xpath(self, expr: str, node: etree._Element | None = None) -> list:
        """Run an XPath against the page (or a node)."""
        return (node if node is not None else self.root).xpath(expr)

    def first(self, expr: str, node: etree._Element | None = None):
        """The first XPath result, or None."""
        found = self.xpath(expr, node)
        return found[0] if found else None

    def text_of(self, expr: str, node: etree._Element | None = None) -> str:
        """Cleaned visible text of the first element matching `expr` ('' when absent)."""
        el = self.first(expr, node)
        if el is None:
            return ""
        return clean(el) if isinstance(el, str) else element_text(el)

    def texts_of(self, expr: str, node: etree._Element | None = None) -> list[str]:
        """Cleaned text of every element matching `expr`, empties dropped."""
        out = []
        for el in self.xpath(expr, node):
            text = clean(el) if isinstance(el, str) else element_text(el)
            if text:
                out.append(text)
        return out


_NON_TEXT = {"script", "style", "noscript", "template", "svg", "button"}
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)


def element_text(el: etree._Element, skip_hidden: bool = False) -> str:
    """Visible text of an element: scripts, styles and icons skipped; optionally aria-hidden parts too."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag and tag not in _NON_TEXT and not (skip_hidden and child.get("aria-hidden") == "true"):
                block = tag in BLOCK_TAGS
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    if isinstance(el.tag, str):
        walk(el)
    return clean("".join(parts))


def label_pairs(root: etree._Element) -> list[tuple[str, etree._Element]]:
    """(label, value element) pairs of definition lists and two-column tables: 'Industry' -> <dd>."""
    pairs: list[tuple[str, etree._Element]] = []
    for term in root.iter("dt", "th"):
        value = term.getnext()
        while value is not None and not isinstance(value.tag, str):
            value = value.getnext()
        if value is not None and value.tag in ("dd", "td"):
            label = element_text(term).rstrip(":").strip()
            if label:
                pairs.append((label.lower(), value))
    return pairs
