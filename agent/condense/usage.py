"""Token usage, estimated cost and the run's budget cap.

Cap semantics (checked *before* a call, never after): each LLM call first reserves its worst case,
the estimated input tokens plus the output-token limit sent with the request. When that reservation
would take the run past `max_cost_usd` or `max_tokens`, BudgetExceeded is raised and the call is not
made. So a run stops cleanly before the call that could cross the cap; a completed call's result is
never thrown away. Input is estimated as ceil(chars/4) and the server's reported usage replaces the
estimate afterwards, so the cap holds up to that estimate's error.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from uuid import UUID

from pydantic import BaseModel

from agent.config import LLMSettings
from agent.errors import BudgetExceeded

__all__ = ["Meter", "Reservation", "Usage", "estimate_tokens"]

log = logging.getLogger(__name__)


def estimate_tokens(text: str) -> int:
    """Token estimate used when the server reports no usage: ceil(chars / 4)."""
    return math.ceil(len(text) / 4)


class Usage(BaseModel):
    """Tokens and estimated cost of some calls."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    estimated: bool = False  # at least one call's usage was estimated, not reported by the server

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        """Add another usage into this one."""
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd += other.cost_usd
        self.estimated = self.estimated or other.estimated


@dataclass
class Reservation:
    """A call's worst case, held against the cap until the call is committed or released."""

    contact_id: UUID | None
    profile_source: str
    tokens: int
    cost_usd: float
    open: bool = field(default=True)


class Meter:
    """Usage and cost per source, per contact and per run, with the run's budget cap."""

    def __init__(self, llm: LLMSettings):
        self.model = llm.model
        self.max_cost_usd = llm.max_cost_usd
        self.max_tokens = llm.max_tokens
        self.price = _price_for(llm.model, llm.prices)
        self.total = Usage()
        self.by_contact: dict[UUID | None, Usage] = {}
        self.by_source: dict[tuple[UUID | None, str], Usage] = {}
        self._held_tokens = 0
        self._held_cost = 0.0

    @property
    def priced(self) -> bool:
        """True when the model has a price in settings.llm.prices (else costs are 0)."""
        return self.price is not None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """Estimated USD cost of this many tokens for the configured model."""
        if self.price is None:
            return 0.0
        return (input_tokens * self.price[0] + output_tokens * self.price[1]) / 1_000_000

    def reserve(
        self, contact_id: UUID | None, profile_source: str, input_tokens: int, max_output_tokens: int
    ) -> Reservation:
        """Hold a call's worst case, or raise BudgetExceeded when it cannot fit under the cap."""
        tokens = input_tokens + max_output_tokens
        cost = self.cost(input_tokens, max_output_tokens)
        if self.max_tokens is not None and self.total.total_tokens + self._held_tokens + tokens > self.max_tokens:
            raise BudgetExceeded(
                f"LLM token cap reached: {self.total.total_tokens:,} of {self.max_tokens:,} tokens used, "
                f"the next call ({profile_source}) needs up to {tokens:,}; raise ZYNTRO_ENRICH_MAX_TOKENS "
                "or run the rest with --llm offline"
            )
        if self.max_cost_usd is not None and self.total.cost_usd + self._held_cost + cost > self.max_cost_usd:
            raise BudgetExceeded(
                f"LLM cost cap reached: ${self.total.cost_usd:.4f} of ${self.max_cost_usd:.4f} spent, "
                f"the next call ({profile_source}) may cost up to ${cost:.4f}; raise ZYNTRO_ENRICH_MAX_COST "
                "or run the rest with --llm offline"
            )
        self._held_tokens += tokens
        self._held_cost += cost
        return Reservation(contact_id, profile_source, tokens, cost)

    def release(self, reservation: Reservation) -> None:
        """Give back a reservation whose call cost nothing (refused before any token was used)."""
        if reservation.open:
            reservation.open = False
            self._held_tokens -= reservation.tokens
            self._held_cost -= reservation.cost_usd

    def commit(
        self, reservation: Reservation, input_tokens: int, output_tokens: int, *, estimated: bool = False
    ) -> Usage:
        """Replace a reservation by what the call really used; returns that call's usage."""
        self.release(reservation)
        usage = Usage(
            calls=1,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=self.cost(input_tokens, output_tokens),
            estimated=estimated,
        )
        self.total.add(usage)
        self.by_contact.setdefault(reservation.contact_id, Usage()).add(usage)
        self.by_source.setdefault((reservation.contact_id, reservation.profile_source), Usage()).add(usage)
        log.debug(
            "LLM call for %s: %d in, %d out, $%.5f",
            reservation.profile_source,
            input_tokens,
            output_tokens,
            usage.cost_usd,
        )
        return usage

    def describe(self) -> str:
        """One line for the end of a run: calls, tokens, cost and the caps."""
        t = self.total
        price = f"${t.cost_usd:.4f}" if self.priced else f"cost unknown (no price for {self.model})"
        caps = []
        if self.max_cost_usd is not None:
            caps.append(f"cap ${self.max_cost_usd:.4f}")
        if self.max_tokens is not None:
            caps.append(f"cap {self.max_tokens:,} tokens")
        approx = " (partly estimated)" if t.estimated else ""
        extra = f", {', '.join(caps)}" if caps else ""
        calls = "1 call" if t.calls == 1 else f"{t.calls} calls"
        return (
            f"LLM usage: {calls}, {t.input_tokens:,} input + {t.output_tokens:,} output tokens{approx}, {price}{extra}"
        )


def _price_for(model: str, prices: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    # Dated snapshots ("gpt-4o-mini-2024-07-18") take the price of their longest listed prefix.
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name + "-")]
    return prices[max(matches, key=len)] if matches else None
