"""Human-readable output of a run: a summary table that fits the terminal, the totals, and payloads.

Everything here is for people; `--json` output never passes through it. Tables fit the console's
width (the terminal's, COLUMNS, or 80 when output goes to a pipe or a file): cells stay on one line
and end in an ellipsis when cut, and the status column uses short words so it is never the one cut.
Page text is untrusted, so every value is printed as plain text, never as rich markup.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from typing import Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from agent.models import Outcome, ProfileStatus
from agent.reports import OK_STATUSES, ContactReport, ProfileReport, RunReport

__all__ = [
    "make_console",
    "most_complete",
    "print_payload",
    "print_summary",
    "source_counts",
    "status_word",
    "summary_table",
    "totals_line",
]

# Status words for people: the two long enum values are shortened so that the column stays narrow
# (--json keeps the enum values).
_SHORT = {ProfileStatus.identity_mismatch: "mismatch", ProfileStatus.queued_for_review: "queued"}
# Warnings that say nothing the sources column does not already say.
_NOT_A_REASON = ("left out", "grounding:", "no source of this origin could be read")
_NAME_WIDTH = 18  # contact and origin columns: longer names end in an ellipsis
_MIN_NAME = 8  # ... and never narrower than this
_GAP = 2  # between two columns of the summary table (padding collapsed, no rules)
_MAX_NOTES = 20  # reasons printed under the table; a large batch's others are in --json


def make_console(stderr: bool = False) -> Console:
    """A console for people: the terminal's width, else COLUMNS, else 80 (a pipe or a file)."""
    return Console(stderr=stderr, highlight=False)


def status_word(status: ProfileStatus | str) -> str:
    """The short word the table and the totals use for a profile status."""
    status = ProfileStatus(status)
    return _SHORT.get(status, status.value)


def source_counts(profile: ProfileReport) -> str:
    """What happened to the profile's sources, counted: "2 ok, 1 set aside", "1 failed (login_wall)"."""
    aside = profile.set_aside()
    used = sum(1 for s in profile.sources if s.outcome is Outcome.ok and s.url not in aside)
    failed = Counter(s.outcome.value for s in profile.sources if s.outcome is not Outcome.ok)
    parts = [f"{used} ok"] if used or not (aside or failed) else []
    if aside:
        parts.append(f"{len(aside)} set aside")
    if failed:
        parts.append(f"{sum(failed.values())} failed ({', '.join(sorted(failed))})")
    return ", ".join(parts)


def _why(profile: ProfileReport) -> list[str]:
    """Why a profile was not stored or queued, and which of its pages were set aside, for people."""
    notes = []
    if profile.status not in OK_STATUSES:
        told = [w for w in profile.warnings if not w.startswith(_NOT_A_REASON)]
        failed = [f"{s.outcome.value}: {s.reason}" for s in profile.sources if s.outcome is not Outcome.ok]
        mismatched = [s.identity.reason for s in profile.sources if s.identity and s.identity.matched is False]
        if profile.status is ProfileStatus.identity_mismatch and mismatched:
            notes.append(f"set aside: {mismatched[0]}")
        elif told or failed or profile.warnings:
            notes.append((told or failed or profile.warnings)[0])
    notes += [w for w in profile.warnings if w.startswith("left out")]
    return notes


def _notes(report: RunReport) -> list[str]:
    """One line per reason: 'Elena Marsh / GitHub: set aside: the page is about ...'."""
    notes = []
    for c in report.contacts:
        notes += [
            f"{_label(c)}: {word}: {why}" for word, why in (("skipped", c.skipped), ("suppressed", c.suppressed)) if why
        ]
        notes += [f"{_label(c)} / {p.profile_source}: {note}" for p in c.profiles for note in _why(p)]
    return notes


def _cell(text: str) -> Text:
    """One line of plain text (never markup), cut with an ellipsis when the column is narrower."""
    return Text(text, no_wrap=True, overflow="ellipsis")


def _label(contact: ContactReport) -> str:
    return contact.name or contact.contact_id[:8]


def _name_widths(labels: list[str], origins: list[str], fixed: int, width: int | None) -> tuple[int, int]:
    """Widths for the contact and origin columns: what the names need (at most _NAME_WIDTH), narrowed
    one character at a time, the longer first, until the row fits `width` (never under _MIN_NAME)."""
    contact = min(_NAME_WIDTH, max(map(len, ["contact", *labels])))
    origin = min(_NAME_WIDTH, max(map(len, ["origin", *origins])))
    room = (width or 10_000) - fixed - 4 * _GAP
    while contact + origin > room and max(contact, origin) > _MIN_NAME:
        if contact > origin:
            contact -= 1
        else:
            origin -= 1
    return contact, origin


def summary_table(report: RunReport, width: int | None = None) -> Table:
    """One row per profile (and per contact skipped or suppressed), one line a row; names are cut
    before the status and the source counts when the row is wider than `width`."""
    rows: list[tuple[str, str, str, str, str]] = []
    for contact in report.contacts:
        label = _label(contact)
        for word, why in (("skipped", contact.skipped), ("suppressed", contact.suppressed)):
            if why:  # another run has the contact (agent.runner); on the do-not-enrich list (agent.store_privacy)
                rows.append((label, "", word, "", ""))  # why: in the notes under the table
                label = ""
        for profile in contact.profiles:
            rows.append(
                (
                    label,
                    profile.profile_source,
                    status_word(profile.status),
                    str(profile.profile_id or ""),
                    source_counts(profile),
                )
            )
            label = ""
    fixed = sum(
        max(len(head), *(len(row[i]) for row in rows)) if rows else len(head)
        for i, head in ((2, "status"), (3, "profile_id"), (4, "sources"))
    )
    contact_w, origin_w = _name_widths([r[0] for r in rows], [r[1] for r in rows], fixed, width)
    table = Table(
        title=f"run {report.run_id}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    table.add_column("contact", max_width=contact_w)
    table.add_column("origin", max_width=origin_w)
    table.add_column("status", no_wrap=True)
    table.add_column("profile_id", no_wrap=True, justify="right")
    table.add_column("sources")  # gives way last (a very narrow console): its cells end in an ellipsis
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    return table


def totals_line(report: RunReport) -> str:
    """'5 contacts, 12 profiles: 9 posted, 2 no_data, 1 mismatch' (most frequent first)."""
    statuses = Counter(status_word(p.status) for c in report.contacts for p in c.profiles)
    totals = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items(), key=lambda item: (-item[1], item[0])))
    n, m = len(report.contacts), sum(statuses.values())
    return f"{n} contact{'s' * (n != 1)}, {m} profile{'s' * (m != 1)}: {totals or 'none'}"


def most_complete(report: RunReport) -> tuple[ContactReport, ProfileReport] | None:
    """The profile with the most payload keys (then the most text), to show one payload of a run."""
    made = [(c, p) for c in report.contacts for p in c.profiles if p.payload]
    if not made:
        return None
    return max(made, key=lambda cp: (len(cp[1].payload or {}), len(json.dumps(cp[1].payload, default=str))))


def _value(value: Any) -> str:
    """A payload value as people read it: lists one item a line, flags as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(f"- {_value(item)}" for item in value)
    if isinstance(value, (dict, type(None))):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def print_payload(
    console: Console, contact: ContactReport, profile: ProfileReport, heading: str = "", said: Collection[str] = ()
) -> None:
    """A profile's heading, its payload as key/value lines that wrap at the console's width, and its
    warnings (but those in `said`, already printed under the summary table)."""
    where = f", profile_id {profile.profile_id}" if profile.profile_id else ""
    title = f"{heading}{_label(contact)} / {profile.profile_source} ({status_word(profile.status)}{where})"
    console.print()
    console.print(Text(title, style="bold"))
    if profile.payload:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="cyan")
        grid.add_column(overflow="fold")  # words wrap; a URL longer than the column folds
        for key, value in profile.payload.items():
            grid.add_row(Text(str(key)), Text(_value(value)))
        console.print(Padding(grid, (0, 0, 0, 2)))
    for warning in profile.warnings:
        if warning not in said:
            console.print(Padding(Text(f"warning: {warning}"), (0, 0, 0, 2)))


def print_summary(report: RunReport, *, show_payloads: bool = False, console: Console | None = None) -> None:
    """Print the summary table and the totals, then every payload (and warning) if asked."""
    console = console or make_console()
    console.print(summary_table(report, console.width))
    notes = _notes(report)
    for note in notes[:_MAX_NOTES]:  # the reasons the table has no room for, wrapped, never cut
        console.print(Padding(Text(note), (0, 0, 0, 2)))
    if len(notes) > _MAX_NOTES:
        console.print(Text(f"  and {len(notes) - _MAX_NOTES} more reasons (--json has every one)"))
    for row in report.skipped_rows:
        console.print(Text(f"skipped {row}"))
    console.print(Text(totals_line(report)))
    if show_payloads:
        for contact in report.contacts:
            for profile in contact.profiles:
                if profile.payload or profile.warnings:
                    print_payload(console, contact, profile, said=_why(profile))
