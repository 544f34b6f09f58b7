"""An httpx transport whose connections go only to addresses that passed the safety check.

httpx resolves names itself when it connects; checking a name first and letting httpx resolve it
again leaves a window for DNS rebinding. Here the connection layer asks the `AddressGuard` for the
checked addresses and connects to those, so what was checked is what is contacted. TLS still
verifies the certificate against the host name (httpcore passes the origin host as SNI).
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

from agent.fetch.safety import AddressGuard

__all__ = ["PinnedTransport"]


class _PinnedBackend(AsyncNetworkBackend):
    """Connects to the guard's checked addresses for a host, trying each in turn."""

    def __init__(self, guard: AddressGuard):
        self._guard = guard
        self._inner = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> AsyncNetworkStream:
        addresses = await self._guard.addresses(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # addresses() never returns an empty list
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with the connection layer swapped for the pinned one."""

    def __init__(self, guard: AddressGuard, *, limits: httpx.Limits, verify: ssl.SSLContext | bool = True):
        super().__init__(verify=verify, trust_env=False, limits=limits)
        # httpx offers no public hook for the network backend; its transport is a thin wrapper
        # around this pool (httpx/_transports/default.py), so build the pool ourselves.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(guard),
        )
