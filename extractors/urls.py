"""Hosts of URLs: the one "host of a URL" and the one "is this host on one of these domains" check.

Pure string work (no DNS, no I/O), shared by the extractors (routing, platforms, personal hosting)
and the agent (robots overrides, politeness exemptions, the do-not-enrich list, review's links).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["host_of", "on_domain"]


def host_of(url: str) -> str:
    """The lower-cased host of a URL ('' when there is none, or when the URL cannot be parsed)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1" and friends
        return ""


def on_domain(host: str, domains: Iterable[str]) -> str | None:
    """The first of `domains` that `host` is, or is a subdomain of; None when it is on none.

    Case and a trailing dot do not matter; a domain may be written "example.com", ".example.com" or
    "*.example.com" (all mean the domain and its subdomains). "notexample.com" is not on "example.com".
    """
    host = host.lower().rstrip(".")
    if not host:
        return None
    for domain in domains:
        domain = domain.lower().strip().lstrip("*").lstrip(".").rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return domain
    return None
