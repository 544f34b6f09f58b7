"""A draft's page and its edit form.

GET  /drafts/{id}        payload with provenance, grounding, set-aside pages, checks, identity per
                         page, the diff with the last posted profile, decision history, approve/reject
GET  /drafts/{id}/edit   values as text (lists one item a line), remove, add a key, a note
POST /drafts/{id}/edit   saved through agent.review.service.edit; a refused edit is shown again with
                         the rules it breaks and everything the person typed, nothing saved or posted
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.review import auth
from agent.review.html import render
from agent.store_review import DECIDABLE, decisions

if TYPE_CHECKING:
    from agent.review.state import ServeState
    from agent.store_rows import DraftRow

__all__ = ["EditRow", "draft_page", "edit_page", "routes"]

NEW_ROWS = 3  # empty rows for keys to add
_NOTE_MAX = 1000


@dataclass
class EditRow:
    """One row of the edit form: the key, its value as text, and whether the person removes it."""

    key: str
    text: str
    removed: bool = False
    existing: bool = True


def _state(request: Request) -> ServeState:
    return request.app.state.serve


def _row(request: Request) -> DraftRow | None:
    """The draft of the path, or None (no such draft, or not a draft id: 1 to 18 digits)."""
    from agent.review.pages import number

    draft_id = number(request.path_params["draft_id"])
    return None if draft_id is None else _state(request).store.draft(draft_id)


def _not_found(request: Request) -> Response:
    shown = str(request.path_params["draft_id"])[:40]
    return render(request, "error.html", status=404, title="No such draft", message=f"There is no draft {shown}.")


async def draft_page(request: Request) -> Response:
    """One draft, everything needed to trust or reject it."""
    from agent.review import service

    row = _row(request)
    if row is None:
        return _not_found(request)
    store = _state(request).store
    draft = row["draft"]
    return render(
        request,
        "draft.html",
        row=row,
        draft=draft,
        diff=service.diff(store, row),
        history=decisions(store, row["draft_id"]),
        decidable=row["status"] in DECIDABLE,
        editable=row["status"] in service.EDITABLE,
        edited=request.query_params.get("edited") == "1",
        here=request.url.path,
    )


def _form_rows(payload: dict[str, Any]) -> tuple[list[EditRow], list[EditRow]]:
    from agent.review.service import shown_value

    rows = [EditRow(key, shown_value(value)) for key, value in payload.items()]
    return rows, [EditRow("", "", existing=False) for _ in range(NEW_ROWS)]


def _typed_rows(form: FormData) -> tuple[list[EditRow], list[EditRow]]:
    """The rows as the person sent them (kept when the edit is refused)."""
    rows, i = [], 0
    while f"key{i}" in form:
        rows.append(EditRow(str(form[f"key{i}"]), str(form.get(f"value{i}") or ""), bool(form.get(f"remove{i}"))))
        i += 1
    new = [
        EditRow(str(form.get(f"new_key{j}") or "").strip(), str(form.get(f"new_value{j}") or ""), existing=False)
        for j in range(NEW_ROWS)
    ]
    return rows, new


def edited_payload(old: dict[str, Any], rows: list[EditRow], new: list[EditRow]) -> tuple[dict[str, Any], list[str]]:
    """The payload the person asks for, and problems with the form itself (a value without a key, ...)."""
    from agent.review.service import parse_value

    payload: dict[str, Any] = {}
    problems: list[str] = []
    for row in rows:
        if not row.removed:
            payload[row.key] = parse_value(row.text, like=old.get(row.key))
    for row in new:
        if not row.key and not row.text.strip():
            continue
        if not row.key:
            problems.append("a new value needs a key: type its name (snake_case, e.g. key_products)")
        elif row.key in payload or any(r.key == row.key for r in rows):
            problems.append(f"the key {row.key} is there already: change its value above instead")
        else:  # several lines make a list of strings; the checks convert counts and flags
            text = row.text.replace("\r\n", "\n").strip()
            payload[row.key] = parse_value(text, like=[] if "\n" in text else None)
    return payload, problems


async def edit_page(request: Request) -> Response:
    """GET: the edit form; POST: save the edit, or show the form again with its problems."""
    from agent.review import service

    row = _row(request)
    if row is None:
        return _not_found(request)
    payload = row["draft"].payload
    if request.method == "GET":
        rows, new = _form_rows(payload)
        return _edit_form(request, row, rows, new, note="", problems=[])
    form = await request.form()
    rows, new = _typed_rows(form)
    note = str(form.get("note") or "").strip()[:_NOTE_MAX]
    wanted, problems = edited_payload(payload, rows, new)
    if not problems:
        result = service.edit(_state(request).store, row, wanted, actor=auth.current(request).who, note=note)
        if result.saved:
            return RedirectResponse(f"/drafts/{row['draft_id']}?edited=1", status_code=303)
        problems = result.problems
    return _edit_form(request, row, rows, new, note=note, problems=problems, status=422)


def _edit_form(
    request: Request,
    row: DraftRow,
    rows: list[EditRow],
    new: list[EditRow],
    *,
    note: str,
    problems: list[str],
    status: int = 200,
) -> Response:
    from agent.review.service import EDITABLE

    return render(
        request,
        "edit.html",
        status=status,
        row=row,
        rows=rows,
        new=new,
        note=note,
        problems=problems,
        editable=row["status"] in EDITABLE,
    )


def routes() -> list[Route]:
    """The draft page and its edit form."""
    # The id is checked by _row (1 to 18 digits): Starlette's int converter takes any number of digits,
    # and one past SQLite's integers made a 500.
    return [
        Route("/drafts/{draft_id}", draft_page),
        Route("/drafts/{draft_id}/edit", edit_page, methods=["GET", "POST"]),
    ]
