"""The offline condenser: deterministic, no network, useful profiles that pass every rule."""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest

from agent.condense import OfflineCondenser, check_payload
from agent.condense.kinds import source_kind
from agent.errors import CondenseError, ThinProfile
from agent.models import Extraction, Outcome
from tests.support.condense import extraction, fact, samples

DAY = datetime.date(2025, 1, 2)
SAMPLES = samples()


def condense(contact, source, extractions):
    return asyncio.run(OfflineCondenser().condense(contact, source, extractions, DAY))


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_source_kind_yields_a_profile_that_passes_every_rule(kind, contact):
    source, extractions = SAMPLES[kind]
    assert source_kind(extractions) == kind
    draft = condense(contact, source, extractions)
    assert draft.violations == [] and draft.grounding == [] and draft.repairs == []
    assert check_payload(draft.payload).payload == draft.payload  # a second check changes nothing
    payload = draft.payload
    assert payload["source_url"] == extractions[0].url and payload["retrieved_at"] == "2025-01-02"
    assert payload["name"] in payload["summary"]
    assert set(draft.provenance) == set(payload)  # every key says where it came from
    assert draft.condenser == "offline" and draft.prompt_version.startswith("offline-")
    assert len(payload) >= 6  # useful: more than a name and the frame


def test_offline_is_deterministic(contact):
    source, extractions = SAMPLES["github_user"]
    first, second = condense(contact, source, extractions), condense(contact, source, extractions)
    assert json.dumps(first.payload) == json.dumps(second.payload)


def test_counts_are_integers_and_approximate_ones_say_so(contact):
    draft = condense(contact, *SAMPLES["twitter"])
    assert draft.payload["followers_count"] == 86400 and draft.payload["posts_count"] == 10234
    assert "about 86,400 followers" in draft.payload["summary"]
    assert draft.provenance["followers_count"].evidence == "86.4K Followers"


def test_the_summary_names_who_role_and_organisation(contact):
    summary = condense(contact, *SAMPLES["linkedin_person"]).payload["summary"]
    assert summary.startswith("Jane Doe is Staff Engineer at Acme Robotics, based in Berlin, Germany.")
    summary = condense(contact, *SAMPLES["company_website"]).payload["summary"]
    assert "Nimbus Cloud is a Cloud computing company, headquartered in Lisbon, Portugal, founded in 2016." in summary


def test_sparse_pages_still_get_a_summary(contact):
    bare = extraction(
        "https://github.com/someone-example",
        "GitHub",
        [fact("handle", "someone-example"), fact("repositories_count", 3, "3 repositories")],
        kind="github_user",
    )
    draft = condense(contact, "GitHub", [bare])
    assert draft.violations == []
    assert draft.payload["summary"] == "@someone-example is a GitHub user. On GitHub they have 3 public repositories."


def test_too_sparse_pages_are_no_profile(contact):
    # A summary and one field, or a page without facts, is never posted (tests/test_condense_thin.py).
    bare = extraction(
        "https://github.com/someone-example", "GitHub", [fact("handle", "someone-example")], kind="github_user"
    )
    with pytest.raises(ThinProfile, match=r"1 supported field \(handle\)"):
        condense(contact, "GitHub", [bare])
    empty = extraction("https://example.org/", "Personal Website", [], kind="personal_website")
    with pytest.raises(ThinProfile, match="no facts"):
        condense(contact, "Personal Website", [empty])


def test_several_extractions_of_one_origin_are_merged(contact):
    about = extraction(
        "https://nimbus-cloud.example/about",
        "Company Website",
        [fact("name", "Nimbus Cloud"), fact("founded", 2016)],
        kind="company_website",
        subject="organization",
    )
    team = extraction(
        "https://nimbus-cloud.example/team",
        "Company Website",
        [
            fact("name", "Nimbus Cloud"),
            fact("employees_count", 85),
            fact("locations", "Lisbon"),
            fact("locations", "Porto"),
        ],
        kind="company_website",
        subject="organization",
    )
    draft = condense(contact, "Company Website", [about, team])
    assert draft.violations == [] and draft.grounding == []
    assert draft.payload["source_urls"] == [about.url, team.url]
    assert draft.payload["employees_count"] == 85 and draft.payload["locations"] == ["Lisbon", "Porto"]
    assert draft.provenance["employees_count"].url == team.url


def test_login_walls_are_never_summarised(contact):
    wall = Extraction(
        url="https://www.linkedin.com/in/x",
        extractor="linkedin",
        profile_source="LinkedIn",
        outcome=Outcome.login_wall,
        reason="sign-in page",
    )
    with pytest.raises(CondenseError, match="no readable LinkedIn source"):
        condense(contact, "LinkedIn", [wall])


def test_long_values_are_cut_to_the_limits(contact):
    long_bio = "I build tools for people who build tools. " * 60
    ex = extraction(
        "https://lee.example/",
        "Personal Website",
        [fact("name", "Lee Moreau"), fact("bio", long_bio)] + [fact("skills", f"skill {i}") for i in range(300)],
        kind="personal_website",
        text=long_bio,
    )
    draft = condense(contact, "Personal Website", [ex])
    assert draft.violations == [] and draft.grounding == []
    assert len(draft.payload["bio"]) <= 1000 and len(", ".join(draft.payload["skills"])) <= 1000
    assert len(draft.payload["summary"]) <= 400


def test_counts_written_as_text_are_read_or_left_out(contact):
    ex = extraction(
        "https://x.com/sam",
        "Twitter",
        kind="twitter",
        facts=[
            fact("name", "Sam Rivera"),
            fact("followers_count", "86.4K"),
            fact("following_count", "3,893"),
            fact("posts_count", "lots"),
        ],
        text="Sam Rivera 86.4K Followers 3,893 Following",
    )
    draft = condense(contact, "Twitter", [ex])
    assert draft.violations == [] and draft.grounding == []
    assert draft.payload["followers_count"] == 86400 and draft.payload["following_count"] == 3893
    assert "posts_count" not in draft.payload and "about 86,400 followers" in draft.payload["summary"]


def _fixture_pages():
    import pathlib

    index = pathlib.Path(__file__).parent / "pages" / "expected.json"
    if not index.is_file():
        return []
    return [e for e in json.loads(index.read_text()) if e.get("outcome") == "ok" and e.get("url")]


@pytest.mark.parametrize("entry", _fixture_pages(), ids=lambda e: e["file"])
def test_the_project_fixture_pages_condense_cleanly(entry, contact):
    """Extractor output on the recorded pages in tests/pages/ condenses with no violation and no drop."""
    import pathlib

    from agent.models import Page
    from extractors.registry import route

    html = (pathlib.Path(__file__).parent / "pages" / entry["file"]).read_text(encoding="utf-8")
    page = Page(
        url=entry["url"],
        final_url=entry["url"],
        status=200,
        html=html,
        engine="replay",
        fetched_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC),
        content_hash=Page.hash_html(html),
    )
    extraction = route(entry["url"]).parse(page)
    draft = condense(contact, extraction.profile_source, [extraction])
    assert draft.violations == [] and draft.grounding == []
    assert draft.payload["summary"] and len(draft.payload) >= 4


def test_an_office_and_a_website_are_said_once():
    """Two company pages write one office two ways, and the site links its own address among its profiles."""
    from agent.condense.offline import offline_payload
    from tests.support.condense import extraction, fact

    home = extraction(
        "https://acme.example/",
        "Company Website",
        [
            fact("name", "Acme Widgets"),
            fact("address", "3 Mill Street, Leeds LS1 4AB, GB"),
            fact("website", "https://acme.example"),
            fact("social_profiles", "https://acme.example/"),
            fact("social_profiles", "https://x.com/acme"),
        ],
        kind="company_website",
        subject="organization",
    )
    contact = extraction(
        "https://acme.example/contact",
        "Company Website",
        [
            fact("address", "3 Mill Street, Leeds LS1 4AB, United Kingdom"),
            fact("address", "9 Dock Road, Hull HU1 2AA, United Kingdom"),
        ],
        kind="company_website",
        subject="organization",
    )
    payload = offline_payload("Company Website", [home, contact])
    assert payload["address"] == "3 Mill Street, Leeds LS1 4AB, GB"
    assert payload["locations"] == ["9 Dock Road, Hull HU1 2AA, United Kingdom"]
    assert payload["social_profiles"] == ["https://x.com/acme"]
