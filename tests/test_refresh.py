"""Refresh: tracked contacts are researched again when due; unchanged profiles are not posted again."""

import json

from agent.cli import main


def test_refresh_only_due_contacts_and_never_reposts_unchanged(demo_world, capsys, monkeypatch):
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--json"]) == 0
    capsys.readouterr()
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}

    assert main(["refresh", "--json"]) == 0  # enriched just now: not due
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"contacts": []}
    assert "no tracked contact is due" in captured.err

    monkeypatch.setenv("ZYNTRO_ENRICH_REFRESH_DAYS", "0")
    assert main(["schedule", "--passes", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (contact,) = data["contacts"]
    assert contact["contact_id"] == cid
    assert [p["status"] for p in contact["profiles"]] == ["unchanged"]
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_refresh_all_posts_changed_profiles(demo_world, capsys, tmp_path):
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0
    replay = tmp_path / "replay"
    page = replay / "gh_dosei.html"
    page.write_text(page.read_text().replace("1,093", "1,250"))  # the page changed since
    capsys.readouterr()
    assert main(["refresh", "--all", "--json"]) == 0
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    assert profile["status"] == "posted" and profile["payload"]["followers_count"] == 1250
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 2}


def test_refresh_keeps_review_mode_and_respects_rejections(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    args = ["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--review", "--json"]
    assert main(args) == 0
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    assert main(["review", "reject", str(profile["draft_id"]), "--note", "not our Dmitri"]) == 0
    capsys.readouterr()

    # A plain refresh neither posts a contact that was under review nor queues a rejected profile again.
    assert main(["refresh", "--all", "--json"]) == 0
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    assert profile["status"] == "rejected"
    assert "already rejected" in profile["warnings"][0]
    assert sum(demo_world.stored().values()) == 0
    assert main(["review", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
