"""Every command that posts checks the Zyntro credentials before any work: enrich, batch, refresh, review
approve, post. With v2 that is one fetchIdentifiers call (the cheapest the API has); a wrong key, secret,
organisation or member is exit 2 naming the variable, and no page is fetched and nothing is posted."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from agent.cli import main

WRONG = {
    "ZYNTRO_API_KEY": lambda sb: "sbx_wrong_key",
    "ZYNTRO_DEVELOPER_SECRET": lambda sb: "zdk_wrong_secret",
    "ZYNTRO_ORG_ID": lambda sb: str(uuid.uuid4()),
    "ZYNTRO_MEMBER_ID": lambda sb: str(uuid.uuid4()),
}


@pytest.fixture
def v2(demo_world, monkeypatch):
    for key, value in demo_world.sandbox.settings_env("v2").items():
        monkeypatch.setenv(key, value)
    return demo_world


def _api_calls(world) -> list[str]:
    return [r["path"].rsplit("/", 1)[-1] for r in world.sandbox.requests]


def _state(world) -> Path:
    return Path(world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3"


@pytest.mark.parametrize("variable", list(WRONG))
def test_enrich_with_a_wrong_credential_stops_before_fetching(v2, monkeypatch, capsys, variable):
    secret = WRONG[variable](v2.sandbox)
    monkeypatch.setenv(variable, secret)
    cid = v2.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 2
    err = capsys.readouterr().err
    assert variable in err and "Traceback" not in err and err.count("\n") == 1
    if variable in ("ZYNTRO_API_KEY", "ZYNTRO_DEVELOPER_SECRET"):
        assert secret not in err
    assert _api_calls(v2) == ["fetchIdentifiers"]
    assert not _state(v2).exists()  # no run started, no page fetched


def test_batch_with_a_wrong_key_stops_before_fetching(v2, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ZYNTRO_API_KEY", "sbx_wrong_key")
    batch = v2.batch_file(tmp_path / "contacts.jsonl")
    assert main(["enrich", "--batch", str(batch), "--no-progress"]) == 2
    assert "ZYNTRO_API_KEY" in capsys.readouterr().err
    assert _api_calls(v2) == ["fetchIdentifiers"] and not _state(v2).exists()


def test_dry_runs_and_review_do_not_need_the_check(v2, monkeypatch, capsys):
    cid = v2.contacts["Dmitri Osei"]
    for mode in ("--dry-run", "--review"):
        assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", mode]) == 0
    assert "fetchIdentifiers" not in _api_calls(v2)


def test_good_credentials_cost_one_call_then_the_run_posts(v2, capsys):
    cid = v2.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0
    # one call checks the credentials; a contact this state never posted to is read once (is it there already?)
    assert _api_calls(v2) == ["fetchIdentifiers", "fetchContact", "addProfileToContact"]


def test_refresh_checks_before_fetching_again(v2, monkeypatch, capsys):
    cid = v2.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0  # tracked
    pages = Path(v2.env["ZYNTRO_ENRICH_REPLAY_DIR"])
    before = _api_calls(v2)
    monkeypatch.setenv("ZYNTRO_ORG_ID", str(uuid.uuid4()))
    (pages / "index.json").rename(pages / "index.json.off")  # any fetch now would fail loudly
    assert main(["refresh", "--all", "--no-progress"]) == 2
    assert "ZYNTRO_ORG_ID" in capsys.readouterr().err
    assert _api_calls(v2) == [*before, "fetchIdentifiers"]


def test_review_approve_checks_before_posting(v2, monkeypatch, capsys):
    cid = v2.contacts["Dmitri Osei"]
    assert (
        main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--review", "--json"])
        == 0
    )
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    monkeypatch.setenv("ZYNTRO_MEMBER_ID", str(uuid.uuid4()))
    assert main(["review", "approve", str(profile["draft_id"])]) == 2
    assert "ZYNTRO_MEMBER_ID" in capsys.readouterr().err
    assert main(["review", "list", "--json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["queued_for_review"]  # still decidable
    assert "addProfileToContact" not in _api_calls(v2)


def test_post_checks_before_posting(v2, monkeypatch, tmp_path, capsys):
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"summary": "Dmitri Osei builds things."}))
    monkeypatch.setenv("ZYNTRO_DEVELOPER_SECRET", "zdk_wrong_secret")
    assert main(["post", str(payload), "--contact-id", v2.contacts["Dmitri Osei"], "--source", "GitHub"]) == 2
    err = capsys.readouterr().err
    assert "ZYNTRO_DEVELOPER_SECRET" in err and "zdk_wrong_secret" not in err
    assert _api_calls(v2) == ["fetchIdentifiers"]
