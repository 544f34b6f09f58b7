"""`zyntro-enrich fetch URL`: fetch one page the way the agent would, and say what happened."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from agent.config import Settings
from agent.errors import UsageError
from agent.models import FetchResult, Outcome

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `fetch` subcommand."""
    p = sub.add_parser(
        "fetch", help="fetch one page (safety, robots.txt, HTTP or browser) and report the outcome", description=__doc__
    )
    p.add_argument("url", help="the page to fetch (http or https)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.add_argument("--save", type=Path, metavar="FILE", help="write the (rendered) HTML to FILE")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument(
        "--browser", dest="needs_browser", action="store_const", const=True, help="render in headless Chromium"
    )
    engine.add_argument(
        "--no-browser",
        dest="needs_browser",
        action="store_const",
        const=False,
        help="plain HTTP only, even for pages that need JavaScript",
    )
    p.set_defaults(func=run, needs_browser=None)


async def _fetch(settings: Settings, url: str, needs_browser: bool | None) -> FetchResult:
    from agent.fetch import Fetcher

    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, needs_browser=needs_browser)


def _print_human(result: FetchResult) -> None:
    from agent.fetch.http_engine import human_size

    rows = [
        ("outcome", result.outcome.value),
        ("reason", result.reason),
        ("engine", result.engine or "-"),
        ("status", str(result.status) if result.status is not None else "-"),
        ("final URL", result.final_url or "-"),
        ("bytes", f"{result.bytes} ({human_size(result.bytes)})"),
        ("time", f"{result.elapsed_ms} ms"),
    ]
    if result.robots_override:
        rows.append(("robots", "disallowed, fetched under the operator's override"))
    for label, value in rows:
        print(f"{label:<10} {value}")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch the URL; exit 0 when the outcome is ok, else 1."""
    if args.save is not None and args.save.is_dir():
        raise UsageError(f"--save {args.save} is a directory: give a file name")
    from agent.urls import normalise_url

    try:
        url = normalise_url(args.url)  # the edge: the one form of the URL from here on
    except ValueError as exc:
        result = FetchResult(url=args.url, outcome=Outcome.invalid_url, reason=str(exc))
    else:
        result = asyncio.run(_fetch(settings, url, args.needs_browser))
    if args.save is not None and result.page is not None:
        try:
            args.save.parent.mkdir(parents=True, exist_ok=True)
            args.save.write_text(result.page.html, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write --save {args.save} ({exc.strerror}): choose a writable path") from None
        print(f"saved the HTML to {args.save}", file=sys.stderr)
    if args.json:
        keys = ("url", "final_url", "outcome", "reason", "engine", "status", "bytes", "elapsed_ms", "robots_override")
        print(json.dumps(result.model_dump(mode="json", include=set(keys)), indent=2))
    else:
        _print_human(result)
    return 0 if result.outcome is Outcome.ok else 1
