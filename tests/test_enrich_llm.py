"""The whole flow with the LLM condenser (real openai client, fake OpenAI-compatible server on loopback)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.cli import main
from agent.store import Store
from tests.support.condense import API_KEY, FakeLLM, answer, completion

ADA_URLS = ["https://github.com/adaquinlan", "https://www.linkedin.com/in/ada-quinlan"]


def _facts(request) -> dict[str, object]:
    """The facts the agent sent, as key -> first value."""
    facts: dict[str, object] = {}
    for line in request.text().splitlines():
        if re.match(r'^\{"id": "f\d+"', line):
            item = json.loads(line)
            facts.setdefault(item["key"], item["value"])
    return facts


@pytest.fixture
def llm(demo_world, monkeypatch):
    fake = FakeLLM().start()
    calls = {"n": 0}

    def responder(request):
        # Worded differently on every call, as a real model may be; always grounded in the facts sent.
        calls["n"] += 1
        facts = _facts(request)
        fields = {"name": facts["name"], "location": facts["location"]}
        if calls["n"] % 2:
            fields["followers_count"] = facts["followers_count"]
        return completion(answer(f"{facts['name']}. {facts['bio'].split('.')[0]}.", fields))

    fake.responder = responder
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "openai")
    yield fake
    fake.stop()


def _run(capsys, *args: str) -> tuple[int, dict[str, dict]]:
    code = main(["enrich", "--json", *args])
    contact = json.loads(capsys.readouterr().out)["contacts"][0]
    return code, {p["profile_source"]: p for p in contact["profiles"]}


def test_usage_and_cost_are_reported_per_profile_contact_and_run(demo_world, llm, capsys):
    cid = demo_world.contacts["Ada Quinlan"]
    assert main(["enrich", "--json", *ADA_URLS, "--contact-id", cid, "--name", "Ada Quinlan"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    (contact,) = data["contacts"]
    per_profile = [p["llm_usage"] for p in contact["profiles"]]
    assert all(u["input_tokens"] == 900 and u["output_tokens"] == 150 for u in per_profile)  # the server's usage
    assert contact["llm_usage"]["calls"] == 2 and contact["llm_usage"]["input_tokens"] == 1800
    assert data["llm_usage"]["calls"] == 2
    assert data["llm_usage"]["cost_usd"] == pytest.approx(2 * (900 * 0.15 + 150 * 0.60) / 1e6)
    assert "LLM usage: 2 calls, 1,800 input + 300 output tokens" in captured.err
    with Store(Path(demo_world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3") as store:
        assert json.loads(store.run(data["run_id"])["llm_usage"])["calls"] == 2


def test_unchanged_sources_are_not_condensed_or_posted_again(demo_world, llm, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    code, profiles = _run(capsys, "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei")
    assert code == 0 and profiles["GitHub"]["status"] == "posted"
    assert profiles["GitHub"]["payload"]["summary"] == "Dmitri Osei. Logistics optimisation at Northquay."
    assert len(llm.requests) == 1
    assert API_KEY not in llm.requests[0].raw.decode()

    code, profiles = _run(capsys, "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei")
    assert code == 0 and profiles["GitHub"]["status"] == "unchanged"
    assert len(llm.requests) == 1  # same facts and text as what Zyntro holds: no LLM call, no new record
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_budget_stop_keeps_what_was_done_and_a_rerun_finishes(demo_world, llm, capsys, monkeypatch):
    cid = demo_world.contacts["Ada Quinlan"]
    monkeypatch.setenv("ZYNTRO_ENRICH_MAX_TOKENS", "3500")  # room for one call's worst case, not two
    code, profiles = _run(capsys, *ADA_URLS, "--contact-id", cid, "--name", "Ada Quinlan")
    assert code == 3  # the budget stopped the run
    assert profiles["GitHub"]["status"] == "posted"
    assert profiles["LinkedIn"]["status"] == "failed"
    assert "re-run the same command" in " ".join(profiles["LinkedIn"]["warnings"])
    assert demo_world.stored() == {("Ada Quinlan", "GitHub"): 1}

    monkeypatch.delenv("ZYNTRO_ENRICH_MAX_TOKENS")
    code, profiles = _run(capsys, *ADA_URLS, "--contact-id", cid, "--name", "Ada Quinlan")
    assert code == 0
    assert (profiles["GitHub"]["status"], profiles["LinkedIn"]["status"]) == ("unchanged", "posted")
    assert demo_world.stored() == {("Ada Quinlan", "GitHub"): 1, ("Ada Quinlan", "LinkedIn"): 1}


def test_missing_credentials_stop_before_any_work(demo_world, capsys, monkeypatch, tmp_path):
    cid = demo_world.contacts["Dmitri Osei"]
    monkeypatch.delenv("ZYNTRO_API_KEY")
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid]) == 2
    assert "set ZYNTRO_API_KEY" in capsys.readouterr().err
    assert not (tmp_path / "home" / "state.sqlite3").exists()  # nothing fetched, nothing half-posted

    monkeypatch.setenv("ZYNTRO_API_KEY", demo_world.env["ZYNTRO_API_KEY"])
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_an_approved_llm_profile_is_not_condensed_again_on_refresh(demo_world, llm, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    code, profiles = _run(capsys, "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--review")
    assert main(["review", "approve", str(profiles["GitHub"]["draft_id"])]) == 0
    capsys.readouterr()
    assert len(llm.requests) == 1
    assert main(["refresh", "--all", "--json"]) == 0
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    assert profile["status"] == "unchanged"
    assert len(llm.requests) == 1  # the approved draft's inputs are remembered: no new call, no reworded copy
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}
