"""The one registry of extractors. Built-ins come in through the same door as plugins.

Plugins are Python entry points in the group `zyntro_enrich.extractors`, each naming an Extractor
class or instance. Routing tries site-specific extractors first (in registration order), then the
web-wide heuristics, then the generic fallback, which takes any http(s) URL.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from extractors.base import Extractor

__all__ = ["BUILTINS", "ENTRY_POINT_GROUP", "extractors", "register", "reset", "route", "unregister"]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "zyntro_enrich.extractors"
# Built-ins, most specific first; each is loaded exactly like a plugin entry point.
BUILTINS = (
    "extractors.linkedin:LinkedInExtractor",
    "extractors.twitter:TwitterExtractor",
    "extractors.github:GitHubExtractor",
    "extractors.personal:PersonalExtractor",
    "extractors.company:CompanyExtractor",
    "extractors.generic:GenericExtractor",
)

_registry: list[Extractor] = []
_loaded = False


def _instance(obj: object) -> Extractor:
    extractor = obj() if isinstance(obj, type) else obj
    for attr in ("name", "profile_source", "matches", "parse"):
        if not hasattr(extractor, attr):
            raise TypeError(
                f"{extractor!r} is not an extractor: it has no {attr!r} (subclass extractors.base.Extractor)"
            )
    return extractor  # type: ignore[return-value]


def _load(spec: str) -> object:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for spec in BUILTINS:
        register(_load(spec))
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = point.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the built-ins down
            log.warning("extractor plugin %s could not be loaded (%s); fix or uninstall it", point.value, exc)
            continue
        register(target)


def register(extractor: object) -> None:
    """Add an extractor (instance or class); a name already registered raises ValueError."""
    _ensure_loaded()
    item = _instance(extractor)
    clash = next((e for e in _registry if e.name == item.name), None)
    if clash is not None:
        raise ValueError(
            f"an extractor named {item.name!r} is already registered ({clash!r}); give the new one a different name"
        )
    _registry.append(item)
    log.debug("registered extractor %r", item)


def unregister(name: str) -> None:
    """Remove an extractor by name (plugins being reloaded, tests)."""
    _ensure_loaded()
    _registry[:] = [e for e in _registry if e.name != name]


def reset() -> None:
    """Forget every registration; built-ins and installed plugins load again on next use."""
    global _loaded
    _registry.clear()
    _loaded = False


def extractors() -> list[Extractor]:
    """Every registered extractor, in routing order."""
    _ensure_loaded()
    return sorted(_registry, key=lambda e: getattr(e, "tier", 0))


def route(url: str) -> Extractor:
    """The extractor for a URL: most specific first, generic last. ValueError when none applies."""
    for extractor in extractors():
        if extractor.matches(url):
            return extractor
    raise ValueError(f"no extractor handles {url!r}: give an absolute http:// or https:// URL")
