"""Batch columns: which CSV header or JSONL key means what, and how a cell becomes URLs.

Names are compared without case, spaces, `-` or `_` ("Contact ID", "contact_id" and "contactid" are
one name). A column is a contact field through one of the aliases in `FIELDS`, or a URL column: its
name ends in `url`/`urls`, is `links`, or names a source (LinkedIn, GitHub, Twitter/X, Website...).
A URL cell may hold several URLs separated by whitespace, `|`, `;` or `,` (a `;` or `,` inside a
URL's path stays, unless a new `scheme://` or `www.` follows it). In a source column a bare handle
becomes that source's URL (GitHub `octocat`, X `@jack`, LinkedIn `ada-quinlan` -> /in/); in any URL
column a bare domain (`example.com/about`) gets `https://`. Anything else is passed on as written,
so the fetcher reports it as an invalid URL instead of it vanishing.

Light on purpose: `enrich --help` builds its column list from this module.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

__all__ = [
    "FIELDS",
    "SOURCES",
    "Column",
    "accepted",
    "classify",
    "contact_row",
    "help_text",
    "key",
    "split_urls",
    "to_url",
]

# Contact fields and their accepted names, best first: when a row fills two of them (Email and
# Work Email), the first one listed wins. `place` columns are joined ("Lisbon, Portugal") and used
# when there is no location; `first_name` + `last_name` are joined when there is no name.
FIELDS: dict[str, tuple[str, ...]] = {
    "contact_id": ("contact_id", "Contact ID", "id", "uuid", "Contact UUID", "Zyntro ID", "Zyntro Contact ID"),
    "name": ("name", "Full Name", "Contact Name", "Display Name"),
    "first_name": ("First Name", "Given Name", "First"),
    "last_name": ("Last Name", "Surname", "Family Name", "Last"),
    "email": ("email", "E-mail", "Work Email", "Email Address", "Business Email", "Mail"),
    "company": (
        "company",
        "Company Name",
        "Organization",
        "Organisation",
        "Org",
        "Account",
        "Account Name",
        "Employer",
    ),
    "location": ("location",),
    "place": ("City", "Town", "Region", "Province", "Country"),
}
# Source names a URL column may carry, before a suffix such as "url", "profile" or "handle".
SOURCES = {
    "linkedin": "linkedin",
    "twitter": "x",
    "x": "x",
    "github": "github",
    "website": "web",
    "homepage": "web",
    "site": "web",
    "web": "web",
    "blog": "web",
}
_SOURCE_SUFFIXES = ("profileurls", "profileurl", "profile", "urls", "url", "handle", "username", "links", "link")
_GENERIC = {"urls", "links", "link", "profiles", "profileurls"}
_PLACEHOLDERS = {"-", "--", "n/a", "none", "null"}  # what CRM exports write into an empty cell

_HANDLES = {
    "github": (re.compile(r"@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})/?"), "https://github.com/{}"),
    "x": (re.compile(r"@?([A-Za-z0-9_]{1,15})"), "https://x.com/{}"),
    "linkedin": (
        re.compile(r"/?((?:in|company|pub)/[^\s/?#]+|[A-Za-z0-9][A-Za-z0-9_-]{1,99})/?"),
        "https://www.linkedin.com/{}",
    ),
}
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?::\d{1,5})?(?:[/?#]\S*)?")
_NEW_URL = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)")


def key(name: str) -> str:
    """The form names are compared in: lower case, without whitespace, '-' or '_'."""
    return re.sub(r"[\s_-]+", "", str(name)).lower()


_ALIASES: dict[str, tuple[str, int]] = {}  # key -> (field, rank)
for _field, _names in FIELDS.items():
    for _rank, _alias in enumerate(_names):
        _ALIASES.setdefault(key(_alias), (_field, _rank))


@dataclass(frozen=True)
class Column:
    """What one header or key means: a contact `field`, or a URL column of a `source` ("url" if none)."""

    name: str
    field: str | None = None
    source: str | None = None
    rank: int = 0


def classify(name: str) -> Column | None:
    """The meaning of a column name, or None when enrich does not use it."""
    k = key(name)
    if k in _ALIASES:
        field, rank = _ALIASES[k]
        return Column(name=name, field=field, rank=rank)
    stem = next((k[: -len(s)] for s in _SOURCE_SUFFIXES if k.endswith(s) and len(k) > len(s)), k)
    if stem in SOURCES:
        return Column(name=name, source=SOURCES[stem])
    if stem.endswith(("website", "homepage", "site", "blog")):  # "Company Website", "Personal Site"
        return Column(name=name, source="web")
    if k in _GENERIC or k.endswith(("url", "urls")):
        return Column(name=name, source="url")
    return None


def split_urls(cell: str) -> list[str]:
    """The URLs written in one cell, split on whitespace, '|', ';' and ','."""
    out: list[str] = []
    for piece in re.split(r"[\s|]+", cell):
        parts = re.split(r"([;,])", piece)
        current = parts[0]
        for sep, nxt in zip(parts[1::2], parts[2::2], strict=True):
            # "https://a.example/x,y" keeps its comma: it sits in a path and no new URL follows it
            if nxt and "/" in current.partition("://")[2] and not _NEW_URL.match(nxt):
                current += sep + nxt
            else:
                out.append(current)
                current = nxt
        out.append(current)
    return [u for u in out if u and u.lower() not in _PLACEHOLDERS]


def to_url(value: str, source: str) -> str:
    """`value` as a URL: a handle in a source column or a bare domain made whole, else as written."""
    if "://" in value or value.startswith("//"):
        return value
    if _DOMAIN.fullmatch(value):
        return "https://" + value
    handle = _HANDLES.get(source)
    if handle is not None:
        found = handle[0].fullmatch(value)
        if found:
            slug = found.group(1)
            return handle[1].format(slug if "/" in slug or source != "linkedin" else f"in/{slug}")
    return value


def _urls(column: Column, value: object) -> list[str]:
    cells = [value] if isinstance(value, str) else value
    if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
        raise ValueError(f"{column.name} must be a URL or a list of URLs (strings)")
    out = []
    for cell in cells:
        found = split_urls(cell)
        # a handle only where the cell holds one item: "Ada Quinlan" in a LinkedIn column is not two profiles
        source = column.source if len(found) == 1 else "url"
        out += [to_url(u, source or "url") for u in found]
    return out


def contact_row(cells: list[tuple[Column, object]]) -> dict:
    """One row's cells as {contact_id, name, email, company, location, urls}: aliases resolved, URLs made."""
    values: dict[str, list[tuple[int, str]]] = {}
    urls: list[str] = []
    for column, value in cells:
        if column.source is not None:
            urls += _urls(column, value) if value not in (None, "") else []
        elif isinstance(value, (dict, list)):
            raise ValueError(f"{column.name} must be text, not a JSON {type(value).__name__}")
        elif column.field is not None and value is not None and str(value).strip():  # classify sets one of the two
            values.setdefault(column.field, []).append((column.rank, str(value).strip()))
    best = {f: [v for _, v in sorted(found, key=lambda rv: rv[0])] for f, found in values.items()}
    row: dict[str, str | list[str]] = {
        f: best[f][0] for f in ("contact_id", "name", "email", "company", "location") if f in best
    }
    if "name" not in row and (best.get("first_name") or best.get("last_name")):
        row["name"] = " ".join(best.get("first_name", [])[:1] + best.get("last_name", [])[:1])
    if "location" not in row and best.get("place"):
        row["location"] = ", ".join(dict.fromkeys(best["place"]))
    row["urls"] = list(dict.fromkeys(urls))
    return row


def accepted(field: str) -> str:
    """The accepted names of a field, for messages."""
    if field == "urls":
        return (
            "urls, links, any name ending in 'url', or a source: LinkedIn, GitHub, Twitter, X, Website, Homepage, Site"
        )
    return ", ".join(FIELDS[field])


def help_text() -> str:
    """The column list and examples shown by `enrich --help`."""
    rows = [
        ("contact id", accepted("contact_id") + "  (required)"),
        ("name", accepted("name") + ", or First Name + Last Name"),
        ("email", accepted("email")),
        ("company", accepted("company")),
        ("location", "location, or " + " / ".join(FIELDS["place"]) + " (joined)"),
        (
            "URLs",
            "urls, links, any column ending in 'url', or a source column: LinkedIn, GitHub, "
            "Twitter, X, Website, Homepage, Site  (at least one)",
        ),
    ]
    table = "\n".join(
        textwrap.fill(names, width=98, initial_indent=f"  {label:<12} ", subsequent_indent=" " * 15)
        for label, names in rows
    )
    return f"""batch files (--batch FILE, or --batch - for stdin):
CSV with a header line, or JSONL (one JSON object a line, same names as keys); the format is read
from the content, not the file name. Names are matched ignoring case, spaces, '-' and '_':
{table}
A URL cell may hold several URLs separated by spaces, ';', ',' or '|'. In a source column a handle
becomes its URL (GitHub 'octocat', X '@jack', LinkedIn 'ada-quinlan'); a bare domain gets https://.
Other columns are ignored, with one warning naming them.

example contacts.csv:
  Contact ID,Full Name,Work Email,Company Name,GitHub,Website
  31eed418-6d4c-5035-a8f6-662f40954be2,Ada Quinlan,ada@quillmetrics.example,Quillmetrics,adaquinlan,quillmetrics.example
example contacts.jsonl:
  {{"contact_id": "31eed418-6d4c-5035-a8f6-662f40954be2", "name": "Ada Quinlan", "urls": ["https://github.com/adaquinlan"]}}

  zyntro-enrich enrich --batch contacts.csv --dry-run
  crm-export | zyntro-enrich enrich --batch - --review
"""
