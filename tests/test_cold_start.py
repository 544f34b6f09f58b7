"""Cold start: parsing a saved page, listing the review queue or asking for help must not load Playwright
or the OpenAI client.

Each test runs the real CLI entry point in a fresh Python (the parent's sys.modules already holds
everything other tests imported) and reads back the top-level modules loaded when it finished.
Timings are for bench/, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "pages" / "company_home.html"
HEAVY = {"playwright", "openai"}

# Runs agent.cli.main in-process with the given argv, after importing the comma-separated modules in
# argv[1] (the control case), then prints the exit code, the CLI's stdout and the loaded top-level modules.
_CHILD = """
import contextlib, importlib, io, json, sys
for name in filter(None, sys.argv[1].split(",")):
    importlib.import_module(name)
from agent.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[2:])
    except SystemExit as exc:  # --help leaves through argparse's exit
        code = exc.code
print(json.dumps({"code": code, "stdout": out.getvalue(),
                  "modules": sorted({m.partition(".")[0] for m in sys.modules})}))
"""


def _run_cli(*argv: str, preload: str = "") -> dict:
    """Exit code, stdout and loaded top-level modules of one CLI run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, preload, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_extract_from_file_loads_neither_playwright_nor_openai():
    run = _run_cli("extract", "https://www.harbourlight.example/", "--from-file", str(PAGE), "--json")
    assert run["code"] == 0
    assert json.loads(run["stdout"])["outcome"] == "ok"
    assert "extractors" in run["modules"]  # the page really was parsed in that process
    assert HEAVY.isdisjoint(run["modules"]), sorted(HEAVY & set(run["modules"]))


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["extract", "--help"], ["post", "--help"], ["enrich", "--help"]],
    ids=["help", "extract-help", "post-help", "enrich-help"],
)
def test_help_loads_neither_playwright_nor_openai(argv):
    run = _run_cli(*argv)
    assert run["code"] == 0
    assert "zyntro-enrich" in run["stdout"]
    assert HEAVY.isdisjoint(run["modules"]), sorted(HEAVY & set(run["modules"]))


def test_review_list_loads_neither_playwright_nor_openai():
    run = _run_cli("review", "list", "--json")  # the state under this test's ZYNTRO_ENRICH_HOME
    assert run["code"] == 0
    json.loads(run["stdout"])  # it really listed the (empty) queue
    assert "agent" in run["modules"]
    assert HEAVY.isdisjoint(run["modules"]), sorted(HEAVY & set(run["modules"]))


def test_the_check_sees_playwright_when_it_is_loaded():
    """Control: the same probe notices Playwright once the fetch layer is imported."""
    run = _run_cli("--help", preload="agent.fetch")
    assert "playwright" in run["modules"]
