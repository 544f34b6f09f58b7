"""What an enrichment run reports back: per contact, per profile (origin), per source."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from agent.models import Identity, Outcome, ProfileStatus

__all__ = ["Breaker", "ContactReport", "FAILED_STATUSES", "ProfileReport", "RunReport", "SourceReport", "OK_STATUSES"]

# Profile statuses that mean "what was asked for happened".
OK_STATUSES = {
    ProfileStatus.posted,
    ProfileStatus.dry_run,
    ProfileStatus.queued_for_review,
    ProfileStatus.unchanged,
    ProfileStatus.rejected,  # a reviewer decided: nothing failed
}
# Profile statuses that fail a run (exit 1): a profile that was made and not stored, or a post with no
# answer. Everything else (no_data, identity_mismatch, unverified, and any source outcome such as a 404
# or a login wall) is what the sources hold, not a failure of the run.
FAILED_STATUSES = {ProfileStatus.failed, ProfileStatus.unknown}

# Exit codes for people and for automation (DESIGN.md, "The command line").
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BREAKER = 0, 1, 2, 3


class SourceReport(BaseModel):
    url: str
    outcome: Outcome
    reason: str = ""
    engine: str | None = None
    extractor: str | None = None
    identity: Identity | None = None  # does the page match the contact (score, reason)


class ProfileReport(BaseModel):
    profile_source: str
    status: ProfileStatus
    profile_id: int | None = None
    payload: dict[str, Any] | None = None
    warnings: list[str] = Field(default_factory=list)
    sources: list[SourceReport] = Field(default_factory=list)
    draft_id: int | None = None
    llm_usage: dict[str, Any] | None = None  # input/output tokens and estimated cost, when an LLM condensed it

    def set_aside(self) -> dict[str, str]:
        """Sources read but left out of this profile, URL -> why ("someone else" or "not tied").

        A page about someone else (its identity did not match) is never condensed; a page that nothing
        ties to the contact is left out when another page of the origin is tied (agent.pipeline says
        so in the warnings: "left out (nothing ties it to the contact) URL").
        """
        read = [s for s in self.sources if s.outcome is Outcome.ok]
        aside = {s.url: "someone else" for s in read if s.identity is not None and s.identity.matched is False}
        for warning in self.warnings:
            found = _LEFT_OUT.match(warning)
            if found and found["url"] not in aside and any(s.url == found["url"] for s in read):
                aside[found["url"]] = "someone else" if found["why"] == "about someone else" else "not tied"
        return aside


# How agent.pipeline words a page left out of a profile: "left out (WHY) URL" or "left out (WHY) URL: reason".
_LEFT_OUT = re.compile(r"left out \((?P<why>[^)]*)\) (?P<url>\S+?)(?=: |$)")


class ContactReport(BaseModel):
    contact_id: str
    name: str | None = None
    profiles: list[ProfileReport] = Field(default_factory=list)
    error: str | None = None
    skipped: str | None = None  # left to another run that has claimed the contact: why, and which run
    suppressed: str | None = None  # on the do-not-enrich list (why): nothing fetched, stored or posted
    llm_usage: dict[str, Any] | None = None  # this contact's LLM calls, tokens and estimated cost

    @property
    def ok(self) -> bool:
        """True when no profile failed and no post is unknown (sources with no data, login walls and
        mismatches are outcomes; a contact skipped for another run is that run's to report)."""
        if self.error:
            return False
        return not any(p.status in FAILED_STATUSES for p in self.profiles)


class Breaker(BaseModel):
    """The circuit breaker that stopped a run: which, why, and what was left undone."""

    name: str  # zyntro_auth | llm_failures | llm_budget
    reason: str
    not_started: list[str] = Field(default_factory=list)  # contact ids never started
    not_done: str = ""  # one line for people: what the run did not do


class RunReport(BaseModel):
    run_id: str | None = None
    contacts: list[ContactReport] = Field(default_factory=list)
    skipped_rows: list[str] = Field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (budget), if it did
    breaker: Breaker | None = None  # the circuit breaker that stopped the run, if one did
    notices: list[str] = Field(default_factory=list)  # run-wide changes of course, e.g. an LLM fallback
    total: int | None = None  # contacts asked for
    llm_usage: dict[str, Any] | None = None  # the run's LLM calls, tokens and estimated cost
    llm_summary: str | None = Field(default=None, exclude=True)  # the same as one line for people

    @property
    def exit_code(self) -> int:
        """3 a breaker (or the LLM budget) stopped the run, 1 a profile failed or a post is unknown,
        2 input rows were skipped as invalid, else 0."""
        if self.breaker is not None or self.stopped:
            return EXIT_BREAKER
        if not all(c.ok for c in self.contacts):
            return EXIT_FAILED
        return EXIT_USAGE if self.skipped_rows else EXIT_OK

    def explain(self) -> list[str]:
        """Lines for people (stderr): run-wide notices, and which breaker stopped the run, why, and what is undone."""
        lines = list(self.notices)
        if self.breaker is not None:
            lines.append(f"the {self.breaker.name} breaker stopped the run: {self.breaker.reason}")
            lines.append(f"not done: {self.breaker.not_done}")
        elif self.stopped:
            lines.append(self.stopped)
        return lines

    def counts(self) -> dict[str, Any]:
        """What a monitor needs: contacts, profiles by status, sources by outcome (every key present)."""
        profiles = Counter(p.status.value for c in self.contacts for p in c.profiles)
        sources = Counter(s.outcome.value for c in self.contacts for p in c.profiles for s in p.sources)
        total = self.total if self.total is not None else len(self.contacts)
        return {
            "contacts": total,
            "contacts_done": sum(1 for c in self.contacts if not c.skipped),
            "contacts_skipped": sum(1 for c in self.contacts if c.skipped),  # another run has them
            "contacts_not_started": max(0, total - len(self.contacts)),
            "rows_invalid": len(self.skipped_rows),
            "profiles": {status.value: profiles[status.value] for status in ProfileStatus},
            "sources": {outcome.value: sources[outcome.value] for outcome in Outcome},
            "failed": sum(profiles[s.value] for s in FAILED_STATUSES),
        }

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: {"contacts": [{"contact_id", "profiles": [...]}], "counts", "exit_code", ...}."""
        data = self.model_dump(mode="json", exclude_none=False)
        for contact in data["contacts"]:
            contact.pop("name", None)
        data["counts"] = self.counts()
        data["exit_code"] = self.exit_code
        return data
