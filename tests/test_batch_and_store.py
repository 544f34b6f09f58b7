"""Batch files and the SQLite state: bad rows are skipped with their line, postings survive restarts."""

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import pytest

from agent.batch import batch_key, read_batch
from agent.errors import UsageError
from agent.models import FetchResult, Outcome, Page
from agent.store import LEASE_S, Store

CID = "6f1c1f5e-4a4e-4b8e-9a57-1d2f1e3c4b5a"


def test_csv_rows_with_line_numbers_for_bad_ones(tmp_path):
    f = tmp_path / "contacts.csv"
    f.write_text(
        "contact_id,name,email,company,urls\n"
        f"{CID},Ada Quinlan,ada@q.example,Quill,https://github.com/adaq https://x.com/adaq\n"
        "not-a-uuid,Bob,,,https://github.com/bob\n"
        f"{uuid.uuid4()},No Urls,,,\n"
    )
    batch = read_batch(f)
    assert [str(i.contact.contact_id) for i in batch.items] == [CID]
    assert batch.items[0].urls == ["https://github.com/adaq", "https://x.com/adaq"]
    assert batch.items[0].contact.company == "Quill"
    assert batch.errors == [
        "contacts.csv line 3: contact_id 'not-a-uuid' is not a UUID",
        "contacts.csv line 4: no URLs given",
    ]


def test_jsonl_rows_and_broken_json(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(f'{{"contact_id": "{CID}", "name": "Ada", "urls": ["https://a.example/"]}}\n{{broken\n\n[1]\n')
    batch = read_batch(f)
    assert len(batch.items) == 1 and batch.items[0].line == 1
    assert batch.errors[0].startswith("c.jsonl line 2: not valid JSON")
    assert batch.errors[1] == "c.jsonl line 4: each line must be a JSON object"


def test_csv_without_header_is_a_usage_error(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(f"{CID},https://a.example/\n")
    with pytest.raises(UsageError, match="header"):
        read_batch(f)


def test_batch_key_depends_on_content_and_mode(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(f'{{"contact_id": "{CID}", "urls": ["https://a.example/"]}}\n')
    items = read_batch(f).items
    assert batch_key(items, "post") == batch_key(items, "post") != batch_key(items, "dry_run")


def test_store_resumes_unfinished_run_and_keeps_postings(tmp_path):
    db = tmp_path / "s.sqlite3"
    with Store(db) as store:
        run_id, resumed = store.start_run("batch", "key1", total=2)
        assert not resumed
        store.contact_done(run_id, CID, {"contact_id": CID, "profiles": []})
        pid = store.claim_posting(run_id, CID, "GitHub", "h1", None, 12345)
        assert store.claim_posting(run_id, CID, "GitHub", "h1", None, 12346) is None  # one claim at a time
    with Store(db) as store:  # a new process after a crash
        again, resumed = store.start_run("batch", "key1", total=2)
        assert (again, resumed) == (run_id, True)
        assert CID in store.done_contacts(run_id)
        assert store.last_posting(CID, "GitHub")["state"] == "sending"
        store.end_posting(pid, "posted", profile_id=7)
        store.finish_run(run_id)
        assert store.start_run("batch", "key1")[0] != run_id
        assert store.last_posting(CID, "GitHub")["profile_id"] == 7


def test_store_keeps_pages_for_revalidation(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        html = "<html><body>héllo</body></html>"
        page = Page(
            url="https://a.example/",
            final_url="https://a.example/",
            status=200,
            html=html,
            fetched_at=datetime.now(UTC),
            engine="http",
            content_hash=Page.hash_html(html),
            etag='"v1"',
        )
        store.save_page(page)
        got = store.page("https://a.example/")
        assert got.html == html and got.etag == '"v1"'
        store.record_source("r", CID, FetchResult(url="https://a.example/", outcome=Outcome.ok, reason="fetched"))
        assert store.page("https://b.example/") is None


def test_unwritable_home_says_what_to_do(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    from agent.errors import StoreError

    with pytest.raises(StoreError, match="ZYNTRO_ENRICH_HOME"):
        Store(blocker / "sub" / "s.sqlite3")


def test_an_unfinished_run_older_than_a_day_is_not_resumed(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        run_id, _ = store.start_run("batch", "key2")
        store._exec("UPDATE runs SET started_at='2020-01-01T00:00:00+00:00' WHERE run_id=?", (run_id,))
        again, resumed = store.start_run("batch", "key2")
        assert again != run_id and not resumed


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _as_other_process(store: Store, run_id: str, pid: int, heartbeat: float | None = None) -> None:
    store._exec("UPDATE runs SET pid=?, heartbeat=? WHERE run_id=?", (pid, heartbeat or time.time(), run_id))


def test_a_live_run_is_never_shared_and_a_dead_ones_contacts_are_free(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        other, _ = store.start_run("batch", "key3")
        _as_other_process(store, other, os.getppid())  # alive: pytest's parent
        assert store.claim_contact(other, CID) is None
        mine, resumed = store.start_run("batch", "key3")
        assert mine != other and not resumed  # the other process is still on it
        held = store.claim_contact(mine, CID)
        assert (held["run_id"], held["pid"], held["state"]) == (other, os.getppid(), "active")

        _as_other_process(store, other, _dead_pid())  # it crashed: its contact is free again
        assert store.claim_contact(mine, CID) is None
        assert store.claim_contact(other, CID)["run_id"] == mine

        _as_other_process(store, mine, os.getppid(), heartbeat=time.time() - LEASE_S - 1)
        assert store.claim_contact(other, CID) is None  # a lease not renewed is over, pid or not


def test_a_run_of_the_same_batch_leaves_what_the_other_finished(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        first, _ = store.start_run("batch", "key4")
        second, _ = store.start_run("batch", "key4")  # the same process twice: both leases alive
        assert first != second
        assert store.claim_contact(first, CID) is None
        store.contact_done(first, CID, {"contact_id": CID, "profiles": []})
        store.finish_run(first)
        assert store.claim_contact(second, CID)["state"] == "done"  # finished while `second` ran
        later, _ = store.start_run("batch", "key4")
        store._exec("UPDATE runs SET started_ts=? WHERE run_id=?", (time.time() + 1, later))
        assert store.claim_contact(later, CID) is None  # a later run of the batch does it again
        single, _ = store.start_run("enrich")
        assert store.claim_contact(single, CID)["state"] == "active"  # `later` is still on it


def test_a_run_stopped_early_is_resumable_at_once_and_leases_are_renewed(tmp_path):
    db = tmp_path / "s.sqlite3"
    with Store(db) as store:
        run_id, _ = store.start_run("batch", "key5")
        store._exec("UPDATE runs SET heartbeat=0 WHERE run_id=?", (run_id,))
        with store.keep_alive(run_id):
            assert time.time() - store.run(run_id)["heartbeat"] < LEASE_S
        assert store.run(run_id)["pid"] == os.getpid()
    with Store(db) as store:  # closing gave the lease up: the same process resumes it
        assert store.start_run("batch", "key5") == (run_id, True)
