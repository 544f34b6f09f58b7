"""What every request of `serve` shares: the settings, the store, the sign-in check, the webhook worker."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.store import Store

__all__ = ["ServeState", "token_digest"]


def token_digest(token: str) -> str:
    """How a sign-in token is kept: the SHA-256 of the token without surrounding whitespace, never the token.

    Stripped on both sides (the configured token and the typed one), so a token configured or pasted
    with a trailing space or newline still matches.
    """
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass
class ServeState:
    """Shared by the pages (agent.review.pages), the webhook (agent.review.webhook) and the worker
    (agent.review.jobs)."""

    settings: Settings
    store: Store
    token_sha256: str  # the sign-in token's digest (configured or generated)
    session_key: str  # signs session cookies; kept in the state, so restarts keep people signed in
    worker: Any = None  # agent.review.jobs.Worker when the webhook is configured

    def token_ok(self, typed: str) -> bool:
        """Is this the sign-in token? (Constant-time comparison of digests.)"""
        return hmac.compare_digest(token_digest(typed), self.token_sha256)
