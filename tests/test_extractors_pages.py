"""Every fixture page in tests/pages, against its entry in tests/pages/expected.json.

Per page: the routed extractor and label, the outcome and subject, facts that must be found (exact
values), keys that must be absent ("*": no facts at all), strings no fact may contain (other people on the
page, boilerplate), links, and what the condenser text must and must not hold.
"""

from __future__ import annotations

import pytest

from agent.models import Outcome
from extractors.facts import COUNT_KEYS
from extractors.registry import route
from extractors.text import TEXT_LIMIT
from tests.support.extract import FIXTURES, facts_of, load_expected, page_from_file

CASES = load_expected()
METHODS = {"jsonld", "meta", "microformat", "microdata", "selector", "text"}


def _ids(case: dict) -> str:
    return case["file"].removesuffix(".html")


@pytest.fixture(params=CASES, ids=_ids)
def case(request):
    entry = request.param
    page = page_from_file(FIXTURES / entry["file"], entry["url"], entry.get("status", 200))
    return entry, route(entry["url"]).parse(page)


def test_routing_label_outcome_and_subject(case):
    entry, extraction = case
    assert route(entry["url"]).name == entry.get("routed", entry["extractor"])
    assert (extraction.extractor, extraction.profile_source) == (entry["extractor"], entry["profile_source"])
    assert extraction.outcome == Outcome(entry["outcome"]), extraction.reason
    assert extraction.subject == entry["subject"]
    assert extraction.reason


def test_must_find(case):
    entry, extraction = case
    for key, expected in entry["must"].items():
        found = facts_of(extraction, key)
        for value in expected if isinstance(expected, list) else [expected]:
            assert value in found, f"{key}: {value!r} not in {found!r}"


def test_must_not_find(case):
    entry, extraction = case
    if "*" in entry.get("absent", []):
        assert extraction.facts == [] and extraction.text == "" and extraction.links == []
        return
    for key in entry.get("absent", []):
        assert facts_of(extraction, key) == [], f"{key} should be absent"
    for needle in entry.get("never", []):
        for fact in extraction.facts:
            assert needle.lower() not in str(fact.value).lower(), f"{fact.key}={fact.value!r} holds {needle!r}"


def test_links(case):
    entry, extraction = case
    for link in entry.get("links", []):
        assert link in extraction.links
    assert entry["url"] not in extraction.links


def test_counts_are_ints_and_approximate_only_without_an_exact_figure(case):
    entry, extraction = case
    approximate = set(entry.get("approximate", []))
    for fact in extraction.facts:
        if fact.key in COUNT_KEYS or fact.key == "founded":
            assert isinstance(fact.value, int) and not isinstance(fact.value, bool), fact
        assert fact.approximate == (fact.key in approximate), fact


def test_every_fact_has_evidence_and_a_method(case):
    _, extraction = case
    for fact in extraction.facts:
        assert fact.evidence.strip() and len(fact.evidence) <= 200
        assert fact.method in METHODS


def test_condenser_text(case):
    entry, extraction = case
    assert len(extraction.text) <= TEXT_LIMIT
    for needle in entry.get("text_has", []):
        assert needle in extraction.text
    for needle in entry.get("text_not", []):
        assert needle not in extraction.text
    assert "<script" not in extraction.text and "function(" not in extraction.text
