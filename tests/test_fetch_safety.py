"""URL safety: schemes, private addresses in every spelling, redirect hops and browser requests.

Private addresses are refused here (allow_private=False). The only network is the loopback site:
a public-looking name is mapped to it by an injected resolver (for the check) and a forwarding
transport (for the connection), so no packet ever leaves the machine.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from agent.fetch.problems import FetchProblem
from agent.fetch.safety import address_problem, check_url, literal_ip
from agent.models import Outcome
from tests.support.fetch import Reply, static_page

PUBLIC_NAME = "www.shop-example.com"
PUBLIC_IP = "93.184.216.34"  # what the injected resolver answers; never connected to


class ToSite(httpx.AsyncBaseTransport):
    """Sends requests for PUBLIC_NAME to the loopback site and refuses everything else."""

    def __init__(self, site):
        self.site = site
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(str(request.url))
        if request.url.host != PUBLIC_NAME:
            raise httpx.ConnectError(f"test transport only reaches {PUBLIC_NAME}", request=request)
        request.url = request.url.copy_with(host="127.0.0.1", port=self.site.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def public_resolver(host: str, port: int) -> list[str]:
    if host == PUBLIC_NAME:
        return [PUBLIC_IP]
    if host == "intranet.example":
        return ["10.1.2.3"]
    if host == "dual.example":
        return [PUBLIC_IP, "fd00::1"]
    raise OSError(f"no such host {host}")


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        ("file:///etc/passwd", Outcome.unsafe_url),
        ("javascript:alert(1)", Outcome.unsafe_url),
        ("data:text/html,<b>hi</b>", Outcome.unsafe_url),
        ("ftp://ftp.example.com/file", Outcome.unsupported),
        ("mailto:someone@example.com", Outcome.unsupported),
        ("example.com/about", Outcome.invalid_url),
        ("http://", Outcome.invalid_url),
        ("https://user:secret@example.com/", Outcome.unsafe_url),
        ("http://exa mple.com/\n", Outcome.invalid_url),
    ],
)
def test_only_http_and_https_urls_are_accepted(url, outcome):
    with pytest.raises(FetchProblem) as caught:
        check_url(url)
    assert caught.value.outcome is outcome and caught.value.reason


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "0x7f.0.0.1",
        "[::ffff:127.0.0.1]",
        "::ffff:7f00:1",
        "[::1]",
        "0.0.0.0",
        "[::]",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "[fd00:ec2::254]",
        "[fe80::1]",
        "224.0.0.1",
        "100.64.0.1",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
    ],
)
def test_private_addresses_are_refused_in_every_spelling(spelling):
    ip = literal_ip(spelling)
    assert ip is not None, spelling
    assert address_problem(ip, allow_private=False), spelling


def test_public_addresses_and_names_pass():
    assert literal_ip("example.com") is None and literal_ip("cafe.bad") is None
    assert address_problem(ipaddress.ip_address(PUBLIC_IP), allow_private=False) is None
    assert address_problem(ipaddress.ip_address("2606:2800:220:1::1"), allow_private=False) is None


def test_metadata_is_refused_even_when_private_addresses_are_allowed():
    assert address_problem(ipaddress.ip_address("169.254.169.254"), allow_private=True)
    assert address_problem(ipaddress.ip_address("::ffff:169.254.169.254"), allow_private=True)
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(document.cookie)"])
def test_fetcher_refuses_file_and_javascript_urls(url, fetch_settings, fetch_one):
    result, _ = fetch_one(fetch_settings(allow_private=False), url)
    assert result.outcome is Outcome.unsafe_url and result.page is None and "never fetched" in result.reason


def test_loopback_target_is_refused_before_any_request(site, fetch_settings, fetch_one):
    path = site.unique("secret")
    site.add(path, Reply(static_page("Secret")))
    for host in ("127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::ffff:127.0.0.1]"):
        result, _ = fetch_one(fetch_settings(allow_private=False), f"http://{host}:{site.port}{path}")
        assert result.outcome is Outcome.unsafe_url, (host, result.reason)
    assert site.hit_count(path) == 0


def test_names_resolving_to_private_addresses_are_refused(fetch_settings, fetch_one):
    for name in ("intranet.example", "dual.example"):
        result, _ = fetch_one(
            fetch_settings(allow_private=False), f"http://{name}/", fetcher_kwargs={"resolver": public_resolver}
        )
        assert result.outcome is Outcome.unsafe_url
        assert ("fd00::1" if name == "dual.example" else "10.1.2.3") in result.reason


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://[::ffff:127.0.0.1]:{port}{secret}",
        "http://2130706433:{port}{secret}",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_a_private_address_is_refused(target, site, fetch_settings, fetch_one):
    secret = site.unique("secret")
    site.add(secret, Reply(static_page("Internal")))
    start = site.unique("start")
    site.add(start, Reply(b"", status=302, headers={"Location": target.format(port=site.port, secret=secret)}))
    transport = ToSite(site)
    result, _ = fetch_one(
        fetch_settings(allow_private=False),
        f"http://{PUBLIC_NAME}{start}",
        fetcher_kwargs={"resolver": public_resolver, "transport": transport},
    )
    assert result.outcome is Outcome.unsafe_url, result.reason
    assert "redirected to" in result.reason
    assert site.hit_count(start) == 1 and site.hit_count(secret) == 0
    assert all(PUBLIC_NAME in url for url in transport.sent)


def test_connections_go_to_the_checked_address(site, fetch_settings, fetch_one):
    """With private addresses allowed, a name is still connected through the injected resolver's answer."""
    url = site.add(site.unique(), Reply(static_page("Pinned")))

    async def to_loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "pinned.example" else []

    result, _ = fetch_one(
        fetch_settings(), url.replace("127.0.0.1", "pinned.example"), fetcher_kwargs={"resolver": to_loopback}
    )
    assert result.outcome is Outcome.ok and "Pinned" in result.page.html

    async def to_metadata(host: str, port: int) -> list[str]:
        return ["169.254.169.254"]

    result, _ = fetch_one(
        fetch_settings(), url.replace("127.0.0.1", "pinned.example"), fetcher_kwargs={"resolver": to_metadata}
    )
    assert result.outcome is Outcome.unsafe_url and "metadata" in result.reason


def test_browser_requests_to_private_addresses_are_refused(site, fetch_settings, fetch_one):
    secret = site.unique("secret")
    site.add(secret, Reply("TOP SECRET", content_type="text/plain"))
    script = site.unique("app")
    site.add(
        script,
        Reply(
            f"fetch('http://127.0.0.1:{site.port}{secret}').catch(() => null);"
            "document.getElementById('root').innerHTML = '<p>' + 'Rendered safely. '.repeat(30) + '</p>';",
            content_type="application/javascript",
        ),
    )
    page = site.unique("page")
    site.add(
        page,
        Reply(
            f'<html><body><div id="root"></div><script src="{script}"></script>'
            f'<script src="http://10.0.0.1/evil.js"></script></body></html>'
        ),
    )
    result, _ = fetch_one(
        fetch_settings(allow_private=False),
        f"http://{PUBLIC_NAME}{page}",
        fetcher_kwargs={"resolver": public_resolver, "transport": ToSite(site)},
    )
    assert result.outcome is Outcome.ok and result.engine == "browser", result.reason
    assert "Rendered safely." in result.page.html
    assert site.hit_count(script) == 1 and site.hit_count(secret) == 0


def test_browser_navigation_to_a_private_address_is_refused(site, fetch_settings, fetch_one):
    secret = site.unique("secret")
    site.add(secret, Reply(static_page("Internal")))
    page = site.unique("page")
    site.add(
        page,
        Reply(
            f'<html><body><div id="root"></div><script>location.href = '
            f'"http://[::ffff:127.0.0.1]:{site.port}{secret}";</script></body></html>'
        ),
    )
    result, _ = fetch_one(
        fetch_settings(allow_private=False),
        f"http://{PUBLIC_NAME}{page}",
        fetcher_kwargs={"resolver": public_resolver, "transport": ToSite(site)},
    )
    assert result.outcome is Outcome.unsafe_url, result.reason
    assert "navigated to" in result.reason and site.hit_count(secret) == 0


# Cloud metadata and credential endpoints: instance metadata (AWS, GCP, Azure, OpenStack, Oracle, Tencent),
# container and pod credentials (ECS, EKS Pod Identity), platform DNS and wire servers.
METADATA_SPELLINGS = [
    "169.254.169.254",
    "169.254.170.2",
    "169.254.170.23",
    "169.254.169.253",
    "169.254.169.123",
    "169.254.0.23",
    "100.100.100.200",
    "192.0.0.192",
    "168.63.129.16",
    "fd00:ec2::254",
    "fd00:ec2::23",
    "fd00:ec2::253",
    "::ffff:169.254.170.23",
    "::ffff:100.100.100.200",
    "::ffff:192.0.0.192",
    "64:ff9b::a9fe:aa17",
    "2002:a9fe:aa17::",
    "::169.254.170.23",
    "fe80::a9fe:a9fe",
]


@pytest.mark.parametrize("address", METADATA_SPELLINGS)
def test_metadata_and_credential_endpoints_are_refused_even_with_private_allowed(address):
    problem = address_problem(ipaddress.ip_address(address), allow_private=True)
    assert problem and "metadata" in problem, address


@pytest.mark.parametrize(
    "host",
    ["169.254.170.23", "[fd00:ec2::23]", "[::ffff:169.254.170.23]", "0xa9feaa17", "[fd00:ec2::254]", "100.100.100.200"],
)
def test_fetcher_refuses_credential_endpoints_with_private_allowed(host, fetch_settings, fetch_one):
    result, _ = fetch_one(fetch_settings(allow_private=True), f"http://{host}/v1/credentials")
    assert result.outcome is Outcome.unsafe_url and "metadata" in result.reason, result.reason


def test_a_name_resolving_to_a_credential_endpoint_is_refused_with_private_allowed(fetch_settings, fetch_one):
    async def to_pod_identity(host: str, port: int) -> list[str]:
        return ["fd00:ec2::23"]

    result, _ = fetch_one(
        fetch_settings(allow_private=True),
        "http://creds.example/v1/credentials",
        fetcher_kwargs={"resolver": to_pod_identity},
    )
    assert result.outcome is Outcome.unsafe_url and "metadata" in result.reason, result.reason
