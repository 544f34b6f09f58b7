"""`zyntro-enrich serve` as a real process: binding rules, the sign-in token printed once, --new-token, health."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CLI = str(Path(sys.executable).parent / "zyntro-enrich")
_URL = re.compile(r"serve: (http://\S+/) ")
_TOKEN = re.compile(r"sign-in token \(shown once.*\): (\S+)$")

pytestmark = pytest.mark.timeout(60)


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """Start `serve --port 0`, read what it prints until it says where the webhook stands; (url, lines)."""
    proc = subprocess.Popen(
        [CLI, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("webhook"):
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, f"serve ended early: {proc.wait()} {proc.stderr.read()}"  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
        url = next(m.group(1) for m in map(_URL.search, lines) if m)
        yield url, lines
    finally:
        proc.terminate()
        # A stop (SIGTERM from a service manager, Ctrl-C) is a clean shutdown: exit 0, no traceback.
        assert proc.wait(20) == 0
        assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
        assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def _token(lines: list[str]) -> str | None:
    return next((m.group(1) for m in map(_TOKEN.search, lines) if m), None)


def _signs_in(url: str, token: str) -> bool:
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        found = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
        assert found, "no CSRF token on the sign-in form"
        csrf = found.group(1)
        return client.post("/signin", data={"csrf": csrf, "who": "Ana", "token": token}).status_code == 303


def test_binding_beyond_loopback_needs_a_configured_token():
    done = subprocess.run(
        [CLI, "serve", "--host", "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a configured sign-in token" in done.stderr
    assert "ZYNTRO_ENRICH_SERVE_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_generated_token_is_printed_once_and_replaced_by_new_token():
    with serving() as (url, lines):
        first = _token(lines)
        assert first and url.startswith("http://127.0.0.1:")
        health = httpx.get(url + "healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.headers["content-security-policy"].startswith("default-src 'none'")
        assert _signs_in(url, first)
    with serving() as (url, lines):
        assert _token(lines) is None and not any(first in line for line in lines)
        assert any("printed when it was generated" in line for line in lines)
        assert _signs_in(url, first)
    with serving("--new-token") as (url, lines):
        second = _token(lines)
        assert second and second != first
        assert _signs_in(url, second) and not _signs_in(url, first)


def test_a_configured_token_allows_any_address_and_is_never_printed():
    token = "configured-token-for-the-test-0123456789"
    padded = f" {token} \n"  # pasted with a space and a newline: still the token
    with serving("--host", "0.0.0.0", env={"ZYNTRO_ENRICH_SERVE_TOKEN": padded}) as (url, lines):
        assert _token(lines) is None and not any(token in line for line in lines)
        port = url.rsplit(":", 1)[1].rstrip("/")
        assert _signs_in(f"http://127.0.0.1:{port}/", token)
        assert _signs_in(f"http://127.0.0.1:{port}/", f"{token}  ")  # what is typed is stripped too


@pytest.mark.parametrize("variable", ["ZYNTRO_ENRICH_SERVE_TOKEN", "ZYNTRO_ENRICH_WEBHOOK_SECRET"])
@pytest.mark.parametrize("value", ["short-secret", "   ", " \t\n", "  0123456789abcde  "])
def test_a_short_or_blank_token_or_secret_is_a_config_error(tmp_path, variable, value):
    from agent.config import load_settings
    from agent.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(env={"ZYNTRO_ENRICH_HOME": str(tmp_path), variable: value})
    text = str(refused.value)
    assert variable in text and "at least 16 characters" in text
    assert value.strip() not in text or not value.strip()  # the value is never shown


def test_serve_and_webhook_secrets_are_stripped(tmp_path):
    from agent.commands.serve import sign_in_keys
    from agent.config import load_settings
    from agent.review.state import ServeState
    from agent.store import Store

    token, secret = "configured-token-0123456789", "whsec_0123456789abcdef"
    settings = load_settings(
        env={
            "ZYNTRO_ENRICH_HOME": str(tmp_path),
            "ZYNTRO_ENRICH_SERVE_TOKEN": f"{token} ",
            "ZYNTRO_ENRICH_WEBHOOK_SECRET": f"\t{secret}\n",
        }
    )
    assert settings.serve.token.get_secret_value() == token
    assert settings.serve.webhook_secret.get_secret_value() == secret
    with Store.for_settings(settings) as store:
        digest, key, shown = sign_in_keys(settings, store)
        assert shown is None
        state = ServeState(settings=settings, store=store, token_sha256=digest, session_key=key)
        assert state.token_ok(token) and state.token_ok(f" {token}\n") and not state.token_ok(token[:-1])


def test_a_short_configured_token_stops_serve_before_it_listens():
    done = subprocess.run(
        [CLI, "serve", "--port", "0"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ZYNTRO_ENRICH_SERVE_TOKEN": "abc "},
    )
    assert done.returncode == 2 and "ZYNTRO_ENRICH_SERVE_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert "abc" not in done.stderr and done.stdout == ""


def test_help_says_how_to_run_behind_a_reverse_proxy():
    done = subprocess.run([CLI, "serve", "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "FORWARDED_ALLOW_IPS" in done.stdout and "reverse proxy" in done.stdout
