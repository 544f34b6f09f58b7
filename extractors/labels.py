"""Profile details a page labels, in words or with an icon: "Location: Berlin", "Work | Engineer at Acme",
an SVG map pin before "Lagos, Nigeria", a calendar icon before "Joined on Jun 4, 2019".

Profile headers across sites (code hosts, Q&A sites, blogs, social networks) present the same few details
this way; reading the label (a word, an icon's <title>, aria-label, class or test id) rather than a
site's layout keeps the rule site-independent.
"""

from __future__ import annotations

import re

from lxml import etree

from extractors.facts import FactBag, clean
from extractors.html import Document, element_text
from extractors.lines import text_lines

__all__ = ["icon_labelled", "labelled_details", "split_role"]

# Label words (also icon names) -> the fact they introduce.
_WORDS = {
    "location": (
        "location",
        "map-pin",
        "mappin",
        "map-marker",
        "marker",
        "geo",
        "place",
        "from",
        "based in",
        "lives in",
        "city",
        "lieu",
        "ort",
        "standort",
        "wohnort",
        "ubicación",
        "localização",
    ),
    "joined_date": ("joined", "calendar", "member since", "member-since", "created", "cake", "since"),
    "website": ("website", "link", "url", "globe", "homepage", "site web", "webseite", "sitio web"),
    "employer": (
        "work",
        "works at",
        "company",
        "organization",
        "organisation",
        "employer",
        "briefcase",
        "office",
        "building",
        "arbeit",
        "empresa",
        "entreprise",
    ),
    "education": ("education", "school", "studied at", "ausbildung", "formación"),
}
_DATE = re.compile(
    r"(?:(?:joined|member since|since)(?: on)?\s+)?(?P<date>(?:[A-Z][a-z]{2,8}\.?\s+)?"
    r"(?:\d{1,2},?\s+)?(?:19|20)\d\d(?:-\d\d-\d\d)?)\b",
    re.I,
)
_ISO = re.compile(r"^((?:19|20)\d\d-\d\d-\d\d)")
_ROLE_AT = re.compile(r"^(?P<role>.{2,60}?)\s+(?:at|@|bei|chez|en|presso|na|bij)\s+(?P<org>[A-Z0-9@][^,;|]{1,60})$")
_MAX_VALUE = 80


_LOOKUP = {w: key for key, words in _WORDS.items() for w in words}


def _key_for(label: str) -> str | None:
    """The fact a label introduces: the whole label, or its first or last word(s) ('icon-map-pin')."""
    label = label.strip().lower().rstrip(":")
    if len(label) > 40:
        return None
    if label in _LOOKUP:
        return _LOOKUP[label]
    words = re.split(r"[-\s_]+", label)
    for candidate in (" ".join(words[:2]), "-".join(words[-2:]), " ".join(words[-2:]), words[0], words[-1]):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    return None


def split_role(text: str) -> tuple[str, str] | None:
    """'Senior Engineer at Paystride' -> ('Senior Engineer', 'Paystride'); None when it is not that shape."""
    match = _ROLE_AT.match(clean(text))
    return (match.group("role"), match.group("org").lstrip("@").strip()) if match else None


def _offer(bag: FactBag, key: str, value: str, evidence: str, holder: etree._Element | None = None) -> None:
    value = clean(value)
    if not value or len(value) > _MAX_VALUE:
        return
    if key == "joined_date":
        stamped = holder.xpath(".//@datetime | .//@title") if holder is not None else []
        iso = next((found.group(1) for s in stamped if (found := _ISO.match(s))), "")
        match = _DATE.search(value)
        value = iso or (match.group("date") if match else "")
    elif key == "employer" and (role_at := split_role(value)):
        role, value = role_at  # "Senior Frontend Engineer at Paystride"
        bag.add("job_title", role, evidence, "text")
    elif key == "location" and not value[0].isupper():
        return
    bag.add(key, value, evidence, "text")


def _icon_label(icon: etree._Element) -> str:
    title = icon.find("{http://www.w3.org/2000/svg}title")
    title = title if title is not None else icon.find("title")
    words = [title.text if title is not None else "", icon.get("aria-label") or "", icon.get("data-testid") or ""]
    words += [c.removeprefix("icon").removeprefix("octicon-") for c in (icon.get("class") or "").split()]
    return " ".join(w for w in words if w)


def icon_labelled(doc: Document, bag: FactBag) -> None:
    """Values that follow an icon naming them (an SVG map pin, a calendar, a link symbol)."""
    for icon in doc.xpath("//body//*[local-name()='svg'] | //body//i[@class] | //body//span[@aria-label]")[:300]:
        label = _icon_label(icon)
        key = next((k for k in (_key_for(w) for w in re.split(r"[\s_]+", label) if w) if k), None)
        holder = icon.getparent()
        if key is None or holder is None:
            continue
        _offer(bag, key, element_text(holder), f"{label.strip()[:30]}: {element_text(holder)}", holder)


def labelled_details(doc: Document, bag: FactBag) -> None:
    """'Location: Berlin' on one line, or a label line followed by its value line ('Work', 'Engineer at X')."""
    lines = text_lines(doc)[:400]
    for i, line in enumerate(lines):
        label, colon, rest = line.partition(":")
        key = _key_for(label) if len(label) <= 20 else None
        if key and colon and rest.strip():
            _offer(bag, key, rest, line)
        elif (line_key := _key_for(line)) and len(line) <= 20 and i + 1 < len(lines) and not _key_for(lines[i + 1]):
            _offer(bag, line_key, lines[i + 1], f"{line}: {lines[i + 1]}")
