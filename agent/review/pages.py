"""The review pages: the queue with filters and decisions on many drafts, and the results of decisions.

    GET  /                   the queue: filters, sorting, paging, counts per status, checkboxes
    POST /decide             approve or reject the ticked drafts (or one, from its page), with a note
    GET  /decide-all         confirm approving or rejecting every draft matching the filters
    POST /decide-all         do it (only drafts that existed when the confirmation was shown)
    GET  /results/{rid}      what became of each draft: profile id, error or why it was skipped

A decision's results are kept in memory for the session that made it (Post/Redirect/Get: reloading
the results page repeats nothing): only what the results page shows, the last few results of each
session and the sessions that decided last (Results); the activity page and `review` on the command
line keep them for good. A draft id is 1 to 18 digits (anything else is a 400, or a 404 in a path),
a page number past the last page is the last page. Draft pages: agent.review.pages_draft; activity and
exports: agent.review.pages_activity.
Sign-in and CSRF are checked before any handler here runs (agent.review.auth).
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.review import auth
from agent.review.html import render
from agent.store_review import DECIDABLE, DraftQuery, draft_counts, origins, query_drafts

if TYPE_CHECKING:
    from agent.review.service import Decision
    from agent.review.state import ServeState

__all__ = ["FILTERS", "Filters", "Results", "Shown", "decide", "number", "page_number", "routes"]

FILTERS = ("status", "origin", "contact", "since", "until", "min_identity", "max_identity", "grounding", "sort")
SORTS = ("newest", "oldest", "contact", "origin", "identity")
STATUSES = (
    "decidable",
    "all",
    "queued_for_review",
    "failed",
    "unknown",
    "approving",
    "posted",
    "unchanged",
    "rejected",
    "suppressed",
    "superseded",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True), and within SQLite's integers
_MAX_PAGE = 1_000_000
_NOTE_MAX = 1000
_MESSAGE_MAX = 2000


def number(text: object) -> int | None:
    """A draft id or a page number as typed: 1 to 18 ASCII digits, else None."""
    text = str(text).strip()
    return int(text) if _NUMBER.fullmatch(text) else None


@dataclass(frozen=True)
class Shown:
    """One row of a results page: what it shows of a Decision, nothing more."""

    draft_id: int
    status: str
    message: str
    profile_id: int | None
    ok: bool


@dataclass
class Results:
    """The results of the last decisions, per session: `per_session` results each, for the
    `sessions` sessions that decided last (memory stays bounded whatever people do)."""

    per_session: int = 20
    sessions: int = 1000
    _kept: OrderedDict[str, OrderedDict[str, dict[str, Any]]] = field(default_factory=OrderedDict)

    def keep(self, sid: str, action: str, decisions: list[Decision], error: str, back: str) -> str:
        rid = secrets.token_urlsafe(12)
        mine = self._kept.pop(sid, None) or OrderedDict()
        mine[rid] = {
            "action": action,
            "error": error,
            "back": back,
            "decisions": [Shown(d.draft_id, d.status, d.message[:_MESSAGE_MAX], d.profile_id, d.ok) for d in decisions],
        }
        while len(mine) > self.per_session:
            mine.popitem(last=False)
        self._kept[sid] = mine  # this session decided last
        while len(self._kept) > self.sessions:
            self._kept.popitem(last=False)
        return rid

    def get(self, sid: str, rid: str) -> dict[str, Any] | None:
        mine = self._kept.get(sid)
        return None if mine is None else mine.get(rid)


@dataclass
class Filters:
    """The queue's filters as typed (to fill the form and build links) and as a DraftQuery."""

    values: dict[str, str]
    query: DraftQuery
    problems: list[str] = field(default_factory=list)

    def link(self, **extra: Any) -> str:
        """The query string of these filters (plus `extra`), without empty values."""
        items = {**{k: v for k, v in self.values.items() if v}, **{k: v for k, v in extra.items() if v}}
        return urlencode(items)


def _score(values: dict[str, str], name: str, problems: list[str]) -> float | None:
    text = values[name]
    if not text:
        return None
    try:
        score = float(text)
    except ValueError:
        score = -1.0
    if not 0.0 <= score <= 1.0:
        problems.append(f"{name.replace('_', ' ')} must be a number from 0 to 1")
        values[name] = ""
        return None
    return score


def parse_filters(params: QueryParams | FormData) -> Filters:
    """Filters from a query string or a form; a value that makes no sense is dropped and named."""
    values = {name: str(params.get(name) or "").strip()[:200] for name in FILTERS}
    problems: list[str] = []
    if values["status"] not in STATUSES:
        values["status"] = "decidable"
    if values["sort"] not in SORTS:
        values["sort"] = "newest"
    for name in ("since", "until"):
        if values[name] and not _DATE.match(values[name]):
            problems.append(f"{name} must be a date like 2026-01-31")
            values[name] = ""
    low, high = _score(values, "min_identity", problems), _score(values, "max_identity", problems)
    if values["grounding"] not in ("", "yes", "no"):
        values["grounding"] = ""
    query = DraftQuery(
        status=values["status"],
        origin=values["origin"] or None,
        contact=values["contact"] or None,
        since=values["since"] or None,
        until=values["until"] or None,
        min_identity=low,
        max_identity=high,
        grounding={"yes": True, "no": False}.get(values["grounding"]),
        sort=values["sort"],
    )
    return Filters(values, query, problems)


def _state(request: Request) -> ServeState:
    return request.app.state.serve


def page_number(request: Request) -> int:
    """The page asked for: 1 when it is not a number, at most _MAX_PAGE (callers clamp to the last page)."""
    return min(max(1, number(request.query_params.get("page", "1")) or 1), _MAX_PAGE)


async def queue(request: Request) -> Response:
    """The queue page."""
    state = _state(request)
    filters = parse_filters(request.query_params)
    size = state.settings.serve.page_size
    page = page_number(request)
    rows, total = query_drafts(state.store, filters.query, limit=size, offset=(page - 1) * size)
    pages = max(1, -(-total // size))
    if page > pages:  # past the end (drafts were decided meanwhile): the last page
        page = pages
        rows, total = query_drafts(state.store, filters.query, limit=size, offset=(page - 1) * size)
    counts = draft_counts(state.store)
    return render(
        request,
        "queue.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        counts=counts,
        decidable=sum(counts.get(s, 0) for s in DECIDABLE),
        origins=origins(state.store),
        statuses=STATUSES,
        sorts=SORTS,
        decidable_statuses=DECIDABLE,
        here=_here(request),
        all_decidable=filters.values["status"] in ("decidable", *DECIDABLE),
    )


def _here(request: Request) -> str:
    """This page's path and query, to come back to after a decision."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _back(form: FormData) -> str:
    return auth.safe_path(str(form.get("back") or "/"))


def _ids(values: list[Any]) -> list[int] | None:
    """The draft ids of a form, each once, in order; None when one is not a draft id."""
    ids: dict[int, None] = {}  # a dict keeps the order and finds a repeat at once
    for value in values:
        draft_id = number(value)
        if draft_id is None:
            return None
        ids[draft_id] = None
    return list(ids)


async def decide(
    request: Request, ids: list[int], action: str, note: str, repost_unknown: bool = False
) -> tuple[list[Decision], str]:
    """Approve (claim, then post) or reject these drafts as the signed-in person: (decisions, error).

    `repost_unknown`: the person checked Zyntro and asks to post again a draft whose earlier post got no answer.
    """
    from agent.errors import ZyntroEnrichError
    from agent.review import service

    state = _state(request)
    who = auth.current(request).who
    if action == "reject":
        return service.reject(state.store, ids, actor=who, note=note), ""
    try:
        return await service.approve(
            state.settings, state.store, ids, actor=who, note=note, repost_unknown=repost_unknown
        ), ""
    except ZyntroEnrichError as exc:  # credentials missing, state unusable: named, nothing half-done is hidden
        return [], f"{exc} (drafts decided before this error are listed on the Activity page)"


def _keep_results(request: Request, action: str, decisions: list[Decision], error: str, back: str) -> str:
    kept: Results | None = getattr(request.app.state, "review_results", None)
    if kept is None:
        kept = request.app.state.review_results = Results()
    return kept.keep(auth.current(request).sid, action, decisions, error, back)


def _action(form: FormData) -> str | None:
    action = str(form.get("action") or "")
    return action if action in ("approve", "reject") else None


async def decide_selected(request: Request) -> Response:
    """POST /decide: the ticked drafts (or the one of a draft page)."""
    form = await request.form()
    action = _action(form)
    back = _back(form)
    if action is None:
        return render(request, "error.html", status=400, title="No action", message="Choose approve or reject.")
    ids = _ids(form.getlist("id"))
    if ids is None:
        return render(
            request,
            "error.html",
            status=400,
            title="Not a draft id",
            message="A draft id is a number (1 to 18 digits): reload the page and tick the drafts again.",
        )
    note = str(form.get("note") or "").strip()[:_NOTE_MAX]
    decisions: list[Decision]
    if not ids:
        decisions, error = [], "Nothing was selected: tick the drafts to decide first."
    else:
        repost = form.get("repost_unknown") == "1"
        decisions, error = await decide(request, ids, action, note, repost_unknown=repost)
    rid = _keep_results(request, action, decisions, error, back)
    return RedirectResponse(f"/results/{rid}", status_code=303)


async def decide_all(request: Request) -> Response:
    """GET: confirm deciding every draft matching the filters; POST: decide them."""
    state = _state(request)
    source = request.query_params if request.method == "GET" else await request.form()
    action = _action(source)  # type: ignore[arg-type]
    filters = parse_filters(source)
    if action is None:
        return render(request, "error.html", status=400, title="No action", message="Choose approve or reject.")
    rows = [r for r in query_drafts(state.store, filters.query)[0] if r["status"] in DECIDABLE]
    if request.method == "GET":
        upto = max((r["draft_id"] for r in rows), default=0)
        return render(
            request, "confirm.html", action=action, filters=filters, total=len(rows), upto=upto, sample=rows[:10]
        )
    upto = number(source.get("upto") or "0") or 0
    ids = [r["draft_id"] for r in rows if r["draft_id"] <= upto]
    note = str(source.get("note") or "").strip()[:_NOTE_MAX]
    back = f"/?{filters.link()}"
    decisions: list[Decision]
    if not ids:
        decisions, error = [], "No draft matches these filters any more."
    else:
        decisions, error = await decide(request, ids, action, note)
    rid = _keep_results(request, action, decisions, error, back)
    return RedirectResponse(f"/results/{rid}", status_code=303)


async def results(request: Request) -> Response:
    """What a decision did, draft by draft."""
    kept: Results = getattr(request.app.state, "review_results", None) or Results()
    entry = kept.get(auth.current(request).sid, request.path_params["rid"])
    if entry is None:
        return render(
            request,
            "error.html",
            status=404,
            title="Results not kept",
            message="These results are no longer kept here (the server restarted, or they belong to "
            "another sign-in). Every decision is on the Activity page.",
        )
    decisions = entry["decisions"]
    done = sum(1 for d in decisions if d.ok)
    return render(
        request,
        "results.html",
        action=entry["action"],
        decisions=decisions,
        error=entry["error"],
        back=entry["back"],
        done=done,
    )


def routes() -> list[Route]:
    """Every page of the review site (sign-in included)."""
    from agent.review import pages_activity, pages_draft

    return [
        *auth.routes(),
        Route("/", queue),
        Route("/decide", decide_selected, methods=["POST"]),
        Route("/decide-all", decide_all, methods=["GET", "POST"]),
        Route("/results/{rid}", results),
        *pages_draft.routes(),
        *pages_activity.routes(),
    ]
