"""Parse time of every fixture page (tests/pages) and every shared page (../shared/pages) when present.

    .venv/bin/python bench/parse.py [--repeat N]

Each page is parsed once to warm up, then N times (default 7) through route(url).parse(page); a page's
time is the median of its N parses. The fixture table keeps the pages' order and ends with the median
over all pages and the worst single parse. The shared pages (routed by the URL in pages.json, or as
https://example.com/ when it is empty) get a table sorted slowest first and the median, 95th percentile
and worst page time, checked against the budget: 150 ms at the 95th percentile. Both wall-clock time
and the process's CPU time are shown: on a shared machine (other jobs running, see the load average
printed) wall-clock time includes waiting for a CPU, which is not the parser's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.models import Page  # noqa: E402
from extractors.registry import route  # noqa: E402
from tests.support.extract import FIXTURES, SHARED_PAGES, load_expected, page_from_file  # noqa: E402

__all__ = ["Row", "fixture_pages", "main", "measure", "percentile", "shared_pages", "timed"]

BUDGET_MS = 150.0  # at the 95th percentile of the shared pages' parse times
ONE_MB = 1_000_000
EMPTY_URL = "https://example.com/"  # pages.json leaves `url` empty for hand-made pages


class Row(NamedTuple):
    """One page's figures in milliseconds (median and worst of the timed parses)."""

    label: str
    extractor: str
    size: int
    wall: float
    wall_worst: float
    cpu: float
    cpu_worst: float


def fixture_pages() -> list[tuple[str, Page]]:
    """(label, Page) for every fixture page, at the URL tests/pages/expected.json gives it."""
    return [
        (f"tests/pages/{e['file']}", page_from_file(FIXTURES / e["file"], e["url"], e.get("status", 200)))
        for e in load_expected()
    ]


def shared_pages() -> list[tuple[str, Page]]:
    """(label, Page) for every page listed in ../shared/pages/pages.json; none when it is absent."""
    index = SHARED_PAGES / "pages.json"
    if not index.exists():
        return []
    entries = json.loads(index.read_text(encoding="utf-8"))
    return [
        (f"shared/{e['kind']}/{e['file']}", page_from_file(SHARED_PAGES / e["kind"] / e["file"], e["url"] or EMPTY_URL))
        for e in entries
    ]


def timed(page: Page, repeat: int) -> tuple[list[float], list[float]]:
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


def measure(pages: list[tuple[str, Page]], repeat: int) -> list[Row]:
    """Time every page; one Row each, in the given order."""
    rows = []
    for label, page in pages:
        wall, cpu = timed(page, repeat)
        rows.append(
            Row(
                label,
                route(page.url).name,
                len(page.html.encode("utf-8")),
                statistics.median(wall),
                max(wall),
                statistics.median(cpu),
                max(cpu),
            )
        )
    return rows


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the two nearest values."""
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def print_table(rows: list[Row]) -> None:
    """One line per page: size, extractor, wall and CPU median and worst."""
    width = max(len(r.label) for r in rows)
    print(
        f"{'page':<{width}}  {'size':>7}  {'extractor':<9}  {'wall median':>11}  {'wall worst':>10}  "
        f"{'cpu median':>10}  {'cpu worst':>9}"
    )
    for r in rows:
        times = (r.wall, r.wall_worst, r.cpu, r.cpu_worst)
        cells = "  ".join(f"{t:>{w}.1f}" for t, w in zip(times, (11, 10, 10, 9), strict=True))
        print(f"{r.label:<{width}}  {r.size / 1000:>5.0f}KB  {r.extractor:<9}  {cells}")


def fixture_summary(rows: list[Row]) -> None:
    """Median over the pages and the worst single parse (all pages, and pages up to 1 MB)."""
    small = [r for r in rows if r.size <= ONE_MB] or rows
    for label, median_of, worst_of in (("wall-clock", "wall", "wall_worst"), ("CPU time", "cpu", "cpu_worst")):
        print(
            f"{label}: median over all pages {statistics.median(getattr(r, median_of) for r in rows):.1f} ms; "
            f"worst single parse {max(getattr(r, worst_of) for r in rows):.1f} ms (all pages), "
            f"{max(getattr(r, worst_of) for r in small):.1f} ms (pages up to 1 MB)"
        )


def shared_summary(rows: list[Row]) -> bool:
    """Median, 95th percentile and worst page time, and whether the p95 budget is met (on wall-clock time)."""
    for label, field in (("wall-clock", "wall"), ("CPU time", "cpu")):
        times = [getattr(r, field) for r in rows]
        print(
            f"{label}: median {statistics.median(times):.1f} ms, 95th percentile {percentile(times, 95):.1f} ms, "
            f"worst {max(times):.1f} ms ({max(rows, key=lambda r: getattr(r, field)).label})"
        )
    p95_wall, p95_cpu = percentile([r.wall for r in rows], 95), percentile([r.cpu for r in rows], 95)
    met = p95_wall <= BUDGET_MS
    verdict = "MET" if met else "NOT MET"
    print(
        f"budget {BUDGET_MS:.0f} ms at the 95th percentile: {verdict} (wall-clock p95 {p95_wall:.1f} ms, "
        f"CPU p95 {p95_cpu:.1f} ms)"
    )
    return met


def main() -> int:
    """Time every page and print the tables and the summary lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed parses per page (default 7)")
    args = parser.parse_args()
    print(
        f"{args.repeat} timed parses per page after one warm-up; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs\n"
    )
    fixtures = measure(fixture_pages(), args.repeat)
    print_table(fixtures)
    print(f"\nfixture pages: {len(fixtures)}")
    fixture_summary(fixtures)
    shared = measure(shared_pages(), args.repeat)
    if not shared:
        print(f"\nno shared pages ({SHARED_PAGES / 'pages.json'} is absent)")
        return 0
    print()
    print_table(sorted(shared, key=lambda r: r.wall, reverse=True))
    print(
        f"\nshared pages: {len(shared)} ({sum(r.size for r in shared) / 1e6:.1f} MB), time per page = median of "
        f"{args.repeat} parses"
    )
    shared_summary(shared)
    return 0


if __name__ == "__main__":
    sys.exit(main())
