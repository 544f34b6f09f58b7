"""`zyntro-enrich state`: what the state directory holds.

state stats [--json]      file sizes, rows per table, the page cache, the erasure audit
state prune               apply the page cache's retention (cache_days) and size cap (cache_mb) now
"""

from __future__ import annotations

import argparse
import json

from agent.config import Settings

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "state",
        help="sizes and counts of the stored state; prune the page cache",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=["stats", "prune"])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MB"


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store
    from agent.store_privacy import erasures, stats

    with Store.for_settings(settings) as store:
        pruned = store.prune_cache() if args.action == "prune" else None
        data = stats(store)
        audit = erasures(store)
    data["cache_days"], data["cache_mb"] = settings.cache_days, settings.cache_mb
    if args.json:
        print(json.dumps({**data, "erasures": audit, **({"pruned": pruned} if pruned else {})}, indent=2))
        return 0
    if pruned is not None:
        print(
            f"pruned the page cache: {pruned['expired']} pages unused for {settings.cache_days:g} days, "
            f"{pruned['evicted']} least recently used over {settings.cache_mb:g} MB"
        )
    rows = data["rows"]
    print(f"state: {data['path']}")
    print("files: " + ", ".join(f"{name} {_mb(size)}" for name, size in data["files_bytes"].items()))
    print(
        f"page cache: {rows['pages']} pages, {_mb(data['page_cache_bytes'])} of {settings.cache_mb:g} MB, "
        f"kept {settings.cache_days:g} days after last use"
        + (f" (oldest use {data['page_cache_oldest_use']})" if data["page_cache_oldest_use"] else "")
    )
    print(
        f"tracked contacts: {rows['contacts']}; runs: {rows['runs']}; sources: {rows['sources']}; "
        f"drafts: {rows['drafts']} ({data['queued_for_review']} waiting for review); postings: {rows['postings']}"
    )
    print(
        f"do-not-enrich entries: {rows['suppressions']}; erasures: {rows['erasures']} "
        f"(payload hashes kept for forgotten contacts: {rows['forgotten_postings']})"
    )
    for entry in audit[-5:]:
        removed = ", ".join(f"{k} {v}" for k, v in sorted(entry["removed"].items()) if v)
        print(f"  erased {entry['erased_at']} ({entry['erasure_id']}): {removed}")
    return 0
