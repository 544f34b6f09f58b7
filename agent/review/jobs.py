"""The webhook's background worker: queued `new_contact` events become enrichments.

`serve` starts one Worker when the webhook is on. It claims events from the state store one at a
time per slot (settings.serve.workers slots), keeps a heartbeat on each while it works, and ends each
with a state: `done` (the message says what became of each profile), `no_sources` (the contact holds
no link and no work email), `suppressed` (on the do-not-enrich list), or `failed` with the reason.

For each event: the contact is read with Zyntro's v2 fetchContact (v1 cannot read contacts: the
event fails, saying to set ZYNTRO_API_VERSION=v2), its own links become the sources
(agent.review.contact_links), and the existing runner enriches it in review mode unless
settings.serve.webhook_review is false. The run is resumable: an event left `running` by a process
that died is claimed again by the next worker, whose run resumes the dead one's (what was posted is
not posted again, agent.posting). A failing event is logged and recorded; it never stops the server.

receive() answers Zyntro at once, so Zyntro never retries an event: the worker does. A temporary
failure (Zyntro unreachable or answering 429/5xx, a read whose answer was lost, a timeout or network
error, a run stopped by a breaker) puts the event back to `queued`, not claimed again before
RETRY_BASE_S * RETRY_FACTOR**(attempt - 1) seconds (30 s, 2 min, 8 min, 32 min; at most RETRY_MAX_S),
until MAX_ATTEMPTS attempts: then it is `failed` with the last reason. A permanent failure (the
contact unknown or not this member's, v1, bad data, no credentials) is `failed` at once. Every claim
counts an attempt, also taking up an event whose process died: one that kills the process every time
is `failed` ("gave up after N attempts") once past MAX_ATTEMPTS instead of being retried forever.
A `failed` event stays failed; nothing re-queues it (a redelivery of its key is only counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.reports import RunReport
    from agent.store import Store
    from agent.store_rows import ClaimedEvent

__all__ = [
    "MAX_ATTEMPTS",
    "NOT_V2",
    "POLL_S",
    "RETRY_BASE_S",
    "RETRY_FACTOR",
    "RETRY_MAX_S",
    "Worker",
    "is_temporary",
    "retry_delay",
    "summary",
]

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often an idle worker looks for events another process queued (receive() wakes it at once)
NOT_V2 = (
    "the webhook reads each new contact with Zyntro's v2 fetchContact: set ZYNTRO_API_VERSION=v2 and "
    "ZYNTRO_DEVELOPER_SECRET, then restart serve"
)
_TROUBLE = {"failed", "unknown"}  # profile statuses that make the event `failed`
MAX_ATTEMPTS = 5  # claims of one event (each retry, each take-over after a crash) before it is `failed`
RETRY_BASE_S = 30.0  # wait before the 2nd attempt after a temporary failure; then times RETRY_FACTOR each time
RETRY_FACTOR = 4.0
RETRY_MAX_S = 3600.0
_RETRY = "retry"  # _enrich's state for a temporary failure: `queued` again, or `failed` past max_attempts


class Worker:
    """Works the webhook's event queue in the server's event loop; `start()`, `wake()`, `stop()`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        poll_s: float = POLL_S,
        max_attempts: int | None = None,
        retry_base_s: float | None = None,
    ):
        self.settings = settings
        self.store = store
        self.poll_s = poll_s
        self.max_attempts = max_attempts if max_attempts is not None else MAX_ATTEMPTS
        self.retry_base_s = retry_base_s if retry_base_s is not None else RETRY_BASE_S
        self._tasks: list[asyncio.Task] = []
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    async def start(self) -> None:
        """Start settings.serve.workers slots; events a stopped server left queued or running are picked up."""
        if self.settings.zyntro.api_version != "v2":
            log.warning("webhook on, but %s; until then every event fails", NOT_V2)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._slot(i), name=f"webhook-worker-{i}") for i in range(self.settings.serve.workers)
        ]

    def wake(self) -> None:
        """Look for new events now (receive() calls this after queueing one); safe from any thread."""
        if self._loop is None or self._wake is None:
            return
        if _in_loop(self._loop):
            self._wake.set()
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        """Stop every slot; an event cut short goes back to `queued` (its run is resumed by the next start)."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def _slot(self, number: int) -> None:
        from agent.store_events import claim_event

        assert self._wake is not None
        while not self._stopping:
            self._wake.clear()  # before looking: a wake() during the look is kept for the wait below
            try:
                event = claim_event(self.store)
            except Exception:  # the state is unreachable for a moment: try again later, never die
                log.exception("webhook worker %d: cannot read the event queue", number)
                event = None
            if event is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)
                continue
            try:
                await self.process(event)
            except Exception:  # the end state could not be written: the event is taken up again once its lease lapses
                log.exception("webhook worker %d: could not record the end of event %s", number, event["event_key"])

    async def process(self, event: ClaimedEvent) -> None:
        """Work one claimed event to its end state (never raises, except when cancelled)."""
        from agent.store_events import finish_event

        key = event["event_key"]
        attempt = int(event.get("attempts") or 1)
        if event.get("resumed"):
            if attempt > self.max_attempts:  # its process died every time: it may be what kills it
                message = (
                    f"gave up after {attempt - 1} attempts: the process working on it stopped each time "
                    f"(last: {event.get('message') or 'no reason recorded'})"
                )
                finish_event(self.store, key, "failed", message[:2000])
                log.error("webhook: event %s failed: %s", key, message)
                return
            log.info("webhook: taking up event %s again (its process stopped while working on it)", key)
        run_id = None
        with _heartbeat(self.store, key):
            try:
                state, message, run_id = await self._enrich(event)
            except asyncio.CancelledError:  # serve is stopping: queued again, its run resumed by the next worker
                finish_event(
                    self.store, key, "queued", "serve stopped while enriching; taken up again on the next start"
                )
                raise
            except Exception as exc:  # one event's trouble never stops the others or the server
                temporary = is_temporary(exc)
                log.log(logging.WARNING if temporary else logging.ERROR, "webhook: event %s failed", key, exc_info=True)
                state, message = (_RETRY if temporary else "failed"), f"{type(exc).__name__}: {exc}"
        not_before = None
        if state == _RETRY and attempt < self.max_attempts:
            delay = retry_delay(attempt, self.retry_base_s)
            state = "queued"
            message = f"attempt {attempt} of {self.max_attempts} failed, retried in {delay:g} s: {message}"
            not_before = time.time() + delay
        elif state == _RETRY:
            state, message = "failed", f"gave up after {attempt} attempts: {message}"
        finish_event(self.store, key, state, message[:2000], run_id, not_before=not_before)
        log.info("webhook: event %s %s%s", key, state, f": {message}" if message else "")

    async def _enrich(self, event: ClaimedEvent) -> tuple[str, str, str | None]:
        """(state, message, run id) for one event."""
        import httpx

        from agent.batch import BatchItem
        from agent.errors import ZyntroEnrichError
        from agent.models import Contact
        from agent.runner import Options, run_items
        from agent.store_privacy import suppressed_because

        cid = event["contact_id"]
        if cid is None:  # every queued event names its contact (record_contact_event); the column allows NULL
            return "failed", "the event names no contact", None
        why = suppressed_because(self.store, Contact(contact_id=cid))
        if why is not None:  # known by its id: Zyntro is not even asked
            return "suppressed", why, None
        if self.settings.zyntro.api_version != "v2":
            return "failed", NOT_V2, None
        try:
            contact, urls = await self._read_contact(cid)
        except (ZyntroEnrichError, OSError, TimeoutError, httpx.HTTPError) as exc:
            state = _RETRY if is_temporary(exc, read=True) else "failed"
            return state, f"could not read contact {cid} from Zyntro: {exc}", None
        why = suppressed_because(self.store, contact, urls)
        if why is not None:
            return "suppressed", why, None
        if not urls:
            return (
                "no_sources",
                (
                    "the contact has no website, LinkedIn, X, GitHub or work email to enrich from; "
                    "`zyntro-enrich enrich URL --contact-id` takes URLs by hand"
                ),
                None,
            )
        options = Options(review=self.settings.serve.webhook_review, progress=False, concurrency=1)
        try:
            report = await run_items([BatchItem(contact=contact, urls=urls)], self.settings, options, resumable=True)
        except ZyntroEnrichError as exc:  # no credentials to post, the state cannot be written, ...
            return (_RETRY if is_temporary(exc) else "failed"), str(exc), None
        state, message = summary(report)
        if report.breaker is not None:  # stopped by a breaker (Zyntro or the sites in trouble, the LLM budget)
            state = _RETRY
        return state, message, report.run_id

    async def _read_contact(self, cid: str) -> tuple[Any, list[str]]:
        """The contact (with identity hints) and its own links, from v2 fetchContact."""
        from agent.models import Contact
        from agent.pipeline import _hints
        from agent.review.contact_links import contact_links
        from agent.zyntro import ZyntroClient

        async with ZyntroClient(self.settings.zyntro) as zyntro:
            data = await zyntro.fetch_contact(cid)
        return Contact(contact_id=cid, **_hints(data)), contact_links(data)


def is_temporary(exc: BaseException, *, read: bool = False) -> bool:
    """Is this failure worth trying again later? Zyntro unreachable or answering 429/5xx, a timeout or network
    error, and (`read`: the request only reads) an answer lost; not a refusal, bad data or a missing setting."""
    import httpx

    from agent.errors import ZyntroHTTPError, ZyntroUnavailable, ZyntroUnknownOutcome

    if isinstance(exc, ZyntroUnavailable):
        return True
    if isinstance(exc, ZyntroHTTPError):
        return exc.http_status is not None and (exc.http_status == 429 or exc.http_status >= 500)
    if isinstance(exc, ZyntroUnknownOutcome):
        return read
    return isinstance(exc, TimeoutError | ConnectionError | httpx.TransportError)


def retry_delay(attempt: int, base_s: float = RETRY_BASE_S) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 = the first) before the next one."""
    return min(base_s * RETRY_FACTOR ** max(attempt - 1, 0), RETRY_MAX_S)


def summary(report: RunReport) -> tuple[str, str]:
    """An event's end state and one line on what its run did."""
    if report.breaker is not None:
        return "failed", f"stopped by the {report.breaker.name} breaker: {report.breaker.reason}"
    if not report.contacts:
        return "failed", report.stopped or "the run ended before the contact was enriched"
    contact = report.contacts[0]
    if contact.suppressed:
        return "suppressed", contact.suppressed
    if contact.skipped:
        return "done", f"left to another run: {contact.skipped}"
    if contact.error:
        return "failed", contact.error
    parts = [
        f"{p.profile_source} {p.status.value}" + (f" (draft {p.draft_id})" if p.draft_id else "")
        for p in contact.profiles
    ]
    trouble = [p for p in contact.profiles if p.status.value in _TROUBLE]
    reasons = "; ".join(w for p in trouble for w in p.warnings[:1])
    message = (", ".join(parts) or "no profile") + (f"; {reasons}" if reasons else "")
    if report.stopped:
        return "failed", f"{message}; {report.stopped}"
    return ("failed" if trouble else "done"), message


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


@contextlib.contextmanager
def _heartbeat(store: Store, event_key: str) -> Iterator[None]:
    """Renew this process's hold on the event every HEARTBEAT_S, from a thread (a busy loop cannot let it lapse)."""
    from agent.store import HEARTBEAT_S
    from agent.store_events import event_heartbeat

    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                event_heartbeat(store, event_key)
            except Exception:  # the next beat tries again; the lease is long
                log.debug("webhook: heartbeat of %s failed", event_key, exc_info=True)

    thread = threading.Thread(target=beat, name=f"webhook-heartbeat-{event_key[:20]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
