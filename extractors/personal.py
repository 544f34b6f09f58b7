"""Personal sites and blogs: h-card, rel=me, schema.org Person.

Routing rule (URL only): any http(s) URL on personal hosting (extractors.sites.PERSONAL_HOSTS:
github.io, wordpress.com, ...). A personal site on its own domain is recognised by content instead:
the company and generic extractors label a page with a representative h-card, rel=me links or a
Person about the page "Personal Website" (see extractors.web).
"""

from __future__ import annotations

from extractors.base import WEB, Extractor, is_http
from extractors.models import Extraction, Page
from extractors.sites import is_personal_host
from extractors.web import parse_web

__all__ = ["PersonalExtractor"]


class PersonalExtractor(Extractor):
    """Personal home pages and blogs."""

    name = "personal"
    profile_source = "Personal Website"
    needs_browser = None
    tier = WEB

    def matches(self, url: str) -> bool:
        return is_http(url) and is_personal_host(url)

    def parse(self, page: Page) -> Extraction:
        return parse_web(page, "personal")
