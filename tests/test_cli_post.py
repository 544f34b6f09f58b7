"""`zyntro-enrich post` against an in-process sandbox: output, exit codes, messages, secrets, best practices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main

CLI = str(Path(sys.executable).with_name("zyntro-enrich"))
PAYLOAD = {
    "summary": "Ada Quinlan is Head of Data at Quillmetrics.",
    "job_title": "Head of Data",
    "source_url": "https://www.quillmetrics.example/team",
    "retrieved_at": "2026-11-30",
}


@pytest.fixture
def payload_file(tmp_path):
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(PAYLOAD))
    return path


def run(*args: str) -> int:
    return main(["post", *map(str, args)])


def test_post_prints_the_new_profile_id(zyntro_env, payload_file, capsys):
    sb = zyntro_env
    assert run(payload_file, "--contact-id", sb.creds.contact_id, "--source", "LinkedIn") == 0
    out = capsys.readouterr().out
    [stored] = sb.profiles(sb.creds.contact_id)
    assert out == f"{stored['profile_id']}\n"
    assert stored["payload"] == PAYLOAD and stored["profile_source"] == "LinkedIn"


def test_post_json_output_and_v2(zyntro_env, payload_file, capsys, monkeypatch):
    sb = zyntro_env
    monkeypatch.setenv("ZYNTRO_API_VERSION", "v2")
    contact = sb.creds.contact_ids[1].upper()  # ids are case-insensitive; output is canonical
    assert run(payload_file, "--contact-id", contact, "--source", "Company Website", "--json") == 0
    [stored] = sb.profiles()
    assert json.loads(capsys.readouterr().out) == {
        "profile_id": stored["profile_id"],
        "profile_source": "Company Website",
        "contact_id": contact.lower(),
        "repairs": [],
    }
    assert stored["api_version"] == "v2"


def test_rejection_exits_1_with_zyntros_message_and_a_hint(zyntro_env, payload_file, capsys):
    sb = zyntro_env
    assert run(payload_file, "--contact-id", sb.creds.other_contact_id, "--source", "GitHub") == 1
    err = capsys.readouterr().err
    assert "Only the member who owns this contact can add profiles to it" in err
    assert "ZYNTRO_MEMBER_ID must be the member who owns the contact" in err
    assert sb.profiles() == []


def test_unknown_outcome_exits_1_and_says_to_check_first(zyntro_env, payload_file, capsys):
    sb = zyntro_env
    sb.faults.push("drop", after=True)
    assert run(payload_file, "--contact-id", sb.creds.contact_id, "--source", "GitHub") == 1
    assert "check the contact in Zyntro before posting again" in capsys.readouterr().err
    assert len(sb.profiles()) == 1 and len(sb.requests) == 1


@pytest.mark.parametrize(
    "content,expected",
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON"),
        ('["a", "b"]', "holds a list, not a JSON object"),
        ('"just text"', "holds a string, not a JSON object"),
        ("{}", "empty object"),
    ],
)
def test_bad_payload_files_exit_2_before_the_network(zyntro_env, tmp_path, capsys, content, expected):
    path = tmp_path / "p.json"
    if content is not None:
        path.write_text(content)
    assert run(path, "--contact-id", zyntro_env.creds.contact_id, "--source", "GitHub") == 2
    assert expected in capsys.readouterr().err
    assert zyntro_env.requests == []


@pytest.mark.parametrize(
    "content,expected",
    [
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 32 levels deep"),
        ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nested more than 32 levels deep"),
        ('{"summary": "' + "x" * (2 * 1024 * 1024) + '"}', "over the 1 MiB limit"),
        (b'{"summary": "Bj\xf6rn"}', "not UTF-8 (byte 0xf6 at offset 15)"),
        ("null", "holds null, not a JSON object"),
    ],
)
def test_oversized_deep_or_undecodable_payloads_are_refused_with_a_message(
    zyntro_env, tmp_path, capsys, content, expected
):
    path = tmp_path / "p.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert run(path, "--contact-id", zyntro_env.creds.contact_id, "--source", "GitHub") == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err) < 400
    assert zyntro_env.requests == []


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"info": {"team": "data"}}, ["generic_key: 'info'"]),
        ({"team_details": {"team": "data"}}, ["not_flat: 'team_details' holds a nested object"]),
        ({"summary": None}, ["summary_missing"]),
        ({"source_url": None, "retrieved_at": None}, ["source_url_missing", "retrieved_at_missing"]),
        ({"field2": "x"}, ["generic_key: 'field2'"]),
    ],
)
def test_payloads_breaking_best_practices_are_refused_and_nothing_is_sent(
    zyntro_env, tmp_path, capsys, change, expected
):
    payload = {k: v for k, v in {**PAYLOAD, **change}.items() if v is not None}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    assert run(path, "--contact-id", zyntro_env.creds.contact_id, "--source", "GitHub") == 2
    err = capsys.readouterr().err
    assert "breaks Zyntro's best practices, nothing was posted" in err and f"fix {path}" in err
    assert all(word in err for word in expected), err
    assert zyntro_env.profiles() == [] and zyntro_env.requests == []


def test_a_repair_that_changes_content_needs_allow_repairs(zyntro_env, tmp_path, capsys):
    sb = zyntro_env
    path = tmp_path / "p.json"
    long_bio = "Builds data platforms. " * 60  # over the 1,000-character value limit
    path.write_text(json.dumps({**PAYLOAD, "bio": long_bio}))
    assert run(path, "--contact-id", sb.creds.contact_id, "--source", "GitHub") == 2
    err = capsys.readouterr().err
    assert "shortened 'bio'" in err and "--allow-repairs" in err
    assert sb.profiles() == []

    assert run(path, "--contact-id", sb.creds.contact_id, "--source", "GitHub", "--allow-repairs", "--json") == 0
    captured = capsys.readouterr()
    assert "repaired before posting: shortened 'bio'" in captured.err
    assert any("shortened 'bio'" in r for r in json.loads(captured.out)["repairs"])
    [stored] = sb.profiles()
    assert len(stored["payload"]["bio"]) <= 1000 and stored["payload"]["summary"] == PAYLOAD["summary"]


def test_repairs_of_form_only_are_made_and_reported(zyntro_env, tmp_path, capsys):
    sb = zyntro_env
    path = tmp_path / "p.json"
    written = {k: v for k, v in PAYLOAD.items() if k != "job_title"}
    path.write_text(json.dumps({**written, "Job Title": "Head of Data", "followers_count": "1,200", "headline": ""}))
    assert run(path, "--contact-id", sb.creds.contact_id, "--source", "GitHub") == 0
    err = capsys.readouterr().err
    assert "repaired before posting: converted 'followers_count'" in err
    assert "repaired before posting: renamed key 'Job Title' to 'job_title'" in err
    [stored] = sb.profiles()
    assert stored["payload"] == {**PAYLOAD, "followers_count": 1200}


def test_bad_contact_id_and_missing_config_exit_2(zyntro_env, payload_file, capsys, monkeypatch):
    assert run(payload_file, "--contact-id", "ada", "--source", "GitHub") == 2
    assert "contact_id 'ada' is not a UUID" in capsys.readouterr().err
    monkeypatch.delenv("ZYNTRO_API_KEY")
    assert run(payload_file, "--contact-id", zyntro_env.creds.contact_id, "--source", "GitHub") == 2
    assert "set ZYNTRO_API_KEY" in capsys.readouterr().err
    assert zyntro_env.requests == []


def test_missing_required_option_is_a_usage_error(payload_file, capsys):
    with pytest.raises(SystemExit) as done:
        run(payload_file, "--source", "GitHub")
    assert done.value.code == 2 and "--contact-id" in capsys.readouterr().err


def test_post_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["post", "--help"])
    assert done.value.code == 0 and "--source" in capsys.readouterr().out


def test_secrets_stay_out_of_output(zyntro_env, payload_file, capsys, caplog, monkeypatch):
    sb = zyntro_env
    caplog.set_level("DEBUG")
    run(payload_file, "--contact-id", sb.creds.contact_id, "--source", "GitHub", "--json")
    monkeypatch.setenv("ZYNTRO_API_KEY", "sbx_this_one_is_wrong")
    run(payload_file, "--contact-id", sb.creds.contact_id, "--source", "GitHub")
    monkeypatch.setenv("ZYNTRO_API_KEY", sb.creds.api_key)
    sb.faults.push("status", status=500, body="oops")
    main(["-v", "post", str(payload_file), "--contact-id", sb.creds.contact_id, "--source", "GitHub"])
    captured = capsys.readouterr()
    for secret in (sb.creds.api_key, sb.creds.developer_secret, "sbx_this_one_is_wrong"):
        assert secret not in captured.out + captured.err + caplog.text


def test_post_from_a_real_process(zyntro_sandbox, payload_file):
    sb = zyntro_sandbox
    env = {**os.environ, **sb.settings_env()}
    done = subprocess.run(
        [CLI, "post", str(payload_file), "--contact-id", sb.creds.contact_id, "--source", "LinkedIn", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [p["profile_id"] for p in sb.profiles()] == [answer["profile_id"]]
    assert sb.creds.api_key not in done.stdout + done.stderr
    bad = subprocess.run(
        [CLI, "post", str(payload_file), "--contact-id", sb.creds.foreign_contact_id, "--source", "LinkedIn"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "Contact not found in this organization" in bad.stderr
