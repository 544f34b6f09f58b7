"""The LLM's input: facts and bounded page text (never HTML), delimited as untrusted data, within budget.

Each source may use at most INPUT_TOKENS_PER_SOURCE input tokens (estimated as ceil(chars/4), the
schema included): the fixed prompt is counted first, then the facts (long values shortened, long
lists cut), and the page text gets what is left. Nothing from the configuration (keys, URLs of
servers, model, budget) is ever placed in a prompt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.condense.kinds import clean_fact_value, source_subject
from agent.condense.prompts import render
from agent.condense.rules import KEY_TYPES
from agent.condense.safety import (
    DELIMITER_TAG,
    is_secret_key,
    neutralise_tags,
    sanitise_text,
    special_category_key,
)
from agent.condense.text import truncate_words
from agent.condense.usage import estimate_tokens
from agent.models import Extraction, Fact, SourceKind

__all__ = ["INPUT_TOKENS_PER_SOURCE", "OutputMode", "Prompt", "build_prompt", "format_instructions"]

# The ceiling for a typical profile page; the system prompt and schema take ~800 of it.
INPUT_TOKENS_PER_SOURCE = 2000
_FACT_VALUE_CHARS = 300  # a bio or description beyond this adds little the text does not hold
_LIST_ITEMS = 10  # items per list key (skills, experience ...) sent to the model
_MIN_TEXT_CHARS = 200

OutputMode = Literal["json_schema", "json_object", "prompt"]


@dataclass
class Prompt:
    """Messages for one condense call, with the facts they cite and the size estimate."""

    messages: list[dict[str, str]]
    facts: dict[str, tuple[str, Fact]] = field(default_factory=dict)  # id -> (url, fact)
    input_tokens: int = 0
    text_chars: int = 0  # page text characters included (after trimming)


def format_instructions(mode: OutputMode, schema: dict[str, Any]) -> str:
    """How the answer's format is asked for: enforced by the server, or described in the prompt."""
    if mode == "json_schema":
        return "Your answer is a JSON object; its format is enforced by the response schema."
    return "Your answer is one JSON object (no prose, no code fence) that follows this JSON Schema:\n" + json.dumps(
        schema, separators=(",", ":")
    )


def _key_types() -> str:
    groups: dict[str, list[str]] = {}
    for key, kind in KEY_TYPES.items():
        if key not in ("summary", "source_url", "retrieved_at", "source_urls"):
            groups.setdefault(kind, []).append(key)
    words = {"int": "integers", "bool": "booleans", "list": "lists of strings", "str": "strings"}
    lines = [f"- {words[kind]}: {', '.join(keys)}" for kind, keys in groups.items()]
    return "\n".join(lines + ["- any key ending in _count or _year: integer; is_/has_ keys: boolean"])


def _fact_lines(
    extractions: Sequence[Extraction], value_chars: int, list_items: int
) -> tuple[list[str], dict[str, tuple[str, Fact]]]:
    lines: list[str] = []
    cited: dict[str, tuple[str, Fact]] = {}
    per_key: dict[str, int] = {}
    for extraction in extractions:
        for fact in extraction.facts:
            if special_category_key(fact.key) or is_secret_key(fact.key):
                continue  # never part of a profile, so never shown to the model
            value = clean_fact_value(fact.value)
            if value is None or value == "":
                continue
            per_key[fact.key] = per_key.get(fact.key, 0) + 1
            if per_key[fact.key] > list_items:
                continue
            if isinstance(value, str):
                value = neutralise_tags(truncate_words(value, value_chars))
            fid = f"f{len(cited) + 1}"
            cited[fid] = (extraction.url, fact)
            entry = {"id": fid, "key": fact.key, "value": value}
            if fact.approximate:
                entry["approximate"] = True
            lines.append(json.dumps(entry, ensure_ascii=False))
    return lines, cited


def _text_blocks(extractions: Sequence[Extraction], budget_chars: int) -> tuple[str, int]:
    texts = [sanitise_text(e.text)[0] for e in extractions]
    share = max(0, budget_chars) // max(1, sum(1 for t in texts if t))
    blocks, used = [], 0
    for index, (extraction, text) in enumerate(zip(extractions, texts, strict=True), start=1):
        if not text or share < _MIN_TEXT_CHARS:
            continue
        body = neutralise_tags(truncate_words(text, share))
        url = json.dumps(extraction.url)  # quoted and escaped: the attribute cannot be broken out of
        blocks.append(f'<{DELIMITER_TAG} id="t{index}" url={url}>\n{body}\n</{DELIMITER_TAG}>')
        used += len(body)
    return ("\n".join(blocks) if blocks else "(no page text)"), used


def build_prompt(
    profile_source: str, kind: SourceKind, extractions: Sequence[Extraction], mode: OutputMode, schema: dict[str, Any]
) -> Prompt:
    """System and user messages for one origin, within INPUT_TOKENS_PER_SOURCE per source."""
    budget = INPUT_TOKENS_PER_SOURCE * max(1, len(extractions))
    subject = source_subject(extractions)
    system = render("condense_system", {"format_instructions": format_instructions(mode, schema)})
    schema_chars = len(json.dumps(schema, separators=(",", ":"))) if mode == "json_schema" else 0
    variables = {"profile_source": profile_source, "source_kind": kind, "subject": subject, "key_types": _key_types()}
    for value_chars, list_items in ((_FACT_VALUE_CHARS, _LIST_ITEMS), (160, 5), (80, 3)):
        lines, cited = _fact_lines(extractions, value_chars, list_items)
        fixed = render("condense_user", {**variables, "facts": "\n".join(lines), "page_text": ""})
        left = budget * 4 - len(system) - len(fixed) - schema_chars - 200  # 200: block tags and slack
        if left >= _MIN_TEXT_CHARS:
            break
    page_text, used = _text_blocks(extractions, left)
    user = render("condense_user", {**variables, "facts": "\n".join(lines), "page_text": page_text})
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    tokens = estimate_tokens(system + user) + estimate_tokens("x" * schema_chars)
    return Prompt(messages=messages, facts=cited, input_tokens=tokens, text_chars=used)
