"""The services a run reaches through its RunContext (agent.pipeline), as Protocols: only what the run calls.

The real ones are agent.fetch.Fetcher, agent.condense's condensers, agent.zyntro.ZyntroClient,
agent.condense.Meter and agent.breakers.Breakers (whose guards wrap the first three); a test may pass
anything with the same methods. The check at the end of this module makes the type checker prove
that the real classes fit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from agent.condense.usage import Usage
    from agent.models import Contact, Extraction, FetchResult, ProfileDraft
    from agent.reports import Breaker

__all__ = ["Breaking", "Condensing", "Fetching", "Metering", "ZyntroPort"]


class Fetching(Protocol):
    """Fetches one page; never raises for a page problem (the FetchResult says what happened)."""

    async def fetch(
        self, url: str, *, needs_browser: bool | None = None, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class Condensing(Protocol):
    """Turns one origin's extractions into a checked, grounded draft; its name and prompt version go into
    the input fingerprint (agent.pipeline.input_fingerprint)."""

    @property
    def name(self) -> str: ...

    @property
    def prompt_version(self) -> str | None: ...

    async def condense(
        self, contact: Contact, profile_source: str, extractions: list[Extraction], retrieved_at: date
    ) -> ProfileDraft: ...


class ZyntroPort(Protocol):
    """Zyntro's calls a run makes: post a profile, read a contact (identity hints, stored profiles; v2)."""

    async def add_profile(
        self,
        contact_id: str,
        profile_source: str,
        payload: dict[str, Any],
        *,
        on_attempt: Callable[[str, str], None] | None = None,
    ) -> int: ...

    async def fetch_contact(self, contact_id: str, *, include_profile: bool = False) -> dict[str, Any]: ...


class Metering(Protocol):
    """LLM usage of the run (total) and per contact, and the line that sums it up."""

    @property
    def total(self) -> Usage: ...

    @property
    def by_contact(self) -> dict[UUID | None, Usage]: ...

    def describe(self) -> str: ...


class Breaking(Protocol):
    """The run's circuit breakers, as the runner reads them at the end of a run."""

    @property
    def notices(self) -> list[str]: ...

    def report(self, ctx: Any, asked: list[str], started: set[str]) -> Breaker | None: ...

    def finish(self) -> None: ...


if TYPE_CHECKING:  # the real services fit their ports (checked by mypy, never run)
    from agent.breakers import Breakers, _GuardedCondenser, _GuardedFetcher, _GuardedZyntro
    from agent.condense import LLMCondenser, Meter, OfflineCondenser
    from agent.fetch import Fetcher
    from agent.zyntro import ZyntroClient

    def _fits(
        fetcher: Fetcher,
        guarded_fetcher: _GuardedFetcher,
        offline: OfflineCondenser,
        llm: LLMCondenser,
        guarded_condenser: _GuardedCondenser,
        zyntro: ZyntroClient,
        guarded_zyntro: _GuardedZyntro,
        meter: Meter,
        breakers: Breakers,
    ) -> None:
        fetching: list[Fetching] = [fetcher, guarded_fetcher]
        condensing: list[Condensing] = [offline, llm, guarded_condenser]
        zyntro_port: list[ZyntroPort] = [zyntro, guarded_zyntro]
        metering: Metering = meter
        breaking: Breaking = breakers
        del fetching, condensing, zyntro_port, metering, breaking
