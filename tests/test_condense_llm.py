"""The LLM condenser end to end: the real openai client against a fake OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import datetime
import json
import math
import time

import httpx
import pytest

from agent.condense import Meter, make_condenser
from agent.condense.prompts import prompt_version
from agent.condense.schema import strict_schema
from agent.config import load_settings
from agent.errors import BudgetExceeded, LLMError
from tests.support.condense import (
    API_KEY,
    Reply,
    answer,
    completion,
    error_reply,
    samples,
)

DAY = datetime.date(2025, 1, 2)
SOURCE, EXTRACTIONS = samples()["linkedin_person"]
GOOD = answer(
    "Jane Doe works as Staff Engineer at Acme Robotics in Berlin. She studied at the Technical University of Munich.",
    {
        "job_title": "Staff Engineer",
        "employer": "Acme Robotics",
        "followers_count": 3893,
        "skills": ["Motion planning", "C++"],
    },
    {"job_title": ["f3"], "employer": ["f4"]},
)


def run(settings, contact, *, meter=None, sleep=None, source=SOURCE, extractions=EXTRACTIONS):
    meter = meter or Meter(settings.llm)

    async def go():
        condenser = make_condenser(settings, meter, sleep=sleep)
        async with condenser:
            return await condenser.condense(contact, source, extractions, DAY)

    return asyncio.run(go())


def test_request_carries_schema_and_delimited_text_but_no_secret_or_config(fake_llm, llm_settings, contact):
    fake_llm.script(completion(GOOD))
    draft = run(llm_settings, contact)
    assert len(fake_llm.requests) == 1
    request = fake_llm.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in request.raw.decode() and API_KEY not in json.dumps(
        {k: v for k, v in request.headers.items() if k != "authorization"}
    )
    body = request.body
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "zyntro_profile", "strict": True, "schema": strict_schema()},
    }
    text = request.text()
    assert text.count("<untrusted_page_text ") == 1 and text.count("</untrusted_page_text>") == 1
    assert f'<untrusted_page_text id="t1" url="{EXTRACTIONS[0].url}">' in text
    assert "<untrusted_facts>" in text and '"value": "Acme Robotics"' in text
    assert "<html" not in text.lower()
    for config in (fake_llm.base_url, "127.0.0.1", "gpt-4o-mini", "max_cost"):
        assert config not in text
    tokens = math.ceil((len(text) + len(json.dumps(body["response_format"]["json_schema"]["schema"]))) / 4)
    assert tokens <= 2000
    assert draft.condenser == "openai:gpt-4o-mini" and draft.prompt_version == prompt_version()
    assert draft.violations == [] and draft.grounding == []
    assert draft.payload["employer"] == "Acme Robotics" and draft.payload["followers_count"] == 3893
    assert draft.provenance["job_title"].evidence == "Staff Engineer"  # the cited fact f3


def test_usage_and_cost_are_recorded_per_source_contact_and_run(fake_llm, llm_settings, contact):
    fake_llm.script(completion(GOOD, usage=(1500, 200)), completion(GOOD, usage=None))
    meter = Meter(llm_settings.llm)
    draft = run(llm_settings, contact, meter=meter)
    assert (draft.input_tokens, draft.output_tokens) == (1500, 200)
    assert draft.cost_usd == pytest.approx((1500 * 0.15 + 200 * 0.60) / 1e6)
    second = run(llm_settings, contact, meter=meter, source="LinkedIn (again)")
    assert second.input_tokens > 500 and second.output_tokens == math.ceil(len(GOOD) / 4)  # estimated
    assert meter.total.calls == 2 and meter.total.estimated
    assert meter.by_source[(contact.contact_id, SOURCE)].input_tokens == 1500
    assert meter.by_contact[contact.contact_id].input_tokens == 1500 + second.input_tokens
    assert meter.describe().startswith("LLM usage: 2 calls")


def test_invalid_json_gets_one_reask_then_a_clear_error(fake_llm, llm_settings, contact):
    fake_llm.script(completion('{"summary": "Jane Doe works'), completion("Sure! Here is the profile: {}"))
    with pytest.raises(LLMError) as info:
        run(llm_settings, contact)
    assert "invalid even after one re-ask" in str(info.value) and "ZYNTRO_ENRICH_MODEL" in str(info.value)
    assert len(fake_llm.requests) == 2
    messages = fake_llm.requests[1].body["messages"]
    assert messages[2] == {"role": "assistant", "content": '{"summary": "Jane Doe works'}
    assert "not valid JSON" in messages[3]["content"]


def test_a_reask_that_fixes_the_answer_is_used(fake_llm, llm_settings, contact):
    bad = answer(
        "Jane Doe works as Staff Engineer at Acme Robotics.", {"info": "Staff Engineer", "followers_count": "many"}
    )
    fake_llm.script(completion(bad), completion(GOOD))
    draft = run(llm_settings, contact)
    assert draft.violations == [] and draft.payload["employer"] == "Acme Robotics"
    reask = fake_llm.requests[1].body["messages"][3]["content"]
    assert "generic_key: 'info'" in reask and "type_mismatch: 'followers_count'" in reask
    assert draft.input_tokens == 1800  # both calls count


def test_json_schema_rejected_falls_back_to_json_mode(fake_llm, llm_settings, contact):
    fake_llm.script(
        error_reply(
            400,
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            param="response_format",
        ),
        completion(GOOD),
        completion(GOOD),
    )
    meter = Meter(llm_settings.llm)

    async def go():
        condenser = make_condenser(llm_settings, meter)
        first = await condenser.condense(contact, SOURCE, EXTRACTIONS, DAY)
        second = await condenser.condense(contact, "LinkedIn (again)", EXTRACTIONS, DAY)
        await condenser.aclose()
        return first, second

    first, second = asyncio.run(go())
    assert first.violations == [] and second.violations == []
    formats = [r.body.get("response_format") for r in fake_llm.requests]
    assert formats == [formats[0], {"type": "json_object"}, {"type": "json_object"}]
    assert formats[0]["type"] == "json_schema"
    system = fake_llm.requests[1].body["messages"][0]["content"]
    assert "JSON Schema" in system and '"summary_fact_refs"' in system  # the schema travels in the prompt
    assert meter.total.calls == 2  # the rejected request cost nothing


def test_an_invented_value_is_dropped_by_grounding(fake_llm, llm_settings, contact):
    invented = answer(
        "Jane Doe works as Staff Engineer at Acme Robotics. She previously led AI research at Initech for 9 years.",
        {
            "employer": "Acme Robotics",
            "job_title": "Staff Engineer",
            "previous_employer": "Initech",
            "followers_count": 12000,
            "years_of_experience": 9,
        },
    )
    fake_llm.script(completion(invented))
    draft = run(llm_settings, contact)
    assert draft.payload["summary"] == "Jane Doe works as Staff Engineer at Acme Robotics."
    assert "previous_employer" not in draft.payload and "followers_count" not in draft.payload
    assert "years_of_experience" not in draft.payload and draft.payload["employer"] == "Acme Robotics"
    # A key outside the key table that no fact has is dropped whatever its value.
    assert "previous_employer='Initech': 'previous_employer' is not a known key and no fact has it" in draft.grounding
    assert "followers_count=12000: not found in the sources" in draft.grounding
    assert any(g.startswith("summary sentence 'She previously led AI research") for g in draft.grounding)


def test_the_budget_cap_stops_a_run_before_the_call_that_cannot_fit(fake_llm, contact):
    env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": fake_llm.base_url, "ZYNTRO_ENRICH_MAX_COST": "0.0012"}
    settings = load_settings(env=env)
    fake_llm.script(*(completion(GOOD, usage=(4000, 400)) for _ in range(3)))
    meter = Meter(settings.llm)
    done = []

    async def go():
        async with make_condenser(settings, meter) as condenser:
            for source in ("LinkedIn", "LinkedIn (2)", "LinkedIn (3)"):
                done.append(await condenser.condense(contact, source, EXTRACTIONS, DAY))

    with pytest.raises(BudgetExceeded) as info:
        asyncio.run(go())
    assert len(done) == 1 and len(fake_llm.requests) == 1
    message = str(info.value)
    assert "cost cap reached" in message and "ZYNTRO_ENRICH_MAX_COST" in message and "--llm offline" in message
    assert meter.total.cost_usd <= 0.0012


def test_429_backs_off_with_retry_after_then_succeeds(fake_llm, llm_settings, contact, no_sleep, sleeps):
    fake_llm.script(
        error_reply(429, "Rate limit reached", headers={"retry-after": "7"}),
        error_reply(503, "overloaded"),
        completion(GOOD),
    )

    async def go():  # with a caller-owned httpx client, as the pipeline may pass one
        async with httpx.AsyncClient(timeout=5.0) as client:
            condenser = make_condenser(llm_settings, Meter(llm_settings.llm), http_client=client, sleep=no_sleep)
            return await condenser.condense(contact, SOURCE, EXTRACTIONS, DAY)

    draft = asyncio.run(go())
    assert draft.violations == [] and len(fake_llm.requests) == 3
    assert sleeps == [7.0, 4.0]  # Retry-After, then our own schedule (2 s doubling)


def test_retry_after_as_a_date_or_in_milliseconds_is_honoured(fake_llm, llm_settings, contact, no_sleep, sleeps):
    from email.utils import format_datetime

    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=20)
    fake_llm.script(
        error_reply(429, "Rate limit reached", headers={"retry-after": format_datetime(soon, usegmt=True)}),
        error_reply(429, "Rate limit reached", headers={"retry-after-ms": "1500"}),
        error_reply(429, "Rate limit reached", headers={"retry-after": "2.5"}),
        completion(GOOD),
    )
    draft = run(llm_settings, contact, sleep=no_sleep)
    assert draft.violations == [] and len(fake_llm.requests) == 4
    assert 15.0 < sleeps[0] <= 20.0 and sleeps[1:] == [1.5, 2.5]


def test_persistent_429_is_a_bounded_clear_error(fake_llm, llm_settings, contact, no_sleep, sleeps):
    fake_llm.script(*(error_reply(429, "Rate limit reached") for _ in range(10)))
    with pytest.raises(LLMError) as info:
        run(llm_settings, contact, sleep=no_sleep)
    assert "kept failing after 4 attempts" in str(info.value) and "HTTP 429" in str(info.value)
    assert len(fake_llm.requests) == 4 and sleeps == [2.0, 4.0, 8.0]


def test_a_timeout_backs_off_then_succeeds(fake_llm, llm_settings, contact, no_sleep, sleeps):
    calls = []

    def slow_then_good(request):
        calls.append(request)
        if len(calls) == 1:
            time.sleep(0.6)  # longer than the client's timeout below
        return completion(GOOD)

    fake_llm.responder = slow_then_good
    settings = llm_settings.model_copy(update={"llm": llm_settings.llm.model_copy(update={"timeout_s": 0.2})})
    draft = run(settings, contact, sleep=no_sleep)
    assert draft.violations == [] and len(calls) == 2 and sleeps == [2.0]


@pytest.mark.parametrize(
    "reply, expected",
    [
        (completion(None, refusal="I can't help with that."), "refused"),
        (completion('{"summary": "Jane Doe works as', finish_reason="length"), "cut off"),
        (completion("   "), "empty message"),
        (Reply(body={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}), "no choices"),
    ],
)
def test_empty_refused_or_truncated_answers_are_errors_not_empty_profiles(
    fake_llm, llm_settings, contact, reply, expected
):
    fake_llm.script(reply)
    with pytest.raises(LLMError, match=expected):
        run(llm_settings, contact)
    assert len(fake_llm.requests) == 1


def test_a_wrong_key_is_reported_without_revealing_it(fake_llm, llm_settings, contact):
    fake_llm.script(error_reply(401, f"Incorrect API key provided: {API_KEY}."))
    with pytest.raises(LLMError) as info:
        run(llm_settings, contact)
    assert "OPENAI_API_KEY" in str(info.value) and API_KEY not in str(info.value)


def test_a_server_that_refuses_temperature_gets_a_request_without_it(fake_llm, llm_settings, contact):
    fake_llm.script(
        error_reply(400, "Unsupported value: 'temperature' does not support 0 with this model.", param="temperature"),
        completion(GOOD),
    )
    draft = run(llm_settings, contact)
    assert draft.violations == []
    assert "temperature" in fake_llm.requests[0].body and "temperature" not in fake_llm.requests[1].body
    assert fake_llm.requests[1].body["response_format"]["type"] == "json_schema"


def test_other_bad_requests_are_clear_errors(fake_llm, llm_settings, contact):
    fake_llm.script(error_reply(400, "This model's maximum context length is 8192 tokens."))
    with pytest.raises(LLMError, match=r"rejected the request \(HTTP 400\): .*maximum context length"):
        run(llm_settings, contact)


@pytest.mark.parametrize("kind", list(samples()))
def test_a_faithful_answer_passes_untouched_for_every_source_kind(fake_llm, llm_settings, contact, kind):
    from agent.condense.offline import offline_payload

    source, extractions = samples()[kind]
    payload = offline_payload(source, extractions)
    fake_llm.script(completion(answer(payload.pop("summary"), payload)))
    draft = run(llm_settings, contact, source=source, extractions=extractions)
    assert draft.violations == [] and draft.grounding == [] and len(fake_llm.requests) == 1
    assert draft.payload == {
        **{"summary": draft.payload["summary"]},
        **payload,
        **{k: draft.payload[k] for k in ("source_url", "retrieved_at")},
    }


def test_without_budget_for_the_reask_the_paid_first_answer_is_kept(fake_llm, contact):
    settings = load_settings(
        env={"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": fake_llm.base_url, "ZYNTRO_ENRICH_MAX_TOKENS": "5000"}
    )
    flawed = answer(
        "Jane Doe works as Staff Engineer at Acme Robotics.",
        {"info": "Staff Engineer", "employer": "Acme Robotics", "location": "Berlin, Germany"},
    )
    fake_llm.script(completion(flawed, usage=(3000, 300)))
    draft = run(settings, contact)
    assert len(fake_llm.requests) == 1
    assert draft.payload["employer"] == "Acme Robotics"
    assert draft.violations and draft.violations[0].startswith("generic_key")  # so it is not posted


def test_a_reask_after_the_fallback_carries_the_schema_in_the_prompt(fake_llm, llm_settings, contact):
    fake_llm.script(
        error_reply(400, "response_format json_schema is not supported", param="response_format"),
        completion("not json"),
        completion(GOOD),
    )
    draft = run(llm_settings, contact)
    assert draft.violations == [] and len(fake_llm.requests) == 3
    reask = fake_llm.requests[2].body
    assert reask["response_format"] == {"type": "json_object"}
    assert '"summary_fact_refs"' in reask["messages"][0]["content"]
