"""Batch files that are not what they should be: bad bytes, giant fields, deep nesting, odd line breaks."""

from __future__ import annotations

import io
import json
import sys
import uuid

import pytest

from agent.batch import read_batch
from agent.errors import UsageError

HEADER = b"contact_id,name,email,company,urls\n"


def _row(name: bytes = b"Ada", url: bytes = b"https://github.com/ada") -> bytes:
    return str(uuid.uuid4()).encode() + b"," + name + b",,," + url + b"\n"


def test_invalid_utf8_in_a_csv_row_is_reported_with_its_line_and_skipped(tmp_path):
    f = tmp_path / "contacts.csv"
    f.write_bytes(HEADER + _row() + _row(b"Bj\xf6rn") + _row(b"Cleo"))
    batch = read_batch(f)
    assert [i.contact.name for i in batch.items] == ["Ada", "Cleo"]
    assert batch.errors == ["contacts.csv line 3: not valid UTF-8 (byte 0xf6): save the file as UTF-8"]


def test_invalid_utf8_in_a_jsonl_row_is_reported_with_its_line_and_skipped(tmp_path):
    f = tmp_path / "contacts.jsonl"
    rows = [json.dumps({"contact_id": str(uuid.uuid4()), "name": n, "urls": ["https://github.com/x"]}).encode()
            for n in ("Ada", "BJORN", "Cleo")]
    rows[1] = rows[1].replace(b"BJORN", b"Bj\xf6rn")
    f.write_bytes(b"\n".join(rows) + b"\n")
    batch = read_batch(f)
    assert [i.contact.name for i in batch.items] == ["Ada", "Cleo"]
    assert batch.errors == ["contacts.jsonl line 2: not valid UTF-8 (byte 0xf6): save the file as UTF-8"]


def test_a_csv_field_over_the_limit_refuses_the_file_with_its_line(tmp_path):
    f = tmp_path / "contacts.csv"
    f.write_bytes(HEADER + _row() + _row(b"x" * 131_073))
    with pytest.raises(UsageError, match=r"contacts.csv line 3: a field is longer than 131,072 characters"):
        read_batch(f)
    # the usual cause: a quote that is never closed swallows the rest of the file into one field
    f.write_bytes(HEADER + _row(b'"Ada') + b"".join(_row(b"x" * 1000) for _ in range(200)))
    with pytest.raises(UsageError, match="unclosed quote"):
        read_batch(f)


def test_a_jsonl_row_nested_too_deep_is_reported_and_skipped(tmp_path):
    f = tmp_path / "contacts.jsonl"
    good = json.dumps({"contact_id": str(uuid.uuid4()), "name": "Ada", "urls": ["https://github.com/ada"]})
    f.write_text(good + "\n" + '{"urls": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    batch = read_batch(f)
    assert [i.contact.name for i in batch.items] == ["Ada"]
    assert batch.errors == ["contacts.jsonl line 2: nested too deeply to be a contact"]


def test_jsonl_lines_are_split_on_newlines_only(tmp_path):
    # U+2028 is valid inside a JSON string; splitting on it would break the row and shift line numbers
    f = tmp_path / "contacts.jsonl"
    rows = [{"contact_id": str(uuid.uuid4()), "name": "Ada\u2028Quinlan", "urls": ["https://github.com/ada"]},
            {"contact_id": "nope", "urls": ["https://github.com/x"]}]
    f.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n", encoding="utf-8")
    batch = read_batch(f)
    assert len(batch.items) == 1
    assert batch.errors == ["contacts.jsonl line 2: contact_id 'nope' is not a UUID"]


@pytest.mark.parametrize("content", [
    pytest.param(HEADER + _row(), id="csv"),
    pytest.param(json.dumps({"contact_id": str(uuid.uuid4()), "urls": ["https://github.com/a"]}).encode() + b"\n",
                 id="jsonl"),
])
def test_batch_from_stdin(monkeypatch, content):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    batch = read_batch("-")
    assert len(batch.items) == 1 and batch.errors == []
