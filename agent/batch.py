"""Batch input files: CSV (`contact_id,name,email,company,urls`) or JSONL, one contact a line.

Bad rows are reported with their line number and skipped; the rest runs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
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


def _rows_csv(text: str):
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "contact_id" not in reader.fieldnames or "urls" not in reader.fieldnames:
        raise UsageError("the CSV needs a header line with at least contact_id and urls "
                         "(contact_id,name,email,company,urls)")
    for row in reader:
        yield reader.line_num, row


def _rows_jsonl(text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"not valid JSON ({exc.msg})")
            continue
        yield number, row if isinstance(row, dict) else ValueError("each line must be a JSON object")


def read_batch(path: Path) -> BatchFile:
    """Read a batch file; raises UsageError only when the file as a whole is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read the batch file {path}: {exc.strerror}") from None
    rows = _rows_jsonl(text) if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else _rows_csv(text)
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
            out.errors.append(f"{path.name} line {line}: {exc}")
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
