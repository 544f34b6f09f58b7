"""POST /hooks/zyntro: Zyntro's `new_contact` event, verified, deduplicated and queued for the worker.

Zyntro documents that webhooks exist (events such as `new_contact`, retried 3 times 60 s apart, a
signing secret shown once) but not their body or signature scheme, so this endpoint is lenient
where it must guess and strict where it can:

- The raw body's HMAC-SHA256 under the signing secret (ZYNTRO_ENRICH_WEBHOOK_SECRET) must be in the
  header ZYNTRO_ENRICH_WEBHOOK_HEADER (default X-Zyntro-Signature), as hex (either case) or base64,
  optionally prefixed `sha256=`; compared in constant time. Anything else: 401, nothing queued.
- The body is at most MAX_BODY bytes (413) and a JSON object (400).
- An event type (`event`, `event_type`, `type`, ...) that is present and is not a new-contact event
  (`new_contact`, `contact.created`, `ContactCreated`, ...) is acknowledged and ignored (202).
- The contact id is read at ZYNTRO_ENRICH_WEBHOOK_CONTACT_PATH (a dotted path such as
  `data.contact.id`), else at the first of CONTACT_PATHS holding a UUID; none: 422 naming the variable.
- The event key is the event id (ZYNTRO_ENRICH_WEBHOOK_EVENT_PATH, else EVENT_PATHS), else the body's
  SHA-256. A key seen before is a retried delivery: 200 "duplicate", counted, not queued. A contact
  with an event queued, running or done in the last RECENT_S seconds is not queued again either
  (a retry whose body changed, e.g. a new timestamp): 200 "duplicate".

Queued events answer 202 at once with the key; agent.review.jobs.Worker does the work. So Zyntro never
retries an accepted event: the worker retries it itself when it fails for a temporary reason (backoff,
at most jobs.MAX_ATTEMPTS attempts); a redelivery of the key stays a counted duplicate.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import re
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

__all__ = [
    "CONTACT_PATHS",
    "EVENT_PATHS",
    "MAX_BODY",
    "RECENT_S",
    "contact_id_of",
    "event_key_of",
    "event_type_of",
    "is_new_contact",
    "receive",
    "signature_ok",
]

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a new_contact event is a few kB; more is not Zyntro
# Zyntro retries 3 times 60 s apart: a repeat for the same contact within this window is a retry.
RECENT_S = 600.0
CONTACT_PATHS = (
    "contact_id",
    "contactId",
    "data.contact_id",
    "data.contactId",
    "contact.contact_id",
    "contact.id",
    "data.contact.contact_id",
    "data.contact.id",
    "payload.contact_id",
    "payload.contact.contact_id",
    "payload.contact.id",
    "object.contact_id",
    "record.contact_id",
)
# Also tried for a contact event: the object the event is about.
CONTACT_OBJECT_PATHS = ("data.id", "payload.id", "object.id", "record.id")
EVENT_PATHS = (
    "event_id",
    "eventId",
    "id",
    "delivery_id",
    "deliveryId",
    "webhook_event_id",
    "data.event_id",
    "meta.event_id",
    "event.id",
)
_TYPE_PATHS = ("event", "event_type", "eventType", "type", "event_name", "topic", "trigger", "event.type", "event.name")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_NOISE = {"crm", "zyntro", "event", "events", "webhook", "public", "v1", "v2"}
_CREATED = {"new", "created", "create", "added", "add"}


def _json(body: dict[str, Any], status: int) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    """Does `header` carry HMAC-SHA256(secret, body) as hex (any case) or base64, maybe after `sha256=`?"""
    if not header:
        return False
    expected = hmac.new(secret, body, hashlib.sha256).digest()
    for part in header.split(","):  # `sha256=..., sha256=...` while a secret is rotated
        given = part.strip()
        if given[:7].lower() == "sha256=":
            given = given[7:].strip()
        candidates = []
        if re.fullmatch(r"[0-9a-fA-F]{64}", given):
            candidates.append(bytes.fromhex(given))
        with contextlib.suppress(binascii.Error, ValueError):
            candidates.append(
                base64.b64decode(
                    given + "=" * (-len(given) % 4),
                    altchars=b"-_" if ("-" in given or "_" in given) else None,
                    validate=True,
                )
            )
        if any(hmac.compare_digest(c, expected) for c in candidates):
            return True
    return False


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path (`data.contact.id`, `items.0.id`), or None."""
    for step in path.split("."):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


def event_type_of(data: dict[str, Any]) -> str | None:
    """The event's type when the body names one."""
    for path in _TYPE_PATHS:
        value = _at(data, path)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_new_contact(event_type: str) -> bool:
    """`new_contact`, `contact.created`, `crm.contact.added`, `ContactCreated`... (not `contact.updated`)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", event_type)
    words = {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w} - _NOISE
    return "contact" in words and len(words) == 2 and bool(words & _CREATED)


def contact_id_of(data: dict[str, Any], path: str | None, contact_event: bool) -> str | None:
    """The contact's id (a UUID, lower-cased) at `path`, or at the first usual place holding one."""
    paths = [path] if path else [*CONTACT_PATHS, *(CONTACT_OBJECT_PATHS if contact_event else ())]
    for candidate in paths:
        value = _at(data, candidate)
        if isinstance(value, str) and _UUID.match(value.strip()):
            return value.strip().lower()
    return None


def event_key_of(data: dict[str, Any], raw: bytes, path: str | None, contact_id: str) -> str:
    """`event:<id>` from the body (never the contact's own id), else `sha256:<digest of the body>`."""
    for candidate in [path] if path else EVENT_PATHS:
        value = _at(data, candidate)
        if (
            isinstance(value, int | str)
            and not isinstance(value, bool)
            and str(value).strip()
            and str(value).strip().lower() != contact_id
        ):
            return f"event:{str(value).strip()[:200]}"
    return "sha256:" + hashlib.sha256(raw).hexdigest()


async def _body(request: Request) -> bytes | None:
    """The raw body, or None once it passes MAX_BODY (read no further)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(request: Request) -> JSONResponse:
    """Verify, parse and queue one delivery; answers at once (the worker enriches in the background)."""
    state = request.app.state.serve
    serve = state.settings.serve
    if serve.webhook_secret is None:
        return _json(
            {
                "error": "the webhook is off: set ZYNTRO_ENRICH_WEBHOOK_SECRET to Zyntro's signing secret "
                "(Zyntro app: Me > API & Webhooks) and restart serve"
            },
            503,
        )
    try:
        raw = await _body(request)
    except ClientDisconnect:
        return _json({"error": "the body was cut short"}, 400)
    if raw is None:
        return _json({"error": f"the body is larger than {MAX_BODY} bytes"}, 413)
    secret = serve.webhook_secret.get_secret_value().encode()
    if not signature_ok(secret, raw, request.headers.get(serve.webhook_header)):
        got = "no" if not request.headers.get(serve.webhook_header) else "a wrong"
        log.warning(
            "webhook: refused a delivery from %s with %s %s header (expected the body's HMAC-SHA256 "
            "under ZYNTRO_ENRICH_WEBHOOK_SECRET; header name: ZYNTRO_ENRICH_WEBHOOK_HEADER)",
            request.client.host if request.client else "?",
            got,
            serve.webhook_header,
        )
        return _json({"error": f"missing or invalid signature in {serve.webhook_header}"}, 401)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return _json({"error": "the body is not JSON"}, 400)
    if not isinstance(data, dict):
        return _json({"error": "the body is not a JSON object"}, 400)
    return _queue(state, data, raw)


def _queue(state: Any, data: dict[str, Any], raw: bytes) -> JSONResponse:
    """Turn a verified event into a queued one (or say why not)."""
    from agent.store_events import record_contact_event

    serve = state.settings.serve
    kind = event_type_of(data)
    if kind is not None and not is_new_contact(kind):
        return _json({"status": "ignored", "reason": f"event {kind[:100]!r} is not new_contact"}, 202)
    contact_id = contact_id_of(data, serve.webhook_contact_path, contact_event=kind is not None)
    if contact_id is None:
        where = serve.webhook_contact_path or ", ".join(CONTACT_PATHS)
        return _json(
            {
                "error": f"no contact id (a UUID) found at {where}: set ZYNTRO_ENRICH_WEBHOOK_CONTACT_PATH "
                "(webhook_contact_path) to the dotted JSON path of the contact id, e.g. "
                "data.contact.contact_id"
            },
            422,
        )
    key = event_key_of(data, raw, serve.webhook_event_path, contact_id)
    outcome, other = record_contact_event(state.store, key, contact_id, recent_s=RECENT_S)
    if outcome == "duplicate":
        log.info("webhook: delivery of event %s again (a retry): not queued", key)
        return _json({"status": "duplicate", "event_key": key}, 200)
    if outcome == "contact_busy":
        assert other is not None  # "contact_busy" comes with the event already queued
        log.info(
            "webhook: contact %s already has event %s (%s): %s not queued",
            contact_id,
            other["event_key"],
            other["state"],
            key,
        )
        return _json(
            {"status": "duplicate", "event_key": key, "contact_id": contact_id, "queued_as": other["event_key"]}, 200
        )
    log.info("webhook: queued event %s for contact %s", key, contact_id)
    if state.worker is not None:
        state.worker.wake()
    return _json({"status": "queued", "event_key": key, "contact_id": contact_id}, 202)
