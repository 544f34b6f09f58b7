"""The Zyntro client over real HTTP on loopback against the sandbox: success, rejections, retries, secrets."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from agent.config import ZyntroSettings
from agent.errors import (
    ConfigError,
    ZyntroHTTPError,
    ZyntroInvalidRequest,
    ZyntroRejected,
    ZyntroUnavailable,
    ZyntroUnknownOutcome,
)
from agent.zyntro import Sandbox, ZyntroClient, validate_profile_request
from tests.support.zyntro import RecordingSleep, free_port

PAYLOAD = {
    "summary": "Ada Quinlan leads data at Quillmetrics.",
    "job_title": "Head of Data",
    "technologies_used": ["dbt", "Postgres"],
    "followers_count": 1200,
}


def post(settings, contact_id, source="LinkedIn", payload=PAYLOAD, sleep=None, transport=None):
    async def go():
        async with ZyntroClient(settings, sleep=sleep or RecordingSleep(), transport=transport) as client:
            return await client.add_profile(contact_id, source, payload)

    return asyncio.run(go())


def call(settings, method, *args, **kwargs):
    async def go():
        async with ZyntroClient(settings) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_add_profile_stores_one_record_and_returns_its_id(zyntro_sandbox, version):
    sb = zyntro_sandbox
    profile_id = post(sb.zyntro_settings(version), sb.creds.contact_id)
    [stored] = sb.profiles(sb.creds.contact_id)
    assert stored["profile_id"] == profile_id and isinstance(profile_id, int)
    assert stored["payload"] == PAYLOAD and stored["profile_source"] == "LinkedIn"
    assert stored["api_version"] == version
    assert [r["path"] for r in sb.requests] == [
        {"v1": "/apis/public/addProfileToContact.php", "v2": "/apis/v2/public/crm/addProfileToContact"}[version]
    ]


def test_each_post_inserts_a_new_profile(zyntro_sandbox):
    sb = zyntro_sandbox
    first = post(sb.zyntro_settings(), sb.creds.contact_id)
    second = post(sb.zyntro_settings(), sb.creds.contact_id)
    assert first != second and len(sb.profiles(sb.creds.contact_id)) == 2


def _rejections(sb: Sandbox):
    c = sb.creds
    return {
        "bad api key": (sb.zyntro_settings(api_key="sbx_wrong"), c.contact_id, "Invalid API Key"),
        "bad developer secret": (
            sb.zyntro_settings("v2", developer_secret="zdk_wrong"),
            c.contact_id,
            "Invalid developer secret",
        ),
        "unknown org": (sb.zyntro_settings(org_id=str(uuid.uuid4())), c.contact_id, "Organization not found"),
        "inactive org": (
            sb.zyntro_settings(api_key=c.inactive_api_key, org_id=c.inactive_org_id, member_id=c.inactive_member_id),
            c.foreign_contact_id,
            "Organization is not active",
        ),
        "member not in org": (
            sb.zyntro_settings(member_id=c.inactive_member_id),
            c.contact_id,
            "Member not found in this organization",
        ),
        "contact in other org": (sb.zyntro_settings(), c.foreign_contact_id, "Contact not found in this organization"),
        "unknown contact": (sb.zyntro_settings("v2"), str(uuid.uuid4()), "Contact not found in this organization"),
        "non-owner member": (
            sb.zyntro_settings(member_id=c.other_member_id),
            c.contact_id,
            "Only the member who owns this contact can add profiles to it",
        ),
        "owner is fine, colleague's contact is not": (
            sb.zyntro_settings(),
            c.other_contact_id,
            "Only the member who owns this contact can add profiles to it",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "bad api key",
        "bad developer secret",
        "unknown org",
        "inactive org",
        "member not in org",
        "contact in other org",
        "unknown contact",
        "non-owner member",
        "owner is fine, colleague's contact is not",
    ],
)
def test_rejections_surface_zyntros_own_message(zyntro_sandbox, case):
    settings, contact_id, message = _rejections(zyntro_sandbox)[case]
    with pytest.raises(ZyntroRejected) as err:
        post(settings, contact_id)
    assert err.value.messages == [message] and err.value.http_status == 200
    assert message in str(err.value)
    assert zyntro_sandbox.profiles() == []


def test_429_with_retry_after_then_success_stores_exactly_one(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("status", status=429, retry_after=2, times=2)
    profile_id = post(sb.zyntro_settings(), sb.creds.contact_id, sleep=sleep)
    assert sleep.durations == [2.0, 2.0]  # Retry-After honoured, not the shorter backoff
    assert [p["profile_id"] for p in sb.profiles()] == [profile_id]
    assert [r["fault"] for r in sb.requests] == ["status", "status", None]


def test_attempt_hook_tells_sending_from_waiting_and_can_stop_the_send(zyntro_sandbox):
    sb, events = zyntro_sandbox, []
    sb.faults.push("status", status=429, retry_after=2)

    async def go(hook):
        async with ZyntroClient(sb.zyntro_settings(), sleep=RecordingSleep()) as client:
            return await client.add_profile(sb.creds.contact_id, "LinkedIn", PAYLOAD, on_attempt=hook)

    asyncio.run(go(lambda state, detail: events.append((state, detail))))
    assert events == [("sending", ""), ("waiting", "Zyntro answered HTTP 429; retrying in 2.0 s"), ("sending", "")]

    def refuse(state, detail):
        raise OSError("cannot record the intent")

    with pytest.raises(OSError):
        asyncio.run(go(refuse))
    assert len(sb.requests) == 2 and len(sb.profiles()) == 1  # the refused attempt never left


def test_retry_after_as_http_date(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    when = datetime.now(UTC) + timedelta(seconds=30)
    sb.faults.push("status", status=429, retry_after=format_datetime(when, usegmt=True))
    post(sb.zyntro_settings(), sb.creds.contact_id, sleep=sleep)
    [waited] = sleep.durations
    assert 20 < waited <= 30
    assert len(sb.profiles()) == 1


def test_retry_after_beyond_the_budget_gives_up_without_waiting(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("status", status=429, retry_after=3600)
    with pytest.raises(ZyntroUnavailable, match="nothing was stored") as err:
        post(sb.zyntro_settings(max_retry_s=60), sb.creds.contact_id, sleep=sleep)
    assert err.value.http_status == 429
    assert sleep.durations == [] and len(sb.requests) == 1 and sb.profiles() == []


def test_503_is_retried_with_backoff_then_succeeds(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("status", status=503, times=3)
    post(sb.zyntro_settings(), sb.creds.contact_id, sleep=sleep)
    assert sleep.durations == [0.5, 1.0, 2.0]  # no Retry-After: capped exponential backoff
    assert len(sb.profiles()) == 1 and len(sb.requests) == 4


def test_persistent_503_stops_at_the_time_budget(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("status", status=503, times=100)
    with pytest.raises(ZyntroUnavailable) as err:
        post(sb.zyntro_settings(max_retry_s=10), sb.creds.contact_id, sleep=sleep)
    assert sum(sleep.durations) <= 10 and len(sb.requests) == len(sleep.durations) + 1
    assert err.value.http_status == 503 and sb.profiles() == []


@pytest.mark.parametrize("after", [False, True])
def test_500_is_an_http_error_and_never_retried(zyntro_sandbox, after):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("status", status=500, body="Internal Server Error", after=after)
    with pytest.raises(ZyntroHTTPError) as err:
        post(sb.zyntro_settings(), sb.creds.contact_id, sleep=sleep)
    assert err.value.http_status == 500 and "Internal Server Error" in str(err.value)
    assert "may or may not have been stored" in str(err.value)
    assert len(sb.requests) == 1 and sleep.durations == []
    assert len(sb.profiles()) == (1 if after else 0)  # a 500 can come after the write


def test_timeout_after_send_is_unknown_and_not_reposted(zyntro_sandbox):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("latency", delay_s=5, after=True)  # stored, then the answer is late
    with pytest.raises(ZyntroUnknownOutcome, match="may or may not have been stored"):
        post(sb.zyntro_settings(timeout_s=0.5), sb.creds.contact_id, sleep=sleep)
    assert len(sb.requests) == 1 and sleep.durations == []
    assert len(sb.profiles()) == 1


@pytest.mark.parametrize("after,stored", [(False, 0), (True, 1)])
def test_dropped_connection_is_unknown_and_not_reposted(zyntro_sandbox, after, stored):
    sb, sleep = zyntro_sandbox, RecordingSleep()
    sb.faults.push("drop", after=after)
    with pytest.raises(ZyntroUnknownOutcome):
        post(sb.zyntro_settings(), sb.creds.contact_id, sleep=sleep)
    assert len(sb.requests) == 1 and sleep.durations == []
    assert len(sb.profiles()) == stored


def test_connection_refused_is_retried_until_the_server_is_up():
    late = Sandbox(port=free_port())  # seeded now, listening only once the client starts waiting
    sleep = RecordingSleep(hook=lambda _: late._server or late.start())
    try:
        profile_id = post(late.zyntro_settings(), late.creds.contact_id, sleep=sleep)
        assert sleep.durations == [0.5]
        assert [p["profile_id"] for p in late.profiles()] == [profile_id]
        assert len(late.requests) == 1
    finally:
        late.close()


def test_connection_refused_everywhere_is_unavailable(zyntro_sandbox):
    sleep = RecordingSleep()
    settings = zyntro_sandbox.zyntro_settings(base_url=f"http://127.0.0.1:{free_port()}", max_retry_s=5)
    with pytest.raises(ZyntroUnavailable, match="nothing was stored"):
        post(settings, zyntro_sandbox.creds.contact_id, sleep=sleep)
    assert 0 < sum(sleep.durations) <= 5


def test_non_json_body_is_an_http_error_with_its_start(zyntro_sandbox):
    sb = zyntro_sandbox
    sb.faults.push("status", status=200, body="<html><title>Sign in</title></html>", content_type="text/html")
    with pytest.raises(ZyntroHTTPError, match="Sign in") as err:
        post(sb.zyntro_settings(), sb.creds.contact_id)
    assert err.value.http_status == 200


def test_wrong_base_path_is_a_404_http_error(zyntro_sandbox):
    settings = zyntro_sandbox.zyntro_settings(base_url=zyntro_sandbox.url + "/nope")
    with pytest.raises(ZyntroHTTPError, match="ZYNTRO_BASE_URL") as err:
        post(settings, zyntro_sandbox.creds.contact_id)
    assert err.value.http_status == 404


BAD_INPUTS = {
    "contact id not a uuid": dict(contact_id="ada-quinlan"),
    "empty source": dict(source="  "),
    "source not a string": dict(source=None),
    "source too long": dict(source="x" * 256),
    "string payload": dict(payload='{"summary": "a JSON string"}'),
    "list payload": dict(payload=["a", "b"]),
    "number payload": dict(payload=42),
    "empty payload": dict(payload={}),
    "not serialisable": dict(payload={"when": datetime(2024, 1, 1)}),
    "NaN": dict(payload={"score": float("nan")}),
    "non-string key": dict(payload={1: "one"}),
    "over 64 KiB": dict(payload={"summary": "x" * (64 * 1024)}),
    "org id not a uuid": dict(settings={"org_id": "acme"}),
    "member id not a uuid": dict(settings={"member_id": "morgan"}),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_invalid_input_is_refused_before_the_network(zyntro_sandbox, case):
    sb = zyntro_sandbox
    bad = BAD_INPUTS[case]
    settings = sb.zyntro_settings(**bad.get("settings", {}))
    with pytest.raises(ZyntroInvalidRequest) as err:
        post(
            settings,
            bad.get("contact_id", sb.creds.contact_id),
            bad.get("source", "LinkedIn"),
            bad.get("payload", PAYLOAD),
        )
    assert err.value.exit_code == 2 and str(err.value)
    assert sb.requests == []


def test_validate_profile_request_accepts_a_good_request():
    validate_profile_request(uuid.uuid4(), "GitHub", PAYLOAD, org_id=str(uuid.uuid4()), member_id=str(uuid.uuid4()))
    with pytest.raises(ZyntroInvalidRequest, match="not a UUID"):
        validate_profile_request("nope", "GitHub", PAYLOAD)


@pytest.mark.parametrize(
    "version,missing,named",
    [
        ("v1", "api_key", "ZYNTRO_API_KEY"),
        ("v1", "org_id", "ZYNTRO_ORG_ID"),
        ("v1", "member_id", "ZYNTRO_MEMBER_ID"),
        ("v2", "developer_secret", "ZYNTRO_DEVELOPER_SECRET"),
    ],
)
def test_missing_configuration_names_the_variable(zyntro_sandbox, version, missing, named):
    settings = zyntro_sandbox.zyntro_settings(version, **{missing: None})
    with pytest.raises(ConfigError, match=named):
        post(settings, zyntro_sandbox.creds.contact_id)
    assert zyntro_sandbox.requests == []


def test_bad_base_url_is_a_config_error():
    with pytest.raises(ConfigError, match="ZYNTRO_BASE_URL"):
        ZyntroClient(ZyntroSettings(base_url="app.zyntrohq.com"))


def test_fetch_contact_shows_posted_profiles(zyntro_sandbox):
    sb = zyntro_sandbox
    profile_id = post(sb.zyntro_settings("v2"), sb.creds.contact_id, source="GitHub")
    contact = call(sb.zyntro_settings("v2"), "fetch_contact", sb.creds.contact_id, include_profile=True)
    assert contact["cont_email"] == "ada@quillmetrics.example"
    assert [(p["profile_id"], p["profile_source"], p["profile_payload"]) for p in contact["profile"]] == [
        (profile_id, "GitHub", PAYLOAD)
    ]
    bare = call(sb.zyntro_settings("v2"), "fetch_contact", sb.creds.contact_id)
    assert "profile" not in bare


def test_fetch_identifiers(zyntro_sandbox):
    sb = zyntro_sandbox
    ids = call(sb.zyntro_settings("v2"), "fetch_identifiers")
    assert ids["organization"]["org_id"] == sb.creds.org_id
    assert {m["member_id"] for m in ids["members"]} == {sb.creds.member_id, sb.creds.other_member_id}
    assert ids["api_key"].get_secret_value() == sb.creds.api_key and sb.creds.api_key not in repr(ids)


def test_read_endpoints_need_the_developer_secret(zyntro_sandbox):
    settings = zyntro_sandbox.zyntro_settings("v1", developer_secret=None)
    with pytest.raises(ConfigError, match="ZYNTRO_DEVELOPER_SECRET"):
        call(settings, "fetch_contact", zyntro_sandbox.creds.contact_id)


def test_secrets_never_appear_in_logs_errors_or_reprs(zyntro_sandbox, caplog):
    sb = zyntro_sandbox
    caplog.set_level(logging.DEBUG)
    secrets = [sb.creds.api_key, sb.creds.developer_secret, sb.creds.inactive_api_key]
    texts = [repr(ZyntroClient(sb.zyntro_settings("v2"))), repr(sb), repr(sb.creds)]
    sb.faults.push("status", status=429, retry_after=1)
    post(sb.zyntro_settings("v2"), sb.creds.contact_id)
    scenarios = [
        lambda: sb.faults.push("status", status=500, after=True),
        lambda: sb.faults.push("drop", after=True),
        lambda: sb.faults.push("status", status=503, times=20),
        lambda: None,
    ]
    for setup, settings in zip(
        scenarios,
        [sb.zyntro_settings("v2")] * 3 + [sb.zyntro_settings("v2", developer_secret="zdk_0000wrong0000")],
        strict=True,
    ):
        setup()
        with pytest.raises(Exception) as err:
            post(settings, sb.creds.contact_id)
        texts.append(str(err.value) + repr(err.value))
    texts.append(caplog.text)
    for text in texts:
        for secret in secrets + ["zdk_0000wrong0000"]:
            assert secret not in text


def test_secrets_echoed_by_the_server_are_redacted(zyntro_sandbox):
    sb = zyntro_sandbox
    key, secret = sb.creds.api_key, sb.creds.developer_secret

    def echo(request: httpx.Request) -> httpx.Response:
        if "fetchContact" in request.url.path:
            return httpx.Response(502, text=f"upstream said: {request.content.decode()}")
        return httpx.Response(200, json={"status": "error", "data": [f"Invalid API Key {key} / {secret}"]})

    settings = sb.zyntro_settings("v2")
    with pytest.raises(ZyntroRejected) as rejected:
        post(settings, sb.creds.contact_id, transport=httpx.MockTransport(echo))

    async def fetch():
        async with ZyntroClient(settings, transport=httpx.MockTransport(echo)) as client:
            await client.fetch_contact(sb.creds.contact_id)

    with pytest.raises(ZyntroHTTPError) as http_error:
        asyncio.run(fetch())
    for text in (str(rejected.value), " ".join(rejected.value.messages), str(http_error.value)):
        assert key not in text and secret not in text
    assert "Invalid API Key" in rejected.value.messages[0]


def test_unvalidated_settings_with_plain_string_secrets_still_work(zyntro_sandbox):
    sb = zyntro_sandbox
    settings = sb.zyntro_settings("v2").model_copy(
        update={"api_key": sb.creds.api_key, "developer_secret": sb.creds.developer_secret}
    )
    assert isinstance(post(settings, sb.creds.contact_id), int)
    sb.faults.push("status", status=502, body=f"echo {sb.creds.api_key}")
    with pytest.raises(ZyntroHTTPError) as err:
        post(settings, sb.creds.contact_id)
    assert sb.creds.api_key not in str(err.value)
