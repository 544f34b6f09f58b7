"""Chromium's memory stays bounded: each page's renderer, its JavaScript heap, popups, the whole browser.

Nothing here measures time: a page that passes its limit must end `too_large`, a popup must never
open, and pages must wait for room (checked by counting pages in flight, not by the clock).
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest

from agent.fetch import BrowserPool, Fetcher
from agent.fetch.browser import find_chromium
from agent.fetch.memory import MemoryWatch, Usage
from agent.models import Outcome
from tests.support.fetch import Reply, js_page

PAGE_MB = 128


def _allocating_page(kind: str, megabytes: int, then: str) -> str:
    """A JavaScript shell that allocates `megabytes` in a loop, keeps it, then waits on a request to `then`.

    The request is held by the server until the test ends, so the page holds its memory for as long
    as the render waits on it: the watcher is never raced.
    """
    grow = {
        "buffers": "const b = new Uint8Array(8 * 1024 * 1024); b.fill(7); keep.push(b);",
        "objects": "keep.push(new Array(1024 * 1024).fill(keep.length + 0.5));",  # ~8 MB of heap numbers
    }[kind]
    return (
        '<html><body><div id="root"></div><script>const keep = [];'
        f"for (let i = 0; i < {megabytes // 8}; i++) {{ {grow} }}"
        f"fetch('{then}').then(() => {{ document.getElementById('root').textContent = "
        "'Survived the allocation. '.repeat(20); });"
        "</script></body></html>"
    )


@pytest.fixture(scope="module")
def small_pool(aio):
    """A browser whose pages may use PAGE_MB each and which has room for one page at a time."""

    async def make() -> BrowserPool:
        return BrowserPool(find_chromium(None), page_mb=PAGE_MB, total_mb=1)

    pool = aio.run(make())
    yield pool
    aio.run(pool.close())


def _fetch_all(aio, pool, settings, urls):
    async def go():
        async with Fetcher(settings, browser_pool=pool) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    return aio.run(go(), timeout=120)


@pytest.mark.parametrize("kind", ["buffers", "objects"])
def test_a_page_that_allocates_in_a_loop_ends_too_large(kind, site, aio, small_pool, fetch_settings):
    hold = threading.Event()
    held = site.add(site.unique("held"), Reply("{}", content_type="application/json", hold=hold))
    hog = site.add(site.unique(kind), Reply(_allocating_page(kind, 1024, held)))
    after = site.add(site.unique(), Reply(js_page("next page")))

    async def both():
        async with Fetcher(fetch_settings(timeout_s=60), browser_pool=small_pool) as fetcher:
            return await fetcher.fetch(hog), await fetcher.fetch(after)

    try:
        hogged, next_page = aio.run(both(), timeout=120)
    finally:
        hold.set()
    assert hogged.outcome is Outcome.too_large and hogged.engine == "browser", hogged.reason
    assert "fetch.browser_page_mb" in hogged.reason and hogged.page is None
    # The stopped page's context is gone; the next page gets a fresh one and renders normally.
    assert next_page.outcome is Outcome.ok and "next page" in next_page.page.html, next_page.reason


def test_the_javascript_heap_is_capped_by_browser_page_mb(site, aio, fetch_settings):
    url = site.add(
        site.unique(),
        Reply(
            '<html><body><div id="root"></div><script>document.getElementById("root").textContent = '
            '"heap limit " + performance.memory.jsHeapSizeLimit + " " + "padding text ".repeat(20);</script>'
            "</body></html>"
        ),
    )

    async def go():
        async with Fetcher(fetch_settings(browser_page_mb=100)) as fetcher:  # its own browser, from settings
            return await fetcher.fetch(url)

    result = aio.run(go(), timeout=120)
    assert result.outcome is Outcome.ok and result.engine == "browser", result.reason
    limit = int(re.search(r"heap limit (\d+)", result.page.html).group(1))
    assert limit <= 4 * 100 * 1024 * 1024  # 100 MB of old space plus the young generation; uncapped: 4 GB


def test_a_window_open_storm_opens_no_windows(site, fetch_settings, fetch_one):
    popup = site.unique("popup")
    site.add(popup, Reply(js_page("popup")))
    url = site.add(
        site.unique(),
        Reply(
            '<html><body><div id="root"></div><script>let opened = 0;'
            f"for (let i = 0; i < 200; i++) {{ if (window.open('{popup}?' + i)) opened++; }}"
            "const frame = document.createElement('iframe'); document.body.appendChild(frame);"
            f"for (let i = 0; i < 20; i++) {{ if (frame.contentWindow.open('{popup}?f' + i)) opened++; }}"
            "for (let i = 0; i < 20; i++) { const a = document.createElement('a'); "
            f"a.href = '{popup}?a' + i; a.target = '_blank'; document.body.appendChild(a); a.click(); }}"
            "document.getElementById('root').textContent = 'windows opened: ' + opened + '. ' + 'text '.repeat(50);"
            "</script></body></html>"
        ),
    )
    result, _ = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.ok and result.engine == "browser", result.reason
    assert "windows opened: 0." in result.page.html
    assert site.hit_count(popup) == 0


def test_pages_wait_for_room_under_browser_total_mb(site, aio, small_pool, fetch_settings):
    urls = [site.add(site.unique(), Reply(js_page(f"page {i}"))) for i in range(3)]
    waits_before = small_pool.memory.waits
    results = _fetch_all(aio, small_pool, fetch_settings(browser_pages=3), urls)
    assert [r.outcome for r in results] == [Outcome.ok] * 3, [r.reason for r in results]
    # The browser alone is over a 1 MB budget: pages render one at a time, never stall.
    assert small_pool.memory.peak_active == 1
    assert small_pool.memory.waits - waits_before >= 2


def test_admission_counts_the_page_limit_for_every_page_in_flight(aio):
    async def scenario():
        watch = MemoryWatch(lambda: [], page_mb=100, total_mb=250)  # nothing measured: 0 MB in use
        first, second = watch.slot(), watch.slot()
        await first.__aenter__()
        await second.__aenter__()  # 0 + 2 x 100 <= 250: room for two
        third = asyncio.ensure_future(watch.slot().__aenter__())
        await asyncio.sleep(0)  # let it ask
        for _ in range(3):
            await asyncio.wait({third}, timeout=watch.interval_s)
        waiting = not third.done()  # 0 + 3 x 100 > 250: it must wait
        await first.__aexit__(None, None, None)
        await asyncio.wait_for(third, 10)  # one left: now there is room
        await second.__aexit__(None, None, None)
        return waiting, watch.peak_active, watch.waits

    assert aio.run(scenario()) == (True, 2, 1)


def test_headroom_is_what_pages_in_flight_may_still_grow_by_plus_a_new_page():
    watch = MemoryWatch(lambda: [], page_mb=512, total_mb=2048)
    usage = Usage(total_mb=700, renderers={11: 400.0, 12: 100.0, 13: 20.0, 14: 600.0})
    watch.active = 2  # taken to be the two largest renderers; one is already past the limit
    assert watch.headroom(usage) == (512 - 512) + (512 - 400) + 512
    watch.active = 0
    assert watch.headroom(usage) == 512


@pytest.mark.parametrize("name", ["browser_page_mb", "browser_total_mb"])
@pytest.mark.parametrize("value", [0, -5])
def test_memory_limits_must_be_positive(name, value, tmp_path):
    from agent.config import load_settings
    from agent.errors import ConfigError

    with pytest.raises(ConfigError, match=f"fetch.{name}"):
        load_settings(env={"ZYNTRO_ENRICH_HOME": str(tmp_path)}, overrides={"fetch": {name: value}})
