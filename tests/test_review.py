"""Review mode: profiles wait for a person; approve posts exactly once, reject posts nothing."""

import json

from agent.cli import main


def test_review_queue_approve_and_reject(demo_world, capsys):
    cid = demo_world.contacts["Bruno Okafor"]
    urls = ["https://www.fernhollow.example/about", "https://github.com/fernhollow"]
    assert main(["enrich", *urls, "--contact-id", cid, "--name", "Bruno Okafor", "--review", "--json"]) == 0
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
