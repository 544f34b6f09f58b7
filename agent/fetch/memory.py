"""Memory limits for Chromium, read from /proc: each page's renderer, and the browser as a whole.

A page's scripts can allocate without bound: a loop filling typed arrays takes one renderer past
5 GB in 15 s, and a window.open storm took the whole browser to 1.4 GB. Three limits hold it:

- every renderer's JavaScript heap is capped at launch, and popups and new windows are refused
  there (agent.fetch.browser);
- while pages render, `MemoryWatch` samples the private memory of every renderer process of the
  pool's browsers every SAMPLE_INTERVAL_S and kills one that passes `page_mb`. Chromium reports the
  page as crashed, its context is closed and the fetch ends `too_large` (agent.fetch.rendering);
- a page starts rendering only when the browser's memory now, plus what the pages rendering may
  still grow by (up to `page_mb` each) and `page_mb` for the new page, fits in `total_mb`;
  otherwise it waits for a slot. One page may always render, so a budget smaller than the idle
  browser slows a run down but never stalls it.

A process's memory is its private resident memory (resident minus shared pages, from statm); the
browser's is the sum of those plus the largest shared part once (Chromium's code is mapped by all
its processes but is in memory once). Linux only: elsewhere nothing is measured or stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SAMPLE_INTERVAL_S", "MemoryWatch", "ProcessTree", "Stop", "Usage"]

log = logging.getLogger(__name__)

# A loop filling memory gains about 1 GB/s in a renderer: sampling every 100 ms keeps the overshoot
# past the limit near 100 MB, for a few small /proc reads per tick.
SAMPLE_INTERVAL_S = 0.1
_MB = 1024 * 1024
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_PROC = Path("/proc")
# Chromium rewrites its command line as one space-separated title, so search it rather than split it.
_RENDERER = re.compile(rb"--type=renderer\b")


@dataclass(frozen=True)
class Usage:
    """One sample: the browser's memory and each renderer's private memory, in MB."""

    total_mb: float
    renderers: dict[int, float]


@dataclass(frozen=True)
class Stop:
    """A renderer killed for passing the page limit."""

    pid: int
    mb: float
    at: float  # time.monotonic()


class ProcessTree:
    """Descendants of given processes, from /proc; a process's parent is read once, when first seen."""

    def __init__(self) -> None:
        self._parents: dict[int, int] = {}

    def descendants(self, roots: Iterable[int]) -> set[int]:
        """`roots` and every live process below them."""
        try:
            live = {int(name) for name in os.listdir(_PROC) if name.isdigit()}
        except OSError:
            return set()
        for pid in live - self._parents.keys():
            if (parent := _parent(pid)) is not None:
                self._parents[pid] = parent
        for pid in self._parents.keys() - live:
            del self._parents[pid]
        children: dict[int, list[int]] = {}
        for pid, parent in self._parents.items():
            children.setdefault(parent, []).append(pid)
        found: set[int] = set()
        stack = [pid for pid in roots if pid in live]
        while stack:
            pid = stack.pop()
            if pid not in found:
                found.add(pid)
                stack.extend(children.get(pid, ()))
        return found


class MemoryWatch:
    """Per-renderer limit (kill) and whole-browser budget (admission) for one browser pool."""

    def __init__(
        self, roots: Callable[[], Iterable[int]], *, page_mb: int, total_mb: int, interval_s: float = SAMPLE_INTERVAL_S
    ):
        self.roots = roots
        self.page_mb = page_mb
        self.total_mb = total_mb
        self.interval_s = interval_s
        self.active = 0
        self.peak_active = 0  # most pages rendering at once so far
        self.waits = 0  # renders that had to wait for memory
        self.stops: deque[Stop] = deque(maxlen=64)
        self._tree = ProcessTree()
        self._tree_lock = threading.Lock()  # samples run in worker threads
        self._left = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def slot(self, make_room: Callable[[], Awaitable[None]] | None = None) -> AsyncIterator[None]:
        """Render one page: wait until the browser has room for it, and watch it meanwhile."""
        await self._admit(make_room)
        self.active += 1
        self.peak_active = max(self.peak_active, self.active)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._watch())
        try:
            yield
        finally:
            self.active -= 1
            self._left.set()
            self._left = asyncio.Event()

    def stopped_since(self, since: float) -> Stop | None:
        """The latest renderer killed at or after `since` (time.monotonic()), if any."""
        return next((stop for stop in reversed(self.stops) if stop.at >= since), None)

    def sample(self) -> Usage:
        """Measure the browser now (blocking: a few small /proc reads)."""
        with self._tree_lock:
            pids = self._tree.descendants(self.roots())
        private_total, shared_max, renderers = 0.0, 0.0, {}
        for pid in pids:
            pages = _statm(pid)
            if pages is None:
                continue
            private, shared = (pages[0] - pages[1]) * _PAGE_BYTES / _MB, pages[1] * _PAGE_BYTES / _MB
            private_total += private
            shared_max = max(shared_max, shared)
            if _is_renderer(pid):
                renderers[pid] = private
        return Usage(total_mb=private_total + shared_max, renderers=renderers)

    async def aclose(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _admit(self, make_room: Callable[[], Awaitable[None]] | None) -> None:
        waited = False
        while self.active:  # with nothing rendering, a page always may
            usage = await asyncio.to_thread(self.sample)
            if usage.total_mb + self.headroom(usage) <= self.total_mb:
                return
            if not waited:
                waited = True
                self.waits += 1
                log.info(
                    "the browser uses %.0f MB; waiting for room under fetch.browser_total_mb (%d MB) "
                    "before rendering another page",
                    usage.total_mb,
                    self.total_mb,
                )
                if make_room is not None:
                    await make_room()  # idle pages first: they hold renderers too
                    continue
            left = self._left
            with suppress(TimeoutError):
                await asyncio.wait_for(left.wait(), self.interval_s)  # memory is also given back over time

    def headroom(self, usage: Usage) -> float:
        """Room to keep free: what the pages rendering may still grow by, plus one whole new page.

        Which renderer serves which page is not known, so the pages rendering are taken to be the
        largest renderers (idle pages are frozen and wiped, hence small).
        """
        largest = sorted(usage.renderers.values(), reverse=True)[: self.active]
        growth = sum(self.page_mb - min(mb, self.page_mb) for mb in largest)
        return growth + self.page_mb * (self.active - len(largest) + 1)

    async def _watch(self) -> None:
        while self.active:
            try:
                await asyncio.to_thread(self._enforce)
            except Exception:  # a broken sample must not end the watch (nor the run)
                log.exception("could not sample Chromium's memory")
            await asyncio.sleep(self.interval_s)

    def _enforce(self) -> None:
        for pid, mb in self.sample().renderers.items():
            if mb > self.page_mb and _is_renderer(pid):  # checked again: the pid is still that renderer
                with suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    self.stops.append(Stop(pid, mb, time.monotonic()))
                    log.warning(
                        "stopped a Chromium renderer using %.0f MB, more than fetch.browser_page_mb (%d MB)",
                        mb,
                        self.page_mb,
                    )


def _parent(pid: int) -> int | None:
    try:
        return int(_PROC.joinpath(str(pid), "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _statm(pid: int) -> tuple[int, int] | None:
    """(resident, shared) pages of a process, or None when it is gone."""
    try:
        fields = _PROC.joinpath(str(pid), "statm").read_bytes().split()
        return int(fields[1]), int(fields[2])
    except (OSError, IndexError, ValueError):
        return None


def _is_renderer(pid: int) -> bool:
    try:
        return bool(_RENDERER.search(_PROC.joinpath(str(pid), "cmdline").read_bytes()))
    except OSError:
        return False
