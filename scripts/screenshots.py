"""Screenshots of the review pages for the README, made from the offline demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/images]

Starts a sandbox with the demo contacts, replays the bundled demo pages, enriches every contact with
--review into a temporary home, decides a few drafts, then runs `serve`'s app in-process, signs in
with headless Chromium and saves 1280px-wide PNGs: review-queue.png, review-draft.png (provenance and
the diff with the last posted profile), review-edit.png (an edit refused with the rules it breaks)
and review-activity.png. Nothing outside the temporary directory and --out is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

__all__ = ["main"]

TOKEN = "screenshot-token"
WIDTH = 1280
# The fetch layer's Chromium resolves no name at all (its route handler serves every request, see
# agent.fetch.browser); these pages are on loopback, so this browser may resolve (the last flag wins).
LOOPBACK_ARGS = ("--host-resolver-rules=MAP review.invalid ~NOTFOUND", "--blink-settings=imagesEnabled=true")


def _demo_state(tmp: Path, sandbox: Any) -> dict[str, dict[str, int]]:
    """Enrich every demo contact with --review; {name: {profile_source: draft_id}}."""
    from agent.cli import main as cli
    from agent.demo import DEMO_CONTACTS, demo_env

    os.environ.update(sandbox.settings_env())
    os.environ.update(demo_env(tmp))
    queued: dict[str, dict[str, int]] = {}
    for spec in DEMO_CONTACTS:
        hints = {k: spec[k] for k in ("name", "email", "company") if spec.get(k)}
        cid = sandbox.add_contact(**hints)
        args = [a for k, v in hints.items() for a in (f"--{k}", v)]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            cli(["enrich", *spec["urls"], "--contact-id", cid, *args, "--review", "--json"])
        profiles = json.loads(out.getvalue())["contacts"][0]["profiles"]
        queued[spec["name"]] = {p["profile_source"]: p["draft_id"] for p in profiles if p.get("draft_id")}
    return queued


def _decide_some(settings: Any, store: Any, queued: dict[str, dict[str, int]]) -> int:
    """Approve and reject a few drafts; queue a later LinkedIn draft for Ada to show a diff. Returns its id."""
    from agent.review import service

    ada = queued["Ada Quinlan"]
    asyncio.run(service.approve(settings, store, [ada["LinkedIn"]], actor="Ana Reviewer", note="checked the page"))
    if "Twitter" in ada:
        service.reject(store, [ada["Twitter"]], actor="Ana Reviewer", note="personal account, not professional")
    # A later refresh found a new headline and more followers: the draft waiting now is compared with the post.
    row = store.draft(ada["LinkedIn"])
    payload = {
        **row["draft"].payload,
        "followers_count": 1342,
        "headline": "Head of Data Platform at Quillmetrics · streaming and lakehouse",
    }
    later = row["draft"].model_copy(update={"payload": payload})
    from agent.models import payload_hash

    return store.save_draft("refresh-demo", later, payload_hash(payload), "queued_for_review")


class _Server:
    """`serve`'s app on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.started = threading.Event()
        original = self.server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets=sockets)
            self.started.set()

        self.server.startup = startup  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        if not self.started.wait(30):
            raise SystemExit("the review server did not start")
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


async def _shoot(url: str, later_id: int, queued: dict[str, dict[str, int]], out: Path) -> list[Path]:
    from agent.fetch import BrowserPool

    written = []
    async with (
        BrowserPool(extra_args=LOOPBACK_ARGS) as pool,
        pool.context(viewport={"width": WIDTH, "height": 900}) as context,
    ):
        page = await context.new_page()
        await page.goto(url + "/signin")
        await page.fill("#who", "Ana Reviewer")
        await page.fill("#token", TOKEN)
        await page.click("button[type=submit]")
        await page.wait_for_url(url + "/")

        async def save(name: str) -> None:
            path = out / name
            await page.screenshot(path=str(path), full_page=True)
            written.append(path)

        await save("review-queue.png")
        await page.goto(f"{url}/drafts/{later_id}")
        await save("review-draft.png")
        draft_id = queued["Bruno Okafor"].get("GitHub") or later_id
        await page.goto(f"{url}/drafts/{draft_id}/edit")
        await page.check("input[aria-label='remove summary']")
        await page.fill("input[name=new_key0]", "info")
        await page.fill("textarea[name=new_value0]", "likes sensors")
        await page.fill("input[name=note]", "tidying up")
        await page.click("button:has-text('Save edit')")
        await page.wait_for_selector(".flash.error")
        await save("review-edit.png")
        await page.goto(url + "/")  # approve two drafts together, so the activity has more to show
        for draft_id in queued["Chiara Valdes"].values():
            await page.check(f"input[name=id][value='{draft_id}']")
        await page.fill("input[name=note]", "both pages are hers")
        await page.click("button:has-text('Approve selected')")
        await page.wait_for_selector("table.results")
        await page.goto(f"{url}/activity")
        await save("review-activity.png")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the demo's own notices (robots overrides, a fresh state) are not news here
    args.out.mkdir(parents=True, exist_ok=True)

    from agent.config import load_settings
    from agent.review.state import token_digest
    from agent.review.web import create_app
    from agent.store import Store
    from agent.store_review import server_key
    from agent.zyntro.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with Sandbox(db_path=tmp / "sandbox.sqlite3", port=0) as sandbox:
            queued = _demo_state(tmp, sandbox)
            settings = load_settings()
            with Store.for_settings(settings) as store:
                later_id = _decide_some(settings, store, queued)
                session_key, _ = server_key(store, "session_key")
                app = create_app(settings, store, token_digest(TOKEN), session_key, worker=False)
                with _Server(app) as url:
                    written = asyncio.run(_shoot(url, later_id, queued, args.out))
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
