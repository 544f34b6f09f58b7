"""Resuming after a crash: what certainly was not stored is posted on resume, and only that."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent.cli import main
from agent.store import Store

CLI = [sys.executable, "-m", "agent.cli"]


def _rows(path: Path, cids: list[str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"contact_id": cid, "name": "Dmitri Osei", "urls": ["https://github.com/dosei"]}) + "\n"
            for cid in cids
        )
    )
    return path


def test_a_kill_during_the_429_back_off_is_posted_on_resume(demo_world, tmp_path, capsys):
    # v1: a 429 proves nothing was stored. The first contact's post meets a 429 whose Retry-After is
    # past the retry budget (failed, nothing stored); the run is killed while the second contact's
    # post waits out its Retry-After. Resuming posts both, once.
    first, second = demo_world.contacts["Dmitri Osei"], demo_world.sandbox.add_contact(name="Dmitri Osei")
    batch = _rows(tmp_path / "two.jsonl", [first, second])
    demo_world.sandbox.faults.push("status", status=429, retry_after="3600", path="addProfileToContact")
    demo_world.sandbox.faults.push("status", status=429, retry_after="30", path="addProfileToContact")
    args = ["enrich", "--batch", str(batch), "--concurrency", "1", "--no-progress", "--json"]
    proc = subprocess.Popen(
        [*CLI, *args], env=demo_world.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        seen = []
        for line in proc.stderr:  # the client logs the wait only after recording that nothing was stored
            seen.append(line)
            if "retrying in" in line:
                break
        assert "retrying in" in "".join(seen), "".join(seen)
    finally:
        proc.kill()
        proc.wait(timeout=120)
    assert sum(demo_world.stored().values()) == 0

    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["profiles"][0]["status"] for c in out["contacts"]] == ["posted", "posted"]
    assert sorted(str(p["contact_id"]) for p in demo_world.sandbox.profiles()) == sorted([first, second])
    with Store(Path(demo_world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3") as store:
        assert [p["state"] for p in store.postings(first)] == ["failed", "posted"]
        interrupted, posted = store.postings(second)
    assert (interrupted["state"], posted["state"]) == ("failed", "posted")
    assert "ended while waiting to retry" in interrupted["message"]


def test_two_runs_of_one_batch_started_together_split_it(demo_world, tmp_path):
    sb = demo_world.sandbox
    cids = [sb.add_contact(name="Dmitri Osei", email=f"d{i}@northquay.example") for i in range(4)]
    batch = _rows(tmp_path / "four.jsonl", cids)
    args = [*CLI, "enrich", "--batch", str(batch), "--concurrency", "2", "--no-progress", "--json"]
    sb.faults.hold()  # every post waits: each run holds two contacts in flight at once
    procs = [
        subprocess.Popen(args, env=demo_world.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        all_in_flight = sb.faults.wait_held(4, timeout=120)
    finally:
        sb.faults.release()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all_in_flight, [err for _, err in outs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    reports = [json.loads(out) for out, _ in outs]
    assert reports[0]["run_id"] != reports[1]["run_id"]
    for cid in cids:
        mine = [c for r in reports for c in r["contacts"] if c["contact_id"] == cid]
        done = [c for c in mine if not c.get("skipped")]
        skipped = [c for c in mine if c.get("skipped")]
        assert len(done) == 1 and [p["status"] for p in done[0]["profiles"]] == ["posted"], mine
        assert len(skipped) == 1 and "run " in skipped[0]["skipped"], mine
    assert sorted(str(p["contact_id"]) for p in sb.profiles()) == sorted(cids)  # each stored once
    with Store(Path(demo_world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3") as store:
        fetched = [s["contact_id"] for cid in cids for s in store.sources(cid)]
    assert sorted(fetched) == sorted(cids)  # each contact's page fetched by one run only
