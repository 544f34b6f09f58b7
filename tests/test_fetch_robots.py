"""robots.txt per RFC 9309 and the operator's per-domain override, against real loopback servers."""

from __future__ import annotations

from agent.httputil import parse_retry_after
from agent.models import Outcome
from extractors.urls import on_domain
from tests.support.fetch import Reply, static_page

ROBOTS = "User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n"


def _robots_site(make_site, robots: Reply):
    server = make_site()
    server.add("/robots.txt", robots)
    server.add("/private/page", Reply(static_page("Private")))
    server.add("/public", Reply(static_page("Public")))
    return server


def test_robots_disallow_is_honoured(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    blocked, _ = fetch_one(fetch_settings(), server.base + "/private/page")
    assert blocked.outcome is Outcome.robots_disallowed and "override" in blocked.reason
    assert server.hit_count("/private/page") == 0 and not blocked.robots_override
    allowed, _ = fetch_one(fetch_settings(), server.base + "/public")
    assert allowed.outcome is Outcome.ok


def test_operator_override_fetches_and_is_recorded(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    result, stats = fetch_one(fetch_settings(robots_override=["127.0.0.1"]), server.base + "/private/page")
    assert result.outcome is Outcome.ok and result.robots_override
    assert "override" in result.reason and stats["robots_overrides"] == 1
    plain, _ = fetch_one(fetch_settings(robots_override=["127.0.0.1"]), server.base + "/public")
    assert plain.outcome is Outcome.ok and not plain.robots_override  # allowed anyway: no override used


def test_robots_server_error_means_disallow_all(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply("oops", status=500, content_type="text/plain"))
    result, _ = fetch_one(fetch_settings(), server.base + "/public")
    assert result.outcome is Outcome.robots_disallowed and "HTTP 500" in result.reason
    assert server.hit_count("/public") == 0


def test_robots_client_error_means_allow_all(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply("forbidden", status=403, content_type="text/plain"))
    result, _ = fetch_one(fetch_settings(), server.base + "/private/page")
    assert result.outcome is Outcome.ok


def test_robots_is_read_once_per_host(make_site, fetch_settings, aio, shared_browser):
    from agent.fetch import Fetcher

    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))

    async def twice():
        async with Fetcher(fetch_settings(), browser_pool=shared_browser) as fetcher:
            return [await fetcher.fetch(server.base + "/public") for _ in range(3)]

    assert all(r.outcome is Outcome.ok for r in aio.run(twice()))
    assert server.hit_count("/robots.txt") == 1


def test_override_covers_the_domain_and_its_subdomains_only():
    assert on_domain("linkedin.com", ["linkedin.com"])
    assert on_domain("www.linkedin.com", [".linkedin.com"])
    assert not on_domain("notlinkedin.com", ["linkedin.com"])
    assert not on_domain("linkedin.com.evil.example", ["linkedin.com"])


def test_retry_after_reads_seconds_and_dates():
    from datetime import UTC, datetime

    now = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def _paced_fetches(aio, shared_browser, settings, urls):
    """Fetch `urls` at once with one fetcher; returns the results and the seconds it all took."""
    import asyncio
    import time

    from agent.fetch import Fetcher

    async def together():
        async with Fetcher(settings, browser_pool=shared_browser) as fetcher:
            started = time.monotonic()
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
            return results, time.monotonic() - started

    return aio.run(together())


def test_crawl_delay_spaces_requests_to_the_host(make_site, fetch_settings, aio, shared_browser):
    server = _robots_site(
        make_site, Reply("User-agent: *\nCrawl-delay: 0.3\nDisallow: /private\n", content_type="text/plain")
    )
    paths = ["/a", "/b", "/c"]
    for path in paths:
        server.add(path, Reply(static_page("Paced by robots.txt")))
    results, elapsed = _paced_fetches(
        aio, shared_browser, fetch_settings(delay_s=0.0), [server.base + p for p in paths]
    )
    assert all(r.outcome is Outcome.ok for r in results)
    # Three starts 0.3 s apart take at least 0.6 s on any machine (a lower bound: load only adds).
    assert elapsed >= 2 * 0.3 - 0.01


def test_crawl_delay_is_capped_and_never_lowers_the_delay(aio):
    from agent.fetch.policy import MAX_CRAWL_DELAY_S, RobotsCache
    from agent.fetch.raw import RawResponse

    bodies = {
        "http://slow.example/robots.txt": "User-agent: *\nCrawl-delay: 3600\n",
        "http://quick.example/robots.txt": "User-agent: *\nCrawl-delay: 0.5\n",
    }

    async def load(url: str) -> RawResponse:
        return RawResponse(url=url, status=200, body=bodies[url].encode())

    async def delays():
        robots = RobotsCache(load, user_agent="zyntro-enrich/0.1")
        for host in ("slow.example", "quick.example"):
            await robots.check(f"http://{host}/page")
        return robots.crawl_delay("http://slow.example/x"), robots.crawl_delay("http://quick.example/x")

    assert aio.run(delays()) == (MAX_CRAWL_DELAY_S, 0.5)


def test_robots_applies_to_every_redirect_hop(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    server.add("/moved", Reply(b"", status=302, headers={"Location": "/private/page"}))
    result, _ = fetch_one(fetch_settings(), server.base + "/moved")
    assert result.outcome is Outcome.robots_disallowed, result.reason
    assert server.hit_count("/moved") == 1 and server.hit_count("/private/page") == 0


def _navigating_shell(target: str) -> Reply:
    """A JavaScript shell that moves the browser on to `target` as soon as it runs."""
    return Reply(f'<html><body><div id="root"></div><script>location.href = "{target}";</script></body></html>')


def test_robots_applies_to_javascript_navigations(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    server.add("/app", _navigating_shell("/private/page"))
    result, _ = fetch_one(fetch_settings(), server.base + "/app")
    assert result.outcome is Outcome.robots_disallowed and result.engine == "browser", result.reason
    assert "navigated to" in result.reason and server.hit_count("/private/page") == 0


def test_robots_applies_to_redirects_of_javascript_navigations(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    server.add("/app", _navigating_shell("/hop"))
    server.add("/hop", Reply(b"", status=302, headers={"Location": "/private/page"}))
    result, _ = fetch_one(fetch_settings(), server.base + "/app")
    assert result.outcome is Outcome.robots_disallowed and result.engine == "browser", result.reason
    assert server.hit_count("/hop") == 1 and server.hit_count("/private/page") == 0


def test_a_javascript_navigation_under_the_override_is_recorded(make_site, fetch_settings, fetch_one):
    server = _robots_site(make_site, Reply(ROBOTS, content_type="text/plain"))
    server.add("/app", _navigating_shell("/private/page"))
    result, stats = fetch_one(fetch_settings(robots_override=["127.0.0.1"]), server.base + "/app")
    assert result.outcome is Outcome.ok and result.engine == "browser", result.reason
    assert server.hit_count("/private/page") == 1
    assert result.robots_override and stats["robots_overrides"] == 1
