"""Issue #10 end to end: what reaches the sandbox Zyntro is grounded, never thin, never special-category.

The CLI runs in process against the loopback sandbox; the LLM is the real `openai` client talking to
the fake OpenAI-compatible server (tests/support/condense.py); pages are the replayed demo pages, or a
loopback site for pages without facts.
"""

from __future__ import annotations

import json

import pytest

from agent.cli import main
from tests.support.condense import API_KEY, FakeLLM, answer, completion
from tests.support.fetch import Reply

DOSEI = "https://github.com/dosei"  # facts: Dmitri Osei, employer northquay, Rotterdam, 1,093 followers ...


@pytest.fixture
def llm(demo_world, monkeypatch):
    fake = FakeLLM().start()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "openai")
    yield fake
    fake.stop()


def _enrich(capsys, *args: str) -> dict[str, dict]:
    main(["enrich", "--json", *args])
    (contact,) = json.loads(capsys.readouterr().out)["contacts"]
    return {p["profile_source"]: p for p in contact["profiles"]}


def _posted(demo_world) -> list[dict]:
    return [row["payload"] for row in demo_world.sandbox.profiles()]


def test_generic_values_from_the_llm_are_not_posted(demo_world, llm, capsys):
    def responder(request):
        facts = request.facts()
        return completion(
            answer(
                f"{facts['name']} is based in {facts['location']}.",
                {
                    "name": facts["name"],
                    "followers_count": facts["followers_count"],
                    "employer": "GitHub",
                    "location": "Company Headquarters",
                    "job_title": "Team Member",
                    "organizations": ["Personal Website"],
                },
            )
        )

    llm.responder = responder
    profiles = _enrich(capsys, DOSEI, "--contact-id", demo_world.contacts["Dmitri Osei"], "--name", "Dmitri Osei")
    assert profiles["GitHub"]["status"] == "posted"
    (payload,) = _posted(demo_world)
    assert payload["name"] == "Dmitri Osei" and payload["followers_count"] == 1093
    for key in ("employer", "location", "job_title", "organizations"):
        assert key not in payload, payload
    assert not {"GitHub", "Company Headquarters", "Team Member", "Personal Website"} & set(map(str, payload.values()))
    warnings = profiles["GitHub"]["warnings"]
    assert "grounding: employer='GitHub': not found in the sources" in warnings
    assert "grounding: location='Company Headquarters': not found in the sources" in warnings


def test_a_thin_llm_answer_posts_the_offline_profile_and_says_so(demo_world, llm, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    offline = _enrich(capsys, DOSEI, "--contact-id", cid, "--name", "Dmitri Osei", "--dry-run", "--llm", "offline")
    llm.responder = lambda request: completion(
        answer(
            "Dmitri Osei works at Initech in Paris.",
            {"name": "Dmitri Osei", "employer": "Initech", "location": "Paris"},
        )
    )
    profiles = _enrich(capsys, DOSEI, "--contact-id", cid, "--name", "Dmitri Osei")
    github = profiles["GitHub"]
    assert github["status"] == "posted" and len(llm.requests) == 1
    (payload,) = _posted(demo_world)
    assert payload == offline["GitHub"]["payload"]  # the full offline profile, not a bare summary
    assert payload["employer"] == "northquay" and payload["location"] == "Rotterdam"
    assert github["warnings"][0] == (
        "grounding: the LLM's answer kept 1 supported field (name) after grounding; a profile needs at least 2 "
        "besides the summary, so the offline condenser's profile was used instead"
    )
    assert "grounding: LLM answer: employer='Initech': not found in the sources" in github["warnings"]


@pytest.mark.parametrize(
    "html, why",
    [
        ("<!doctype html><html><head></head><body><p>Welcome. More soon.</p></body></html>", "gave no facts"),
        (
            "<!doctype html><html><head><title>Home</title></head><body><p>Welcome.</p></body></html>",
            "1 supported field (name)",
        ),
    ],
)
def test_a_page_with_no_or_too_few_facts_is_no_data_and_nothing_is_posted(
    demo_world, llm, site, capsys, monkeypatch, html, why
):
    monkeypatch.delenv("ZYNTRO_ENRICH_REPLAY_DIR")
    monkeypatch.setenv("ZYNTRO_ENRICH_ALLOW_PRIVATE", "1")
    url = site.add(site.unique("bare"), Reply(html))
    cid = demo_world.sandbox.add_contact(name="Robin Vale")  # a real contact: a post would be stored
    thin = answer("This is a public 127.0.0.1 profile.", {"name": "Home"})
    llm.responder = lambda request: completion(thin)
    for mode in ("offline", "openai"):
        profiles = _enrich(capsys, url, "--contact-id", cid, "--llm", mode)
        (profile,) = profiles.values()
        assert profile["status"] == "no_data", profile
        assert profile["payload"] is None
        assert profile["sources"][0]["outcome"] == "ok"
        assert any(why in w and "posted" in w for w in profile["warnings"]), profile["warnings"]
    assert _posted(demo_world) == []
    assert len(llm.requests) == (0 if why == "gave no facts" else 1)  # no facts: no LLM call either


def test_special_category_keys_from_the_llm_never_reach_zyntro(demo_world, llm, capsys):
    def responder(request):
        facts = request.facts()
        return completion(
            answer(
                f"{facts['name']} is based in {facts['location']}. He is a Green Party member on sick leave.",
                {
                    "name": facts["name"],
                    "location": facts["location"],
                    "followers_count": facts["followers_count"],
                    "health_status": "On sick leave since March",
                    "political_party": "Green Party",
                    "religion": "Quaker",
                },
            )
        )

    llm.responder = responder
    profiles = _enrich(capsys, DOSEI, "--contact-id", demo_world.contacts["Dmitri Osei"], "--name", "Dmitri Osei")
    assert profiles["GitHub"]["status"] == "posted"
    (payload,) = _posted(demo_world)
    assert not {"health_status", "political_party", "religion"} & set(payload)
    posted = json.dumps(payload)
    assert "Green Party" not in posted and "sick leave" not in posted and "Quaker" not in posted
    assert payload["summary"] == "Dmitri Osei is based in Rotterdam."
