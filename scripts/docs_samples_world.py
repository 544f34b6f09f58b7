"""The world the docs samples run in: one local Zyntro sandbox, the demo pages replayed, the CLI in-process.

Used by scripts/docs_samples.py (see there). `World.cli` runs `zyntro-enrich ARGV` in this process with
the world's environment and captures stdout and stderr; `World.normalise` makes the text stable (no
log timestamps; fixed dates, ports, temporary paths and run ids); `shell` renders a transcript.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import shlex
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.zyntro.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # agent, extractors and tests.support, also when run from elsewhere

__all__ = ["DOC_DATE", "NO_HINTS", "RETRIEVED_AT", "ROOT", "Result", "World", "fence", "shell", "world"]

DOC_DATE = "2026-11-27"  # every date a sample shows; the real runs use today's
RETRIEVED_AT = datetime.date(2025, 1, 2)  # offline payload samples: a fixed retrieval date
NO_HINTS = uuid.UUID("3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f")
_LOG_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ", re.M)
_PORT = re.compile(r"(127\.0\.0\.1|localhost):\d{2,5}")


@dataclass
class Result:
    argv: list[str]
    code: int
    out: str
    err: str


@dataclass
class World:
    """One sandbox with the demo contacts, the demo pages replayed, and the environment the CLI reads."""

    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)  # name -> contact_id
    sandbox: Any = None  # agent.zyntro.sandbox.Sandbox, imported only when the world starts
    run_ids: dict[str, str] = field(default_factory=dict)
    banner: str = ""

    def cli(self, *argv: str, env: dict[str, str] | None = None, raw: bool = False) -> Result:
        """Run `zyntro-enrich ARGV` in this process with the world's environment; capture both streams."""
        from agent.cli import main as cli_main

        out, err = io.StringIO(), io.StringIO()
        saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
        try:
            os.environ.clear()
            os.environ.update({"PATH": saved_env.get("PATH", ""), "USER": "ana", "LANG": "C.UTF-8"})
            os.environ.update(self.env)
            os.environ.update(env or {})
            os.chdir(self.tmp)
            sys.stdin = io.StringIO("")  # nothing asks, nothing waits
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli_main(list(argv))
                except SystemExit as stop:  # argparse
                    code = int(stop.code or 0)
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
            sys.stdin = saved_stdin
        if raw:
            return Result(list(argv), code, out.getvalue(), err.getvalue())
        return Result(list(argv), code, self.normalise(out.getvalue()), self.normalise(err.getvalue()))

    def normalise(self, text: str) -> str:
        """Stable text: no log timestamps, fixed dates, ports, paths and run ids."""
        text = _LOG_TS.sub("", text)
        text = text.replace(str(self.tmp), "/tmp/docs")
        text = re.sub(r"/tmp/zyntro-enrich-demo-[A-Za-z0-9_]+", "/tmp/zyntro-enrich-demo-x1y2z3", text)
        text = _PORT.sub(r"\1:8765", text)
        text = text.replace(datetime.date.today().isoformat(), DOC_DATE)
        text = re.sub(r"\b\d\d-\d\d \d\d:\d\d\b", "11-27 10:39", text)  # review activity's "at (UTC)"

        def run_id(found: re.Match) -> str:
            fake = self.run_ids.setdefault(found.group(2), f"{len(self.run_ids) + 1:04d}5e1966ff")
            return found.group(1) + fake

        text = re.sub(r'(\brun |"run_id": ")([0-9a-f]{12})\b', run_id, text)
        text = re.sub(r"\brun [0-9a-f]{6,11}…", "run 00015e19…", text)  # a run id cut to fit a column
        return "\n".join(line.rstrip() for line in text.split("\n"))

    def write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path


@contextlib.contextmanager
def world() -> Iterator[World]:
    """The shared sandbox (a file database in a temp dir) with the demo contacts at the demo's fixed ids."""
    from agent.commands.demo import DEMO_NAMESPACE  # the demo's contact ids, so samples name the same people
    from agent.demo import DEMO_CONTACTS, demo_env
    from agent.zyntro.sandbox import Sandbox

    with tempfile.TemporaryDirectory(prefix="zyntro-docs-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "home").mkdir()
        with Sandbox(db_path=tmp / "sandbox.sqlite3", port=0) as sandbox:
            w = World(tmp=tmp, sandbox=sandbox)
            w.banner = _banner(sandbox)  # before the demo contacts are added
            for spec in DEMO_CONTACTS:
                hints = {k: spec[k] for k in ("name", "email", "company") if spec.get(k)}
                cid = str(uuid.uuid5(DEMO_NAMESPACE, spec["name"]))
                w.contacts[spec["name"]] = sandbox.add_contact(contact_id=cid, **hints)
            w.env = dict(sandbox.settings_env())
            w.env.update(demo_env(tmp))
            yield w


def _banner(sandbox: Sandbox) -> str:
    from agent.commands.sandbox import banner

    return "\n".join(banner(sandbox))


# --- rendering --------------------------------------------------------------------------------------


def shell(result: Result, *, shown: str | None = None, logs: bool = False) -> str:
    """A transcript: `$ command`, stderr (errors; log lines only when `logs`), stdout, `(exit N)` unless 0."""
    command = shown or "zyntro-enrich " + " ".join(shlex.quote(a) for a in result.argv)
    lines = [f"$ {command}"]
    for line in result.err.splitlines():
        is_log = re.match(r"^(DEBUG|INFO|WARNING|ERROR) \S+: ", line) is not None
        if "━" in line or (is_log and not logs):  # the progress bar's last frame, log records
            continue
        lines.append(line)
    lines += result.out.rstrip("\n").splitlines() if result.out.strip() else []
    if result.code:
        lines.append(f"(exit {result.code})")
    return "\n".join(lines)


def fence(text: str, lang: str = "") -> str:
    return f"```{lang}\n{text.rstrip()}\n```\n"
