"""Review mode: profiles wait for a person; approve posts exactly once, reject posts nothing."""

import json

from agent.cli import main


def test_review_queue_approve_and_reject(demo_world, capsys):
    cid = demo_world.contacts["Bruno Okafor"]
    urls = ["https://www.fernhollow.example/about", "https://github.com/fernhollow"]
    assert (
        main(
            [
                "enrich",
                *urls,
                "--contact-id",
                cid,
                "--name",
                "Bruno Okafor",
                "--company",
                "Fernhollow Labs",
                "--review",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    queued = {p["profile_source"]: p["draft_id"] for p in data["contacts"][0]["profiles"]}
    assert set(queued) == {"Company Website", "GitHub"}
    assert all(p["status"] == "queued_for_review" for p in data["contacts"][0]["profiles"])
    assert sum(demo_world.stored().values()) == 0

    assert main(["review", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["draft_id"] for r in listed} == set(queued.values())

    assert main(["review", "show", str(queued["GitHub"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["payload"]["source_url"] == "https://github.com/fernhollow"

    assert main(["review", "approve", str(queued["Company Website"])]) == 0
    assert "posted: profile_id" in capsys.readouterr().out
    assert main(["review", "reject", str(queued["GitHub"]), "--note", "org page, not the person"]) == 0
    assert demo_world.stored() == {("Bruno Okafor", "Company Website"): 1}

    # Decided drafts leave the queue and cannot be approved twice.
    assert main(["review", "approve", str(queued["Company Website"])]) == 2
    assert "not waiting for review" in capsys.readouterr().err
    assert main(["review", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["review", "show", "999"]) == 2


def test_a_failed_approval_can_be_approved_again(demo_world, capsys, monkeypatch):
    cid = demo_world.contacts["Dmitri Osei"]
    assert (
        main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--review", "--json"])
        == 0
    )
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    draft = str(profile["draft_id"])

    monkeypatch.setenv("ZYNTRO_API_KEY", "sbx_wrong_key")
    assert main(["review", "approve", draft]) == 1
    err = capsys.readouterr().err
    assert "Invalid API Key" in err and f"review approve {draft}" in err and "sbx_wrong_key" not in err
    assert main(["review", "list", "--json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["failed"]

    monkeypatch.setenv("ZYNTRO_API_KEY", demo_world.env["ZYNTRO_API_KEY"])
    assert main(["review", "approve", draft]) == 0
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_review_does_not_queue_what_zyntro_already_holds(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    args = ["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--review"]) == 0
    (profile,) = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    assert profile["status"] == "unchanged"
    assert main(["review", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
