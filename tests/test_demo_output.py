"""Output for people fits an 80-column terminal (#13): the demo's summary and one payload, tables that cut
with an ellipsis instead of wrapping, source counts that say what they counted, no per-page log chatter."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

from agent.cli import main
from agent.models import Identity, Outcome, ProfileStatus
from agent.render import print_payload, print_summary, source_counts
from agent.reports import ContactReport, ProfileReport, RunReport, SourceReport

MAX_DEMO_LINES = 60


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_demo_fits_80_columns_when_piped_and_shows_one_payload(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # stdout is captured: a pipe, as `demo | less` would be
    assert main(["demo"]) == 0
    captured = capsys.readouterr()
    lines = _lines(captured.out)
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    assert len(lines) < MAX_DEMO_LINES, captured.out
    # The summary: every contact, short status words, counts that say what they counted, the reasons.
    for name in ("Ada Quinlan", "Bruno Okafor", "Chiara Valdes", "Dmitri Osei", "Elena Marsh"):
        assert name in captured.out
    row = {line.split()[0] + " " + line.split()[1]: line for line in lines if line.startswith(("Dmitri", "Elena"))}
    assert row["Dmitri Osei"].rstrip().endswith("1 failed (login_wall)")
    assert "mismatch" in row["Elena Marsh"] and row["Elena Marsh"].rstrip().endswith("1 set aside")
    assert "Elena Marsh / GitHub: set aside: the page is about 'Evan Marshall'" in captured.out
    assert "5 contacts, 12 profiles: 9 posted, 2 no_data, 1 mismatch" in captured.out
    # One payload, the most complete one, then where the others are.
    assert captured.out.count("the most complete payload: ") == 1
    assert "the most complete payload: Bruno Okafor / Company Website (posted, profile_id" in captured.out
    assert "8 more payloads and the sandbox's records: zyntro-enrich demo --all-payloads" in captured.out
    assert "sandbox: 9 profile records" in captured.out
    # stderr: the demo's two lines and the progress bar, no per-page robots.txt records, no v1 warning.
    assert "robots.txt disallows" not in captured.err and "DUPLICATES" not in captured.err
    assert "robots.txt of linkedin.com and x.com overridden" in captured.err


def test_demo_all_payloads_shows_every_payload_and_the_sandbox_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["demo", "--all-payloads"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in _lines(out)) <= 80
    assert "the most complete payload" not in out
    for heading in (
        "Ada Quinlan / LinkedIn (posted",
        "Ada Quinlan / Twitter (posted",
        "Dmitri Osei / GitHub (posted",
        "Elena Marsh / GitHub (mismatch)",
        "Chiara Valdes / Inkwell (posted",
    ):
        assert heading in out
    assert "what the sandbox stored (addProfileToContact records)" in out


def test_demo_help_documents_all_payloads(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--all-payloads" in out and "most complete payload" in out


def test_the_real_cli_at_narrow_widths_never_writes_past_the_edge(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZYNTRO", "OPENAI"))}
    env["ZYNTRO_ENRICH_HOME"] = str(tmp_path / "home")
    for width in (80, 60):
        proc = subprocess.run(
            [sys.executable, "-m", "agent.cli", "demo"],
            env={**env, "COLUMNS": str(width)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = _lines(proc.stdout)
        assert max(len(line) for line in lines) <= width, proc.stdout
        assert len(lines) < MAX_DEMO_LINES
        assert "…" in proc.stdout if width == 60 else True  # names and counts are cut, not wrapped


def _profile(**kw) -> ProfileReport:
    return ProfileReport(**{"profile_source": "GitHub", **kw})


def test_a_source_set_aside_is_counted_as_set_aside_not_ok():
    ours = SourceReport(
        url="https://github.com/dosei",
        outcome=Outcome.ok,
        identity=Identity(score=1.0, matched=True, reason="name matches"),
    )
    someone_else = SourceReport(
        url="https://github.com/emarsh",
        outcome=Outcome.ok,
        identity=Identity(score=0.0, matched=False, reason="the page is about 'Evan Marshall'"),
    )
    untied = SourceReport(
        url="https://github.com/anon",
        outcome=Outcome.ok,
        identity=Identity(score=0.0, matched=None, reason="no hint to compare"),
    )
    walled = SourceReport(url="https://www.linkedin.com/in/x", outcome=Outcome.login_wall, reason="login page")
    profile = _profile(
        status=ProfileStatus.posted,
        sources=[ours, someone_else, untied, walled],
        warnings=[
            "left out (about someone else) https://github.com/emarsh: the page is about 'Evan Marshall'",
            "left out (nothing ties it to the contact) https://github.com/anon",
        ],
    )
    assert profile.set_aside() == {"https://github.com/emarsh": "someone else", "https://github.com/anon": "not tied"}
    assert source_counts(profile) == "1 ok, 2 set aside, 1 failed (login_wall)"
    assert source_counts(_profile(status=ProfileStatus.no_data, sources=[walled])) == "1 failed (login_wall)"
    assert source_counts(_profile(status=ProfileStatus.identity_mismatch, sources=[someone_else])) == "1 set aside"
    assert source_counts(_profile(status=ProfileStatus.posted, sources=[ours])) == "1 ok"
    assert "set_aside" not in profile.model_dump()  # --json is unchanged


def test_the_enrich_summary_counts_a_page_about_someone_else_as_set_aside(demo_world, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    cid = demo_world.contacts["Dmitri Osei"]
    assert (
        main(
            [
                "enrich",
                "https://github.com/dosei",
                "https://github.com/emarsh",
                "--contact-id",
                cid,
                "--name",
                "Dmitri Osei",
                "--dry-run",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    (row,) = [line for line in _lines(out) if line.startswith("Dmitri Osei ") and "/" not in line]
    assert "dry_run" in row and row.rstrip().endswith("1 ok, 1 set aside")
    assert "Dmitri Osei / GitHub: left out (about someone else) https://github.com/emarsh" in out
    assert max(len(line) for line in _lines(out)) <= 80


def _console(width: int = 80) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, highlight=False, color_system=None), buffer


def test_long_names_end_in_an_ellipsis_and_rows_stay_on_one_line():
    profile = _profile(
        status=ProfileStatus.identity_mismatch,
        profile_source="a-very-long-origin-name.example.org",
        sources=[SourceReport(url="https://x.example/", outcome=Outcome.not_found, reason="HTTP 404")],
    )
    report = RunReport(
        run_id="r1",
        contacts=[
            ContactReport(
                contact_id="c" * 36, name="Maximilian Alexander Featherstonehaugh-Wolfeschlegel", profiles=[profile]
            )
        ],
    )
    console, buffer = _console()
    print_summary(report, console=console)
    lines = _lines(buffer.getvalue())
    assert max(len(line) for line in lines) <= 80
    (row,) = [line for line in lines if line.startswith("Maximilian")]
    assert "…" in row and "mismatch" in row and "1 failed (not_found)" in row


def test_page_text_is_printed_as_text_never_as_markup():
    profile = _profile(
        status=ProfileStatus.dry_run,
        payload={
            "summary": "[bold red]pwned[/] [link=http://x]y[/link]",
            "followers_count": 3,
            "open_to_work": True,
            "products": ["[i]a[/i]", "b"],
        },
    )
    contact = ContactReport(contact_id="c1", name="[blink]Eve[/blink]", profiles=[profile])
    console, buffer = _console()
    print_payload(console, contact, profile)
    out = buffer.getvalue()
    assert "[bold red]pwned[/] [link=http://x]y[/link]" in out and "[blink]Eve[/blink]" in out
    assert "- [i]a[/i]" in out and "true" in out and "3" in out
