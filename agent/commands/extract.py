"""`zyntro-enrich extract URL`: fetch one page (or read a saved one) and show what its extractor finds.

    zyntro-enrich extract URL [--from-file PAGE.html] [--json] [--name N --email E --company C]

--from-file parses a page you saved yourself as if it had been fetched from URL: no network at all.
Exit 0 when the outcome is ok, 1 otherwise (login wall, not found, blocked, ...), 2 for bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from agent.config import Settings
from agent.errors import UsageError
from agent.models import Contact, Extraction, FetchResult, Outcome, Page

__all__ = ["register", "run"]

_VALUE_WIDTH = 60
_EVIDENCE_WIDTH = 44


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `extract` subcommand."""
    p = sub.add_parser(
        "extract",
        help="fetch + extract one URL: outcome, facts and evidence",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("url", metavar="URL", help="the page's URL (decides the extractor)")
    p.add_argument("--from-file", type=Path, metavar="PAGE.html", help="parse this saved page; no network")
    p.add_argument("--status", type=int, default=200, help="HTTP status to assume with --from-file (default 200)")
    p.add_argument("--json", action="store_true", help="machine-readable result on stdout")
    p.add_argument("--text", action="store_true", help="also print the cleaned text kept for the condenser")
    p.add_argument("--name", help="identity hint: the contact's name")
    p.add_argument("--email", help="identity hint: the contact's email")
    p.add_argument("--company", help="identity hint: the contact's company")
    p.add_argument("--location", help="identity hint: the contact's location")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Route, read or fetch, parse, print; the exit code says whether the outcome is ok."""
    from agent.urls import normalise_url
    from extractors.identity import score_identity
    from extractors.registry import route

    try:
        args.url = normalise_url(args.url)  # the edge: the one form of the URL from here on
    except ValueError as exc:
        raise UsageError(f"{args.url!r}: {exc}; give an absolute http:// or https:// URL") from None
    try:
        extractor = route(args.url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not 100 <= args.status <= 599:
        raise UsageError(f"--status {args.status} is not an HTTP status: give one from 100 to 599")
    page: Page | None
    if args.from_file is not None:
        page, fetched = _read(args.from_file, args.url, args.status), None
    else:
        fetched = asyncio.run(_fetch(settings, args.url, extractor.needs_browser))
        page = fetched.page if fetched.outcome is Outcome.ok else None
    if page is None:
        assert fetched is not None
        data = _fetch_failure(args.url, extractor, fetched)
    else:
        extraction = extractor.parse(page)
        extraction.identity = score_identity(extraction, _contact(args))
        data = _as_dict(extraction)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_human(data, extraction.text if page is not None and args.text else "")
    return 0 if data["outcome"] == Outcome.ok.value else 1


def _read(path: Path, url: str, status: int) -> Page:
    try:
        html = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}; give the path of a saved HTML page") from None
    # the CLI is the edge of the program: reading the clock here keeps the extractors pure
    return Page(
        url=url,
        final_url=url,
        status=status,
        html=html,
        fetched_at=datetime.now(UTC),
        engine="replay",
        content_hash=Page.hash_html(html),
    )


async def _fetch(settings: Settings, url: str, needs_browser: bool | None) -> FetchResult:
    from agent.fetch import (
        Fetcher,  # imported here: the fetch layer is heavy and not needed for --from-file
    )

    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, needs_browser=needs_browser)


def _contact(args: argparse.Namespace) -> Contact:
    hints = {k: getattr(args, k) for k in ("name", "email", "company", "location") if getattr(args, k)}
    return Contact(contact_id=UUID(int=0), **hints)


def _as_dict(extraction: Extraction) -> dict:
    return {
        "url": extraction.url,
        "extractor": extraction.extractor,
        "profile_source": extraction.profile_source,
        "outcome": extraction.outcome.value,
        "reason": extraction.reason,
        "subject": extraction.subject,
        "facts": [
            {
                "key": f.key,
                "value": f.value,
                "evidence": f.evidence,
                "method": f.method,
                **({"approximate": True} if f.approximate else {}),
            }
            for f in extraction.facts
        ],
        "identity": extraction.identity.model_dump() if extraction.identity else None,
        "links": extraction.links,
        "text_chars": len(extraction.text),
    }


def _fetch_failure(url: str, extractor, fetched: FetchResult) -> dict:
    return {
        "url": url,
        "extractor": extractor.name,
        "profile_source": extractor.label_for(url),
        "outcome": fetched.outcome.value,
        "reason": fetched.reason,
        "subject": "unknown",
        "facts": [],
        "identity": None,
        "links": [],
        "text_chars": 0,
    }


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_human(data: dict, text: str) -> None:
    out = sys.stdout
    out.write(
        f"{data['url']}\n  extractor: {data['extractor']} -> {data['profile_source']}\n"
        f"  outcome:   {data['outcome']} ({data['reason']})\n"
    )
    if data["facts"]:
        rows = [
            (
                f["key"],
                _cut(f["value"], _VALUE_WIDTH) + (" ~" if f.get("approximate") else ""),
                f["method"],
                _cut(f["evidence"], _EVIDENCE_WIDTH),
            )
            for f in data["facts"]
        ]
        widths = [max(len(r[i]) for r in rows + [("key", "value", "method", "evidence")]) for i in range(4)]
        out.write("\n")
        for row in [("key", "value", "method", "evidence"), tuple("-" * w for w in widths), *rows]:
            out.write("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
    if data["links"]:
        out.write("\n  links: " + ", ".join(data["links"]) + "\n")
    identity = data.get("identity")
    if identity:
        matched = {True: "match", False: "NOT the contact", None: "not decided"}[identity["matched"]]
        out.write(f"  identity: {matched} (score {identity['score']}): {identity['reason']}\n")
    out.write(f"  text for the condenser: {data['text_chars']} characters\n")
    if text:
        out.write("\n" + text + "\n")
