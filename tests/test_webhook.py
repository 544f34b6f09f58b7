"""POST /hooks/zyntro end to end: real sandbox on loopback, real SQLite, real HTTP, the real worker.

In-process tests serve the app with uvicorn on a loopback socket (lifespan on, so the Worker runs);
the restart test runs `zyntro-enrich serve` as a subprocess, kills it with SIGKILL mid-enrichment and
starts another. Waiting is polling with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from agent.config import load_settings
from agent.review.webhook import contact_id_of, event_key_of, is_new_contact, signature_ok
from agent.store import Store
from agent.store_events import events
from agent.store_review import DraftQuery, query_drafts
from tests.support.fetch import Reply

SECRET = "whsec_test-signing-secret"
CLI = [sys.executable, "-m", "agent.cli"]


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wait_for(check, timeout: float = 60.0, what: str = "condition"):
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# -- signature, event type, ids: the pure parts -----------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda d: d.hex(),
        lambda d: d.hex().upper(),
        lambda d: base64.b64encode(d).decode(),
        lambda d: base64.b64encode(d).decode().rstrip("="),
        lambda d: base64.urlsafe_b64encode(d).decode(),
        lambda d: "sha256=" + d.hex(),
        lambda d: "SHA256=" + d.hex().upper(),
        lambda d: "sha256=" + base64.b64encode(d).decode(),
        lambda d: "sha256=" + "0" * 64 + ", sha256=" + d.hex(),
    ],
    ids=["hex", "HEX", "base64", "base64-unpadded", "base64url", "prefixed", "PREFIXED", "prefixed-base64", "two"],
)
def test_signature_formats_accepted(encode):
    body = b'{"event": "new_contact"}'
    digest = hmac.new(b"k", body, hashlib.sha256).digest()
    assert signature_ok(b"k", body, encode(digest))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "0" * 64,
        "not-a-signature",
        hmac.new(b"other", b"{}", hashlib.sha256).hexdigest(),
        hashlib.sha256(b"{}").hexdigest(),
        "sha1=" + hmac.new(b"k", b"{}", "sha1").hexdigest(),
    ],
)
def test_signatures_refused(header):
    assert not signature_ok(b"k", b"{}", header)


def test_a_signature_of_another_body_is_refused():
    assert not signature_ok(b"k", b'{"a": 2}', sign(b'{"a": 1}', "k"))


@pytest.mark.parametrize(
    "kind, ok",
    [
        ("new_contact", True),
        ("contact.created", True),
        ("crm.contact.created", True),
        ("ContactCreated", True),
        ("NEW-CONTACT", True),
        ("contact_added", True),
        ("contact.updated", False),
        ("contact.deleted", False),
        ("new_deal", False),
        ("contact_note.created", False),
        ("contact", False),
    ],
)
def test_new_contact_event_names(kind, ok):
    assert is_new_contact(kind) is ok


CID = "3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f"


@pytest.mark.parametrize(
    "body, path, contact_event",
    [
        ({"contact_id": CID}, None, False),
        ({"data": {"contact_id": CID.upper()}}, None, False),
        ({"contact": {"contact_id": CID}}, None, False),
        ({"data": {"contact": {"contact_id": CID}}}, None, False),
        ({"payload": {"contact_id": CID}}, None, False),
        ({"event": "new_contact", "data": {"id": CID}}, None, True),
        ({"contact_id": "not-a-uuid", "data": {"contact_id": CID}}, None, False),
        ({"items": [{"who": {"ref": CID}}]}, "items.0.who.ref", False),
    ],
)
def test_contact_id_places(body, path, contact_event):
    assert contact_id_of(body, path, contact_event) == CID


def test_no_contact_id():
    assert contact_id_of({"data": {"id": CID}}, None, contact_event=False) is None  # data.id only for contact events
    assert contact_id_of({"contact_id": CID}, "data.contact_id", contact_event=True) is None  # the path rules
    assert contact_id_of({"contact_id": 12}, None, contact_event=True) is None


def test_event_keys():
    raw = b'{"x": 1}'
    assert event_key_of({"event_id": "evt_1"}, raw, None, CID) == "event:evt_1"
    assert event_key_of({"id": 42}, raw, None, CID) == "event:42"
    assert event_key_of({"meta": {"delivery": "d-9"}}, raw, "meta.delivery", CID) == "event:d-9"
    assert event_key_of({"id": CID}, raw, None, CID) == "sha256:" + hashlib.sha256(raw).hexdigest()  # not the contact
    assert event_key_of({}, raw, None, CID) == "sha256:" + hashlib.sha256(raw).hexdigest()


# -- the app on loopback ------------------------------------------------------------------------------


class HookServer:
    """create_app served by uvicorn in a thread (lifespan on: the Worker runs), with a client."""

    def __init__(self, env: dict[str, str]):
        import uvicorn

        from agent.review.web import create_app

        self.settings = load_settings(env=env)
        self.store = Store.for_settings(self.settings)
        app = create_app(self.settings, self.store, "0" * 64, "session-key")
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hooks/zyntro"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, 20, "the server to start")
        self.http = httpx.Client(timeout=10)

    def post(
        self, body: bytes | dict, signature: str | None = "sign", header: str = "X-Zyntro-Signature"
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers[header] = sign(raw) if signature == "sign" else signature
        return self.http.post(self.url, content=raw, headers=headers)

    def events(self) -> list[dict]:
        return events(self.store)

    def settled(self, n: int = 1) -> list[dict]:
        """Wait until n events exist and none is queued or running."""

        def check():
            rows = self.events()
            return rows if len(rows) >= n and all(r["state"] not in ("queued", "running") for r in rows) else None

        return wait_for(check, 60, "the worker to settle the events")

    def drafts(self, contact_id: str) -> list[dict]:
        return query_drafts(self.store, DraftQuery(status="all", contact=contact_id))[0]

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(20)
        self.store.close()


@pytest.fixture
def hook_env(demo_world, monkeypatch):
    """demo_world (sandbox + replayed demo pages) on v2, with the webhook's secret; returns the env."""
    monkeypatch.setenv("ZYNTRO_API_VERSION", "v2")
    monkeypatch.setenv("ZYNTRO_ENRICH_WEBHOOK_SECRET", SECRET)
    return dict(os.environ)


@pytest.fixture
def serve_app(hook_env):
    made: list[HookServer] = []

    def start(**extra: str) -> HookServer:
        made.append(HookServer({**hook_env, **extra}))
        return made[-1]

    yield start
    for server in made:
        server.close()


def _dmitri(world, **links: str) -> str:
    """A new Zyntro contact whose GitHub page is in the replayed demo pages."""
    links = links or {"github": "dosei"}
    return world.sandbox.add_contact(name="Dmitri Osei", email="dmitri@northquay.example", **links)


def test_a_signed_new_contact_is_queued_for_review_once(demo_world, serve_app):
    hook = serve_app()
    cid = _dmitri(demo_world)
    body = demo_world.sandbox.webhook_body(cid)
    answer = hook.post(body)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued" and answer.json()["contact_id"] == cid
    (event,) = hook.settled()
    assert event["state"] == "done", event
    assert "GitHub queued_for_review" in event["message"]
    (draft,) = [d for d in hook.drafts(cid) if d["status"] == "queued_for_review"]
    assert draft["profile_source"] == "GitHub"
    assert demo_world.sandbox.profiles(cid) == []  # review mode: nothing posted


def test_the_same_event_three_times_is_one_enrichment(demo_world, serve_app):
    hook = serve_app()
    cid = _dmitri(demo_world)
    body = demo_world.sandbox.webhook_body(cid, event_id="evt-retried")
    answers = [hook.post(body) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 200, 200]
    assert [a.json()["status"] for a in answers] == ["queued", "duplicate", "duplicate"]
    (event,) = hook.settled()
    assert event["deliveries"] == 3 and event["state"] == "done"
    again = hook.post(body)  # a retry after the work is done is still only counted
    assert again.json()["status"] == "duplicate"
    assert len([d for d in hook.drafts(cid) if d["status"] == "queued_for_review"]) == 1


def test_a_second_event_for_a_contact_in_the_queue_is_not_queued(demo_world, serve_app):
    hook = serve_app()
    cid = _dmitri(demo_world)
    first = hook.post(demo_world.sandbox.webhook_body(cid))
    second = hook.post(demo_world.sandbox.webhook_body(cid))  # a new event id (a retry whose body changed)
    assert first.status_code == 202 and second.status_code == 200
    assert second.json()["queued_as"] == first.json()["event_key"]
    rows = hook.settled(2)
    assert sorted(r["state"] for r in rows) == ["done", "duplicate"]
    assert len(hook.drafts(cid)) == 1


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, sign(b"another body")])
def test_unsigned_or_wrongly_signed_calls_are_refused(demo_world, serve_app, signature, caplog):
    hook = serve_app()
    cid = _dmitri(demo_world)
    answer = hook.post(demo_world.sandbox.webhook_body(cid), signature=signature)
    assert answer.status_code == 401
    assert hook.events() == []
    assert SECRET not in caplog.text and SECRET not in answer.text


def test_without_a_secret_the_webhook_says_which_variable_to_set(demo_world, serve_app, monkeypatch):
    monkeypatch.delenv("ZYNTRO_ENRICH_WEBHOOK_SECRET")
    hook = serve_app(ZYNTRO_ENRICH_WEBHOOK_SECRET="")
    answer = hook.post({"contact_id": CID})
    assert answer.status_code == 503 and "ZYNTRO_ENRICH_WEBHOOK_SECRET" in answer.json()["error"]


def test_bad_bodies(demo_world, serve_app):
    hook = serve_app()
    assert hook.post(b"not json").status_code == 400
    assert hook.post(b"[1, 2]").status_code == 400
    big = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert hook.post(big).status_code == 413
    missing = hook.post({"event": "new_contact", "data": {"person": CID}})
    assert missing.status_code == 422 and "ZYNTRO_ENRICH_WEBHOOK_CONTACT_PATH" in missing.json()["error"]
    ignored = hook.post({"event": "contact.updated", "contact_id": CID})
    assert ignored.status_code == 202 and ignored.json()["status"] == "ignored"
    assert hook.events() == []


def test_the_header_and_the_json_paths_are_configurable(demo_world, serve_app):
    hook = serve_app(
        ZYNTRO_ENRICH_WEBHOOK_HEADER="X-Signature",
        ZYNTRO_ENRICH_WEBHOOK_CONTACT_PATH="obj.person.uid",
        ZYNTRO_ENRICH_WEBHOOK_EVENT_PATH="meta.delivery",
    )
    cid = _dmitri(demo_world)
    body = {"meta": {"delivery": "d-1"}, "obj": {"person": {"uid": cid}}, "contact_id": str(uuid.uuid4())}
    assert hook.post(body).status_code == 401  # signed in the default header: not where it is looked for
    answer = hook.post(body, header="X-Signature")
    assert answer.status_code == 202 and answer.json() == {
        "status": "queued",
        "event_key": "event:d-1",
        "contact_id": cid,
    }
    assert hook.settled()[0]["state"] == "done"


def test_without_review_one_profile_is_posted(demo_world, serve_app):
    hook = serve_app(ZYNTRO_ENRICH_WEBHOOK_REVIEW="false")
    cid = _dmitri(demo_world)
    body = demo_world.sandbox.webhook_body(cid)
    for _ in range(3):
        hook.post(body)
    (event,) = hook.settled()
    assert event["state"] == "done" and "GitHub posted" in event["message"], event
    (profile,) = demo_world.sandbox.profiles(cid)
    assert profile["profile_source"] == "GitHub" and profile["payload"]["name"] == "Dmitri Osei"


def test_outcomes_that_are_not_enrichments(demo_world, serve_app, tmp_path):
    from agent.cli import main

    sb = demo_world.sandbox
    hook = serve_app()
    no_links = sb.add_contact(name="Pat Doe", email="pat.doe@gmail.com")
    suppressed = _dmitri(demo_world)
    assert main(["suppress", "add", suppressed]) == 0
    unknown = str(uuid.uuid4())  # not in Zyntro
    for cid in (no_links, suppressed, unknown):
        assert hook.post(sb.webhook_body(cid)).status_code == 202
    rows = {r["contact_id"]: r for r in hook.settled(3)}
    assert rows[no_links]["state"] == "no_sources"
    assert rows[suppressed]["state"] == "suppressed"
    assert rows[unknown]["state"] == "failed" and "Contact not found" in rows[unknown]["message"]
    assert hook.drafts(suppressed) == [] and sb.profiles() == []


def test_a_failing_event_does_not_stop_the_next_one(demo_world, serve_app):
    sb = demo_world.sandbox
    hook = serve_app()
    first, second = _dmitri(demo_world), _dmitri(demo_world)
    sb.faults.push("status", status=400, body="<html>proxy error</html>", content_type="text/html", path="fetchContact")
    assert hook.post(sb.webhook_body(first)).status_code == 202
    (failed,) = hook.settled()
    assert failed["state"] == "failed" and "could not read contact" in failed["message"], failed
    assert hook.post(sb.webhook_body(second)).status_code == 202
    rows = {r["contact_id"]: r["state"] for r in hook.settled(2)}
    assert rows == {first: "failed", second: "done"}


# -- temporary failures are retried, permanent ones are not, and no event is retried forever ----------


@pytest.mark.parametrize(
    "exc, read, temporary",
    [
        ("ZyntroUnavailable('503')", False, True),
        ("ZyntroHTTPError('x', http_status=429)", False, True),
        ("ZyntroHTTPError('x', http_status=502)", False, True),
        ("ZyntroHTTPError('x', http_status=400)", False, False),
        ("ZyntroHTTPError('not JSON')", False, False),
        ("ZyntroUnknownOutcome('lost')", True, True),
        ("ZyntroUnknownOutcome('lost')", False, False),  # a post's lost answer is settled by agent.posting instead
        ("ZyntroRejected(['Contact not found'])", True, False),
        ("ConfigError('set ZYNTRO_API_KEY')", False, False),
        ("TimeoutError()", False, True),
        ("httpx.ReadTimeout('slow')", True, True),
        ("ValueError('bad data')", False, False),
    ],
)
def test_which_failures_are_temporary(exc, read, temporary):
    from agent import errors
    from agent.review.jobs import is_temporary

    assert is_temporary(eval(exc, {**vars(errors), "httpx": httpx}), read=read) is temporary


def test_the_backoff_grows_and_is_capped():
    from agent.review.jobs import RETRY_MAX_S, retry_delay

    assert [retry_delay(n, 30) for n in (1, 2, 3)] == [30, 120, 480]
    assert retry_delay(20, 30) == RETRY_MAX_S


def _due_now(store: Store, key: str) -> None:
    """Make a backed-off event due at once (instead of waiting for its not_before)."""
    store._exec("UPDATE hook_events SET not_before=? WHERE event_key=?", (time.time(), key))


def test_a_zyntro_503_puts_the_event_back_and_the_next_attempt_finishes_it(demo_world, serve_app, monkeypatch):
    from agent.review import jobs
    from agent.store_events import claim_event

    monkeypatch.setattr(jobs, "RETRY_BASE_S", 3600.0)  # long enough to look at the queued event
    sb = demo_world.sandbox
    hook = serve_app()
    cid = _dmitri(demo_world)
    # Retry-After longer than the client's retry budget: the client gives up at once (ZyntroUnavailable).
    sb.faults.push("status", status=503, retry_after="3600", path="fetchContact")
    answer = hook.post(sb.webhook_body(cid))
    assert answer.status_code == 202
    key = answer.json()["event_key"]
    (event,) = wait_for(
        lambda: [e for e in hook.events() if e["state"] == "queued" and e["attempts"] == 1 and e["not_before"]],
        60,
        "the event to be queued again",
    )
    assert "503" in event["message"] and "attempt 1 of 5 failed, retried in 3600 s" in event["message"], event
    assert time.time() + 3500 < event["not_before"] < time.time() + 3700
    assert claim_event(hook.store) is None  # not due yet: no worker takes it
    assert hook.drafts(cid) == []
    _due_now(hook.store, key)
    (event,) = hook.settled()
    assert event["state"] == "done" and event["attempts"] == 2 and event["not_before"] is None, event
    assert [d["status"] for d in hook.drafts(cid)] == ["queued_for_review"]


def test_a_permanent_failure_is_failed_at_once(demo_world, serve_app, monkeypatch):
    from agent.review import jobs

    monkeypatch.setattr(jobs, "RETRY_BASE_S", 0.0)  # a retry would follow at once
    hook = serve_app()
    unknown = str(uuid.uuid4())  # not in Zyntro
    assert hook.post(demo_world.sandbox.webhook_body(unknown)).status_code == 202
    (event,) = hook.settled()
    assert event["state"] == "failed" and event["attempts"] == 1 and event["not_before"] is None, event
    assert "Contact not found" in event["message"]


def test_temporary_failures_end_failed_after_max_attempts(demo_world, serve_app, monkeypatch):
    from agent.review import jobs

    monkeypatch.setattr(jobs, "RETRY_BASE_S", 0.0)
    monkeypatch.setattr(jobs, "MAX_ATTEMPTS", 3)
    sb = demo_world.sandbox
    hook = serve_app()
    cid = _dmitri(demo_world)
    sb.faults.push("status", status=503, retry_after="3600", path="fetchContact", times=10)
    assert hook.post(sb.webhook_body(cid)).status_code == 202
    (event,) = hook.settled()
    assert event["state"] == "failed" and event["attempts"] == 3, event
    assert event["message"].startswith("gave up after 3 attempts: ") and "503" in event["message"]
    assert hook.drafts(cid) == []


def test_an_event_whose_process_died_too_often_is_failed_not_retried(demo_world, hook_env, serve_app):
    from agent.review.jobs import MAX_ATTEMPTS
    from agent.store_events import claim_event, record_contact_event

    cid = _dmitri(demo_world)
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    with Store.for_settings(load_settings(env=hook_env)) as store:
        record_contact_event(store, "event:crashes", cid)
        for _ in range(MAX_ATTEMPTS):  # each claimed by a process that then died
            assert claim_event(store, pid=dead.pid)["event_key"] == "event:crashes"
    hook = serve_app()
    (event,) = hook.settled()
    assert event["state"] == "failed" and event["attempts"] == MAX_ATTEMPTS + 1, event
    assert event["message"].startswith(f"gave up after {MAX_ATTEMPTS} attempts"), event
    assert hook.drafts(cid) == []
    assert hook.post(demo_world.sandbox.webhook_body(cid, event_id="crashes")).json()["status"] == "duplicate"


def test_on_v1_events_fail_saying_to_set_v2(demo_world, serve_app):
    hook = serve_app(ZYNTRO_API_VERSION="v1")
    cid = _dmitri(demo_world)
    hook.post(demo_world.sandbox.webhook_body(cid))
    (event,) = hook.settled()
    assert event["state"] == "failed" and "ZYNTRO_API_VERSION=v2" in event["message"]


def test_the_sandbox_sends_a_signed_event(demo_world, serve_app):
    hook = serve_app()
    cid = _dmitri(demo_world)
    status, answer = demo_world.sandbox.send_webhook(hook.url, SECRET, cid)
    assert status == 202 and answer["status"] == "queued"
    status, _ = demo_world.sandbox.send_webhook(hook.url, "wrong secret", cid)
    assert status == 401
    assert hook.settled()[0]["state"] == "done"


def _loopback_env(hook_env: dict[str, str]) -> dict[str, str]:
    """Pages from a loopback site instead of the replayed demo pages."""
    return {
        **{k: v for k, v in hook_env.items() if k != "ZYNTRO_ENRICH_REPLAY_DIR"},
        "ZYNTRO_ENRICH_REPLAY_DIR": "",
        "ZYNTRO_ENRICH_ALLOW_PRIVATE": "1",
    }


def _held_contact(sb, site, path: str, release: threading.Event) -> str:
    from agent.demo import PAGES_DIR

    url = site.add(path, Reply((PAGES_DIR / "chiara_home.html").read_text(), hold=release))
    return sb.add_contact(name="Chiara Valdes", email="chiara.valdes@gmail.com", website=url)


def test_events_are_worked_settings_workers_at_a_time(demo_world, hook_env, make_site):
    sb, site, release = demo_world.sandbox, make_site(), threading.Event()
    hook = HookServer({**_loopback_env(hook_env), "ZYNTRO_ENRICH_WEBHOOK_WORKERS": "2"})
    try:
        cids = [_held_contact(sb, site, f"/c{i}", release) for i in range(2)]
        assert [hook.post(sb.webhook_body(cid)).status_code for cid in cids] == [202, 202]
        both = wait_for(lambda: site.hit_count("/c0") and site.hit_count("/c1"), 60, "both pages in flight at once")
        release.set()
        assert both and [r["state"] for r in hook.settled(2)] == ["done", "done"]
    finally:
        release.set()
        hook.close()


def test_a_stopped_server_puts_its_event_back_and_the_next_start_finishes_it(demo_world, hook_env, make_site):
    sb, site, release = demo_world.sandbox, make_site(), threading.Event()
    env = _loopback_env(hook_env)
    cid = _held_contact(sb, site, "/held", release)
    hook = HookServer(env)
    try:
        hook.post(sb.webhook_body(cid))
        wait_for(lambda: site.hit_count("/held"), 60, "the page to be requested")
    finally:
        hook.close()  # lifespan shutdown stops the worker mid-enrichment
    release.set()
    with Store.for_settings(load_settings(env=env)) as store:
        (event,) = events(store)
    assert event["state"] == "queued" and "serve stopped" in event["message"]
    again = HookServer(env)
    try:
        (event,) = again.settled()
        assert event["state"] == "done" and event["attempts"] == 2
        assert [d["status"] for d in again.drafts(cid)] == ["queued_for_review"]
    finally:
        again.close()


# -- a restart in the middle of an enrichment ---------------------------------------------------------


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`zyntro-enrich serve --port 0` as a subprocess; returns it and its webhook URL."""
    with open(log, "a") as err:
        proc = subprocess.Popen([*CLI, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    for line in proc.stdout:
        if line.startswith("zyntro-enrich serve: http://"):
            base = line.split()[2].rstrip("/")
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep draining
            return proc, base + "/hooks/zyntro"
    raise AssertionError(f"serve did not start: {log.read_text()}")


@pytest.mark.parametrize("review", ["true", "false"])
def test_a_restart_mid_enrichment_finishes_the_event_once(demo_world, make_site, tmp_path, review):
    sb, site, release = demo_world.sandbox, make_site(), threading.Event()
    cid = _held_contact(sb, site, "/chiara", release)  # its website answers only once released
    env = {k: v for k, v in demo_world.env.items() if k != "ZYNTRO_ENRICH_REPLAY_DIR"}
    env |= sb.settings_env("v2") | {
        "ZYNTRO_ENRICH_WEBHOOK_SECRET": SECRET,
        "ZYNTRO_ENRICH_ALLOW_PRIVATE": "1",
        "ZYNTRO_ENRICH_DELAY": "0",
        "ZYNTRO_ENRICH_LLM": "offline",
        "ZYNTRO_ENRICH_WEBHOOK_REVIEW": review,
    }
    home = Path(env["ZYNTRO_ENRICH_HOME"])
    first, hook_url = _serve(env, tmp_path / "serve.log")
    try:
        status, answer = sb.send_webhook(hook_url, SECRET, cid)
        assert status == 202, answer
        wait_for(lambda: site.hit_count("/chiara") >= 1, 60, "the worker to fetch the held page")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    with Store(home / "state.sqlite3") as store:
        (event,) = events(store)
    assert event["state"] == "running" and event["pid"] == first.pid

    second, hook_url = _serve(env, tmp_path / "serve.log")
    try:
        assert sb.send_webhook(hook_url, SECRET, cid, event_id="another")[0] == 200  # the contact is in the queue
        release.set()
        with Store(home / "state.sqlite3") as store:
            done = wait_for(lambda: [e for e in events(store) if e["state"] == "done"], 90, "the event to finish")
            (event,) = done
            drafts = query_drafts(store, DraftQuery(status="all", contact=cid))[0]
            postings = [p["state"] for p in store.postings(cid)]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert event["attempts"] == 2, event
    assert site.hit_count("/chiara") == 2  # fetched again after the restart, no more
    if review == "true":
        assert [d["status"] for d in drafts] == ["queued_for_review"], drafts
        assert sb.profiles(cid) == []
    else:
        assert len(sb.profiles(cid)) == 1, sb.profiles(cid)
        assert len(drafts) == 1 and postings == ["posted"], (drafts, postings)


# -- the sandbox's contact links ----------------------------------------------------------------------


def test_an_old_sandbox_file_gains_the_link_columns(tmp_path):
    import sqlite3

    from agent.zyntro.sandbox import Sandbox

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)  # the contacts table as it was before the links
    old.executescript(
        "CREATE TABLE contacts (contact_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, "
        "owner_member_id TEXT NOT NULL, first_name TEXT, last_name TEXT, email TEXT, company TEXT, "
        "role TEXT, phone TEXT, kind TEXT NOT NULL DEFAULT 'seed', created_at TEXT NOT NULL);"
        "INSERT INTO contacts VALUES ('c1', 'o', 'm', 'Old', 'Row', NULL, NULL, NULL, NULL, 'added', "
        "'x');"
    )
    old.commit()
    old.close()
    with Sandbox(db_path=path) as sb:
        assert sb.db.contact("c1")["first_name"] == "Old" and sb.db.contact("c1")["cont_website"] is None
        cid = sb.add_contact(
            name="Ada Quinlan", website="quillmetrics.example", linkedin="ada-q", twitter="@adaq", github="adaq"
        )
        answer = httpx.post(
            f"{sb.url}/apis/v2/public/crm/fetchContact",
            json={
                "api_key": sb.creds.api_key,
                "developer_secret": sb.creds.developer_secret,
                "org_id": sb.creds.org_id,
                "member_id": sb.creds.member_id,
                "contact_id": cid,
            },
        ).json()["data"]
        assert {k: answer[k] for k in ("cont_website", "cont_linkedin", "cont_twitter", "cont_github")} == {
            "cont_website": "quillmetrics.example",
            "cont_linkedin": "ada-q",
            "cont_twitter": "@adaq",
            "cont_github": "adaq",
        }
        made = httpx.post(f"{sb.url}/_sandbox/contacts", json={"name": "Bo Li", "github": "boli"}).json()
        assert sb.db.contact(made["contact_id"])["cont_github"] == "boli"
    with Sandbox(db_path=path) as sb:  # and opens again as it is
        assert sb.db.contact(cid)["cont_linkedin"] == "ada-q"


def test_the_sandbox_control_sends_a_webhook(demo_world, serve_app):
    hook = serve_app()
    cid = _dmitri(demo_world)
    sb = demo_world.sandbox
    answer = httpx.post(f"{sb.url}/_sandbox/webhook", json={"url": hook.url, "secret": SECRET, "contact_id": cid})
    assert answer.status_code == 200 and answer.json()["status"] == 202
    assert httpx.post(f"{sb.url}/_sandbox/webhook", json={"url": hook.url}).status_code == 400
    assert hook.settled()[0]["state"] == "done"
