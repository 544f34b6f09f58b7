"""Visible text as lines (block elements and <br> end a line) and as sentences, for the text layers.

Read from the shared tree before anything changes it; code samples, scripts and forms are skipped, so
an email in a code example or a cookie banner's text is never taken for the subject's.
"""

from __future__ import annotations

import re

from lxml import etree

from extractors.facts import clean
from extractors.html import BLOCK_TAGS, Document

__all__ = ["sentences", "split_sentences", "text_lines"]

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "code",
    "pre",
    "select",
    "textarea",
    "button",
    "iframe",
    "object",
}
_MAX_CHARS = 200_000  # visible text read per page; text layers never need more
_PARAGRAPH_BREAKS = BLOCK_TAGS - {"br"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ0-9\"“])")


def _walk(el: etree._Element, out: list[str], budget: list[int], breaks: frozenset[str] = BLOCK_TAGS) -> None:
    if budget[0] <= 0:
        return
    if el.text:  # a newline in the source is a space on screen; only elements end lines
        out.append(el.text.replace("\n", " "))
        budget[0] -= len(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in _SKIP and child.get("hidden") is None:
            block = tag in breaks
            out.append("\n" if block else " " if tag == "br" else "")
            _walk(child, out, budget, breaks)
            if block:
                out.append("\n")
        if child.tail:
            out.append(child.tail.replace("\n", " "))
            budget[0] -= len(child.tail)


def text_lines(doc: Document, root: etree._Element | None = None, *, paragraphs: bool = False) -> list[str]:
    """Non-empty cleaned lines of visible text in page order; with paragraphs, <br> does not end a line."""
    if root is None:
        return doc.memo("paragraphs" if paragraphs else "lines", lambda d: _lines(d.root.find("body"), paragraphs))
    return _lines(root, paragraphs)


def _lines(scope: etree._Element | None, paragraphs: bool) -> list[str]:
    parts: list[str] = []
    if scope is not None:
        _walk(scope, parts, [_MAX_CHARS], _PARAGRAPH_BREAKS if paragraphs else BLOCK_TAGS)
    return [line for line in (clean(x) for x in "".join(parts).split("\n")) if line]


def split_sentences(text: str) -> list[str]:
    """A paragraph's sentences."""
    return [s for s in _SENTENCE_END.split(text) if s]


def sentences(doc: Document) -> list[str]:
    """Sentences of the visible text (paragraphs split at sentence ends), cached per page."""
    return doc.memo("sentences", _sentences)


def _sentences(doc: Document) -> list[str]:
    out: list[str] = []
    for line in text_lines(doc, paragraphs=True):
        out += [s for s in _SENTENCE_END.split(line) if s]
    return out
