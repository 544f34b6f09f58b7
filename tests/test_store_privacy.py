"""The store's privacy functions (agent.store_privacy) on real SQLite: erasure leaves nothing about the
contact (not even in free pages or the log), kept payload hashes stop a re-post, the do-not-enrich list
matches ids, emails and domains, and the page cache keeps to its retention and size cap."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from agent.cli import main
from agent.models import Contact, Page
from agent.store import Store
from agent.store_privacy import forget, prune_pages, suppress, suppressed_because


def _store(world) -> Store:
    from pathlib import Path

    return Store(Path(world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3")


def _rows_about(store: Store, cid: str) -> dict[str, int]:
    tables = ["contacts", "sources", "drafts", "postings", "run_contacts", "contact_claims"]
    return {t: store._rows(f"SELECT COUNT(*) AS n FROM {t} WHERE contact_id=?", (cid,))[0]["n"] for t in tables}


def test_forget_erases_every_row_and_byte_about_the_contact(demo_world, capsys):
    dmitri, elena = demo_world.contacts["Dmitri Osei"], demo_world.contacts["Elena Marsh"]
    assert (
        main(
            [
                "enrich",
                "https://github.com/dosei",
                "--contact-id",
                dmitri,
                "--name",
                "Dmitri Osei",
                "--email",
                "dmitri@northquay.example",
            ]
        )
        == 0
    )
    main(["enrich", "https://github.com/emarsh", "--contact-id", elena, "--name", "Elena Marsh"])  # a bystander
    capsys.readouterr()
    with _store(demo_world) as store:
        assert all(_rows_about(store, dmitri).values() or [0])
        removed = forget(store, dmitri)
        assert removed["contacts"] == 1 and removed["pages"] == 1 and removed["postings"] == 1
        assert removed["kept_posting_hashes"] == 1
        assert not any(_rows_about(store, dmitri).values())
        assert store.page("https://github.com/dosei") is None
        assert store._rows("SELECT COUNT(*) AS n FROM run_contacts WHERE contact_id=?", (elena,))[0]["n"] == 1
        assert store.page("https://github.com/emarsh") is not None  # someone else's pages stay
        (audit,) = store._rows("SELECT * FROM erasures")
        assert dmitri not in str(dict(audit)) and "Dmitri" not in str(dict(audit))
        kept = store._rows("SELECT * FROM forgotten_postings")[0]
        assert dmitri not in str(dict(kept)) and kept["contact_key"] != dmitri
        path = store.path
    raw = path.read_bytes() + (
        path.with_name(path.name + "-wal").read_bytes() if path.with_name(path.name + "-wal").exists() else b""
    )
    for secret in (b"Dmitri Osei", b"dmitri@northquay", dmitri.encode()):
        assert secret not in raw  # overwritten, not left in free pages or the log


def test_a_forgotten_contact_enriched_again_is_not_posted_twice(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    args = ["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--json"]
    assert main(args) == 0
    with _store(demo_world) as store:
        forget(store, cid)
    capsys.readouterr()
    assert main(args) == 0
    assert '"unchanged"' in capsys.readouterr().out
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}
    with _store(demo_world) as store:
        assert store._rows("SELECT COUNT(*) AS n FROM forgotten_postings")[0]["n"] == 0  # history again


def test_forget_without_hashes_keeps_nothing(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0
    with _store(demo_world) as store:
        removed = forget(store, cid, keep_hashes=False)
        assert removed["kept_posting_hashes"] == 0
        assert store._rows("SELECT COUNT(*) AS n FROM forgotten_postings")[0]["n"] == 0


def test_suppression_matches_id_email_and_domains(tmp_path):
    cid = str(uuid.uuid4())
    with Store(tmp_path / "s.sqlite3") as store:
        contact = Contact(contact_id=cid, email="Ann@Sub.Acme.example")
        assert suppressed_because(store, contact, ["https://github.com/ann"]) is None
        suppress(store, "domain", "acme.example")
        assert "email domain acme.example" in suppressed_because(store, contact)
        other = Contact(contact_id=str(uuid.uuid4()), email="bo@webmail.example")
        assert suppressed_because(store, other, ["https://github.com/bo"]) is None
        assert "a source is on acme.example" in suppressed_because(store, other, ["https://www.acme.example/team"])
        assert suppressed_because(store, other, ["https://notacme.example/"]) is None
        suppress(store, "email", "bo@webmail.example")
        assert "(email)" in suppressed_because(store, other)
        suppress(store, "contact_id", cid)
        assert "(contact id)" in suppressed_because(store, contact)


def _page(url: str, size: int) -> Page:
    html = "".join(f"<p>{uuid.uuid4().hex}</p>" for _ in range(size // 40))  # incompressible enough
    return Page(
        url=url,
        final_url=url,
        status=200,
        engine="http",
        content_hash=str(hash(html)),
        fetched_at=datetime.now(UTC),
        html=html,
    )


@pytest.mark.parametrize("days", [30.0])
def test_page_cache_retention_and_lru_cap(tmp_path, days):
    with Store(tmp_path / "s.sqlite3") as store:
        for name in ("a", "b", "c"):
            store.save_page(_page(f"https://{name}.example/", 40_000))
        store._exec("UPDATE pages SET used_ts=? WHERE url=?", (time.time() - 40 * 86400, "https://a.example/"))
        store._exec("UPDATE pages SET used_ts=used_ts-100 WHERE url=?", ("https://b.example/",))
        assert store.page("https://c.example/") is not None
        assert prune_pages(store, days, 100.0) == {"expired": 1, "evicted": 0}  # a: unused for 40 days
        store.page("https://b.example/")  # b is now the most recently used
        store._exec("UPDATE pages SET used_ts=used_ts-50 WHERE url=?", ("https://c.example/",))
        sizes = store._rows("SELECT SUM(LENGTH(html)) AS n FROM pages")[0]["n"]
        assert prune_pages(store, days, (sizes - 1) / 1024 / 1024) == {"expired": 0, "evicted": 1}
        assert store.page("https://c.example/") is None and store.page("https://b.example/") is not None


def test_review_approve_leaves_a_suppressed_contacts_draft_unposted(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei", "--review"]) == 0
    with _store(demo_world) as store:
        (draft,) = store.drafts("queued_for_review")
        suppress(store, "contact_id", cid)
    capsys.readouterr()
    assert main(["review", "approve", str(draft["draft_id"])]) == 0
    assert (
        "suppressed: the contact is on the do-not-enrich list (contact id); nothing was posted"
        in capsys.readouterr().out
    )
    assert sum(demo_world.stored().values()) == 0
    with _store(demo_world) as store:
        assert store.draft(draft["draft_id"])["status"] == "suppressed"


def test_the_tracked_email_counts_when_a_run_gives_none(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    assert (
        main(
            [
                "enrich",
                "https://github.com/dosei",
                "--contact-id",
                cid,
                "--name",
                "Dmitri Osei",
                "--email",
                "dmitri@northquay.example",
            ]
        )
        == 0
    )
    with _store(demo_world) as store:
        suppress(store, "domain", "northquay.example")
        assert "email domain" in suppressed_because(store, Contact(contact_id=cid), [])
        suppress(store, "domain", "github.com")
        assert "a source is on github.com" in suppressed_because(
            store, Contact(contact_id=str(uuid.uuid4())), ["https://github.com/x"]
        )
