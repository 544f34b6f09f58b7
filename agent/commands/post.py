"""`zyntro-enrich post`: post one payload file to a contact with addProfileToContact and print the profile_id.

Each post stores a new profile in Zyntro (there is no update), so running this twice stores two.
Exit 0 posted, 1 rejected or failed or outcome unknown, 2 bad input or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from agent.config import Settings
from agent.errors import UsageError, ZyntroRejected

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register", "run"]

log = logging.getLogger(__name__)

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
    p = sub.add_parser("post", help="post a profile payload file to a Zyntro contact", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("payload", metavar="PAYLOAD.json", help="a JSON object file (- reads stdin)")
    p.add_argument("--contact-id", required=True, help="the Zyntro contact's UUID")
    p.add_argument("--source", required=True, metavar="LABEL",
                   help='profile_source, the origin of the data, e.g. "LinkedIn" or "Company Website"')
    p.add_argument("--api-version", choices=["v1", "v2"], help="override ZYNTRO_API_VERSION")
    p.add_argument("--json", action="store_true",
                   help='print {"profile_id", "profile_source", "contact_id"} as JSON on stdout')
    p.set_defaults(func=run, overrides=_overrides)


def _overrides(args: argparse.Namespace) -> dict:
    return {"zyntro": {"api_version": args.api_version}} if args.api_version else {}


def read_payload(path: str) -> dict:
    """The JSON object in `path` ('-' for stdin), or UsageError saying what is wrong with it."""
    name = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"payload file {path} does not exist: give the path of a JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read payload file {name} ({exc}): give a UTF-8 JSON file") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"payload file {name} is not valid JSON ({exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}): fix the file") from None
    if not isinstance(payload, dict):
        kind = {list: "a list", str: "a string"}.get(type(payload), f"a {type(payload).__name__}")
        raise UsageError(f"payload file {name} holds {kind}, not a JSON object: Zyntro profiles are objects "
                         'like {"summary": "...", "job_title": "..."}')
    return payload


def _hint(messages: list[str]) -> str | None:
    text = " ".join(messages).lower()
    return next((hint for fragment, hint in _HINTS if fragment in text), None)


async def _post(settings: Settings, contact_id: str, source: str, payload: dict) -> int:
    from agent.zyntro.client import ZyntroClient

    async with ZyntroClient(settings.zyntro) as zyntro:
        return await zyntro.add_profile(contact_id, source, payload)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Post the payload file and print the new profile_id."""
    payload = read_payload(args.payload)
    try:
        profile_id = asyncio.run(_post(settings, args.contact_id, args.source, payload))
    except ZyntroRejected as exc:
        hint = _hint(exc.messages)
        print(f"zyntro-enrich: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 1
    log.info("posted profile %s to contact %s (source %r, Zyntro %s at %s)", profile_id, args.contact_id,
             args.source, settings.zyntro.api_version, settings.zyntro.base_url)
    if args.json:
        from agent.zyntro.validate import normalise_uuid

        contact_id = normalise_uuid(args.contact_id, "contact_id")
        print(json.dumps({"profile_id": profile_id, "profile_source": args.source, "contact_id": contact_id}))
    else:
        print(profile_id)
    return 0
