"""Rendering a page in Chromium with every request served by our own HTTP engine.

The browser never touches the network itself (it cannot even resolve names, see LAUNCH_ARGS): a
context-wide route handler answers each request. The page's document comes from the response the
HTTP path already fetched (so the page is requested once); scripts, XHR and fetch() calls go
through `HttpEngine.follow`, which checks every URL and redirect hop, or through the replay store.
Images, fonts, media, stylesheets and sub-frames are never loaded; scripts and data the server
marks cacheable are kept for the run (agent.fetch.cache), as a browser would.

Opening a page costs a renderer process, so a page ("tab") is reused: one page at a time per
context. Between pages the old page is frozen and its cookies, storage, IndexedDB and caches are
wiped, and a script that runs first in the next page's document clears anything written since,
so nothing travels from one page to the next. After MAX_TAB_USES pages, after any error, and when
the browser is recycled, the context is closed and a fresh one made.

A page renders only inside the pool's memory slot (agent.fetch.memory). When its renderer dies,
stopped for passing fetch.browser_page_mb or out of its capped JavaScript heap, the fetch ends
`too_large` and the context is closed. A window the page opens despite the launch flags is closed
at once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession, Page, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from agent.fetch.browser import BrowserPool, ContextLease
from agent.fetch.cache import SubresourceCache
from agent.fetch.http_engine import HttpEngine
from agent.fetch.policy import RobotsCache
from agent.fetch.problems import FetchProblem
from agent.fetch.raw import RawResponse
from agent.models import Outcome

__all__ = ["Rendered", "Renderer"]

log = logging.getLogger(__name__)

BLOCKED_TYPES = {
    "image",
    "media",
    "font",
    "stylesheet",
    "texttrack",
    "manifest",
    "eventsource",
    "websocket",
    "ping",
    "other",
}
# Not passed on to Chromium: the body is already decoded and re-measured.
_STRIP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
# Done waiting once the body holds this much text, or the network has been quiet this long after load.
SETTLE_TEXT_CHARS = 200
SETTLE_QUIET_MS = 400
MAX_SETTLE_S = 5.0
MAX_TAB_USES = 20  # pages per context before it is replaced, bounding whatever a wipe might miss
RESET_TIMEOUT_S = 5.0
# Runs first in every new document of a reused page: the first document of each fetch (new token)
# forgets whatever the previous page left in storage or JS-visible cookies, even if the previous
# page wrote them while it was being navigated away from.
_FRESH_START = """(() => {
  const key = "__zyntro_enrich_fetch", token = "%s";
  try {
    if (window.top !== window || sessionStorage.getItem(key) === token) return;
    localStorage.clear();
    sessionStorage.clear();
    const labels = location.hostname.split(".");
    const domains = [""].concat(labels.map((_, i) => "; domain=." + labels.slice(i).join(".")));
    for (const part of document.cookie.split(";")) {
      const name = part.split("=")[0].trim();
      for (const domain of domains) if (name) document.cookie = name + "=; Max-Age=0; path=/" + domain;
    }
    sessionStorage.setItem(key, token);
  } catch (e) {}
})();"""
_TEXT_LENGTH = "document.body ? document.body.innerText.trim().length : 0"
_READ_HTML = (
    "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '')"
    " + document.documentElement.outerHTML"
)
SETTLE_POLL_S = 0.05


@dataclass
class Rendered:
    """What the browser made of a page."""

    html: str
    final_url: str
    status: int
    requests: int = 0
    robots_override: bool = False  # a navigation went ahead only thanks to the operator's override


@dataclass
class _PageState:
    document: RawResponse | None
    document_url: str
    final_url: str
    status: int
    refused: FetchProblem | None = None
    requests: int = 0
    robots_override: bool = False
    origins: set[str] = field(default_factory=set)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def busy(self, delta: int) -> None:
        """Note a request starting (+1) or finishing (-1)."""
        self.in_flight += delta
        self.last_activity = time.monotonic()


@dataclass(eq=False)
class _Tab:
    """A context with one page, reused for one page load at a time."""

    lease: ContextLease
    page: Page | None = None  # None only while Renderer._take opens the tab
    cdp: CDPSession | None = None
    state: _PageState | None = None
    uses: int = 0
    broken: bool = False
    fresh_script: str | None = None  # CDP id of the current _FRESH_START script
    crashed: asyncio.Event = field(default_factory=asyncio.Event)  # its renderer died (memory, most likely)

    @property
    def open_page(self) -> Page:
        """The page of a tab that is open."""
        if self.page is None:
            raise RuntimeError("the browser tab has no page yet")
        return self.page

    @property
    def open_cdp(self) -> CDPSession:
        """The CDP session of a tab that is open."""
        if self.cdp is None:
            raise RuntimeError("the browser tab has no CDP session yet")
        return self.cdp


class _Crashed(Exception):
    """The tab's renderer died while the page was loading."""


class Renderer:
    """Renders documents in contexts of a shared `BrowserPool`, reusing a few wiped pages."""

    def __init__(
        self,
        pool: BrowserPool,
        engine: HttpEngine,
        *,
        user_agent: str,
        timeout_s: float,
        robots: RobotsCache | None = None,
        max_pages: int = 4,
    ):
        self.pool = pool
        self.engine = engine
        self.user_agent = user_agent
        self.timeout_s = timeout_s
        self.robots = robots
        self.max_pages = max(1, max_pages)
        self.cache = SubresourceCache()
        self._slots = asyncio.Semaphore(self.max_pages)  # each page in use is a renderer process
        self._idle: list[_Tab] = []
        self._closing: set[asyncio.Task[None]] = set()  # popups being closed
        self._closed = False

    async def render(self, document: RawResponse) -> Rendered:
        """Render `document` (already fetched at document.url) and return the resulting HTML."""
        # Waiting for a free page, or for memory, does not count against the page's timeout.
        async with self._slots, self.pool.memory.slot(make_room=self._close_idle):
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self._render(document)
            except TimeoutError:
                raise FetchProblem(
                    Outcome.timeout,
                    f"the browser did not finish the page within {self.timeout_s:g} s (fetch.timeout_s)",
                    final_url=document.url,
                ) from None

    async def _render(self, document: RawResponse) -> Rendered:
        state = _PageState(document=document, document_url=document.url, final_url=document.url, status=document.status)
        tab = await self._take()
        tab.state = state
        self.pool.count_page(tab.lease)
        started = time.monotonic()
        try:
            html = await self._until_crash(tab, self._load(tab, state))
        except _Crashed:
            tab.broken = True
            raise self._memory_problem(state, started) from None
        except BaseException:
            tab.broken = True  # cut short (error, timeout, Ctrl-C): never reuse a page in an unknown state
            raise
        finally:
            await self._give_back(tab)
        if state.refused is not None:
            raise state.refused
        return Rendered(
            html=html,
            final_url=state.final_url,
            status=state.status,
            requests=state.requests,
            robots_override=state.robots_override,
        )

    async def aclose(self) -> None:
        """Close the idle pages and their contexts."""
        self._closed = True
        await self._close_idle()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def _close_idle(self) -> None:
        """Close the idle pages (each holds a renderer process), e.g. to make room in memory."""
        idle, self._idle = self._idle, []
        for tab in idle:
            await self.pool.release(tab.lease)

    async def _until_crash(self, tab: _Tab, work: Coroutine[Any, Any, str]) -> str:
        """Run `work` unless the tab's renderer dies first (stopped for memory, or out of JS heap)."""
        job = asyncio.ensure_future(work)
        crash = asyncio.ensure_future(tab.crashed.wait())
        try:
            await asyncio.wait({job, crash}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            crash.cancel()
            if not job.done():
                job.cancel()
                await asyncio.wait({job})
        failure = None if job.cancelled() else job.exception()
        # The crash may reach us as the event or, first, as the error of whatever was waiting on the page.
        if tab.crashed.is_set() or (failure is not None and "crashed" in str(failure).lower()):
            raise _Crashed
        return job.result()

    def _memory_problem(self, state: _PageState, started: float) -> FetchProblem:
        limit = self.pool.memory.page_mb
        stop = self.pool.memory.stopped_since(started)
        if stop is not None:
            reason = (
                f"the page used {stop.mb:.0f} MB in the browser, more than fetch.browser_page_mb ({limit} MB): stopped"
            )
        else:
            reason = (
                f"the browser tab crashed, most likely out of memory (its JavaScript heap is capped at "
                f"{limit} MB, fetch.browser_page_mb)"
            )
        return FetchProblem(Outcome.too_large, reason, final_url=state.final_url)

    def _refuse_window(self, tab: _Tab, page: Page) -> None:
        """A popup or new window slipped past the launch flags: close it at once."""
        if tab.page is None or page == tab.page:
            return  # our own page, being created
        log.debug("closed a window the page opened (%s)", page.url)
        task = asyncio.ensure_future(_close_quietly(page))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _take(self) -> _Tab:
        while self._idle:
            tab = self._idle.pop()
            if self.pool.stale(tab.lease) or tab.page is None or tab.page.is_closed() or tab.crashed.is_set():
                await self.pool.release(tab.lease)
                continue
            try:
                await tab.lease.context.clear_cookies()  # anything set since the page was handed back
                await self._arm(tab)
            except PlaywrightError:
                await self.pool.release(tab.lease)
                continue
            tab.uses += 1
            return tab
        lease = await self.pool.new_context(
            user_agent=self.user_agent,
            service_workers="block",
            accept_downloads=False,
            viewport={"width": 1280, "height": 900},
        )
        tab = _Tab(lease, uses=1)

        async def on_route(route: Route) -> None:
            await self._serve(route, tab.state)

        try:
            lease.context.on("page", lambda page: self._refuse_window(tab, page))
            await lease.context.route("**/*", on_route)
            await lease.context.route_web_socket("**/*", _refuse_websocket)
            tab.page = page = await lease.context.new_page()
            page.on("crash", lambda _: tab.crashed.set())
            tab.cdp = cdp = await lease.context.new_cdp_session(page)
            await cdp.send("Page.enable")  # new-document scripts of this session need it
            await self._arm(tab)
        except BaseException:
            await self.pool.release(lease)
            raise
        return tab

    async def _arm(self, tab: _Tab) -> None:
        """Install a fresh-start script with a token of its own for the coming fetch."""
        if tab.fresh_script is not None:
            await tab.open_cdp.send("Page.removeScriptToEvaluateOnNewDocument", {"identifier": tab.fresh_script})
        answer = await tab.open_cdp.send(
            "Page.addScriptToEvaluateOnNewDocument", {"source": _FRESH_START % secrets.token_hex(8)}
        )
        tab.fresh_script = answer["identifier"]

    async def _give_back(self, tab: _Tab) -> None:
        state, tab.state = tab.state, None  # late requests of the old page are refused from now on
        reusable = not (
            tab.broken
            or self._closed
            or tab.uses >= MAX_TAB_USES
            or self.pool.stale(tab.lease)
            or len(self._idle) >= self.max_pages
        )
        if reusable:
            try:
                await asyncio.wait_for(self._wipe(tab, state.origins if state else set()), RESET_TIMEOUT_S)
                self._idle.append(tab)
                return
            except (TimeoutError, PlaywrightError) as exc:
                log.debug("could not wipe a browser page for reuse (%s); closing it", _first_line(exc))
        await self.pool.release(tab.lease)

    async def _wipe(self, tab: _Tab, origins: set[str]) -> None:
        """Freeze the page (its scripts stop) and erase what it stored: cookies, storage, caches."""
        await tab.open_cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
        await tab.lease.context.clear_cookies()
        for origin in origins:
            await tab.open_cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})

    async def _load(self, tab: _Tab, state: _PageState) -> str:
        timeout_ms = self.timeout_s * 1000
        try:
            await tab.open_page.goto(state.document_url, wait_until="domcontentloaded", timeout=timeout_ms)
        except PlaywrightTimeout:
            raise FetchProblem(
                Outcome.timeout,
                f"the page did not load within {self.timeout_s:g} s in the browser",
                final_url=state.final_url,
            ) from None
        except PlaywrightError as exc:
            if state.refused is not None:
                raise state.refused from None
            raise FetchProblem(
                Outcome.error, f"the browser could not load the page ({_first_line(exc)})", final_url=state.final_url
            ) from None
        for _ in range(3):
            try:
                await self._settle(tab, state)
                return await _evaluate(tab, _READ_HTML)
            except PlaywrightError:
                # The page is navigating (a script moved it on): let that finish, then read again.
                with suppress(PlaywrightError):
                    await tab.open_page.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
        if state.refused is not None:
            raise state.refused
        raise FetchProblem(
            Outcome.error, "the page kept navigating; its content could not be read", final_url=state.final_url
        )

    async def _settle(self, tab: _Tab, state: _PageState) -> None:
        """Wait until the body holds real text, or no request has been open for a while."""
        deadline = time.monotonic() + min(MAX_SETTLE_S, self.timeout_s / 2)
        quiet_s = SETTLE_QUIET_MS / 1000
        while time.monotonic() < deadline:  # not settling in time is fine: what rendered is the page
            if state.refused is not None:
                return
            if await _evaluate(tab, _TEXT_LENGTH) >= SETTLE_TEXT_CHARS:
                return
            if state.in_flight == 0 and time.monotonic() - state.last_activity >= quiet_s:
                return
            await asyncio.sleep(SETTLE_POLL_S)

    async def _serve(self, route: Route, state: _PageState | None) -> None:
        request = route.request
        try:
            if state is None or request.resource_type in BLOCKED_TYPES:
                await route.abort("blockedbyclient")
                return
            main_nav = request.is_navigation_request() and _is_main_frame(request)
            if request.resource_type == "document" and not main_nav:
                await route.abort("blockedbyclient")  # sub-frames: ads and embeds, not the page
                return
            parts = urlsplit(request.url)
            state.origins.add(f"{parts.scheme}://{parts.netloc}")
            state.busy(+1)
            try:
                # The first navigation is ours (to document.url, maybe spelled differently by the browser).
                if main_nav and state.document is not None:
                    doc, state.document = state.document, None
                    await route.fulfill(status=doc.status, headers=_headers(doc), body=doc.body)
                    return
                state.requests += 1
                await self._forward(route, state, main_nav)
            finally:
                state.busy(-1)
        except PlaywrightError as exc:
            log.debug("route for %s ended early: %s", request.url, _first_line(exc))  # page closed meanwhile

    async def _forward(self, route: Route, state: _PageState, main_nav: bool) -> None:
        request = route.request
        cacheable = request.method == "GET" and not main_nav
        if cacheable and (cached := self.cache.get(request.url)) is not None:
            await route.fulfill(status=cached.status, headers=_headers(cached), body=cached.body)
            return

        async def check_navigation(url: str) -> None:
            await self._check_navigation(url, state)

        check = check_navigation if main_nav else None
        try:
            resp, hops = await self.engine.follow(
                request.url,
                check_hop=check,
                method=request.method,
                headers=dict(request.headers),
                content=request.post_data_buffer,
                html_only=main_nav,
            )
        except FetchProblem as problem:
            if main_nav:
                # The page tried to move to a URL we refuse: the result is that refusal, not the old page.
                state.refused = FetchProblem(
                    problem.outcome,
                    f"the page navigated to {request.url}: {problem.reason}",
                    status=problem.status,
                    final_url=request.url,
                )
            log.debug("refused browser request %s: %s", request.url, problem.reason)
            blocked = problem.outcome in (Outcome.unsafe_url, Outcome.robots_disallowed, Outcome.invalid_url)
            await route.abort("blockedbyclient" if blocked else "failed")
            return
        if main_nav:
            state.final_url, state.status = hops[-1], resp.status
        elif cacheable and len(hops) == 1:
            self.cache.put(request.url, resp)
        await route.fulfill(status=resp.status, headers=_headers(resp), body=resp.body)

    async def _check_navigation(self, url: str, state: _PageState) -> None:
        """robots.txt for each hop of a navigation the page makes itself."""
        if self.robots is None:
            return
        decision = await self.robots.check(url)
        if not decision.allowed:
            raise FetchProblem(Outcome.robots_disallowed, decision.reason, final_url=url)
        state.robots_override = state.robots_override or decision.override


def _is_main_frame(request) -> bool:
    try:
        return request.frame.parent_frame is None
    except PlaywrightError:
        return False  # service-worker requests have no frame


def _headers(resp: RawResponse) -> dict[str, str]:
    headers = {k: v for k, v in resp.headers.items() if k not in _STRIP_HEADERS}
    headers.setdefault("content-type", "text/html")
    return headers


async def _close_quietly(page: Page) -> None:
    with suppress(PlaywrightError):
        await page.close()


async def _refuse_websocket(ws: WebSocketRoute) -> None:
    with suppress(PlaywrightError):
        await ws.close(code=1008, reason="websockets are not used by the fetcher")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


async def _evaluate(tab: _Tab, expression: str):
    """Evaluate in the page over the tab's CDP session (no helper script is injected)."""
    answer = await tab.open_cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
    if "exceptionDetails" in answer:
        raise PlaywrightError(f"evaluation failed: {answer['exceptionDetails'].get('text', 'exception')}")
    return answer["result"].get("value")
