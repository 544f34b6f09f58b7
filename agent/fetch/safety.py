"""URL safety: which URLs may be fetched at all, and which addresses a host may resolve to.

Only http and https are fetched. A host that is, or resolves to, a loopback, private, multicast,
reserved or unspecified address is refused unless the operator allows private addresses; link-local
addresses and cloud metadata/credential endpoints are refused whatever the settings. Every spelling
counts: IPv6, IPv4-mapped/compatible IPv6, 6to4/NAT64/Teredo embeddings and the decimal, hex, octal
and short IPv4 forms that browsers and libc accept. The check runs on every redirect hop and every
browser request, and the HTTP connection itself connects only to addresses that passed it
(agent.fetch.transport), so a DNS answer cannot change between check and connect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Awaitable, Callable
from urllib.parse import SplitResult, urlsplit

from agent.fetch.problems import FetchProblem
from agent.models import Outcome

__all__ = [
    "METADATA_NETWORKS",
    "AddressGuard",
    "Resolver",
    "address_problem",
    "check_url",
    "literal_ip",
    "system_resolver",
]

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the IP addresses (as strings) the host resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud instance-metadata, credential and platform endpoints, refused even when private addresses
# are allowed: no legitimate page lives there, and one request can leak the machine's credentials.
# Whole IPv4 link-local (AWS/GCP/Azure/OpenStack/Oracle/DigitalOcean IMDS 169.254.169.254, ECS task
# credentials 169.254.170.2, EKS Pod Identity 169.254.170.23, AWS DNS .253 and time .123, Tencent
# 169.254.0.23) and IPv6 link-local; AWS's IPv6 platform prefix (fd00:ec2::254 IMDS, ::23 Pod Identity,
# ::253 DNS); Alibaba 100.100.100.200, Azure's wire server 168.63.129.16, Oracle 192.0.0.192.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",
        "fe80::/10",
        "fd00:ec2::/64",
        "100.100.100.200/32",
        "168.63.129.16/32",
        "192.0.0.192/32",
    )
)
METADATA = "a cloud metadata or credential address"
_UNSAFE_SCHEMES = {"file", "javascript", "data", "blob", "about", "chrome", "view-source", "filesystem"}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d, still an IPv4 address inside
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)
_DNS_TTL_S = 60.0  # how long a checked answer is reused; short enough to follow real DNS changes


def check_url(url: str) -> SplitResult:
    """Parse `url` and refuse what may never be fetched: bad syntax and non-http(s) schemes."""
    if not isinstance(url, str) or not url.strip():
        raise FetchProblem(Outcome.invalid_url, "the URL is empty")
    if any(ch in url for ch in "\r\n\t\x00") or url != url.strip():
        raise FetchProblem(Outcome.invalid_url, "the URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchProblem(Outcome.invalid_url, f"the URL cannot be parsed ({exc})") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise FetchProblem(Outcome.invalid_url, "the URL has no scheme: write it as https://host/path")
    if scheme in _UNSAFE_SCHEMES:
        raise FetchProblem(Outcome.unsafe_url, f"{scheme}: URLs are never fetched (only http and https)")
    if scheme not in ("http", "https"):
        raise FetchProblem(Outcome.unsupported, f"the {scheme}: scheme is not supported (only http and https)")
    if not parts.hostname:
        raise FetchProblem(Outcome.invalid_url, "the URL has no host")
    if parts.username or parts.password:
        raise FetchProblem(Outcome.unsafe_url, "URLs with credentials are never fetched")
    if port == 0:
        raise FetchProblem(Outcome.invalid_url, "the URL has port 0")
    return parts


def literal_ip(host: str) -> IPAddress | None:
    """The address a host name spells literally (any IPv4/IPv6 spelling), or None for a name."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Browsers and libc read "2130706433", "0x7f000001", "0177.0.0.1" and "127.1" as IPv4 too.
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # not :: or ::1
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why `ip` may not be contacted (e.g. "loopback"), or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.compressed.split("%")[0])  # drop a zone index
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return address_problem(inner, allow_private=allow_private)
    if any(ip in net for net in METADATA_NETWORKS if net.version == ip.version):
        return METADATA
    if allow_private:
        return None
    for label, flag in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not public", not ip.is_global),
    ):
        if flag:
            return label
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` with the system resolver (loop.getaddrinfo), without blocking the loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    """Checks hosts against the address rules and remembers the checked answers for a minute."""

    def __init__(self, resolver: Resolver | None = None, *, allow_private: bool = False):
        self.resolver = resolver or system_resolver
        self.allow_private = allow_private
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}

    async def check(self, host: str, port: int) -> None:
        """Raise unsafe_url when the host is or resolves to a refused address."""
        if self.allow_private:
            ip = literal_ip(host)
            if ip is not None and (problem := address_problem(ip, allow_private=True)):
                raise FetchProblem(Outcome.unsafe_url, f"{host} is {problem}")
            return  # nothing else to refuse: skip the DNS round trip, the connection checks again
        await self.addresses(host, port)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of `host` that may be contacted; raises unsafe_url if any may not."""
        host = host.strip("[]").lower()
        ip = literal_ip(host)
        if ip is not None:
            self._refuse_if_bad(host, [str(ip)])
            return [str(ip)]
        key = (host, port)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            found = await self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchProblem(Outcome.error, f"could not resolve {host} ({exc})") from None
        if not found:
            raise FetchProblem(Outcome.error, f"could not resolve {host} (no addresses)")
        # Every address must pass: a name with one good and one bad answer is refused outright.
        self._refuse_if_bad(host, found)
        self._cache[key] = (time.monotonic() + _DNS_TTL_S, found)
        return found

    def _refuse_if_bad(self, host: str, found: list[str]) -> None:
        for raw in found:
            try:
                ip = ipaddress.ip_address(raw.split("%")[0])
            except ValueError:
                raise FetchProblem(Outcome.unsafe_url, f"{host} resolved to an unreadable address {raw!r}") from None
            problem = address_problem(ip, allow_private=self.allow_private)
            if problem:
                where = host if host == raw else f"{host} resolves to {raw}, which"
                hint = (
                    "never contacted, whatever the settings"
                    if problem == METADATA
                    else "refused (ZYNTRO_ENRICH_ALLOW_PRIVATE=1 allows private addresses)"
                )
                raise FetchProblem(Outcome.unsafe_url, f"{where} is {problem}: {hint}")
