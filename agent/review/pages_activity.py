"""The activity page and its exports.

GET /activity            decisions (who, when, what, note) and posts with Zyntro's answer, newest
                         first, paged (one page is read from the state, not every row); and the
                         webhook's events (read only)
GET /activity.csv        everything, as CSV (cells that a spreadsheet would run as a formula are
                         prefixed with ')
GET /activity.jsonl      everything, one JSON object a line
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.review.html import render
from agent.store_events import events
from agent.store_review import activity

if TYPE_CHECKING:
    from agent.store import Store

__all__ = ["COLUMNS", "activity_csv", "activity_jsonl", "activity_page", "activity_slice", "routes", "spreadsheet_safe"]

COLUMNS = ("at", "kind", "action", "actor", "draft_id", "contact_id", "profile_source", "note", "profile_id", "answer")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVENTS_SHOWN = 20


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# The activity of agent.store_review.activity, in its order (newest first; at one instant a decision
# before a post, then the later row first), one page at a time.
_ACTIVITY = """
    SELECT at, 'decision' AS kind, action, actor, draft_id, contact_id, profile_source, note, detail,
           NULL AS profile_id, NULL AS answer, 1 AS k, decision_id AS n FROM decisions
    UNION ALL
    SELECT updated_at, 'post', state, 'run ' || run_id, NULL, contact_id, profile_source, '', NULL,
           profile_id, message, 0, posting_id FROM postings
"""


def activity_slice(store: Store, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the activity (the rows of agent.store_review.activity from `offset`), and how many there are."""
    total = store._rows("SELECT (SELECT COUNT(*) FROM decisions) + (SELECT COUNT(*) FROM postings) AS n")[0]["n"]
    rows = store._rows(f"{_ACTIVITY} ORDER BY at DESC, k DESC, n DESC LIMIT ? OFFSET ?", (limit, offset))
    items = []
    for r in rows:
        item = {c: r[c] for c in COLUMNS if c not in ("profile_id", "answer")}
        if r["kind"] == "decision":
            detail = json.loads(r["detail"] or "{}")
            item |= {"profile_id": detail.get("profile_id"), "answer": detail.get("answer", "")}
        else:
            item |= {"profile_id": r["profile_id"], "answer": r["answer"]}
        items.append(item)
    return items, total


async def activity_page(request: Request) -> Response:
    """The activity page, paged by settings.serve.page_size."""
    from agent.review.pages import page_number

    state = request.app.state.serve
    size = state.settings.serve.page_size
    page = page_number(request)
    items, total = activity_slice(state.store, size, (page - 1) * size)
    pages = max(1, -(-total // size))
    if page > pages:  # past the end: the last page
        page = pages
        items, total = activity_slice(state.store, size, (page - 1) * size)
    return render(
        request,
        "activity.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        events=events(state.store, limit=EVENTS_SHOWN),
        webhook_on=state.settings.serve.webhook_secret is not None,
    )


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


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
    lines = [
        json.dumps({c: item.get(c) for c in COLUMNS}, ensure_ascii=False, default=str)
        for item in activity(request.app.state.serve.store)
    ]
    return _download(
        "".join(line + "\n" for line in lines), "application/x-ndjson; charset=utf-8", "zyntro-enrich-activity.jsonl"
    )


def routes() -> list[Route]:
    """The activity page and its two exports."""
    return [
        Route("/activity", activity_page),
        Route("/activity.csv", activity_csv),
        Route("/activity.jsonl", activity_jsonl),
    ]
