"""The output samples in README.md and docs/*.md are what the commands print now (scripts/docs_samples.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_sample_matches_what_the_commands_print() -> None:
    # A separate process: the script runs the CLI in-process many times, with its own environment and cwd.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZYNTRO", "OPENAI"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_samples.py"), "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        "docs samples drifted; run `.venv/bin/python scripts/docs_samples.py` and commit the docs:\n"
        + done.stdout
        + done.stderr[-3000:]
    )


def test_every_sample_marker_has_a_generator() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import docs_samples
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    used = docs_samples.collect(docs_samples.DOCS)
    assert used, "no <!-- sample: NAME --> markers found in README.md or docs/*.md"
    assert set(used) <= set(docs_samples.SAMPLES), set(used) - set(docs_samples.SAMPLES)
    unused = set(docs_samples.SAMPLES) - set(used)
    assert not unused, f"generators whose sample no document shows: {sorted(unused)}"
