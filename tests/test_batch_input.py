"""Batch files that are not what they should be: bad bytes, giant fields, deep nesting, odd line breaks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
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
    rows = [
        json.dumps({"contact_id": str(uuid.uuid4()), "name": n, "urls": ["https://github.com/x"]}).encode()
        for n in ("Ada", "BJORN", "Cleo")
    ]
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
    rows = [
        {"contact_id": str(uuid.uuid4()), "name": "Ada\u2028Quinlan", "urls": ["https://github.com/ada"]},
        {"contact_id": "nope", "urls": ["https://github.com/x"]},
    ]
    f.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n", encoding="utf-8")
    batch = read_batch(f)
    assert len(batch.items) == 1
    assert batch.errors == ["contacts.jsonl line 2: contact_id 'nope' is not a UUID"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(HEADER + _row(), id="csv"),
        pytest.param(
            json.dumps({"contact_id": str(uuid.uuid4()), "urls": ["https://github.com/a"]}).encode() + b"\n", id="jsonl"
        ),
    ],
)
def test_batch_from_stdin(monkeypatch, content):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    batch = read_batch("-")
    assert len(batch.items) == 1 and batch.errors == []


# --- column names, aliases, URL cells, formats (issue #13) ---------------------------------------


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_crm_export_headers_are_matched_by_alias_and_unknown_ones_warned_once(tmp_path):
    cid = str(uuid.uuid4())
    f = _write(
        tmp_path,
        "export.csv",
        "Contact ID,First Name,Last Name,E-mail,Organization,City,Country,LinkedIn,GitHub username,"
        "Twitter,Company Website,Phone,Notes\n"
        f"{cid},Ada,Quinlan,ada@q.example,Quillmetrics,Lisbon,Portugal,ada-quinlan,adaquinlan,@adaq,"
        "quillmetrics.example,+351 1,likes maps\n"
        f"{uuid.uuid4()},Bo,,,,,,,octocat,,,,\n",
    )
    batch = read_batch(f)
    ada, bo = batch.items
    assert ada.contact.model_dump(exclude={"contact_id"}) == {
        "name": "Ada Quinlan",
        "email": "ada@q.example",
        "company": "Quillmetrics",
        "location": "Lisbon, Portugal",
    }
    assert ada.urls == [
        "https://www.linkedin.com/in/ada-quinlan",
        "https://github.com/adaquinlan",
        "https://x.com/adaq",
        "https://quillmetrics.example",
    ]
    assert (bo.contact.name, bo.urls) == ("Bo", ["https://github.com/octocat"])
    assert batch.errors == []
    assert batch.warnings == ["export.csv: ignored columns that enrich does not use: Phone, Notes"]


@pytest.mark.parametrize("header", ["contact_id", "Contact ID", "contact-id", "CONTACTID", " id ", "Contact_Id"])
def test_contact_id_header_spellings(tmp_path, header):
    f = _write(tmp_path, "c.csv", f"{header},URLs\n{uuid.uuid4()},https://github.com/a\n")
    assert [i.urls for i in read_batch(f).items] == [["https://github.com/a"]]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("name", "name"),
        ("Full Name", "name"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Work Email", "email"),
        ("Company Name", "company"),
        ("Organization", "company"),
        ("Account", "company"),
        ("Location", "location"),
        ("City", "location"),
    ],
)
def test_hint_header_aliases(tmp_path, header, expected):
    f = _write(tmp_path, "c.csv", f"id,{header},url\n{uuid.uuid4()},Value,https://github.com/a\n")
    (item,) = read_batch(f).items
    assert getattr(item.contact, expected) == "Value"


def test_the_best_named_column_wins_when_two_mean_the_same(tmp_path):
    f = _write(
        tmp_path,
        "c.csv",
        "Work Email,Email,Contact ID,urls\nwork@a.example,main@a.example,"
        f"{uuid.uuid4()},https://github.com/a\n,other@a.example,{uuid.uuid4()},https://github.com/b\n",
    )
    assert [i.contact.email for i in read_batch(f).items] == ["main@a.example", "other@a.example"]


@pytest.mark.parametrize(
    ("cell", "urls"),
    [
        ("https://a.example/ https://b.example/", ["https://a.example/", "https://b.example/"]),
        ("https://a.example/;https://b.example/", ["https://a.example/", "https://b.example/"]),
        ("https://a.example/, https://b.example/", ["https://a.example/", "https://b.example/"]),
        ("https://a.example/|https://b.example/", ["https://a.example/", "https://b.example/"]),
        ("https://a.example,https://b.example", ["https://a.example", "https://b.example"]),
        ("a.example,b.example/about", ["https://a.example", "https://b.example/about"]),
        # a comma or semicolon inside a URL's path stays part of it
        ("https://a.example/p,q;v=1 https://b.example/", ["https://a.example/p,q;v=1", "https://b.example/"]),
        ("https://a.example/x,", ["https://a.example/x"]),
        ("https://a.example/ https://a.example/", ["https://a.example/"]),
    ],
)
def test_several_urls_in_one_cell_are_split_never_joined(tmp_path, cell, urls):
    f = tmp_path / "c.csv"
    with f.open("w", newline="") as out:
        csv.writer(out).writerows([["contact_id", "urls"], [str(uuid.uuid4()), cell]])
    (item,) = read_batch(f).items
    assert item.urls == urls


@pytest.mark.parametrize(
    ("column", "cell", "url"),
    [
        ("GitHub", "octocat", "https://github.com/octocat"),
        ("github", "@octocat", "https://github.com/octocat"),
        ("GitHub URL", "github.com/octocat", "https://github.com/octocat"),
        ("Twitter", "@jack", "https://x.com/jack"),
        ("X", "jack", "https://x.com/jack"),
        ("Twitter Handle", "twitter.com/jack", "https://twitter.com/jack"),
        ("LinkedIn Profile", "ada-quinlan", "https://www.linkedin.com/in/ada-quinlan"),
        ("LinkedIn", "company/fernhollow-labs", "https://www.linkedin.com/company/fernhollow-labs"),
        ("Website", "www.fernhollow.example/about", "https://www.fernhollow.example/about"),
        ("Homepage", "http://a.example/", "http://a.example/"),
        ("site", "a.example", "https://a.example"),
        ("links", "a.example", "https://a.example"),
        ("Profile URL", "https://a.example/me", "https://a.example/me"),
        # what cannot be made into a URL cleanly is passed on as written: the run reports it as invalid
        ("urls", "@jack", "@jack"),
        ("GitHub", "not a handle!", None),
    ],
)
def test_a_handle_or_bare_domain_in_a_source_column_becomes_its_url(tmp_path, column, cell, url):
    f = tmp_path / "c.csv"
    with f.open("w", newline="") as out:
        csv.writer(out).writerows([["id", column], [str(uuid.uuid4()), cell]])
    (item,) = read_batch(f).items
    if url is None:  # several words: never turned into several profile URLs
        assert item.urls == cell.split()
    else:
        assert item.urls == [url]


def test_a_name_in_a_linkedin_column_is_not_made_into_profiles(tmp_path):
    f = _write(tmp_path, "c.csv", f"id,LinkedIn\n{uuid.uuid4()},Ada Quinlan\n")
    (item,) = read_batch(f).items
    assert item.urls == ["Ada", "Quinlan"]  # passed on: the run says each is not a URL


def test_placeholder_cells_add_no_url(tmp_path):
    f = _write(tmp_path, "c.csv", f"id,GitHub,Twitter,Website\n{uuid.uuid4()},octocat,N/A,-\n")
    assert read_batch(f).items[0].urls == ["https://github.com/octocat"]


JSONL_ROW = {
    "Contact ID": "",
    "Full Name": "Ada Quinlan",
    "Work Email": "ada@q.example",
    "GitHub": "adaquinlan",
    "links": ["https://a.example/ https://b.example/"],
    "phone": "+1",
    "score": 3,
}


@pytest.mark.parametrize("name", ["contacts.jsonl", "contacts.txt", "contacts.csv", "contacts"])
def test_jsonl_is_recognised_by_its_content_whatever_the_name(tmp_path, name):
    row = {**JSONL_ROW, "Contact ID": str(uuid.uuid4())}
    f = _write(
        tmp_path,
        name,
        "\n" + json.dumps(row) + "\n" + json.dumps({**row, "id": str(uuid.uuid4()), "Contact ID": None}) + "\n",
    )
    batch = read_batch(f)
    assert batch.errors == []
    first = batch.items[0]
    assert (first.contact.name, first.contact.email) == ("Ada Quinlan", "ada@q.example")
    assert first.urls == ["https://github.com/adaquinlan", "https://a.example/", "https://b.example/"]
    assert batch.warnings == [f"{name}: ignored keys that enrich does not use: phone, score"]


@pytest.mark.parametrize("name", ["contacts.jsonl", "contacts.json", "contacts.txt"])
def test_csv_is_recognised_by_its_content_whatever_the_name(tmp_path, name):
    f = _write(tmp_path, name, f"contact_id,urls\n{uuid.uuid4()},https://github.com/a\n")
    assert read_batch(f).items[0].urls == ["https://github.com/a"]


def test_semicolon_and_tab_separated_exports_are_read(tmp_path):
    cid = str(uuid.uuid4())
    semi = _write(tmp_path, "semi.csv", f"Contact ID;Name;Website\n{cid};Ada;a.example\n")
    tabs = _write(tmp_path, "tabs.tsv", f"Contact ID\tName\tWebsite\n{cid}\tAda\ta.example\n")
    for f in (semi, tabs):
        (item,) = read_batch(f).items
        assert (item.contact.name, item.urls) == ("Ada", ["https://a.example"])


def test_a_json_array_of_contacts_is_read_like_jsonl(tmp_path):
    rows = [{"id": str(uuid.uuid4()), "github": "octocat"}, {"id": "nope", "github": "x"}]
    f = _write(tmp_path, "contacts.json", json.dumps(rows, indent=2))
    batch = read_batch(f)
    assert [i.urls for i in batch.items] == [["https://github.com/octocat"]]
    assert batch.errors == ["contacts.json item 2: contact_id 'nope' is not a UUID"]


def test_jsonl_rows_without_an_id_or_urls_name_the_keys_found_and_accepted(tmp_path):
    f = _write(
        tmp_path,
        "c.jsonl",
        json.dumps({"person": "x", "urls": ["https://a.example/"]})
        + "\n"
        + json.dumps({"id": str(uuid.uuid4()), "profile": "a.example"})
        + "\n"
        + json.dumps({"id": str(uuid.uuid4()), "urls": [1, 2]})
        + "\n",
    )
    batch = read_batch(f)
    assert batch.items == []
    first, second, third = batch.errors
    assert first.startswith("c.jsonl line 1: no contact id (keys found: urls; accepted: contact_id, Contact ID, id")
    assert second.startswith("c.jsonl line 2: no URLs (keys found: id; accepted: urls, links, any name ending in 'url'")
    assert third == "c.jsonl line 3: urls must be a URL or a list of URLs (strings)"


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Name,Email,LinkedIn", "no contact id column"),
        ("Contact ID,Name,Phone", "no URL column"),
        ("Name,Phone", "no contact id column and no URL column"),
    ],
)
def test_a_header_without_an_id_or_url_column_is_refused_listing_what_it_has(tmp_path, header, missing):
    f = _write(tmp_path, "c.csv", header + "\n" + str(uuid.uuid4()) + ",a,b\n")
    with pytest.raises(UsageError) as caught:
        read_batch(f)
    message = str(caught.value)
    assert f"c.csv: the header line has {missing} (columns found: " in message
    assert f"(columns found: {header.replace(',', ', ')})" in message
    assert "contact id: contact_id, Contact ID, id" in message and "URLs: urls, links" in message


def test_a_row_with_more_cells_than_the_header_is_reported_not_merged(tmp_path):
    cid = str(uuid.uuid4())
    f = _write(
        tmp_path,
        "c.csv",
        f"contact_id,urls\n{cid},https://a.example/,https://b.example/\n{uuid.uuid4()},https://c.example/,,\n",
    )
    batch = read_batch(f)
    assert [i.urls for i in batch.items] == [["https://c.example/"]]  # empty trailing cells are fine
    assert batch.errors == [
        "c.csv line 2: 3 cells but the header names 2: put a cell that holds the separator in double quotes"
    ]


# --- through the CLI, against the sandbox with the demo pages replayed ----------------------------


def _sources(data: dict, ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """contact name -> {source url: outcome} from `enrich --json`."""
    names = {cid: name for name, cid in ids.items()}
    return {
        names[c["contact_id"]]: {s["url"]: s["outcome"] for p in c["profiles"] for s in p["sources"]}
        for c in data["contacts"]
    }


def test_a_crm_export_runs_end_to_end(demo_world, tmp_path, capsys):
    from agent.cli import main

    ids = demo_world.contacts
    f = tmp_path / "export.txt"  # a CSV whatever its name
    with f.open("w", newline="") as out:
        csv.writer(out).writerows(
            [
                [
                    "Contact ID",
                    "First Name",
                    "Last Name",
                    "Work Email",
                    "Company Name",
                    "LinkedIn",
                    "GitHub",
                    "Website",
                    "Lead Score",
                ],
                [
                    ids["Ada Quinlan"],
                    "Ada",
                    "Quinlan",
                    "ada@quillmetrics.example",
                    "Quillmetrics",
                    "ada-quinlan",
                    "@adaquinlan",
                    "",
                    "9",
                ],
                [
                    ids["Bruno Okafor"],
                    "Bruno",
                    "Okafor",
                    "",
                    "Fernhollow Labs",
                    "company/fernhollow-labs",
                    "fernhollow",
                    "www.fernhollow.example/about",
                    "7",
                ],
            ]
        )
    code = main(["enrich", "--batch", str(f), "--dry-run", "--json", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert _sources(json.loads(captured.out), ids) == {
        "Ada Quinlan": {"https://www.linkedin.com/in/ada-quinlan": "ok", "https://github.com/adaquinlan": "ok"},
        "Bruno Okafor": {
            "https://www.linkedin.com/company/fernhollow-labs": "ok",
            "https://github.com/fernhollow": "ok",
            "https://www.fernhollow.example/about": "ok",
        },
    }
    assert captured.err.count("ignored columns") == 1
    assert "zyntro-enrich: warning: export.txt: ignored columns that enrich does not use: Lead Score" in captured.err
    assert sum(demo_world.stored().values()) == 0  # a dry run


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_batch_from_stdin_through_the_real_command(demo_world, fmt):
    cid = demo_world.contacts["Dmitri Osei"]
    if fmt == "csv":
        data = f"Contact ID,Full Name,GitHub\n{cid},Dmitri Osei,dosei\n"
    else:
        data = json.dumps({"id": cid, "name": "Dmitri Osei", "github": "@dosei"}) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", "enrich", "--batch", "-", "--json", "--no-progress"],
        input=data,
        env=demo_world.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (contact,) = json.loads(done.stdout)["contacts"]
    (profile,) = contact["profiles"]
    assert (profile["profile_source"], profile["status"]) == ("GitHub", "posted")
    assert [s["url"] for s in profile["sources"]] == ["https://github.com/dosei"]
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


def test_an_unusable_header_from_stdin_exits_2_with_the_columns(demo_world):
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", "enrich", "--batch", "-", "--dry-run"],
        input="Name,Phone\nAda,+1\n",
        env=demo_world.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        "stdin: the header line has no contact id column and no URL column (columns found: Name, Phone)" in done.stderr
    )


def test_enrich_help_lists_the_columns_with_an_example(capsys):
    from agent.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["enrich", "--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert "Contact ID" in out and "Work Email" in out and "First Name + Last Name" in out
    # the epilog keeps its lines (RawDescriptionHelpFormatter): the example row is printed as written
    assert "\n  Contact ID,Full Name,Work Email,Company Name,GitHub,Website\n" in out
    assert "--batch - " in out


def test_blank_lines_before_the_header_and_a_utf16_excel_export(tmp_path):
    cid = str(uuid.uuid4())
    padded = _write(tmp_path, "padded.csv", f"\n  \nContact ID;Website\n{cid};a.example\n")
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(f"Contact ID\tFull Name\tWebsite\r\n{cid}\tBjörn\ta.example\r\n".encode("utf-16"))
    assert read_batch(padded).items[0].urls == ["https://a.example"]
    (item,) = read_batch(utf16).items
    assert (item.contact.name, item.urls) == ("Björn", ["https://a.example"])


def test_a_jsonl_hint_that_is_not_text_is_reported(tmp_path):
    f = _write(
        tmp_path,
        "c.jsonl",
        json.dumps({"id": str(uuid.uuid4()), "name": {"first": "Ada"}, "urls": "https://a.example/"}) + "\n",
    )
    assert read_batch(f).errors == ["c.jsonl line 1: name must be text, not a JSON dict"]
