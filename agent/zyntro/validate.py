"""Checks on an addProfileToContact request, run before anything reaches the network.

Zyntro's docs say the ids are UUIDs and the payload "must be a valid array/object - strings will be
rejected"; refusing bad input locally gives a clear message instead of a round trip (or, worse, a
stored record that is not what the user meant).
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from agent.errors import ZyntroInvalidRequest

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MAX_SOURCE_CHARS",
    "encode_payload",
    "is_uuid",
    "normalise_uuid",
    "validate_profile_request",
]

MAX_PAYLOAD_BYTES = 64 * 1024  # our own cap: Zyntro's limit is undocumented, profiles are small
MAX_SOURCE_CHARS = 255  # a typical VARCHAR(255) column; Zyntro's limit is undocumented
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def is_uuid(value: object) -> bool:
    """True for a UUID object or a canonical 8-4-4-4-12 hex string."""
    return isinstance(value, UUID) or (isinstance(value, str) and bool(_UUID_RE.match(value)))


def normalise_uuid(value: object, what: str, hint: str = "") -> str:
    """The lowercase canonical form of a UUID, or ZyntroInvalidRequest naming `what`."""
    if not is_uuid(value):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        extra = f" ({hint})" if hint else ""
        raise ZyntroInvalidRequest(
            f"{what} {shown} is not a UUID: Zyntro ids look like 3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f{extra}"
        )
    return str(UUID(str(value)))


def _check_keys(value: Any, path: str = "payload") -> None:
    # json.dumps silently turns int/None keys into strings, so the stored profile would differ.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ZyntroInvalidRequest(f"{path} has a non-string key {key!r}: JSON object keys must be strings")
            _check_keys(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_keys(item, f"{path}[{index}]")


def encode_payload(payload: Any) -> bytes:
    """The payload as compact UTF-8 JSON, after checking it is a non-empty, serialisable, small object."""
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise ZyntroInvalidRequest(
            f'payload must be a JSON object ({{"key": value, ...}}), not a {kind}: Zyntro rejects strings '
            "and this client also refuses lists and numbers"
        )
    if not payload:
        raise ZyntroInvalidRequest("payload is an empty object: there is nothing to post")
    try:
        blob = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        _check_keys(payload)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ZyntroInvalidRequest(
            f"payload is not serialisable as JSON ({exc}): use strings, numbers, booleans, lists and objects only"
        ) from None
    data = blob.encode("utf-8")
    if len(data) > MAX_PAYLOAD_BYTES:
        raise ZyntroInvalidRequest(
            f"payload is {len(data):,} bytes of JSON, over the {MAX_PAYLOAD_BYTES:,}-byte limit: "
            "shorten long values or drop keys"
        )
    return data


def validate_profile_request(
    contact_id: object,
    profile_source: object,
    payload: object,
    *,
    org_id: object | None = None,
    member_id: object | None = None,
) -> None:
    """Raise ZyntroInvalidRequest naming the problem when the request must not be sent."""
    if org_id is not None:
        normalise_uuid(org_id, "org_id", "set ZYNTRO_ORG_ID to your organisation's id")
    if member_id is not None:
        normalise_uuid(member_id, "member_id", "set ZYNTRO_MEMBER_ID to the id of the member who owns the contact")
    normalise_uuid(contact_id, "contact_id")
    if not isinstance(profile_source, str) or not profile_source.strip():
        raise ZyntroInvalidRequest(
            f'profile_source must be a non-empty string such as "LinkedIn", got {profile_source!r}'
        )
    if len(profile_source) > MAX_SOURCE_CHARS:
        raise ZyntroInvalidRequest(
            f"profile_source is {len(profile_source)} characters, over the {MAX_SOURCE_CHARS}-character limit"
        )
    encode_payload(payload)
