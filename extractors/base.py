"""The extractor interface, and the small helpers every source module shares.

An extractor declares its `name`, the URLs it `matches`, the `profile_source` label, whether it
`needs_browser`, and a pure `parse(page) -> Extraction`: no network, no clock, no LLM, no config.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar
from urllib.parse import urlsplit

from extractors.facts import FactBag
from extractors.models import Extraction, Outcome, Page, SourceKind, SubjectKind
from extractors.pages import Gate
from extractors.urls import host_of, on_domain

__all__ = ["FALLBACK", "SITE", "WEB", "Extractor", "host_in", "is_http", "refused", "result"]

# Routing tiers: site-specific extractors (matched by host) are tried first, then the web-wide
# heuristics (personal and company sites), then the generic fallback.
SITE, WEB, FALLBACK = 0, 1, 2


class Extractor(ABC):
    """One source. Built-ins and plugins alike are instances registered through extractors.registry."""

    name: ClassVar[str]
    profile_source: ClassVar[str]
    needs_browser: ClassVar[bool | None] = None  # None: let the fetcher decide
    tier: ClassVar[int] = SITE

    @abstractmethod
    def matches(self, url: str) -> bool:
        """True when this extractor handles the URL."""

    @abstractmethod
    def parse(self, page: Page) -> Extraction:
        """Turn a fetched page into facts. Pure: reads nothing but `page`."""

    def label_for(self, url: str) -> str:
        """The profile_source expected for a URL before its page is seen (the generic one names the site)."""
        return self.profile_source

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} -> {self.profile_source!r}>"


def is_http(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def host_in(url: str, domains: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one."""
    return is_http(url) and on_domain(host_of(url), domains) is not None


def refused(page: Page, name: str, profile_source: str, gate: Gate, kind: SourceKind = "generic") -> Extraction:
    """The extraction of a page that is not a profile: an outcome and a reason, nothing else."""
    return Extraction(
        url=page.url, extractor=name, profile_source=profile_source, outcome=gate.outcome, reason=gate.reason, kind=kind
    )


def result(
    page: Page,
    name: str,
    profile_source: str,
    subject: SubjectKind,
    bag: FactBag,
    links: list[str],
    text: str,
    reason: str = "",
    *,
    kind: SourceKind,
) -> Extraction:
    """An ok extraction; links are de-duplicated and kept to http(s)."""
    seen: list[str] = []
    own = {page.url.rstrip("/"), page.final_url.rstrip("/")}
    for link in links:
        if link and is_http(link) and link not in seen and link.rstrip("/") not in own:
            seen.append(link)
    return Extraction(
        url=page.url,
        extractor=name,
        profile_source=profile_source,
        outcome=Outcome.ok,
        reason=reason or f"{len(bag)} facts",
        subject=subject,
        kind=kind,
        facts=bag.facts(),
        text=text,
        links=seen,
    )
