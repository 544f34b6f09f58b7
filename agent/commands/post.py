"""`zyntro-enrich post`: post one payload file to a contact with addProfileToContact and print the profile_id.

Each post stores a new profile in Zyntro (there is no update), so running this twice stores two.

The payload passes the same best-practice checks as a generated one (agent.condense.rules): a flat
object with a summary, source_url and retrieved_at, descriptive keys, no special-category data. A
payload that breaks a rule is refused and nothing is posted. Repairs that only change a value's form
(a count written "1,200", a key written "Job Title", an empty value) are made and reported; a repair
that would post something other than what the file says (text removed, a value shortened, a key
dropped) is refused unless --allow-repairs, because a posted profile cannot be taken back.
Configuration is checked first, then the payload.

Exit 0 posted, 1 rejected or failed or outcome unknown, 2 bad input or configuration (nothing posted).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from agent.config import Settings
from agent.errors import UsageError, ZyntroRejected

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["best_practice", "read_payload", "register", "run"]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024  # a payload file is read only up to this; profiles are a few KiB
MAX_DEPTH = 32  # lists and objects nested deeper than this are not a profile (and could exhaust the stack)
# Repairs of check_payload that keep every fact the file states (its form changes, its content does not).
_FORM_ONLY = ("converted ", "renamed key ", "dropped empty ")

# Zyntro's words -> what to check; the first matching fragment wins.
_HINTS = [
    ("developer secret", "check ZYNTRO_DEVELOPER_SECRET (v2 needs it)"),
    ("api key", "check ZYNTRO_API_KEY (Zyntro app: Me > API & Webhooks)"),
    ("owns", "ZYNTRO_MEMBER_ID must be the member who owns the contact"),
    ("member", "check ZYNTRO_MEMBER_ID (a member of the organisation)"),
    ("user", "check ZYNTRO_MEMBER_ID (an active member of the organisation)"),
    ("contact", "check --contact-id: the contact must belong to your organisation"),
    ("payload", "the payload must be a JSON object"),
    ("org", "check ZYNTRO_ORG_ID and that the organisation is active"),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "post",
        help="post a profile payload file to a Zyntro contact",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("payload", metavar="PAYLOAD.json", help="a JSON object file (- reads stdin)")
    p.add_argument("--contact-id", required=True, help="the Zyntro contact's UUID")
    p.add_argument(
        "--source",
        required=True,
        metavar="LABEL",
        help='profile_source, the origin of the data, e.g. "LinkedIn" or "Company Website"',
    )
    p.add_argument("--api-version", choices=["v1", "v2"], help="override ZYNTRO_API_VERSION")
    p.add_argument(
        "--allow-repairs",
        action="store_true",
        help="post the payload as the best-practice check repairs it (text removed, values shortened) "
        "instead of refusing it",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"profile_id", "profile_source", "contact_id", "repairs"} as JSON on stdout',
    )
    p.set_defaults(func=run, overrides=_overrides)


def _overrides(args: argparse.Namespace) -> dict:
    return {"zyntro": {"api_version": args.api_version}} if args.api_version else {}


def read_payload(path: str) -> dict:
    """The JSON object in `path` ('-' for stdin), or UsageError saying what is wrong with it."""
    name = "stdin" if path == "-" else path
    data = _read_bytes(path, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"payload file {name} is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
        ) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"payload file {name} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}): fix the file"
        ) from None
    except RecursionError:  # deeper than the parser goes
        raise _too_deep(name) from None
    if _depth(payload) > MAX_DEPTH:
        raise _too_deep(name)
    if not isinstance(payload, dict):
        kinds = {
            list: "a list",
            str: "a string",
            type(None): "null",
            bool: "a boolean",
            int: "a number",
            float: "a number",
        }
        kind = kinds.get(type(payload), f"a {type(payload).__name__}")
        raise UsageError(
            f"payload file {name} holds {kind}, not a JSON object: Zyntro profiles are objects "
            'like {"summary": "...", "job_title": "..."}'
        )
    return payload


def _read_bytes(path: str, name: str) -> bytes:
    """At most MAX_FILE_BYTES of the file (a bigger one is refused before it is read whole)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"payload file {path} does not exist: give the path of a JSON file") from None
    except OSError as exc:
        raise UsageError(f"cannot read payload file {name} ({exc.strerror}): give a UTF-8 JSON file") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(
            f"payload file {name} is over the 1 MiB limit: a profile payload is a few KiB "
            "(Zyntro is sent at most 64 KiB)"
        )
    return data


def _too_deep(name: str) -> UsageError:
    return UsageError(
        f"payload file {name} is nested more than {MAX_DEPTH} levels deep: a Zyntro profile is "
        'a flat object like {"summary": "...", "skills": ["..."]}'
    )


def _depth(value: object) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def best_practice(payload: dict, name: str, allow_repairs: bool = False) -> tuple[dict, list[str]]:
    """The payload as check_payload repairs it and the repairs made; UsageError listing what breaks a rule."""
    from agent.condense.rules import check_payload

    checked = check_payload(payload)
    lossy = [] if allow_repairs else [r for r in checked.repairs if not r.startswith(_FORM_ONLY)]
    problems = checked.violations + [
        f"{r} (it would change what the file says: fix the file, or add --allow-repairs to post it repaired)"
        for r in lossy
    ]
    if problems:
        raise UsageError(
            f"payload file {name} breaks Zyntro's best practices, nothing was posted:\n  - "
            + "\n  - ".join(problems)
            + f"\nfix {name} and run again"
        )
    return checked.payload, checked.repairs


def _hint(messages: list[str]) -> str | None:
    text = " ".join(messages).lower()
    return next((hint for fragment, hint in _HINTS if fragment in text), None)


async def _post(settings: Settings, contact_id: str, source: str, payload: dict) -> int:
    from agent.zyntro.client import ZyntroClient

    async with ZyntroClient(settings.zyntro) as zyntro:
        return await zyntro.add_profile(contact_id, source, payload)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Post the payload file and print the new profile_id."""
    from agent.commands.preflight import check_zyntro
    from agent.zyntro.validate import validate_profile_request

    payload = read_payload(args.payload)
    validate_profile_request(args.contact_id, args.source, payload)  # bad input is refused before any call
    check_zyntro(settings)
    payload, repairs = best_practice(payload, "stdin" if args.payload == "-" else args.payload, args.allow_repairs)
    for repair in repairs:
        print(f"zyntro-enrich: repaired before posting: {repair}", file=sys.stderr)
    try:
        profile_id = asyncio.run(_post(settings, args.contact_id, args.source, payload))
    except ZyntroRejected as exc:
        hint = _hint(exc.messages)
        print(f"zyntro-enrich: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 1
    log.info(
        "posted profile %s to contact %s (source %r, Zyntro %s at %s)",
        profile_id,
        args.contact_id,
        args.source,
        settings.zyntro.api_version,
        settings.zyntro.base_url,
    )
    if args.json:
        from agent.zyntro.validate import normalise_uuid

        contact_id = normalise_uuid(args.contact_id, "contact_id")
        print(
            json.dumps(
                {"profile_id": profile_id, "profile_source": args.source, "contact_id": contact_id, "repairs": repairs}
            )
        )
    else:
        print(profile_id)
    return 0
