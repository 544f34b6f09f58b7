"""`zyntro-enrich demo`: the whole flow offline on bundled sample pages, posting to a local sandbox.

It prints the run's summary table and the most complete payload, sized for an 80-column terminal;
--all-payloads prints every profile's payload and what the sandbox stored, --json all of it as data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import Settings

if TYPE_CHECKING:
    from rich.table import Table

    from agent.reports import RunReport

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register"]

DEMO_NAMESPACE = uuid.UUID("5b1f0c52-3f7e-4c1e-9a57-2d0d9a1f6e10")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="run the whole flow offline on bundled sample pages and a local sandbox", description=__doc__
    )
    p.add_argument("--json", action="store_true", help="print the run's results as JSON on stdout")
    p.add_argument(
        "--all-payloads",
        action="store_true",
        help="print every profile's payload and warnings, and the sandbox's records "
        "(default: the summary and the most complete payload)",
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the demo's state (SQLite, replayed pages, sandbox) in DIR instead of a temp dir",
    )
    p.set_defaults(func=run)


def demo_settings(settings: Settings, work: Path, sandbox_env: dict[str, str]) -> Settings:
    """The user's settings, pointed at the sandbox and the replayed pages, LLM off, no politeness waits."""
    from agent.demo import write_replay_dir

    data = settings.model_dump()
    data["home"] = work / "home"
    data["zyntro"].update(
        api_key=sandbox_env["ZYNTRO_API_KEY"],
        org_id=sandbox_env["ZYNTRO_ORG_ID"],
        member_id=sandbox_env["ZYNTRO_MEMBER_ID"],
        base_url=sandbox_env["ZYNTRO_BASE_URL"],
        # v2 reads back what the sandbox holds before a contact's first post, so the demo's fresh state
        # directory needs no "duplicates cannot be detected" warning (agent.posting), which v1 must give.
        api_version="v2",
        developer_secret=sandbox_env["ZYNTRO_DEVELOPER_SECRET"],
    )
    data["fetch"].update(
        replay_dir=write_replay_dir(work / "replay"),
        delay_s=0.0,
        # The replayed linkedin.com and x.com robots.txt disallow crawlers, as the real ones do; the demo
        # overrides them the way an operator would, and every such fetch is recorded as overridden.
        robots_override=["linkedin.com", "x.com"],
    )
    data["llm"]["mode"] = "offline"
    return Settings.model_validate(data)


def _stored_table(profiles: list[dict], names: dict[str, str]) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("profile_id", "contact", "profile_source", "keys"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for row in profiles:
        payload = row["profile_payload"] if "profile_payload" in row else row["payload"]
        contact = names.get(str(row["contact_id"]), str(row["contact_id"])[:8])
        table.add_row(str(row["profile_id"]), Text(contact), Text(str(row["profile_source"])), str(len(payload)))
    return table


def _stored_line(profiles: list[dict], posted: int) -> str:
    """One line on what the sandbox holds, in place of its table."""
    ids = sorted(int(row["profile_id"]) for row in profiles)
    contacts = len({str(row["contact_id"]) for row in profiles})
    span = f"profile_id {ids[0]}-{ids[-1]}" if len(ids) > 1 else f"profile_id {ids[0]}" if ids else "none"
    return (
        f"sandbox: {len(ids)} profile record{'s' * (len(ids) != 1)} ({span}) for {contacts} "
        f"contact{'s' * (contacts != 1)}, {posted} from this run"
    )


def _show(report: RunReport, stored: list[dict], names: dict[str, str], all_payloads: bool) -> None:
    """The summary table and totals; then the most complete payload, or with --all-payloads every one."""
    from rich.text import Text

    from agent.render import make_console, most_complete, print_payload, print_summary

    out = make_console()
    print_summary(report, show_payloads=all_payloads, console=out)
    posted = sum(1 for c in report.contacts for p in c.profiles if p.status.value == "posted")
    if all_payloads:
        out.print()
        out.print(Text("what the sandbox stored (addProfileToContact records)", style="bold"))
        out.print(_stored_table(stored, names))
        return
    best = most_complete(report)
    if best is not None:
        print_payload(out, *best, heading="the most complete payload: ")
    else:  # e.g. a second `demo --keep DIR`: unchanged sources are not condensed again
        out.print()
        out.print("no payload made by this run", markup=False)
    others = sum(1 for c in report.contacts for p in c.profiles if p.payload) - (best is not None)
    out.print()
    out.print(_stored_line(stored, posted), markup=False)
    if others:
        out.print(
            f"{others} more payload{'s' * (others != 1)} and the sandbox's records: zyntro-enrich demo --all-payloads",
            markup=False,
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.batch import BatchItem
    from agent.demo import DEMO_CONTACTS
    from agent.models import Contact
    from agent.render import make_console
    from agent.runner import Options, run_items
    from agent.zyntro.sandbox import Sandbox

    with tempfile.TemporaryDirectory(prefix="zyntro-enrich-demo-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with Sandbox(db_path=work / "sandbox.sqlite3", port=0) as sandbox:
            items, names = [], {}
            known = {str(c["contact_id"]) for c in sandbox.contacts()}
            for spec in DEMO_CONTACTS:
                hints = {k: spec[k] for k in ("name", "email", "company") if spec.get(k)}
                # Fixed ids: a second `demo --keep DIR` finds its contacts and posts only what changed.
                contact_id = str(uuid.uuid5(DEMO_NAMESPACE, spec["name"]))
                if contact_id not in known:
                    sandbox.add_contact(contact_id=contact_id, **hints)
                names[str(contact_id)] = spec["name"]
                items.append(BatchItem(contact=Contact(contact_id=contact_id, **hints), urls=spec["urls"]))
            local = demo_settings(settings, work, sandbox.settings_env())
            err = make_console(stderr=True)
            err.print(f"demo: {len(items)} contacts, pages replayed offline, sandbox {sandbox.url}", markup=False)
            err.print(
                f"demo: robots.txt of {' and '.join(local.fetch.robots_override)} overridden, as an operator may",
                markup=False,
            )
            if args.keep:
                err.print(f"demo: state, pages and sandbox kept in {work}", markup=False)
            report = asyncio.run(run_items(items, local, Options(concurrency=3, progress=not args.json)))
            stored = sandbox.profiles()
        if args.json:
            data = report.to_json()
            data["sandbox_profiles"] = stored
            json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
            sys.stdout.write("\n")
        else:
            _show(report, stored, names, args.all_payloads)
    # The demo succeeds when the flow ran; its login wall, 404 and identity mismatch are on purpose.
    done = {"posted", "unchanged"}  # a second `demo --keep DIR` finds everything already there
    return 0 if any(p.status.value in done for c in report.contacts for p in c.profiles) else 1
