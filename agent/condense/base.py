"""The condenser interface and the finishing steps every draft goes through.

condense(contact, profile_source, extractions, retrieved_at) -> ProfileDraft, where the draft's
payload has been framed (source_url, retrieved_at), checked (agent.condense.rules), grounded
(agent.condense.grounding) and checked again, so what a condenser proposes is never posted as is.

A condenser returns no thin profile: sources without a single fact, or a grounded payload with fewer
than MIN_FIELDS fields besides the summary and the provenance keys, raise ThinProfile (the pipeline
reports the origin as no_data and posts nothing).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from agent.condense.grounding import ground
from agent.condense.rules import check_payload
from agent.condense.usage import Usage
from agent.errors import CondenseError, ThinProfile
from agent.models import Contact, Extraction, Outcome, ProfileDraft

__all__ = [
    "MIN_FIELDS",
    "Condenser",
    "describe_fields",
    "finish_draft",
    "frame",
    "profile_fields",
    "require_fields",
    "usable_extractions",
]

log = logging.getLogger(__name__)

# A summary and one field (a bare name) tell the CRM nothing the contact record lacks; two supported
# fields (e.g. employer and location) are the least that makes a profile worth a record in Zyntro.
MIN_FIELDS = 2
_NOT_FIELDS = ("summary", "source_url", "source_urls", "retrieved_at")


class Condenser(ABC):
    """Turns the ok extractions of one origin into a checked, grounded ProfileDraft."""

    name: str = "condenser"
    prompt_version: str | None = None

    @abstractmethod
    async def condense(
        self, contact: Contact, profile_source: str, extractions: list[Extraction], retrieved_at: date
    ) -> ProfileDraft:
        """Condense one origin's extractions into a draft (payload checked and grounded)."""

    async def aclose(self) -> None:  # noqa: B027 -- an optional hook: a no-op unless the condenser holds a client
        """Release network resources (nothing to release by default)."""

    async def __aenter__(self) -> Condenser:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def usable_extractions(profile_source: str, extractions: Sequence[Extraction]) -> list[Extraction]:
    """The ok extractions; CondenseError when there are none, ThinProfile when they hold no fact."""
    usable = [e for e in extractions if e.outcome is Outcome.ok]
    if not usable:
        raise CondenseError(
            f"no readable {profile_source} source to condense (every source was a login wall, blocked or "
            "failed): check the sources with `zyntro-enrich extract URL`"
        )
    if not any(e.facts for e in usable):
        raise ThinProfile(
            f"no data: the {profile_source} page(s) gave no facts to build a profile from, so nothing is "
            "posted; check what a page yields with `zyntro-enrich extract URL`, or add another source"
        )
    return usable


def profile_fields(payload: dict[str, Any]) -> list[str]:
    """The payload's fields besides the summary and the provenance keys (source_url(s), retrieved_at)."""
    return [key for key in payload if key not in _NOT_FIELDS]


def describe_fields(fields: Sequence[str]) -> str:
    """ "1 supported field (name)", "0 supported fields": for reports."""
    listed = f" ({', '.join(fields)})" if fields else ""
    return f"{len(fields)} supported field{'' if len(fields) == 1 else 's'}{listed}"


def require_fields(draft: ProfileDraft) -> ProfileDraft:
    """The draft, or ThinProfile when it has fewer than MIN_FIELDS fields besides the summary."""
    fields = profile_fields(draft.payload)
    if len(fields) >= MIN_FIELDS:
        return draft
    raise ThinProfile(
        f"no data: the {draft.profile_source} sources give {describe_fields(fields)} besides the summary; a "
        f"profile needs at least {MIN_FIELDS}, so it is not posted (add a richer source for this contact, or "
        "check what the page yields with `zyntro-enrich extract URL`)"
    )


def frame(extractions: Sequence[Extraction], retrieved_at: date) -> dict[str, Any]:
    """The keys every profile carries: where (source_url, source_urls) and when (retrieved_at)."""
    urls = list(dict.fromkeys(e.url for e in extractions))
    keys: dict[str, Any] = {"source_url": urls[0]}
    if len(urls) > 1:
        keys["source_urls"] = urls
    keys["retrieved_at"] = retrieved_at.isoformat()
    return keys


def finish_draft(
    *,
    contact: Contact,
    profile_source: str,
    extractions: Sequence[Extraction],
    payload: dict[str, Any],
    retrieved_at: date,
    condenser: str,
    prompt_version: str | None,
    fallback_summary: str | Callable[[], str] | None = None,
    usage: Usage | None = None,
    repairs: Sequence[str] = (),
) -> ProfileDraft:
    """Frame, check, ground and re-check a proposed payload; return the draft with all findings."""
    proposed = {k: v for k, v in payload.items() if k not in ("source_url", "source_urls", "retrieved_at")}
    first = check_payload({**proposed, **frame(extractions, retrieved_at)})
    grounded = ground(first.payload, extractions, fallback_summary=fallback_summary)
    second = check_payload(grounded.payload)
    all_repairs = list(dict.fromkeys([*repairs, *first.repairs, *second.repairs]))
    # Violations found before grounding matter too: a dropped generic key is still a condenser fault.
    violations = list(dict.fromkeys([*first.violations, *second.violations]))
    usage = usage or Usage()
    if grounded.unsupported:
        log.info("%s: dropped %d unsupported value(s) or sentence(s)", profile_source, len(grounded.unsupported))
    return ProfileDraft(
        contact_id=contact.contact_id,
        profile_source=profile_source,
        payload=second.payload,
        provenance={k: v for k, v in grounded.provenance.items() if k in second.payload},
        grounding=grounded.unsupported,
        violations=violations,
        repairs=all_repairs,
        condenser=condenser,
        prompt_version=prompt_version,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=round(usage.cost_usd, 6),
    )
