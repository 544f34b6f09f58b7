"""`zyntro-enrich forget CONTACT_ID`: erase everything stored about a contact.

Removed: the tracked record (so refresh no longer picks it up), every recorded source, the cached copies
of its pages, its drafts (facts, evidence, payloads), run results and LLM usage, claims, and runs about
it alone. Kept: one audit row (when, how many rows of each kind) without the contact id, and, unless
--drop-hashes, the hashes of the payloads posted to Zyntro under a salted hash of the contact id, so a
later enrichment does not post identical content again. Zyntro itself still holds the profiles posted
to it: delete them in Zyntro. --suppress also puts the contact on the do-not-enrich list.
"""

from __future__ import annotations

import argparse
import json
import uuid

from agent.config import Settings
from agent.errors import UsageError

__all__ = ["register"]

_WHAT = [
    ("contacts", "tracked record"),
    ("sources", "source records"),
    ("pages", "cached pages"),
    ("drafts", "drafts"),
    ("postings", "posting records"),
    ("run_contacts", "run results"),
    ("runs", "runs about it alone"),
    ("contact_claims", "claims"),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forget",
        help="erase everything stored about a contact",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("contact_id", help="the Zyntro contact's UUID")
    p.add_argument(
        "--drop-hashes",
        action="store_true",
        help="also drop the payload hashes kept to avoid re-posting (a re-enrichment may then post again)",
    )
    p.add_argument("--suppress", action="store_true", help="also add the contact id to the do-not-enrich list")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store
    from agent.store_privacy import forget, suppress

    try:
        cid = str(uuid.UUID(args.contact_id.strip()))
    except ValueError:
        raise UsageError(f"{args.contact_id!r} is not a contact id (a UUID, as Zyntro shows it)") from None
    with Store.for_settings(settings) as store:
        removed = forget(store, cid, keep_hashes=not args.drop_hashes)
        suppressed = suppress(store, "contact_id", cid, "forgotten") if args.suppress else False
    if args.json:
        print(json.dumps({"contact_id": cid, "removed": removed, "suppressed": args.suppress}, indent=2))
        return 0
    gone = [f"{removed[k]} {label}" for k, label in _WHAT if removed.get(k)]
    if gone:
        print(f"forgot contact {cid}: " + ", ".join(gone))
    else:
        print(f"nothing was stored about contact {cid}")
    if removed.get("kept_posting_hashes"):
        print(
            f"kept {removed['kept_posting_hashes']} payload hash(es) under a salted hash of the id, so identical "
            "content is not posted again (--drop-hashes drops them)"
        )
    if removed.get("postings"):
        print("Zyntro still holds the profiles posted to it: delete them in Zyntro")
    if args.suppress:
        print("on the do-not-enrich list" + ("" if suppressed else " (already)"))
    return 0
