"""The HTTP path against a real loopback server: pages, statuses, limits, retries, revalidation."""

from __future__ import annotations

from agent.models import Outcome
from tests.support.fetch import Reply, js_page, static_page


def test_static_page_is_fetched_by_http(site, fetch_settings, fetch_one):
    url = site.add(site.unique(), Reply(static_page("Acme Widgets"), headers={"ETag": '"v1"'}))
    result, stats = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.ok, result.reason
    assert result.engine == "http" and result.status == 200 and result.final_url == url
    assert "Acme Widgets" in result.page.html and result.page.etag == '"v1"'
    assert result.page.content_hash == result.page.hash_html(result.page.html)
    assert stats["by_engine"]["http"] == 1 and stats["browser_launches"] == 0


def test_user_agent_is_honest_and_no_cookies_travel(site, fetch_settings, fetch_one):
    first = site.unique()
    second = site.unique()
    site.add(first, Reply(static_page("One"), headers={"Set-Cookie": "session=abc; Path=/"}))
    site.add(second, Reply(static_page("Two")))
    settings = fetch_settings()

    async def both():
        from agent.fetch import Fetcher

        async with Fetcher(settings) as fetcher:
            await fetcher.fetch(site.base + first)
            await fetcher.fetch(site.base + second)

    import asyncio

    asyncio.run(both())
    headers = site.hits[second][0]["headers"]
    assert headers["User-Agent"] == settings.fetch.user_agent
    assert "Cookie" not in headers


def test_missing_page_is_not_found(site, fetch_settings, fetch_one):
    result, _ = fetch_one(fetch_settings(), site.base + site.unique("missing"))
    assert result.outcome is Outcome.not_found
    assert result.reason == "HTTP 404: the page does not exist" and result.status == 404


def test_429_with_retry_after_is_retried_then_ok(site, fetch_settings, fetch_one):
    path = site.unique()
    url = site.add(
        path,
        lambda req, n: (
            Reply("slow down", status=429, headers={"Retry-After": "1"}) if n == 1 else Reply(static_page("Finally"))
        ),
    )
    result, stats = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.ok and "Finally" in result.page.html
    assert stats["retries"] == 1
    first, second = site.hits[path]
    assert second["t"] - first["t"] >= 0.95  # the Retry-After was honoured


def test_retry_after_beyond_the_cap_is_rate_limited_at_once(site, fetch_settings, fetch_one):
    path = site.unique()
    url = site.add(path, Reply("busy", status=503, headers={"Retry-After": "3600"}))
    result, _ = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.rate_limited
    assert "3600 s" in result.reason and site.hit_count(path) == 1


def test_persistent_429_ends_rate_limited_after_two_retries(site, fetch_settings, fetch_one):
    path = site.unique()
    url = site.add(path, Reply("no", status=429, headers={"Retry-After": "0"}))
    result, _ = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.rate_limited and "after 2 retries" in result.reason
    assert site.hit_count(path) == 3


def test_slow_page_times_out(site, fetch_settings, fetch_one):
    url = site.add(site.unique(), Reply(static_page("Late"), delay_s=1.5))
    result, _ = fetch_one(fetch_settings(timeout_s=0.5), url)
    assert result.outcome is Outcome.timeout and "0.5 s" in result.reason


def test_oversized_page_is_too_large_with_or_without_content_length(site, fetch_settings, fetch_one):
    big = "<html><body>" + "x" * 50_000 + "</body></html>"
    declared = site.add(site.unique(), Reply(big))
    streamed = site.add(site.unique(), Reply(big, send_length=False))
    for url in (declared, streamed):
        result, _ = fetch_one(fetch_settings(max_bytes=10_000), url)
        assert result.outcome is Outcome.too_large, result.reason
        assert "9.8 KB" in result.reason


def test_non_html_is_unsupported(site, fetch_settings, fetch_one):
    url = site.add(site.unique(), Reply(b"%PDF-1.7", content_type="application/pdf"))
    result, _ = fetch_one(fetch_settings(), url)
    assert result.outcome is Outcome.unsupported and "application/pdf" in result.reason


def test_revalidation_sends_validators_and_304_means_not_modified(site, fetch_settings, fetch_one):
    path = site.unique()

    def conditional(req, n):
        if req.headers.get("If-None-Match") == '"v7"':
            return Reply(b"", status=304, content_type="text/html")
        return Reply(static_page("Fresh"), headers={"ETag": '"v7"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    url = site.add(path, conditional)
    first, _ = fetch_one(fetch_settings(), url)
    assert first.page.etag == '"v7"' and first.page.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    again, stats = fetch_one(fetch_settings(), url, etag=first.page.etag, last_modified=first.page.last_modified)
    assert again.outcome is Outcome.ok and again.not_modified and again.page is None
    assert again.status == 304 and stats["not_modified"] == 1
    assert site.hits[path][1]["headers"]["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_redirects_are_followed_to_the_final_url(site, fetch_settings, fetch_one):
    target = site.add(site.unique(), Reply(static_page("Moved here")))
    start = site.add(site.unique(), Reply(b"", status=301, headers={"Location": target}))
    result, _ = fetch_one(fetch_settings(), start)
    assert result.outcome is Outcome.ok and result.final_url == target and result.page.final_url == target


def test_challenge_pages_are_blocked_and_never_escalated(site, fetch_settings, fetch_one):
    pages = {
        "cf": Reply(
            "<html><head><title>Just a moment...</title></head><body><div id='root'></div>"
            "<script>window._cf_chl_opt={}</script></body></html>",
            status=503,
        ),
        "captcha": Reply(
            "<html><body><form><div class='g-recaptcha' data-sitekey='x'></div></form>"
            "<p>Please verify you are human to continue.</p></body></html>"
        ),
        "linkedin": Reply("<html><body></body></html>", status=999),
    }
    for name, reply in pages.items():
        result, stats = fetch_one(fetch_settings(), site.add(site.unique(name), reply))
        assert result.outcome is Outcome.blocked, (name, result.reason)
        assert result.page is None and stats["escalated"] == 0


def test_a_contact_form_with_recaptcha_is_still_a_page(site, fetch_settings, fetch_one):
    page = static_page("Contact us", words=400).replace("</body>", "<div class='g-recaptcha'></div></body>")
    result, _ = fetch_one(fetch_settings(), site.add(site.unique(), Reply(page)))
    assert result.outcome is Outcome.ok


def test_js_shell_stays_a_shell_without_the_browser(site, fetch_settings, fetch_one):
    url = site.add(site.unique(), Reply(js_page("ONLY-AFTER-JS")))
    result, stats = fetch_one(fetch_settings(), url, needs_browser=False)
    assert result.outcome is Outcome.ok and result.engine == "http"
    assert "ONLY-AFTER-JS</h1>" not in result.page.html and stats["browser_launches"] == 0


def test_politeness_delay_spaces_requests_to_one_host(site, fetch_settings, aio, shared_browser):
    import asyncio
    import time

    from agent.fetch import Fetcher

    paths = [site.unique(), site.unique(), site.unique()]
    for path in paths:
        site.add(path, Reply(static_page("Paced")))
    settings = fetch_settings(delay_s=0.2)

    async def together():
        async with Fetcher(settings, browser_pool=shared_browser) as fetcher:
            started = time.monotonic()
            results = await asyncio.gather(*(fetcher.fetch(site.base + p) for p in paths))
            return results, time.monotonic() - started

    results, elapsed = aio.run(together())
    assert all(r.outcome is Outcome.ok for r in results)
    # Three request starts 0.2 s apart cannot all happen within 0.4 s of the first call, however
    # fast or slow the machine is (a lower bound only: load can add time, never remove it).
    assert elapsed >= 2 * 0.2 - 0.01
