"""The review actions shared by the CLI and the web pages: claim-then-post, reject, edit with checks, diff."""

import asyncio
import json

from agent.cli import main
from agent.config import load_settings
from agent.models import payload_hash
from agent.review import service
from agent.store import Store
from agent.store_review import DraftQuery, claim_draft, decisions, query_drafts


def _queue(
    demo_world,
    capsys,
    name="Bruno Okafor",
    urls=("https://www.fernhollow.example/about", "https://github.com/fernhollow"),
):
    cid = demo_world.contacts[name]
    assert (
        main(
            ["enrich", *urls, "--contact-id", cid, "--name", name, "--company", "Fernhollow Labs", "--review", "--json"]
        )
        == 0
    )
    profiles = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    return {p["profile_source"]: p["draft_id"] for p in profiles}


def test_approve_posts_once_and_records_the_answer(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        ids = list(queued.values())
        first = asyncio.run(service.approve(settings, store, ids + ids, actor="ana", note="looks right"))
        assert [d.status for d in first[:2]] == ["posted", "posted"]
        assert all(d.status == "skipped" and "not waiting" in d.message for d in first[2:])
        assert sum(demo_world.stored().values()) == 2
        logged = decisions(store)
        assert [(d["actor"], d["action"], d["note"]) for d in logged] == [("ana", "approve", "looks right")] * 2
        assert all(d["detail"]["profile_id"] for d in logged)


def test_a_claimed_draft_is_not_approved_again_by_another_process(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        draft_id = queued["GitHub"]
        assert isinstance(claim_draft(store, draft_id, pid=1), dict)  # pid 1 is alive: a live claim
        (result,) = asyncio.run(service.approve(settings, store, [draft_id], actor="ana"))
        assert result.status == "skipped" and "being approved" in result.message
        assert sum(demo_world.stored().values()) == 0


def test_edit_is_checked_marked_as_a_persons_and_diffed(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        row = store.draft(queued["GitHub"])
        payload = dict(row["draft"].payload)
        bad = service.edit(store, row, {**payload, "info": {"nested": 1}}, actor="ana")
        assert not bad.saved and any("not_flat" in p or "info" in p for p in bad.problems)
        no_summary = service.edit(store, row, {k: v for k, v in payload.items() if k != "summary"}, actor="ana")
        assert not no_summary.saved and any("summary" in p for p in no_summary.problems)
        assert store.draft(queued["GitHub"])["draft"].payload == payload  # nothing changed

        good = service.edit(
            store, row, {**payload, "summary": "Fernhollow Labs builds field sensors."}, actor="ana", note="shorter"
        )
        assert good.saved and good.changed == ["summary"]
        edited = store.draft(queued["GitHub"])
        assert edited["draft"].provenance["summary"].by == "person"
        assert edited["draft"].provenance["summary"].editor == "ana"
        (posted,) = asyncio.run(service.approve(settings, store, [queued["GitHub"]], actor="ana"))
        assert posted.status == "posted"
        stored = [p for p in demo_world.sandbox.profiles() if p["profile_source"] == "GitHub"]
        assert stored[0]["payload"]["summary"] == "Fernhollow Labs builds field sensors."

        # A later draft of the same contact and origin is compared with what was posted.
        later = edited["draft"].model_copy(update={"payload": {**payload, "followers_count": 999}})
        later_id = store.save_draft("later-run", later, "h", "queued_for_review")
        diff = service.diff(store, store.draft(later_id))
        assert diff["state"] == "compared"
        changes = {key: change for key, _, _, change in diff["rows"]}
        assert changes["summary"] == "changed" and changes["followers_count"] in ("added", "changed")
        assert changes["source_url"] == "same"
        first = service.diff(store, store.draft(queued["Company Website"]))
        assert first == {"state": "first", "rows": []}


def test_query_filters_and_counts(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        rows, total = query_drafts(store, DraftQuery(origin="GitHub"))
        assert total == 1 and rows[0]["draft_id"] == queued["GitHub"]
        rows, total = query_drafts(store, DraftQuery(contact="bruno"))
        assert total == 2
        rows, total = query_drafts(store, DraftQuery(contact="nobody"))
        assert total == 0
        rows, total = query_drafts(store, DraftQuery(min_identity=0.0, sort="origin"), limit=1)
        assert total == 2 and len(rows) == 1 and rows[0]["profile_source"] == "Company Website"
        service.reject(store, [queued["GitHub"]], actor="ana", note="org page")
        assert query_drafts(store, DraftQuery(status="rejected"))[1] == 1
        assert query_drafts(store, DraftQuery())[1] == 1


def test_a_posted_draft_is_compared_with_the_profile_before_it(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        asyncio.run(service.approve(settings, store, [queued["GitHub"]], actor="ana"))
        first = store.draft(queued["GitHub"])
        assert service.diff(store, first) == {"state": "first", "rows": []}  # nothing was posted before it
        later = first["draft"].model_copy(update={"payload": {**first["draft"].payload, "followers_count": 7}})
        later_id = store.save_draft("later-run", later, payload_hash(later.payload), "queued_for_review")
        asyncio.run(service.approve(settings, store, [later_id], actor="ana"))
        diff = service.diff(store, store.draft(later_id))
        assert diff["state"] == "compared"
        assert {k: c for k, _, _, c in diff["rows"]}["followers_count"] in ("added", "changed")


def test_an_approval_outlasting_the_lease_keeps_its_claim(demo_world, capsys, monkeypatch):
    """A post held up past the lease (retries, reconciling) is not taken over by a second approval."""
    import threading
    import time

    import agent.store

    monkeypatch.setattr(agent.store, "LEASE_S", 0.2)
    monkeypatch.setattr(agent.store, "HEARTBEAT_S", 0.02)
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    draft_id = queued["GitHub"]
    faults = demo_world.sandbox.faults
    faults.hold("addProfileToContact")
    results = []
    with Store.for_settings(settings) as store:
        worker = threading.Thread(
            target=lambda: results.extend(asyncio.run(service.approve(settings, store, [draft_id], actor="ana")))
        )
        worker.start()
        try:
            assert faults.wait_held(1, timeout=30)
            started = time.time()
            while time.time() - started < 3 * agent.store.LEASE_S:  # the subject is time passing: wait it out
                threading.Event().wait(0.02)
            taken = claim_draft(store, draft_id, pid=1)
            assert isinstance(taken, str) and "being approved" in taken
        finally:
            faults.release()
            worker.join(60)
        assert [r.status for r in results] == ["posted"]
        (again,) = asyncio.run(service.approve(settings, store, [draft_id], actor="bo"))
        assert again.status == "skipped"
    assert demo_world.stored() == {("Bruno Okafor", "GitHub"): 1}


def test_saving_one_change_leaves_the_other_values_as_they_were(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        row = store.draft(queued["GitHub"])
        odd = {**row["draft"].payload, "languages": ["Rust\nand Go", "Python"], "open_to_work": True}
        assert service.edit(store, row, odd, actor="ana").saved
        row = store.draft(queued["GitHub"])
        before = row["draft"].payload
        # What a form sends back: every value as shown, one of them changed.
        texts = {k: service.shown_value(v) for k, v in before.items()}
        texts["summary"] = "Fernhollow Labs builds field sensors."
        payload = {k: service.parse_value(t, like=before[k]) for k, t in texts.items()}
        result = service.edit(store, row, payload, actor="ana")
        assert result.saved and result.changed == ["summary"]
        after = store.draft(queued["GitHub"])["draft"].payload
        assert after == {**before, "summary": "Fernhollow Labs builds field sensors."}
        assert after["open_to_work"] is True and len(after["languages"]) == 2


def test_an_edit_of_a_draft_changed_meanwhile_is_refused(demo_world, capsys):
    queued = _queue(demo_world, capsys)
    settings = load_settings()
    with Store.for_settings(settings) as store:
        seen = store.draft(queued["GitHub"])  # two people open the same draft
        payload = seen["draft"].payload
        assert service.edit(store, seen, {**payload, "summary": "First person's summary."}, actor="ana").saved
        late = service.edit(store, seen, {**payload, "summary": "Second person's summary."}, actor="bo")
        assert not late.saved and "changed while you edited" in late.problems[0]
        assert store.draft(queued["GitHub"])["draft"].payload["summary"] == "First person's summary."
