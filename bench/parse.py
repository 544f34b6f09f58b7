"""Parse time of every fixture page (tests/pages) and every shared page (../shared/pages) when present.

    .venv/bin/python bench/parse.py [--repeat N]

Each page is parsed once to warm up, then N times (default 7) through route(url).parse(page); the
table shows each page's median and worst, and the last lines the median over all pages and the worst
single parse (overall, and for pages up to 1 MB, the budget being 150 ms).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.registry import route  # noqa: E402
from tests.support.extract import FIXTURES, SHARED_PAGES, load_expected, page_from_file  # noqa: E402

__all__ = ["main", "pages", "timed"]

BUDGET_MS = 150.0
ONE_MB = 1_000_000
PLACEHOLDER_URL = {"linkedin": "https://www.linkedin.com/in/placeholder", "personal": "https://personal.example/"}


def pages() -> list[tuple[str, object]]:
    """(label, Page) for every fixture and shared page."""
    out = [(f"tests/pages/{e['file']}", page_from_file(FIXTURES / e["file"], e["url"], e.get("status", 200)))
           for e in load_expected()]
    index = SHARED_PAGES / "pages.json"
    if index.exists():
        for entry in json.loads(index.read_text(encoding="utf-8")):
            url = entry["url"] or PLACEHOLDER_URL.get(entry["kind"], "https://example.com/")
            out.append((f"shared/{entry['kind']}/{entry['file']}",
                        page_from_file(SHARED_PAGES / entry["kind"] / entry["file"], url)))
    return out


def timed(page, repeat: int) -> list[float]:
    """Milliseconds of `repeat` parses after one warm-up parse."""
    extractor = route(page.url)
    extractor.parse(page)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        extractor.parse(page)
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def main() -> int:
    """Time every page and print the table and the summary lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed parses per page (default 7)")
    args = parser.parse_args()
    rows = []
    for label, page in pages():
        runs = timed(page, args.repeat)
        rows.append((label, len(page.html.encode("utf-8")), statistics.median(runs), max(runs)))
    width = max(len(r[0]) for r in rows)
    print(f"{'page':<{width}}  {'size':>8}  {'median':>9}  {'worst':>9}")
    for label, size, median, worst in rows:
        print(f"{label:<{width}}  {size / 1000:>6.0f}KB  {median:>7.1f}ms  {worst:>7.1f}ms")
    small = [r for r in rows if r[1] <= ONE_MB]
    print(f"\npages: {len(rows)} ({len(small)} up to 1 MB), {args.repeat} timed parses each")
    print(f"median over all pages: {statistics.median(r[2] for r in rows):.1f} ms")
    print(f"worst single parse: {max(r[3] for r in rows):.1f} ms (all pages), "
          f"{max(r[3] for r in small):.1f} ms (pages up to 1 MB; budget {BUDGET_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
