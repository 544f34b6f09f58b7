"""The browser path with real Chromium: escalation, rendering, what is never loaded, isolation."""

from __future__ import annotations

from agent.models import Outcome
from tests.support.fetch import Reply, js_page, static_page


def test_js_only_page_is_escalated_to_the_browser(site, fetch_settings, fetch_one):
    data = site.add(
        site.unique("data"), Reply('{"name": "Ada Lovelace", "role": "Analyst"}', content_type="application/json")
    )
    script = site.add(
        site.unique("app"),
        Reply(
            f"fetch('{data}').then(r => r.json()).then(d => {{"
            "document.getElementById('root').innerHTML = '<h1>' + d.name + '</h1><p>' + d.role + ' of engines. '"
            ".repeat(20) + '</p>'; });",
            content_type="application/javascript",
        ),
    )
    url = site.add(site.unique("app-page"), Reply(js_page("unused", script_src=script)))
    result, stats = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.ok, result.reason
    assert result.engine == "browser" and result.page.engine == "browser"
    assert "<h1>Ada Lovelace</h1>" in result.page.html and "needs JavaScript" in result.reason
    assert stats["escalated"] == 1 and stats["by_engine"] == {"http": 0, "browser": 1, "replay": 0}
    path = url.removeprefix(site.base)
    assert site.hit_count(path) == 1  # the document is fetched once and handed to the browser


def test_needs_browser_renders_even_a_complete_page(site, fetch_settings, fetch_one):
    url = site.add(
        site.unique(),
        Reply(
            static_page("Server side").replace(
                "</body>", "<script>document.body.insertAdjacentHTML('beforeend', '<p>ADDED-BY-JS</p>')</script></body>"
            )
        ),
    )
    result, _ = fetch_one(fetch_settings(), url, needs_browser=True)
    assert result.outcome is Outcome.ok and result.engine == "browser"
    assert "<p>ADDED-BY-JS</p>" in result.page.html


def test_images_fonts_media_and_styles_are_never_loaded(site, fetch_settings, fetch_one):
    extras = {kind: site.unique(kind) for kind in ("img", "css", "font", "video")}
    for path in extras.values():
        site.add(path, Reply(b"", content_type="application/octet-stream"))
    html = (
        f'<html><head><link rel="stylesheet" href="{extras["css"]}">'
        f"<style>@font-face {{ font-family: x; src: url({extras['font']}); }} body {{ font-family: x }}</style>"
        f'</head><body><div id="root"></div><img src="{extras["img"]}"><video src="{extras["video"]}"></video>'
        "<script>document.getElementById('root').textContent = 'Rendered text. '.repeat(30)</script>"
        "</body></html>"
    )
    result, _ = fetch_one(fetch_settings(), site.add(site.unique(), Reply(html)))
    assert result.outcome is Outcome.ok and result.engine == "browser"
    assert {kind: site.hit_count(path) for kind, path in extras.items()} == dict.fromkeys(extras, 0)


def test_nothing_stored_by_one_page_reaches_the_next(site, aio, shared_browser, fetch_settings):
    from agent.fetch import Fetcher

    # The first page keeps writing, even while it is being navigated away from.
    setter = site.add(
        site.unique(),
        Reply(
            js_page("x").replace(
                "<script>",
                "<script>const mark = () => { document.cookie = 'tracker=1; path=/'; "
                "localStorage.setItem('seen', '1'); sessionStorage.setItem('visit', '1'); }; "
                "mark(); setInterval(mark, 1);",
            )
        ),
    )
    reader = site.add(
        site.unique(),
        Reply(
            '<html><body><div id="root"></div><script>document.getElementById("root").textContent = '
            '"stored:[" + document.cookie + "|" + (localStorage.getItem("seen") || "") + "|" + '
            '(sessionStorage.getItem("visit") || "") + "] " + "padding text ".repeat(30);</script></body></html>'
        ),
    )

    async def both():
        async with Fetcher(fetch_settings(), browser_pool=shared_browser) as fetcher:
            return await fetcher.fetch(setter), await fetcher.fetch(reader)

    first, second = aio.run(both())
    assert first.outcome is Outcome.ok and second.outcome is Outcome.ok
    assert "stored:[||]" in second.page.html


def test_slow_script_times_out_in_the_browser(site, fetch_settings, fetch_one):
    script = site.add(site.unique("slow"), Reply("1;", content_type="application/javascript", delay_s=2.0))
    url = site.add(site.unique(), Reply(js_page("x", script_src=script)))
    result, _ = fetch_one(fetch_settings(timeout_s=0.8), url)
    assert result.outcome is Outcome.timeout and result.engine == "browser", result.reason


def test_challenge_rendered_by_script_is_blocked(site, fetch_settings, fetch_one):
    url = site.add(
        site.unique(),
        Reply(
            '<html><body><div id="root"></div><script>document.getElementById("root").innerHTML = '
            '"<div class=\\"h-" + "captcha\\"></div><p>Please verify you" + " are human.</p>";</script></body></html>'
        ),
    )
    result, _ = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.blocked and result.engine == "browser" and result.page is None


def test_browser_is_recycled_after_n_pages_and_the_old_one_is_gone(site, aio, fetch_settings):
    import asyncio

    from agent.fetch import BrowserPool, Fetcher
    from agent.fetch.browser import tagged_processes

    urls = [site.add(site.unique(), Reply(js_page(f"page {i}"))) for i in range(3)]

    async def crawl():
        pool = BrowserPool(recycle_pages=2)
        async with pool, Fetcher(fetch_settings(), browser_pool=pool) as fetcher:
            results = [await fetcher.fetch(u) for u in urls]
            for _ in range(100):  # the recycled browser closes in the background
                if not tagged_processes(pool.tag + ".1/"):
                    break
                await asyncio.sleep(0.05)
            first_alive = tagged_processes(pool.tag + ".1/")
            return results, pool.launches, first_alive, pool.tag

    results, launches, first_alive, tag = aio.run(crawl())
    assert [r.engine for r in results] == ["browser"] * 3 and all(r.outcome is Outcome.ok for r in results)
    assert launches == 2 and first_alive == []
    assert tagged_processes(tag + ".") == []
