"""Grounding: unsupported values and summary sentences are dropped and listed, never posted silently."""

from __future__ import annotations

from agent.condense import ground
from tests.support.condense import extraction, fact, samples

SOURCE, EXTRACTIONS = samples()["linkedin_person"]
FRAME = {"source_url": EXTRACTIONS[0].url, "retrieved_at": "2025-01-02"}


def test_supported_values_are_kept_with_their_evidence():
    result = ground(
        {
            "summary": "Jane Doe works as Staff Engineer at Acme Robotics.",
            "employer": "Acme Robotics",
            "followers_count": 3893,
            "education": ["Technical University of Munich"],
            **FRAME,
        },
        EXTRACTIONS,
    )
    assert result.unsupported == [] and result.share == 1.0
    assert result.provenance["followers_count"].evidence == "3,893 followers"
    assert result.provenance["employer"].evidence == "Acme Robotics"
    assert result.provenance["source_url"].url == EXTRACTIONS[0].url


def test_invented_values_are_dropped_and_listed():
    result = ground(
        {
            "summary": "Jane Doe works at Acme Robotics.",
            "employer": "Initech",
            "followers_count": 5000,
            "hireable": True,
            "years_of_experience": 11,
            "skills": ["Motion planning", "Quantum finance"],
            **FRAME,
        },
        EXTRACTIONS,
    )
    payload = result.payload
    assert "employer" not in payload and "followers_count" not in payload and "hireable" not in payload
    assert "years_of_experience" not in payload and payload["skills"] == ["Motion planning"]
    assert sorted(result.unsupported) == sorted(
        [
            "employer='Initech': not found in the sources",
            "followers_count=5000: not found in the sources",
            "hireable=True: not found in the sources",
            "years_of_experience=11: not found in the sources",
            "skills item 'Quantum finance': not found in the sources",
        ]
    )
    assert result.share < 1.0


def test_numbers_must_equal_a_number_in_the_sources():
    ok = ground({"summary": "Jane Doe has 3,893 followers.", "connections": "500+", **FRAME}, EXTRACTIONS)
    assert ok.unsupported == []
    bad = ground(
        {"summary": "Jane Doe works as Staff Engineer at Acme Robotics. She has 9,000 followers.", **FRAME}, EXTRACTIONS
    )
    assert bad.payload["summary"] == "Jane Doe works as Staff Engineer at Acme Robotics."
    assert bad.unsupported == ["summary sentence 'She has 9,000 followers.': 9,000 not in the sources"]


def test_summary_sentences_with_unknown_names_or_claims_are_dropped():
    result = ground(
        {
            "summary": "Jane Doe works as Staff Engineer at Acme Robotics. She advises Initech on AI. "
            "She is a convicted fraudster and notorious liar.",
            **FRAME,
        },
        EXTRACTIONS,
    )
    assert result.payload["summary"] == "Jane Doe works as Staff Engineer at Acme Robotics."
    assert len(result.unsupported) == 2
    assert "Initech" in result.unsupported[0] and "fraudster" in result.unsupported[1]


def test_an_emptied_summary_is_rebuilt_from_the_facts():
    result = ground({"summary": "Jane Doe is the CEO of Initech in Paris.", "name": "Jane Doe", **FRAME}, EXTRACTIONS)
    assert result.payload["summary"].startswith("Jane Doe is Staff Engineer at Acme Robotics")
    assert "summary: no sentence was supported; rebuilt it from the facts" in result.unsupported


def test_paraphrases_of_the_sources_are_accepted():
    result = ground(
        {
            "summary": "Jane Doe is a Berlin-based Staff Engineer at Acme Robotics working on motion planning.",
            "focus_areas": ["motion planning for robots"],
            **FRAME,
        },
        EXTRACTIONS,
    )
    assert result.unsupported == []


def test_the_frame_is_exempt_but_source_urls_must_be_fetched_ones():
    result = ground(
        {
            "summary": "Jane Doe works at Acme Robotics.",
            **FRAME,
            "source_urls": [EXTRACTIONS[0].url, "https://evil.example/"],
        },
        EXTRACTIONS,
    )
    assert result.payload["source_urls"] == [EXTRACTIONS[0].url]
    assert result.payload["retrieved_at"] == "2025-01-02"


# --- structural checks: known keys, facts of a compatible key, vetted contacts -----------------------

PAGE_URL = "https://lee-moreau.example/"
SITE = extraction(
    PAGE_URL,
    "Personal Website",
    kind="personal_website",
    facts=[
        fact("name", "Lee Moreau"),
        fact("job_title", "UX researcher"),
        fact("education", "Université de Montréal"),
        fact("bio", "I test public forms with real people. Notes at https://notes.lee-moreau.example/forms"),
        fact("email", "lee@lee-moreau.example"),
        fact("awards", "Plain Language Award 2021"),
    ],
    text="Lee Moreau\nUX researcher\nTalks: accessibility audits, form design\nAdvisor to Initech since 2020\n"
    "Invoices go to accounts@lee-billing.example",
)
SITE.links.append("https://github.com/lee-moreau-example")
SITE_FRAME = {"source_url": PAGE_URL, "retrieved_at": "2025-01-02"}


def test_a_key_outside_the_table_needs_a_fact_of_that_key():
    result = ground(
        {
            "summary": "Lee Moreau is a UX researcher.",
            "next_step": "Call Lee about invoices",
            "awards": "Plain Language Award 2021",
            "talks_count": 2,
            **SITE_FRAME,
        },
        [SITE],
    )
    assert result.payload["awards"] == "Plain Language Award 2021"  # no table entry, but a fact has the key
    assert "next_step" not in result.payload and "talks_count" not in result.payload  # a typed pattern, no number
    assert (
        "next_step='Call Lee about invoices': 'next_step' is not a known key and no fact has it" in result.unsupported
    )


def test_values_need_a_fact_of_a_compatible_key_not_just_page_text():
    result = ground(
        {
            "summary": "Lee Moreau is a UX researcher.",
            "employer": "Initech",
            "organizations": ["Université de Montréal"],
            "job_title": "UX researcher",
            **SITE_FRAME,
        },
        [SITE],
    )
    # "Initech" is only in the page text; the university is an education fact, not an organisation one.
    assert "employer" not in result.payload and "organizations" not in result.payload
    assert result.payload["job_title"] == "UX researcher"
    assert "employer='Initech': not found in the sources" in result.unsupported


def test_page_text_supports_only_short_qualitative_phrases():
    result = ground(
        {
            "summary": "Lee Moreau is a UX researcher.",
            "skills": ["accessibility audits", "form design for Initech since 2020 as a paid advisor"],
            **SITE_FRAME,
        },
        [SITE],
    )
    assert result.payload["skills"] == ["accessibility audits"]
    assert result.provenance["skills"].evidence.startswith("Talks: accessibility audits")


def test_contacts_must_equal_one_the_sources_state_as_a_contact():
    result = ground(
        {
            "summary": "Lee Moreau is a UX researcher. Invoices go to accounts@lee-billing.example.",
            "email": "accounts@lee-billing.example",
            "website": "https://github.com/lee-moreau-example",
            "bio": "I test public forms with real people. Notes at https://notes.lee-moreau.example/forms",
            **SITE_FRAME,
        },
        [SITE],
    )
    payload = result.payload
    assert payload["summary"] == "Lee Moreau is a UX researcher."  # the page text states it, no fact does
    assert "email" not in payload and payload["website"] == "https://github.com/lee-moreau-example"
    assert payload["bio"].endswith("https://notes.lee-moreau.example/forms")  # the bio fact verbatim, link and all
    assert any(
        g.startswith("email='accounts@lee-billing.example': 'accounts@lee-billing.example' is not an email")
        for g in result.unsupported
    )


def test_a_link_moved_out_of_the_bio_is_not_vetted_by_it():
    result = ground(
        {
            "summary": "Lee Moreau is a UX researcher. Lee keeps notes at https://notes.lee-moreau.example/forms.",
            "website": "https://notes.lee-moreau.example/forms",
            **SITE_FRAME,
        },
        [SITE],
    )
    assert "website" not in result.payload and result.payload["summary"] == "Lee Moreau is a UX researcher."
