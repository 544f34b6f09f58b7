"""Source URLs in one form: normalised once where they come in, then used as-is everywhere.

`HTTP://GitHub.com:80/ada` and `http://github.com/ada` are the same page; without one form the
extractors, the store (pages, revalidation, tracked contacts) and the payload's `source_url` would
each see a different string. The edge (the CLI's arguments, batch rows, the Python API, refresh's
stored URLs) calls `normalise_url`; nothing later changes a URL again.

What changes: the scheme and host are lower-cased, an international host becomes its IDNA
(punycode) form, the scheme's default port is dropped, surrounding whitespace is removed. Path,
query and fragment are kept exactly: many sites treat them case-sensitively. URLs that are not
http(s) or have no host are returned as given, so the fetcher can say why they are not fetched.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

import idna

__all__ = ["normalise_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# What a host name may hold once lower-cased (underscores occur in real, if non-standard, names).
_ASCII_HOST = re.compile(r"^[a-z0-9_.-]+$")
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")


def normalise_url(url: str) -> str:
    """The one form of `url`; ValueError saying what is wrong when it cannot be parsed at all."""
    text = url.strip()
    if _BAD_CHARS.search(text):
        # urlsplit silently deletes tabs and newlines; a URL holding them was not meant as written.
        raise ValueError("the URL contains whitespace or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the URL cannot be parsed ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    netloc = _userinfo(parts) + _normalised_host(parts)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return SplitResult(scheme, netloc, parts.path, parts.query, parts.fragment).geturl()


def _userinfo(parts: SplitResult) -> str:
    # kept as written: the fetcher refuses URLs with credentials and says so
    userinfo, at, _ = parts.netloc.rpartition("@")
    return userinfo + at


def _normalised_host(parts: SplitResult) -> str:
    """The host of a URL being normalised: IDNA (punycode) for an international one, IPv6 in brackets."""
    host = parts.hostname or ""  # urlsplit has lower-cased it and removed IPv6 brackets
    if ":" in host:
        return f"[{host}]"
    if host.isascii():
        if not _ASCII_HOST.match(host):
            raise ValueError(f"the host {host!r} is not a valid host name")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"the host {host!r} is not a valid international domain name ({exc})") from None
