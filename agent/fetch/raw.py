"""One HTTP response as the fetch engines pass it around, and how its body becomes text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["HTML_TYPES", "RawResponse", "is_html_type"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def is_html_type(content_type: str | None) -> bool:
    """True for HTML media types, and for a missing type (servers that send none mostly send HTML)."""
    if not content_type:
        return True
    return content_type.split(";")[0].strip().lower() in HTML_TYPES


@dataclass
class RawResponse:
    """A response: where it came from, its status, lower-cased headers and the (bounded) body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    source: str = "http"  # "http" or "replay"

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if any."""
        return self.headers.get("content-type")

    @property
    def location(self) -> str | None:
        """The Location header of a redirect, if any."""
        return self.headers.get("location")

    def text(self) -> str:
        """The body decoded: header charset, else <meta charset>, else UTF-8 (bad bytes replaced)."""
        charset = None
        if self.content_type and (header := _HEADER_CHARSET.search(self.content_type)):
            charset = header.group(1)
        elif meta := _META_CHARSET.search(self.body[:4096]):
            charset = meta.group(1).decode("ascii", "replace")
        for candidate in (charset, "utf-8"):
            if not candidate:
                continue
            try:
                return self.body.decode(candidate, "replace")
            except LookupError:
                continue
        return self.body.decode("utf-8", "replace")
