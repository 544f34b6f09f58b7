"""Only facts support a payload value: generic words and the source's label support none (issue #10).

The LLM case uses the real `openai` client against the fake OpenAI-compatible server on loopback.
"""

from __future__ import annotations

import pytest

from agent.condense import ground
from tests.support.condense import BRAM_URL, answer, bram_page, completion, condense_once, fact

SOURCE = "Personal Website"
PAGE = bram_page()
FRAME = {"source_url": BRAM_URL, "retrieved_at": "2025-01-02"}


def condense(settings, contact, extractions=(PAGE,), source=SOURCE):
    return condense_once(settings, contact, source, extractions)


# Values of template words, platform names or the source's label, and fragments of facts: none is a fact.
GENERIC = [
    ("employer", "Personal Website"),
    ("employer", "GitHub"),
    ("employer", "Company"),
    ("job_title", "Team Member"),
    ("job_title", "Public Profile"),
    ("location", "Company Headquarters"),
    ("location", "Personal Website"),
    ("headline", "Team Member at Company Headquarters"),
    ("job_title", "ceo"),
    ("location", "Lin"),
]


@pytest.mark.parametrize("key, value", GENERIC)
def test_a_value_of_generic_words_is_not_supported(key, value):
    result = ground({"summary": "Bram Okafor works at Northwind Labs.", key: value, **FRAME}, [PAGE])
    assert key not in result.payload, result.provenance.get(key)
    assert f"{key}={value!r}: not found in the sources" in result.unsupported


def test_the_values_the_facts_state_are_still_supported():
    payload = {
        "summary": "Bram Okafor is a Staff Engineer at Northwind Labs in Berlin.",
        "name": "Bram Okafor",
        "employer": "Northwind Labs",
        "location": "Berlin",
        "job_title": "Staff Engineer",
        "headline": "Staff Engineer at Northwind Labs",
        "skills": ["Rust", "distributed systems"],
        **FRAME,
    }
    result = ground(payload, [PAGE])
    assert result.unsupported == [] and result.payload == payload


def test_a_generic_value_a_fact_states_exactly_is_supported():
    page = bram_page(fact("name", "Bram Okafor"), fact("job_title", "Team Member"))
    result = ground({"summary": "Bram Okafor is a Team Member.", "job_title": "Team Member", **FRAME}, [page])
    assert result.payload["job_title"] == "Team Member" and result.unsupported == []


def test_the_source_label_supports_a_summary_mention_but_no_value():
    result = ground(
        {
            "summary": "Bram Okafor works at Northwind Labs. His Personal Website lists Rust.",
            "employer": "Personal Website",
            **FRAME,
        },
        [PAGE],
    )
    assert result.payload["summary"] == "Bram Okafor works at Northwind Labs. His Personal Website lists Rust."
    assert "employer" not in result.payload


def test_a_summary_cannot_name_another_platform_as_the_employer():
    result = ground({"summary": "Bram Okafor works at Northwind Labs. He works at GitHub.", **FRAME}, [PAGE])
    assert result.payload["summary"] == "Bram Okafor works at Northwind Labs."


def test_llm_answer_with_generic_values_loses_them(fake_llm, llm_settings, contact):
    fake_llm.script(
        completion(
            answer(
                "Bram Okafor is a Staff Engineer at Northwind Labs.",
                {
                    "name": "Bram Okafor",
                    "job_title": "Team Member",
                    "employer": "Personal Website",
                    "location": "Company Headquarters",
                    "skills": ["Rust"],
                    "organizations": ["GitHub"],
                },
            )
        )
    )
    draft = condense(llm_settings, contact)
    assert draft.condenser == "openai:gpt-4o-mini"
    payload = draft.payload
    assert payload["name"] == "Bram Okafor" and payload["skills"] == ["Rust"]
    for key in ("job_title", "employer", "location", "organizations"):
        assert key not in payload, payload
    for dropped in (
        "job_title='Team Member'",
        "employer='Personal Website'",
        "location='Company Headquarters'",
        "organizations item 'GitHub'",
    ):
        assert f"{dropped}: not found in the sources" in draft.grounding
