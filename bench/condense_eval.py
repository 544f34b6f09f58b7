"""Condense every fixture page and print, per page: keys, grounded share, rule violations, input tokens.

The totals also measure the summaries as a reader sees them: how many lead with the subject's name,
state a fact twice, label a bio "Bio:" or spend a sentence on a bio of a word or two ("Husband.").

    .venv/bin/python bench/condense_eval.py                 # offline condenser (default), no network
    .venv/bin/python bench/condense_eval.py --llm openai    # the configured LLM (OPENAI_API_KEY ...)

Pages come from tests/pages/ (the project's synthetic fixtures, through their index file) and
../shared/pages/pages.json (real pages, read in place and never copied). Each page is routed with
extractors.registry.route(url) and parsed; ok extractions are condensed. "in_tok" is the estimated
input of the LLM prompt for that page (ceil(chars/4), schema included), also in offline mode, so the
2,000-token budget can be checked without a key. Only key names and figures are printed, no values.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import re
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.condense import Meter, make_condenser  # noqa: E402
from agent.condense.kinds import source_kind  # noqa: E402
from agent.condense.messages import build_prompt  # noqa: E402
from agent.condense.schema import strict_schema  # noqa: E402
from agent.condense.text import normalise, split_sentences  # noqa: E402
from agent.config import load_settings  # noqa: E402
from agent.errors import BudgetExceeded, CondenseError, ZyntroEnrichError  # noqa: E402
from agent.models import Contact, Extraction, Outcome, Page  # noqa: E402

__all__ = ["evaluate", "fixture_pages", "main", "summary_flaws"]

SHARED = ROOT.parent / "shared" / "pages"
_INDEX_NAMES = ("index.json", "expected.json", "pages.json")
_HANDMADE_URL = {"linkedin": "https://www.linkedin.com/in/handmade-example", "personal": "https://handmade.example/"}
_FRAME = {"source_url", "source_urls", "retrieved_at"}
_SHORT_BIO_WORDS = 4  # the offline templates' floor for a bio sentence (agent.condense.summaries)


def fixture_pages() -> list[tuple[str, Path, str]]:
    """(label, html file, url) for the project's fixtures and the shared real pages."""
    found: list[tuple[str, Path, str]] = []
    for index_name in _INDEX_NAMES:
        index = ROOT / "tests" / "pages" / index_name
        if index.is_file():
            found += _from_index(index, "tests/pages")
            break
    shared = SHARED / "pages.json"
    if shared.is_file():
        found += _from_index(shared, "shared")
    return found


def _from_index(index: Path, origin: str) -> list[tuple[str, Path, str]]:
    data = json.loads(index.read_text())
    entries = data if isinstance(data, list) else data.get("pages", list(data.values()))
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("file"):
            continue
        kind = entry.get("kind", "")
        candidates = [index.parent / kind / entry["file"], index.parent / entry["file"]]
        path = next((p for p in candidates if p.is_file()), None)
        url = entry.get("url") or _HANDMADE_URL.get(kind, "https://handmade.example/")
        if path is not None:
            out.append((f"{origin}/{entry['file']}", path, url))
    return out


def parse(path: Path, url: str) -> Extraction:
    """Route and parse one saved page as the pipeline would."""
    from extractors.registry import route

    html = path.read_text(encoding="utf-8", errors="replace")
    page = Page(
        url=url,
        final_url=url,
        status=200,
        html=html,
        fetched_at=datetime.datetime.now(datetime.UTC),
        engine="replay",
        content_hash=Page.hash_html(html),
    )
    return route(url).parse(page)


def grounded_share(draft) -> float:
    """Kept values (list items and summary sentences count one each) over kept plus dropped."""
    kept = 0
    for key, value in draft.payload.items():
        if key in _FRAME:
            continue
        kept += len(split_sentences(value)) if key == "summary" else len(value) if isinstance(value, list) else 1
    dropped = sum(1 for g in draft.grounding if not g.startswith("summary: no sentence"))
    return kept / (kept + dropped) if kept + dropped else 1.0


def summary_flaws(summary: str, extraction: Extraction) -> dict[str, bool]:
    """What a reader would fault in a summary: a late name, a fact said twice, a "Bio:" label, a tiny bio."""
    # The name is the sentences' subject and may be named again; any other value said twice is a repeat.
    said = normalise(summary)
    name = extraction.fact("name")
    values = {
        normalise(str(v))
        for f in extraction.facts
        if f.key != "handle"
        for v in (f.value if isinstance(f.value, list) else [f.value])
        if len(str(v)) >= 4
    }
    named = {normalise(str(name.value))} if name else set()
    bio = extraction.fact("bio")
    tiny = [_bare(s) for s in split_sentences(str(bio.value)) if len(s.split()) < _SHORT_BIO_WORDS] if bio else []
    sentences = [_bare(s.removeprefix("Bio:")) for s in split_sentences(summary)]
    return {
        "late_name": bool(name) and not said.startswith(normalise(str(name.value))[:40]),
        "repeats": any(_said_again(said, v, values) for v in values - named),
        "bio_label": "bio:" in said,
        "tiny_bio": any(s in tiny for s in sentences),
    }


async def evaluate(mode: str) -> int:
    """Condense every page and print one row each; returns the process exit code."""
    settings = load_settings(overrides={"llm": {"mode": mode}})
    meter = Meter(settings.llm)
    condenser = make_condenser(settings, meter)
    contact = Contact(contact_id=uuid.UUID(int=0))
    today = datetime.date.today()
    rows, flaws, failures = [], [], 0
    print(f"condenser: {condenser.name}  prompt_version: {condenser.prompt_version}")
    print(f"{'page':58} {'kind':17} {'outcome':10} {'keys':>4} {'grounded':>8} {'viol':>4} {'in_tok':>6}")
    for label, path, url in fixture_pages():
        try:
            extraction = parse(path, url)
        except Exception as exc:  # noqa: BLE001 - a bench reports a broken extractor and goes on
            print(f"{label[:58]:58} {'-':17} {'crash':10} ({type(exc).__name__}: {exc})"[:160])
            failures += 1
            continue
        kind = source_kind([extraction])
        if extraction.outcome is not Outcome.ok:
            print(f"{label[:58]:58} {kind:17} {extraction.outcome.value:10} {'-':>4} {'-':>8} {'-':>4} {'-':>6}")
            continue
        tokens = build_prompt(
            extraction.profile_source, kind, [extraction], "json_schema", strict_schema()
        ).input_tokens
        try:
            draft = await condenser.condense(contact, extraction.profile_source, [extraction], today)
        except BudgetExceeded as exc:
            print(f"stopped: {exc}")
            failures += 1
            break
        except CondenseError as exc:
            print(f"{label[:58]:58} {kind:17} {'failed':10} {exc}"[:200])
            failures += 1
            continue
        keys = [k for k in draft.payload if k not in _FRAME]
        share = grounded_share(draft)
        in_tok = draft.input_tokens or tokens
        rows.append((len(keys), share, len(draft.violations), in_tok))
        flaws.append((draft.payload["summary"], summary_flaws(draft.payload["summary"], extraction)))
        print(
            f"{label[:58]:58} {kind:17} {'ok':10} {len(keys):>4} {share:>8.0%} {len(draft.violations):>4} {in_tok:>6}"
        )
        print(f"{'':58}   keys: {', '.join(keys)}")
        for violation in draft.violations:
            print(f"{'':58}   violation: {violation}")
    await condenser.aclose()
    _totals(rows, meter, condenser.name)
    _summary_totals(flaws)
    return 1 if failures else 0


def _totals(rows: list[tuple[int, float, int, int]], meter: Meter, name: str) -> None:
    if not rows:
        print("no page was condensed")
        return
    n = len(rows)
    print(
        f"\n{n} profiles: mean {sum(r[0] for r in rows) / n:.1f} keys, mean grounded "
        f"{sum(r[1] for r in rows) / n:.0%}, {sum(1 for r in rows if r[2])} with violations, input tokens "
        f"max {max(r[3] for r in rows)} / mean {sum(r[3] for r in rows) / n:.0f} (budget 2000 per source)"
    )
    if name != "offline":
        print(meter.describe())


def _bare(sentence: str) -> str:
    """A sentence compared without case, quotes or its final stop ("Writer" is "Writer.")."""
    return normalise(sentence).strip(' "').rstrip(".!?…")


def _said_again(said: str, value: str, values: set[str]) -> bool:
    """True when a value occurs more often than the longer values holding it ("Ruby" in "Ruby on Rails")."""

    def count(text: str) -> int:
        return len(re.findall(rf"(?<!\w){re.escape(text)}(?!\w)", said))

    return count(value) - sum(count(v) for v in values if v != value and value in v) > 1


def _summary_totals(flaws: list[tuple[str, dict[str, bool]]]) -> None:
    if not flaws:
        return
    n = len(flaws)
    count = {flaw: sum(1 for _, found in flaws if found[flaw]) for flaw in flaws[0][1]}
    sentences = sum(len(split_sentences(s)) for s, _ in flaws) / n
    chars = sum(len(s) for s, _ in flaws) / n
    print(
        f"summaries: {n - count['late_name']}/{n} lead with the name, {count['repeats']} state a fact twice, "
        f"{count['bio_label']} label a bio 'Bio:', {count['tiny_bio']} spend a sentence on a bio under "
        f"{_SHORT_BIO_WORDS} words; mean {sentences:.1f} sentences / {chars:.0f} characters"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", choices=["offline", "openai"], default="offline")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return asyncio.run(evaluate(args.llm))
    except ZyntroEnrichError as exc:
        print(f"condense_eval: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
