"""Fixtures and helpers for the extractor tests: pages from files, and value matching for the evaluations."""

from __future__ import annotations

import difflib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.models import Extraction, Page
from extractors.facts import norm

__all__ = [
    "FIXTURES",
    "SHARED_PAGES",
    "date_match",
    "facts_of",
    "load_expected",
    "make_page",
    "page_from_file",
    "text_match",
    "url_match",
    "value_match",
]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "pages"
SHARED_PAGES = ROOT / ".." / "shared" / "pages"
FETCHED_AT = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})


def make_page(url: str, html: str, status: int = 200) -> Page:
    """A Page as the fetcher would hand it over (engine "replay", fixed fetch time)."""
    return Page(
        url=url,
        final_url=url,
        status=status,
        html=html,
        fetched_at=FETCHED_AT,
        engine="replay",
        content_hash=Page.hash_html(html),
    )


def page_from_file(path: Path, url: str, status: int = 200) -> Page:
    """A Page from a saved HTML file."""
    return make_page(url, path.read_text(encoding="utf-8", errors="replace"), status)


def load_expected() -> list[dict]:
    """tests/pages/expected.json: one entry per fixture page."""
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def facts_of(extraction: Extraction, key: str) -> list:
    """Values of one key; the pseudo-key "links" gives the extraction's links."""
    if key == "links":
        return list(extraction.links)
    return [f.value for f in extraction.facts if f.key == key]


def _strip_parens(text: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def text_match(value: str, truth: str) -> bool:
    """Equal after normalisation, one containing the other (the shorter holding >= 60%), or close."""
    v = norm(value)
    for t in {norm(truth), norm(_strip_parens(truth))}:
        if not v or not t:
            continue
        if v == t or t in v:
            return True
        if v in t and len(v) >= 0.6 * len(t):
            return True
        if difflib.SequenceMatcher(None, v, t).ratio() >= 0.85:
            return True
    return False


def _url_key(url: str) -> str:
    url = url.strip().lower()
    url = re.sub(r"^[a-z]+://", "", url)
    return url.removeprefix("www.").rstrip("/")


def url_match(value: str, truth: str) -> bool:
    """Same URL ignoring scheme, 'www.' and a trailing slash; a relative truth matches by path."""
    if truth.startswith("/"):
        return _url_key(value).partition("/")[2].rstrip("/") == truth.strip("/").lower()
    return _url_key(value) == _url_key(truth)


def _ym(text: str) -> tuple[int, int | None] | None:
    text = text.strip().lower()
    iso = re.match(r"^(\d{4})-(\d{2})(?:-\d{2})?", text)
    if iso:
        return int(iso.group(1)), int(iso.group(2))
    named = re.search(r"\b([a-z]{3,9})\.?\s+(?:\d{1,2},?\s+)?(\d{4})\b", text)
    if named and named.group(1) in _MONTHS:
        return int(named.group(2)), _MONTHS[named.group(1)]
    year = re.search(r"\b(\d{4})\b", text)
    return (int(year.group(1)), None) if year else None


def date_match(value: str, truth: str) -> bool:
    """Equal as text, or the same year and month when the two are written differently."""
    if text_match(value, truth):
        return True
    a, b = _ym(str(value)), _ym(_strip_parens(str(truth)))
    if not a or not b or a[0] != b[0]:
        return False
    return a[1] is None or b[1] is None or a[1] == b[1]


def value_match(key: str, value: object, truth: object) -> bool:
    """Does an extracted value of `key` state the ground-truth value?"""
    if isinstance(truth, bool) or truth is None:
        return False
    if isinstance(truth, int) and key != "connections":
        return isinstance(value, int) and value == truth
    if key == "connections":
        return norm(str(value)) == norm(str(truth))
    if key in ("website", "links"):
        return url_match(str(value), str(truth))
    if key == "joined_date":
        return date_match(str(value), str(truth))
    if key == "experience":
        return norm(str(truth)) in norm(str(value))
    return text_match(str(value), str(truth))


@pytest.fixture
def fixture_page():
    """Load one of tests/pages by file name: fixture_page("x_profile.html", url, status)."""

    def load(name: str, url: str, status: int = 200) -> Page:
        return page_from_file(FIXTURES / name, url, status)

    return load
