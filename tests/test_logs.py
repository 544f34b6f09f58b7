"""Logs for unattended runs (#11), through the CLI against the sandbox: timestamps, `--log-format json`,
records printed above the progress bar (a real terminal, through a pty), and no secret in any record."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios

from agent.cli import main
from agent.zyntro.client import ADD_PROFILE_PATHS
from tests.support.condense import API_KEY, FakeLLM, error_reply

NO_BROWSER = ["Bruno Okafor", "Chiara Valdes", "Dmitri Osei", "Elena Marsh"]  # x.com needs Chromium: not here
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_text_records_carry_a_utc_timestamp_and_json_records_parse(demo_world, capsys):
    cid, urls = demo_world.contacts["Dmitri Osei"], demo_world.urls["Dmitri Osei"]
    args = ["enrich", *urls, "--contact-id", cid, "--name", "Dmitri Osei", "--dry-run", "--no-progress"]
    main(args)
    assert "robots.txt disallows" not in capsys.readouterr().err  # the operator's override: not per page (#13)

    main(["-v", *args])
    err = capsys.readouterr().err
    assert re.search(rf"(?m)^{STAMP} DEBUG agent\.fetch\.policy: robots\.txt disallows", err), err

    main(["-v", "--log-format", "json", *args])
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    policy = [r for r in records if r["logger"] == "agent.fetch.policy"]
    assert policy and all(set(r) >= {"ts", "level", "logger", "message"} for r in records)
    assert re.fullmatch(STAMP, policy[0]["ts"]) and policy[0]["level"] == "debug"
    assert "robots.txt disallows" in policy[0]["message"]


def test_no_secret_in_debug_logs(demo_world, tmp_path, capsys, monkeypatch):
    llm = FakeLLM().start()
    llm.responder = lambda request: error_reply(503, "down", headers={"retry-after-ms": "1"})
    zyntro_key = "sbx_wrong_key_0123456789"
    monkeypatch.setenv("ZYNTRO_API_KEY", zyntro_key)
    monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "openai")
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    try:
        for fmt in ("text", "json"):
            code = main(
                [
                    "-v",
                    "--log-format",
                    fmt,
                    "enrich",
                    "--batch",
                    str(batch),
                    "--concurrency",
                    "1",
                    "--llm-fallback",
                    "offline",
                    "--no-progress",
                ]
            )
            err = capsys.readouterr().err
            assert code == 3 and "DEBUG" in err.upper() and "zyntro_auth" in err
            assert zyntro_key not in err and API_KEY not in err
    finally:
        llm.stop()


def _run_in_pty(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `cmd` with stderr on a pseudo-terminal (120 columns), as a person at a terminal would see it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_log_records_print_above_the_progress_bar_never_into_it(demo_world, tmp_path):
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    demo_world.sandbox.faults.push("status", status=503, retry_after="0", times=2, path=ADD_PROFILE_PATHS["v1"])
    env = {**demo_world.env, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    code, screen = _run_in_pty(
        [sys.executable, "-m", "agent.cli", "enrich", "--batch", str(batch), "--concurrency", "1"], env
    )
    assert code == 0, screen[-3000:]
    plain = ANSI.sub("", screen)
    assert "enrich" in plain and "4/4" in plain  # the bar was drawn
    starts = [m.start() for m in re.finditer(STAMP, plain)]
    assert len(starts) >= 2, plain[-3000:]  # Zyntro's 503s were logged meanwhile (robots.txt overrides: debug)
    assert "robots.txt disallows" not in plain  # no per-page chatter in a normal run (#13)
    for start in starts:  # each record begins a line: never glued to the end of the bar
        assert start == 0 or plain[start - 1] in "\r\n", repr(plain[max(0, start - 80) : start + 40])


def test_library_request_lines_only_with_verbose(capsys):
    import logging

    from agent.logs import setup_logging

    setup_logging()
    logging.getLogger("httpx").info('HTTP Request: POST http://127.0.0.1/x "HTTP/1.1 200 OK"')
    logging.getLogger("agent.test").info("our own line")
    err = capsys.readouterr().err
    assert "HTTP Request" not in err and "our own line" in err
    setup_logging(verbose=True)
    logging.getLogger("httpx").info("HTTP Request: again")
    assert "HTTP Request: again" in capsys.readouterr().err
    setup_logging()
