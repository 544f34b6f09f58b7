"""`zyntro-enrich extract`: saved pages with --from-file (no network), and a real fetch from loopback."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.cli import main
from tests.support.extract import FIXTURES


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_of_a_saved_page(capsys):
    code, out, _ = _run(
        capsys,
        "https://x.com/maralindqvist",
        "--from-file",
        str(FIXTURES / "x_profile.html"),
        "--json",
        "--name",
        "Mara Lindqvist",
    )
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {
        "url",
        "extractor",
        "profile_source",
        "outcome",
        "reason",
        "facts",
        "identity",
        "links",
        "text_chars",
    }
    assert (data["extractor"], data["profile_source"], data["outcome"]) == ("twitter", "Twitter", "ok")
    facts = {f["key"]: f for f in data["facts"]}
    assert facts["followers_count"]["value"] == 12480 and facts["followers_count"]["method"] == "jsonld"
    assert all(set(f) >= {"key", "value", "evidence", "method"} for f in data["facts"])
    assert data["identity"]["matched"] is True and data["text_chars"] > 0


def test_human_output_is_a_table_of_facts(capsys):
    code, out, _ = _run(capsys, "https://github.com/tobiasokafor", "--from-file", str(FIXTURES / "github_user.html"))
    assert code == 0
    assert "extractor: github -> GitHub" in out and "outcome:   ok" in out
    header = next(line for line in out.splitlines() if line.strip().startswith("key"))
    assert header.split() == ["key", "value", "method", "evidence"]
    assert any(line.split()[:2] == ["stars_count", "1205"] for line in out.splitlines() if line.strip())


def test_a_login_wall_exits_1_with_its_outcome(capsys):
    code, out, _ = _run(
        capsys,
        "https://www.linkedin.com/in/mara-lindqvist-7b2a1",
        "--from-file",
        str(FIXTURES / "linkedin_authwall.html"),
        "--json",
    )
    data = json.loads(out)
    assert code == 1 and data["outcome"] == "login_wall" and data["facts"] == []


def test_status_of_a_saved_page_can_be_given(capsys):
    code, out, _ = _run(
        capsys,
        "https://github.com/no-such-user-q7",
        "--from-file",
        str(FIXTURES / "github_404.html"),
        "--status",
        "404",
        "--json",
    )
    assert code == 1 and json.loads(out)["outcome"] == "not_found"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["ftp://example.org/", "--from-file", "x.html"], "http"),
        (["https://www.harbourlight.example/", "--from-file", "/no/such/page.html"], "cannot read"),
    ],
)
def test_bad_input_exits_2_and_says_what_to_do(capsys, argv, words):
    code, _, err = _run(capsys, *argv)
    assert code == 2 and words in err


@pytest.fixture
def site():
    """tests/pages served over HTTP on loopback."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    handler.log_message = lambda *a, **k: None  # keep the test output clean
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_without_from_file_the_page_is_fetched(capsys, monkeypatch, site):
    pytest.importorskip("agent.fetch")
    monkeypatch.setenv("ZYNTRO_ENRICH_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ZYNTRO_ENRICH_DELAY", "0")
    code, out, _ = _run(capsys, f"{site}/company_home.html", "--json")
    data = json.loads(out)
    assert code == 0, data
    assert data["profile_source"] == "Company Website"
    assert {"key": "name", "value": "Harbourlight Analytics"}.items() <= data["facts"][0].items()
    code, out, _ = _run(capsys, f"{site}/no-such-page.html", "--json")
    assert code == 1 and json.loads(out)["outcome"] == "not_found"
