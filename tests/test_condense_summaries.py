"""What a reader sees in an offline summary: who first, what stands out, no fact twice, the right template."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from agent.condense import OfflineCondenser, ground
from agent.condense.kinds import source_kind
from agent.condense.text import normalise, split_sentences
from agent.models import Extraction, Outcome
from tests.support.condense import extraction, fact, samples

DAY = datetime.date(2025, 1, 2)


def condense(contact, extractions):
    return asyncio.run(OfflineCondenser().condense(contact, extractions[0].profile_source, extractions, DAY))


def summary_of(contact, *extractions):
    draft = condense(contact, list(extractions))
    assert draft.violations == [] and draft.grounding == [], (draft.violations, draft.grounding)
    return draft.payload["summary"]


def brightwater(bio: str, **extra) -> Extraction:
    return extraction(
        "https://www.linkedin.com/in/ada-lovelace-example",
        "LinkedIn",
        [
            fact("name", "Ada Lovelace"),
            fact("job_title", "Head of Sales"),
            fact("employer", "Brightwater"),
            fact("location", "Berlin"),
            fact("bio", bio),
            *extra.get("facts", []),
        ],
        kind="linkedin_person",
    )


def stated_twice(summary: str, extractions: list[Extraction]) -> list[str]:
    """Fact values (names aside: a subject may be named again) that the summary states more than once."""
    said = normalise(summary)
    values = {
        str(v)
        for e in extractions
        for f in e.facts
        if f.key not in ("name", "handle")
        for v in (f.value if isinstance(f.value, list) else [f.value])
        if len(str(v)) >= 4
    }
    return [v for v in values if said.count(normalise(v)) > 1]


# --- the kind comes from the extractor, never from the host ---------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.spacex.com/",
        "https://www.dropbox.com/about",
        "https://about.netflix.com/en",
        "https://www.fedex.com/en-us/about.html",
    ],
)
def test_a_company_page_whose_host_contains_x_com_is_a_company(url, contact):
    page = extraction(
        url,
        "Company Website",
        [
            fact("name", "SpaceX"),
            fact("description", "SpaceX designs, manufactures and launches advanced rockets and spacecraft."),
            fact("headquarters", "Hawthorne, California"),
            fact("founded", 2002),
        ],
        kind="company_website",
        subject="organization",
    )
    assert source_kind([page]) == "company_website"
    draft = condense(contact, [page])
    summary = draft.payload["summary"]
    assert summary.startswith("SpaceX is a company, headquartered in Hawthorne, California, founded in 2002.")
    assert "account" not in summary and "Twitter" not in summary and "@" not in summary
    assert list(draft.payload)[:4] == ["summary", "name", "description", "founded"]  # company keys, in order


def test_the_kind_is_the_first_ok_extraction_s_never_a_guess_from_host_or_label():
    wall = Extraction(
        url="https://www.linkedin.com/company/x",
        extractor="linkedin",
        profile_source="LinkedIn",
        outcome=Outcome.login_wall,
        kind="linkedin_company",
    )
    about = extraction("https://x.com.example/about", "Twitter", [fact("name", "Nimbus")], kind="company_website")
    team = extraction("https://github.com/nimbus", "GitHub", [fact("name", "Nimbus")], kind="github_org")
    assert source_kind([wall, about, team]) == "company_website"
    assert source_kind([wall]) == "linkedin_company"
    assert source_kind([extraction("https://twitter.com/a", "Twitter", [])]) == "generic"


def test_a_social_profile_says_where_they_are_and_how_many_follow(contact):
    bluesky = extraction(
        "https://bsky.app/profile/stephenking.bsky.social",
        "Bluesky",
        [
            fact("name", "Stephen King"),
            fact("handle", "stephenking.bsky.social"),
            fact("bio", "Writer."),
            fact("followers_count", 1101177, "1,101,177 followers"),
        ],
        kind="social_profile",
    )
    draft = condense(contact, [bluesky])
    assert draft.payload["summary"] == "Stephen King (@stephenking.bsky.social) is on Bluesky with 1,101,177 followers."
    assert list(draft.payload)[1:5] == ["name", "handle", "bio", "followers_count"]
    assert draft.grounding == [] and draft.violations == []


def test_a_social_profile_with_a_role_leads_with_it_and_rounds_what_was_rounded(contact):
    page = extraction(
        "https://www.instagram.com/nimbus.example/",
        "Instagram",
        [
            fact("name", "Sam Rivera"),
            fact("job_title", "Developer advocate"),
            fact("employer", "Nimbus Cloud"),
            fact("followers_count", 1200000, "1.2M followers"),
            fact("posts_count", 311, "311 posts"),
        ],
        kind="social_profile",
    )
    summary = summary_of(contact, page)
    assert summary == (
        "Sam Rivera is Developer advocate at Nimbus Cloud. On Instagram they have about 1,200,000 "
        "followers and 311 posts."
    )


def test_a_generic_page_about_an_organisation_reads_like_one(contact):
    club = extraction(
        "https://hundeverein.example/",
        "hundeverein.example",
        [
            fact("name", "Hundeverein Kreis Unna"),
            fact("industry", "dog sports"),
            fact("founded", 1974),
            fact("location", "Unna"),
        ],
        kind="generic",
        subject="organization",
    )
    draft = condense(contact, [club])
    assert draft.payload["summary"] == (
        "Hundeverein Kreis Unna is a dog sports organization, based in Unna, founded in 1974."
    )
    assert list(draft.payload)[1:3] == ["name", "industry"]


# --- who first, what stands out, never the same fact twice ---------------------------------------


def test_a_bio_that_repeats_the_role_is_not_said_again(contact):
    summary = summary_of(contact, brightwater("Head of Sales at Brightwater"))
    assert summary == "Ada Lovelace is Head of Sales at Brightwater, based in Berlin."
    assert "Bio" not in summary


def test_only_the_part_of_a_bio_that_adds_something_is_said(contact):
    summary = summary_of(
        contact,
        brightwater("Head of Sales at Brightwater. Sails the Baltic every summer and mentors first-time founders."),
    )
    assert summary == (
        "Ada Lovelace is Head of Sales at Brightwater, based in Berlin. Sails the Baltic every "
        "summer and mentors first-time founders."
    )


def test_a_one_word_bio_is_left_to_the_payload_and_a_count_is_said_instead(contact):
    page = extraction(
        "https://x.com/pdabrowski_example",
        "Twitter",
        [
            fact("name", "Paweł Dąbrowski"),
            fact("handle", "pdabrowski_example"),
            fact("bio", "Husband."),
            fact("location", "Poland"),
            fact("followers_count", 61, "61 Followers"),
            fact("following_count", 0, "0 Following"),
            fact("posts_count", 78, "78 posts"),
        ],
        kind="twitter",
    )
    draft = condense(contact, [page])
    summary = draft.payload["summary"]
    assert summary == (
        "Paweł Dąbrowski (@pdabrowski_example), based in Poland, is on Twitter with 61 followers and 78 posts."
    )
    assert draft.payload["bio"] == "Husband."  # still in the payload, just not worth a sentence


def test_what_stands_out_follows_who(contact):
    summary = summary_of(
        contact,
        brightwater(
            "Husband.",
            facts=[fact("skills", "Enterprise sales"), fact("skills", "Negotiation"), fact("followers_count", 1520)],
        ),
    )
    first, second = split_sentences(summary)
    assert first == "Ada Lovelace is Head of Sales at Brightwater, based in Berlin."
    assert second == "Skills include Enterprise sales and Negotiation; the LinkedIn profile lists 1,520 followers."


def test_someone_s_own_words_are_quoted(contact):
    page = extraction(
        "https://noor.example/",
        "Personal Website",
        [
            fact("name", "Noor Haddad"),
            fact("job_title", "Data journalist"),
            fact("bio", "I investigate water and energy data in the Levant."),
        ],
        kind="personal_website",
    )
    assert summary_of(contact, page) == (
        'Noor Haddad is Data journalist. "I investigate water and energy data in the Levant."'
    )


def test_an_interest_the_bio_names_is_not_listed_again(contact):
    _, extractions = samples()["generic"]
    summary = summary_of(contact, *extractions)
    assert summary.count("incident reviews") == 1 and "observability" in summary


@pytest.mark.parametrize("kind", list(samples()))
def test_every_template_leads_with_the_subject_and_states_each_fact_once(kind, contact):
    source, extractions = samples()[kind]
    summary = summary_of(contact, *extractions)
    assert summary.startswith(extractions[0].fact("name").value)
    assert stated_twice(summary, extractions) == []
    assert "Bio:" not in summary and 1 <= len(split_sentences(summary)) <= 3 and len(summary) <= 400
    # The template's words are all grounded: checking the summary again keeps every sentence.
    assert ground({"summary": summary}, extractions).unsupported == []
