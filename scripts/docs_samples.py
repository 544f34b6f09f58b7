"""Generate the output samples in README.md and docs/*.md by running the real commands offline.

    .venv/bin/python scripts/docs_samples.py            # rewrite every sample in place
    .venv/bin/python scripts/docs_samples.py --check    # exit 1 listing the samples that drifted

A sample sits between `<!-- sample: NAME -->` and `<!-- /sample -->` in a Markdown file; everything
between the markers belongs to this script. Each sample runs the CLI in-process (`agent.cli.main`)
against one local Zyntro sandbox seeded with the demo contacts and the demo's pages replayed
(agent.demo), or parses the recorded pages in tests/pages/ (`extract --from-file`, the offline
condenser). No network, no LLM. The world is in docs_samples_world.py, the samples in
docs_samples_runs.py and docs_samples_pages.py. What changes from run to run is normalised so the text is stable:
run ids, dates and times, ports, temporary paths; log timestamps are left out.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the two modules beside this script

from docs_samples_runs import SAMPLES  # noqa: E402
from docs_samples_world import ROOT, world  # noqa: E402

__all__ = ["DOCS", "SAMPLES", "check", "collect", "main", "render_all", "replace_samples"]

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"(<!-- sample: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /sample -->)", re.S)


def collect(paths: list[Path]) -> dict[str, list[Path]]:
    """Which sample names each file holds."""
    found: dict[str, list[Path]] = {}
    for path in paths:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group("name"), []).append(path)
    return found


def render_all(names: set[str]) -> dict[str, str]:
    """Run the samples the files use, in SAMPLES order, in one world."""
    unknown = names - SAMPLES.keys()
    if unknown:
        raise SystemExit(f"docs_samples: no generator for sample(s) {', '.join(sorted(unknown))}")
    with world() as w:
        return {name: make(w) for name, make in SAMPLES.items() if name in names}


def replace_samples(text: str, rendered: dict[str, str]) -> str:
    def put(match: re.Match) -> str:
        return match.group(1) + rendered[match.group("name")] + match.group(4)

    return MARKER.sub(put, text)


def check(paths: list[Path] | None = None) -> list[str]:
    """The samples (file: name) whose text differs from what the commands print now."""
    paths = paths or DOCS
    rendered = render_all(set(collect(paths)))
    drifted = []
    for path in paths:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            if match.group("body") != rendered[match.group("name")]:
                drifted.append(f"{path.relative_to(ROOT)}: {match.group('name')}")
    return drifted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 listing drifted samples")
    args = parser.parse_args(argv)
    if args.check:
        drifted = check()
        for line in drifted:
            print(f"drifted: {line}")
        if drifted:
            print("run `.venv/bin/python scripts/docs_samples.py` and commit the docs", file=sys.stderr)
        return 1 if drifted else 0
    rendered = render_all(set(collect(DOCS)))
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = replace_samples(text, rendered)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
