"""Recall and precision of the extractors on pages with ground truth (../shared/pages, tests/pages/holdout).

How a ground-truth fact is judged:
- Ground-truth keys are mapped to our fact keys (KEY_MAP); keys with no counterpart in our vocabulary
  (user_id, did, pronouns, photo, likes, ...) are listed in UNSCORED and not counted. A list value
  (rel_me, url, current) is one fact per item; a {title, company} item is two facts.
- FOUND: some extracted fact of one of the mapped keys states the value (tests.support.extract.value_match).
- WRONG: an extracted value of a key whose truth is null (absent from the page: invented), or, for the
  single-valued keys a page states (JUDGED), a value that matches none of the truth values of that key.
  Multi-valued keys (education, experience, links, description) are judged only against null.
- NEGATIVE pages (page_type set, or name null) must give a non-ok outcome and no facts at all.

Leave-one-site-out: a fact found on a page of the web-wide extractors (company, personal, generic) counts
again only when the rule that found it (its key and the layer that read it: JSON-LD, microdata, meta,
embedded state, tel:/mailto: links, microformats, text) also found a correct fact on another site. A rule
written for one site alone would show as the gap between the two recalls. Site modules (LinkedIn, X,
GitHub) are site knowledge by design and are left out of that view.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.models import Extraction, Fact, Outcome
from extractors.html import registrable_domain
from extractors.registry import route
from tests.support.extract import facts_of, page_from_file, value_match

__all__ = ["Report", "evaluate"]

KEY_MAP: dict[str, list[str]] = {
    "name": ["name"],
    "headline": ["headline"],
    "current_title": ["job_title"],
    "company": ["employer"],
    "location": ["location"],
    "location_text": ["location"],
    "education": ["education"],
    "followers": ["followers_count"],
    "following": ["following_count"],
    "connections": ["connections"],
    "industry": ["industry"],
    "current": ["employer", "experience"],
    "previous": ["experience"],
    "username": ["handle"],
    "handle": ["handle"],
    "website": ["website"],
    "url": ["website"],
    "email": ["email"],
    "repositories": ["repositories_count"],
    "stars": ["stars_count"],
    "bio": ["bio"],
    "joined": ["joined_date"],
    "created": ["joined_date"],
    "posts": ["posts_count"],
    "tweets": ["posts_count"],
    "tagline": ["description"],
    "headquarters": ["headquarters"],
    "address": ["address"],
    "company_size": ["company_size"],
    "employees_on_linkedin": ["employees_count"],
    "founded": ["founded"],
    "tel": ["phone"],
    "rel_me": ["links"],
}
ITEM_MAP = {"title": ["job_title", "experience"], "company": ["employer", "experience"]}  # "current" items
UNSCORED = {
    "user_id",
    "did",
    "pronouns",
    "photo",
    "likes",
    "lists",
    "degree",
    "page_type",
    "title",
    "source",
    "given_name",
    "family_name",
    "last_seen",
    "type",
}
JUDGED = {
    "name",
    "headline",
    "job_title",
    "employer",
    "location",
    "handle",
    "website",
    "email",
    "bio",
    "followers_count",
    "following_count",
    "posts_count",
    "repositories_count",
    "stars_count",
    "employees_count",
    "connections",
    "industry",
    "joined_date",
    "company_size",
    "founded",
    "headquarters",
    "address",
    "phone",
}
PLACEHOLDER_URL = {"linkedin": "https://www.linkedin.com/in/placeholder", "personal": "https://personal.example/"}
SITE_MODULES = {"linkedin", "twitter", "github"}
_PATH_EVIDENCE = re.compile(r"^[a-z0-9_]+:[\w:.\-\[\]$@]+$", re.I)


@dataclass
class Report:
    """Counts per kind, and the misses, wrong values and failed negatives with their pages."""

    rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    loso: list[int] = field(default_factory=lambda: [0, 0, 0])  # facts, found, found by a shared rule

    def recall(self, kind: str | None = None) -> float:
        """Found / facts, for one kind or overall."""
        rows = [self.rows[kind]] if kind else list(self.rows.values())
        n = sum(r[1] for r in rows)
        return sum(r[2] for r in rows) / n if n else 1.0

    def judged(self) -> int:
        """How many extracted values were judged."""
        return sum(r[3] for r in self.rows.values())

    def table(self) -> str:
        """The per-kind table, the leave-one-site-out line, then every miss and wrong value."""
        lines = [
            "",
            "| kind | pages | facts | found | recall | judged | wrong |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, (pages, n, found, judged, wrong) in sorted(self.rows.items()):
            recall = f"{found / n:.0%}" if n else "-"
            lines.append(f"| {kind} | {pages} | {n} | {found} | {recall} | {judged} | {wrong} |")
        total = [sum(r[i] for r in self.rows.values()) for i in range(5)]
        lines.append(
            f"| **all** | {total[0]} | {total[1]} | {total[2]} | {self.recall():.1%} | {total[3]} | {total[4]} |"
        )
        n, found, shared = self.loso
        if n:
            lines.append(
                f"leave-one-site-out (web-wide extractors): {found}/{n} = {found / n:.1%} found, "
                f"{shared}/{n} = {shared / n:.1%} by rules that also hold on another site"
            )
        lines += [f"  missed: {m}" for m in self.misses] + [f"  WRONG: {w}" for w in self.wrongs]
        return "\n".join(lines)


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


def _judge(extraction: Extraction, facts: dict) -> tuple[int, list[str]]:
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


def _rule(fact: Fact) -> tuple[str, str]:
    """What found a fact: its key and the layer that read it ('jsonld', 'microdata', 'meta', 'state', 'tel',
    'mailto', 'mf2', or the method for a verbatim snippet)."""
    evidence = fact.evidence
    if _PATH_EVIDENCE.match(evidence) or evidence.startswith(("mailto:", "tel:")):
        return fact.key, evidence.split(":", 1)[0]
    return fact.key, fact.method


def _found_by(extraction: Extraction, keys: list[str], truth: object) -> Fact | None:
    for fact in extraction.facts:
        if fact.key in keys and value_match(fact.key, fact.value, truth):
            return fact
    return None


def evaluate(entries: list[dict], locate: Callable[[dict], Path]) -> Report:
    """Route, parse and judge every entry; locate(entry) says where its page is (read in place)."""
    report = Report()
    found_rules: list[tuple[str, tuple]] = []  # (site, rule) of every correct fact of the web-wide extractors
    pending: list[tuple[str, tuple | None]] = []  # (site, rule or None) per scored truth of those pages
    for entry in entries:
        url = entry["url"] or PLACEHOLDER_URL.get(entry["kind"], "https://example.com/")
        extraction = route(url).parse(page_from_file(locate(entry), url))
        row = report.rows[entry["kind"]]
        row[0] += 1
        if _negative(entry["facts"]):
            if extraction.outcome is Outcome.ok or extraction.facts or extraction.subject == "person":
                report.failures.append(
                    f"{entry['file']}: a negative page gave {extraction.outcome} with {len(extraction.facts)} facts"
                )
            continue
        site = registrable_domain((re.match(r"^\w+://([^/:]+)", url) or [None, ""])[1])
        web_wide = extraction.extractor not in SITE_MODULES
        for keys, truth in _truths(entry["facts"]):
            row[1] += 1
            fact = _found_by(extraction, keys, truth)
            if (
                fact is None
                and "links" in keys
                and any(value_match("links", v, truth) for v in facts_of(extraction, "links"))
            ):
                fact = Fact(key="links", value=str(truth), evidence="links", method="selector")
            if fact is not None:
                row[2] += 1
            else:
                report.misses.append(f"{entry['file']}: {keys[0]} = {truth!r}")
            if web_wide:
                rule = _rule(fact) if fact is not None else None
                pending.append((site, rule))
                if rule:
                    found_rules.append((site, rule))
        judged, wrong = _judge(extraction, entry["facts"])
        row[3] += judged
        row[4] += len(wrong)
        report.wrongs += [f"{entry['file']}: {w}" for w in wrong]
    sites_of: dict[tuple, set[str]] = defaultdict(set)
    for site, rule in found_rules:
        sites_of[rule].add(site)
    report.loso = [len(pending), sum(1 for _, r in pending if r), sum(1 for s, r in pending if r and sites_of[r] - {s})]
    return report
