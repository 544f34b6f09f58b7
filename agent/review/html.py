"""Rendering the review pages: one Jinja2 environment, autoescaped, strict about undefined names.

Scraped text reaches the templates as data and is always escaped; no template marks data `|safe`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

__all__ = ["render", "templates"]

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_ENV)


def _shown(value: Any) -> str:
    from agent.review.service import shown_value

    return shown_value(value)


_ENV.filters["shown"] = _shown
_ENV.filters["weblink"] = lambda url: isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from templates/<name>, with the signed-in person (if any) and their CSRF token."""
    session = request.scope.get("ze.session")
    context.setdefault("who", session.who if session else "")
    context.setdefault("csrf", session.csrf if session else "")
    return templates.TemplateResponse(request, name, context, status_code=status)
