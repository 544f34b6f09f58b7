"""The HTTP engine: one pooled httpx client, redirects followed by hand, bodies streamed and bounded.

Every request (page, redirect hop, robots.txt, or a browser sub-request routed through here) passes
the URL and address checks first; with a replay store, recorded responses stand in for the network.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urljoin

import httpx

from agent.config import Settings
from agent.fetch.problems import FetchProblem
from agent.fetch.raw import RawResponse, is_html_type
from agent.fetch.replay import NOT_IN_REPLAY, ReplayStore
from agent.fetch.safety import AddressGuard, check_url
from agent.fetch.transport import PinnedTransport
from agent.models import Outcome

__all__ = ["MAX_REDIRECTS", "HttpEngine", "human_size"]

log = logging.getLogger(__name__)
# httpx logs every request at INFO; the fetcher reports outcomes itself, so keep httpx for warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_REDIRECTS = 10
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# Never forwarded from the browser to the network: hop-by-hop or set by httpx itself.
_DROP_HEADERS = {
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "accept-encoding",
    "cookie",
    "proxy-authorization",
    "te",
    "trailer",
}


def human_size(n: int) -> str:
    """A byte count for people: 512 B, 14.2 KB, 5.0 MB."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


class _NoCookies(DefaultCookiePolicy):
    """Refuses to store or send any cookie: nothing travels from one request to another."""

    def set_ok(self, cookie, request) -> bool:
        return False

    def return_ok(self, cookie, request) -> bool:
        return False


class HttpEngine:
    """Sends requests with one shared connection pool and returns bounded `RawResponse`s."""

    def __init__(
        self,
        settings: Settings,
        guard: AddressGuard,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        replay: ReplayStore | None = None,
    ):
        fetch = settings.fetch
        limits = httpx.Limits(
            max_connections=max(16, fetch.concurrency * 2),
            max_keepalive_connections=max(8, fetch.concurrency),
            keepalive_expiry=30.0,
        )
        self.guard = guard
        self.replay = replay
        self.max_bytes = fetch.max_bytes
        self.client = httpx.AsyncClient(
            transport=transport or PinnedTransport(guard, limits=limits),
            headers={"User-Agent": fetch.user_agent, "Accept": _ACCEPT, "Accept-Language": "en;q=0.9, *;q=0.5"},
            cookies=CookieJar(policy=_NoCookies()),
            follow_redirects=False,
            timeout=httpx.Timeout(fetch.timeout_s),
            trust_env=False,  # proxies and certificates come from settings, never from the environment
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    async def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        html_only: bool = True,
        truncate: bool = False,
        max_bytes: int | None = None,
    ) -> RawResponse:
        """One request, no redirects followed. Raises FetchProblem for anything but an answer."""
        parts = check_url(url)
        if self.replay is not None:
            resp = await self.replay.get(url)
            if resp is None:
                raise FetchProblem(Outcome.not_found, NOT_IN_REPLAY, status=404, final_url=url)
            return resp
        await self.guard.check(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        limit = self.max_bytes if max_bytes is None else max_bytes
        sent = {k: v for k, v in (headers or {}).items() if k.lower() not in _DROP_HEADERS}
        try:
            request = self.client.build_request(method, url, headers=sent, content=content)
            response = await self.client.send(request, stream=True)
            try:
                return await self._read(url, response, html_only=html_only, truncate=truncate, limit=limit)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise FetchProblem(Outcome.timeout, f"{parts.hostname} did not answer in time") from None
        except httpx.ConnectError as exc:
            raise FetchProblem(Outcome.error, f"could not connect to {parts.hostname} ({_short(exc)})") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchProblem(Outcome.invalid_url, f"the URL cannot be requested ({_short(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchProblem(Outcome.error, f"HTTP failure talking to {parts.hostname} ({_short(exc)})") from None

    async def _read(
        self, url: str, response: httpx.Response, *, html_only: bool, truncate: bool, limit: int
    ) -> RawResponse:
        headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        ctype = headers.get("content-type")
        if html_only and 200 <= status < 300 and ctype and not is_html_type(ctype):  # no type counts as HTML
            raise FetchProblem(
                Outcome.unsupported,
                f"the content type is {ctype.split(';')[0]}, not an HTML page",
                status=status,
                final_url=url,
            )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not truncate:
            raise _too_large(limit, status, url)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                if truncate:
                    del body[limit:]
                    break
                raise _too_large(limit, status, url)
        return RawResponse(url=url, status=status, headers=headers, body=bytes(body))

    async def follow(
        self,
        url: str,
        *,
        check_hop: Callable[[str], Awaitable[None]] | None = None,
        max_redirects: int = MAX_REDIRECTS,
        **kwargs,
    ) -> tuple[RawResponse, list[str]]:
        """Request `url` and follow redirects by hand, checking every hop; returns answer and hops."""
        hops = [url]
        method = kwargs.pop("method", "GET")
        content = kwargs.pop("content", None)
        while True:
            if check_hop is not None:
                await check_hop(hops[-1])
            try:
                resp = await self.request(hops[-1], method=method, content=content, **kwargs)
            except FetchProblem as problem:
                if len(hops) > 1 and problem.outcome is Outcome.unsafe_url:
                    raise FetchProblem(
                        Outcome.unsafe_url, f"redirected to {hops[-1]}: {problem.reason}", final_url=hops[-1]
                    ) from None
                raise
            if resp.status not in REDIRECT_STATUSES or not resp.location:
                return resp, hops
            if len(hops) > max_redirects:
                raise FetchProblem(
                    Outcome.error, f"more than {max_redirects} redirects", status=resp.status, final_url=hops[-1]
                )
            target = urljoin(hops[-1], resp.location.strip())
            try:
                check_url(target)
            except FetchProblem as problem:
                raise FetchProblem(
                    problem.outcome,
                    f"redirected to a refused URL: {problem.reason}",
                    status=resp.status,
                    final_url=target,
                ) from None
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, content = "GET", None
            hops.append(target)


def _too_large(limit: int, status: int, url: str) -> FetchProblem:
    return FetchProblem(
        Outcome.too_large,
        f"the page is larger than {human_size(limit)} (fetch.max_bytes)",
        status=status,
        final_url=url,
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]
