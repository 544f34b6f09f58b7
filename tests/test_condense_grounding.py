"""Grounding: unsupported values and summary sentences are dropped and listed, never posted silently."""

from __future__ import annotations

from agent.condense import ground
from tests.support.condense import samples

SOURCE, EXTRACTIONS = samples()["linkedin_person"]
FRAME = {"source_url": EXTRACTIONS[0].url, "retrieved_at": "2025-01-02"}


def test_supported_values_are_kept_with_their_evidence():
    result = ground({"summary": "Jane Doe works as Staff Engineer at Acme Robotics.", "employer": "Acme Robotics",
                     "followers_count": 3893, "education": ["Technical University of Munich"], **FRAME}, EXTRACTIONS)
    assert result.unsupported == [] and result.share == 1.0
    assert result.provenance["followers_count"].evidence == "3,893 followers"
    assert result.provenance["employer"].evidence == "Acme Robotics"
    assert result.provenance["source_url"].url == EXTRACTIONS[0].url


def test_invented_values_are_dropped_and_listed():
    result = ground({"summary": "Jane Doe works at Acme Robotics.", "employer": "Initech",
                     "followers_count": 5000, "hireable": True, "years_of_experience": 11,
                     "skills": ["Motion planning", "Quantum finance"], **FRAME}, EXTRACTIONS)
    payload = result.payload
    assert "employer" not in payload and "followers_count" not in payload and "hireable" not in payload
    assert "years_of_experience" not in payload and payload["skills"] == ["Motion planning"]
    assert sorted(result.unsupported) == sorted([
        "employer='Initech': not found in the sources", "followers_count=5000: not found in the sources",
        "hireable=True: not found in the sources", "years_of_experience=11: not found in the sources",
        "skills item 'Quantum finance': not found in the sources"])
    assert result.share < 1.0


def test_numbers_must_equal_a_number_in_the_sources():
    ok = ground({"summary": "Jane Doe has 3,893 followers.", "connections": "500+", **FRAME}, EXTRACTIONS)
    assert ok.unsupported == []
    bad = ground({"summary": "Jane Doe works as Staff Engineer at Acme Robotics. She has 9,000 followers.",
                  **FRAME}, EXTRACTIONS)
    assert bad.payload["summary"] == "Jane Doe works as Staff Engineer at Acme Robotics."
    assert bad.unsupported == ["summary sentence 'She has 9,000 followers.': 9,000 not in the sources"]


def test_summary_sentences_with_unknown_names_or_claims_are_dropped():
    result = ground({"summary": "Jane Doe works as Staff Engineer at Acme Robotics. She advises Initech on AI. "
                                "She is a convicted fraudster and notorious liar.", **FRAME}, EXTRACTIONS)
    assert result.payload["summary"] == "Jane Doe works as Staff Engineer at Acme Robotics."
    assert len(result.unsupported) == 2
    assert "Initech" in result.unsupported[0] and "fraudster" in result.unsupported[1]


def test_an_emptied_summary_is_rebuilt_from_the_facts():
    result = ground({"summary": "Jane Doe is the CEO of Initech in Paris.", "name": "Jane Doe", **FRAME}, EXTRACTIONS)
    assert result.payload["summary"].startswith("Jane Doe works as Staff Engineer at Acme Robotics")
    assert "summary: no sentence was supported; rebuilt it from the facts" in result.unsupported


def test_paraphrases_of_the_sources_are_accepted():
    result = ground({"summary": "Jane Doe is a Berlin-based Staff Engineer at Acme Robotics working on motion "
                                "planning.", "focus_areas": ["motion planning for robots"], **FRAME}, EXTRACTIONS)
    assert result.unsupported == []


def test_the_frame_is_exempt_but_source_urls_must_be_fetched_ones():
    result = ground({"summary": "Jane Doe works at Acme Robotics.", **FRAME,
                     "source_urls": [EXTRACTIONS[0].url, "https://evil.example/"]}, EXTRACTIONS)
    assert result.payload["source_urls"] == [EXTRACTIONS[0].url]
    assert result.payload["retrieved_at"] == "2025-01-02"
