"""Zyntro's payload best practices (DESIGN.md, "The payload") as a check with safe repairs.

check_payload returns the repaired payload, the repairs it made and the violations it could not
repair. Safe repairs never add or change a fact: key spelling, whitespace, empties, digit grouping
in counts, wrapping a lone string in a list, trimming over-long text, and removing what must never
be posted (credentials, special-category data). Every violation left is blocking: a draft with
violations is not posted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from agent.condense.safety import is_secret_key, secret_in, special_category_in, special_category_key
from agent.condense.text import split_sentences, truncate_words

__all__ = [
    "GENERIC_KEYS",
    "KEY_TYPES",
    "MAX_KEYS",
    "MAX_SUMMARY_CHARS",
    "MAX_SUMMARY_SENTENCES",
    "MAX_VALUE_CHARS",
    "PayloadCheck",
    "check_payload",
    "key_type",
    "normalise_key",
]

MAX_KEYS = 30
MAX_VALUE_CHARS = 1000
MAX_SUMMARY_CHARS = 400
MAX_SUMMARY_SENTENCES = 3
_FRAME_KEYS = ("summary", "source_url", "source_urls", "retrieved_at")

# One type per key across the project: "int" counts and years, "bool" flags, "list" of strings.
KEY_TYPES: dict[str, str] = {
    **dict.fromkeys(
        [
            "summary",
            "source_url",
            "retrieved_at",
            "name",
            "headline",
            "job_title",
            "employer",
            "location",
            "bio",
            "website",
            "handle",
            "email",
            "joined_date",
            "industry",
            "connections",
            "description",
            "company_size",
            "headquarters",
            "address",
            "phone",
            "current_company",
            "company_type",
            "legal_name",
            "vat_id",
            "register_id",
        ],
        "str",
    ),
    **dict.fromkeys(
        [
            "followers_count",
            "following_count",
            "posts_count",
            "repositories_count",
            "stars_count",
            "employees_count",
            "founded",
            "founded_year",
            "years_of_experience",
        ],
        "int",
    ),
    **dict.fromkeys(
        [
            "education",
            "experience",
            "skills",
            "interests",
            "languages",
            "pinned_repositories",
            "organizations",
            "products",
            "key_products",
            "specialties",
            "locations",
            "source_urls",
            "focus_areas",
            "technologies",
            "people",
            "social_profiles",
        ],
        "list",
    ),
    **dict.fromkeys(["hireable", "verified", "is_verified"], "bool"),
}
GENERIC_KEYS = {
    "info",
    "information",
    "misc",
    "miscellaneous",
    "data",
    "value",
    "values",
    "other",
    "others",
    "field",
    "fields",
    "item",
    "items",
    "key",
    "keys",
    "details",
    "detail",
    "stuff",
    "extra",
    "extras",
    "general",
    "text",
    "content",
    "attribute",
    "attributes",
    "property",
    "properties",
    "unknown",
    "data_key",
    "entry",
    "column",
    "col",
    "attr",
    "thing",
    "things",
    "notes",
    "note",
    "more",
    "additional",
    "additional_info",
}
# Free-text keys (and any key not in KEY_TYPES) are screened for special-category data; names of
# organisations and places are not, since "Catholic University" is an employer, not a belief.
_FREE_TEXT = {"summary", "bio", "headline", "description", "interests", "focus_areas"}
_NAMING_KEYS = (
    "name",
    "employer",
    "organizations",
    "education",
    "experience",
    "location",
    "headquarters",
    "address",
    "locations",
    "current_company",
    "job_title",
)
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_GROUPED_INT = re.compile(r"^\d{1,3}([,.\u00a0\u202f' ]\d{3})+$|^\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PayloadCheck(BaseModel):
    """The outcome of check_payload: the repaired payload, what was repaired, what is still wrong."""

    payload: dict[str, Any]
    repairs: list[str] = Field(default_factory=list)
    violations: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no violation is left (the payload may be posted)."""
        return not self.violations


def key_type(key: str) -> str | None:
    """The project-wide type of a key ("str", "int", "float", "bool", "list"), None when free."""
    if key in KEY_TYPES:
        return KEY_TYPES[key]
    if key.endswith("_count") or key.endswith("_year"):
        return "int"
    if key.startswith(("is_", "has_")):
        return "bool"
    return None


def normalise_key(key: str) -> str:
    """camelCase, spaces and hyphens to snake_case ("jobTitle" -> "job_title")."""
    out = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key.strip())
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", out)
    out = re.sub(r"[\s\-./]+", "_", out).lower()
    return re.sub(r"_+", "_", out).strip("_")


def _is_generic(key: str) -> bool:
    stem = re.sub(r"_?\d+$", "", key)
    return key in GENERIC_KEYS or stem in GENERIC_KEYS or stem == ""


class _Checker:
    """One pass over one payload, collecting repairs and violations."""

    def __init__(self) -> None:
        self.repairs: list[str] = []
        self.violations: list[str] = []
        self.out: dict[str, Any] = {}

    def run(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        naming = tuple(_naming_phrases(payload))
        for raw_key, value in payload.items():
            key = self._key(raw_key)
            if key is not None:
                value = self._value(key, value, naming)
                if value is not None:
                    self.out[key] = value
        self._summary()
        self._frame()
        self._limit_keys()
        return _ordered(self.out)

    def _key(self, raw_key: Any) -> str | None:
        if not isinstance(raw_key, str):
            self.violations.append(f"bad_key: {raw_key!r} is not a string key")
            return None
        key = normalise_key(raw_key)
        if key != raw_key:
            self.repairs.append(f"renamed key {raw_key!r} to {key!r}")
        if key in self.out:
            self.repairs.append(f"dropped duplicate key {raw_key!r} (kept the first {key!r})")
            return None
        if is_secret_key(key) or special_category_key(key):
            what = "credentials" if is_secret_key(key) else "special-category data"
            self.repairs.append(f"removed key {key!r}: {what} never go into a profile")
            return None
        if not _SNAKE.match(key):
            self.violations.append(f"bad_key: {raw_key!r} is not a descriptive snake_case key")
            return None
        if _is_generic(key):
            self.violations.append(
                f"generic_key: {key!r} says nothing about its value; name what it holds (e.g. 'job_title')"
            )
            return None
        return key

    def _value(self, key: str, value: Any, naming: tuple[str, ...]) -> Any:
        value = _clean(value)
        if value is None:
            self.repairs.append(f"dropped empty {key!r}")
            return None
        if isinstance(value, Mapping) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            self.violations.append(f"not_flat: {key!r} holds a nested object; the payload must be flat")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.violations.append(f"bad_type: {key!r} is not a finite number")
            return None
        value = self._coerce(key, value)
        if value is None:
            return None
        value = self._screen(key, value, naming)
        if value is None:
            return None
        return self._fit(key, value)

    def _coerce(self, key: str, value: Any) -> Any:
        wanted = key_type(key)
        if isinstance(value, list):
            value = [str(v).strip() if not isinstance(v, str) else v for v in value]
            value = list(dict.fromkeys(v for v in value if v))
            if not value:
                self.repairs.append(f"dropped empty {key!r}")
                return None
        fixed = _coerce_to(wanted, value) if wanted else value
        if fixed is _MISMATCH:
            self.violations.append(
                f"type_mismatch: {key!r} must be {_TYPE_WORDS[wanted]} across the project, got {value!r:.80}"
            )
            return None
        if fixed != value or type(fixed) is not type(value):
            self.repairs.append(f"converted {key!r} to {_TYPE_WORDS[wanted]}")
        return fixed

    def _screen(self, key: str, value: Any, naming: tuple[str, ...]) -> Any:
        if key in ("source_url", "source_urls"):
            return value
        free = key in _FREE_TEXT or key not in KEY_TYPES
        items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        if not items:
            return value
        kept = [text for item in items if (text := self._strip(key, item, naming, free))]
        if not kept:
            self.repairs.append(f"dropped {key!r}: nothing left after removing what must not be posted")
            return None
        return kept if isinstance(value, list) else kept[0]

    def _strip(self, key: str, text: str, naming: tuple[str, ...], free: bool) -> str:
        """The text without sentences holding credentials (any key) or special-category data (free text)."""
        sentences = split_sentences(text) or [text]
        kept = []
        for sentence in sentences:
            if secret_in(sentence):
                self.repairs.append(f"removed credential-like text from {key!r}")
            elif free and (category := special_category_in(sentence, naming)):
                self.repairs.append(f"removed special-category text ({category}) from {key!r}")
            else:
                kept.append(sentence)
        return text if len(kept) == len(sentences) else " ".join(kept).strip()

    def _fit(self, key: str, value: Any) -> Any:
        if key == "summary":
            return value
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            self.repairs.append(f"shortened {key!r} to {MAX_VALUE_CHARS} characters")
            return truncate_words(value, MAX_VALUE_CHARS)
        if isinstance(value, list) and _list_chars(value) > MAX_VALUE_CHARS:
            kept: list[str] = []
            for item in value:
                if _list_chars([*kept, item]) > MAX_VALUE_CHARS:
                    break
                kept.append(item)
            self.repairs.append(f"kept the first {len(kept)} of {len(value)} items of {key!r} (size limit)")
            return kept or None
        return value

    def _summary(self) -> None:
        summary = self.out.get("summary")
        if not isinstance(summary, str) or not summary:
            self.out.pop("summary", None)
            self.violations.append("summary_missing: every profile needs a 1-3 sentence summary")
            return
        sentences = split_sentences(summary)
        if len(sentences) > MAX_SUMMARY_SENTENCES:
            self.repairs.append(f"kept the first {MAX_SUMMARY_SENTENCES} of {len(sentences)} summary sentences")
            sentences = sentences[:MAX_SUMMARY_SENTENCES]
        while len(sentences) > 1 and len(" ".join(sentences)) > MAX_SUMMARY_CHARS:
            sentences.pop()
            self.repairs.append(f"dropped the last summary sentence to stay within {MAX_SUMMARY_CHARS} characters")
        summary = " ".join(sentences)
        self.out["summary"] = summary
        if len(summary) > MAX_SUMMARY_CHARS + 20:  # "about 400": a little slack for one long sentence
            self.violations.append(
                f"summary_too_long: {len(summary)} characters in one sentence; keep it within ~{MAX_SUMMARY_CHARS}"
            )

    def _frame(self) -> None:
        url = self.out.get("source_url")
        if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
            self.out.pop("source_url", None)
            self.violations.append("source_url_missing: every profile needs the http(s) URL it came from")
        when = self.out.get("retrieved_at")
        if isinstance(when, str) and not _ISO_DATE.match(when):
            try:
                self.out["retrieved_at"] = datetime.fromisoformat(when).date().isoformat()
                self.repairs.append("converted 'retrieved_at' to an ISO 8601 date")
            except ValueError:
                pass
        when = self.out.get("retrieved_at")
        if not (isinstance(when, str) and _ISO_DATE.match(when) and _valid_date(when)):
            self.out.pop("retrieved_at", None)
            self.violations.append("retrieved_at_missing: every profile needs the ISO 8601 date it was retrieved")

    def _limit_keys(self) -> None:
        if len(self.out) <= MAX_KEYS:
            return
        frame = [k for k in self.out if k in _FRAME_KEYS]
        rest = [k for k in self.out if k not in _FRAME_KEYS]
        keep = set(frame) | set(rest[: MAX_KEYS - len(frame)])
        dropped = [k for k in self.out if k not in keep]
        self.out = {k: v for k, v in self.out.items() if k in keep}
        self.repairs.append(f"dropped {len(dropped)} keys over the {MAX_KEYS}-key limit: {', '.join(dropped)}")


_MISMATCH = object()
_TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "list": "a list of strings",
    None: "its type",
}


def _coerce_to(wanted: str, value: Any) -> Any:
    """The value in the wanted type when the conversion is lossless, else _MISMATCH."""
    if wanted == "int":
        if isinstance(value, bool):
            return _MISMATCH
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _GROUPED_INT.match(value):
            return int(re.sub(r"\D", "", value))
        return _MISMATCH
    if wanted == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "yes", "false", "no"}:
            return value.lower() in {"true", "yes"}
        return _MISMATCH
    if wanted == "list":
        return [value] if isinstance(value, str) else value if isinstance(value, list) else _MISMATCH
    if wanted == "str":
        if isinstance(value, list):
            return value[0] if len(value) == 1 else _MISMATCH
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value if isinstance(value, str) else _MISMATCH
    return value


def _clean(value: Any) -> Any:
    """Whitespace stripped; None for empties (None, "", [], {})."""
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    if isinstance(value, list):
        items = [_clean(v) for v in value]
        items = [v for v in items if v is not None]
        return items or None
    if isinstance(value, Mapping):
        return dict(value) or None
    return value


def _naming_phrases(payload: Mapping[str, Any]) -> list[str]:
    phrases: list[str] = []
    for key in _NAMING_KEYS:
        value = payload.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                phrases.append(item.strip())
                if key == "name":
                    phrases += [w for w in item.split() if len(w) >= 3]
    return phrases


def _list_chars(items: list[str]) -> int:
    return len(", ".join(items))


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _ordered(payload: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {k: payload[k] for k in ("summary",) if k in payload}
    tail: dict[str, Any] = {k: payload[k] for k in ("source_url", "source_urls", "retrieved_at") if k in payload}
    middle = {k: v for k, v in payload.items() if k not in head and k not in tail}
    return {**head, **middle, **tail}


def check_payload(payload: Any) -> PayloadCheck:
    """Check a payload against the best practices, apply safe repairs, list what is left."""
    if not isinstance(payload, Mapping):
        return PayloadCheck(payload={}, violations=["not_object: the payload must be a JSON object"])
    checker = _Checker()
    repaired = checker.run(payload)
    return PayloadCheck(payload=repaired, repairs=checker.repairs, violations=checker.violations)
