"""When and how long to wait before asking Zyntro again, and hiding secrets in text we show.

Only failures that cannot have stored anything are retried: a connection that never opened, and
429/503 answers. The budget is counted in requested sleep time plus time spent on requests, so an
injected fake `sleep` (tests) drains it exactly like a real one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

__all__ = ["RetryBudget", "backoff_delay", "redact"]

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0  # one wait never exceeds this unless Zyntro's Retry-After asks for more
MAX_ATTEMPTS = 10  # also bounds Retry-After: 0 loops, which the time budget alone would not


def backoff_delay(attempt: int) -> float:
    """Capped exponential backoff for the wait after failed attempt number `attempt` (1-based)."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))


class RetryBudget:
    """Tracks attempts and time spent on one call against `max_retry_s`."""

    def __init__(self, max_retry_s: float):
        self.max_retry_s = max_retry_s
        self.attempts = 0
        self._start = time.monotonic()
        self._slept_real = 0.0
        self._slept_requested = 0.0

    @property
    def spent(self) -> float:
        """Seconds used so far, counting requested sleeps rather than real ones."""
        working = time.monotonic() - self._start - self._slept_real
        return working + self._slept_requested

    def allows(self, delay: float) -> bool:
        """True when waiting `delay` more seconds and trying again stays within the budget."""
        return self.attempts < MAX_ATTEMPTS and self.spent + delay <= self.max_retry_s

    async def wait(self, delay: float, sleep) -> None:
        """Sleep through the injected `sleep` and account for it."""
        before = time.monotonic()
        await sleep(delay)
        self._slept_real += time.monotonic() - before
        self._slept_requested += delay


_FIELD_RE = re.compile(r'("?(?:api_key|developer_secret)"?\s*[:=]\s*)("[^"]*"|[^\s,&}]+)', re.IGNORECASE)
_ZDK_RE = re.compile(r"zdk_[A-Za-z0-9_\-]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secret values and anything shaped like a key field masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _FIELD_RE.sub(lambda m: m.group(1) + ('"***"' if m.group(2).startswith('"') else "***"), text)
    return _ZDK_RE.sub("zdk_***", text)
