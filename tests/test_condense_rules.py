"""The best-practice check: safe repairs are applied and listed, everything else is a violation."""

from __future__ import annotations

import pytest

from agent.condense import KEY_TYPES, check_payload
from agent.condense.rules import key_type, normalise_key

FRAME = {"source_url": "https://github.com/adapark-example", "retrieved_at": "2025-01-02"}


def checked(**payload):
    return check_payload({"summary": "Ada Park is a compiler engineer.", **payload, **FRAME})


def test_a_clean_payload_passes_untouched():
    result = checked(name="Ada Park", followers_count=1200, skills=["Rust", "Zig"], hireable=True)
    assert result.ok and result.repairs == []
    assert result.payload == {
        "summary": "Ada Park is a compiler engineer.",
        "name": "Ada Park",
        "followers_count": 1200,
        "skills": ["Rust", "Zig"],
        "hireable": True,
        **FRAME,
    }


def test_safe_repairs_are_applied_and_listed():
    result = check_payload(
        {
            "summary": "  Ada Park is a compiler engineer.  ",
            "jobTitle": " Compiler engineer ",
            "FollowersCount": "3,893",
            "stars_count": 12.0,
            "skills": "Rust",
            "bio": "",
            "website": None,
            "languages": ["English", "", "English"],
            "hireable": "yes",
            **FRAME,
        }
    )
    assert result.ok, result.violations
    p = result.payload
    assert p["job_title"] == "Compiler engineer" and p["followers_count"] == 3893 and p["stars_count"] == 12
    assert p["skills"] == ["Rust"] and p["languages"] == ["English"] and p["hireable"] is True
    assert "bio" not in p and "website" not in p
    assert p["summary"] == "Ada Park is a compiler engineer."
    text = "\n".join(result.repairs)
    for expected in (
        "renamed key 'jobTitle' to 'job_title'",
        "renamed key 'FollowersCount' to 'followers_count'",
        "converted 'followers_count' to an integer",
        "converted 'skills' to a list of strings",
        "dropped empty 'bio'",
        "dropped empty 'website'",
    ):
        assert expected in text


@pytest.mark.parametrize("key", ["info", "misc", "data", "value", "other", "data_key_1", "field2", "details"])
def test_generic_keys_are_violations(key):
    result = checked(**{key: "something"})
    assert not result.ok
    assert any(v.startswith("generic_key") and repr(key) in v for v in result.violations)
    assert key not in result.payload


def test_nested_objects_and_bad_types_are_violations():
    result = checked(employer={"name": "Acme"}, followers_count="lots", name=["Ada", "Park"])
    kinds = sorted(v.split(":")[0] for v in result.violations)
    assert kinds == ["not_flat", "type_mismatch", "type_mismatch"]


def test_summary_is_required_and_bounded():
    assert check_payload({"name": "Ada", **FRAME}).violations == [
        "summary_missing: every profile needs a 1-3 sentence summary"
    ]
    long = " ".join(f"Ada Park wrote compiler number {i} in Rust for the team at Ferrous Labs." for i in range(8))
    result = check_payload({"summary": long, **FRAME})
    assert result.ok
    assert len(result.payload["summary"]) <= 400 and result.payload["summary"].count(".") <= 3
    assert any("summary sentences" in r for r in result.repairs)
    one_huge = "Ada " + "really " * 80 + "likes Rust."
    assert check_payload({"summary": one_huge, **FRAME}).violations[0].startswith("summary_too_long")


def test_source_url_and_retrieved_at_are_required():
    result = check_payload({"summary": "Ada Park is a compiler engineer."})
    assert [v.split(":")[0] for v in result.violations] == ["source_url_missing", "retrieved_at_missing"]
    result = check_payload(
        {
            "summary": "Ada Park is a compiler engineer.",
            "source_url": "https://x.example/a",
            "retrieved_at": "2025-01-02T10:00:00+00:00",
        }
    )
    assert result.ok and result.payload["retrieved_at"] == "2025-01-02"


def test_limits_on_keys_and_value_length_are_repaired():
    many = {f"topic_{chr(97 + i // 26)}{chr(97 + i % 26)}": "x" for i in range(40)}
    result = checked(**many)
    assert result.ok and len(result.payload) == 30
    assert "summary" in result.payload and "source_url" in result.payload and "retrieved_at" in result.payload
    assert any("over the 30-key limit" in r for r in result.repairs)
    result = checked(bio="word " * 400, skills=[f"skill number {i}" for i in range(200)])
    assert result.ok and len(result.payload["bio"]) <= 1000 and result.payload["bio"].endswith("…")
    assert len(", ".join(result.payload["skills"])) <= 1000


def test_credentials_are_removed_wherever_they_appear():
    result = checked(
        api_key="sk-live-abcdefghijklmnop1234",
        password="hunter2",
        bio="Builds compilers. My token: ghp_abcdefghijklmnopqrstuvwxyz0123",
        interests=["Rust", "AKIAABCDEFGHIJKLMNOP"],
    )
    assert result.ok
    blob = str(result.payload)
    assert "api_key" not in blob and "hunter2" not in blob and "ghp_" not in blob and "AKIA" not in blob
    assert result.payload["bio"] == "Builds compilers." and result.payload["interests"] == ["Rust"]
    assert any("removed key 'api_key'" in r for r in result.repairs)


def test_special_category_data_is_removed_but_names_of_organisations_stay():
    result = check_payload(
        {
            "summary": "Ada Park works at Catholic University of Leuven. She is a devout Christian and a Democrat.",
            "employer": "Catholic University of Leuven",
            "religion": "Christian",
            "bio": "Compiler hacker. Proud Republican.",
            "interests": ["Rust", "LGBTQ activism"],
            **FRAME,
        }
    )
    assert result.ok
    p = result.payload
    assert p["summary"] == "Ada Park works at Catholic University of Leuven."
    assert "religion" not in p and p["bio"] == "Compiler hacker." and p["interests"] == ["Rust"]
    assert p["employer"] == "Catholic University of Leuven"
    assert any("special-category" in r for r in result.repairs)


def test_a_person_named_christian_is_not_a_religion():
    result = check_payload(
        {"summary": "Christian Weber is a designer at Nimbus Cloud.", "name": "Christian Weber", **FRAME}
    )
    assert result.ok and result.repairs == []


def test_not_an_object():
    assert check_payload(["summary"]).violations == ["not_object: the payload must be a JSON object"]


def test_one_type_per_key_across_the_project():
    assert {KEY_TYPES[k] for k in ("followers_count", "repositories_count", "employees_count", "founded")} == {"int"}
    assert key_type("downloads_count") == "int" and key_type("is_remote") == "bool"
    assert key_type("key_products") == "list" and key_type("favourite_editor") is None
    assert normalise_key("jobTitle") == "job_title" and normalise_key("Followers Count") == "followers_count"
    assert normalise_key("HTMLParserVersion") == "html_parser_version"
