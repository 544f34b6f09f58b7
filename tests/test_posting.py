"""Posting never stores a profile twice: lost answers, 5xx after storing, concurrent runs, stale drafts."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from uuid import uuid4

from agent.cli import main
from agent.models import ProfileDraft, payload_hash
from agent.pipeline import RunContext
from agent.posting import post_draft
from agent.reports import ProfileReport
from agent.store import Store

GITHUB = ["https://github.com/dosei"]


def _enrich(capsys, cid, *extra):
    code = main(["enrich", *GITHUB, "--contact-id", cid, "--name", "Dmitri Osei", "--json", *extra])
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    return code, profile


def test_a_5xx_after_storing_is_unknown_and_never_reposted(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    demo_world.sandbox.faults.push("status", status=502, after=True)  # stored, then a proxy error
    code, profile = _enrich(capsys, cid)
    assert (code, profile["status"]) == (1, "unknown")
    code, profile = _enrich(capsys, cid)
    assert profile["status"] == "unknown" and "--repost-unknown" in profile["warnings"][0]
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_v2_settles_a_lost_answer_and_repost_unknown_reads_back_first(demo_world, capsys, monkeypatch):
    for key, value in demo_world.sandbox.settings_env("v2").items():
        monkeypatch.setenv(key, value)
    home = Path(demo_world.env["ZYNTRO_ENRICH_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[zyntro]\nreconcile_grace_s = 0\n")
    cid = demo_world.contacts["Dmitri Osei"]
    demo_world.sandbox.faults.push("drop", after=True, path="addProfileToContact")  # stored, answer lost
    assert _enrich(capsys, cid)[1]["status"] == "unknown"
    code, profile = _enrich(capsys, cid, "--repost-unknown")  # read back first: it is there, nothing re-sent
    assert (code, profile["status"]) == (0, "unchanged")
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}

    demo_world.sandbox.faults.push("drop", after=False, path="addProfileToContact")  # lost before storing
    page = Path(demo_world.env["ZYNTRO_ENRICH_REPLAY_DIR"]) / "gh_dosei.html"
    page.write_text(page.read_text().replace("1,093", "1,200"))
    assert _enrich(capsys, cid)[1]["status"] == "unknown"
    code, profile = _enrich(capsys, cid)  # read back: not there, so it is posted now, once
    assert (code, profile["status"]) == (0, "posted")
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 2}


class _ReadBack:
    """A Zyntro whose fetchContact shows stored profiles in a given shape (it is undocumented)."""

    def __init__(self, profiles):
        self.profiles, self.posted = profiles, 0

    async def fetch_contact(self, contact_id, include_profile=False):
        return {"data": {"contact_id": contact_id, "profile": self.profiles}}

    async def add_profile(self, contact_id, source, payload, on_attempt=None):
        self.posted += 1
        return 99


def _lost_post(store: Store, draft: ProfileDraft, posted_before: int | None = None) -> None:
    cid = str(draft.contact_id)
    if posted_before is not None:  # an older profile of this origin we know Zyntro holds
        old = store.claim_posting("r0", cid, draft.profile_source, "older", None, 1)
        store.end_posting(old, "posted", profile_id=posted_before)
    pid = store.claim_posting("r1", cid, draft.profile_source, payload_hash(draft.payload), None, 2**22 + 7)
    store.end_posting(pid, "unknown", message="timeout after sending")


def _settle(tmp_path: Path, draft: ProfileDraft, zyntro: _ReadBack, posted_before: int | None = None) -> str:
    with Store(tmp_path / "s.sqlite3") as store:
        _lost_post(store, draft, posted_before)
        ctx = RunContext(
            store=store,
            fetcher=None,
            condenser=None,
            zyntro=zyntro,
            run_id="r2",
            can_read_profiles=True,
            reconcile_grace_s=0,
        )
        report = ProfileReport(profile_source=draft.profile_source, status="queued_for_review")
        asyncio.run(post_draft(ctx, draft, report))
        return report.status.value


def _draft(**payload) -> ProfileDraft:
    payload = {
        "summary": "Dmitri Osei builds routing software at Northquay & Co.",
        **payload,
        "source_url": "https://github.com/dosei",
        "retrieved_at": "2026-11-27",
    }
    return ProfileDraft(contact_id=uuid4(), profile_source="GitHub", payload=payload)


def test_read_back_recognises_escaped_or_string_payloads(tmp_path):
    draft = _draft()
    escaped = json.loads(json.dumps(draft.payload).replace("&", "&amp;"))
    for shape in (json.dumps(draft.payload), escaped):
        zyntro = _ReadBack([{"profile_id": 7, "profile_source": "GitHub", "profile_payload": shape}])
        assert _settle(tmp_path / str(id(shape)), draft, zyntro) == "unchanged"
        assert zyntro.posted == 0


def test_read_back_never_takes_an_older_record_for_the_lost_one(tmp_path):
    draft = _draft()
    # Zyntro holds the same content as an OLD record (7); our newest confirmed post is 8; the lost one is not there.
    zyntro = _ReadBack(
        [
            {"profile_id": 7, "profile_source": "GitHub", "profile_payload": draft.payload},
            {"profile_id": 8, "profile_source": "GitHub", "profile_payload": {"summary": "newer"}},
        ]
    )
    assert _settle(tmp_path, draft, zyntro, posted_before=8) == "posted"
    assert zyntro.posted == 1  # not stored after 8, so it is sent now


def test_a_post_in_flight_in_another_process_is_not_sent_again(tmp_path):
    draft = _draft()
    with Store(tmp_path / "s.sqlite3") as store:
        store.claim_posting("other", str(draft.contact_id), "GitHub", payload_hash(draft.payload), None, os.getppid())
        zyntro = _ReadBack([])
        ctx = RunContext(store=store, fetcher=None, condenser=None, zyntro=zyntro, run_id="mine")
        report = ProfileReport(profile_source="GitHub", status="queued_for_review")
        asyncio.run(post_draft(ctx, draft, report))
    assert report.status.value == "failed" and "is posting this profile right now" in report.warnings[0]
    assert zyntro.posted == 0


def test_stale_review_drafts_are_retired(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    old = _enrich(capsys, cid, "--review")[1]["draft_id"]
    assert _enrich(capsys, cid, "--review")[1]["draft_id"] == old  # the same draft is not queued twice
    page = Path(demo_world.env["ZYNTRO_ENRICH_REPLAY_DIR"]) / "gh_dosei.html"
    page.write_text(page.read_text().replace("1,093", "1,200"))
    new = _enrich(capsys, cid, "--review")[1]["draft_id"]
    assert new != old
    assert main(["review", "approve", str(old)]) == 2  # superseded by the newer draft
    assert "superseded" in capsys.readouterr().err
    assert main(["review", "approve", str(new)]) == 0
    capsys.readouterr()
    assert _enrich(capsys, cid)[1]["status"] == "unchanged"  # what was approved is what Zyntro holds
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_a_failed_approval_can_be_rejected(demo_world, capsys, monkeypatch):
    cid = demo_world.contacts["Dmitri Osei"]
    draft = _enrich(capsys, cid, "--review")[1]["draft_id"]
    monkeypatch.setenv("ZYNTRO_API_KEY", "sbx_wrong")
    assert main(["review", "approve", str(draft)]) == 1
    assert main(["review", "reject", str(draft), "--note", "changed my mind"]) == 0
    assert sum(demo_world.stored().values()) == 0
