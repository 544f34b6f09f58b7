"""Pytest fixtures for the fetch tests: a loopback site, one shared browser, one shared event loop.

A Playwright browser belongs to the event loop that started it, so the browser tests share one
loop running in a background thread (`aio.run(coro)`), and one `BrowserPool` on it for the whole
session. The site is a real `ThreadingHTTPServer` on 127.0.0.1 whose routes each test adds.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.config import FetchSettings, Settings
from agent.fetch import BrowserPool, Fetcher
from agent.fetch.browser import find_chromium, tagged_processes
from agent.models import FetchResult

__all__ = ["Aio", "Reply", "Site", "js_page", "static_page"]


def static_page(title: str, words: int = 120) -> str:
    """A complete server-rendered page with JSON-LD and real text."""
    text = " ".join(f"{title} sentence {i} about a synthetic company." for i in range(words // 6 + 1))
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<script type="application/ld+json">{{"@type": "Organization", "name": "{title}"}}</script>'
        f"</head><body><h1>{title}</h1><p>{text}</p></body></html>"
    )


def js_page(marker: str, script_src: str | None = None) -> str:
    """An app shell whose visible content only exists once its script has run."""
    # The marker is assembled by the script, so it never appears in the HTML as served.
    body = (
        f"document.getElementById('root').innerHTML = '<h1>{marker[:3]}' + '{marker[3:]}</h1>' + "
        f"'<p>' + 'Rendered in the browser. '.repeat(20) + '</p>';"
    )
    script = f'<script src="{script_src}"></script>' if script_src else f"<script>{body}</script>"
    return (
        f"<!doctype html><html><head><title>app</title></head><body>"
        f'<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>{script}'
        "</body></html>"
    )


@dataclass
class Reply:
    """What the site answers on one path."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay_s: float = 0.0
    send_length: bool = True  # False: no Content-Length, body streamed until the connection closes
    hold: threading.Event | None = None  # answer only once the test sets it (a stall that needs no clock)


Route = Reply | Callable[[BaseHTTPRequestHandler, int], Reply]  # callable gets (request, hit number)


class Site:
    """A real HTTP server on loopback with routes added per test and every hit recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def add(self, path: str, route: Route) -> str:
        """Serve `route` at `path`; returns the full URL."""
        self.routes[path] = route
        return self.base + path

    def unique(self, stem: str = "p") -> str:
        """A path no other test uses."""
        return f"/{stem}-{next(self._ids)}"

    def hit_count(self, path: str) -> int:
        """How often `path` was requested."""
        with self._lock:
            return len(self.hits.get(path, []))

    def record(self, path: str, entry: dict[str, Any]) -> int:
        with self._lock:
            self.hits.setdefault(path, []).append(entry)
            return len(self.hits[path])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK stall

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            n = site.record(path, {"headers": dict(self.headers), "t": time.monotonic()})
            route = site.routes.get(path, Reply(b"not here", status=404))
            reply = route(self, n) if callable(route) else route
            if reply.delay_s:
                time.sleep(reply.delay_s)  # the server is slow, on purpose
            if reply.hold is not None:
                reply.hold.wait(120)  # stalled until the test lets go (bounded, so no thread outlives a run)
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.send_length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeouts, size limits): expected in those tests

    return Handler


class Aio:
    """One event loop in a background thread; `run` executes a coroutine on it and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@pytest.fixture(scope="session")
def aio():
    """The session's event loop (the shared browser lives on it)."""
    runner = Aio()
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def shared_browser(aio):
    """One Chromium for every browser test; launched on first use, gone at the end of the session."""

    async def make() -> BrowserPool:
        return BrowserPool(find_chromium(None), recycle_pages=50)

    pool = aio.run(make())
    yield pool
    aio.run(pool.close())
    assert tagged_processes(pool.tag + ".") == [], "Chromium processes outlived the shared browser"


@pytest.fixture(scope="session")
def site():
    """The shared loopback site; tests add their own paths (see Site.unique)."""
    server = Site()
    yield server
    server.close()


@pytest.fixture
def make_site():
    """A private loopback site for tests that need their own robots.txt."""
    made: list[Site] = []

    def factory() -> Site:
        made.append(Site())
        return made[-1]

    yield factory
    for server in made:
        server.close()


@pytest.fixture
def fetch_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for loopback tests: private addresses allowed, no politeness delay, short timeouts."""

    def build(allow_private: bool = True, **fetch: Any) -> Settings:
        options = {"delay_s": 0.0, "timeout_s": 5.0, **fetch}
        return Settings(home=tmp_path / "home", allow_private=allow_private, fetch=FetchSettings(**options))

    return build


@pytest.fixture
def fetch_one(aio, shared_browser) -> Callable[..., tuple[FetchResult, dict]]:
    """Fetch one URL with a new Fetcher on the shared browser; returns (result, fetcher.stats)."""

    def run(settings: Settings, url: str, *, fetcher_kwargs: dict | None = None, **kwargs: Any):
        async def go() -> tuple[FetchResult, dict]:
            async with Fetcher(settings, browser_pool=shared_browser, **(fetcher_kwargs or {})) as fetcher:
                result = await fetcher.fetch(url, **kwargs)
                return result, fetcher.stats

        return aio.run(go())

    return run
