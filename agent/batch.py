"""Batch input files: CSV (`contact_id,name,email,company,urls`) or JSONL, one contact a line.

Bad rows (a missing or malformed id, no URLs, bytes that are not UTF-8, broken or too deeply nested
JSON) are reported with their line number and skipped; the rest runs. A file that cannot be read as
a whole (no header, a CSV field over the csv module's limit) is refused with a UsageError.
`-` reads the batch from stdin: JSONL when it starts with `{`, else CSV.
"""

from __future__ import annotations

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

from agent.errors import UsageError
from agent.models import Contact

__all__ = ["BatchItem", "read_batch", "batch_key"]

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


def _item(row: dict, line: int) -> BatchItem:
    raw_id = str(row.get("contact_id") or "").strip()
    if not raw_id:
        raise ValueError("contact_id is missing")
    try:
        UUID(raw_id)
    except ValueError:
        raise ValueError(f"contact_id {raw_id!r} is not a UUID") from None
    urls = row.get("urls") or []
    if isinstance(urls, str):
        urls = urls.split()
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ValueError("urls must be a list of strings (JSONL) or space-separated URLs (CSV)")
    urls = [u.strip() for u in urls if u.strip()]
    if not urls:
        raise ValueError("no URLs given")
    hints = {k: str(row[k]).strip() for k in _HINTS if row.get(k) not in (None, "")}
    try:
        contact = Contact(contact_id=raw_id, **hints)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None
    return BatchItem(contact=contact, urls=urls, line=line)


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


def _rows_csv(text: str, name: str):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if not reader.fieldnames or "contact_id" not in reader.fieldnames or "urls" not in reader.fieldnames:
            raise UsageError(f"{name}: the CSV needs a header line with at least contact_id and urls "
                             "(contact_id,name,email,company,urls)")
        for row in reader:
            bad = _not_utf8(*row.keys(), *row.values())
            yield reader.line_num, _utf8_error(bad) if bad else row
    except csv.Error as exc:
        raise UsageError(f"{name} line {reader.reader.line_num}: {_csv_problem(exc)}") from None


def _csv_problem(exc: csv.Error) -> str:
    limit = csv.field_size_limit()
    if "field limit" in str(exc):
        return (f"a field is longer than {limit:,} characters, so the file is refused: contact rows are far "
                "shorter; look for an unclosed quote before this line, which runs on to the end of the file")
    return f"the CSV cannot be read ({exc}): fix the quoting on this line"


def _rows_jsonl(text: str):
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        bad = _not_utf8(line)
        if bad:
            yield number, _utf8_error(bad)
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield number, ValueError("nested too deeply to be a contact")
            continue
        yield number, row if isinstance(row, dict) else ValueError("each line must be a JSON object")


def _read(path: Path | str) -> tuple[str, str, bool]:
    """The file's text (bad bytes kept as surrogates), its name for messages, and whether it is JSONL."""
    try:
        if str(path) == "-":
            data, name = sys.stdin.buffer.read(), "stdin"
        else:
            data, name = Path(path).read_bytes(), Path(path).name
    except OSError as exc:
        raise UsageError(f"cannot read the batch file {path}: {exc.strerror}") from None
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    if name == "stdin":
        return text, name, text.lstrip().startswith("{")
    return text, name, Path(path).suffix.lower() in (".jsonl", ".ndjson", ".json")


def read_batch(path: Path | str) -> BatchFile:
    """Read a batch file ('-' for stdin); raises UsageError only when the file as a whole is unusable."""
    text, name, jsonl = _read(path)
    rows = _rows_jsonl(text) if jsonl else _rows_csv(text, name)
    out = BatchFile()
    seen: set[str] = set()
    for line, row in rows:
        try:
            if isinstance(row, Exception):
                raise row
            item = _item(row, line)
            if str(item.contact.contact_id) in seen:
                raise ValueError(f"contact {item.contact.contact_id} appears twice; merge its URLs into one row")
            seen.add(str(item.contact.contact_id))
            out.items.append(item)
        except ValueError as exc:
            out.errors.append(f"{name} line {line}: {exc}")
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
