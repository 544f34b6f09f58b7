"""`zyntro-enrich enrich`: research one contact (URLs on the command line) or a batch file."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from agent.config import Settings
from agent.errors import UsageError
from agent.models import Contact

if TYPE_CHECKING:
    from agent.batch import BatchItem

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    from agent.batch_columns import help_text  # light: names and regular expressions only

    p = sub.add_parser(
        "enrich",
        help="research a contact (or a batch) and post one profile per origin",
        description=__doc__,
        epilog=help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="public source URLs of the contact")
    p.add_argument("--contact-id", help="the Zyntro contact's UUID (required without --batch)")
    p.add_argument("--name", help="identity hint: the contact's name")
    p.add_argument("--email", help="identity hint: the contact's email")
    p.add_argument("--company", help="identity hint: the contact's company")
    p.add_argument("--location", help="identity hint: the contact's location")
    p.add_argument(
        "--batch",
        type=Path,
        metavar="FILE",
        help="a CSV or JSONL file of contacts, or - for stdin (columns: see below)",
    )
    p.add_argument("--concurrency", type=int, default=4, help="contacts processed at once (default 4)")
    p.add_argument("--dry-run", action="store_true", help="do everything but post; show the payloads")
    p.add_argument("--review", action="store_true", help="queue each profile for a person to approve")
    p.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    p.add_argument("--llm", choices=["offline", "openai"], help="condenser (default: openai when configured)")
    p.add_argument(
        "--llm-fallback",
        choices=["offline", "none"],
        help="after llm.failure_limit (ZYNTRO_ENRICH_LLM_FAILURE_LIMIT, default 3) LLM failures in a "
        "row: offline finishes the run with the offline condenser, none (default) stops it (exit 3)",
    )
    p.add_argument(
        "--repost-unknown",
        action="store_true",
        help="post again profiles whose earlier post got no answer (check Zyntro first)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument(
        "--accept-unverified",
        action="store_true",
        help="post profiles even when no name, email, company or domain ties their pages to the contact",
    )
    p.set_defaults(func=run, overrides=_overrides)


def _overrides(args: argparse.Namespace) -> dict:
    llm = {"mode": args.llm, "fallback": args.llm_fallback}
    return {"llm": {k: v for k, v in llm.items() if v}} if any(llm.values()) else {}


def _items(args: argparse.Namespace) -> tuple[list[BatchItem], list[str]]:
    from agent.batch import BatchItem, read_batch

    if args.batch:
        if args.urls or args.contact_id:
            raise UsageError("give either --batch FILE or URLs with --contact-id, not both")
        if str(args.batch) == "-" and sys.stdin.isatty():
            print("zyntro-enrich: reading the batch from stdin (CSV or JSONL); end it with Ctrl-D", file=sys.stderr)
        batch = read_batch(args.batch)
        for warning in batch.warnings:
            print(f"zyntro-enrich: warning: {warning}", file=sys.stderr)
        return batch.items, batch.errors
    if not args.contact_id:
        raise UsageError("--contact-id is required (the Zyntro contact's UUID), or use --batch FILE")
    if not args.urls:
        raise UsageError("give at least one source URL, e.g. https://github.com/USER")
    hints = {k: getattr(args, k) for k in ("name", "email", "company", "location") if getattr(args, k)}
    try:
        contact = Contact(contact_id=args.contact_id, **hints)
    except ValidationError:
        raise UsageError(
            f"--contact-id {args.contact_id!r} is not a UUID (Zyntro contact ids look like "
            "3f2b1c9e-...); copy it from the contact in Zyntro"
        ) from None
    return [BatchItem(contact=contact, urls=args.urls)], []


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.render import print_summary
    from agent.runner import Options, run_items

    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: give 1 or more contacts at once")
    items, errors = _items(args)
    for error in errors:
        print(f"zyntro-enrich: skipped {error}", file=sys.stderr)
    options = Options(
        dry_run=args.dry_run,
        review=args.review,
        concurrency=args.concurrency,
        repost_unknown=args.repost_unknown,
        progress=not args.no_progress,
        accept_unverified=args.accept_unverified,
    )
    if not items:
        raise UsageError(f"no valid contact in {args.batch}: fix the rows above and run it again")
    if not args.dry_run and not args.review:
        from agent.commands.preflight import check_zyntro

        check_zyntro(settings)  # a wrong key is found before any page is fetched
    report = asyncio.run(run_items(items, settings, options, resumable=bool(args.batch)))
    report.skipped_rows = errors
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_summary(report, show_payloads=args.dry_run or len(items) == 1)
    if report.llm_summary:
        print(report.llm_summary, file=sys.stderr)
    for line in report.explain():  # notices, and the breaker that stopped the run (agent.breakers)
        print(f"zyntro-enrich: {line}", file=sys.stderr)
    return report.exit_code
