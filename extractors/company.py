"""Company websites: home, about, team and contact pages on a company's own domain.

Routing rule (URL only): an http(s) URL whose path is one of COMPANY_PATHS, on a host that is not a
known platform (extractors.sites.KNOWN_SITES) nor personal hosting. The content then decides the label:
an h-card / rel=me / Person about the page makes it a "Personal Website" after all (a person's home
page at "/"), anything else stays "Company Website" (see extractors.web).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extractors.base import WEB, Extractor, is_http
from extractors.models import Extraction, Page
from extractors.sites import is_personal_host, is_platform
from extractors.web import parse_web

__all__ = ["COMPANY_PATHS", "CompanyExtractor"]

# Paths (lower-cased, without locale prefixes, a trailing slash or an extension) that are about the
# company itself, in the languages company sites are most often written in.
COMPANY_PATHS = frozenset(
    {
        "",
        "/about",
        "/about-us",
        "/aboutus",
        "/company",
        "/team",
        "/our-team",
        "/people",
        "/leadership",
        "/management",
        "/contact",
        "/contact-us",
        "/contactus",
        "/imprint",
        "/impressum",
        "/who-we-are",
        "/index",
        "/home",
        "/our-story",
        "/story",
        "/history",
        "/mission",
        "/legal-notice",
        "/legal",
        "/offices",
        "/locations",
        "/ueber-uns",
        "/uber-uns",
        "/über-uns",
        "/unternehmen",
        "/kontakt",
        "/firma",
        "/wir",
        "/team-und-kontakt",
        "/quienes-somos",
        "/sobre-nosotros",
        "/empresa",
        "/contacto",
        "/equipo",
        "/nosotros",
        "/aviso-legal",
        "/a-propos",
        "/qui-sommes-nous",
        "/societe",
        "/equipe",
        "/mentions-legales",
        "/chi-siamo",
        "/azienda",
        "/contatti",
        "/over-ons",
        "/over",
        "/bedrijf",
        "/sobre",
        "/sobre-nos",
        "/quem-somos",
        "/om-oss",
        "/om-os",
        "/o-nas",
        "/kontakty",
    }
)
_LOCALE = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$", re.I)


def company_path(url: str) -> bool:
    """True when the URL's path (after any '/en/' or '/US/en/' locale prefix) is one of the company-ish paths."""
    path = urlsplit(url).path.lower().rstrip("/")
    path = path.rsplit(".", 1)[0] if path.endswith((".html", ".htm", ".php", ".aspx", ".asp")) else path
    segments = [s for s in path.split("/") if s]
    while segments and _LOCALE.match(segments[0]) and len(segments) <= 3:
        segments = segments[1:]
    return "/" + "/".join(segments) in COMPANY_PATHS or ("/" + "/".join(segments)).rstrip("/") in COMPANY_PATHS


class CompanyExtractor(Extractor):
    """A company's own site (home, about, team, contact)."""

    name = "company"
    profile_source = "Company Website"
    needs_browser = None
    tier = WEB

    def matches(self, url: str) -> bool:
        return is_http(url) and company_path(url) and not is_platform(url) and not is_personal_host(url)

    def parse(self, page: Page) -> Extraction:
        return parse_web(page, "company")
