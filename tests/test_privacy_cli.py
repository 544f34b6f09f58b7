"""Erasure, the do-not-enrich list and the state's sizes, end to end through the CLI against the sandbox:
`suppress` is honoured by enrich, batch, refresh, schedule and review approve; `forget` erases and a
re-enrichment posts nothing twice; `state stats`/`prune` show and enforce the page cache's limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from agent.store import Store


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def _rows(world, sql: str, *params) -> int:
    with Store(Path(world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3") as store:
        return store._rows(sql, params)[0][0]


def _enrich(world, name: str, *extra: str) -> list[str]:
    return ["enrich", "https://github.com/dosei", "--contact-id", world.contacts[name], "--name", name, *extra]


def test_suppress_add_list_remove(capsys):
    assert main(["suppress", "add", "Acme.Example.", "--note", "request 42"]) == 0
    assert main(["suppress", "add", "Ann@Acme.example"]) == 0
    assert main(["suppress", "add", "3F2B9C1E-8D4A-4C2E-9B1F-0A2B3C4D5E6F"]) == 0
    assert main(["suppress", "add", "acme.example"]) == 0
    assert "already" in capsys.readouterr().out
    assert main(["suppress", "list", "--json"]) == 0
    entries = {(e["kind"], e["value"]) for e in _json(capsys)}
    assert entries == {
        ("domain", "acme.example"),
        ("email", "ann@acme.example"),
        ("contact_id", "3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f"),
    }
    assert main(["suppress", "remove", "ann@acme.example"]) == 0
    assert main(["suppress", "remove", "ann@acme.example"]) == 2  # not there any more: said so
    assert main(["suppress", "add", "not a domain"]) == 2
    assert "neither a contact id" in capsys.readouterr().err


def test_enrich_and_batch_skip_suppressed_contacts_without_fetching(demo_world, capsys, tmp_path):
    assert main(["suppress", "add", "northquay.example"]) == 0  # Dmitri's email domain
    capsys.readouterr()
    assert main([*_enrich(demo_world, "Dmitri Osei", "--email", "dmitri@northquay.example"), "--json"]) == 0
    (contact,) = _json(capsys)["contacts"]
    assert contact["suppressed"] == "on the do-not-enrich list (email domain northquay.example)"
    assert contact["profiles"] == []
    cid = demo_world.contacts["Dmitri Osei"]
    assert _rows(demo_world, "SELECT COUNT(*) FROM sources WHERE contact_id=?", cid) == 0  # nothing fetched
    assert _rows(demo_world, "SELECT COUNT(*) FROM contacts WHERE contact_id=?", cid) == 0  # nor stored

    batch = demo_world.batch_file(tmp_path / "b.jsonl", ["Dmitri Osei", "Ada Quinlan"])
    main(["enrich", "--batch", str(batch), "--json", "--no-progress"])
    by_id = {c["contact_id"]: c for c in _json(capsys)["contacts"]}
    assert by_id[cid]["suppressed"] and by_id[cid]["profiles"] == []
    assert by_id[demo_world.contacts["Ada Quinlan"]]["profiles"]  # the rest of the batch ran
    assert ("Dmitri Osei", "GitHub") not in demo_world.stored()

    main(_enrich(demo_world, "Dmitri Osei", "--email", "dmitri@northquay.example"))
    assert "suppressed" in capsys.readouterr().out  # the table says so too


def test_refresh_and_schedule_honour_the_list(demo_world, capsys, monkeypatch):
    assert main(_enrich(demo_world, "Dmitri Osei")) == 0
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["suppress", "add", cid]) == 0
    capsys.readouterr()
    assert main(["refresh", "--all", "--json"]) == 0
    (contact,) = _json(capsys)["contacts"]
    assert "(contact id)" in contact["suppressed"] and contact["profiles"] == []
    monkeypatch.setenv("ZYNTRO_ENRICH_REFRESH_DAYS", "0")
    assert main(["schedule", "--passes", "1", "--json"]) == 0
    (contact,) = _json(capsys)["contacts"]
    assert contact["suppressed"]
    assert _rows(demo_world, "SELECT COUNT(*) FROM sources WHERE contact_id=?", cid) == 1  # only the first enrich


def test_review_approve_refuses_a_suppressed_contact(demo_world, capsys):
    assert main([*_enrich(demo_world, "Dmitri Osei", "--email", "dmitri@northquay.example"), "--review", "--json"]) == 0
    (profile,) = _json(capsys)["contacts"][0]["profiles"]
    assert main(["suppress", "add", "dmitri@northquay.example"]) == 0
    capsys.readouterr()
    assert main(["review", "approve", str(profile["draft_id"])]) == 0
    assert "suppressed" in capsys.readouterr().out
    assert sum(demo_world.stored().values()) == 0
    assert main(["review", "list", "--json"]) == 0
    assert _json(capsys) == []  # it left the queue


def test_forget_then_reenrich_posts_nothing_twice(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(_enrich(demo_world, "Dmitri Osei")) == 0
    capsys.readouterr()
    assert main(["forget", cid]) == 0
    out = capsys.readouterr().out
    assert f"forgot contact {cid}" in out and "1 cached pages" in out and "kept 1 payload hash" in out
    assert "delete them in Zyntro" in out
    assert main(["forget", cid]) == 0
    assert "nothing was stored" in capsys.readouterr().out
    assert main(["state", "stats", "--json"]) == 0
    stats = _json(capsys)
    assert stats["rows"]["contacts"] == 0 and stats["rows"]["erasures"] == 1
    assert cid not in json.dumps(stats["erasures"]) and "Dmitri" not in json.dumps(stats["erasures"])
    assert main(["refresh", "--all"]) == 0
    assert "no tracked contact" in capsys.readouterr().err  # untracked

    assert main([*_enrich(demo_world, "Dmitri Osei"), "--json"]) == 0
    assert [p["status"] for p in _json(capsys)["contacts"][0]["profiles"]] == ["unchanged"]
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}

    assert main(["forget", cid, "--suppress", "--drop-hashes"]) == 0
    capsys.readouterr()
    assert main([*_enrich(demo_world, "Dmitri Osei"), "--json"]) == 0
    assert _json(capsys)["contacts"][0]["suppressed"]


def test_forget_refuses_a_bad_id(capsys):
    assert main(["forget", "dmitri"]) == 2
    assert "not a contact id" in capsys.readouterr().err


@pytest.mark.parametrize("cap_mb", ["0.000001"])
def test_state_stats_and_the_page_cache_cap(demo_world, capsys, monkeypatch, cap_mb):
    assert main(_enrich(demo_world, "Dmitri Osei")) == 0
    capsys.readouterr()
    assert main(["state", "stats"]) == 0
    out = capsys.readouterr().out
    assert "page cache: 1 pages" in out and "of 256 MB, kept 30 days after last use" in out
    assert "tracked contacts: 1" in out
    monkeypatch.setenv("ZYNTRO_ENRICH_CACHE_MB", cap_mb)
    assert main(["state", "prune", "--json"]) == 0
    data = _json(capsys)
    assert data["pruned"] == {"expired": 0, "evicted": 1} and data["rows"]["pages"] == 0
    assert main(_enrich(demo_world, "Dmitri Osei")) == 0  # a run keeps to the cap by itself
    assert _rows(demo_world, "SELECT COUNT(*) FROM pages") == 0
    monkeypatch.setenv("ZYNTRO_ENRICH_CACHE_MB", "256")
    monkeypatch.setenv("ZYNTRO_ENRICH_CACHE_DAYS", "0")  # nothing kept past a run
    assert main(_enrich(demo_world, "Dmitri Osei")) == 0
    assert _rows(demo_world, "SELECT COUNT(*) FROM pages") == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["forget", "3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f"],
        ["suppress", "list"],
        ["state", "stats"],
        ["schedule", "--print-cron"],
        ["schedule", "--print-systemd"],
    ],
)
def test_new_commands_refuse_a_bad_setting_first(argv, monkeypatch, capsys):
    monkeypatch.setenv("ZYNTRO_ENRICH_CACHE_DAYS", "-1")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "ZYNTRO_ENRICH_CACHE_DAYS" in err and "Traceback" not in err


def test_suppress_list_survives_as_a_file_and_imports_back(capsys, tmp_path, monkeypatch):
    assert main(["suppress", "add", "acme.example", "--note", "request 42"]) == 0
    assert main(["suppress", "add", "ann@elsewhere.example"]) == 0
    capsys.readouterr()
    assert main(["suppress", "list", "--json"]) == 0
    saved = tmp_path / "list.json"
    saved.write_text(capsys.readouterr().out)
    monkeypatch.setenv("ZYNTRO_ENRICH_HOME", str(tmp_path / "new-home"))  # the state directory was lost
    (tmp_path / "new-home").mkdir()
    assert main(["suppress", "import", str(saved)]) == 0
    lines = tmp_path / "more.txt"
    lines.write_text("# from the mailbox\nbo@acme.example\nacme.example\n")
    assert main(["suppress", "import", str(lines)]) == 0
    assert "1 entries added" in capsys.readouterr().out.splitlines()[-1]
    assert main(["suppress", "list", "--json"]) == 0
    rows = {(r["kind"], r["value"], r["note"]) for r in json.loads(capsys.readouterr().out)}
    assert ("domain", "acme.example", "request 42") in rows and len(rows) == 3
    lines.write_text("nonsense here\n")
    assert main(["suppress", "import", str(lines)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_v2_an_email_read_from_zyntro_is_checked_before_fetching(demo_world, capsys, monkeypatch):
    for key, value in demo_world.sandbox.settings_env("v2").items():
        monkeypatch.setenv(key, value)
    assert main(["suppress", "add", "northquay.example"]) == 0  # Dmitri's email domain, known only to Zyntro
    capsys.readouterr()
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--json"]) == 0
    (contact,) = _json(capsys)["contacts"]
    assert "email domain northquay.example" in contact["suppressed"] and contact["profiles"] == []
    assert _rows(demo_world, "SELECT COUNT(*) FROM sources WHERE contact_id=?", cid) == 0
    assert _rows(demo_world, "SELECT COUNT(*) FROM contacts WHERE contact_id=?", cid) == 0
    assert sum(demo_world.stored().values()) == 0
