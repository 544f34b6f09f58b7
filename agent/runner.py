"""Run enrichment for one contact or many: build the run's services, resume, progress, summary.

`enrich()` is the Python API for scripts and `aenrich()` its async twin for code already inside an
event loop (Jupyter, FastAPI); the CLI's `enrich` command goes through `run_items()`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from pydantic import ValidationError

from agent.batch import BatchItem, batch_key
from agent.breakers import Breakers
from agent.config import Settings, load_settings
from agent.errors import StoreError, UsageError
from agent.logs import live_console
from agent.models import Contact
from agent.pipeline import RunContext, enrich_contact
from agent.reports import ContactReport, RunReport
from agent.store import Store
from agent.store_privacy import suppressed_because
from agent.store_rows import ClaimHolder

__all__ = ["Options", "aenrich", "enrich", "run_items"]

log = logging.getLogger(__name__)


@dataclass
class Options:
    dry_run: bool = False
    review: bool = False
    concurrency: int = 4
    repost_unknown: bool = False
    progress: bool = True
    accept_unverified: bool = False  # post profiles whose pages nothing ties to the contact


@asynccontextmanager
async def open_run(settings: Settings, options: Options, store: Store, run_id: str) -> AsyncIterator[RunContext]:
    """The services of one run, all closed when it ends (the browser included)."""
    from agent.condense import Meter, make_condenser
    from agent.fetch import Fetcher
    from agent.zyntro import ZyntroClient

    async with AsyncExitStack() as stack:
        fetcher = await stack.enter_async_context(Fetcher(settings))
        meter = Meter(settings.llm)
        condenser = await stack.enter_async_context(make_condenser(settings, meter))
        zyntro = None
        v2 = settings.zyntro.api_version == "v2"
        if (not options.dry_run and not options.review) or v2:  # v2 also reads identity hints, in every mode
            zyntro = await stack.enter_async_context(ZyntroClient(settings.zyntro))
        breakers = Breakers(settings)  # agent.breakers: auth, LLM failures in a row, Zyntro 5xx streaks
        fetcher, condenser, zyntro = breakers.guard(fetcher, condenser, zyntro)
        ctx = RunContext(
            store=store,
            fetcher=fetcher,
            condenser=condenser,
            zyntro=zyntro,
            run_id=run_id,
            breakers=breakers,
            dry_run=options.dry_run,
            review=options.review,
            repost_unknown=options.repost_unknown,
            accept_unverified=options.accept_unverified,
            lookup_hints=settings.zyntro.api_version == "v2",
            meter=meter,
            can_read_profiles=settings.zyntro.api_version == "v2",
            reconcile_grace_s=settings.zyntro.reconcile_grace_s,
        )
        breakers.attach(ctx)
        yield ctx


class _Progress:
    """Contacts done/total, pages, failures and ETA on stderr."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.started = total, 0, time.monotonic()
        self._bar = None
        if enabled and total > 1:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]enrich"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._bar.add_task("", total=total)
            self._bar.start()
            live_console(self._bar.console)  # log records print above the bar (agent.logs)

    def advance(self, ctx: RunContext) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(
                self._task, advance=1, description=f"pages {ctx.pages_fetched}, failed sources {ctx.sources_failed}"
            )

    def close(self) -> None:
        if self._bar is not None:
            live_console(None)
            self._bar.stop()


async def _run(ctx: RunContext, items: list[BatchItem], options: Options, report: RunReport) -> None:
    done = ctx.store.done_contacts(ctx.run_id)
    # A failed profile stored nothing (a rejection, a 4xx, a 429 to the end of the retry budget): its
    # contact is done again on resume; what Zyntro already holds is not posted again (agent.posting).
    done = {cid: r for cid, r in done.items() if not any(p.get("status") == "failed" for p in r.get("profiles", []))}
    todo = [i for i in items if str(i.contact.contact_id) not in done]
    if done:
        log.info("resuming run %s: %d of %d contacts already done", ctx.run_id, len(items) - len(todo), len(items))
    results: dict[str, ContactReport] = {cid: ContactReport.model_validate(r) for cid, r in done.items()}
    progress = _Progress(len(items), options.progress)
    for _ in range(len(items) - len(todo)):
        progress.advance(ctx)
    gate = asyncio.Semaphore(max(1, options.concurrency))
    broken: list[StoreError] = []  # the state cannot be written: start nothing new, let what runs finish

    async def one(item: BatchItem) -> None:
        async with gate:
            if ctx.stopped or broken:  # the LLM budget ran out, or the state failed: leave the rest
                return
            try:
                await _one_contact(ctx, item, results)
            except StoreError as exc:
                broken.append(exc)
                return
            progress.advance(ctx)

    try:
        await asyncio.gather(*(one(i) for i in todo))
    finally:
        progress.close()
    if broken:
        raise broken[0]
    report.contacts = [results[str(i.contact.contact_id)] for i in items if str(i.contact.contact_id) in results]
    report.stopped = ctx.stopped
    if ctx.breakers is not None:
        asked = [str(i.contact.contact_id) for i in items]
        report.breaker = ctx.breakers.report(ctx, asked, set(results))
        ctx.breakers.finish()
        report.notices = list(ctx.breakers.notices)


async def _one_contact(ctx: RunContext, item: BatchItem, results: dict[str, ContactReport]) -> None:
    """Claim the contact, then enrich it and record it done; or say which run has it."""
    cid = str(item.contact.contact_id)
    why = suppressed_because(ctx.store, item.contact, item.urls)
    if why is not None:  # the do-not-enrich list: nothing is fetched, stored or posted
        results[cid] = ContactReport(contact_id=cid, name=item.contact.name, suppressed=why)
        log.info("suppressed contact %s: %s", cid, why)
        return
    holder = ctx.store.claim_contact(ctx.run_id, cid)
    if holder is not None:  # another run has it: not fetched, not posted from here
        results[cid] = ContactReport(contact_id=cid, name=item.contact.name, skipped=_held_by(holder))
        log.info("skipped contact %s: %s", cid, results[cid].skipped)
        return
    result = await enrich_contact(ctx, item.contact, item.urls, review=item.review)
    results[cid] = result
    if not ctx.stopped:  # a contact cut short by the budget is redone on resume
        ctx.store.contact_done(ctx.run_id, cid, result.model_dump(mode="json"))


def _held_by(holder: ClaimHolder) -> str:
    """Why a contact was left to another run, for the report."""
    run = f"run {holder['run_id']}" + (f" (pid {holder['pid']})" if holder.get("pid") else "")
    if holder["state"] == "done":
        return f"{run}, started with the same batch, already enriched this contact"
    return f"{run} is enriching this contact right now; its report has the result"


async def run_items(
    items: list[BatchItem], settings: Settings, options: Options, *, resumable: bool = False
) -> RunReport:
    """Enrich every item; a batch with `resumable` picks up an unfinished earlier run of the same input."""
    mode = "review" if options.review else "dry_run" if options.dry_run else "post"
    if mode == "post":
        from agent.zyntro import ZyntroClient

        ZyntroClient(settings.zyntro).require_post_credentials()  # before any work, not after it
    with Store.for_settings(settings) as store:
        key = batch_key(items, mode) if resumable else None
        run_id, _ = store.start_run("batch" if resumable else "enrich", key, total=len(items))
        report = RunReport(run_id=run_id, total=len(items))
        with store.keep_alive(run_id):
            async with open_run(settings, options, store, run_id) as ctx:
                await _run(ctx, items, options, report)
                meter = ctx.meter  # open_run always sets one
                if meter is not None and meter.total.calls:
                    report.llm_usage = meter.total.model_dump()
                    store.record_usage(run_id, report.llm_usage)
                    report.llm_summary = meter.describe()
        if not report.stopped:
            store.finish_run(run_id)
    return report


def _one(contact: Contact | dict, urls: Iterable[str] | str) -> BatchItem:
    """The Python API's arguments as a batch item; UsageError naming what is wrong."""
    if not isinstance(contact, Contact):
        try:
            contact = Contact.model_validate(contact)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "contact"
            raise UsageError(
                f"contact: {where}: {first['msg']} (give a dict with contact_id, the Zyntro "
                "contact's UUID, and optional name, email, company, location)"
            ) from None
    urls = [urls] if isinstance(urls, str) else list(urls)  # one URL as a string is one URL, not its letters
    if not urls or not all(isinstance(u, str) for u in urls):
        raise UsageError("urls: give a list of source URLs (strings), e.g. ['https://github.com/USER']")
    return BatchItem(contact=contact, urls=urls)


async def aenrich(
    contact: Contact | dict,
    urls: Iterable[str] | str,
    *,
    settings: Settings | None = None,
    dry_run: bool = False,
    review: bool = False,
    accept_unverified: bool = False,
) -> ContactReport:
    """Enrich one contact from async code (Jupyter, FastAPI): `await agent.aenrich(...)`; see `enrich`.

    >>> report = await aenrich({"contact_id": "…", "name": "Ada Quinlan"}, ["https://github.com/adaq"], review=True)
    """
    item = _one(contact, urls)
    settings = settings or load_settings()
    options = Options(dry_run=dry_run, review=review, progress=False, accept_unverified=accept_unverified)
    report = await run_items([item], settings, options)
    return report.contacts[0]


def enrich(
    contact: Contact | dict,
    urls: Iterable[str] | str,
    *,
    settings: Settings | None = None,
    dry_run: bool = False,
    review: bool = False,
    accept_unverified: bool = False,
) -> ContactReport:
    """Enrich one contact from a script: fetch, extract, condense and post one profile per origin.

    A profile is posted only when a hint (name, email, company) ties its pages to the contact, unless
    `accept_unverified` (the CLI's --accept-unverified). Inside a running event loop (Jupyter, FastAPI,
    any async code) use `await agent.aenrich(...)` with the same arguments instead.

    >>> from agent import enrich
    >>> report = enrich({"contact_id": "…", "name": "Ada Quinlan"}, ["https://github.com/adaq"], dry_run=True)
    >>> [(p.profile_source, p.status) for p in report.profiles]
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running: the usual case for a script
        pass
    else:
        raise UsageError(
            "agent.enrich() cannot run inside a running event loop (Jupyter, FastAPI, async code): "
            "use `await agent.aenrich(...)` with the same arguments"
        )
    return asyncio.run(
        aenrich(contact, urls, settings=settings, dry_run=dry_run, review=review, accept_unverified=accept_unverified)
    )
