"""`zyntro-enrich refresh` and `schedule`: research tracked contacts again when they are due.

Every contact enriched before is tracked with its URLs. A contact is due `refresh_days` after its last
enrichment (ZYNTRO_ENRICH_REFRESH_DAYS, default 7). Unchanged pages cost one revalidation request and
an unchanged profile is never posted again, so a refresh only adds records to Zyntro when something
on the sources changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import Settings
from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.reports import RunReport
    from agent.runner import Options

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register", "refresh_once"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refresh", help="one pass over tracked contacts that are due", description=__doc__)
    p.add_argument("--all", action="store_true", help="refresh every tracked contact, due or not")
    _common(p)
    p.set_defaults(func=run_refresh)
    s = sub.add_parser("schedule", help="keep refreshing on the configured cadence (Ctrl-C stops)", description=__doc__)
    s.add_argument(
        "--every",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="how often to look for due contacts (default 3600)",
    )
    s.add_argument("--passes", type=int, default=0, help="stop after this many passes (default 0: never)")
    printed = s.add_mutually_exclusive_group()
    printed.add_argument(
        "--print-cron",
        action="store_true",
        help="print a crontab entry running `refresh` every --every seconds, and exit",
    )
    printed.add_argument(
        "--print-systemd",
        action="store_true",
        help="print a systemd service and timer running `refresh` every --every seconds, and exit",
    )
    s.add_argument(
        "--env-file",
        type=Path,
        metavar="FILE",
        help="with --print-*: where the entry reads secrets from (default $ZYNTRO_ENRICH_HOME/env)",
    )
    _common(s)
    s.set_defaults(func=run_schedule, all=False)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="do everything but post")
    p.add_argument("--review", action="store_true", help="queue changed profiles for review instead of posting")
    p.add_argument("--concurrency", type=int, default=4, help="contacts processed at once (default 4)")
    p.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def refresh_once(settings: Settings, options: Options, everything: bool = False) -> RunReport | None:
    """Enrich again every tracked contact that is due; None when none is."""
    from agent.batch import BatchItem
    from agent.runner import run_items
    from agent.store import Store

    with Store.for_settings(settings) as store:
        due = store.due_contacts(None if everything else settings.refresh_days)
    if not due:
        return None
    # A contact enriched with --review stays under review: its refreshed profiles are queued, not posted.
    items = [BatchItem(contact=contact, urls=urls, review=review) for contact, urls, review in due]
    if not options.dry_run and not options.review and not all(item.review for item in items):
        from agent.commands.preflight import check_zyntro

        check_zyntro(settings)  # a wrong key is found before any page is fetched again
    return asyncio.run(run_items(items, settings, options))


def _options(args: argparse.Namespace) -> Options:
    from agent.runner import Options

    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: give 1 or more contacts at once")
    return Options(
        dry_run=args.dry_run, review=args.review, concurrency=args.concurrency, progress=not args.no_progress
    )


def _show(report: RunReport | None, args: argparse.Namespace, settings: Settings) -> int:
    if report is None:
        hint = "refresh --all refreshes every one" if args.command == "schedule" else "--all refreshes every one"
        message = f"no tracked contact is due (refresh_days={settings.refresh_days:g}); {hint}"
        if args.json:
            print(json.dumps({"contacts": []}))
        print(message, file=sys.stderr)
        return 0
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        from agent.render import print_summary

        print_summary(report)
    if report.llm_summary:
        print(report.llm_summary, file=sys.stderr)
    for line in report.explain():  # notices, and the breaker that stopped the run (agent.breakers)
        print(f"zyntro-enrich: {line}", file=sys.stderr)
    return report.exit_code


def run_refresh(args: argparse.Namespace, settings: Settings) -> int:
    return _show(refresh_once(settings, _options(args), everything=args.all), args, settings)


def run_schedule(args: argparse.Namespace, settings: Settings) -> int:
    if not math.isfinite(args.every) or args.every <= 0 or args.passes < 0:
        raise UsageError("--every must be a positive number of seconds and --passes 0 (forever) or more")
    if args.print_cron or args.print_systemd:
        from agent.commands.schedule_help import cron_entry, systemd_units

        write = cron_entry if args.print_cron else systemd_units
        sys.stdout.write(write(settings, args.every, config=args.config, env_file=args.env_file))
        return 0
    passes, code = 0, 0
    if args.passes != 1:
        log.info(
            "schedule: checking for due contacts every %gs (refresh_days=%g); Ctrl-C stops",
            args.every,
            settings.refresh_days,
        )
    while True:
        code = max(code, _show(refresh_once(settings, _options(args)), args, settings))
        passes += 1
        if args.passes and passes >= args.passes:
            return code
        time.sleep(args.every)
