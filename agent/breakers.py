"""Circuit breakers for unattended runs: stop (or change course) early instead of failing the same way many times.

- zyntro_auth: Zyntro refusing the credentials (HTTP 401/403, an invalid API key or developer secret,
  an organisation or member it does not know or that is inactive) or the member not owning a contact
  stops the run at the first occurrence: no further page is fetched, nothing more is condensed or posted.
- llm_failures: `llm.failure_limit` LLM failures in a row stop the run; with `llm.fallback = "offline"`
  (`--llm-fallback offline`) the rest of the run uses the offline condenser instead, and says so.
- Zyntro outage: `zyntro.outage_streak` posts in a row answered 5xx (or unreachable) pause posting for
  `zyntro.outage_pause_s`, doubling with each further failure up to `zyntro.outage_pause_max_s`; a post
  that goes through ends the streak. The run goes on; what failed is reported per profile.
The runner wraps the run's fetcher, condenser and Zyntro client in the guards below (`Breakers.guard`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import date
from typing import Any

from agent.config import Settings
from agent.errors import (
    LLMError,
    ZyntroError,
    ZyntroHTTPError,
    ZyntroRejected,
    ZyntroUnavailable,
    ZyntroUnknownOutcome,
)
from agent.models import Contact, Extraction, FetchResult, Outcome, ProfileDraft
from agent.reports import Breaker

__all__ = ["Breakers", "is_auth_error"]

log = logging.getLogger(__name__)

# Zyntro's words for credentials or ownership it refuses (sandbox and documented messages); a missing
# contact is not among them: one bad row of a batch must not stop the others.
_AUTH_WORDS = re.compile(
    r"api key|developer secret|organi[sz]ation (?:not|is not)|org id|member|not active|inactive|"
    r"owns this contact|owner|unauthori[sz]ed|forbidden|permission|allowlist",
    re.IGNORECASE,
)
_AUTH_HINT = (
    "check ZYNTRO_API_KEY, ZYNTRO_ORG_ID and ZYNTRO_MEMBER_ID (and ZYNTRO_DEVELOPER_SECRET for v2; "
    "Zyntro app: Me > API & Webhooks), then re-run the same command"
)


def is_auth_error(exc: BaseException) -> bool:
    """True when Zyntro refused the credentials or the member's ownership, which no retry will change."""
    if isinstance(exc, ZyntroHTTPError) and exc.http_status in (401, 403):
        return True
    return isinstance(exc, ZyntroRejected) and any(_AUTH_WORDS.search(m) for m in exc.messages)


def _is_outage(exc: BaseException) -> bool:
    """A 5xx, or Zyntro unreachable or silent: a sign of an outage rather than of this profile."""
    if isinstance(exc, (ZyntroUnavailable, ZyntroUnknownOutcome)):
        return True
    status = getattr(exc, "http_status", None)
    return isinstance(exc, ZyntroHTTPError) and isinstance(status, int) and status >= 500


class Breakers:
    """The run's breakers: counts failures, trips, pauses, and reports what it did."""

    def __init__(self, settings: Settings, *, sleep=asyncio.sleep):
        self.llm_limit = settings.llm.failure_limit
        self.fallback = settings.llm.fallback
        self.outage_streak = settings.zyntro.outage_streak
        self.pause_s, self.pause_max_s = settings.zyntro.outage_pause_s, settings.zyntro.outage_pause_max_s
        self.tripped: Breaker | None = None
        self.notices: list[str] = []
        self.paused_s = 0.0
        self._sleep = sleep
        self._ctx: Any = None
        self._llm_failures = 0
        self._zyntro_failures = 0
        self._resume_at = 0.0

    def guard(self, fetcher: Any, condenser: Any, zyntro: Any | None) -> tuple[Any, Any, Any | None]:
        """The run's services wrapped so that every breaker sees what they do."""
        return (
            _GuardedFetcher(fetcher, self),
            _GuardedCondenser(condenser, self),
            None if zyntro is None else _GuardedZyntro(zyntro, self),
        )

    def attach(self, ctx: Any) -> None:
        """The RunContext whose `stopped` a tripped breaker sets (the runner and pipeline obey it)."""
        self._ctx = ctx

    @property
    def stop_message(self) -> str:
        return f"stopped by the {self.tripped.name} breaker: {self.tripped.reason}" if self.tripped else ""

    def trip(self, name: str, reason: str) -> None:
        """Stop the run: nothing new is fetched, condensed or posted (the first trip wins)."""
        if self.tripped is not None:
            return
        self.tripped = Breaker(name=name, reason=reason)
        log.error("%s; nothing more is fetched, condensed or posted in this run", self.stop_message)
        if self._ctx is not None and not self._ctx.stopped:
            self._ctx.stopped = self.stop_message

    def report(self, ctx: Any, asked: list[str], started: set[str]) -> Breaker | None:
        """The breaker (or the LLM budget) that stopped the run, with what it left undone; None if none."""
        if self.tripped is not None:
            breaker = self.tripped.model_copy()
        elif ctx.stopped:
            breaker = Breaker(name="llm_budget", reason=ctx.stopped)
        else:
            return None
        breaker.not_started = [cid for cid in asked if cid not in started]
        breaker.not_done = (
            f"{len(breaker.not_started)} of {len(asked)} contact(s) not started; profiles left "
            "undone are marked failed with the reason; re-run the same command to continue "
            "(what was posted is not posted again)"
        )
        return breaker

    # -- LLM ------------------------------------------------------------------------------------

    def llm_failed(self, exc: LLMError) -> bool:
        """Count one LLM failure; True when the run should switch to the offline condenser now."""
        self._llm_failures += 1
        if self._llm_failures < self.llm_limit:
            return False
        why = f"{self._llm_failures} LLM calls in a row failed (llm.failure_limit {self.llm_limit}); the last: {exc}"
        if self.fallback == "offline":
            notice = f"{why}; the rest of the run uses the offline condenser (--llm-fallback offline)"
            log.warning("%s", notice)
            self.notices.append(notice)
            return True
        self.trip(
            "llm_failures",
            f"{why}; fix the LLM server, or pass --llm-fallback offline to finish a run with the offline condenser",
        )
        return False

    def llm_ok(self) -> None:
        self._llm_failures = 0

    # -- Zyntro ---------------------------------------------------------------------------------

    async def before_post(self) -> None:
        """Wait out a pause after a streak of 5xx; refuse when a breaker stopped the run (nothing sent)."""
        while not self.tripped and (wait := self._resume_at - time.monotonic()) > 0:
            await self._sleep(wait)
        if self.tripped:
            raise ZyntroUnavailable(f"not sent: {self.stop_message}; nothing was stored")

    def zyntro_failed(self, exc: ZyntroError) -> None:
        if is_auth_error(exc):
            self.trip("zyntro_auth", f"{exc}; {_AUTH_HINT}")
            return
        if not _is_outage(exc):
            return
        self._zyntro_failures += 1
        if self._zyntro_failures < self.outage_streak:
            return
        pause = min(self.pause_max_s, self.pause_s * 2 ** (self._zyntro_failures - self.outage_streak))
        self._resume_at = max(self._resume_at, time.monotonic() + pause)
        self.paused_s += pause
        log.warning(
            "Zyntro failed %d posts in a row (the last: %s); pausing posting for %.1f s",
            self._zyntro_failures,
            str(exc)[:200],
            pause,
        )

    def zyntro_ok(self) -> None:
        if self._zyntro_failures >= self.outage_streak:
            notice = (
                f"Zyntro failed {self._zyntro_failures} posts in a row; posting was paused "
                f"({self.paused_s:.1f} s in all) until a post went through"
            )
            log.info("%s", notice)
            self.notices.append(notice)
        self._zyntro_failures = 0

    def finish(self) -> None:
        """Say so when the run ended inside an outage streak."""
        if self._zyntro_failures >= self.outage_streak:
            self.notices.append(
                f"Zyntro failed the last {self._zyntro_failures} posts in a row; posting was "
                f"paused {self.paused_s:.1f} s in all; re-run the same command when Zyntro is back"
            )


class _GuardedFetcher:
    """The fetcher, which fetches nothing more once a breaker stopped the run."""

    def __init__(self, inner: Any, breakers: Breakers):
        self._inner, self._breakers = inner, breakers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def fetch(self, url: str, **options: Any) -> FetchResult:
        if self._breakers.tripped:
            return FetchResult(url=url, outcome=Outcome.error, reason=f"not fetched: {self._breakers.stop_message}")
        return await self._inner.fetch(url, **options)


class _GuardedCondenser:
    """The condenser, counting LLM failures in a row; switches to the offline condenser when told to."""

    def __init__(self, inner: Any, breakers: Breakers):
        self._inner, self._breakers = inner, breakers
        self._offline: Any = None

    @property
    def _current(self) -> Any:
        return self._offline or self._inner

    @property
    def name(self) -> str:
        return self._current.name

    @property
    def prompt_version(self) -> str | None:
        return self._current.prompt_version

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current, name)

    async def condense(
        self, contact: Contact, profile_source: str, extractions: list[Extraction], retrieved_at: date
    ) -> ProfileDraft:
        current = self._current
        try:
            draft = await current.condense(contact, profile_source, extractions, retrieved_at)
        except LLMError as exc:
            if current is self._offline or not self._breakers.llm_failed(exc):
                raise
            from agent.condense.offline import OfflineCondenser

            self._offline = self._offline or OfflineCondenser()
            return await self._offline.condense(contact, profile_source, extractions, retrieved_at)
        if current is not self._offline:
            self._breakers.llm_ok()
        return draft

    async def aclose(self) -> None:
        await self._inner.aclose()


class _GuardedZyntro:
    """The Zyntro client: auth errors trip the breaker, 5xx streaks pause posting."""

    def __init__(self, inner: Any, breakers: Breakers):
        self._inner, self._breakers = inner, breakers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def add_profile(self, *args: Any, **kwargs: Any) -> int:
        await self._breakers.before_post()
        try:
            profile_id = await self._inner.add_profile(*args, **kwargs)
        except ZyntroError as exc:
            self._breakers.zyntro_failed(exc)
            raise
        self._breakers.zyntro_ok()
        return profile_id

    async def fetch_contact(self, *args: Any, **kwargs: Any) -> dict:
        try:
            return await self._inner.fetch_contact(*args, **kwargs)
        except ZyntroError as exc:
            if is_auth_error(exc):
                self._breakers.trip("zyntro_auth", f"{exc}; {_AUTH_HINT}")
            raise
