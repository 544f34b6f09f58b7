"""Every command against a corpus of bad inputs (files, URLs, settings, arguments, payloads).

None may print a traceback; each exits 1 or 2 with a message naming the problem. The cheap cases run
in-process through agent.cli.main; a few run the real CLI in subprocesses against `zyntro-enrich
sandbox` on loopback, to prove the same holds for a real process (stderr, exit status, no traceback).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from agent.cli import main

CLI = str(Path(sys.executable).with_name("zyntro-enrich"))
CID = "31eed418-6d4c-5035-a8f6-662f40954be2"  # Ada Quinlan in the sandbox's seed
GOOD_PAYLOAD = '{"summary": "Ada Quinlan is Head of Data at Quillmetrics."}'
DEEP = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"

# name -> file contents (bytes); a trailing "/" makes a directory
FILES: dict[str, bytes | None] = {
    "dir/": None,
    "empty.csv": b"",
    "garbage.csv": bytes(range(256)) * 20,
    "bad-utf8.csv": b"contact_id,name,urls\n" + CID.encode() + b",Bj\xf6rn,https://github.com/adaquinlan\n",
    "huge-field.csv": b"contact_id,name,urls\n" + CID.encode() + b"," + b"x" * 140_000 + b",https://a.example/\n",
    "deep.jsonl": DEEP.encode() + b"\n",
    "bad-utf8.toml": b"[fetch]\ndelay_s = 1 # \xff\n",
    "broken.toml": b"[fetch\n",
    "misspelt.toml": b"[fetch]\ndelay = 2\n",
    "negative.toml": b"[fetch]\ntimeout_s = -2\nmax_bytes = -1\n",
    "page.html": b"<html><title>Ada</title></html>",
    "payload.json": GOOD_PAYLOAD.encode(),
    "deep.json": DEEP.encode(),
    "too-deep.json": ('{"a": ' + "[" * 40 + "]" * 40 + "}").encode(),
    "huge.json": b'{"summary": "' + b"x" * (2 * 1024 * 1024) + b'"}',
    "bad-utf8.json": b'{"summary": "Bj\xf6rn"}',
    "not-json.json": b"{summary: nope",
    "list.json": b'["a", "b"]',
    "empty-object.json": b"{}",
    "a-file": b"not a directory",
}

POST = ["post", "--contact-id", CID, "--source", "GitHub"]
ENRICH = ["enrich", "--contact-id", CID, "--dry-run", "--no-progress", "--json"]  # JSON: reasons unwrapped

# (id, argv with {d} for the corpus directory, extra environment, expected exit, words the output must hold)
CASES = [
    # files
    ("batch missing", ["enrich", "--batch", "{d}/missing.csv"], {}, 2, "cannot read the batch file"),
    ("batch is a directory", ["enrich", "--batch", "{d}/dir"], {}, 2, "is a directory"),
    ("batch empty", ["enrich", "--batch", "{d}/empty.csv"], {}, 2, "header line"),
    ("batch binary", ["enrich", "--batch", "{d}/garbage.csv"], {}, 2, "header line"),
    ("batch not utf-8", ["enrich", "--batch", "{d}/bad-utf8.csv"], {}, 2, "line 2: not valid UTF-8"),
    ("batch huge field", ["enrich", "--batch", "{d}/huge-field.csv"], {}, 2, "longer than 131,072 characters"),
    ("batch too deep", ["enrich", "--batch", "{d}/deep.jsonl"], {}, 2, "line 1: nested too deeply"),
    ("config missing", ["--config", "{d}/missing.toml", "review", "list"], {}, 2, "does not exist"),
    ("config is a directory", ["--config", "{d}/dir", "review", "list"], {}, 2, "cannot read the config file"),
    ("config not utf-8", ["--config", "{d}/bad-utf8.toml", "review", "list"], {}, 2, "not UTF-8"),
    ("config not toml", ["--config", "{d}/broken.toml", "review", "list"], {}, 2, "not valid TOML"),
    ("config misspelt", ["--config", "{d}/misspelt.toml", "review", "list"], {}, 2, "fetch.delay"),
    ("config negative", ["--config", "{d}/negative.toml", "review", "list"], {}, 2, "fetch.max_bytes"),
    (
        "extract file missing",
        ["extract", "https://github.com/ada", "--from-file", "{d}/missing.html"],
        {},
        2,
        "cannot read",
    ),
    ("extract file is a dir", ["extract", "https://github.com/ada", "--from-file", "{d}/dir"], {}, 2, "is a directory"),
    ("fetch save to a dir", ["fetch", "https://github.com/ada", "--save", "{d}/dir"], {}, 2, "is a directory"),
    # payloads
    ("payload missing", [*POST, "{d}/missing.json"], {}, 2, "does not exist"),
    ("payload is a directory", [*POST, "{d}/dir"], {}, 2, "is a directory"),
    ("payload not json", [*POST, "{d}/not-json.json"], {}, 2, "not valid JSON"),
    ("payload a list", [*POST, "{d}/list.json"], {}, 2, "holds a list"),
    ("payload empty object", [*POST, "{d}/empty-object.json"], {}, 2, "empty object"),
    ("payload 100,000 deep", [*POST, "{d}/deep.json"], {}, 2, "nested more than 32 levels"),
    ("payload 40 deep", [*POST, "{d}/too-deep.json"], {}, 2, "nested more than 32 levels"),
    ("payload 2 MiB", [*POST, "{d}/huge.json"], {}, 2, "over the 1 MiB limit"),
    ("payload not utf-8", [*POST, "{d}/bad-utf8.json"], {}, 2, "not UTF-8"),
    (
        "payload bad contact id",
        ["post", "--contact-id", "ada", "--source", "GitHub", "{d}/payload.json"],
        {},
        2,
        "not a UUID",
    ),
    (
        "payload empty source",
        ["post", "--contact-id", CID, "--source", " ", "{d}/payload.json"],
        {},
        2,
        "profile_source",
    ),
    ("post without credentials", [*POST, "{d}/payload.json"], {}, 2, "set ZYNTRO_API_KEY"),
    # URLs (enrich reports each source's outcome and exits 0: an unusable URL is an outcome, not a failure)
    ("enrich malformed ipv6", [*ENRICH, "http://[::1"], {}, 0, "cannot be parsed"),
    ("enrich port out of range", [*ENRICH, "http://a.example:99999/"], {}, 0, "cannot be parsed"),
    ("enrich space in host", [*ENRICH, "http://ex ample.com/"], {}, 0, "whitespace"),
    ("enrich bad idna", [*ENRICH, "https://\u2603\u200d.example/"], {}, 0, "international domain name"),
    ("enrich javascript url", [*ENRICH, "javascript:alert(1)"], {}, 0, "never fetched"),
    ("enrich bad contact id", ["enrich", "--contact-id", "ada", "https://github.com/a"], {}, 2, "not a UUID"),
    ("fetch malformed", ["fetch", "http://[::1"], {}, 1, "cannot be parsed"),
    ("fetch empty", ["fetch", ""], {}, 1, "empty"),
    ("fetch file url", ["fetch", "file:///etc/passwd"], {}, 1, "never fetched"),
    ("fetch control character", ["fetch", "http://a.example/\x00"], {}, 1, "control characters"),
    ("extract malformed", ["extract", "http://[::1", "--from-file", "{d}/page.html"], {}, 2, "cannot be parsed"),
    ("extract no scheme", ["extract", "github.com/ada", "--from-file", "{d}/page.html"], {}, 2, "http"),
    # arguments
    ("enrich concurrency 0", [*ENRICH, "--concurrency", "0", "https://github.com/a"], {}, 2, "--concurrency"),
    ("refresh concurrency -1", ["refresh", "--concurrency", "-1"], {}, 2, "--concurrency"),
    ("schedule every nan", ["schedule", "--every", "nan", "--passes", "1"], {}, 2, "--every"),
    ("schedule every inf", ["schedule", "--every", "inf"], {}, 2, "--every"),
    (
        "extract status 999",
        ["extract", "https://github.com/a", "--from-file", "{d}/page.html", "--status", "999"],
        {},
        2,
        "--status",
    ),
    ("review huge id", ["review", "show", str(10**25)], {}, 2, "there is no draft"),
    ("review no id", ["review", "approve"], {}, 2, "give the draft's number"),
    ("review id not a number", ["review", "approve", "abc"], {}, 2, "invalid int value"),
    ("sandbox port", ["sandbox", "--port", "99999"], {}, 2, "not a port number"),
    ("unknown command", ["frobnicate"], {}, 2, "invalid choice"),
    # settings
    ("delay negative", ["review", "list"], {"ZYNTRO_ENRICH_DELAY": "-1"}, 2, "ZYNTRO_ENRICH_DELAY"),
    ("delay nan", ["review", "list"], {"ZYNTRO_ENRICH_DELAY": "nan"}, 2, "ZYNTRO_ENRICH_DELAY"),
    ("org id", ["review", "list"], {"ZYNTRO_ORG_ID": "nope"}, 2, "ZYNTRO_ORG_ID"),
    ("member id", ["review", "list"], {"ZYNTRO_MEMBER_ID": "morgan"}, 2, "ZYNTRO_MEMBER_ID"),
    ("base url", ["review", "list"], {"ZYNTRO_BASE_URL": "ftp://zyntro.example"}, 2, "ZYNTRO_BASE_URL"),
    ("openai base url", ["review", "list"], {"OPENAI_BASE_URL": "localhost:8000"}, 2, "OPENAI_BASE_URL"),
    ("api version", ["review", "list"], {"ZYNTRO_API_VERSION": "v9"}, 2, "ZYNTRO_API_VERSION"),
    ("llm mode", ["review", "list"], {"ZYNTRO_ENRICH_LLM": "gpt"}, 2, "ZYNTRO_ENRICH_LLM"),
    ("max tokens", ["review", "list"], {"ZYNTRO_ENRICH_MAX_TOKENS": "lots"}, 2, "ZYNTRO_ENRICH_MAX_TOKENS"),
    ("max cost", ["review", "list"], {"ZYNTRO_ENRICH_MAX_COST": "-5"}, 2, "ZYNTRO_ENRICH_MAX_COST"),
    ("refresh days", ["review", "list"], {"ZYNTRO_ENRICH_REFRESH_DAYS": "inf"}, 2, "ZYNTRO_ENRICH_REFRESH_DAYS"),
    ("home is a file", ["review", "list"], {"ZYNTRO_ENRICH_HOME": "{d}/a-file"}, 2, "ZYNTRO_ENRICH_HOME"),
    ("replay dir missing", ["review", "list"], {"ZYNTRO_ENRICH_REPLAY_DIR": "{d}/nope"}, 2, "ZYNTRO_ENRICH_REPLAY_DIR"),
    ("chromium missing", ["review", "list"], {"ZYNTRO_ENRICH_CHROMIUM": "{d}/no-chrome"}, 2, "ZYNTRO_ENRICH_CHROMIUM"),
    (
        "robots override url",
        ["review", "list"],
        {"ZYNTRO_ENRICH_ROBOTS_OVERRIDE": "https://x.com/"},
        2,
        "ZYNTRO_ENRICH_ROBOTS_OVERRIDE",
    ),
    ("config env is a dir", ["review", "list"], {"ZYNTRO_ENRICH_CONFIG": "{d}/dir"}, 2, "cannot read the config"),
]

# Every command refuses a bad setting before doing anything.
EVERY_COMMAND = {
    "enrich": [*ENRICH, "https://github.com/a"],
    "extract": ["extract", "https://github.com/a", "--from-file", "{d}/page.html"],
    "fetch": ["fetch", "https://github.com/a"],
    "post": [*POST, "{d}/payload.json"],
    "refresh": ["refresh"],
    "schedule": ["schedule", "--passes", "1"],
    "review": ["review", "list"],
    "sandbox": ["sandbox", "--port", "0", "--db", ":memory:"],
    "demo": ["demo"],
}
CASES += [
    (f"{name} with a bad boolean", argv, {"ZYNTRO_ENRICH_ALLOW_PRIVATE": "maybe"}, 2, "ZYNTRO_ENRICH_ALLOW_PRIVATE")
    for name, argv in EVERY_COMMAND.items()
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The bad files, written once for every case."""
    root = tmp_path_factory.mktemp("corpus")
    for name, content in FILES.items():
        if name.endswith("/"):
            (root / name).mkdir()
        else:
            (root / name).write_bytes(content)
    return root


def _fill(value: str, corpus: Path) -> str:
    return value.replace("{d}", str(corpus))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named_and_exits_1_or_2(case, corpus, monkeypatch, capsys):
    _, argv, env, expected, words = case
    for name, value in env.items():
        monkeypatch.setenv(name, _fill(value, corpus))
    by_argparse = False
    try:
        code = main([_fill(a, corpus) for a in argv])  # an exception escaping here is the bug this test hunts
    except SystemExit as done:  # argparse's own usage errors: its usage lines, then the message
        code, by_argparse = done.code, True
    out, err = capsys.readouterr()
    assert code == expected, f"exit {code}:\n{err}\n{out[-2000:]}"
    assert "Traceback" not in out + err
    assert words.lower() in (out + err).lower(), f"{words!r} not in:\n{err}\n{out[-2000:]}"
    if expected == 2 and not by_argparse:  # usage and configuration errors are one line on stderr
        assert err.strip() and len(err.strip().splitlines()) <= 2, err


# -- real processes against a real sandbox ----------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_process(tmp_path_factory):
    """`zyntro-enrich sandbox` in its own process on a free loopback port; yields its ZYNTRO_* variables."""
    home = tmp_path_factory.mktemp("sandbox-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZYNTRO", "OPENAI"))}
    env["ZYNTRO_ENRICH_HOME"] = str(home)
    proc = subprocess.Popen(
        [CLI, "sandbox", "--port", "0", "--db", ":memory:", "--api-version", "v2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        exports = {}
        for line in proc.stdout:
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value.strip("'")
            if line.startswith("# Serving until Ctrl-C"):
                break
        assert "ZYNTRO_BASE_URL" in exports, proc.stderr.read() if proc.poll() is not None else "no banner"
        yield exports
    finally:
        proc.send_signal(signal.SIGTERM)  # the sandbox stops cleanly on SIGTERM
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cli(args: list[str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ZYNTRO", "OPENAI"))}
    from agent.demo import write_replay_dir

    replay = home / "replay"
    if not replay.exists():
        write_replay_dir(replay)
    full = {
        **base,
        "ZYNTRO_ENRICH_HOME": str(home),
        "ZYNTRO_ENRICH_REPLAY_DIR": str(replay),
        "ZYNTRO_ENRICH_DELAY": "0",
        "ZYNTRO_ENRICH_LLM": "offline",
        **env,
    }
    return subprocess.run([CLI, *args], env=full, capture_output=True, text=True, timeout=60)


def test_real_processes_against_the_sandbox(sandbox_process, corpus, tmp_path):
    zyntro = sandbox_process
    home = tmp_path / "home"
    home.mkdir()
    batch = tmp_path / "contacts.csv"
    batch.write_bytes(
        b"contact_id,name,urls\n"
        + CID.encode()
        + b",Ada Quinlan,http://[::1 HTTPS://GitHub.com:443/adaquinlan\n"
        + str(uuid.uuid4()).encode()
        + b",Bj\xf6rn,https://github.com/bjorn\n"
    )
    done = _cli(["enrich", "--batch", str(batch), "--json", "--no-progress"], zyntro, home)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr  # an invalid row: exit 2
    assert "contacts.csv line 3: not valid UTF-8 (byte 0xf6)" in done.stderr
    (contact,) = json.loads(done.stdout)["contacts"]
    sources = {s["url"]: (p["status"], s["outcome"]) for p in contact["profiles"] for s in p["sources"]}
    assert sources == {"http://[::1": ("no_data", "invalid_url"), "https://github.com/adaquinlan": ("posted", "ok")}

    checks = [
        (
            ["enrich", "https://github.com/adaquinlan", "--contact-id", CID],
            {"ZYNTRO_API_KEY": "sbx_wrong"},
            2,
            "ZYNTRO_API_KEY",
        ),
        (["post", str(corpus / "deep.json"), "--contact-id", CID, "--source", "GitHub"], {}, 2, "nested more than"),
        (
            ["fetch", "https://github.com/adaquinlan"],
            {"ZYNTRO_ENRICH_ALLOW_PRIVATE": "maybe"},
            2,
            "ZYNTRO_ENRICH_ALLOW_PRIVATE",
        ),
    ]
    for args, extra, expected, words in checks:
        done = _cli(args, {**zyntro, **extra}, home)
        assert done.returncode == expected, (args, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout and words in done.stderr, (args, done.stderr)
        assert "sbx_wrong" not in done.stderr


def test_arguments_and_variables_that_are_not_utf8(corpus, tmp_path):
    # A real process gets these as bytes; Python hands them on as lone surrogates that fail later.
    home = tmp_path / "home"
    home.mkdir()
    name = os.fsdecode(b"Bj\xf6rn")
    done = _cli(["enrich", "--dry-run", "--contact-id", CID, "--name", name, "https://github.com/a"], {}, home)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "--name" in done.stderr and "not valid UTF-8 (byte 0xf6)" in done.stderr
    done = _cli(["fetch", "https://github.com/a"], {"ZYNTRO_ENRICH_MODEL": name}, home)
    assert done.returncode == 2 and "ZYNTRO_ENRICH_MODEL" in done.stderr and "not valid UTF-8" in done.stderr
    # a file name may be any bytes: it is not text, so it is left to the file system
    odd = corpus / os.fsdecode(b"caf\xe9.jsonl")
    odd.write_text(json.dumps({"contact_id": CID, "urls": ["http://[::1"]}) + "\n")
    done = _cli(["enrich", "--batch", str(odd), "--dry-run", "--json", "--no-progress"], {}, home)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr  # an invalid URL is an outcome
    assert json.loads(done.stdout)["contacts"][0]["profiles"][0]["sources"][0]["outcome"] == "invalid_url"
