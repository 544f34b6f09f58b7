"""Special-category keys (health, politics, religion, ...) are removed whatever their value, and their facts
support nothing (issue #10).
"""

from __future__ import annotations

from agent.condense import check_payload
from tests.support.condense import BRAM_FACTS, BRAM_URL, answer, bram_page, completion, condense_once, fact

SOURCE = "Personal Website"
PAGE = bram_page()
FRAME = {"source_url": BRAM_URL, "retrieved_at": "2025-01-02"}


def condense(settings, contact, extractions=(PAGE,), source=SOURCE):
    return condense_once(settings, contact, source, extractions)


# --- special-category keys are removed, whatever their value --------------------------------------

# Values that no special-category word list matches: only the key rule can catch them.
SPECIAL = {
    "health_status": "On leave since March",
    "political_party": "Green Party",
    "religious_affiliation": "Quaker",
    "sexual_orientation": "Not stated",
    "ethnicity": "Nordic",
}


def test_special_category_keys_are_removed_whatever_their_value():
    result = check_payload({"summary": "Bram Okafor works at Northwind Labs.", **SPECIAL, **FRAME})
    assert result.ok
    assert set(result.payload) == {"summary", "source_url", "retrieved_at"}
    for key in SPECIAL:
        assert f"removed key {key!r}: special-category data never go into a profile" in result.repairs


def test_llm_special_category_keys_never_reach_the_draft_even_when_a_fact_has_them(fake_llm, llm_settings, contact):
    page = bram_page(*BRAM_FACTS, fact("political_party", "Green Party"), fact("health_status", "On leave since March"))
    fake_llm.script(
        completion(
            answer(
                "Bram Okafor is a Staff Engineer at Northwind Labs. He is a Green Party member on leave since March.",
                {
                    "name": "Bram Okafor",
                    "employer": "Northwind Labs",
                    "location": "Berlin",
                    "political_party": "Green Party",
                    "health_status": "On leave since March",
                },
            )
        )
    )
    draft = condense(llm_settings, contact, [page])
    assert draft.condenser == "openai:gpt-4o-mini"
    assert "political_party" not in draft.payload and "health_status" not in draft.payload
    assert "Green Party" not in str(draft.payload) and "leave" not in str(draft.payload)
    assert draft.payload["summary"] == "Bram Okafor is a Staff Engineer at Northwind Labs."
    for key in ("political_party", "health_status"):
        assert f"removed key {key!r}: special-category data never go into a profile" in draft.repairs
    sent = fake_llm.requests[0].text()
    assert "Green Party" not in sent and "On leave since March" not in sent  # never even shown to the model
