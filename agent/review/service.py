"""What a reviewer can do to drafts, shared by the CLI (`review ...`) and the web pages (`serve`).

- approve: claim the draft (agent.store_review.claim_draft), then post it through the same path as
  `enrich` (agent.posting.post_draft: intent before, answer after, `unknown` never re-sent blindly),
  then record the decision with Zyntro's answer. A draft being approved elsewhere is left alone.
- reject: the draft leaves the queue with the note; nothing is posted.
- edit: a person's values replace the draft's, pass the same best-practice checks as a generated
  payload (agent.condense.rules.check_payload), and are marked as a person's in the provenance. A
  failing edit changes nothing and says which rule it breaks.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.models import ProfileStatus, Provenance, payload_hash
from agent.store_review import (
    DECIDABLE,
    claim_draft,
    edit_draft,
    posted_payload,
    record_decision,
    release_draft,
    renew_claim,
)

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.store import Store
    from agent.store_rows import DraftRow

__all__ = ["Decision", "EditResult", "approve", "diff", "edit", "parse_value", "reject", "shown_value"]

_POSTED = (ProfileStatus.posted.value, ProfileStatus.unchanged.value)
# An `unknown` draft may already be in Zyntro: editing it would post a second, different profile.
EDITABLE = tuple(s for s in DECIDABLE if s != ProfileStatus.unknown.value)


@dataclass
class Decision:
    """What became of one draft: its new status, the profile id, or why nothing happened."""

    draft_id: int
    status: str  # posted, unchanged, failed, unknown, rejected, suppressed, skipped
    message: str = ""
    profile_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in (*_POSTED, "rejected", "suppressed")


@dataclass
class EditResult:
    """An edit: saved (with what it changed), or refused with the rules it breaks."""

    saved: bool
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _suppressed_because(store: Store, row: DraftRow) -> str | None:
    from agent.store_privacy import stored_contact_suppressed

    draft = row["draft"]
    urls = [p.url for p in draft.provenance.values() if p.by == "page"] + [str(draft.payload.get("source_url", ""))]
    return stored_contact_suppressed(store, row["contact_id"], [u for u in urls if u])


async def approve(
    settings: Settings, store: Store, draft_ids: list[int], actor: str, note: str = "", repost_unknown: bool = False
) -> list[Decision]:
    """Post each draft once, in order; a draft that cannot be taken is reported `skipped` with why.

    Zyntro's credentials are checked before anything is claimed (a ConfigError names the variable).
    """
    from agent.pipeline import RunContext
    from agent.posting import post_draft
    from agent.reports import ProfileReport
    from agent.zyntro import ZyntroClient

    client = ZyntroClient(settings.zyntro)
    client.require_post_credentials()
    results: list[Decision] = []
    async with client as zyntro:
        for draft_id in draft_ids:
            claimed = claim_draft(store, draft_id, os.getpid())
            if isinstance(claimed, str):
                results.append(Decision(draft_id, "skipped", claimed))
                continue
            row = claimed
            why = _suppressed_because(store, row)
            if why is not None:  # the do-not-enrich list: a waiting draft is never posted
                release_draft(store, draft_id, "suppressed", note or why)
                record_decision(store, row, actor, "suppressed", note, answer=why)
                results.append(Decision(draft_id, "suppressed", f"the contact is {why}; nothing was posted"))
                continue
            report = ProfileReport(profile_source=row["profile_source"], status=ProfileStatus.queued_for_review)
            ctx = RunContext(
                store=store,
                fetcher=None,
                condenser=None,
                zyntro=zyntro,
                run_id=f"review-{draft_id}",
                repost_unknown=repost_unknown,
                can_read_profiles=settings.zyntro.api_version == "v2",
                reconcile_grace_s=settings.zyntro.reconcile_grace_s,
            )
            renewing = asyncio.create_task(_renew(store, draft_id))
            try:
                await post_draft(ctx, row["draft"], report, input_hash=row["input_hash"])
            except BaseException:
                release_draft(store, draft_id, row["previous_status"], row["note"] or "")  # back as it was
                raise
            finally:
                renewing.cancel()
            status = report.status.value
            if status == ProfileStatus.queued_for_review.value:  # post_draft decided nothing (cannot happen)
                status = ProfileStatus.failed.value
            message = "; ".join(report.warnings)
            release_draft(store, draft_id, status, note)
            record_decision(
                store,
                row,
                actor,
                "approve",
                note,
                status=status,
                profile_id=report.profile_id,
                answer=message or f"profile_id {report.profile_id}",
            )
            results.append(Decision(draft_id, status, message, report.profile_id))
    return results


async def _renew(store: Store, draft_id: int) -> None:
    """Renew the claim on a draft while it is posted, so no one else takes it however long the post takes."""
    from agent.store import HEARTBEAT_S

    while True:
        await asyncio.sleep(HEARTBEAT_S)
        renew_claim(store, draft_id)


def reject(store: Store, draft_ids: list[int], actor: str, note: str = "") -> list[Decision]:
    """Take each waiting draft out of the queue with the note; nothing is posted."""
    results = []
    for draft_id in draft_ids:
        claimed = claim_draft(store, draft_id, os.getpid())  # not while someone approves it
        if isinstance(claimed, str):
            results.append(Decision(draft_id, "skipped", claimed))
            continue
        release_draft(store, draft_id, ProfileStatus.rejected.value, note)
        record_decision(store, claimed, actor, "reject", note)
        results.append(Decision(draft_id, "rejected", "nothing was posted"))
    return results


def shown_value(value: Any) -> str:
    """A payload value as a person edits it: lists one item a line, booleans true/false."""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_value(text: str, like: Any = None) -> Any:
    """A person's text back into a payload value of the same type as `like` (a list: one item a line).

    Text the person left as it was shown gives back `like` itself, untouched (a list item holding a
    line break, a value of an unexpected type), so saving one change never alters the others. A
    number or flag the text cannot be is left as text, for the checks to name.
    """
    text = text.replace("\r\n", "\n").strip()
    if like is not None and text == shown_value(like).replace("\r\n", "\n").strip():
        return like
    if isinstance(like, list):
        return [line.strip() for line in text.split("\n") if line.strip()]
    if isinstance(like, bool):
        return {"true": True, "false": False, "yes": True, "no": False}.get(text.lower(), text)
    if isinstance(like, int):
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def edit(store: Store, row: DraftRow, payload: dict[str, Any], actor: str, note: str = "") -> EditResult:
    """Save a person's payload for a waiting draft when it passes the best-practice checks.

    Type conversions the checks make (a count typed as "1,200") are accepted; anything else the checks
    would repair or refuse (a nested object, a missing summary, special-category text, a generic key,
    a value over the size limit) refuses the edit and is named, so the person decides, not the checker.
    """
    from agent.condense.rules import check_payload

    if row["status"] not in EDITABLE:
        why = (
            "its earlier post got no answer: check Zyntro, then approve it with --repost-unknown or reject it"
            if row["status"] == "unknown"
            else "not waiting for review"
        )
        return EditResult(False, problems=[f"draft {row['draft_id']} is {row['status']}: {why}"])
    draft = row["draft"]
    checked = check_payload(payload)
    problems = list(checked.violations) + [r for r in checked.repairs if not r.startswith("converted ")]
    if problems:
        return EditResult(False, problems=problems)
    new = checked.payload
    changed = [k for k in dict.fromkeys([*draft.payload, *new]) if draft.payload.get(k) != new.get(k)]
    if not changed:
        return EditResult(False, problems=["nothing was changed"])
    provenance = {k: v for k, v in draft.provenance.items() if k in new and k not in changed}
    for key in changed:
        if key in new:
            provenance[key] = Provenance(
                url="",
                evidence=f"edited by {actor}" + (f": {note}" if note else ""),
                by="person",
                editor=actor,
                note=note,
            )
    edited = draft.model_copy(update={"payload": new, "provenance": provenance})
    if not edit_draft(store, row["draft_id"], edited, payload_hash(new), row["payload_hash"], EDITABLE):
        return EditResult(
            False,
            problems=[
                f"draft {row['draft_id']} changed while you edited it (another edit, "
                "or it was approved or rejected): open it again"
            ],
        )
    record_decision(store, row, actor, "edit", note, changed=changed, removed=[k for k in changed if k not in new])
    return EditResult(True, changed=changed)


def diff(store: Store, row: DraftRow) -> dict[str, Any]:
    """This draft against the last profile posted for the same contact and origin.

    {"state": "first" | "unknown" | "compared", "rows": [(key, before, after, change)]} where change is
    added, removed, changed or same; "unknown" when only the posted profile's hash is kept.
    """
    before = posted_payload(store, row["contact_id"], row["profile_source"], own_hash=row["payload_hash"])
    if before is None:
        return {"state": "first", "rows": []}
    if not before:
        return {"state": "unknown", "rows": []}
    after = row["draft"].payload
    rows = []
    for key in dict.fromkeys([*after, *before]):
        if key == "retrieved_at":
            change = "same"
        elif key not in before:
            change = "added"
        elif key not in after:
            change = "removed"
        else:
            change = "same" if before[key] == after[key] else "changed"
        rows.append((key, before.get(key), after.get(key), change))
    return {"state": "compared", "rows": rows}
