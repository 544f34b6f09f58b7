"""Posting a profile to Zyntro so that it is stored once, never twice, and never silently lost.

Zyntro's addProfileToContact inserts a new record on every call and has no idempotency key, so:
- the intent is written (state `sending`, with our pid) in the same SQLite transaction that checks no
  other run is posting the same contact and origin, before anything is sent;
- while the client retries, the row says which side of a request it is on: `sending` before each
  request leaves, `waiting` once an answer proved nothing was stored (429/503, no connection) and the
  client waits to try again; a run that dies while `waiting` stored nothing, so the next run posts it;
- Zyntro's answer is written after: `posted`, `failed` (certainly not stored: a rejection, a 4xx, a
  429 to the end of the retry budget) or `unknown` (sent, and the answer lost or unreadable: a timeout,
  a dropped connection, a 5xx, a body that is not Zyntro's);
- an `unknown` or orphaned `sending` post is never re-sent blindly: with v2 the contact's profiles are
  read back (fetchContact include_profile) and the post settled; with v1 a person checks Zyntro and
  re-runs with --repost-unknown.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from agent.errors import (
    StoreError,
    ZyntroEnrichError,
    ZyntroError,
    ZyntroHTTPError,
    ZyntroInvalidRequest,
    ZyntroUnknownOutcome,
)
from agent.models import ProfileDraft, ProfileStatus, payload_hash
from agent.reports import ProfileReport
from agent.store import pid_alive
from agent.store_rows import PostingRow
from agent.zyntro.validate import validate_profile_request

if TYPE_CHECKING:
    from agent.pipeline import RunContext
    from agent.ports import ZyntroPort

__all__ = ["already_posted", "held_by_zyntro", "post_draft", "stored_profiles"]

log = logging.getLogger(__name__)

_IN_FLIGHT = ("sending", "waiting")  # posting states of a post not finished yet (see the module docstring)
_IN_PROGRESS = "another zyntro-enrich run (pid {pid}) is posting this profile right now: run again when it is done"


def already_posted(ctx: RunContext, report: ProfileReport, posted: PostingRow | None, **match: str) -> bool:
    """Mark the report unchanged (or posted, within the same run) when Zyntro already holds this profile."""
    if not posted or any(posted.get(k) != v for k, v in match.items()):
        return False
    report.status = ProfileStatus.posted if posted["run_id"] == ctx.run_id else ProfileStatus.unchanged
    report.profile_id = posted["profile_id"]
    return True


# Postings this process is sending right now. A long-lived process (`serve`) can post two drafts of one
# contact and origin at once, so a row with our own pid is in flight exactly when it is in this set.
_SENDING_HERE: set[int] = set()


def _in_flight(last: PostingRow) -> bool:
    """Is this posting being sent right now, by another live process or by this one?"""
    pid = last["pid"]
    if not pid:
        return False
    if pid == os.getpid():
        return last["posting_id"] in _SENDING_HERE
    return pid_alive(pid)


async def _settle_earlier(ctx: RunContext, last: PostingRow, report: ProfileReport) -> bool:
    """Deal with an earlier post of this profile that has no answer. False when posting must not go on."""
    if last["state"] in _IN_FLIGHT and _in_flight(last):
        report.status = ProfileStatus.failed
        report.warnings.append(_IN_PROGRESS.format(pid=last["pid"]))
        return False
    if last["state"] == "waiting":  # its run died between a "nothing stored" answer and the retry
        ctx.store.end_posting(
            last["posting_id"],
            "failed",
            message=f"the run ended while waiting to retry ({last['message']}): nothing was stored",
        )
        return True
    if await _reconcile(ctx, last):
        return True
    if ctx.repost_unknown:  # the operator checked Zyntro and asks for it again
        ctx.store.end_posting(last["posting_id"], "abandoned", message="re-sent with --repost-unknown")
        return True
    ctx.store.end_posting(last["posting_id"], "unknown", message=last["message"] or "no answer recorded")
    report.status = ProfileStatus.unknown
    report.warnings.append(
        f"an earlier post (intent recorded {last['created_at']}) got no answer: check the contact in Zyntro, "
        "then re-run with --repost-unknown if the profile is missing"
    )
    return False


async def post_draft(
    ctx: RunContext, draft: ProfileDraft, report: ProfileReport, input_hash: str | None = None
) -> None:
    """Post unless the same payload is already there; intent recorded before, answer after."""
    contact_id, source = str(draft.contact_id), draft.profile_source
    digest = payload_hash(draft.payload)
    try:  # refuse bad input before an intent is written: it would read as "unknown" later
        validate_profile_request(contact_id, source, draft.payload)
    except ZyntroInvalidRequest as exc:
        report.status = ProfileStatus.failed
        report.warnings.append(str(exc))
        return
    last = ctx.store.last_posting(contact_id, source)
    if last and last["state"] in (*_IN_FLIGHT, "unknown") and not await _settle_earlier(ctx, last, report):
        return
    posted = ctx.store.last_posted(contact_id, source)
    # The same content is already there, or this very run posted it before a crash: never insert twice.
    if already_posted(ctx, report, posted, payload_hash=digest) or already_posted(
        ctx, report, posted, run_id=ctx.run_id
    ):
        return
    if await held_by_zyntro(ctx, draft, report, input_hash):
        return
    posting_id = ctx.store.claim_posting(ctx.run_id, contact_id, source, digest, input_hash, os.getpid())
    if posting_id is None:  # another run claimed it between our look and our claim
        other = ctx.store.last_posting(contact_id, source)
        if not already_posted(
            ctx, report, other if other and other["state"] == "posted" else None, payload_hash=digest
        ):
            report.status = ProfileStatus.failed
            report.warnings.append(_IN_PROGRESS.format(pid=other["pid"] if other else None))
        return
    await _send(ctx, draft, report, posting_id)


async def _send(ctx: RunContext, draft: ProfileDraft, report: ProfileReport, posting_id: int) -> None:
    _SENDING_HERE.add(posting_id)
    try:
        await _send_claimed(ctx, draft, report, posting_id)
    finally:
        _SENDING_HERE.discard(posting_id)


async def _send_claimed(ctx: RunContext, draft: ProfileDraft, report: ProfileReport, posting_id: int) -> None:
    contact_id, source = str(draft.contact_id), draft.profile_source
    current = ["sending"]  # claim_posting wrote "sending"

    def on_attempt(state: str, detail: str) -> None:
        if state != current[0]:
            ctx.store.set_posting_state(posting_id, state, detail)
            current[0] = state

    try:
        zyntro = cast("ZyntroPort", ctx.zyntro)  # a draft is posted only by a run that has a Zyntro client
        profile_id = await zyntro.add_profile(contact_id, source, draft.payload, on_attempt=on_attempt)
    except StoreError:  # recording where the post stands failed: stop here, the row tells the next run
        raise
    except ZyntroEnrichError as exc:
        maybe_stored = isinstance(exc, ZyntroUnknownOutcome) or (
            isinstance(exc, ZyntroHTTPError)
            and exc.http_status is not None
            and (exc.http_status >= 500 or 200 <= exc.http_status < 300)  # a 5xx or an unreadable 2xx
        )
        ctx.store.end_posting(posting_id, "unknown" if maybe_stored else "failed", message=str(exc))
        report.status = ProfileStatus.unknown if maybe_stored else ProfileStatus.failed
        report.warnings.append(str(exc))
        return
    ctx.store.end_posting(posting_id, "posted", profile_id=profile_id)
    ctx.store.supersede_queued(contact_id, source)  # drafts still waiting for review are now stale
    report.status, report.profile_id = ProfileStatus.posted, profile_id


_LOST_STATE_V1 = (
    "DUPLICATES CANNOT BE DETECTED: the state in %s has no record of posting to contact %s, and "
    "ZYNTRO_API_VERSION=v1 cannot read back what Zyntro holds. If this state directory is new or was lost, "
    "profiles posted from it before are stored in Zyntro a second time. Keep ZYNTRO_ENRICH_HOME on persistent "
    "storage (a volume, not a temporary or container directory) and back it up, or use ZYNTRO_API_VERSION=v2, "
    "which reads the contact's stored profiles before its first post."
)


async def held_by_zyntro(
    ctx: RunContext, draft: ProfileDraft, report: ProfileReport, input_hash: str | None = None
) -> bool:
    """Before the first post to a contact this state never posted to: is this very profile already in Zyntro?

    A fresh or lost state directory knows nothing of earlier posts. With v2 the contact's stored profiles
    are read once per run (fetchContact with include_profile) and a profile whose source and content are
    there is recorded as posted and not sent; v1 cannot read them back, so the run says so once, loudly.
    """
    contact_id = str(draft.contact_id)
    if contact_id not in ctx.zyntro_profiles:
        if ctx.store.postings(contact_id):  # this state has posted (or tried to) to the contact before
            return False
        ctx.zyntro_profiles[contact_id] = await _profiles_in_zyntro(ctx, contact_id)
    digest = payload_hash(draft.payload)
    for source, payload, profile_id in ctx.zyntro_profiles[contact_id] or []:
        if source == draft.profile_source and digest in _hashes(payload):
            posting_id = ctx.store.claim_posting(ctx.run_id, contact_id, source, digest, input_hash, os.getpid())
            if posting_id is not None:
                ctx.store.end_posting(
                    posting_id,
                    "posted",
                    profile_id=_int(profile_id),
                    message="already in Zyntro (fetchContact); this state had no record of it",
                )
            report.status, report.profile_id = ProfileStatus.unchanged, _int(profile_id)
            report.warnings.append(
                "already in Zyntro, found by fetchContact: not posted again "
                "(this state directory had no record of posting it)"
            )
            return True
    return False


async def _profiles_in_zyntro(ctx: RunContext, contact_id: str) -> list[tuple[str, Any, Any]] | None:
    """The contact's stored profiles (v2), or None when they cannot be read (v1 warns, once per run)."""
    if not ctx.can_read_profiles or ctx.zyntro is None:
        if not ctx.lost_state_warned:
            ctx.lost_state_warned = True
            log.warning(_LOST_STATE_V1, ctx.store.path.parent, contact_id)
        return None
    try:
        data = await ctx.zyntro.fetch_contact(contact_id, include_profile=True)
    except ZyntroError as exc:
        log.warning(
            "could not read contact %s's stored profiles from Zyntro (%s): a profile it already holds "
            "may be stored twice",
            contact_id,
            exc,
        )
        return None
    stored = stored_profiles(data)
    if stored is None:
        log.warning(
            "fetchContact's answer for contact %s shows no profile list this agent recognises: "
            "a profile it already holds may be stored twice",
            contact_id,
        )
    return stored


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def _reconcile(ctx: RunContext, last: PostingRow) -> bool:
    """Settle a post whose answer was lost by reading the contact's profiles back (v2). True when settled."""
    if not ctx.can_read_profiles or ctx.zyntro is None:
        return False  # v1 cannot read profiles back: the outcome stays unknown
    age = (datetime.now(UTC) - datetime.fromisoformat(last["created_at"])).total_seconds()
    if age < ctx.reconcile_grace_s:
        await asyncio.sleep(ctx.reconcile_grace_s - age)  # a request still in flight could land meanwhile
    try:
        data = await ctx.zyntro.fetch_contact(last["contact_id"], include_profile=True)
    except ZyntroError as exc:
        log.warning("could not read contact %s back from Zyntro: %s", last["contact_id"], exc)
        return False
    stored = stored_profiles(data)
    if stored is None:
        log.warning("fetchContact's answer shows no profile list this agent recognises; the post stays unknown")
        return False
    confirmed = ctx.store.last_posted(last["contact_id"], last["profile_source"])
    floor = confirmed["profile_id"] if confirmed else None
    newer = [(payload, pid) for src, payload, pid in stored if src == last["profile_source"] and _after(pid, floor)]
    for payload, profile_id in newer:
        if last["payload_hash"] in _hashes(payload):
            ctx.store.end_posting(
                last["posting_id"],
                "posted",
                profile_id=profile_id,
                message="answer lost; found in Zyntro by fetchContact",
            )
            return True
    if newer:
        return False  # newer profiles of this origin that we cannot match: cannot tell, stay unknown
    ctx.store.end_posting(last["posting_id"], "failed", message="answer lost; fetchContact shows it was not stored")
    return True


def _after(profile_id: Any, floor: Any) -> bool:
    """Is this stored profile newer than the last one we know we posted? (Unknown id formats: assume so.)"""
    try:
        return floor is None or int(profile_id) > int(floor)
    except (TypeError, ValueError):
        return True


def _hashes(payload: Any) -> set[str]:
    """Hashes of a stored payload as given, decoded from a JSON string, and HTML-unescaped ("escaped and stored")."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return set()
    if not isinstance(payload, dict):
        return set()
    unescaped = json.loads(html.unescape(json.dumps(payload)))
    return {payload_hash(payload), payload_hash(unescaped)}


def stored_profiles(data: Any) -> list[tuple[str, Any, Any]] | None:
    """(profile_source, payload, profile_id) of each profile in a fetchContact answer; None if none is recognisable.

    Zyntro does not document how stored profiles appear there: a list under "profile"/"profiles",
    or any list of objects carrying profile_source and a payload, is accepted.
    """
    found, recognised, stack = [], False, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("profile", "profiles") and isinstance(value, list):
                    recognised = True
                stack.append(value)
            payload = item.get("profile_payload", item.get("payload"))
            if isinstance(item.get("profile_source"), str) and isinstance(payload, (dict, str)):
                recognised = True
                found.append((item["profile_source"], payload, item.get("profile_id")))
        elif isinstance(item, list):
            stack.extend(item)
    return found if recognised else None
