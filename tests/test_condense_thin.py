"""Thin profiles are never posted: an LLM answer mostly dropped by grounding falls back to the offline
profile, and a source without facts is no data (issue #10).
"""

from __future__ import annotations

import asyncio
import datetime

import pytest

from agent.condense import OfflineCondenser
from agent.errors import ThinProfile
from tests.support.condense import BRAM_URL, answer, bram_page, completion, condense_once, extraction, fact

SOURCE = "Personal Website"
PAGE = bram_page()
FRAME = {"source_url": BRAM_URL, "retrieved_at": "2025-01-02"}


def condense(settings, contact, extractions=(PAGE,), source=SOURCE):
    return condense_once(settings, contact, source, extractions)


def offline(contact, extractions=(PAGE,), source=SOURCE):
    return asyncio.run(OfflineCondenser().condense(contact, source, list(extractions), datetime.date(2025, 1, 2)))


# --- thin profiles: an LLM answer falls back to the offline profile; no facts is no data ----------


def test_a_thin_llm_answer_falls_back_to_the_offline_profile(fake_llm, llm_settings, contact):
    fake_llm.script(
        completion(
            answer(
                "Bram Okafor works at Initech in Paris.",
                {"name": "Bram Okafor", "employer": "Initech", "location": "Paris"},
            )
        )
    )
    draft = condense(llm_settings, contact)
    expected = offline(contact)
    assert draft.payload == expected.payload
    assert draft.payload["employer"] == "Northwind Labs" and draft.payload["location"] == "Berlin"
    assert draft.condenser == "offline (fallback from openai:gpt-4o-mini)"
    assert draft.violations == []
    notice = (
        "the LLM's answer kept 1 supported field (name) after grounding; a profile needs at least 2 "
        "besides the summary, so the offline condenser's profile was used instead"
    )
    assert notice in draft.repairs and draft.grounding[0] == notice
    assert "LLM answer: employer='Initech': not found in the sources" in draft.grounding
    assert (draft.input_tokens, draft.output_tokens) == (900, 150)  # the call was paid for: still counted


def test_a_thin_llm_answer_with_a_thin_offline_profile_is_not_a_profile(fake_llm, llm_settings, contact):
    page = bram_page(fact("name", "Bram Okafor"), text="Bram Okafor")
    fake_llm.script(completion(answer("Bram Okafor.", {"name": "Bram Okafor"})))
    with pytest.raises(ThinProfile, match=r"1 supported field \(name\)"):
        condense(llm_settings, contact, [page])


def test_offline_profile_with_fewer_than_two_fields_is_not_a_profile(contact):
    page = bram_page(fact("name", "Home"), text="Welcome.")
    with pytest.raises(ThinProfile, match="not posted"):
        offline(contact, [page])


def test_a_source_without_facts_is_no_data_and_costs_no_llm_call(fake_llm, llm_settings, contact):
    page = extraction("http://127.0.0.1:8000/", "127.0.0.1", [], text="Welcome. More soon.")
    with pytest.raises(ThinProfile, match="no facts"):
        offline(contact, [page], "127.0.0.1")
    with pytest.raises(ThinProfile, match="no facts"):
        condense(llm_settings, contact, [page], "127.0.0.1")
    assert fake_llm.requests == []
