"""Recorded pages served instead of the network (settings.fetch.replay_dir).

The directory holds `index.json`, mapping each URL to its recording:

    {"https://example.com/about": {"file": "example/about.html", "status": 200,
                                   "content_type": "text/html", "headers": {"etag": "\\"v1\\""}}}

`file` is relative to the directory. A URL not in the index answers 404. robots.txt is looked up
like any other URL ("<scheme>://<host>/robots.txt"); when absent, everything is allowed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from agent.fetch.raw import RawResponse

__all__ = ["NOT_IN_REPLAY", "ReplayStore"]

log = logging.getLogger(__name__)
NOT_IN_REPLAY = "not in the replay directory"


def _normal(url: str) -> str:
    """The URL without fragment and with "/" for an empty path, so equivalent spellings match."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


class ReplayStore:
    """Looks recorded responses up by URL, with optional simulated latency."""

    def __init__(self, directory: Path, *, latency_s: float = 0.0):
        self.directory = Path(directory)
        self.latency_s = latency_s
        index_path = self.directory / "index.json"
        try:
            raw = json.loads(index_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"{index_path} does not exist: point replay_dir at a recorded directory") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{index_path} is not valid JSON ({exc}): fix or re-record it") from None
        if not isinstance(raw, dict):
            raise ValueError(f"{index_path} must map URLs to recordings")
        self._index = {_normal(url): entry for url, entry in raw.items()}

    def __contains__(self, url: str) -> bool:
        return _normal(url) in self._index

    async def get(self, url: str) -> RawResponse | None:
        """The recorded response for `url`, or None when the URL was not recorded."""
        if self.latency_s > 0:
            await asyncio.sleep(self.latency_s)  # simulated network latency, never blocking
        entry = self._index.get(_normal(url))
        if entry is None:
            return None
        headers = {str(k).lower(): str(v) for k, v in (entry.get("headers") or {}).items()}
        headers.setdefault("content-type", entry.get("content_type", "text/html"))
        body = b""
        if entry.get("file"):
            path = (self.directory / entry["file"]).resolve()
            if not path.is_relative_to(self.directory.resolve()):
                log.warning("replay entry for %s points outside the replay directory; ignored", url)
                return None
            body = await asyncio.to_thread(path.read_bytes)
        return RawResponse(url=url, status=int(entry.get("status", 200)), headers=headers, body=body, source="replay")

    def robots_url(self, url: str) -> str:
        """Where the robots.txt of `url`'s host is recorded."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"
