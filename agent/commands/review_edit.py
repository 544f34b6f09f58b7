"""`zyntro-enrich review edit ID`: change a waiting draft's payload in the user's editor, or from a file.

The payload goes to a private temporary file as pretty JSON, $VISUAL or $EDITOR (default vi; the value
may hold arguments, e.g. "code --wait") opens it, and what comes back passes the same checks as a
generated payload (agent.review.service.edit). A refused edit saves nothing and keeps the text in that
file, whose path is printed with the command that takes it up again, so no work is lost.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.store import Store
    from agent.store_rows import DraftRow

__all__ = ["edit"]


def edit(store: Store, row: DraftRow, actor: str, note: str, file: str | None) -> int:
    """Edit one draft: 0 saved or nothing changed, 2 refused (the problems printed, nothing saved)."""
    from agent.commands.post import read_payload
    from agent.review import service

    if row["status"] not in service.EDITABLE:  # say so before anyone spends time in the editor
        (why,) = service.edit(store, row, row["draft"].payload, actor).problems
        raise UsageError(f"{why}; only drafts waiting for review can be edited (see `zyntro-enrich review list`)")
    if file is not None:
        return _save(store, row, read_payload(file), actor, note, kept=None, retry=file)
    path = _temp_file(row)
    retry = str(path)
    code = _run_editor(path)
    if code != 0:
        return _refused(row, [f"the editor exited with status {code}"], path, retry)
    try:
        payload = read_payload(str(path))
    except UsageError as exc:
        return _refused(row, [str(exc)], path, retry)
    return _save(store, row, payload, actor, note, kept=path, retry=retry)


def _temp_file(row: DraftRow) -> Path:
    """The draft's payload as pretty JSON in a file only this user can read."""
    fd, name = tempfile.mkstemp(prefix=f"zyntro-draft-{row['draft_id']}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(row["draft"].payload, indent=2, ensure_ascii=False) + "\n")
    return Path(name)


def _editor() -> list[str]:
    command = os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip() or "vi"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(
            f"cannot read the editor command {command!r} ({exc}): set VISUAL or EDITOR to a command "
            "such as nano or 'code --wait', or use --file PAYLOAD.json"
        ) from None
    return argv


def _run_editor(path: Path) -> int:
    argv = _editor()
    try:
        return subprocess.run([*argv, str(path)], check=False).returncode
    except OSError as exc:
        path.unlink(missing_ok=True)  # it holds only the draft as stored: nothing of the user's is lost
        raise UsageError(
            f"cannot start the editor {argv[0]!r} ({exc.strerror}): set VISUAL or EDITOR to an "
            "installed editor, e.g. EDITOR=nano, or use --file PAYLOAD.json"
        ) from None


def _save(
    store: Store, row: DraftRow, payload: dict[str, Any], actor: str, note: str, kept: Path | None, retry: str
) -> int:
    from agent.review import service

    fresh = store.draft(row["draft_id"])  # the editor may have been open a long time
    if fresh is None or fresh["payload_hash"] != row["payload_hash"] or fresh["status"] != row["status"]:
        now = "gone" if fresh is None else f"{fresh['status']}, payload {fresh['payload_hash'][:12]}"
        return _refused(
            row,
            [
                f"draft {row['draft_id']} changed while you edited it (now {now}): look at "
                f"`zyntro-enrich review show {row['draft_id']}` first"
            ],
            kept,
            retry,
        )
    if payload == fresh["draft"].payload:
        return _unchanged(row, kept)
    result = service.edit(store, fresh, payload, actor, note)
    if result.saved:
        if kept is not None:
            kept.unlink(missing_ok=True)
        removed = [k for k in result.changed if k not in payload]
        changed = [k for k in result.changed if k not in removed]
        parts = ([f"changed {', '.join(changed)}"] if changed else []) + (
            [f"removed {', '.join(removed)}"] if removed else []
        )
        print(f"draft {row['draft_id']} saved: {'; '.join(parts)} (marked as edited by {actor})")
        return 0
    if result.problems == ["nothing was changed"]:  # different text, same payload once the checks converted it
        return _unchanged(row, kept)
    return _refused(row, result.problems, kept, retry)


def _unchanged(row: DraftRow, kept: Path | None) -> int:
    if kept is not None:
        kept.unlink(missing_ok=True)
    print(f"draft {row['draft_id']}: nothing changed")
    return 0


def _refused(row: DraftRow, problems: list[str], kept: Path | None, retry: str) -> int:
    print(f"draft {row['draft_id']} not saved:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    where = f"your edit is kept in {kept}: fix it" if kept is not None else f"fix {retry}"
    print(f"{where}, then `zyntro-enrich review edit {row['draft_id']} --file {shlex.quote(retry)}`", file=sys.stderr)
    return 2
