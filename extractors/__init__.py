"""Per-source extractors: pure functions from a Page to an Extraction.

One module per source (linkedin, twitter, github, company, personal, generic), found through one
registry (extractors.registry); shared layers live in html, structured, schema, mf, layers, pages, text.
"""

from extractors.base import Extractor
from extractors.identity import score_identity
from extractors.registry import extractors, register, route

__all__ = ["Extractor", "extractors", "register", "route", "score_identity"]
