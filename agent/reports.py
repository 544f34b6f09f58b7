"""What an enrichment run reports back: per contact, per profile (origin), per source."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agent.models import Identity, Outcome, ProfileStatus

__all__ = ["ContactReport", "ProfileReport", "RunReport", "SourceReport", "OK_STATUSES"]

# Profile statuses that mean "what was asked for happened".
OK_STATUSES = {
    ProfileStatus.posted, ProfileStatus.dry_run, ProfileStatus.queued_for_review, ProfileStatus.unchanged,
    ProfileStatus.rejected,  # a reviewer decided: nothing failed
}


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


class ContactReport(BaseModel):
    contact_id: str
    name: str | None = None
    profiles: list[ProfileReport] = Field(default_factory=list)
    error: str | None = None
    skipped: str | None = None  # left to another run that has claimed the contact: why, and which run
    llm_usage: dict[str, Any] | None = None  # this contact's LLM calls, tokens and estimated cost

    @property
    def ok(self) -> bool:
        """True when every profile reached a wanted status and every source was fetched (a contact
        skipped for another run is that run's to report)."""
        if self.error:
            return False
        return all(
            p.status in OK_STATUSES and all(s.outcome is Outcome.ok for s in p.sources) for p in self.profiles
        )


class RunReport(BaseModel):
    run_id: str | None = None
    contacts: list[ContactReport] = Field(default_factory=list)
    skipped_rows: list[str] = Field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (budget), if it did
    llm_usage: dict[str, Any] | None = None  # the run's LLM calls, tokens and estimated cost
    llm_summary: str | None = Field(default=None, exclude=True)  # the same as one line for people

    @property
    def exit_code(self) -> int:
        ok = all(c.ok for c in self.contacts) and not self.skipped_rows and not self.stopped
        return 0 if ok else 1

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: {"contacts": [{"contact_id", "profiles": [...]}]}."""
        data = self.model_dump(mode="json", exclude_none=False)
        for contact in data["contacts"]:
            contact.pop("name", None)
        return data
