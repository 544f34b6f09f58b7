"""Fixtures for the review pages: `serve`'s app on a real loopback port over the demo world, and a browser page.

`review_server` runs the app in-process (uvicorn in a background thread, port 0) over the state the
demo world's CLI runs write, with a known sign-in token. `web` runs an async test body in a fresh
context of one session-wide Chromium, on the session's event loop (tests.support.fetch's `aio`).

That Chromium is not tests.support.fetch's `shared_browser`: the fetch layer launches its browser
with `--host-resolver-rules=MAP * ~NOTFOUND` (its route handler serves every request), which also
refuses 127.0.0.1, and a page served through a route handler does not get its redirects routed. So
the web tests share one more BrowserPool (same executable, same flags, tagged and reaped the same
way), whose last flags let it reach loopback and load images (so an injected <img> would show).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

__all__ = ["LOOPBACK_ARGS", "TOKEN", "ReviewServer", "signed_in_client"]

TOKEN = "test-sign-in-token-0123456789"
LOOPBACK_ARGS = ("--host-resolver-rules=MAP review.invalid ~NOTFOUND", "--blink-settings=imagesEnabled=true")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class ReviewServer:
    """The running app: its URL, the state it reads, and the demo world behind it."""

    url: str
    settings: Any
    store: Any
    world: Any
    app: Any = None  # the Starlette app itself (for in-process requests, e.g. over https)

    def enrich(self, name: str, *extra: str) -> dict[str, int]:
        """Run `enrich --review` for a demo contact in-process; {profile_source: draft_id} of what was queued."""
        from agent.cli import main
        from agent.demo import DEMO_CONTACTS

        spec = next(s for s in DEMO_CONTACTS if s["name"] == name)
        hints = [a for k in ("name", "email", "company") if spec.get(k) for a in (f"--{k}", spec[k])]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(
                [
                    "enrich",
                    *spec["urls"],
                    "--contact-id",
                    self.world.contacts[name],
                    *hints,
                    *extra,
                    "--review",
                    "--json",
                ]
            )
        assert code == 0, out.getvalue()
        profiles = json.loads(out.getvalue())["contacts"][0]["profiles"]
        return {p["profile_source"]: p["draft_id"] for p in profiles if p.get("draft_id")}

    def csrf(self, client: httpx.Client, path: str = "/") -> str:
        """The CSRF token in the form of a page."""
        found = _CSRF.search(client.get(self.url + path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)


@contextlib.contextmanager
def signed_in_client(server: ReviewServer, who: str = "Ana Reviewer") -> Iterator[httpx.Client]:
    """An HTTP client with a session (signed in through the form, as a browser would)."""
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        page = client.get("/signin")
        csrf = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        answer = client.post("/signin", data={"csrf": csrf, "who": who, "token": TOKEN, "next": "/"})
        assert answer.status_code == 303, answer.text
        yield client


@pytest.fixture
def review_server(demo_world):
    """`serve`'s app over the demo world's state, on 127.0.0.1 and a free port, signed in with TOKEN."""
    import uvicorn

    from agent.config import load_settings
    from agent.review.state import token_digest
    from agent.review.web import create_app
    from agent.store import Store
    from agent.store_review import server_key

    settings = load_settings()
    with Store.for_settings(settings) as store:
        session_key, _ = server_key(store, "session_key")
        app = create_app(settings, store, token_digest(TOKEN), session_key, worker=False)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False)
        )
        started = threading.Event()
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets=sockets)
            started.set()

        server.startup = startup  # type: ignore[method-assign]
        thread = threading.Thread(target=server.run, name="review-server", daemon=True)
        thread.start()
        assert started.wait(30), "the review server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield ReviewServer(
                url=f"http://127.0.0.1:{port}", settings=settings, store=store, world=demo_world, app=app
            )
        finally:
            server.should_exit = True
            thread.join(30)


@pytest.fixture(scope="session")
def review_browser(aio):
    """The one Chromium of the web tests (see the module docstring); launched on first use."""
    from agent.fetch import BrowserPool
    from agent.fetch.browser import find_chromium, tagged_processes

    async def make() -> BrowserPool:
        return BrowserPool(find_chromium(None), extra_args=LOOPBACK_ARGS)

    pool = aio.run(make())
    yield pool
    aio.run(pool.close())
    assert tagged_processes(pool.tag + ".") == [], "Chromium processes outlived the review browser"


@pytest.fixture
def web(aio, review_browser):
    """Run `body(page)` (async) in a fresh context of the review browser; the context is closed after."""

    def run(body: Callable[[Any], Coroutine[Any, Any, Any]], timeout: float = 60.0) -> Any:
        async def go() -> Any:
            lease = await review_browser.new_context(viewport={"width": 1280, "height": 900})
            try:
                page = await lease.context.new_page()
                page.set_default_timeout(15_000)
                return await body(page)
            finally:
                await review_browser.release(lease)

        return aio.run(asyncio.wait_for(go(), timeout), timeout=timeout + 5)

    return run
