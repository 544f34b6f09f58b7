"""`zyntro-enrich review`: profiles queued by `enrich --review`, for a person to approve or reject.

    review list            drafts waiting for a decision
    review show ID         one draft: payload, provenance, what grounding dropped
    review approve ID      post it to Zyntro (skipped if the same payload is already there)
    review reject ID [--note TEXT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from agent.config import Settings
from agent.errors import UsageError
from agent.models import ProfileStatus, payload_hash

if TYPE_CHECKING:
    from agent.reports import ProfileReport
    from agent.store import Store

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register"]

QUEUED = ProfileStatus.queued_for_review.value
# A draft whose approval did not go through (rejected by Zyntro, unreachable, answer lost) can be approved again.
DECIDABLE = {QUEUED, ProfileStatus.failed.value, ProfileStatus.unknown.value}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="approve or reject profiles queued by enrich --review", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["list", "show", "approve", "reject"])
    p.add_argument("draft_id", nargs="?", type=int, help="the draft's number (from review list)")
    p.add_argument("--note", default="", help="why (kept with the decision)")
    p.add_argument("--repost-unknown", action="store_true",
                   help="approve: post even though an earlier post of this profile got no answer (check Zyntro first)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _queued(store: Store, draft_id: int | None, action: str) -> dict:
    if draft_id is None:
        raise UsageError(f"give the draft's number, e.g. `zyntro-enrich review {action} 3` (see `review list`)")
    row = store.draft(draft_id) if 0 < draft_id < 2**63 else None  # SQLite ids are positive 64-bit integers
    if row is None:
        raise UsageError(f"there is no draft {draft_id}: see `zyntro-enrich review list`")
    return row


def _list(store: Store, as_json: bool) -> int:
    rows = sorted((r for status in DECIDABLE for r in store.drafts(status)), key=lambda r: r["draft_id"])
    if as_json:
        print(json.dumps([{"draft_id": r["draft_id"], "status": r["status"], "contact_id": r["contact_id"],
                           "profile_source": r["profile_source"], "created_at": r["created_at"],
                           "summary": r["draft"].payload.get("summary")} for r in rows], indent=2))
        return 0
    if not rows:
        print("no profile is waiting for review (enrich --review queues them)")
        return 0
    from rich.table import Table

    from agent.render import wide_console

    table = Table(title=f"{len(rows)} profile{'s' * (len(rows) != 1)} waiting for review")
    for column in ("id", "status", "contact", "origin", "keys", "summary"):
        table.add_column(column, overflow="fold", ratio=3 if column == "summary" else None)
    for r in rows:
        payload = r["draft"].payload
        table.add_row(str(r["draft_id"]), r["status"], r["contact_name"] or r["contact_id"], r["profile_source"],
                      str(len(payload)), str(payload.get("summary", "")))
    wide_console().print(table)
    return 0


def _show(row: dict, as_json: bool) -> int:
    draft = row["draft"]
    if as_json:
        print(json.dumps({"draft_id": row["draft_id"], "status": row["status"], "note": row["note"],
                          **draft.model_dump(mode="json")}, indent=2, ensure_ascii=False))
        return 0
    from agent.render import wide_console

    out = wide_console()
    out.print(f"draft {row['draft_id']} ({row['status']}): contact {row['contact_id']}, {row['profile_source']}")
    if row["note"]:
        out.print(f"note: {row['note']}", markup=False)
    out.print_json(json.dumps(draft.payload, ensure_ascii=False))
    for key, prov in draft.provenance.items():
        out.print(f"  {key}: {prov.url} — {prov.evidence[:90]}", markup=False)
    for item in draft.grounding:
        out.print(f"  grounding: {item}", markup=False)
    return 0


async def _approve(row: dict, settings: Settings, store: Store, repost_unknown: bool) -> ProfileReport:
    from agent.pipeline import RunContext
    from agent.posting import post_draft
    from agent.reports import ProfileReport
    from agent.zyntro import ZyntroClient

    draft = row["draft"]
    report = ProfileReport(profile_source=draft.profile_source, status=ProfileStatus.queued_for_review)
    async with ZyntroClient(settings.zyntro) as zyntro:
        ctx = RunContext(store=store, fetcher=None, condenser=None, zyntro=zyntro, run_id=f"review-{row['draft_id']}",
                         repost_unknown=repost_unknown, can_read_profiles=settings.zyntro.api_version == "v2",
                         reconcile_grace_s=settings.zyntro.reconcile_grace_s)
        await post_draft(ctx, draft, report, input_hash=row["input_hash"])
    return report


def _suppressed(store: Store, row: dict, note: str) -> bool:
    """A draft of a contact now on the do-not-enrich list is never posted: it leaves the queue as suppressed."""
    from agent.store_privacy import stored_contact_suppressed

    draft = row["draft"]
    urls = [p.url for p in draft.provenance.values()] + [str(draft.payload.get("source_url", ""))]
    why = stored_contact_suppressed(store, row["contact_id"], [u for u in urls if u])
    if why is None:
        return False
    store.set_draft_status(row["draft_id"], "suppressed", note or why)
    print(f"draft {row['draft_id']} suppressed: the contact is {why}; nothing was posted")
    return True


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store

    with Store.for_settings(settings) as store:
        if args.action == "list":
            return _list(store, args.json)
        row = _queued(store, args.draft_id, args.action)
        if args.action == "show":
            return _show(row, args.json)
        if row["status"] not in DECIDABLE:
            raise UsageError(f"draft {row['draft_id']} is {row['status']}, not waiting for review "
                             "(see `zyntro-enrich review list`)")
        if args.action == "reject":
            store.set_draft_status(row["draft_id"], ProfileStatus.rejected.value, args.note)
            print(f"draft {row['draft_id']} rejected; nothing was posted")
            return 0
        if _suppressed(store, row, args.note):
            return 0
        from agent.commands.preflight import check_zyntro

        check_zyntro(settings)  # a wrong credential leaves the draft waiting, not failed
        report = asyncio.run(_approve(row, settings, store, args.repost_unknown))
        store.set_draft_status(row["draft_id"], report.status.value, args.note)
        if report.status in (ProfileStatus.posted, ProfileStatus.unchanged):
            print(f"draft {row['draft_id']} {report.status.value}: profile_id {report.profile_id} "
                  f"(payload {payload_hash(row['draft'].payload)[:12]})")
            return 0
        print(f"draft {row['draft_id']} {report.status.value}: " + "; ".join(report.warnings)
              + f"; fix the cause, then `zyntro-enrich review approve {row['draft_id']}` again", file=sys.stderr)
        return 1
