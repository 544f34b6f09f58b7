"""Source URLs through the CLI: one malformed URL never sinks a batch; one normal form used everywhere."""

from __future__ import annotations

import json
from pathlib import Path

from agent.cli import main
from agent.store import Store


def _run_json(capsys, *args: str) -> tuple[int, dict, str]:
    code = main(["enrich", "--json", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_a_malformed_url_is_invalid_url_and_the_batch_goes_on(demo_world, tmp_path, capsys):
    ada, dmitri = demo_world.contacts["Ada Quinlan"], demo_world.contacts["Dmitri Osei"]
    batch = tmp_path / "contacts.jsonl"
    batch.write_text(
        json.dumps(
            {
                "contact_id": ada,
                "name": "Ada Quinlan",
                "urls": ["http://[::1", "https://github.com/adaquinlan", "http://a.example:99999/x"],
            }
        )
        + "\n"
        + json.dumps({"contact_id": dmitri, "name": "Dmitri Osei", "urls": ["https://github.com/dosei"]})
        + "\n"
    )
    code, data, _ = _run_json(capsys, "--batch", str(batch), "--dry-run")
    contacts = {c["contact_id"]: c for c in data["contacts"]}
    assert set(contacts) == {ada, dmitri}
    sources = {s["url"]: s for p in contacts[ada]["profiles"] for s in p["sources"]}
    assert sources["http://[::1"]["outcome"] == "invalid_url"
    assert "cannot be parsed" in sources["http://[::1"]["reason"]
    assert sources["http://a.example:99999/x"]["outcome"] == "invalid_url"
    assert sources["https://github.com/adaquinlan"]["outcome"] == "ok"
    assert {p["status"] for p in contacts[dmitri]["profiles"]} == {"dry_run"}
    assert code == 0  # some sources could not be read (outcomes, not failures); every contact still ran


def test_upper_case_scheme_host_and_default_port_are_normalised_once(demo_world, capsys):
    cid = demo_world.contacts["Ada Quinlan"]
    code, data, _ = _run_json(capsys, "HTTPS://GitHub.COM:443/adaquinlan", "--contact-id", cid, "--name", "Ada Quinlan")
    (profile,) = data["contacts"][0]["profiles"]
    assert (profile["profile_source"], profile["status"]) == ("GitHub", "posted"), profile["warnings"]
    assert profile["sources"][0]["url"] == "https://github.com/adaquinlan"
    assert profile["payload"]["source_url"] == "https://github.com/adaquinlan"
    assert code == 0
    (stored,) = demo_world.sandbox.profiles()
    assert stored["payload"]["source_url"] == "https://github.com/adaquinlan"
    # the same form is what the state keeps (refresh reads it back) and what a rerun compares against
    with Store(Path(demo_world.env["ZYNTRO_ENRICH_HOME"]) / "state.sqlite3") as store:
        assert [r["url"] for r in store.sources(cid)] == ["https://github.com/adaquinlan"]
    code, data, _ = _run_json(capsys, "https://github.com/adaquinlan", "--contact-id", cid, "--name", "Ada Quinlan")
    assert data["contacts"][0]["profiles"][0]["status"] == "unchanged" and code == 0


def test_international_host_is_sent_in_idna_form(demo_world, capsys):
    cid = demo_world.contacts["Chiara Valdes"]
    code, data, _ = _run_json(capsys, "https://Bücher.Example/ueber-uns", "--contact-id", cid, "--dry-run")
    (profile,) = data["contacts"][0]["profiles"]
    assert profile["sources"][0]["url"] == "https://xn--bcher-kva.example/ueber-uns"
