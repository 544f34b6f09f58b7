"""The fetcher: URL safety -> robots.txt -> per-host pacing -> HTTP (or replay) -> browser when needed.

    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch("https://example.com/about")

`fetch` never raises for a page problem: every outcome is a `FetchResult` with a one-line reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from agent.config import Settings
from agent.errors import ConfigError
from agent.fetch.browser import BrowserPool
from agent.fetch.challenge import PageSignals, challenge_reason, page_signals
from agent.fetch.http_engine import HttpEngine, human_size
from agent.fetch.policy import HostGate, RobotsCache
from agent.fetch.problems import FetchProblem
from agent.fetch.raw import RawResponse
from agent.fetch.rendering import Renderer
from agent.fetch.replay import ReplayStore
from agent.fetch.safety import AddressGuard, Resolver, check_url
from agent.httputil import parse_retry_after
from agent.models import Engine, FetchResult, Outcome, Page

__all__ = ["Fetcher"]

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309: follow at least five redirects
BACKOFF_BASE_S = 1.0  # wait before retrying a 429/503 that names no Retry-After (doubles each time)
_STATUS_OUTCOMES = {
    401: (Outcome.login_wall, "the page needs a login (never attempted)"),
    403: (Outcome.blocked, "the site refused the request"),
    404: (Outcome.not_found, "the page does not exist"),
    410: (Outcome.not_found, "the page is gone"),
    429: (Outcome.rate_limited, "the site is rate-limiting us"),
    451: (Outcome.blocked, "unavailable for legal reasons"),
    503: (Outcome.rate_limited, "the site is unavailable or shedding load"),
}


@dataclass
class _Call:
    """What is known about one fetch while it runs (for the result, whatever the outcome)."""

    url: str
    engine: Engine | None = None
    robots_override: bool = False
    retries: int = 0


class Fetcher:
    """Fetches pages politely and safely with httpx, escalating to Chromium when a page needs it."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        browser_pool: BrowserPool | None = None,
    ):
        self.settings = settings
        fetch = settings.fetch
        try:
            self._replay = ReplayStore(fetch.replay_dir, latency_s=fetch.replay_latency_s) if fetch.replay_dir else None
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        self._guard = AddressGuard(resolver, allow_private=settings.allow_private)
        self._engine = HttpEngine(settings, self._guard, transport=transport, replay=self._replay)
        self._robots = RobotsCache(self._load_robots, user_agent=fetch.user_agent, overrides=fetch.robots_override)
        self._gate = HostGate(
            delay_s=fetch.delay_s, concurrency=fetch.per_host_concurrency, no_delay_hosts=fetch.no_delay_hosts
        )
        self._slots = asyncio.Semaphore(max(1, fetch.concurrency))
        self._owns_pool = browser_pool is None
        # Creating the pool launches nothing: Chromium starts with the first page that needs it.
        self._pool = browser_pool or BrowserPool(
            settings.chromium,
            recycle_pages=fetch.browser_recycle_pages,
            page_mb=fetch.browser_page_mb,
            total_mb=fetch.browser_total_mb,
        )
        self._renderer = Renderer(
            self._pool,
            self._engine,
            user_agent=fetch.user_agent,
            timeout_s=fetch.timeout_s,
            robots=self._robots,
            max_pages=fetch.browser_pages,
        )
        self._counts: Counter[str] = Counter()
        self._launches_before = self._pool.launches

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool and, if this fetcher started it, the browser."""
        try:
            await self._renderer.aclose()
            await self._robots.aclose()
            await self._engine.aclose()
        finally:
            if self._owns_pool:
                await self._pool.close()

    @property
    def stats(self) -> dict:
        """Counts so far: pages by engine and by outcome, escalations, browser launches, bytes."""
        c = self._counts
        return {
            "pages": c["pages"],
            "by_engine": {e: c[f"engine:{e}"] for e in ("http", "browser", "replay")},
            "by_outcome": {k.split(":", 1)[1]: v for k, v in c.items() if k.startswith("outcome:")},
            "escalated": c["escalated"],
            "not_modified": c["not_modified"],
            "retries": c["retries"],
            "robots_overrides": c["robots_override"],
            "browser_launches": self._pool.launches - self._launches_before,
            "bytes": c["bytes"],
        }

    async def fetch(
        self, url: str, *, needs_browser: bool | None = None, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one page; never raises for a page problem (see FetchResult.outcome and .reason)."""
        started = time.monotonic()
        call = _Call(url)
        try:
            async with self._slots:
                result = await self._fetch(call, needs_browser, etag, last_modified)
        except FetchProblem as problem:
            result = FetchResult(
                url=url,
                outcome=problem.outcome,
                reason=problem.reason,
                engine=call.engine,
                status=problem.status,
                final_url=problem.final_url,
            )
        except Exception as exc:  # a bug on one page's path must not end the whole run
            log.exception("unexpected failure fetching %s", url)
            result = FetchResult(
                url=url,
                outcome=Outcome.error,
                engine=call.engine,
                reason=f"internal error ({type(exc).__name__}: {str(exc)[:120]}); please report it",
            )
        result.robots_override = call.robots_override
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        self._count(result, call)
        log.debug("%s -> %s (%s) in %d ms", url, result.outcome.value, result.reason, result.elapsed_ms)
        return result

    async def _fetch(
        self, call: _Call, needs_browser: bool | None, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        check_url(call.url)
        doc = await self._document(call, etag, last_modified)
        if doc.status == 304 and (etag or last_modified):
            return FetchResult(
                url=call.url,
                outcome=Outcome.ok,
                not_modified=True,
                engine=call.engine,
                status=304,
                final_url=doc.url,
                reason="not modified since the stored copy (HTTP 304)",
            )
        html = doc.text()
        signals = page_signals(html)
        result = self._classify(call, doc, html, signals)
        if result is not None:
            return result
        if needs_browser is False or (needs_browser is None and not signals.is_js_shell):
            return self._ok(call, doc, html, doc.url, note="")
        if needs_browser is None:
            self._counts["escalated"] += 1
            note = " (the page needs JavaScript)"
        else:
            note = ""
        return await self._render(call, doc, note)

    async def _render(self, call: _Call, doc: RawResponse, note: str) -> FetchResult:
        call.engine = "browser"
        rendered = await self._renderer.render(doc)
        call.robots_override = call.robots_override or rendered.robots_override
        rendered_doc = RawResponse(
            url=rendered.final_url,
            status=rendered.status,
            headers=doc.headers,
            body=rendered.html.encode("utf-8"),
            source=doc.source,
        )
        return self._classify(call, rendered_doc, rendered.html) or self._ok(
            call, rendered_doc, rendered.html, rendered.final_url, note=note
        )

    def _classify(
        self, call: _Call, doc: RawResponse, html: str, signals: PageSignals | None = None
    ) -> FetchResult | None:
        """The outcome for anything but a usable page: challenges and error statuses."""
        if reason := challenge_reason(doc.status, html, signals):
            return FetchResult(
                url=call.url,
                outcome=Outcome.blocked,
                reason=reason,
                engine=call.engine,
                status=doc.status,
                final_url=doc.url,
                bytes=len(doc.body),
            )
        if 200 <= doc.status < 300:
            return None
        outcome, words = _STATUS_OUTCOMES.get(doc.status, (Outcome.error, "unexpected answer"))
        if call.retries and outcome is Outcome.rate_limited:
            words += f" (still after {call.retries} retries)"
        page = None
        if outcome in (Outcome.not_found, Outcome.login_wall) and html.strip():
            page = self._page(call, doc, html, doc.url)
        return FetchResult(
            url=call.url,
            outcome=outcome,
            reason=f"HTTP {doc.status}: {words}",
            engine=call.engine,
            status=doc.status,
            final_url=doc.url,
            bytes=len(doc.body),
            page=page,
        )

    def _ok(self, call: _Call, doc: RawResponse, html: str, final_url: str, *, note: str) -> FetchResult:
        engine = call.engine or "http"
        override = " under the operator's robots.txt override" if call.robots_override else ""
        return FetchResult(
            url=call.url,
            outcome=Outcome.ok,
            engine=engine,
            status=doc.status,
            final_url=final_url,
            bytes=len(doc.body),
            page=self._page(call, doc, html, final_url),
            reason=f"fetched {human_size(len(doc.body))} by {engine}{note}{override}",
        )

    def _page(self, call: _Call, doc: RawResponse, html: str, final_url: str) -> Page:
        return Page(
            url=call.url,
            final_url=final_url,
            status=doc.status,
            html=html,
            fetched_at=datetime.now(UTC),
            engine=call.engine or "http",
            content_hash=Page.hash_html(html),
            etag=doc.headers.get("etag"),
            last_modified=doc.headers.get("last-modified"),
            content_type=doc.content_type,
        )

    async def _document(self, call: _Call, etag: str | None, last_modified: str | None) -> RawResponse:
        """The page's document by HTTP (or replay): checked, paced, redirects followed, retried on 429/503."""
        fetch = self.settings.fetch
        parts = check_url(call.url)
        host = parts.hostname or ""
        await self._check_hop(call, call.url)  # before pacing: a refused URL costs no slot
        if (delay := self._robots.crawl_delay(call.url)) > fetch.delay_s:
            self._gate.set_delay(host, delay)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        call.engine = "replay" if self._replay is not None else "http"
        for attempt in range(fetch.max_retries + 1):
            resp = await self._attempt(call, host, headers)
            last_try = attempt == fetch.max_retries
            if resp.status not in (429, 503) or last_try or challenge_reason(resp.status, resp.text()):
                return resp  # a bot challenge is not a request to come back later
            wait = parse_retry_after(resp.headers.get("retry-after"))
            wait = BACKOFF_BASE_S * 2**attempt if wait is None else wait
            if wait > fetch.max_retry_wait_s:
                raise FetchProblem(
                    Outcome.rate_limited,
                    f"HTTP {resp.status}: asked to wait {wait:.0f} s, longer "
                    f"than the {fetch.max_retry_wait_s:g} s we wait (fetch.max_retry_wait_s)",
                    status=resp.status,
                    final_url=resp.url,
                )
            log.info("HTTP %d from %s: retrying in %.1f s", resp.status, host, wait)
            self._gate.push_back(host, wait)  # every fetch to this host waits, not just this one
            call.retries += 1
        raise AssertionError("unreachable: the last attempt always returns")

    async def _attempt(self, call: _Call, host: str, headers: dict[str, str]) -> RawResponse:
        """One paced, time-limited request for the page, following its redirects."""
        timeout = self.settings.fetch.timeout_s

        async def check(url: str) -> None:
            if url != call.url:  # the page's own URL was checked before pacing
                await self._check_hop(call, url)

        async with self._gate.slot(host):
            try:
                async with asyncio.timeout(timeout):
                    resp, _ = await self._engine.follow(call.url, check_hop=check, headers=headers)
            except TimeoutError:
                raise FetchProblem(
                    Outcome.timeout, f"no complete answer within {timeout:g} s (fetch.timeout_s)"
                ) from None
        return resp

    async def _check_hop(self, call: _Call, url: str) -> None:
        """Safety (unless replayed) and robots.txt for one URL on the way to the page."""
        parts = check_url(url)
        if self._replay is None:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                await self._guard.check(parts.hostname or "", port)
            except FetchProblem as problem:
                if url != call.url and problem.outcome is Outcome.unsafe_url:
                    raise FetchProblem(
                        problem.outcome, f"redirected to {url}: {problem.reason}", final_url=url
                    ) from None
                raise
        decision = await self._robots.check(url)
        if not decision.allowed:
            raise FetchProblem(Outcome.robots_disallowed, decision.reason, final_url=url)
        call.robots_override = call.robots_override or decision.override

    async def _load_robots(self, robots_url: str) -> RawResponse:
        if self._replay is not None:
            return await self._replay.get(robots_url) or RawResponse(url=robots_url, status=404)
        timeout = self.settings.fetch.timeout_s
        try:
            async with asyncio.timeout(timeout):
                resp, _ = await self._engine.follow(
                    robots_url,
                    max_redirects=ROBOTS_MAX_REDIRECTS,
                    html_only=False,
                    truncate=True,
                    max_bytes=ROBOTS_MAX_BYTES,
                )
        except TimeoutError:
            raise FetchProblem(Outcome.timeout, f"no answer within {timeout:g} s") from None
        return resp

    def _count(self, result: FetchResult, call: _Call) -> None:
        c = self._counts
        c["pages"] += 1
        c[f"outcome:{result.outcome.value}"] += 1
        if result.outcome is Outcome.ok and result.engine:
            c[f"engine:{result.engine}"] += 1
        c["not_modified"] += result.not_modified
        c["robots_override"] += result.robots_override
        c["retries"] += call.retries
        c["bytes"] += result.bytes
