"""Parse time of every fixture page (tests/pages) and every shared page (../shared/pages) when present.

    .venv/bin/python bench/parse.py [--repeat N]

Each page is parsed once to warm up, then N times (default 7) through route(url).parse(page); the
table shows each page's median and worst, and the last lines the median over all pages and the worst
single parse (overall, and for pages up to 1 MB, the budget being 150 ms). Both wall-clock time and the
process's CPU time are shown: on a shared machine (other jobs running, see the load average printed)
wall-clock time includes waiting for a CPU, which is not the parser's cost.
"""

from __future__ import annotations

import argparse
import json
import os
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


def timed(page, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of `repeat` parses after one warm-up parse."""
    extractor = route(page.url)
    extractor.parse(page)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        extractor.parse(page)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _summary(rows: list, repeat: int) -> None:
    small = [r for r in rows if r[1] <= ONE_MB]
    print(f"\npages: {len(rows)} ({len(small)} up to 1 MB), {repeat} timed parses each; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for label, median_at, worst_at in (("wall-clock", 2, 3), ("CPU time", 4, 5)):
        print(f"{label}: median over all pages {statistics.median(r[median_at] for r in rows):.1f} ms; "
              f"worst single parse {max(r[worst_at] for r in rows):.1f} ms (all pages), "
              f"{max(r[worst_at] for r in small):.1f} ms (pages up to 1 MB; budget {BUDGET_MS:.0f} ms)")


def main() -> int:
    """Time every page and print the table and the summary lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed parses per page (default 7)")
    args = parser.parse_args()
    rows = []
    for label, page in pages():
        wall, cpu = timed(page, args.repeat)
        rows.append((label, len(page.html.encode("utf-8")), statistics.median(wall), max(wall),
                     statistics.median(cpu), max(cpu)))
    width = max(len(r[0]) for r in rows)
    print(f"{'page':<{width}}  {'size':>7}  {'wall median':>11}  {'wall worst':>10}  {'cpu median':>10}  "
          f"{'cpu worst':>9}")
    for label, size, *times in rows:
        cells = "  ".join(f"{t:>{w}.1f}" for t, w in zip(times, (11, 10, 10, 9)))
        print(f"{label:<{width}}  {size / 1000:>5.0f}KB  {cells}")
    _summary(rows, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
