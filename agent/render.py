"""Human-readable output of a run: a summary table, and payloads when asked."""

from __future__ import annotations

import json
from collections import Counter

from rich.console import Console
from rich.table import Table

from agent.models import Outcome
from agent.reports import RunReport

__all__ = ["print_summary", "wide_console"]


def wide_console(stderr: bool = False) -> Console:
    """A console that keeps tables readable when output goes to a file or pipe (rich assumes 80 columns)."""
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else 120
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def print_summary(report: RunReport, *, show_payloads: bool = False, console: Console | None = None) -> None:
    """Print one line per profile, the payloads if asked, and the totals."""
    console = console or wide_console()
    table = Table(title=f"run {report.run_id}", show_lines=False)
    for column in ("contact", "origin", "status", "profile_id", "sources / why"):
        table.add_column(column)
    statuses: Counter[str] = Counter()
    for contact in report.contacts:
        label = contact.name or contact.contact_id[:8]
        if contact.skipped:  # another run has this contact (agent.runner)
            table.add_row(label, "", "skipped", "", contact.skipped)
        if contact.suppressed:  # on the do-not-enrich list (agent.store_privacy)
            table.add_row(label, "", "suppressed", "", contact.suppressed)
        for profile in contact.profiles:
            statuses[profile.status.value] += 1
            problems = [f"{s.outcome.value} ({s.reason})" for s in profile.sources if s.outcome is not Outcome.ok]
            if profile.status.value in ("identity_mismatch", "unverified", "failed", "unknown") and profile.warnings:
                problems.append(profile.warnings[0])
            sources = "; ".join(problems) or f"{len(profile.sources)} ok"
            table.add_row(label, profile.profile_source, profile.status.value,
                          str(profile.profile_id or ""), sources)
            label = ""
    console.print(table)
    if show_payloads:
        for contact in report.contacts:
            for profile in contact.profiles:
                if not profile.payload and not profile.warnings:
                    continue
                console.print(f"\n[bold]{contact.name or contact.contact_id} / {profile.profile_source}[/bold]"
                              f" ({profile.status.value})")
                if profile.payload:
                    console.print_json(json.dumps(profile.payload, ensure_ascii=False))
                for warning in profile.warnings:
                    console.print(f"  warning: {warning}", markup=False)
    for row in report.skipped_rows:
        console.print(f"skipped {row}", markup=False)
    totals = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    n, m = len(report.contacts), sum(statuses.values())
    console.print(f"{n} contact{'s' * (n != 1)}, {m} profile{'s' * (m != 1)}: {totals or 'none'}")
