"""Enrich one contact: route -> fetch -> extract -> group by origin -> condense -> check -> post.

Each step hands a typed value to the next (agent.models); nothing reaches back. A failed source never
sinks the other sources of the contact, and a failed profile never sinks the other profiles.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from agent.errors import (
    BudgetExceeded,
    CondenseError,
    ThinProfile,
    ZyntroEnrichError,
)
from agent.models import (
    Contact,
    Extraction,
    FetchResult,
    Outcome,
    ProfileDraft,
    ProfileStatus,
    payload_hash,
)
from agent.ports import Breaking, Condensing, Fetching, Metering, ZyntroPort
from agent.posting import already_posted, post_draft
from agent.reports import ContactReport, ProfileReport, SourceReport
from agent.store import Store
from agent.store_privacy import suppressed_because
from agent.store_rows import TrackedContact
from agent.urls import normalise_url
from extractors.identity import MATCH_THRESHOLD, score_identity
from extractors.registry import route

__all__ = ["RunContext", "enrich_contact", "input_fingerprint"]

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    """Everything one run shares: settings-derived services and the run's options."""

    store: Store
    fetcher: Fetching | None  # agent.fetch.Fetcher (guarded); None where nothing is fetched (review approvals)
    condenser: Condensing | None  # agent.condense's condenser (guarded); None where nothing is condensed
    zyntro: ZyntroPort | None  # agent.zyntro.ZyntroClient (guarded); None for dry runs
    run_id: str
    dry_run: bool = False
    review: bool = False
    repost_unknown: bool = False
    accept_unverified: bool = False  # post profiles whose pages nothing ties to the contact (the operator's choice)
    lookup_hints: bool = False  # ask Zyntro (v2 fetchContact) for identity hints when none are given
    can_read_profiles: bool = False  # v2: fetchContact(include_profile) settles posts whose answer was lost
    reconcile_grace_s: float = 30.0
    # Contacts this state never posted to: what Zyntro holds (v2), read once per run (agent.posting)
    zyntro_profiles: dict[str, Any] = field(default_factory=dict)
    lost_state_warned: bool = False  # v1: the "duplicates cannot be detected" warning was given
    pages_fetched: int = 0
    sources_failed: int = 0
    stopped: str | None = None  # set when the LLM budget ran out: no further profile is condensed
    meter: Metering | None = None  # agent.condense.Meter: LLM usage per source, contact and run
    breakers: Breaking | None = None  # agent.breakers.Breakers: a tripped breaker sets `stopped`
    today: Any = field(default_factory=lambda: datetime.now(UTC).date())


@dataclass
class _Source:
    url: str
    extractor: Any
    origin: str
    result: FetchResult | None = None
    extraction: Extraction | None = None

    def report(self) -> SourceReport:
        outcome, reason = self.outcome()
        engine = self.result.engine if self.result else None
        # the module whose rules decided (a personal home page routed as a company site says "personal")
        name = self.extraction.extractor if self.extraction else self.extractor.name if self.extractor else None
        identity = self.extraction.identity if self.extraction else None
        return SourceReport(
            url=self.url, outcome=outcome, reason=reason, engine=engine, extractor=name, identity=identity
        )

    def outcome(self) -> tuple[Outcome, str]:
        if self.extraction is not None:
            return self.extraction.outcome, self.extraction.reason
        if self.result is not None and (self.extractor is not None or self.result.outcome is not Outcome.ok):
            return self.result.outcome, self.result.reason
        return Outcome.unsupported, "no extractor handles this URL"


def _origin_guess(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. "http://[::1": the source is reported invalid_url, its origin unknown
        host = ""
    return host.removeprefix("www.") or "Unknown"


def _normalised(urls: list[str]) -> dict[str, str | None]:
    """Each distinct URL in its one form (agent.urls), with why it cannot be fetched when it cannot be parsed."""
    out: dict[str, str | None] = {}
    for raw in urls:
        if not raw.strip():
            continue
        try:
            out.setdefault(normalise_url(raw), None)
        except ValueError as exc:
            out.setdefault(raw.strip(), str(exc))
    return out


async def _fetch_and_extract(ctx: RunContext, contact: Contact, url: str, problem: str | None = None) -> _Source:
    """Fetch one URL (revalidating a stored copy) and parse it; never raises for a page or URL problem."""
    extractor, origin = None, _origin_guess(url)
    if problem is None:
        try:
            extractor = route(url)
            origin = extractor.label_for(url)
        except ValueError:  # no extractor handles it: the fetcher still says why
            extractor = None
    source = _Source(url=url, extractor=extractor, origin=origin)
    if problem is not None:
        source.result = result = FetchResult(url=url, outcome=Outcome.invalid_url, reason=problem)
    elif extractor is None:  # the fetcher still says why (invalid or unsupported URL)
        source.result = result = await _fetcher(ctx).fetch(url)
    else:
        result = await _fetch_and_parse(ctx, contact, source)
    outcome, reason = source.outcome()
    if outcome is not Outcome.ok:
        ctx.sources_failed += 1
    ctx.store.record_source(ctx.run_id, str(contact.contact_id), result, outcome, reason)
    return source


async def _fetch_and_parse(ctx: RunContext, contact: Contact, source: _Source) -> FetchResult:
    """Fetch a routed source (revalidating a stored copy) and parse the page; returns how it was fetched."""
    stored = ctx.store.page(source.url)
    result = await _fetcher(ctx).fetch(
        source.url,
        needs_browser=source.extractor.needs_browser,
        etag=stored.etag if stored else None,
        last_modified=stored.last_modified if stored else None,
    )
    source.result = result
    page = stored if result.not_modified else result.page
    if result.outcome is not Outcome.ok or page is None:
        return result
    ctx.pages_fetched += 1
    if not result.not_modified:
        ctx.store.save_page(page)
    extraction = source.extractor.parse(page)
    extraction.identity = score_identity(extraction, contact)
    source.extraction = extraction
    if extraction.outcome is Outcome.ok:  # the content names the origin (e.g. a personal site vs a company's)
        source.origin = extraction.profile_source
    return result


def _fetcher(ctx: RunContext) -> Fetching:
    """The run's fetcher (every run that enriches has one; approving a draft fetches nothing)."""
    if ctx.fetcher is None:
        raise TypeError("this RunContext has no fetcher: it can post drafts, not enrich contacts")
    return ctx.fetcher


async def _condense(ctx: RunContext, contact: Contact, origin: str, usable: list[Extraction]) -> ProfileDraft:
    if ctx.condenser is None:
        raise TypeError("this RunContext has no condenser: it can post drafts, not enrich contacts")
    return await ctx.condenser.condense(contact, origin, usable, ctx.today)


def input_fingerprint(condenser: Condensing | None, extractions: list[Extraction]) -> str:
    """What the condenser is given (facts, text, condenser, prompt version), hashed.

    An LLM may word the same facts differently on each run; comparing inputs, not only payloads,
    keeps unchanged sources from adding a new record to Zyntro (and saves the LLM call).
    """
    h = hashlib.sha256(f"{getattr(condenser, 'name', '')}\0{getattr(condenser, 'prompt_version', '')}".encode())
    for e in sorted(extractions, key=lambda e: e.url):
        facts = [(f.key, f.value, f.approximate) for f in e.facts]
        h.update(json.dumps([e.url, e.profile_source, facts, e.text], ensure_ascii=False, default=str).encode())
    return h.hexdigest()


async def _profile(
    ctx: RunContext,
    contact: Contact,
    origin: str,
    sources: list[_Source],
    review: bool,
    accepted: AbstractSet[str] = frozenset(),  # URLs the operator accepted unverified (now or on an earlier run)
) -> ProfileReport:
    """Turn the sources of one origin into one profile report (and at most one post)."""
    report = ProfileReport(profile_source=origin, status=ProfileStatus.no_data, sources=[s.report() for s in sources])
    ok = [s.extraction for s in sources if s.extraction is not None and s.extraction.outcome is Outcome.ok]
    if not ok:
        report.warnings.append("no source of this origin could be read")
        return report
    usable = [e for e in ok if not (e.identity and e.identity.matched is False)]
    mismatched = [f"{e.url}: {e.identity.reason}" for e in ok if e.identity and e.identity.matched is False]
    if not usable:
        report.status = ProfileStatus.identity_mismatch
        report.warnings += mismatched
        return report
    report.warnings += [f"left out (about someone else) {m}" for m in mismatched]
    usable, unverified = _verified(ctx, contact, usable, report, accepted)
    fingerprint = input_fingerprint(ctx.condenser, usable)
    posted = ctx.store.last_posted(str(contact.contact_id), origin)
    if not ctx.dry_run and already_posted(ctx, report, posted, input_hash=fingerprint):
        return report  # same facts and text as the profile Zyntro holds: no LLM call, no post
    if ctx.stopped:
        report.status = ProfileStatus.failed
        report.warnings.append(ctx.stopped)
        return report
    try:
        draft = await _condense(ctx, contact, origin, usable)
    except BudgetExceeded as exc:
        ctx.stopped = f"{exc}; re-run the same command to continue (what was posted is not posted again)"
        report.status = ProfileStatus.failed
        report.warnings.append(ctx.stopped)
        return report
    except ThinProfile as exc:  # no facts, or too few supported fields: nothing to post (status stays no_data)
        report.warnings.append(str(exc))
        return report
    except CondenseError as exc:
        report.status = ProfileStatus.failed
        report.warnings.append(str(exc))
        return report
    draft.identity = {e.url: e.identity for e in ok if e.identity is not None}
    draft.set_aside = [w for w in report.warnings if w.startswith("left out")]
    report.payload = draft.payload
    if draft.input_tokens or draft.output_tokens:
        report.llm_usage = {
            "input_tokens": draft.input_tokens,
            "output_tokens": draft.output_tokens,
            "cost_usd": round(draft.cost_usd, 6),
        }
    report.warnings += [f"grounding: {g}" for g in draft.grounding]  # what was dropped, and why
    digest = payload_hash(draft.payload)
    if draft.violations:
        report.status = ProfileStatus.failed
        report.warnings += [f"rule: {v}" for v in draft.violations]
        ctx.store.save_draft(ctx.run_id, draft, digest, "invalid")  # kept for inspection, never approvable
        return report
    if unverified:  # built and shown, never posted: nothing ties its pages to the contact
        report.status = ProfileStatus.unverified
        report.warnings.append(unverified)
        ctx.store.save_draft(ctx.run_id, draft, digest, "unverified")  # kept for inspection, never approvable
        return report
    if ctx.dry_run or (ctx.zyntro is None and not review):
        report.status = ProfileStatus.dry_run
        ctx.store.save_draft(ctx.run_id, draft, digest, "dry_run")
        return report
    if already_posted(ctx, report, posted, payload_hash=digest):
        return report
    if review:
        _queue_for_review(ctx, draft, digest, fingerprint, report)
        return report
    report.draft_id = ctx.store.save_draft(ctx.run_id, draft, digest, "approved", fingerprint)
    if any(w.startswith(_ACCEPTED) for w in report.warnings):  # the operator's choice, kept with the draft
        ctx.store.set_draft_status(report.draft_id, "approved", note=_ACCEPTED)
    await post_draft(ctx, draft, report, input_hash=fingerprint)
    return report


def _tied(extraction: Extraction) -> bool:
    """Does the page name the contact: its name, or (no name to compare) its company or email domain?"""
    identity = extraction.identity
    if identity is None:
        return False
    return identity.matched is True or (identity.matched is None and identity.score >= MATCH_THRESHOLD)


_ACCEPTED = "posted unverified (--accept-unverified)"


def _verified(
    ctx: RunContext,
    contact: Contact,
    usable: list[Extraction],
    report: ProfileReport,
    accepted: AbstractSet[str] = frozenset(),
) -> tuple[list[Extraction], str]:
    """The pages to condense, and why the profile must not be posted ('' when it may be).

    Pages that nothing ties to the contact are left out of a profile that has a tied page; when no
    page is tied the profile is unverified (the reason says which hint to give), unless the operator
    passed --accept-unverified, which the report then says.
    """
    tied = [e for e in usable if _tied(e)]
    untied = [e for e in usable if not _tied(e)]
    if not untied:
        return usable, ""
    reasons = "; ".join(f"{e.url}: {e.identity.reason if e.identity else 'not compared'}" for e in untied)
    if ctx.accept_unverified or all(e.url in accepted for e in untied):
        report.warnings.append(f"{_ACCEPTED}: nothing ties {reasons}")
        return usable, ""
    if tied:
        report.warnings += [f"left out (nothing ties it to the contact) {e.url}" for e in untied]
        return tied, ""
    return usable, (
        f"not posted: nothing ties the page to the contact ({reasons}); {_hint_advice(ctx, contact, untied)}"
    )


def _hint_advice(ctx: RunContext, contact: Contact, untied: list[Extraction]) -> str:
    """Which identity hint would let the next run check these pages."""
    people = any(e.subject != "organization" for e in untied)
    wanted = [
        flag
        for flag, missing in (
            ("--name", people and not contact.name),
            ("--company", not contact.company),
            ("--email with a work address", not contact.email),
        )
        if missing
    ]
    where = "check that the URL is the contact's"
    if wanted:
        others = f" (or {' or '.join(wanted[1:])})" if wanted[1:] else ""
        where = f"give {wanted[0]}{others} on the command line or in the batch row"
    if not ctx.lookup_hints and wanted:
        where += ", or use ZYNTRO_API_VERSION=v2 to read them from Zyntro"
    return f"{where}; --accept-unverified posts it anyway"


def _queue_for_review(
    ctx: RunContext, draft: ProfileDraft, digest: str, fingerprint: str, report: ProfileReport
) -> None:
    """Queue a draft for a person, once: not again if rejected or already waiting; older drafts are stale."""
    contact_id, origin = str(draft.contact_id), draft.profile_source
    if ctx.store.was_rejected(contact_id, origin, digest):
        report.status = ProfileStatus.rejected
        report.warnings.append("a reviewer already rejected this same profile; it is not queued again")
        return
    report.status = ProfileStatus.queued_for_review
    report.draft_id = ctx.store.queued_draft(contact_id, origin, digest)
    if report.draft_id is None:
        report.draft_id = ctx.store.save_draft(ctx.run_id, draft, digest, "queued_for_review", fingerprint)
        ctx.store.supersede_queued(contact_id, origin, keep=report.draft_id)


def _with_tracked_hints(contact: Contact, tracked: TrackedContact | None) -> Contact:
    """Hints an earlier run gave for this contact (the tracked contact) fill those this run leaves out."""
    missing = {
        k: tracked[k]
        for k in ("name", "email", "company", "location")
        if tracked and tracked.get(k) and not getattr(contact, k)
    }
    return contact.model_copy(update=missing) if missing else contact


async def _hints_from_zyntro(ctx: RunContext, contact: Contact) -> Contact:
    """Fill name/email/company from Zyntro's fetchContact when the caller gave none (v2 only)."""
    if not ctx.lookup_hints or ctx.zyntro is None or contact.name or contact.email or contact.company:
        return contact
    try:
        data = await ctx.zyntro.fetch_contact(str(contact.contact_id))
    except ZyntroEnrichError as exc:  # no credentials in a dry run, Zyntro unreachable, ...
        log.warning("could not read contact %s from Zyntro for identity hints: %s", contact.contact_id, exc)
        return contact
    return contact.model_copy(update=_hints(data))


def _hints(data: dict[str, Any]) -> dict[str, str]:
    """Pick identity hints out of a fetchContact answer; its exact field names are not documented."""
    flat: dict[str, Any] = {}
    stack = [data]
    while stack:
        item = stack.pop()
        for key, value in item.items():
            if isinstance(value, dict):
                stack.append(value)
            elif isinstance(value, str) and value.strip():
                flat.setdefault(key.lower(), value.strip())
    first = flat.get("cont_fname") or flat.get("first_name") or flat.get("firstname")
    last = flat.get("cont_lname") or flat.get("last_name") or flat.get("lastname")
    name = flat.get("name") or flat.get("full_name") or " ".join(p for p in (first, last) if p)
    email = flat.get("email") or flat.get("cont_email")
    company = flat.get("company") or flat.get("entity_name") or flat.get("cont_company")
    return {k: v for k, v in {"name": name, "email": email, "company": company}.items() if v}


async def enrich_contact(ctx: RunContext, contact: Contact, urls: list[str], review: bool = False) -> ContactReport:
    """Run the whole flow for one contact; one profile per origin (queued instead of posted under review)."""
    review = review or ctx.review
    tracked = ctx.store.tracked_contact(str(contact.contact_id))
    contact = _with_tracked_hints(contact, tracked)
    contact = await _hints_from_zyntro(ctx, contact)
    why = suppressed_because(ctx.store, contact) if contact.email else None  # an email Zyntro just gave (v2)
    if why is not None:  # the do-not-enrich list: nothing fetched, tracked or posted
        return ContactReport(contact_id=str(contact.contact_id), name=contact.name, suppressed=why)
    unique = _normalised(urls)  # the edge: from here on every URL is in its one form
    accepted = set(tracked["accepted_urls"] if tracked else ()) | (set(unique) if ctx.accept_unverified else set())
    if not ctx.dry_run:  # a dry run changes nothing that is tracked
        ctx.store.save_contact(contact, list(unique), review=review, accept_unverified=ctx.accept_unverified)
    sources = await asyncio.gather(*(_fetch_and_extract(ctx, contact, url, problem) for url, problem in unique.items()))
    by_origin: dict[str, list[_Source]] = defaultdict(list)
    for source in sources:
        by_origin[source.origin].append(source)
    report = ContactReport(contact_id=str(contact.contact_id), name=contact.name)
    for origin, group in by_origin.items():
        report.profiles.append(await _profile(ctx, contact, origin, group, review, accepted))
    usage = ctx.meter.by_contact.get(contact.contact_id) if ctx.meter is not None else None
    if usage is not None and usage.calls:
        report.llm_usage = usage.model_dump()
    return report
