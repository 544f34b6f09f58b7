"""The local Zyntro sandbox: seeding, every API rule over raw HTTP, persistence, faults, the CLI command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from agent.cli import main
from agent.commands.sandbox import banner
from agent.zyntro import Sandbox
from agent.zyntro.sandbox_api import MESSAGES

V1 = "/apis/public/addProfileToContact.php"
V2 = "/apis/v2/public/crm/addProfileToContact"
CLI = str(Path(sys.executable).with_name("zyntro-enrich"))
EXIT_WAIT_S = 120  # a bound for a hung process, not a speed requirement


def body(sb: Sandbox, **changes):
    data = {
        "api_key": sb.creds.api_key,
        "developer_secret": sb.creds.developer_secret,
        "org_id": sb.creds.org_id,
        "member_id": sb.creds.member_id,
        "contact_id": sb.creds.contact_id,
        "profile_source": "GitHub",
        "profile_payload": {"summary": "Builds data tools."},
    }
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return data


def raw_post(sb: Sandbox, path: str, json=None, content=None) -> httpx.Response:
    return httpx.post(sb.url + path, json=json, content=content, timeout=5)


def test_seeding_is_deterministic_and_has_what_demos_need():
    with Sandbox() as one, Sandbox() as two:
        assert one.creds == two.creds and one.creds.api_key == two.creds.api_key
        creds = one.creds
        contacts = {c["contact_id"]: c for c in one.contacts()}
        owned = [c for c in contacts.values() if c["owner_member_id"] == creds.member_id]
        assert len(owned) >= 10 and len(creds.contact_ids) >= 10
        ada = contacts[creds.contact_id]
        assert (ada["first_name"], ada["last_name"], ada["email"], ada["company"]) == (
            "Ada",
            "Quinlan",
            "ada@quillmetrics.example",
            "Quillmetrics",
        )
        assert contacts[creds.other_contact_id]["owner_member_id"] == creds.other_member_id
        assert one.db.member(creds.other_member_id)["org_id"] == creds.org_id
        assert one.db.org(creds.org_id)["active"] == 1 and one.db.org(creds.inactive_org_id)["active"] == 0
        assert creds.developer_secret.startswith("zdk_")
        assert creds.api_key not in repr(creds) and creds["org_id"] == creds.org_id


@pytest.mark.parametrize(
    "path,changes,message",
    [
        (V1, {"api_key": ...}, "missing_api_key"),
        (V1, {"api_key": "nope"}, "invalid_api_key"),
        (V2, {"developer_secret": ...}, "missing_secret"),
        (V2, {"developer_secret": "zdk_nope"}, "invalid_secret"),
        (V1, {"org_id": ...}, "missing_org"),
        (V1, {"org_id": "not-a-uuid"}, "invalid_org"),
        (V1, {"org_id": "11111111-2222-3333-4444-555555555555"}, "org_not_found"),
        (V1, {"member_id": "12345"}, "invalid_member"),
        (V1, {"member_id": ...}, "missing_member"),
        (V1, {"contact_id": "ada"}, "invalid_contact"),
        (V2, {"contact_id": str(uuid.uuid4())}, "contact_not_found"),
        (V1, {"profile_payload": "plain words"}, "string_payload"),
        (V2, {"profile_payload": "plain words"}, "string_payload"),
        (V1, {"profile_payload": '{"summary": "a JSON-encoded object"}'}, "string_payload"),
        (V2, {"profile_payload": '{"summary": "a JSON-encoded object"}'}, "string_payload"),
        (V2, {"profile_payload": ["a", "list"]}, "object_payload"),
        (V1, {"profile_payload": 7}, "string_payload"),
        (V1, {"profile_payload": ...}, "missing_payload"),
        (V2, {"profile_source": ...}, "missing_source"),
        (V2, {"profile_source": 12}, "invalid_source"),
    ],
)
def test_every_rule_is_enforced_in_zyntros_convention(zyntro_sandbox, path, changes, message):
    response = raw_post(zyntro_sandbox, path, json=body(zyntro_sandbox, **changes))
    assert response.status_code == 200
    assert response.json() == {"status": "error", "data": [MESSAGES[message]]}
    assert zyntro_sandbox.profiles() == []


def test_cross_org_and_ownership_rules(zyntro_sandbox):
    sb = zyntro_sandbox
    c = sb.creds
    cases = [
        (
            body(
                sb,
                api_key=c.inactive_api_key,
                org_id=c.inactive_org_id,
                member_id=c.inactive_member_id,
                contact_id=c.foreign_contact_id,
            ),
            "org_inactive",
        ),
        (body(sb, org_id=c.inactive_org_id), "org_inactive"),
        (body(sb, member_id=c.inactive_member_id), "member_not_in_org"),
        (body(sb, contact_id=c.foreign_contact_id), "contact_not_found"),
        (body(sb, member_id=c.other_member_id), "not_owner"),
        (body(sb, contact_id=c.other_contact_id), "not_owner"),
    ]
    for data, message in cases:
        assert raw_post(sb, V1, json=data).json()["data"] == [MESSAGES[message]]
    ok = raw_post(sb, V1, json=body(sb, member_id=c.other_member_id, contact_id=c.other_contact_id)).json()
    assert ok["status"] == "success"  # the second member may post to the contact it owns


def test_success_answer_and_inserts(zyntro_sandbox):
    sb = zyntro_sandbox
    answers = [raw_post(sb, V2, json=body(sb)).json() for _ in range(2)]
    assert answers[0] == {
        "status": "success",
        "data": {
            "profile_id": answers[0]["data"]["profile_id"],
            "profile_payload": {"summary": "Builds data tools."},
            "profile_source": "GitHub",
        },
    }
    assert answers[0]["data"]["profile_id"] != answers[1]["data"]["profile_id"]  # no upsert
    listed = [p["profile_id"] for p in sb.profiles(sb.creds.contact_id)]
    assert listed == [a["data"]["profile_id"] for a in answers]
    v1_list = raw_post(sb, V1, json=body(sb, profile_payload=[{"k": "v"}], profile_source=...)).json()
    assert v1_list["status"] == "success" and v1_list["data"]["profile_source"] is None  # v1: array/object


def test_non_json_requests_and_unknown_paths(zyntro_sandbox):
    sb = zyntro_sandbox
    assert raw_post(sb, V1, content=b"api_key=x").json() == {"status": "error", "data": ["Invalid JSON body"]}
    missing = raw_post(sb, "/apis/v3/nothing", json={})
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert httpx.get(sb.url + V1).status_code == 405


def test_state_survives_a_restart_with_a_file(tmp_path):
    db = tmp_path / "sb.sqlite3"
    with Sandbox(db_path=db) as first:
        creds = first.creds
        raw_post(first, V1, json=body(first))
        extra = first.add_contact(name="Pat Rivera", email="pat@rivera.example", company="Rivera Ltd")
    with Sandbox(db_path=db) as second:
        assert second.creds == creds
        assert len(second.profiles()) == 1 and second.db.contact(extra)["email"] == "pat@rivera.example"
        assert len(second.contacts("seed")) == len(creds.contact_ids) + 2


def test_add_contacts_for_benchmarks(zyntro_sandbox):
    sb = zyntro_sandbox
    ids = sb.add_contacts(500)
    assert len(set(ids)) == 500 and len(sb.contacts("bench")) == 500
    more = sb.add_contacts(3)
    assert not set(more) & set(ids)
    with Sandbox() as other:
        assert other.add_contacts(500) == ids  # deterministic
    colleague = sb.add_contact(name="Sam Lee", email="sam@lee.example", owner=sb.creds.other_member_id)
    answer = raw_post(sb, V1, json=body(sb, contact_id=ids[-1])).json()
    assert answer["status"] == "success"
    assert raw_post(sb, V1, json=body(sb, contact_id=colleague)).json()["data"] == [MESSAGES["not_owner"]]


def test_faults_over_http(zyntro_sandbox):
    sb = zyntro_sandbox
    control = sb.url + "/_sandbox/faults"
    pushed = httpx.post(
        control,
        json=[
            {"kind": "status", "status": 429, "retry_after": "3"},
            {"kind": "status", "status": 503, "path": "fetchContact"},
        ],
    ).json()
    assert len(pushed["pending"]) == 2
    limited = raw_post(sb, V1, json=body(sb))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    assert raw_post(sb, V1, json=body(sb)).json()["status"] == "success"  # the 503 waits for fetchContact
    assert httpx.get(control).json()["pending"][0]["path"] == "fetchContact"
    assert httpx.delete(control).json() == {"pending": []}
    assert httpx.post(control, json={"kind": "explode"}).status_code == 400
    assert httpx.post(sb.url + "/_sandbox/latency", json={"seconds": 0.01}).json() == {"latency": 0.01}
    profiles = httpx.get(sb.url + "/_sandbox/profiles", params={"contact_id": sb.creds.contact_id}).json()
    assert [p["payload"] for p in profiles] == [{"summary": "Builds data tools."}]
    assert [r["fault"] for r in httpx.get(sb.url + "/_sandbox/requests").json()] == ["status", None]
    added = httpx.post(sb.url + "/_sandbox/contacts", json={"count": 2}).json()["contact_ids"]
    assert len(added) == 2 and httpx.get(sb.url + "/_sandbox/creds").json()["ZYNTRO_ORG_ID"] == sb.creds.org_id


def test_hold_keeps_requests_waiting_until_released(zyntro_sandbox):
    sb = zyntro_sandbox
    sb.faults.hold()
    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(raw_post, sb, V1, body(sb)) for _ in range(2)]
        assert sb.faults.wait_held(2, timeout=EXIT_WAIT_S)
        assert sb.profiles() == []  # held before anything was read or stored
        assert httpx.get(sb.url + "/_sandbox/hold").json() == {"holding": True, "held": 2}
        assert httpx.post(sb.url + "/_sandbox/hold", json={"on": False}).json()["holding"] is False
        assert [f.result(timeout=EXIT_WAIT_S).json()["status"] for f in pending] == ["success", "success"]
    assert len(sb.profiles()) == 2 and sb.faults.held == 0


def test_banner_has_paste_ready_exports_and_the_contacts(zyntro_sandbox):
    lines = banner(zyntro_sandbox)
    exports = dict(re.match(r"export (\w+)=(\S+)$", line).groups() for line in lines if line.startswith("export "))
    assert exports == zyntro_sandbox.settings_env()
    text = "\n".join(lines)
    assert "Ada Quinlan <ada@quillmetrics.example>  Quillmetrics" in text
    assert zyntro_sandbox.creds.other_contact_id in text
    assert all(line.startswith(("export ", "#")) for line in lines)  # the whole output can be eval'd


def test_sandbox_command_refuses_a_busy_port(zyntro_sandbox, capsys):
    assert main(["sandbox", "--port", str(zyntro_sandbox.port), "--db", ":memory:"]) == 2
    assert "pick another --port" in capsys.readouterr().err


def test_sandbox_command_help():
    with pytest.raises(SystemExit) as done:
        main(["sandbox", "--help"])
    assert done.value.code == 0


def test_sandbox_command_in_another_process(tmp_path):
    env = {**os.environ, "ZYNTRO_ENRICH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [CLI, "sandbox", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        exports = {}
        for line in proc.stdout:
            if line.startswith("export "):
                name, value = line[len("export ") :].strip().split("=", 1)
                exports[name] = value
            if line.startswith("# Serving"):
                break
        url = exports["ZYNTRO_BASE_URL"]
        httpx.post(url + "/_sandbox/faults", json={"kind": "drop", "after": True})
        data = {
            "api_key": exports["ZYNTRO_API_KEY"],
            "org_id": exports["ZYNTRO_ORG_ID"],
            "member_id": exports["ZYNTRO_MEMBER_ID"],
            "contact_id": Sandbox().creds.contact_id,
            "profile_source": "GitHub",
            "profile_payload": {"summary": "x"},
        }
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(url + V1, json=data, timeout=EXIT_WAIT_S)
        assert len(httpx.get(url + "/_sandbox/profiles", timeout=EXIT_WAIT_S).json()) == 1  # stored, answer dropped
    finally:
        proc.send_signal(signal.SIGINT)
        try:  # how long the exit takes depends on the machine; only that it exits cleanly matters
            _, err = proc.communicate(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"the sandbox did not exit within {EXIT_WAIT_S} s of Ctrl-C")
    assert proc.returncode == 0 and "sandbox stopped" in err
    assert (tmp_path / "home" / "sandbox.sqlite3").exists()
