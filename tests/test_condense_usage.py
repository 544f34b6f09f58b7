"""The meter: usage and cost per source, contact and run, and a budget cap that stops before a call."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr

from agent.condense import Meter, OfflineCondenser, make_condenser
from agent.config import LLMSettings, Settings
from agent.errors import BudgetExceeded, ConfigError

A, B = uuid.uuid4(), uuid.uuid4()


def test_usage_and_cost_add_up_per_source_contact_and_run():
    meter = Meter(LLMSettings(model="gpt-4o-mini"))  # $0.15 / $0.60 per million tokens
    calls = ((A, "GitHub", (1000, 200)), (A, "LinkedIn", (2000, 300)), (B, "GitHub", (500, 100)))
    for contact, source, tokens in calls:
        meter.commit(meter.reserve(contact, source, tokens[0], 1200), *tokens)
    assert meter.total.calls == 3 and meter.total.input_tokens == 3500 and meter.total.output_tokens == 600
    assert meter.total.cost_usd == pytest.approx((3500 * 0.15 + 600 * 0.60) / 1e6)
    assert meter.by_contact[A].input_tokens == 3000 and meter.by_source[(A, "LinkedIn")].output_tokens == 300
    assert meter.describe().startswith("LLM usage: 3 calls, 3,500 input + 600 output tokens, $0.0009")


def test_cost_cap_refuses_a_call_that_cannot_fit():
    meter = Meter(LLMSettings(model="gpt-4o", max_cost_usd=0.02))  # $2.50 / $10 per million
    meter.commit(meter.reserve(A, "GitHub", 2000, 1200), 2000, 500)  # $0.01
    with pytest.raises(BudgetExceeded) as info:
        meter.reserve(A, "LinkedIn", 2000, 1200)  # worst case $0.017 more: over the cap
    assert "cost cap reached" in str(info.value) and "ZYNTRO_ENRICH_MAX_COST" in str(info.value)
    assert meter.total.calls == 1


def test_token_cap_and_reservations_held_by_calls_in_flight():
    meter = Meter(LLMSettings(max_tokens=5000))
    first = meter.reserve(A, "GitHub", 2000, 1200)  # 3200 held
    with pytest.raises(BudgetExceeded, match="ZYNTRO_ENRICH_MAX_TOKENS"):
        meter.reserve(B, "GitHub", 1000, 1200)  # would be 5400 with the one in flight
    meter.release(first)
    meter.reserve(B, "GitHub", 1000, 1200)


def test_dated_model_names_take_their_family_price_and_unknown_models_cost_zero():
    assert Meter(LLMSettings(model="gpt-4o-mini-2024-07-18")).price == (0.15, 0.60)
    unknown = Meter(LLMSettings(model="llama3.1:8b"))
    assert not unknown.priced and unknown.cost(10_000, 10_000) == 0.0
    assert "cost unknown" in unknown.describe()


def test_make_condenser_chooses_offline_without_an_llm_and_checks_the_config():
    assert isinstance(make_condenser(Settings(), Meter(LLMSettings())), OfflineCondenser)
    forced = Settings(llm=LLMSettings(mode="openai"))
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_condenser(forced, Meter(forced.llm))
    unpriced = Settings(llm=LLMSettings(base_url="http://127.0.0.1:9/v1", model="llama3.1:8b", max_cost_usd=1.0))
    with pytest.raises(ConfigError, match=r"\[llm.prices\]"):
        make_condenser(unpriced, Meter(unpriced.llm))
    keyed = Settings(llm=LLMSettings(api_key=SecretStr("sk-x"), mode="offline"))
    assert make_condenser(keyed, Meter(keyed.llm)).name == "offline"
