"""`zyntro-enrich contacts list|show|untrack`: the contacts that refresh researches again.

A contact is tracked from its first run that is not a dry run. Each later run merges its URLs and
identity hints into the tracked contact (a hint given again replaces the old one; nothing is dropped),
and `--dry-run` changes nothing that is tracked. `untrack` stops refreshing a contact; what was posted
to it stays known, so tracking it again never re-posts the same profile (`forget` erases it all).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from agent.config import Settings
from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.store_rows import PostingRow, TrackedContact

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("contacts", help="tracked contacts: list, show, untrack", description=__doc__)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="every tracked contact, least recently enriched first")
    show = actions.add_parser("show", help="one tracked contact: hints, URLs and what was posted")
    show.add_argument("contact_id", metavar="CONTACT_ID")
    untrack = actions.add_parser("untrack", help="stop refreshing a contact (what was posted stays known)")
    untrack.add_argument("contact_id", metavar="CONTACT_ID")
    for parser in (ls, show, untrack):
        parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.set_defaults(func=run)


def _contact_id(raw: str) -> str:
    try:
        return str(UUID(raw))
    except ValueError:
        raise UsageError(f"{raw!r} is not a contact id (a UUID); `zyntro-enrich contacts list` shows them") from None


def _summary(row: TrackedContact, refresh_days: float) -> dict[str, Any]:
    age = (datetime.now(UTC) - datetime.fromisoformat(row["updated_at"])).total_seconds() / 86400
    return {
        "contact_id": row["contact_id"],
        "name": row["name"],
        "email": row["email"],
        "company": row["company"],
        "location": row["location"],
        "urls": row["urls"],
        "review": row["review"],
        "accepted_unverified": row["accepted_urls"],
        "last_enriched": row["updated_at"],
        "due": age >= refresh_days,
    }


def _posted(postings: list[PostingRow]) -> list[dict[str, Any]]:
    """The newest posting of each origin."""
    latest: dict[str, dict[str, Any]] = {}
    for p in postings:  # oldest first
        latest[p["profile_source"]] = {
            "profile_source": p["profile_source"],
            "state": p["state"],
            "profile_id": p["profile_id"],
            "at": p["updated_at"],
        }
    return list(latest.values())


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store

    with Store.for_settings(settings) as store:
        if args.action == "list":
            rows = [_summary(r, settings.refresh_days) for r in store.tracked_contacts()]
            return _print_list(rows, args.json)
        cid = _contact_id(args.contact_id)
        tracked = store.tracked_contact(cid)
        if tracked is None:
            raise UsageError(f"contact {cid} is not tracked; `zyntro-enrich contacts list` shows those that are")
        if args.action == "show":
            shown = {**_summary(tracked, settings.refresh_days), "posted": _posted(store.postings(cid))}
            return _print_show(shown, args.json)
        store.untrack_contact(cid)
    if args.json:
        print(json.dumps({"contact_id": cid, "untracked": True}))
    else:
        print(
            f"untracked {cid} ({tracked['name'] or 'no name'}): refresh leaves it; what was posted to it stays "
            "known, so enriching it again never re-posts the same profile"
        )
    return 0


def _print_list(rows: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no tracked contact: every contact enriched without --dry-run is tracked")
    for r in rows:
        flags = ", ".join(f for f, on in (("due", r["due"]), ("review", r["review"])) if on)
        print(
            f"{r['contact_id']}  {r['name'] or '-'}  {len(r['urls'])} URL{'s' * (len(r['urls']) != 1)}  "
            f"last enriched {r['last_enriched']}" + (f"  ({flags})" if flags else "")
        )
    return 0


def _print_show(shown: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    for key in ("contact_id", "name", "email", "company", "location", "last_enriched", "due", "review"):
        print(f"{key}: {shown[key] if shown[key] is not None else '-'}")
    print("urls:")
    for url in shown["urls"]:
        print(f"  {url}" + ("  (accepted unverified)" if url in shown["accepted_unverified"] else ""))
    print("posted:" if shown["posted"] else "posted: nothing yet")
    for p in shown["posted"]:
        print(
            f"  {p['profile_source']}: {p['state']}"
            + (f", profile_id {p['profile_id']}" if p["profile_id"] else "")
            + f" ({p['at']})"
        )
    return 0
