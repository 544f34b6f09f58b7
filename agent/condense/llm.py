"""The LLM condenser: any OpenAI-compatible chat completions server through the `openai` client.

Structured output from the pydantic schema (response_format json_schema, strict), falling back to
JSON mode and then to a schema described in the prompt when a server rejects the format (a 400
naming response_format). One re-ask with the validation errors; empty, refused or truncated answers
are LLMError. 429s, timeouts, connection errors and 5xx back off (bounded, `sleep` injectable).
Every call first reserves its worst case on the Meter (agent.condense.usage), which raises
BudgetExceeded before a call that cannot fit. An answer that grounding leaves with fewer than
MIN_FIELDS fields is replaced by the offline condenser's draft of the same facts, and the draft says
so (condenser "offline (fallback from openai:<model>)", a repair and a first grounding line).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import openai

from agent.condense.base import (
    MIN_FIELDS,
    Condenser,
    describe_fields,
    finish_draft,
    profile_fields,
    require_fields,
    usable_extractions,
)
from agent.condense.kinds import source_kind
from agent.condense.messages import (
    OutputMode,
    Prompt,
    build_prompt,
    format_instructions,
)
from agent.condense.offline import offline_draft
from agent.condense.prompts import prompt_version, render
from agent.condense.rules import check_payload
from agent.condense.schema import SCHEMA_NAME, parse_answer, strict_schema, to_payload
from agent.condense.summaries import offline_summary
from agent.condense.usage import Meter, Reservation, Usage, estimate_tokens
from agent.config import LLMSettings
from agent.errors import BudgetExceeded, LLMError
from agent.httputil import parse_retry_after
from agent.models import Contact, Extraction, ProfileDraft, Provenance

__all__ = ["MAX_OUTPUT_TOKENS", "LLMCondenser"]

log = logging.getLogger(__name__)

MAX_OUTPUT_TOKENS = 1200  # a full 25-field profile is ~600 tokens; the cap bounds each call's cost
MAX_ATTEMPTS = 4  # per call: the first try and three backoffs
BACKOFF_BASE_S = 2.0
MAX_BACKOFF_S = 30.0
_TRANSIENT = (openai.RateLimitError, openai.APITimeoutError, openai.APIConnectionError, openai.InternalServerError)
_FALLBACK: dict[OutputMode, OutputMode] = {"json_schema": "json_object", "json_object": "prompt"}

Sleep = Callable[[float], Awaitable[Any]]


class LLMCondenser(Condenser):
    """Condenses with an OpenAI-compatible model; output is validated, checked and grounded."""

    def __init__(
        self,
        llm: LLMSettings,
        meter: Meter,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ):
        self.settings = llm
        self.meter = meter
        self.name = f"openai:{llm.model}"
        self.prompt_version = prompt_version()
        self.mode: OutputMode = "json_schema"
        self._dropped: set[str] = set()  # request parameters this server rejected
        self._sleep = sleep or asyncio.sleep
        self._max_attempts = max_attempts
        self._schema = strict_schema()
        self._secret = llm.api_key.get_secret_value() if llm.api_key else None
        self._client = openai.AsyncOpenAI(
            # Local servers (vLLM, Ollama, llama.cpp) need no key, but the client insists on one.
            api_key=self._secret or "no-key",
            base_url=llm.base_url or "https://api.openai.com/v1",
            # openai accepts an httpx.AsyncClient at run time (its legacy-client path); its hint names only httpx2's
            http_client=http_client,  # type: ignore[arg-type]
            max_retries=0,  # backoff is ours: bounded, budget-aware, with an injectable sleep
            timeout=llm.timeout_s,
        )
        self._owns_client = http_client is None

    async def aclose(self) -> None:
        """Close the client's connections (a caller-supplied http_client is left to its owner)."""
        if self._owns_client:
            await self._client.close()

    async def condense(
        self, contact: Contact, profile_source: str, extractions: list[Extraction], retrieved_at: date
    ) -> ProfileDraft:
        """Ask the model for a profile, re-ask once if invalid, then check and ground it."""
        usable = usable_extractions(profile_source, extractions)
        kind = source_kind(usable)
        usage = Usage()
        prompt = build_prompt(profile_source, kind, usable, self.mode, self._schema)
        messages = prompt.messages
        content = await self._ask(messages, prompt.input_tokens, contact.contact_id, profile_source, usage)
        answer, errors = self._validate(content, usable, retrieved_at)
        if errors:
            answer, errors = await self._reask(
                messages, content, answer, errors, contact, profile_source, usable, retrieved_at, usage
            )
        if answer is None:
            raise LLMError(
                f"the LLM's answer for {profile_source} was invalid even after one re-ask "
                f"({'; '.join(errors)[:300]}): try a stronger model (ZYNTRO_ENRICH_MODEL) or --llm offline"
            )
        payload, refs, notes = answer
        draft = finish_draft(
            contact=contact,
            profile_source=profile_source,
            extractions=usable,
            payload=payload,
            retrieved_at=retrieved_at,
            condenser=self.name,
            prompt_version=self.prompt_version,
            fallback_summary=lambda: offline_summary(profile_source, usable),
            usage=usage,
            repairs=notes,
        )
        _cite_facts(draft, refs, prompt)
        if len(profile_fields(draft.payload)) < MIN_FIELDS:
            draft = self._offline_instead(draft, contact, usable, retrieved_at, usage)
        return require_fields(draft)

    def _offline_instead(
        self, thin: ProfileDraft, contact: Contact, usable: list[Extraction], retrieved_at: date, usage: Usage
    ) -> ProfileDraft:
        """The offline condenser's draft in place of an answer grounding left thin, saying so."""
        notice = (
            f"the LLM's answer kept {describe_fields(profile_fields(thin.payload))} after grounding; a "
            f"profile needs at least {MIN_FIELDS} besides the summary, so the offline condenser's profile "
            "was used instead"
        )
        log.warning("%s: %s", thin.profile_source, notice)
        draft = offline_draft(
            contact,
            thin.profile_source,
            usable,
            retrieved_at,
            condenser=f"offline (fallback from {self.name})",
            usage=usage,
            repairs=[notice],
        )
        # Why the answer was thin stays visible: what grounding dropped from it, before the offline findings.
        dropped = [f"LLM answer: {line}" for line in thin.grounding if line not in draft.grounding]
        draft.grounding = [notice, *dropped, *draft.grounding]
        return draft

    async def _reask(
        self,
        messages: list[dict[str, str]],
        content: str,
        answer: Any,
        errors: list[str],
        contact: Contact,
        profile_source: str,
        usable: list[Extraction],
        retrieved_at: date,
        usage: Usage,
    ) -> tuple[Any, list[str]]:
        """Ask once more with the errors; keep a usable first answer if the budget has no room left."""
        log.info("%s: re-asking the LLM once (%s)", profile_source, "; ".join(errors)[:300])
        # _reformat: the first call may have stepped down the output format since these were built.
        messages = [
            *self._reformat(messages),
            {"role": "assistant", "content": content},
            {"role": "user", "content": render("condense_reask", {"errors": _bullets(errors)})},
        ]
        try:
            content = await self._ask(messages, None, contact.contact_id, profile_source, usage)
        except BudgetExceeded:
            if answer is None:
                raise
            # The first answer was paid for and only breaks payload rules: keep it (the draft will carry
            # its violations and is not posted); the next call of the run raises again.
            log.warning("%s: no budget left to re-ask; keeping the first answer with its violations", profile_source)
            return answer, errors
        return self._validate(content, usable, retrieved_at)

    def _validate(
        self, content: str, extractions: list[Extraction], retrieved_at: date
    ) -> tuple[tuple[dict[str, Any], dict[str, list[str]], list[str]] | None, list[str]]:
        """The converted answer (None when unusable) and the errors worth a re-ask."""
        parsed, errors = parse_answer(content)
        if parsed is None:
            return None, errors
        payload, refs, notes = to_payload(parsed)
        framed = {**payload, "source_url": extractions[0].url, "retrieved_at": retrieved_at.isoformat()}
        return (payload, refs, notes), check_payload(framed).violations

    async def _ask(
        self,
        messages: list[dict[str, str]],
        input_estimate: int | None,
        contact_id: UUID,
        profile_source: str,
        usage: Usage,
    ) -> str:
        """One completion (with backoff and format fallback); returns the answer's text."""
        attempt = 0
        while True:
            estimate = input_estimate or self._estimate(messages)
            reservation = self.meter.reserve(contact_id, profile_source, estimate, MAX_OUTPUT_TOKENS)
            try:
                response = await self._client.chat.completions.create(**self._request(messages))
            except openai.BadRequestError as exc:
                self.meter.release(reservation)
                if not self._fall_back(exc):
                    raise LLMError(self._describe(exc, "rejected the request")) from None
                messages = self._reformat(messages)
                input_estimate = None
                continue
            except _TRANSIENT as exc:
                self.meter.release(reservation)
                attempt += 1
                if attempt >= self._max_attempts:
                    raise LLMError(self._describe(exc, f"kept failing after {attempt} attempts")) from None
                delay = _retry_after(exc) or BACKOFF_BASE_S * 2 ** (attempt - 1)
                log.info("LLM call for %s failed (%s); retrying in %.1fs", profile_source, type(exc).__name__, delay)
                await self._sleep(min(delay, MAX_BACKOFF_S))
                continue
            except openai.APIStatusError as exc:
                self.meter.release(reservation)
                raise LLMError(self._describe(exc, "refused the call")) from None
            return self._content(response, reservation, estimate, usage)

    def _request(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.settings.model, "messages": messages}
        if "temperature" not in self._dropped:
            request["temperature"] = 0  # as repeatable as the server allows
        limit = "max_tokens" if "max_completion_tokens" in self._dropped else "max_completion_tokens"
        request[limit] = MAX_OUTPUT_TOKENS
        if self.mode == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": self._schema},
            }
        elif self.mode == "json_object":
            request["response_format"] = {"type": "json_object"}
        return request

    def _fall_back(self, exc: openai.BadRequestError) -> bool:
        """Adapt the request to what the server rejected; False when nothing is left to try."""
        message = f"{getattr(exc, 'param', '') or ''} {exc}".lower()
        # Reasoning models refuse a temperature; some servers only know the older max_tokens.
        for param in ("temperature", "max_completion_tokens"):
            if param in message and param not in self._dropped and "response_format" not in message:
                log.warning("the LLM server rejected %s; retrying without it", param)
                self._dropped.add(param)
                return True
        if "response_format" not in message and "json_schema" not in message:
            return False
        if self.mode not in _FALLBACK:
            return False
        log.warning("the LLM server rejected response_format %s; falling back to %s", self.mode, _FALLBACK[self.mode])
        self.mode = _FALLBACK[self.mode]
        return True

    def _reformat(self, messages: list[dict[str, str]]) -> list[dict[str, str]]:
        # Without server-side enforcement the schema has to travel in the system prompt.
        system = render("condense_system", {"format_instructions": format_instructions(self.mode, self._schema)})
        return [{"role": "system", "content": system}, *messages[1:]]

    def _content(self, response: Any, reservation: Reservation, estimate: int, usage: Usage) -> str:
        choice = response.choices[0] if response.choices else None
        message = choice.message if choice else None
        text = (message.content or "") if message else ""
        reported = response.usage
        input_tokens = reported.prompt_tokens if reported else estimate
        output_tokens = reported.completion_tokens if reported else estimate_tokens(text)
        usage.add(self.meter.commit(reservation, input_tokens, output_tokens, estimated=reported is None))
        if choice is None:
            raise LLMError(
                "the LLM answered with no choices: check that the server and model work "
                "(ZYNTRO_ENRICH_MODEL), or use --llm offline"
            )
        if message is not None and getattr(message, "refusal", None):
            raise LLMError(
                f"the LLM refused to answer ({message.refusal[:200]!r}); check the sources, or use --llm offline"
            )
        if choice.finish_reason == "length":
            raise LLMError(
                f"the LLM's answer was cut off at {output_tokens} output tokens "
                f"(finish_reason length, limit {MAX_OUTPUT_TOKENS}): try again or use --llm offline"
            )
        if choice.finish_reason == "content_filter":
            raise LLMError("the LLM server's content filter stopped the answer; use --llm offline for this source")
        if not text.strip():
            raise LLMError(
                "the LLM answered with an empty message: check the model (ZYNTRO_ENRICH_MODEL) or use --llm offline"
            )
        return text

    def _describe(self, exc: Exception, what: str) -> str:
        status = getattr(exc, "status_code", None)
        detail = self._redact(getattr(exc, "message", None) or str(exc))[:300]
        hint = {
            401: "check OPENAI_API_KEY",
            403: "check the key's permissions",
            404: "check ZYNTRO_ENRICH_MODEL and OPENAI_BASE_URL",
            429: "wait, then run again",
        }.get(status or 0, "check OPENAI_BASE_URL and the server, or use --llm offline")
        code = f" (HTTP {status})" if status else ""
        return f"the LLM server {what}{code}: {detail}; {hint}"

    def _estimate(self, messages: list[dict[str, str]]) -> int:
        # In json_schema mode the schema travels in response_format and counts as input too.
        schema = json.dumps(self._schema, separators=(",", ":")) if self.mode == "json_schema" else ""
        return estimate_tokens("".join(m["content"] for m in messages) + schema)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _retry_after(exc: Exception) -> float | None:
    """The server's wait from an error response: OpenAI's retry-after-ms, else the Retry-After header."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass  # unreadable: try Retry-After
    return parse_retry_after(headers.get("retry-after"))


def _bullets(errors: list[str]) -> str:
    return "\n".join(f"- {e}" for e in errors[:12])


def _cite_facts(draft: ProfileDraft, refs: dict[str, list[str]], prompt: Prompt) -> None:
    """Prefer the fact the model cited as provenance when that fact really holds the value."""
    for key, ids in refs.items():
        value = draft.payload.get(key)
        if key == "summary" or value is None:
            continue
        for fid in ids:
            cited = prompt.facts.get(fid)
            if cited and _holds(cited[1].value, value):
                draft.provenance[key] = Provenance(url=cited[0], evidence=cited[1].evidence)
                break


def _holds(fact_value: Any, value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    facts = fact_value if isinstance(fact_value, list) else [fact_value]
    return any(str(i).casefold() == str(f).casefold() for i in items for f in facts)
