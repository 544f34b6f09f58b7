"""What `zyntro-enrich review` prints: the queue table, one draft in full, decision lines, the activity log.

Tables fit 80 columns (long text ends with an ellipsis; `review show` has it in full). rich is imported
inside the functions that draw, so registering the command stays cheap.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from agent.review.service import Decision
    from agent.store import Store
    from agent.store_rows import ActivityItem, DecisionRow, DraftRow

__all__ = ["ACTIVITY_FIELDS", "activity", "console", "decision_line", "draft_list", "safe_cell", "show"]

ACTIVITY_FIELDS = [
    "at",
    "kind",
    "action",
    "actor",
    "draft_id",
    "contact_id",
    "profile_source",
    "profile_id",
    "note",
    "answer",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); tab and CR too (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHORT_STATUS = {"queued_for_review": "queued"}


def console(soft_wrap: bool = False) -> Console:
    """A console as wide as the terminal, or 80 columns when output goes to a file or a pipe."""
    from rich.console import Console

    probe = Console()
    return Console(highlight=False, soft_wrap=soft_wrap, width=None if probe.is_terminal else 80)


def _clip(value: Any, width: int) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(out: Console, title: str, header: list[str], lines: list[list[str]], right: set[int]) -> None:
    """Columns sized to their content; the last one gets what is left of the width and ends with an ellipsis.

    Cells are plain text (a summary holding [brackets] is not rich markup).
    """
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    widths = [max([cell_len(h), *(cell_len(line[i]) for line in lines)]) for i, h in enumerate(header[:-1])]
    rest = max(12, out.width - sum(widths) - 3 * len(widths))  # padding and a rule between columns
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title_justify="left")
    for i, name in enumerate(header):
        table.add_column(
            name,
            justify="right" if i in right else "left",
            no_wrap=True,
            width=widths[i] if i < len(widths) else rest,
            overflow="ellipsis",
        )
    for line in lines:
        table.add_row(*(Text(" ".join(cell.split())) for cell in line))
    out.print(table)


def _row_json(r: DraftRow) -> dict[str, Any]:
    draft = r["draft"]
    return {
        "draft_id": r["draft_id"],
        "status": r["status"],
        "contact_id": r["contact_id"],
        "contact_name": r.get("contact_name"),
        "profile_source": r["profile_source"],
        "created_at": r["created_at"],
        "identity_score": r.get("identity_score"),
        "grounding_dropped": len(draft.grounding),
        "keys": len(draft.payload),
        "summary": draft.payload.get("summary"),
    }


def draft_list(rows: list[DraftRow], total: int, as_json: bool, filtered: bool) -> None:
    """The drafts as JSON (a list), or as a table with one line each."""
    if as_json:
        print(json.dumps([_row_json(r) for r in rows], indent=2, ensure_ascii=False))
        if len(rows) < total:
            print(f"showing {len(rows)} of {total} drafts (raise --limit for more)", file=sys.stderr)
        return
    if not rows:
        print(
            "no draft matches these filters (try --status all)"
            if filtered
            else "no profile is waiting for review (enrich --review queues them)"
        )
        return
    out = console()
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    lines = []
    for r in rows:
        draft, score = r["draft"], r.get("identity_score")
        flag = "! " if draft.grounding else ""  # grounding dropped something: look before approving
        lines.append(
            [
                str(r["draft_id"]),
                _clip(_SHORT_STATUS.get(r["status"], r["status"]), 10),
                _clip(r.get("contact_name") or r["contact_id"][:8], 16),
                _clip(r["profile_source"], 15),
                "" if score is None else f"{score:.2f}",
                flag + str(draft.payload.get("summary", "")),
            ]
        )
    header = ["id", "status", "contact", "origin", "match", "summary"]
    _table(out, f"{shown} draft{'s' * (total != 1)}", header, lines, right={0, 4})
    notes = []
    if len(rows) < total:
        notes.append(f"{total - len(rows)} more: raise --limit")
    if any(r["draft"].grounding for r in rows):
        notes.append("! grounding dropped something (see `review show ID`)")
    for note in notes:
        out.print(note, markup=False)


def _diff_json(diff: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": diff["state"],
        "rows": [{"key": k, "before": b, "after": a, "change": c} for k, b, a, c in diff["rows"]],
    }


def show(store: Store, row: DraftRow, as_json: bool) -> None:
    """One draft in full: payload, provenance, identity per page, set-aside pages, diff, decision history."""
    from agent.review import service
    from agent.store_review import decisions

    draft, history = row["draft"], decisions(store, row["draft_id"])
    # Only a waiting draft has something to compare with: a posted one is itself the last posted profile.
    diff = service.diff(store, row)
    if as_json:
        print(
            json.dumps(
                {
                    "draft_id": row["draft_id"],
                    "status": row["status"],
                    "note": row["note"],
                    "contact_name": row.get("contact_name"),
                    "created_at": row["created_at"],
                    **draft.model_dump(mode="json"),
                    "decisions": history,
                    "diff": _diff_json(diff) if diff else None,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return
    out = console(soft_wrap=True)
    name = f"{row['contact_name']} ({row['contact_id']})" if row.get("contact_name") else row["contact_id"]
    out.print(
        f"draft {row['draft_id']} ({row['status']}): {name}, {row['profile_source']}, "
        f"queued {row['created_at'][:16].replace('T', ' ')}",
        markup=False,
    )
    if row["note"]:
        out.print(f"note: {row['note']}", markup=False)
    out.print_json(json.dumps(draft.payload, ensure_ascii=False))
    _section(out, "provenance", [f"{key}: {_by(prov)}" for key, prov in draft.provenance.items()])
    _section(out, "grounding dropped", draft.grounding)
    _section(
        out,
        "identity",
        [f"{ident.score:.2f} {_verdict(ident.matched)} {url}: {ident.reason}" for url, ident in draft.identity.items()],
    )
    _section(out, "set aside", draft.set_aside)
    _section(out, "against the last posted profile", _diff_lines(diff) if diff else [])
    _section(out, "history", [_history_line(d) for d in history] or ["no decision yet"])


def _section(out: Console, title: str, lines: list[str]) -> None:
    if not lines:
        return
    out.print(f"{title}:", markup=False)
    for line in lines:
        out.print(f"  {_clip(line, 300)}", markup=False)


def _by(prov: Any) -> str:
    if prov.by == "person":
        return f"edited by {prov.editor}" + (f" ({prov.note})" if prov.note else "")
    return f"{prov.url} — {_clip(prov.evidence, 90)}"


def _verdict(matched: bool | None) -> str:
    return {True: "match", False: "MISMATCH", None: "no hints"}[matched]


def _diff_lines(diff: dict[str, Any]) -> list[str]:
    if diff["state"] == "first":
        return ["nothing posted yet for this contact and origin: all of it is new"]
    if diff["state"] == "unknown":
        return ["a profile was posted, but this state keeps only its hash: the content cannot be compared"]
    lines, same = [], 0
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for key, before, after, change in diff["rows"]:
        if change == "same":
            same += 1
        elif change == "changed":
            lines.append(f"~ {key}: {_clip(_flat(before), 60)} -> {_clip(_flat(after), 60)}")
        else:
            lines.append(f"{marks[change]} {key}: {_clip(_flat(after if change == 'added' else before), 100)}")
    lines.append(f"{same} key{'s' * (same != 1)} the same" if lines else "the same as the last posted profile")
    return lines


def _flat(value: Any) -> str:
    return (
        ", ".join(map(str, value))
        if isinstance(value, list)
        else json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool)
        else str(value)
    )


def _history_line(d: DecisionRow) -> str:
    detail = d["detail"]
    what = d["action"]
    if detail.get("status"):
        what += f" -> {detail['status']}"
    if detail.get("profile_id"):
        what += f", profile_id {detail['profile_id']}"
    if detail.get("changed"):
        what += f": {', '.join(detail['changed'])}"
    if detail.get("answer") and not detail.get("profile_id"):
        what += f" ({detail['answer']})"
    return f"{d['at'][:16].replace('T', ' ')} {d['actor']}: {what}" + (f" — {d['note']}" if d["note"] else "")


def decision_line(d: Decision, repost_hint: bool = True) -> tuple[str, bool]:
    """One line about what became of a draft, and whether it belongs on stdout (done) or stderr (look at it)."""
    n = d.draft_id
    if d.status in ("posted", "unchanged"):
        extra = f" ({d.message})" if d.message else ""
        return f"draft {n} {d.status}: profile_id {d.profile_id}{extra}", True
    if d.status in ("rejected", "suppressed"):
        return f"draft {n} {d.status}: {d.message}", True
    if d.status == "skipped":
        return f"draft {n} skipped: {d.message}", False
    if d.status == "unknown":
        return (
            f"draft {n} unknown: {d.message}; check the contact in Zyntro, then `zyntro-enrich review approve {n} "
            f"--repost-unknown` if the profile is missing, or `review reject {n}`"
        ), False
    hint = f"; fix the cause, then `zyntro-enrich review approve {n}` again" if repost_hint else ""
    return f"draft {n} {d.status}: {d.message or 'no answer recorded'}{hint}", False


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a leading ' when it would start a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def activity(items: list[ActivityItem], fmt: str) -> None:
    """Decisions and posts, newest first, as a table, CSV (safe for spreadsheets) or JSON lines."""
    if fmt == "jsonl":
        for item in items:
            print(json.dumps({k: item.get(k) for k in ACTIVITY_FIELDS}, ensure_ascii=False))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(ACTIVITY_FIELDS)
        for item in items:
            writer.writerow([safe_cell(item.get(k)) for k in ACTIVITY_FIELDS])
        return
    if not items:
        print("no activity yet: decisions (`review approve/reject/edit`) and posts show here")
        return
    lines = []
    for item in items:
        answer = f"profile_id {item['profile_id']}" if item.get("profile_id") else item.get("answer") or ""
        what = f"{item['action']} #{item['draft_id']}" if item["kind"] == "decision" else item["action"]
        lines.append(
            [
                item["at"][5:16].replace("T", " "),
                _clip(what, 16),
                _clip(item["actor"], 14),
                _clip(item["profile_source"], 12),
                "; ".join(x for x in (answer, item.get("note") or "") if x),
            ]
        )
    header = ["at (UTC)", "what", "who", "origin", "answer / note"]
    _table(
        console(),
        f"{len(items)} most recent, newest first (posts are by the run that sent them)",
        header,
        lines,
        right=set(),
    )
