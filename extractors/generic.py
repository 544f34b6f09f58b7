"""Any other http(s) page, labelled with the site's own name (og:site_name, a known platform's name,
or the registrable domain). Always matches, always last.

Profiles on platforms without a module of their own (Medium, Instagram, Bluesky, Vimeo, ...) are read
from JSON-LD, OpenGraph profile tags ("profile:username"), "Name (@handle)" titles and counts in the
meta description; a page with an h-card, rel=me or Person about it is a "Personal Website" (see
extractors.web).
"""

from __future__ import annotations

from extractors.base import FALLBACK, Extractor, is_http
from extractors.html import registrable_domain
from extractors.models import Extraction, Page
from extractors.sites import platform_name
from extractors.urls import host_of
from extractors.web import parse_web

__all__ = ["GenericExtractor"]


class GenericExtractor(Extractor):
    """The fallback for every other page."""

    name = "generic"
    profile_source = "Website"  # the real label is decided per page: see label_for and parse
    needs_browser = None
    tier = FALLBACK

    def matches(self, url: str) -> bool:
        return is_http(url)

    def label_for(self, url: str) -> str:
        """A known platform's name, else the registrable domain ('example.org')."""
        return platform_name(url) or registrable_domain(host_of(url)) or self.profile_source

    def parse(self, page: Page) -> Extraction:
        return parse_web(page, "generic")
