"""The LLM's output schema (pydantic), its strict JSON Schema, and its conversion to a flat payload.

Payload keys are open-ended, so the model answers with a list of fields rather than an object with
fixed properties (strict structured output cannot express "any snake_case key"):

    {"summary": str, "summary_fact_refs": [str],
     "fields": [{"key": str, "value": str | int | number | bool | [str], "fact_refs": [str]}]}

fact_refs name the facts a value came from ("f3") or "text" for the page text; they are hints for
provenance only: grounding checks every value against the sources regardless of what is cited.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["SCHEMA_NAME", "CondensedProfile", "ProfileField", "parse_answer", "strict_schema", "to_payload"]

SCHEMA_NAME = "zyntro_profile"
_RESERVED = {"summary", "source_url", "source_urls", "retrieved_at"}


class ProfileField(BaseModel):
    """One payload key and its value, with the facts it came from."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="descriptive snake_case key, e.g. job_title or followers_count")
    value: str | int | float | bool | list[str] = Field(
        description="a string, integer, number, boolean or list of strings; counts and years are integers"
    )
    fact_refs: list[str] = Field(description='ids of the facts used (e.g. "f3"), or "text" for the page text')


class CondensedProfile(BaseModel):
    """The LLM's answer: a summary and the profile fields."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="1-3 factual sentences, at most 400 characters")
    summary_fact_refs: list[str] = Field(description="ids of the facts the summary uses")
    fields: list[ProfileField] = Field(description="at most 25 fields, each a descriptive snake_case key")

    @field_validator("summary")
    @classmethod
    def _summary_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the summary is empty; write 1-3 factual sentences")
        return value


def strict_schema() -> dict[str, Any]:
    """CondensedProfile's JSON Schema in the form strict structured output accepts."""
    schema = copy.deepcopy(CondensedProfile.model_json_schema())
    _strictify(schema)
    return schema


def _strictify(node: Any) -> None:
    # Strict mode: every object closed (additionalProperties false) with all properties required;
    # titles and defaults add tokens and are not supported everywhere.
    if isinstance(node, dict):
        node.pop("title", None)
        node.pop("default", None)
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        for value in node.values():
            _strictify(value)
    elif isinstance(node, list):
        for item in node:
            _strictify(item)


def parse_answer(content: str) -> tuple[CondensedProfile | None, list[str]]:
    """The validated answer, or the errors to re-ask with (invalid JSON, schema mismatch)."""
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    if fenced:  # local models in JSON mode often wrap the object in a code fence
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
    try:
        return CondensedProfile.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors()[:12]:
            where = ".".join(str(p) for p in err["loc"]) or "answer"
            errors.append(f"{where}: {err['msg']}")
        return None, errors


def to_payload(answer: CondensedProfile) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The flat payload, the fact refs per key, and notes on fields that were merged or ignored."""
    payload: dict[str, Any] = {"summary": answer.summary}
    refs: dict[str, list[str]] = {"summary": list(answer.summary_fact_refs)}
    notes: list[str] = []
    for item in answer.fields:
        key = item.key.strip()
        if key in _RESERVED:
            notes.append(f"ignored field {key!r} from the LLM (set by the agent)")
            continue
        if key in payload:
            previous = payload[key]
            if isinstance(previous, list) and isinstance(item.value, list):
                payload[key] = list(dict.fromkeys([*previous, *item.value]))
                notes.append(f"merged repeated list field {key!r}")
            else:
                notes.append(f"dropped repeated field {key!r} (kept the first)")
            continue
        payload[key] = item.value
        refs[key] = list(item.fact_refs)
    return payload, refs, notes
