"""Recall and precision of the extractors on real public pages recorded by others (../shared/pages).

Skipped when ../shared/pages/pages.json is absent. The pages are read where they are, never copied.
Each entry is routed by its URL (an entry without one gets a placeholder URL of its kind) and parsed.

How a ground-truth fact is judged:
- Ground-truth keys are mapped to our fact keys (KEY_MAP); keys with no counterpart in our vocabulary
  (user_id, did, pronouns, photo, likes, ...) are listed in UNSCORED and not counted. A list value
  (rel_me, url, current) is one fact per item; a {title, company} item is two facts.
- FOUND: some extracted fact of one of the mapped keys states the value (tests.support.extract.value_match):
  integers equal (connections compared as text, "500+"); URLs equal ignoring scheme, "www." and a trailing
  slash (a relative truth matches by path); dates equal, or the same year and month when one is ISO and
  the other "January 2010"; text equal after normalisation (case, accents, punctuation, whitespace), or
  the extracted value contains the truth, or the truth contains the value and the value is at least 60% of
  it, or a difflib ratio >= 0.85 (a "(...)" annotation in the truth may be dropped); an experience fact
  counts when it contains the truth.
- WRONG: an extracted value of a key whose truth is null (absent from the page: invented), or, for the
  single-valued keys a page states (JUDGED), a value that matches none of the truth values of that key.
  Multi-valued keys (education, experience, links, description) are judged only against null.
- NEGATIVE pages (page_type set, or name null) must give a non-ok outcome and no facts at all.
The test fails when recall < 90%, when wrong values exceed 2% of the judged values, or a negative
page yields a person. Run with -s to see the per-kind table and every miss.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from agent.models import Outcome
from extractors.registry import route
from tests.support.extract import SHARED_PAGES, facts_of, page_from_file, value_match

PAGES_JSON = SHARED_PAGES / "pages.json"
RECALL_FLOOR = 0.90
WRONG_CEILING = 0.02

KEY_MAP: dict[str, list[str]] = {
    "name": ["name"], "headline": ["headline"], "current_title": ["job_title"], "company": ["employer"],
    "location": ["location"], "location_text": ["location"], "education": ["education"],
    "followers": ["followers_count"], "following": ["following_count"], "connections": ["connections"],
    "industry": ["industry"], "current": ["employer", "experience"], "previous": ["experience"],
    "username": ["handle"], "handle": ["handle"], "website": ["website"], "url": ["website"], "email": ["email"],
    "repositories": ["repositories_count"], "stars": ["stars_count"], "bio": ["bio"], "joined": ["joined_date"],
    "created": ["joined_date"], "posts": ["posts_count"], "tweets": ["posts_count"], "tagline": ["description"],
    "headquarters": ["headquarters"], "address": ["address"], "company_size": ["company_size"],
    "employees_on_linkedin": ["employees_count"], "founded": ["founded"], "tel": ["phone"], "rel_me": ["links"],
}
ITEM_MAP = {"title": ["job_title", "experience"], "company": ["employer", "experience"]}  # "current" items
UNSCORED = {"user_id", "did", "pronouns", "photo", "likes", "lists", "degree", "page_type", "title", "source",
            "given_name", "family_name", "last_seen", "type"}
JUDGED = {"name", "headline", "job_title", "employer", "location", "handle", "website", "email", "bio",
          "followers_count", "following_count", "posts_count", "repositories_count", "stars_count",
          "employees_count", "connections", "industry", "joined_date", "company_size", "founded",
          "headquarters", "address", "phone"}
PLACEHOLDER_URL = {"linkedin": "https://www.linkedin.com/in/placeholder", "personal": "https://personal.example/"}


def _entries() -> list[dict]:
    if not PAGES_JSON.exists():
        return []
    return json.loads(PAGES_JSON.read_text(encoding="utf-8"))


def _truths(facts: dict) -> list[tuple[list[str], object]]:
    """(candidate keys, value) for every scored ground-truth value; null values are excluded."""
    out = []
    for key, value in facts.items():
        if key in UNSCORED or key not in KEY_MAP or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                out += [(ITEM_MAP[k], v) for k, v in item.items() if k in ITEM_MAP and v is not None]
            else:
                out.append((KEY_MAP[key], item))
    return out


def _judge(extraction, facts: dict) -> tuple[int, list[str]]:
    """How many extracted values were judged, and which of them are wrong."""
    truth_by_key: dict[str, list] = defaultdict(list)
    nulls = set()
    for keys, value in _truths(facts):
        truth_by_key[keys[0]].append(value)
    for key, value in facts.items():
        if value is None and key in KEY_MAP:
            nulls.update(KEY_MAP[key][:1])
    judged, wrong = 0, []
    for fact in extraction.facts:
        if fact.key in nulls:
            judged += 1
            wrong.append(f"{fact.key}={fact.value!r} (absent from the page)")
        elif fact.key in truth_by_key and fact.key in JUDGED:
            judged += 1
            if not any(value_match(fact.key, fact.value, t) for t in truth_by_key[fact.key]):
                wrong.append(f"{fact.key}={fact.value!r} (truth {truth_by_key[fact.key]!r})")
    return judged, wrong


def _negative(facts: dict) -> bool:
    return "page_type" in facts or ("name" in facts and facts["name"] is None)


def _report(rows: dict, misses: list[str], wrongs: list[str]) -> str:
    lines = ["", "| kind | pages | facts | found | recall | judged | wrong |", "|---|---:|---:|---:|---:|---:|---:|"]
    total = [0, 0, 0, 0, 0]
    for kind, (pages, n, found, judged, wrong) in sorted(rows.items()):
        lines.append(f"| {kind} | {pages} | {n} | {found} | {found / n:.0%} | {judged} | {wrong} |" if n else
                     f"| {kind} | {pages} | 0 | 0 | - | {judged} | {wrong} |")
        total = [a + b for a, b in zip(total, (pages, n, found, judged, wrong))]
    pages, n, found, judged, wrong = total
    lines.append(f"| **all** | {pages} | {n} | {found} | {found / max(n, 1):.1%} | {judged} | {wrong} |")
    lines += [f"  missed: {m}" for m in misses] + [f"  WRONG: {w}" for w in wrongs]
    return "\n".join(lines)


@pytest.mark.skipif(not PAGES_JSON.exists(), reason="../shared/pages/pages.json is not there")
def test_shared_pages_recall_and_precision():
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    misses, wrongs, failures = [], [], []
    for entry in _entries():
        url = entry["url"] or PLACEHOLDER_URL.get(entry["kind"], "https://example.com/")
        page = page_from_file(SHARED_PAGES / entry["kind"] / entry["file"], url)
        extraction = route(url).parse(page)
        row = rows[entry["kind"]]
        row[0] += 1
        if _negative(entry["facts"]):
            if extraction.outcome is Outcome.ok or extraction.facts or extraction.subject == "person":
                failures.append(f"{entry['file']}: a negative page gave {extraction.outcome} with "
                                f"{len(extraction.facts)} facts")
            continue
        for keys, truth in _truths(entry["facts"]):
            row[1] += 1
            if any(value_match(k, v, truth) for k in keys for v in facts_of(extraction, k)):
                row[2] += 1
            else:
                misses.append(f"{entry['file']}: {keys[0]} = {truth!r}")
        judged, wrong = _judge(extraction, entry["facts"])
        row[3] += judged
        row[4] += len(wrong)
        wrongs += [f"{entry['file']}: {w}" for w in wrong]
    print(_report(rows, misses, wrongs))
    n = sum(r[1] for r in rows.values())
    found = sum(r[2] for r in rows.values())
    judged = sum(r[3] for r in rows.values())
    assert not failures, failures
    assert found / n >= RECALL_FLOOR, f"recall {found}/{n} is below {RECALL_FLOOR:.0%}: {misses}"
    assert len(wrongs) <= WRONG_CEILING * judged, f"{len(wrongs)} wrong of {judged} judged: {wrongs}"
