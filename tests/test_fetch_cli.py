"""`zyntro-enrich fetch URL`: what a user sees, and the exit code."""

from __future__ import annotations

import json

import pytest

from agent import cli
from tests.support.fetch import Reply, static_page


@pytest.fixture
def fetch_cli(monkeypatch):
    """Run the real CLI entry point with only the fetch command registered (loopback allowed)."""
    monkeypatch.setattr(cli, "COMMANDS", ["fetch"])
    monkeypatch.setenv("ZYNTRO_ENRICH_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ZYNTRO_ENRICH_DELAY", "0")
    return cli.main


def test_fetch_prints_json_and_saves_the_html(site, fetch_cli, capsys, tmp_path):
    url = site.add(site.unique(), Reply(static_page("Saved Page")))
    out_file = tmp_path / "page.html"
    code = fetch_cli(["fetch", url, "--json", "--no-browser", "--save", str(out_file)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"url", "final_url", "outcome", "reason", "engine", "status", "bytes", "elapsed_ms"} <= set(data)
    assert data["outcome"] == "ok" and data["engine"] == "http" and data["status"] == 200
    assert "Saved Page" in out_file.read_text()


def test_fetch_reports_a_failure_in_words_and_exits_1(site, fetch_cli, capsys):
    code = fetch_cli(["fetch", site.base + site.unique("gone")])
    out = capsys.readouterr().out
    assert code == 1
    assert "outcome    not_found" in out and "HTTP 404" in out and "status     404" in out


def test_fetch_refuses_a_file_url(fetch_cli, capsys):
    assert fetch_cli(["fetch", "file:///etc/passwd", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "unsafe_url" and data["engine"] is None
