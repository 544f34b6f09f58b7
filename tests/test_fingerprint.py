"""The change fingerprint: what the condenser reads, page text included, decides whether a profile is redone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.cli import main
from agent.pipeline import input_fingerprint
from tests.support.condense import API_KEY, FakeLLM, answer, completion, extraction, fact

ABOUT = "https://www.fernhollow.example/about"
TEXT_ONLY = ("Denmark, Sweden and Germany", "Denmark, Sweden, Germany and Poland")  # in the page text, in no fact


class _Condenser:
    name, prompt_version = "llm", "v3"


def test_page_text_alone_changes_the_fingerprint():
    facts = [fact("name", "Fernhollow Labs")]
    before = extraction(ABOUT, "Company Website", facts, text="Fernhollow Labs serves farms in Denmark.")
    after = extraction(ABOUT, "Company Website", facts, text="Fernhollow Labs serves farms in Denmark and Poland.")
    assert input_fingerprint(_Condenser(), [before]) == input_fingerprint(_Condenser(), [before.model_copy()])
    assert input_fingerprint(_Condenser(), [before]) != input_fingerprint(_Condenser(), [after])


def _facts(request) -> dict[str, object]:
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

    def responder(request):  # worded differently on every call, as a real model may be
        calls["n"] += 1
        facts = _facts(request)
        fields = {"name": facts["name"], "founded": facts["founded"]}
        if calls["n"] % 2:
            fields["employees_count"] = facts["employees_count"]
        return completion(answer(str(facts["description"]), fields))

    fake.responder = responder
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "openai")
    yield fake
    fake.stop()


def test_a_change_in_page_text_alone_is_condensed_and_posted_again(demo_world, llm, capsys):
    args = [
        "enrich",
        ABOUT,
        "--contact-id",
        demo_world.contacts["Bruno Okafor"],
        "--name",
        "Bruno Okafor",
        "--company",
        "Fernhollow Labs",
        "--json",
    ]

    def run() -> str:
        assert main(args) == 0
        (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
        return profile["status"]

    assert run() == "posted"
    assert (run(), len(llm.requests)) == ("unchanged", 1)  # same inputs: no model call, nothing posted
    page = Path(demo_world.env["ZYNTRO_ENRICH_REPLAY_DIR"]) / "fernhollow_about.html"
    assert TEXT_ONLY[0] in page.read_text()
    page.write_text(page.read_text().replace(*TEXT_ONLY))
    assert (run(), len(llm.requests)) == ("posted", 2)  # the model read the new text and worded it anew
    assert demo_world.stored() == {("Bruno Okafor", "Company Website"): 2}
