"""The breakers and the log handler on their own: which Zyntro errors trip, how LLM failures in a row are
counted and switched to the offline condenser, and what a log record may never show."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from agent.breakers import Breakers, is_auth_error
from agent.config import LLMSettings, Settings, ZyntroSettings
from agent.errors import LLMError, ZyntroHTTPError, ZyntroRejected, ZyntroUnavailable
from agent.logs import remember_secrets, setup_logging
from tests.support.condense import bram_page


@pytest.mark.parametrize(
    ("exc", "auth"),
    [
        (ZyntroRejected(["Invalid API Key"]), True),
        (ZyntroRejected(["Only the member who owns this contact can add profiles to it"]), True),
        (ZyntroRejected(["Member not found in this organization"]), True),
        (ZyntroRejected(["Contact not found in this organization"]), False),  # one bad row, not the credentials
        (ZyntroRejected(["Profile payload must be a valid array/object - strings will be rejected"]), False),
        (ZyntroHTTPError("HTTP 401", http_status=401), True),
        (ZyntroHTTPError("HTTP 500", http_status=500), False),
    ],
)
def test_which_zyntro_errors_are_auth_or_ownership(exc, auth):
    assert is_auth_error(exc) is auth


class _Failing:
    name, prompt_version = "openai:test", "p1"

    def __init__(self):
        self.calls = 0

    async def condense(self, *args):
        self.calls += 1
        raise LLMError("the LLM server kept failing after 4 attempts (HTTP 503)")

    async def aclose(self):
        pass


def _condense(condenser, contact):
    return asyncio.run(condenser.condense(contact, "Personal Website", [bram_page()], datetime.date(2025, 1, 2)))


def test_llm_failures_in_a_row_trip_or_switch_to_offline(contact):
    ctx = SimpleNamespace(stopped=None)
    breakers = Breakers(Settings(llm=LLMSettings(failure_limit=2)))
    breakers.attach(ctx)
    _, condenser, _ = breakers.guard(object(), _Failing(), None)
    for _ in range(2):
        with pytest.raises(LLMError):
            _condense(condenser, contact)
    assert breakers.tripped.name == "llm_failures" and ctx.stopped.startswith("stopped by the llm_failures breaker")

    breakers = Breakers(Settings(llm=LLMSettings(failure_limit=2, fallback="offline")))
    _, condenser, _ = breakers.guard(object(), _Failing(), None)
    with pytest.raises(LLMError):
        _condense(condenser, contact)
    draft = _condense(condenser, contact)  # the second failure switches: this profile is condensed offline
    assert draft.payload["summary"] and condenser.name == "offline" and breakers.tripped is None
    assert "offline condenser" in breakers.notices[0]


def test_a_tripped_breaker_sends_and_fetches_nothing_more():
    breakers = Breakers(Settings())
    breakers.trip("zyntro_auth", "Zyntro rejected the request: Invalid API Key")
    fetcher, _, zyntro = breakers.guard(
        SimpleNamespace(), SimpleNamespace(name="x", prompt_version=None), SimpleNamespace()
    )
    result = asyncio.run(fetcher.fetch("https://github.com/a"))
    assert result.outcome == "error" and result.reason.startswith("not fetched: stopped by the zyntro_auth breaker")
    with pytest.raises(ZyntroUnavailable, match="not sent"):
        asyncio.run(zyntro.add_profile("id", "GitHub", {}))


def test_log_records_mask_secrets_in_text_and_json(capsys):
    settings = Settings(
        zyntro=ZyntroSettings(api_key=SecretStr("plainkey-123456")),
        llm=LLMSettings(api_key=SecretStr("sk-proj-abcdefgh12345")),
    )
    remember_secrets(settings)
    log = logging.getLogger("agent.test")
    try:
        setup_logging(fmt="text")
        log.info("sent api_key=plainkey-123456 and Bearer sk-proj-abcdefgh12345, zdk_live_0000111122")
        setup_logging(fmt="json")
        log.warning('body {"api_key": "other-secret-value"}')
    finally:
        setup_logging()
    text, record = capsys.readouterr().err.splitlines()
    assert "plainkey-123456" not in text and "sk-proj-abcdefgh12345" not in text and "zdk_live" not in text
    data = json.loads(record)
    assert data["level"] == "warning" and data["logger"] == "agent.test" and "other-secret-value" not in record
