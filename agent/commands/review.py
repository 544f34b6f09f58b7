"""`zyntro-enrich review`: profiles queued by `enrich --review`, for a person to approve, edit or reject.

    review list [FILTERS] [--limit N] [--json]      drafts waiting for a decision
    review show ID [--json]                         payload, provenance, identity per page, set-aside pages,
                                                    the diff with the last posted profile, decision history
    review approve ID... | --all [FILTERS]          post each to Zyntro once (skipped if Zyntro holds it)
    review reject ID... | --all [FILTERS]           take them out of the queue; nothing is posted
    review edit ID [--file PAYLOAD.json]            change the payload in $VISUAL/$EDITOR, checked before saving
    review activity [--format table|csv|jsonl]      decisions and posts with Zyntro's answers, newest first

FILTERS: --status, --origin, --contact, --since/--until, --min-identity/--max-identity, --grounding or
--no-grounding, --sort. `approve --all` and `reject --all` without a filter need --yes.
--note TEXT and --by NAME (default $USER) are kept with each decision.

Exit 0 done, 1 a post failed or its answer is unknown, 2 usage errors (then nothing was done).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from agent.config import Settings
from agent.errors import UsageError
from agent.models import ProfileStatus

if TYPE_CHECKING:
    from agent.store import Store
    from agent.store_review import DraftQuery
    from agent.store_rows import DraftRow

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register"]

# Kept equal to agent.store_review.DECIDABLE (not imported here: registering the command stays cheap).
DECIDABLE = (ProfileStatus.queued_for_review.value, ProfileStatus.failed.value, ProfileStatus.unknown.value)
STATUSES = sorted({*(s.value for s in ProfileStatus), "superseded", "suppressed", "approving"})
SORTS = ["newest", "oldest", "contact", "origin", "identity"]
_FILTERS = ("status", "origin", "contact", "since", "until", "min_identity", "max_identity", "grounding")
_MAX_NOTE = 2000
_MAX_ID = 2**63  # SQLite ids are positive 64-bit integers


# argument types: a bad value is an argparse error (exit 2) that says what to give instead ---------------


def _status(text: str) -> str:
    value = {"queued": "queued_for_review", "waiting": "decidable"}.get(text.strip().lower(), text.strip().lower())
    if value not in (*STATUSES, "decidable", "all"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a status: use one of decidable (the default: "
            f"{', '.join(DECIDABLE)}), all, {', '.join(STATUSES)}"
        )
    return value


def _day(text: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-30") from None


def _unit(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an identity score: give a number from 0 (no match) to 1 (certain), e.g. 0.8"
        )
    return value


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number: e.g. --limit 20")
    return int(text)


# the parsers ---------------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="approve, edit or reject profiles queued by enrich --review",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = _action(actions, "list", "drafts waiting for a decision (filters narrow them)")
    _filters(lst)
    lst.add_argument("--limit", type=_count, metavar="N", help="show at most N drafts")
    show = _action(actions, "show", "one draft in full, with its diff and history")
    show.add_argument("draft_id", nargs="?", type=int, metavar="ID", help="the draft's number (from review list)")
    for name, text in (("approve", "post drafts to Zyntro"), ("reject", "take drafts out of the queue")):
        a = _action(actions, name, text)
        a.add_argument("draft_ids", nargs="*", type=int, metavar="ID", help="the drafts' numbers (from review list)")
        a.add_argument("--all", action="store_true", help="every draft the filters match (default: all waiting)")
        a.add_argument("--yes", action="store_true", help="go ahead with --all even without a filter")
        _filters(a)
        _decision_options(a)
    _find(actions, "approve").add_argument(
        "--repost-unknown",
        action="store_true",
        help="post even though an earlier post of this profile got no answer (check Zyntro first)",
    )
    edit = _action(actions, "edit", "change a waiting draft's payload in your editor (or from --file)", json=False)
    edit.add_argument("draft_id", nargs="?", type=int, metavar="ID", help="the draft's number (from review list)")
    edit.add_argument("--file", metavar="PAYLOAD.json", help="take the new payload from this file (no editor)")
    _decision_options(edit)
    log = _action(actions, "activity", "decisions and posts with Zyntro's answers", json=False)
    log.add_argument(
        "--format",
        choices=["table", "csv", "jsonl"],
        default="table",
        help="table (default), csv (safe to open in a spreadsheet) or jsonl",
    )
    log.add_argument("--limit", type=_count, metavar="N", help="the N most recent (default all)")
    p.set_defaults(func=run)


def _action(actions: argparse._SubParsersAction, name: str, text: str, json: bool = True) -> argparse.ArgumentParser:
    a = actions.add_parser(name, help=text, description=text)
    if json:
        a.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    a.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=argparse.SUPPRESS,
        help="log records as timestamped text or one JSON object a line",
    )
    return a


def _find(actions: argparse._SubParsersAction, name: str) -> argparse.ArgumentParser:
    return actions.choices[name]


def _filters(a: argparse.ArgumentParser) -> None:
    g = a.add_argument_group("filters")
    g.add_argument(
        "--status",
        type=_status,
        help="decidable (default: queued_for_review, failed, unknown), all, or one status such as rejected or posted",
    )
    g.add_argument("--origin", help='profile_source, e.g. "GitHub" (any case)')
    g.add_argument("--contact", help="contact id, or part of the contact's name")
    g.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="queued on or after this day (UTC)")
    g.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="queued on or before this day (UTC)")
    g.add_argument("--min-identity", type=_unit, metavar="0-1", help="lowest page identity score at least this")
    g.add_argument("--max-identity", type=_unit, metavar="0-1", help="lowest page identity score at most this")
    ground = g.add_mutually_exclusive_group()
    ground.add_argument(
        "--grounding",
        dest="grounding",
        action="store_const",
        const=True,
        help="only drafts where the grounding check dropped something",
    )
    ground.add_argument(
        "--no-grounding",
        dest="grounding",
        action="store_const",
        const=False,
        help="only drafts where it dropped nothing",
    )
    g.add_argument("--sort", choices=SORTS, help="order (default newest first; approve/reject: oldest first)")


def _decision_options(a: argparse.ArgumentParser) -> None:
    a.add_argument("--note", default="", help="why (kept with the decision)")
    a.add_argument("--by", metavar="NAME", help="who decides (kept with the decision; default $USER, else cli)")


# filters, ids and who decides -----------------------------------------------------------------------------


def _filtered(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) not in (None, "") for name in _FILTERS)


def _origin(store: Store, origin: str | None) -> str | None:
    """The stored spelling of an origin (any case); a usage error naming the origins when none matches."""
    if origin is None:
        return None
    from agent.store_review import origins

    known = origins(store)
    match = next((o for o in known if o.casefold() == origin.strip().casefold()), None)
    if match is None and known:
        raise UsageError(f"no draft has origin {origin!r}: the origins are {', '.join(known)}")
    return match or origin.strip()


def _query(args: argparse.Namespace, store: Store, sort: str = "newest") -> DraftQuery:
    from agent.store_review import DraftQuery

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}: swap them")
    if args.min_identity is not None and args.max_identity is not None and args.min_identity > args.max_identity:
        raise UsageError(f"--min-identity {args.min_identity} is above --max-identity {args.max_identity}: swap them")
    if args.contact is not None and not args.contact.strip():
        raise UsageError("--contact is empty: give a contact id or part of a name")
    return DraftQuery(
        status=args.status,
        origin=_origin(store, args.origin),
        contact=args.contact,
        since=args.since,
        until=args.until,
        min_identity=args.min_identity,
        max_identity=args.max_identity,
        grounding=args.grounding,
        sort=args.sort or sort,
    )


def _row(store: Store, draft_id: int | None, action: str) -> DraftRow:
    if draft_id is None:
        raise UsageError(f"give the draft's number, e.g. `zyntro-enrich review {action} 3` (see `review list`)")
    row = store.draft(draft_id) if 0 < draft_id < _MAX_ID else None
    if row is None:
        raise UsageError(f"there is no draft {draft_id}: see `zyntro-enrich review list`")
    return row


def _checked_ids(store: Store, ids: list[int]) -> list[int]:
    """The drafts named on the command line, all of them waiting; otherwise a usage error naming each problem."""
    problems = []
    unique = list(dict.fromkeys(ids))
    for draft_id in unique:
        row = store.draft(draft_id) if 0 < draft_id < _MAX_ID else None
        if row is None:
            problems.append(f"there is no draft {draft_id}")
        elif row["status"] not in (*DECIDABLE, "approving"):  # approving: the claim decides (live or stale)
            problems.append(f"draft {draft_id} is {row['status']}, not waiting for review")
    if problems:
        raise UsageError("; ".join(problems) + ": nothing was done (see `zyntro-enrich review list`)")
    return unique


def _targets(args: argparse.Namespace, store: Store) -> list[int]:
    """The drafts to approve or reject: the ids given, or what --all and the filters match."""
    verb, filtered = args.action, _filtered(args)
    if args.draft_ids and (args.all or filtered):
        raise UsageError(
            f"give draft numbers or --all with filters, not both: `zyntro-enrich review {verb} 3 4` "
            f"or `zyntro-enrich review {verb} --all --origin GitHub`"
        )
    if args.draft_ids:
        return _checked_ids(store, args.draft_ids)
    if not args.all:
        hint = " (filters choose drafts only with --all)" if filtered else ""
        raise UsageError(
            f"give the draft's number, e.g. `zyntro-enrich review {verb} 3 4 7`, or --all with filters "
            f"such as --origin GitHub{hint} (see `review list`)"
        )
    if args.status not in (None, "decidable", *DECIDABLE):
        raise UsageError(
            f"only drafts waiting for a decision can be {verb}{'d' if verb.endswith('e') else 'ed'}: "
            f"use --status {', '.join(DECIDABLE)} or leave it out"
        )
    from agent.store_review import query_drafts

    rows, total = query_drafts(store, _query(args, store, sort="oldest"))
    if total and not filtered and not args.yes:
        raise UsageError(
            f"--all without a filter would {verb} every waiting draft ({total}): add --yes to go "
            "ahead, or narrow it with --origin, --contact, --since, ... (see `review list`)"
        )
    print(f"{verb}: {'1 draft matches' if total == 1 else f'{total} drafts match'}", file=sys.stderr)
    return [r["draft_id"] for r in rows]


def _actor(args: argparse.Namespace) -> str:
    """Who decides (--by, else $USER, else "cli"), with --note checked on the way."""
    name = (args.by if args.by is not None else os.environ.get("USER") or "cli").strip()
    if not name or len(name) > 80 or not name.isprintable():
        raise UsageError("--by needs a short name on one line (who decided), e.g. --by ana")
    if len(args.note) > _MAX_NOTE:
        raise UsageError(f"--note is {len(args.note):,} characters: keep it under {_MAX_NOTE:,}")
    return name


# the actions ---------------------------------------------------------------------------------------------


def _list(args: argparse.Namespace, store: Store) -> int:
    from agent.commands import review_output
    from agent.store_review import query_drafts

    rows, total = query_drafts(store, _query(args, store), limit=args.limit)
    review_output.draft_list(rows, total, args.json, _filtered(args))
    return 0


def _decide(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """Approve or reject the targets, one line of outcome each; 1 when a post failed or its answer is unknown."""
    from agent.review import service

    actor = _actor(args)
    ids = _targets(args, store)
    if not ids:
        print("[]" if args.json else "no draft matches: nothing to do (see `zyntro-enrich review list`)")
        return 0
    if args.action == "reject":
        results = service.reject(store, ids, actor, args.note)
        for decision in results:
            _report(decision, args.json)
    else:
        from agent.commands.preflight import check_zyntro

        check_zyntro(settings)  # a wrong credential leaves every draft waiting, not failed
        results = asyncio.run(_approve_each(args, settings, store, ids, actor))
    if args.json:
        import json

        print(json.dumps([vars(d) for d in results], indent=2))
    elif len(results) > 1:
        counts: dict[str, int] = {}
        for d in results:
            counts[d.status] = counts.get(d.status, 0) + 1
        print(f"{len(results)} drafts: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return 1 if any(d.status in ("failed", "unknown") for d in results) else 0


async def _approve_each(
    args: argparse.Namespace, settings: Settings, store: Store, ids: list[int], actor: str
) -> list[Any]:
    """service.approve one draft at a time, so each outcome shows as soon as Zyntro answers."""
    from agent.review import service

    results = []
    for draft_id in ids:
        (decision,) = await service.approve(settings, store, [draft_id], actor, args.note, args.repost_unknown)
        _report(decision, args.json)
        results.append(decision)
    return results


def _report(decision: Any, as_json: bool) -> None:
    from agent.commands.review_output import decision_line

    line, done = decision_line(decision)
    if as_json:  # stdout holds the JSON; the lines go to stderr as progress
        print(line, file=sys.stderr)
    else:
        print(line, file=sys.stdout if done else sys.stderr)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store

    with Store.for_settings(settings) as store:
        if args.action == "list":
            return _list(args, store)
        if args.action == "activity":
            from agent.commands.review_output import activity
            from agent.store_review import activity as items

            activity(items(store, args.limit), args.format)
            return 0
        if args.action == "show":
            from agent.commands.review_output import show

            show(store, _row(store, args.draft_id, "show"), args.json)
            return 0
        if args.action == "edit":
            from agent.commands.review_edit import edit

            return edit(store, _row(store, args.draft_id, "edit"), _actor(args), args.note, args.file)
        return _decide(args, settings, store)
