"""The `serve` application: review pages, Zyntro's webhook and a health endpoint, in one Starlette app.

Server-rendered HTML (Jinja2, autoescaped), no script at all: a Content-Security-Policy forbids
inline and remote script, framing and form posts to other sites, so scraped text shown on a page
can never run. Sign-in, sessions and CSRF live in agent.review.auth; the pages in agent.review.pages;
the webhook in agent.review.webhook and its background worker in agent.review.jobs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.review.state import ServeState

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.store import Store

__all__ = ["CSP", "create_app"]

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Every response carries the CSP and its companions (pages, errors, exports alike)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in _HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


async def health(request: Request) -> Response:
    """Liveness and the queue's size, for a load balancer or a person; no sign-in, nothing personal."""
    from agent.store_events import events
    from agent.store_review import draft_counts

    state: ServeState = request.app.state.serve
    counts = draft_counts(state.store)
    waiting = [e for e in events(state.store, limit=1000) if e["state"] in ("queued", "running")]
    return JSONResponse(
        {
            "status": "ok",
            "drafts_waiting": counts.get("queued_for_review", 0),
            "webhook": "on" if state.settings.serve.webhook_secret else "off",
            "webhook_events_waiting": len(waiting),
        }
    )


def create_app(
    settings: Settings, store: Store, token_sha256: str, session_key: str, *, worker: bool = True
) -> Starlette:
    """The app over an open store; `worker` starts the webhook's background enrichment (when configured)."""
    from agent.review import auth, pages, webhook

    state = ServeState(settings=settings, store=store, token_sha256=token_sha256, session_key=session_key)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if worker and settings.serve.webhook_secret is not None:
            from agent.review.jobs import Worker

            state.worker = Worker(settings, store)
            await state.worker.start()  # picks up events a stopped server left queued or running
        try:
            yield
        finally:
            if state.worker is not None:
                await state.worker.stop()

    routes = [
        Route("/healthz", health),
        Route("/hooks/zyntro", webhook.receive, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        *pages.routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders), *auth.middleware(state)])
    app.state.serve = state
    return app
