"""A small in-memory HTTP cache for the browser's sub-resources (scripts, JSON), as a browser keeps.

Only what the server marked cacheable is kept: a 200 answer to a GET with `Cache-Control: max-age`
(or s-maxage) and neither no-store, no-cache nor private, no Set-Cookie, no Vary beyond
Accept-Encoding. Entries expire when the server said, and the whole cache is bounded in bytes.
Documents are never cached: each page is always fetched, checked and paced afresh.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict

from agent.fetch.raw import RawResponse

__all__ = ["SubresourceCache"]

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_NEVER = re.compile(r"no-store|no-cache|private", re.IGNORECASE)


def _lifetime(resp: RawResponse) -> float:
    """Seconds the response may be reused for, 0 when it may not be."""
    control = resp.headers.get("cache-control", "")
    if resp.status != 200 or "set-cookie" in resp.headers or _NEVER.search(control):
        return 0.0
    vary = {v.strip().lower() for v in resp.headers.get("vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding"}:
        return 0.0
    ages = [int(m) for m in _MAX_AGE.findall(control)]
    return float(max(ages)) if ages else 0.0


class SubresourceCache:
    """URL -> response, least recently used dropped first once over `max_bytes`."""

    def __init__(self, max_bytes: int = 16 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._size = 0
        self._entries: OrderedDict[str, tuple[float, RawResponse]] = OrderedDict()

    def get(self, url: str) -> RawResponse | None:
        """The fresh cached response for `url`, if any."""
        entry = self._entries.get(url)
        if entry is None:
            return None
        expires, resp = entry
        if expires <= time.monotonic():
            self._drop(url)
            return None
        self._entries.move_to_end(url)
        return resp

    def put(self, url: str, resp: RawResponse) -> None:
        """Keep `resp` if the server allowed it."""
        lifetime = _lifetime(resp)
        if lifetime <= 0 or len(resp.body) > self.max_bytes // 4:
            return
        self._drop(url)
        self._entries[url] = (time.monotonic() + lifetime, resp)
        self._size += len(resp.body)
        while self._size > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, url: str) -> None:
        entry = self._entries.pop(url, None)
        if entry is not None:
            self._size -= len(entry[1].body)
