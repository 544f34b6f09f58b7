"""The activity page and its exports.

    GET /activity            decisions (who, when, what, note) and posts with Zyntro's answer, newest
                             first, paged; and the webhook's events (read only)
    GET /activity.csv        everything, as CSV (cells that a spreadsheet would run as a formula are
                             prefixed with ')
    GET /activity.jsonl      everything, one JSON object a line
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.review.html import render
from agent.store_review import activity, events

__all__ = ["COLUMNS", "activity_csv", "activity_jsonl", "activity_page", "routes", "spreadsheet_safe"]

COLUMNS = ("at", "kind", "action", "actor", "draft_id", "contact_id", "profile_source", "note", "profile_id", "answer")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVENTS_SHOWN = 20


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


async def activity_page(request: Request) -> Response:
    """The activity page, paged by settings.serve.page_size."""
    state = request.app.state.serve
    size = state.settings.serve.page_size
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    items = activity(state.store)
    pages = max(1, -(-len(items) // size))
    return render(request, "activity.html", items=items[(page - 1) * size: page * size], total=len(items), page=page,
                  pages=pages, events=events(state.store, limit=EVENTS_SHOWN),
                  webhook_on=state.settings.serve.webhook_secret is not None)


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


async def activity_csv(request: Request) -> Response:
    """Every decision and post, as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in activity(request.app.state.serve.store):
        writer.writerow([spreadsheet_safe(item.get(c)) for c in COLUMNS])
    return _download(out.getvalue(), "text/csv; charset=utf-8", "zyntro-enrich-activity.csv")


async def activity_jsonl(request: Request) -> Response:
    """Every decision and post, one JSON object a line."""
    lines = [json.dumps({c: item.get(c) for c in COLUMNS}, ensure_ascii=False, default=str)
             for item in activity(request.app.state.serve.store)]
    return _download("".join(line + "\n" for line in lines), "application/x-ndjson; charset=utf-8",
                     "zyntro-enrich-activity.jsonl")


def routes() -> list[Route]:
    """The activity page and its two exports."""
    return [Route("/activity", activity_page), Route("/activity.csv", activity_csv),
            Route("/activity.jsonl", activity_jsonl)]
