"""Politeness: robots.txt (RFC 9309) with the operator's per-domain override, per-host pacing,
and backoff hints (Retry-After).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from agent.fetch.problems import FetchProblem
from agent.fetch.raw import RawResponse
from agent.models import Outcome
from extractors.urls import on_domain

__all__ = ["HostGate", "RobotsCache", "RobotsDecision"]

log = logging.getLogger(__name__)

MAX_CRAWL_DELAY_S = 10.0  # a robots.txt Crawl-delay above this is capped rather than obeyed blindly


@dataclass(frozen=True)
class RobotsDecision:
    """May the URL be fetched, and only thanks to the operator's override?"""

    allowed: bool
    override: bool = False
    reason: str = ""


@dataclass
class _Robots:
    parser: Protego | None  # None: allow all (no usable robots.txt) or see `disallow_all`
    disallow_all: bool = False
    why: str = ""


# robots.txt URL -> its raw response; raises FetchProblem when the host cannot be reached
RobotsLoader = Callable[[str], Awaitable[RawResponse]]


class RobotsCache:
    """robots.txt per scheme+host+port, fetched once per run, read per RFC 9309."""

    def __init__(self, loader: RobotsLoader, *, user_agent: str, overrides: Iterable[str] = ()):
        self._loader = loader
        self._agent = user_agent
        self._overrides = list(overrides)
        self._entries: dict[str, asyncio.Task[_Robots]] = {}
        self._overridden: set[str] = set()  # URLs already logged as overridden (the browser asks again)

    async def check(self, url: str) -> RobotsDecision:
        """Decide for one URL, loading its host's robots.txt the first time."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        if robots_url not in self._entries:
            self._entries[robots_url] = asyncio.ensure_future(self._load(robots_url))
        robots = await asyncio.shield(self._entries[robots_url])  # one load, shared by concurrent callers
        if robots.disallow_all:
            allowed, why = False, robots.why
        elif robots.parser is None:
            allowed, why = True, ""
        else:
            allowed = robots.parser.can_fetch(url, self._agent)
            why = f"robots.txt of {parts.hostname} disallows this path for our user agent"
        if allowed:
            return RobotsDecision(True)
        if on_domain(parts.hostname or "", self._overrides):
            if url not in self._overridden:
                self._overridden.add(url)
                log.debug("robots.txt disallows %s; fetching anyway under the operator's override", url)
            return RobotsDecision(True, override=True, reason=why)
        return RobotsDecision(False, reason=why + " (an operator can override it per domain)")

    def crawl_delay(self, url: str) -> float:
        """The Crawl-delay robots.txt asks of us (capped), or 0."""
        parts = urlsplit(url)
        task = self._entries.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
        if task is None or not task.done() or task.cancelled() or task.exception():
            return 0.0
        parser = task.result().parser
        delay = parser.crawl_delay(self._agent) if parser else None
        return min(float(delay or 0.0), MAX_CRAWL_DELAY_S)

    async def _load(self, robots_url: str) -> _Robots:
        try:
            resp = await self._loader(robots_url)
        except FetchProblem as problem:
            if problem.outcome in (Outcome.unsafe_url, Outcome.error, Outcome.timeout):
                # The host itself is refused or cannot be reached: that, not robots.txt, is the page's
                # outcome (nothing is fetched either way, as RFC 9309 2.3.1.4 asks).
                raise
            # RFC 9309 2.3.1.4: unreachable robots.txt means "disallow everything".
            return _Robots(
                None,
                disallow_all=True,
                why=f"robots.txt could not be read ({problem.reason}), so nothing may be fetched (RFC 9309)",
            )
        if 200 <= resp.status < 300:
            return _Robots(Protego.parse(resp.text()))
        if 400 <= resp.status < 500 or 300 <= resp.status < 400:
            return _Robots(None)  # unavailable (or too many redirects): everything is allowed
        return _Robots(
            None, disallow_all=True, why=f"robots.txt answered HTTP {resp.status}, so nothing may be fetched (RFC 9309)"
        )

    async def aclose(self) -> None:
        """Cancel loads still running."""
        for task in self._entries.values():
            task.cancel()
        await asyncio.gather(*self._entries.values(), return_exceptions=True)


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HostGate:
    """Per-host concurrency and a minimum delay between request starts to the same host."""

    def __init__(self, *, delay_s: float, concurrency: int, no_delay_hosts: Iterable[str] = ()):
        self.delay_s = max(0.0, delay_s)
        self.concurrency = max(1, concurrency)
        self._no_delay = list(no_delay_hosts)
        self._hosts: dict[str, _HostState] = {}
        self._extra_delay: dict[str, float] = {}

    def _state(self, host: str) -> _HostState:
        if host not in self._hosts:
            self._hosts[host] = _HostState(asyncio.Semaphore(self.concurrency))
        return self._hosts[host]

    def set_delay(self, host: str, seconds: float) -> None:
        """Raise the delay for one host (robots.txt Crawl-delay)."""
        self._extra_delay[host.lower()] = seconds

    def push_back(self, host: str, seconds: float) -> None:
        """Make the next request to `host` wait at least `seconds` (after a 429/503)."""
        state = self._state(host.lower())
        state.next_start = max(state.next_start, time.monotonic() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots, starting no sooner than its pacing allows."""
        host = host.lower()
        state = self._state(host)
        async with state.slots:
            delay = 0.0 if on_domain(host, self._no_delay) else max(self.delay_s, self._extra_delay.get(host, 0.0))
            async with state.lock:
                now = time.monotonic()
                start = max(now, state.next_start)
                state.next_start = start + delay  # reserve our start; later callers queue behind it
            if start > now:
                await asyncio.sleep(start - now)
            yield
