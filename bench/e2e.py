"""End-to-end benchmark: N contacts x 3 sources over replayed pages, offline condenser, local sandbox.

Each contact has a GitHub page and a personal site (plain HTTP) and an x.com profile that only
JavaScript renders (the browser). Every replayed response waits --latency seconds (default 0.1).
Politeness delays are off for these hosts: they are not real sites, the bench measures the agent.

    .venv/bin/python bench/e2e.py [--contacts 500] [--concurrency 16] [--latency 0.1]

Prints contacts/min, pages/s, the engine mix, peak memory of the whole process tree (Python and every
Chromium process, RSS summed, sampled every 100 ms), leftover processes, and whether the sandbox
stored exactly the expected posts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.batch import BatchItem  # noqa: E402
from agent.config import load_settings  # noqa: E402
from agent.demo import PAGES_DIR  # noqa: E402
from agent.models import Contact  # noqa: E402
from agent.runner import Options, run_items  # noqa: E402
from agent.zyntro.sandbox import Sandbox  # noqa: E402
from bench.proctree import TreeSampler, leftovers  # noqa: E402


def build_site(root: Path, n: int) -> list[tuple[str, str, list[str]]]:
    """Write n people's pages as a replay directory; returns (name, email, urls) per contact."""
    gh = (PAGES_DIR / "gh_dosei.html").read_text()
    x = (PAGES_DIR / "x_adaquinlan.html").read_text()
    home = (PAGES_DIR / "chiara_home.html").read_text()
    index, people = {}, []
    for i in range(n):
        name = f"Dmitri Osei{i:04d}"
        files = {
            f"https://github.com/dosei{i}": ("gh", gh.replace("Dmitri Osei", name).replace("dosei", f"dosei{i}")),
            f"https://x.com/dosei{i}": ("x", x.replace("Ada Quinlan", name).replace("adaquinlan", f"dosei{i}")),
            f"https://dosei{i}.example/": ("home", home.replace("Chiara Valdes", name)),
        }
        for url, (kind, html) in files.items():
            file = f"{kind}-{i}.html"
            (root / file).write_text(html)
            index[url] = {"file": file, "status": 200}
        people.append((name, f"dmitri{i}@northquay.example", list(files)))
    (root / "index.json").write_text(json.dumps(index))
    return people


async def bench(args: argparse.Namespace, work: Path) -> dict:
    replay = work / "replay"
    replay.mkdir()
    people = build_site(replay, args.contacts)
    with Sandbox(db_path=work / "sandbox.sqlite3", port=0) as sandbox:
        items = []
        for name, email, urls in people:
            cid = sandbox.add_contact(name=name, email=email)
            items.append(BatchItem(contact=Contact(contact_id=cid, name=name, email=email), urls=urls))
        env = {**sandbox.settings_env(), "ZYNTRO_ENRICH_HOME": str(work / "home")}
        settings = load_settings(
            env=env,
            overrides={
                "llm": {"mode": "offline"},
                "fetch": {
                    "replay_dir": str(replay),
                    "replay_latency_s": args.latency,
                    "delay_s": 0.0,
                    "concurrency": args.fetch_concurrency,
                    "per_host_concurrency": args.fetch_concurrency,
                },
            },
        )
        with TreeSampler(exclude=set()) as sampler:
            started = time.perf_counter()
            report = await run_items(items, settings, Options(concurrency=args.concurrency, progress=False))
            elapsed = time.perf_counter() - started
        peak = sampler.peak_rss * 1024
        stored = len(sandbox.profiles())
    engines: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for contact in report.contacts:
        for profile in contact.profiles:
            statuses[profile.status.value] += 1
            for source in profile.sources:
                engines[source.engine or "none"] += 1
    expected = args.contacts * 3
    return {
        "contacts": args.contacts,
        "seconds": round(elapsed, 1),
        "contacts_per_min": round(args.contacts / elapsed * 60, 1),
        "pages_per_s": round(sum(engines.values()) / elapsed, 1),
        "engines": dict(engines),
        "statuses": dict(statuses),
        "peak_mb": round(peak / 2**20),
        "leftover_processes": leftovers(set()),
        "posts": stored,
        "expected_posts": expected,
        "posts_ok": stored == expected == statuses.get("posted", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16, help="contacts in flight")
    parser.add_argument("--fetch-concurrency", type=int, default=12, help="pages in flight")
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        result = asyncio.run(bench(args, Path(tmp)))
    print("| contacts | seconds | contacts/min | pages/s | engine mix | peak memory | leftover processes | posts |")
    print("|---|---|---|---|---|---|---|---|")
    mix = ", ".join(f"{k} {v}" for k, v in sorted(result["engines"].items()))
    posts = f"{result['posts']}/{result['expected_posts']} {'ok' if result['posts_ok'] else 'MISMATCH'}"
    print(
        f"| {result['contacts']} | {result['seconds']} | {result['contacts_per_min']} | {result['pages_per_s']} "
        f"| {mix} | {result['peak_mb']} MB | {result['leftover_processes']} | {posts} |"
    )
    if not result["posts_ok"]:
        print("statuses:", result["statuses"], file=sys.stderr)


if __name__ == "__main__":
    main()
