"""Per-source extractors: pure functions from a Page to an Extraction."""
