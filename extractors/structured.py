"""Structured data embedded in a page: JSON-LD, microdata and RDFa Lite, all as plain dict nodes.

Every format comes out in JSON-LD's shape ({"@type": "Person", "name": ..., "worksFor": {...}}) so that
one mapping (extractors.schema) turns any of them into facts.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from lxml import etree

from extractors.facts import clean
from extractors.html import Document, element_text

__all__ = ["as_list", "jsonld_nodes", "microdata_items", "rdfa_items", "type_names"]

log = logging.getLogger(__name__)

_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def as_list(value: Any) -> list:
    """Wrap a scalar in a list; None becomes []."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def type_names(node: Any) -> set[str]:
    """Local, lower-cased type names of a node: 'http://schema.org/Person' -> {'person'}."""
    if not isinstance(node, dict):
        return set()
    names = set()
    for t in as_list(node.get("@type") or node.get("type")):
        if isinstance(t, str):
            names.add(t.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return names


def _load(text: str) -> Any:
    text = _CDATA.sub("", text.strip())
    try:  # strict=False: raw newlines inside strings are common (Bluesky's descriptions)
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        try:  # hand-written JSON-LD often has trailing commas
            return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or a number past int()'s digit limit
            log.debug("skipping invalid JSON-LD block: %s", exc)
            return None


def _resolve(node: Any, index: dict[str, dict], depth: int = 0) -> Any:
    """Replace {"@id": x} references with the node they name (bounded depth: graphs can be cyclic)."""
    if depth > 6:
        return node
    if isinstance(node, list):
        return [_resolve(n, index, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"@id"} and node["@id"] in index:
        return _resolve(index[node["@id"]], index, depth + 1)
    return {k: (_resolve(v, index, depth + 1) if isinstance(v, (dict, list)) else v) for k, v in node.items()}


def jsonld_nodes(doc: Document) -> list[dict]:
    """Top-level JSON-LD nodes (each @graph flattened), with @id references resolved."""
    return doc.memo("jsonld", _jsonld_nodes)


def _jsonld_nodes(doc: Document) -> list[dict]:
    raw: list[dict] = []
    for script in doc.root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        for item in as_list(_load(script.text)):
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                raw.extend(n for n in item["@graph"] if isinstance(n, dict))
            elif isinstance(item, dict):
                raw.append(item)
    index = {n["@id"]: n for n in raw if isinstance(n.get("@id"), str)}
    return [_resolve(n, index) for n in raw] if index else raw


def _nearest_scope(el: etree._Element, attr: str) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None:
        if parent.get(attr) is not None:
            return parent
        parent = parent.getparent()
    return None


def _item_value(el: etree._Element, doc: Document) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    if el.get("content") is not None:
        return clean(el.get("content"))
    href = el.get("href")
    if tag in {"a", "link", "area"} and href:
        if href.startswith(("tel:", "mailto:")) and element_text(el):
            return element_text(el)  # "+44 117 496 0321" as shown, not "tel:+441174960321"
        return doc.absolute(href)
    if tag in {"img", "audio", "video", "source", "iframe", "embed"} and el.get("src"):
        return doc.absolute(el.get("src"))
    if tag == "time" and el.get("datetime"):
        return clean(el.get("datetime"))
    if tag in {"data", "meter"} and el.get("value"):
        return clean(el.get("value"))
    return element_text(el)


def _items(doc: Document, scope_attr: str, type_attr: str, prop_attr: str, label: str) -> list[dict]:
    scopes = doc.root.xpath(f"//*[@{scope_attr}]")
    if not scopes:
        return []
    built: dict[etree._Element, dict] = {}
    for scope in scopes:
        types = [t.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in (scope.get(type_attr) or "").split()]
        built[scope] = (
            {"@type": types[0] if len(types) == 1 else types, "@format": label} if types else {"@format": label}
        )
    for el in doc.root.xpath(f"//*[@{prop_attr}]"):
        if el.tag == "meta" and el.getparent() is not None and el.getparent().tag == "head":
            continue  # OpenGraph's property="og:..." is read as meta, not as RDFa
        owner = _nearest_scope(el, scope_attr)
        if owner is None or owner not in built:
            continue
        value: Any = built[el] if el in built else _item_value(el, doc)
        for name in (el.get(prop_attr) or "").split():
            name = name.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            built[owner].setdefault(name, []).append(value)
    tops = [el for el in scopes if el.get(prop_attr) is None]
    return [_flatten(built[el]) for el in tops]


def _flatten(item: dict) -> dict:
    out = {}
    for key, value in item.items():
        if isinstance(value, list) and key not in {"@type"}:
            values = [_flatten(v) if isinstance(v, dict) else v for v in value if v not in ("", None)]
            if values:
                out[key] = values[0] if len(values) == 1 else values
        else:
            out[key] = value
    return out


def microdata_items(doc: Document) -> list[dict]:
    """Top-level microdata items (itemscope without itemprop), nested items as dict values."""
    return doc.memo("microdata", lambda d: _items(d, "itemscope", "itemtype", "itemprop", "microdata"))


def rdfa_items(doc: Document) -> list[dict]:
    """Top-level RDFa Lite items (typeof without property), read with schema.org in mind."""
    return doc.memo("rdfa", lambda d: _items(d, "typeof", "typeof", "property", "rdfa"))
