"""Circuit breakers (#11), end to end through the CLI against the sandbox and the fake LLM server: a Zyntro
auth or ownership error stops the run at once; LLM failures in a row stop it or switch it to the offline
condenser; a streak of Zyntro 5xx pauses posting. A breaker exits 3 and says which, why and what is undone."""

from __future__ import annotations

import json
import uuid

import pytest

from agent.cli import main
from agent.zyntro.client import ADD_PROFILE_PATHS
from tests.support.condense import API_KEY, FakeLLM, error_reply

NO_BROWSER = ["Bruno Okafor", "Chiara Valdes", "Dmitri Osei", "Elena Marsh"]  # x.com needs Chromium: not here


def _enrich(capsys, *args: str) -> tuple[int, dict, str]:
    code = main(["enrich", "--json", "--no-progress", "--concurrency", "1", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def _posts(sandbox) -> int:
    return sum(1 for r in sandbox.requests if "addProfileToContact" in r["path"])


def test_a_wrong_api_key_stops_the_run_at_the_first_post(demo_world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ZYNTRO_API_KEY", "sbx_wrong_key_0123456789")  # v1 cannot check it before a post
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    code, data, err = _enrich(capsys, "--batch", str(batch), "--log-format", "json")
    assert code == 3 and data["exit_code"] == 3
    assert _posts(demo_world.sandbox) == 1  # not one post per profile of every contact
    breaker = data["breaker"]
    assert breaker["name"] == "zyntro_auth" and "Invalid API Key" in breaker["reason"]
    assert "ZYNTRO_API_KEY" in breaker["reason"]
    assert len(breaker["not_started"]) == 3 and data["counts"]["contacts_not_started"] == 3
    assert [c["contact_id"] for c in data["contacts"]] == [demo_world.contacts["Bruno Okafor"]]
    # the first contact's other profiles were neither posted nor (for unread sources) fetched
    profiles = data["contacts"][0]["profiles"]
    assert all(p["status"] in ("failed", "no_data") for p in profiles), profiles
    assert "the zyntro_auth breaker stopped the run" in err and "not done: 3 of 4 contact(s) not started" in err
    assert "sbx_wrong_key_0123456789" not in err + json.dumps(data)
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(r["level"] == "error" and r["logger"] == "agent.breakers" for r in records), err
    assert sum(demo_world.stored().values()) == 0


def test_a_contact_owned_by_another_member_stops_the_run(demo_world, tmp_path, capsys):
    other = demo_world.sandbox.add_contact(name="Dmitri Osei", owner=str(uuid.uuid4()))
    code, data, err = _enrich(capsys, "https://github.com/dosei", "--contact-id", str(other), "--name", "Dmitri Osei")
    assert code == 3 and data["breaker"]["name"] == "zyntro_auth"
    assert "owns this contact" in data["breaker"]["reason"]


@pytest.fixture
def llm_down(demo_world, monkeypatch):
    """An LLM server that answers 503 to everything (asking for a 1 ms wait, so the test does not sleep)."""
    fake = FakeLLM().start()
    fake.responder = lambda request: error_reply(503, "upstream overloaded", headers={"retry-after-ms": "1"})
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "openai")
    yield fake
    fake.stop()


def test_llm_failures_in_a_row_stop_the_run(demo_world, llm_down, tmp_path, capsys):
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    code, data, err = _enrich(capsys, "--batch", str(batch))
    assert code == 3 and data["breaker"]["name"] == "llm_failures"
    assert "3 LLM calls in a row failed" in data["breaker"]["reason"]
    assert "--llm-fallback offline" in data["breaker"]["reason"]
    assert len(llm_down.requests) == 3 * 4  # three profiles, four attempts each; then nothing more
    assert data["counts"]["contacts_not_started"] >= 2
    assert sum(demo_world.stored().values()) == 0
    assert API_KEY not in err


def test_llm_fallback_offline_finishes_the_run_and_says_so(demo_world, llm_down, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM_FAILURE_LIMIT", "2")
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    code, data, err = _enrich(capsys, "--batch", str(batch), "--llm-fallback", "offline")
    assert len(llm_down.requests) == 2 * 4
    assert data["breaker"] is None and data["counts"]["contacts_done"] == 4
    assert data["counts"]["failed"] == 1  # the first profile failed; the second is condensed offline
    assert data["counts"]["profiles"]["posted"] >= 5
    (notice,) = data["notices"]
    assert "2 LLM calls in a row failed" in notice and "offline condenser" in notice and notice in err
    assert code == 1


def test_a_streak_of_zyntro_5xx_pauses_posting_then_goes_on(demo_world, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[zyntro]\noutage_streak = 2\noutage_pause_s = 0.01\n")
    demo_world.sandbox.faults.push("status", status=500, times=3, path=ADD_PROFILE_PATHS["v1"])
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", ["Bruno Okafor", "Chiara Valdes", "Dmitri Osei"])
    code = main(
        ["--config", str(config), "enrich", "--json", "--no-progress", "--concurrency", "1", "--batch", str(batch)]
    )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "Zyntro failed 2 posts in a row" in captured.err and "pausing posting for 0.0" in captured.err
    assert "Zyntro failed 3 posts in a row" in captured.err
    assert data["counts"]["profiles"]["unknown"] == 3 and data["counts"]["profiles"]["posted"] >= 2
    assert any("posting was paused" in n for n in data["notices"])
    assert data["breaker"] is None and code == 1
