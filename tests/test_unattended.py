"""Unattended runs you can trust (#11), end to end through the CLI against the sandbox (v1 and v2):
identity before posting, tracked contacts merged (never replaced), fresh or lost state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from agent.store import Store


def _use(demo_world, monkeypatch, version: str) -> None:
    for key, value in demo_world.sandbox.settings_env(version).items():
        monkeypatch.setenv(key, value)


def _enrich(capsys, *args: str) -> tuple[int, dict[str, dict]]:
    code = main(["enrich", "--json", "--no-progress", *args])
    (contact,) = json.loads(capsys.readouterr().out)["contacts"]
    return code, {p["profile_source"]: p for p in contact["profiles"]}


def _state(demo_world) -> Store:
    return Store(Path(demo_world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_page_nothing_ties_to_the_contact_is_unverified_and_not_posted(demo_world, capsys, monkeypatch, version):
    _use(demo_world, monkeypatch, version)
    # Zyntro knows no name, email or company for this contact either (v2 asks it)
    cid = demo_world.sandbox.add_contact(name="")
    for mode in ([], ["--dry-run"], ["--review"]):
        _, profiles = _enrich(capsys, "https://github.com/emarsh", "--contact-id", cid, *mode)
        github = profiles["GitHub"]
        assert github["status"] == "unverified", (mode, github)
        assert github["payload"]["name"] == "Evan Marshall"  # built and shown, so the choice can be made
        said = " ".join(github["warnings"])
        assert "--name" in said and "--accept-unverified" in said and "github.com/emarsh" in said
        assert ("ZYNTRO_API_VERSION=v2" in said) == (version == "v1")
    assert sum(demo_world.stored().values()) == 0

    code, profiles = _enrich(capsys, "https://github.com/emarsh", "--contact-id", cid, "--accept-unverified")
    github = profiles["GitHub"]
    assert github["status"] == "posted" and code == 0
    assert any(w.startswith("posted unverified (--accept-unverified)") for w in github["warnings"])
    assert len(demo_world.sandbox.profiles()) == 1
    with _state(demo_world) as store:  # the choice is kept with what was posted
        (draft,) = [d for d in store.drafts("approved") if d["contact_id"] == cid]
        assert draft["note"] == "posted unverified (--accept-unverified)"


def test_a_hint_ties_the_page_and_untied_pages_are_left_out(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    # the email's domain ties the GitHub page (its employer is northquay); the company page names nobody
    code, profiles = _enrich(
        capsys, "https://github.com/dosei", "--contact-id", cid, "--email", "dmitri@northquay.example"
    )
    assert profiles["GitHub"]["status"] == "posted", profiles
    # an organisation page with only a person's name to compare: nothing ties it, so it is left out
    other = demo_world.sandbox.add_contact(name="Dmitri Osei")
    code, profiles = _enrich(
        capsys,
        "https://github.com/dosei",
        "https://github.com/fernhollow",
        "--contact-id",
        other,
        "--name",
        "Dmitri Osei",
        "--dry-run",
    )
    github = profiles["GitHub"]
    assert github["status"] == "dry_run"
    assert "left out (nothing ties it to the contact) https://github.com/fernhollow" in github["warnings"]
    assert "ernhollow" not in json.dumps(github["payload"])


def _contacts(capsys, *args: str):
    code = main(["contacts", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_runs_merge_into_the_tracked_contact_and_a_dry_run_changes_nothing(demo_world, capsys, monkeypatch, version):
    _use(demo_world, monkeypatch, version)
    cid = demo_world.contacts["Ada Quinlan"]
    urls = demo_world.urls["Ada Quinlan"]
    code, profiles = _enrich(capsys, *urls, "--contact-id", cid, "--name", "Ada Quinlan")
    assert {p["status"] for p in profiles.values()} == {"posted"} and code == 0
    _, before = _contacts(capsys, "show", cid)
    assert (before["name"], len(before["urls"])) == ("Ada Quinlan", 3)
    posted = {p["profile_source"] for p in before["posted"] if p["state"] == "posted"}
    assert posted == {"LinkedIn", "GitHub", "Twitter"}

    # a dry run with one URL and another name changes nothing that is tracked
    _enrich(capsys, urls[1], "--contact-id", cid, "--name", "Somebody Else", "--dry-run")
    assert _contacts(capsys, "show", cid)[1] == before
    # a later run with one URL and no hints merges into the tracked contact: its name still ties the page
    code, profiles = _enrich(capsys, urls[1], "--contact-id", cid)
    assert profiles["GitHub"]["status"] == "unchanged"
    _, after = _contacts(capsys, "show", cid)
    assert (after["name"], after["urls"]) == ("Ada Quinlan", before["urls"])
    code, profiles = _enrich(capsys, "https://github.com/dosei", "--contact-id", cid, "--company", "Quillmetrics")
    assert profiles["GitHub"]["status"] == "identity_mismatch"  # the tracked name says it is someone else
    _, after = _contacts(capsys, "show", cid)
    assert (after["name"], after["company"], len(after["urls"])) == ("Ada Quinlan", "Quillmetrics", 4)

    # refresh researches every tracked source: nothing changed, nothing is posted again
    assert main(["refresh", "--all", "--json", "--no-progress"]) in (0, 1)
    (refreshed,) = json.loads(capsys.readouterr().out)["contacts"]
    statuses = {p["profile_source"]: p["status"] for p in refreshed["profiles"]}
    assert statuses == {"LinkedIn": "unchanged", "GitHub": "unchanged", "Twitter": "unchanged"}
    assert sum(demo_world.stored().values()) == 3

    code, listed = _contacts(capsys, "list")
    assert code == 0 and [c["contact_id"] for c in listed] == [cid]
    assert main(["contacts", "untrack", cid]) == 0
    assert "untracked" in capsys.readouterr().out
    assert _contacts(capsys, "list") == (0, [])
    assert main(["contacts", "show", cid]) == 2
    assert "not tracked" in capsys.readouterr().err
    assert main(["refresh", "--all"]) == 0
    assert "no tracked contact is due" in capsys.readouterr().err


def test_python_api_posts_unverified_only_when_asked(demo_world):
    from agent import enrich

    cid = demo_world.sandbox.add_contact(name="")
    assert enrich({"contact_id": cid}, ["https://github.com/dosei"]).profiles[0].status.value == "unverified"
    report = enrich({"contact_id": cid}, ["https://github.com/dosei"], accept_unverified=True)
    assert report.profiles[0].status.value == "posted"


def test_a_page_accepted_unverified_stays_accepted_on_refresh(demo_world, capsys):
    cid = demo_world.sandbox.add_contact(name="")
    _enrich(capsys, "https://github.com/emarsh", "--contact-id", cid, "--accept-unverified")
    _, shown = _contacts(capsys, "show", cid)
    assert shown["accepted_unverified"] == ["https://github.com/emarsh"]
    _enrich(capsys, "https://github.com/adaquinlan", "--contact-id", cid)  # not accepted: unverified
    main(["refresh", "--all", "--json", "--no-progress"])
    (refreshed,) = json.loads(capsys.readouterr().out)["contacts"]
    github = refreshed["profiles"][0]
    # emarsh was accepted and is unchanged; adaquinlan (same origin) was never accepted
    assert github["status"] == "unverified"
    assert sum(demo_world.stored().values()) == 1


def test_v2_a_fresh_state_directory_does_not_post_again_what_zyntro_holds(demo_world, capsys, monkeypatch, tmp_path):
    _use(demo_world, monkeypatch, "v2")
    cid = demo_world.contacts["Ada Quinlan"]
    args = [*demo_world.urls["Ada Quinlan"], "--contact-id", cid, "--name", "Ada Quinlan"]
    _, profiles = _enrich(capsys, *args)
    assert {p["status"] for p in profiles.values()} == {"posted"}
    ids = {source: p["profile_id"] for source, p in profiles.items()}

    monkeypatch.setenv("ZYNTRO_ENRICH_HOME", str(tmp_path / "fresh"))  # the state directory was lost
    code, profiles = _enrich(capsys, *args)
    assert {source: (p["status"], p["profile_id"]) for source, p in profiles.items()} == {
        source: ("unchanged", pid) for source, pid in ids.items()
    }
    assert "found by fetchContact" in " ".join(profiles["GitHub"]["warnings"])
    assert code == 0 and sum(demo_world.stored().values()) == 3
    _, profiles = _enrich(capsys, *args)  # and now the new state knows: nothing is read or sent again
    assert {p["status"] for p in profiles.values()} == {"unchanged"}
    assert sum(demo_world.stored().values()) == 3

    # another source for the same contact in the fresh state is still posted once
    _, profiles = _enrich(
        capsys, "https://github.com/dosei", "--contact-id", demo_world.contacts["Dmitri Osei"], "--name", "Dmitri Osei"
    )
    assert profiles["GitHub"]["status"] == "posted"
    assert sum(demo_world.stored().values()) == 4


def test_v1_says_once_and_loudly_that_duplicates_cannot_be_detected(demo_world, tmp_path):
    env = {**demo_world.env, **demo_world.sandbox.settings_env("v1")}
    rows = [
        {"contact_id": demo_world.contacts[name], "name": name, "urls": demo_world.urls[name]}
        for name in ("Ada Quinlan", "Dmitri Osei")
    ]
    batch = tmp_path / "two.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = [sys.executable, "-m", "agent.cli", "enrich", "--batch", str(batch), "--no-progress", "--json"]
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert first.stderr.count("DUPLICATES CANNOT BE DETECTED") == 1, first.stderr
    assert "ZYNTRO_ENRICH_HOME" in first.stderr and env["ZYNTRO_ENRICH_HOME"] in first.stderr
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert "DUPLICATES CANNOT BE DETECTED" not in again.stderr  # the state knows these contacts now
