"""Memory and leftovers of this process tree, for the benchmarks: Python plus every child (Chromium)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from agent.fetch.browser import tagged_processes

__all__ = ["TreeSampler", "leftovers", "tree"]


class TreeSampler:
    """Samples the summed RSS (every 100 ms) and PSS (every 500 ms) of this process tree."""

    def __init__(self, exclude: set[int]):
        self.exclude = exclude
        self.peak_rss = self.peak_pss = 0  # kB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        tick = 0
        while not self._stop.is_set():
            pids = tree(os.getpid(), self.exclude)
            self.peak_rss = max(self.peak_rss, sum(_rss_pages(pid) for pid in pids) * page_kb)
            if tick % 5 == 0:  # smaps_rollup is costly to read: PSS less often
                self.peak_pss = max(self.peak_pss, sum(_pss_kb(pid) for pid in pids))
            tick += 1
            self._stop.wait(0.1)


def _rss_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _parents() -> dict[int, int]:
    out = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = entry.joinpath("stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                out[int(entry.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return out


def tree(root: int, exclude: set[int]) -> list[int]:
    """`root` and its live descendants, minus `exclude` and theirs."""
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in exclude:
            continue
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def leftovers(exclude: set[int]) -> int:
    """Processes of this run still alive besides this one and the site server."""
    tagged = tagged_processes(f"{os.getpid()}.")
    return len(set(tagged) | (set(tree(os.getpid(), exclude)) - {os.getpid()}))
