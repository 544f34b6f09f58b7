"""Fault injection for the sandbox: what the next matching request(s) suffer instead of a clean answer.

Kinds:
  latency  wait `delay_s` before handling (`after=True`: handle, store, then wait before answering)
  status   answer HTTP `status` (with optional Retry-After and body) without handling
           (`after=True`: handle and store first, then answer the status: a 500 that did store)
  drop     close the socket without answering: before reading the body (`after=False`, nothing
           stored) or after storing (`after=True`: how an "unknown outcome" happens)
Each fault applies to `times` requests whose path contains `path` (any API path when None).
`FaultQueue.latency` (seconds) is a standing delay added before every API request, e.g. to make a
batch slow enough to interrupt; 0 turns it off. `hold()` keeps every API request (or those whose
path contains `path`) waiting, before anything is read or stored, until `release()`: `wait_held(n)`
says when n requests are waiting, so a test can line up what several clients do at once without guessing at timings.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Fault", "FaultQueue"]

FaultKind = Literal["latency", "status", "drop"]


@dataclass
class Fault:
    """One injected fault; see the module docstring for the kinds."""

    kind: FaultKind
    status: int = 503
    retry_after: str | None = None
    body: str | None = None
    content_type: str = "text/plain; charset=utf-8"
    delay_s: float = 0.0
    after: bool = False
    times: int = 1
    path: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("latency", "status", "drop"):
            raise ValueError(f"unknown fault kind {self.kind!r}: use latency, status or drop")
        if self.retry_after is not None:
            self.retry_after = str(self.retry_after)
        if self.times < 1:
            raise ValueError("times must be at least 1")

    def matches(self, path: str) -> bool:
        """True when this fault applies to a request for `path`."""
        return self.path is None or self.path in path

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON-ready data."""
        return asdict(self)


class FaultQueue:
    """Thread-safe queue of pending faults, consumed by the sandbox's request handlers."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._open = threading.Event()
        self._open.set()
        self._hold_path: str | None = None
        self.held = 0  # API requests waiting for release()
        self.latency = 0.0  # standing delay before every API request, seconds

    @property
    def holding(self) -> bool:
        """True between hold() and release()."""
        return not self._open.is_set()

    def hold(self, path: str | None = None) -> None:
        """Keep API requests (whose path contains `path`, if given) waiting, nothing read or stored, until release()."""
        self._hold_path = path
        self._open.clear()

    def release(self) -> None:
        """Let held requests and later ones through."""
        self._open.set()

    def wait_held(self, count: int, timeout: float) -> bool:
        """Block until at least `count` requests are held; False after `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self.held >= count, timeout=timeout)

    def pass_gate(self, path: str, stop: threading.Event) -> bool:
        """Called by a request handler: wait while held. False when the sandbox is shutting down."""
        if self._open.is_set() or (self._hold_path is not None and self._hold_path not in path):
            return True
        with self._changed:
            self.held += 1
            self._changed.notify_all()
        try:
            while not self._open.wait(0.05):
                if stop.is_set():
                    return False
            return True
        finally:
            with self._changed:
                self.held -= 1
                self._changed.notify_all()

    def push(self, fault: Fault | str | dict, **options: Any) -> Fault:
        """Queue a fault: `push("status", status=429, retry_after=1, times=2)` or `push(Fault(...))`."""
        if isinstance(fault, dict):
            fault = Fault(**(fault | options))
        elif isinstance(fault, str):
            fault = Fault(kind=fault, **options)  # type: ignore[arg-type]
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str) -> Fault | None:
        """The first pending fault matching `path`, consuming one of its `times`."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(path):
                    fault.times -= 1
                    if fault.times == 0:
                        del self._faults[index]
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The faults still queued."""
        with self._lock:
            return [fault.to_dict() for fault in self._faults]

    def clear(self) -> None:
        """Drop every pending fault and the standing latency, and release held requests."""
        with self._lock:
            self._faults.clear()
            self.latency = 0.0
        self.release()
