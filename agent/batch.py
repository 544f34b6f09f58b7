"""Batch input files: CSV with a header line, or JSONL (one JSON object a line), one contact a row.

The format is read from the content, not the file name: JSONL when it starts with `{` (a JSON array
of objects, starting with `[`, is read the same way), else CSV, its separator (`,` `;` tab `|`)
taken from the header line. Column names and keys go through agent.batch_columns (aliases such as
`Contact ID`, `Work Email`, `LinkedIn`; several URLs in a cell; handles made into URLs).

Bad rows (a missing or malformed id, no URLs, bytes that are not UTF-8, broken or too deeply nested
JSON, more cells than the header names) are reported with their line number and skipped; the rest
runs. A file that cannot be read as a whole (a header with no contact id or no URL column, a CSV
field over the csv module's limit) is refused with a UsageError. `-` reads the batch from stdin.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from agent.batch_columns import Column, accepted, classify, contact_row
from agent.errors import UsageError
from agent.models import Contact

__all__ = ["BatchFile", "BatchItem", "read_batch", "batch_key"]

_HINTS = ("name", "email", "company", "location")


@dataclass
class BatchItem:
    contact: Contact
    urls: list[str]
    line: int = 0
    review: bool = False  # this contact's profiles go through review even when the run posts


@dataclass
class BatchFile:
    items: list[BatchItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: what is wrong"
    warnings: list[str] = field(default_factory=list)  # e.g. the columns that were ignored


Cells = list[tuple[Column, object]]


def _item(cells: Cells, line: int) -> BatchItem:
    row = contact_row(cells)
    raw_id = str(row.get("contact_id") or "").strip()
    if not raw_id:
        raise ValueError(
            "the contact id is empty"
            if _has(cells, "contact_id")
            else f"no contact id (keys found: {_names(cells) or 'none'}; accepted: {accepted('contact_id')})"
        )
    try:
        UUID(raw_id)
    except ValueError:
        raise ValueError(f"contact_id {raw_id!r} is not a UUID") from None
    if not row["urls"]:
        raise ValueError(
            "no URLs given"
            if _has(cells, "urls")
            else f"no URLs (keys found: {_names(cells) or 'none'}; accepted: {accepted('urls')})"
        )
    hints = {k: row[k] for k in _HINTS if k in row}
    try:
        contact = Contact(contact_id=raw_id, **hints)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None
    return BatchItem(contact=contact, urls=row["urls"], line=line)


def _has(cells: Cells, wanted: str) -> bool:
    return any((c.source is not None) if wanted == "urls" else c.field == wanted for c, _ in cells)


def _names(cells: Cells) -> str:
    return ", ".join(_shown(c.name) for c, _ in cells)


def _shown(name: str) -> str:
    """A column name safe to print: control characters and undecodable bytes escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c) & 0xFF:02x}" for c in str(name))[:80]


# Bytes that are not UTF-8 are decoded to lone surrogates (surrogateescape), so one bad row can be
# named and skipped instead of the whole file failing to decode.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _not_utf8(*values: object) -> str | None:
    """'byte 0xf6' for the first byte in `values` that was not UTF-8, else None."""
    for value in values:
        for text in value if isinstance(value, list) else [value]:
            found = _NOT_UTF8.search(text) if isinstance(text, str) else None
            if found:
                return f"byte 0x{ord(found.group()) - 0xDC00:02x}"
    return None


def _utf8_error(where: str) -> ValueError:
    return ValueError(f"not valid UTF-8 ({where}): save the file as UTF-8")


def _delimiter(text: str) -> str:
    """The separator the header line uses most (',' when it holds none of them)."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")  # the header line
    counts = {d: first.count(d) for d in ",;\t|"}
    best = max(counts, key=counts.__getitem__)  # on a tie the first listed, ','
    return best if counts[best] else ","


def _header(header: list[str], name: str, out: BatchFile) -> list[Column | None]:
    """The meaning of each column; UsageError when there is no contact id or no URL column."""
    bad = _not_utf8(*header)
    if bad:
        raise UsageError(f"{name} line 1: the header line is not valid UTF-8 ({bad}): save the file as UTF-8")
    columns = [classify(h) if h.strip() else None for h in header]
    missing = [
        what
        for what, found in (
            ("contact id column", any(c and c.field == "contact_id" for c in columns)),
            ("URL column", any(c and c.source for c in columns)),
        )
        if not found
    ]
    if missing:
        found = ", ".join(_shown(h) for h in header[:30] if h.strip()) or "none"
        raise UsageError(
            f"{name}: the header line has no {' and no '.join(missing)} (columns found: {found}); "
            f"contact id: {accepted('contact_id')}; URLs: {accepted('urls')} "
            "(see zyntro-enrich enrich --help)"
        )
    unknown = [_shown(h) for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if unknown:
        out.warnings.append(f"{name}: ignored columns that enrich does not use: {', '.join(unknown)}")
    return columns


def _rows_csv(text: str, name: str, out: BatchFile):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _header(next((r for r in reader if any(c.strip() for c in r)), []), name, out)
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            bad = _not_utf8(*cells)
            extra = [c for c in cells[len(columns) :] if c.strip()]
            if bad or extra:
                yield (
                    f"line {reader.line_num}",
                    _utf8_error(bad)
                    if bad
                    else ValueError(
                        f"{len(cells)} cells but the header names {len(columns)}: put a cell that holds the "
                        "separator in double quotes"
                    ),
                )
                continue
            yield (
                f"line {reader.line_num}",
                [(c, cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c is not None],
            )
    except csv.Error as exc:
        raise UsageError(f"{name} line {reader.line_num}: {_csv_problem(exc)}") from None


def _csv_problem(exc: csv.Error) -> str:
    limit = csv.field_size_limit()
    if "field limit" in str(exc):
        return (
            f"a field is longer than {limit:,} characters, so the file is refused: contact rows are far "
            "shorter; look for an unclosed quote before this line, which runs on to the end of the file"
        )
    return f"the CSV cannot be read ({exc}): fix the quoting on this line"


def _cells(row: object, unknown: dict[str, None]) -> Cells | ValueError:
    """A JSON object's keys through the same names as CSV columns; unknown keys are collected."""
    if not isinstance(row, dict):
        return ValueError("each line must be a JSON object")
    cells = []
    for k, value in row.items():
        column = classify(k)
        if column is None:
            unknown.setdefault(_shown(k))
        else:
            cells.append((column, value))
    return cells


def _rows_jsonl(text: str, unknown: dict[str, None]):
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        bad = _not_utf8(line)
        if bad:
            yield f"line {number}", _utf8_error(bad)
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {number}", ValueError(f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield f"line {number}", ValueError("nested too deeply to be a contact")
            continue
        yield f"line {number}", _cells(row, unknown)


def _rows_json_array(text: str, name: str, unknown: dict[str, None]):
    bad = _not_utf8(text)
    if bad:
        raise UsageError(f"{name}: not valid UTF-8 ({bad}): save the file as UTF-8")
    try:
        rows = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise UsageError(
            f"{name}: starts with '[' but is not a JSON array ({why}); write one JSON object "
            "a line (JSONL) or a CSV with a header line"
        ) from None
    if not isinstance(rows, list):
        raise UsageError(f"{name}: not a JSON array of contacts")
    for number, row in enumerate(rows, start=1):
        yield f"item {number}", _cells(row, unknown)


def _read(path: Path | str) -> tuple[str, str]:
    """The file's text (bad bytes kept as surrogates) and its name for messages."""
    try:
        if str(path) == "-":
            data, name = sys.stdin.buffer.read(), "stdin"
        else:
            data, name = Path(path).read_bytes(), Path(path).name
    except OSError as exc:
        raise UsageError(f"cannot read the batch file {path}: {exc.strerror}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text" export
        try:
            return data.decode("utf-16").removeprefix("\ufeff"), name
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: read on as UTF-8, and the bad bytes are reported by line
    return data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff"), name


def _rows(text: str, name: str, out: BatchFile, unknown: dict[str, None]):
    """(where, cells or the row's error) for each row, in the format the content is written in."""
    start = text.lstrip()[:1]
    if start == "{":
        return _rows_jsonl(text, unknown)
    if start == "[":
        return _rows_json_array(text, name, unknown)
    return _rows_csv(text, name, out)


def read_batch(path: Path | str) -> BatchFile:
    """Read a batch file ('-' for stdin); raises UsageError only when the file as a whole is unusable."""
    text, name = _read(path)
    out = BatchFile()
    unknown: dict[str, None] = {}  # JSON keys enrich does not use, in the order first seen
    seen: set[str] = set()
    for where, row in _rows(text, name, out, unknown):
        try:
            if isinstance(row, Exception):
                raise row
            item = _item(row, int(where.split()[-1]))
            if str(item.contact.contact_id) in seen:
                raise ValueError(f"contact {item.contact.contact_id} appears twice; merge its URLs into one row")
            seen.add(str(item.contact.contact_id))
            out.items.append(item)
        except ValueError as exc:
            out.errors.append(f"{name} {where}: {exc}")
    if unknown:
        out.warnings.append(f"{name}: ignored keys that enrich does not use: {', '.join(unknown)}")
    if not out.items and not out.errors:
        raise UsageError(f"the batch file {path} holds no contacts")
    return out


def batch_key(items: list[BatchItem], mode: str) -> str:
    """A key that identifies the same batch asked again in the same mode (for resuming)."""
    h = hashlib.sha256(mode.encode())
    for item in items:
        h.update(item.contact.model_dump_json().encode())
        h.update("\x00".join(item.urls).encode())
    return h.hexdigest()
