"""One headless Chromium per run, shared by isolated contexts, recycled, and never left behind.

Chromium is found in this order: settings.chromium (ZYNTRO_ENRICH_CHROMIUM), then chromium-headless-shell, chromium,
chromium-browser or google-chrome on PATH, then Playwright's own build. Every browser the pool
starts carries an environment tag (inherited by all its helper processes), so whatever survives a
close, a crash or Ctrl-C can still be found in /proc and killed, by this run or an atexit hook.

Memory is bounded at launch and while pages render: every renderer's JavaScript heap is capped at
`page_mb`, popups and new windows are refused (--block-new-web-contents in the headless shell,
Chromium's own popup blocker in the full browser), and the pool's `MemoryWatch` stops renderers
that pass `page_mb` and keeps the browser under `total_mb` (agent.fetch.memory).
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from agent.fetch.memory import MemoryWatch
from agent.fetch.problems import FetchProblem
from agent.models import Outcome

__all__ = ["LAUNCH_ARGS", "TAG_VARIABLE", "BrowserPool", "ContextLease", "find_chromium", "reap", "tagged_processes"]

log = logging.getLogger(__name__)

TAG_VARIABLE = "ZYNTRO_ENRICH_BROWSER_TAG"
_PRIVATE_ENV_PREFIXES = ("ZYNTRO", "OPENAI")  # API keys and secrets live under these names
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--mute-audio",
    "--dns-prefetch-disable",
    # window.open, target=_blank and friends get no new window (headless shell; the full browser's
    # popup blocker, left on, does the same). Each window would be another page in memory.
    "--block-new-web-contents",
    # Every request is served by our route handler (agent.fetch.rendering), which checks it; the
    # browser itself may resolve no name at all, so nothing can slip past the handler.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    # The document was fetched over the scheme the caller asked for; no automatic https upgrade.
    "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForEngagedSites",
    "--blink-settings=imagesEnabled=false",
    # Fewer processes, less memory: GPU work (software only here) and the network service (which
    # never touches the network, see above) live in the browser process.
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
)
# Playwright turns Chromium's popup blocker off by default; we keep it on.
_IGNORED_DEFAULT_ARGS = ["--disable-popup-blocking"]
_pool_ids = itertools.count(1)
_live_tags: set[str] = set()


def find_chromium(configured: str | None) -> str | None:
    """The Chromium executable to use, or None to let Playwright use its own build."""
    if configured:
        path = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if path is None:
            raise FetchProblem(
                Outcome.error,
                f"the configured Chromium {configured!r} does not exist: fix "
                "ZYNTRO_ENRICH_CHROMIUM (or `chromium` in the config file)",
            )
        return path
    # The headless shell first: the same engine without the desktop browser around it, it renders
    # the same pages with markedly less CPU and memory per page.
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def tagged_processes(tag_prefix: str) -> list[int]:
    """PIDs of live processes whose environment carries a browser tag starting with `tag_prefix`."""
    needle = f"{TAG_VARIABLE}={tag_prefix}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.joinpath("stat").read_text().split(") ", 1)[1].startswith("Z"):
                continue  # a zombie is already dead; only its parent's wait() is missing
            if any(var.startswith(needle) for var in entry.joinpath("environ").read_bytes().split(b"\0")):
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue  # gone meanwhile, or not ours to read
    return found


def reap(tag_prefix: str, *, grace_s: float = 0.0) -> int:
    """Kill every process still carrying the tag (after `grace_s` to exit on its own); returns how many."""
    deadline = time.monotonic() + grace_s
    pids = tagged_processes(tag_prefix)
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)  # helper processes exit a moment after the browser itself
        pids = tagged_processes(tag_prefix)
    for pid in pids:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    if pids:
        log.warning("killed %d leftover Chromium process(es) of browser %s", len(pids), tag_prefix)
    return len(pids)


@atexit.register
def _reap_at_exit() -> None:
    # Last line of defence when the interpreter exits without the pool being closed.
    for tag in list(_live_tags):
        reap(tag)


@dataclass(eq=False)  # identity semantics: instances live in a set
class _Instance:
    """One launched browser and its bookkeeping."""

    browser: Browser
    tag: str
    pids: tuple[int, ...] = ()  # the tagged browser process(es); the rest are their descendants
    pages: int = 0
    in_use: int = 0
    retiring: bool = False
    closing: bool = False


@dataclass(frozen=True)
class ContextLease:
    """A browser context handed out by the pool, and the browser it lives in."""

    context: BrowserContext
    instance: _Instance


class BrowserPool:
    """Launches Chromium lazily, hands out fresh contexts, recycles it after N pages.

    `page_mb` caps each renderer (its JavaScript heap at launch, its whole memory by `memory`), and
    `total_mb` is the budget that `memory.slot()` keeps the browser under (agent.fetch.memory).
    """

    def __init__(
        self,
        chromium: str | None = None,
        *,
        recycle_pages: int = 100,
        extra_args: tuple[str, ...] = (),
        page_mb: int = 512,
        total_mb: int = 2048,
    ):
        self.chromium = chromium
        self.recycle_pages = max(1, recycle_pages)
        self.extra_args = extra_args
        self.page_mb = page_mb
        self.memory = MemoryWatch(self._browser_pids, page_mb=page_mb, total_mb=total_mb)
        self.tag = f"{os.getpid()}.{next(_pool_ids)}"
        self.launches = 0
        self._playwright: Playwright | None = None
        self._current: _Instance | None = None
        self._retired: set[asyncio.Task[None]] = set()
        self._instances: set[_Instance] = set()
        self._lock = asyncio.Lock()
        self._closed = False

    async def __aenter__(self) -> BrowserPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def new_context(self, **options) -> ContextLease:
        """A fresh isolated context on the current browser; hand it back with `release`."""
        instance = await self._acquire()
        try:
            ctx = await instance.browser.new_context(**options)
        except BaseException:
            self._leave(instance)
            raise
        return ContextLease(ctx, instance)

    def count_page(self, lease: ContextLease) -> None:
        """Count one page on the lease's browser; at the recycle limit new contexts go to a new one."""
        instance = lease.instance
        instance.pages += 1
        if instance.pages >= self.recycle_pages and not instance.retiring:
            instance.retiring = True
            if self._current is instance:
                self._current = None

    def stale(self, lease: ContextLease) -> bool:
        """True when the lease's browser is being recycled or has gone away."""
        return lease.instance.retiring or not lease.instance.browser.is_connected()

    async def release(self, lease: ContextLease) -> None:
        """Close the context; a recycled browser closes once its last context is released."""
        try:
            with suppress(PlaywrightError):
                await lease.context.close()
        finally:
            self._leave(lease.instance)

    @asynccontextmanager
    async def context(self, **options) -> AsyncIterator[BrowserContext]:
        """A fresh isolated context for one page, released on the way out."""
        lease = await self.new_context(**options)
        try:
            self.count_page(lease)
            yield lease.context
        finally:
            await self.release(lease)

    def _leave(self, instance: _Instance) -> None:
        instance.in_use -= 1
        if instance.retiring and instance.in_use == 0:
            self._retire(instance)

    async def _acquire(self) -> _Instance:
        async with self._lock:
            if self._closed:
                raise FetchProblem(Outcome.error, "the browser pool is already closed")
            current = self._current
            if current is not None and not current.browser.is_connected():
                current.retiring = True
                if current.in_use == 0:
                    self._retire(current)
                current = self._current = None
            if current is None:
                current = self._current = await self._launch()
            current.in_use += 1
            return current

    async def _launch(self) -> _Instance:
        executable = find_chromium(self.chromium)
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        tag = f"{self.tag}.{self.launches + 1}/"  # the slash ends it: ".1/" never prefixes ".10/"
        _live_tags.add(tag)
        # Chromium inherits the environment (HOME, fonts, locale) but never our secrets: its renderers
        # run untrusted page JavaScript.
        env: dict[str, str | float | bool] = {
            k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_ENV_PREFIXES)
        }
        env[TAG_VARIABLE] = tag
        try:
            browser = await self._playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                env=env,
                timeout=30_000,
                args=[*LAUNCH_ARGS, f"--js-flags=--max-old-space-size={self.page_mb}", *self.extra_args],
                ignore_default_args=_IGNORED_DEFAULT_ARGS,
            )
        except PlaywrightError as exc:
            reap(tag)
            _live_tags.discard(tag)
            where = executable or "Playwright's own Chromium"
            raise FetchProblem(
                Outcome.error,
                f"could not start Chromium ({where}): {str(exc).splitlines()[0]}; "
                "install chromium or set ZYNTRO_ENRICH_CHROMIUM",
            ) from None
        self.launches += 1
        instance = _Instance(browser, tag, pids=tuple(await asyncio.to_thread(tagged_processes, tag)))
        self._instances.add(instance)
        log.debug("launched Chromium %s (%s), tag %s", browser.version, executable or "playwright build", tag)
        return instance

    def _browser_pids(self) -> list[int]:
        return [pid for instance in list(self._instances) for pid in instance.pids]

    def _retire(self, instance: _Instance) -> None:
        if instance.closing:
            return
        instance.closing = True
        task = asyncio.ensure_future(self._close_instance(instance))
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)

    async def _close_instance(self, instance: _Instance) -> None:
        with suppress(PlaywrightError, asyncio.TimeoutError):
            await asyncio.wait_for(instance.browser.close(), timeout=10)
        # Anything that outlived the polite close (checked off the event loop: it may wait a little).
        await asyncio.to_thread(reap, instance.tag, grace_s=2.0)
        self._instances.discard(instance)
        _live_tags.discard(instance.tag)

    async def close(self) -> None:
        """Close every browser and the Playwright driver; kill whatever is left."""
        async with self._lock:
            self._closed = True
            self._current = None
        await self.memory.aclose()
        for instance in list(self._instances):
            self._retire(instance)  # also recycled browsers whose pages were cut short
        if self._retired:
            await asyncio.gather(*list(self._retired), return_exceptions=True)
        if self._playwright is not None:
            with suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(self._playwright.stop(), timeout=10)
            self._playwright = None
        await asyncio.to_thread(reap, self.tag + ".", grace_s=2.0)
