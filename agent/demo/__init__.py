"""The offline demo: bundled synthetic pages replayed at real-looking URLs, a local sandbox, a batch.

`agent/demo/site.json` maps each URL to a page in `agent/demo/pages/` (all people and companies
there are invented); `DEMO_CONTACTS` are the contacts the demo researches.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

__all__ = ["DEMO_CONTACTS", "PAGES_DIR", "demo_env", "write_replay_dir"]

PAGES_DIR = Path(__file__).parent / "pages"
SITE = Path(__file__).parent / "site.json"

# Each contact: identity hints and its public URLs. The sandbox creates the contacts at start.
DEMO_CONTACTS: list[dict[str, Any]] = [
    {
        "name": "Ada Quinlan",
        "email": "ada@quillmetrics.example",
        "company": "Quillmetrics",
        "urls": [
            "https://www.linkedin.com/in/ada-quinlan",
            "https://github.com/adaquinlan",
            "https://x.com/adaquinlan",
        ],
    },
    {
        "name": "Bruno Okafor",
        "email": "bruno@fernhollow.example",
        "company": "Fernhollow Labs",
        "urls": [
            "https://www.fernhollow.example/about",
            "https://www.linkedin.com/company/fernhollow-labs",
            "https://github.com/fernhollow",
        ],
    },
    {
        "name": "Chiara Valdes",
        "email": "chiara@valdes.example",
        "company": None,
        "urls": ["https://chiara-valdes.example/", "https://inkwell.example/@chiara/slow-maps"],
    },
    {
        "name": "Dmitri Osei",
        "email": "dmitri@northquay.example",
        "company": "Northquay",
        "urls": ["https://www.linkedin.com/in/dmitri-osei", "https://github.com/dosei"],
    },
    {
        "name": "Elena Marsh",
        "email": "elena@brightfold.example",
        "company": "Brightfold",
        "urls": ["https://github.com/emarsh", "https://www.brightfold.example/team/elena-marsh"],
    },
]


def write_replay_dir(target: Path) -> Path:
    """Lay out the bundled pages as a replay directory (index.json + files) under `target`."""
    target.mkdir(parents=True, exist_ok=True)
    site = json.loads(SITE.read_text())
    index: dict[str, dict[str, Any]] = {}
    for url, entry in site.items():
        entry = dict(entry)
        if "file" in entry:
            shutil.copyfile(PAGES_DIR / entry["file"], target / entry["file"])
        else:  # inline text, e.g. robots.txt
            name = f"inline-{len(index)}.txt"
            (target / name).write_text(entry.pop("text"))
            entry["file"] = name
        index[url] = entry
    (target / "index.json").write_text(json.dumps(index, indent=1))
    return target


def demo_env(work: Path) -> dict[str, str]:
    """Variables that run the CLI on the demo pages offline: replayed under `work`, state in `work`/home.

    The replayed linkedin.com and x.com robots.txt disallow crawlers, as the real ones do; the demo
    overrides them the way an operator would. Add a sandbox's `settings_env()` for Zyntro.
    """
    return {
        "ZYNTRO_ENRICH_REPLAY_DIR": str(write_replay_dir(work / "replay")),
        "ZYNTRO_ENRICH_DELAY": "0",
        "ZYNTRO_ENRICH_ROBOTS_OVERRIDE": "linkedin.com,x.com",
        "ZYNTRO_ENRICH_LLM": "offline",
        "ZYNTRO_ENRICH_HOME": str(work / "home"),
    }
