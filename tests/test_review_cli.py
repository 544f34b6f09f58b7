"""`zyntro-enrich review` on the command line: several ids, --all with filters, edit in $EDITOR, show, activity.

Real parts only: the sandbox on loopback, the demo pages replayed, real SQLite, and a real editor program
(a small Python script named in $EDITOR that changes the file it is given).
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import stat
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.cli import main
from agent.config import load_settings
from agent.store import Store
from agent.store_review import decisions

# The editor: `editor.py [--set KEY=JSON]... [--nest KEY] [--drop KEY] [--garbage] [--fail] [--reject ID] FILE`
# edits FILE in place; --reject also rejects a draft with the real CLI meanwhile (someone else deciding).
EDITOR = """#!{python}
import json, subprocess, sys
from pathlib import Path
args, path = sys.argv[1:-1], sys.argv[-1]
if "--reject" in args:
    cli = Path(sys.executable).with_name("zyntro-enrich")
    subprocess.run([str(cli), "review", "reject", args[args.index("--reject") + 1]], check=True,
                   capture_output=True)
if "--fail" in args:
    sys.exit(3)
if "--garbage" in args:
    open(path, "a").write("\\n,,, this is not JSON")
    sys.exit(0)
payload = json.load(open(path, encoding="utf-8"))
for flag, value in zip(args, args[1:]):
    if flag == "--set":
        key, _, raw = value.partition("=")
        payload[key] = json.loads(raw)
    elif flag == "--nest":
        payload[value] = {{"nested": True}}
    elif flag == "--drop":
        payload.pop(value, None)
open(path, "w", encoding="utf-8").write(json.dumps(payload, indent=4))
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """Set $EDITOR to the editor script with these arguments (VISUAL unset, so EDITOR is what counts)."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where `review edit` writes (and keeps) its file

    def use(*args: str) -> None:
        monkeypatch.setenv("EDITOR", shlex.join([str(script), *args]))  # a command with arguments, quoted

    return use


def _enrich(demo_world, capsys, name: str, *urls: str, company: str = "") -> dict[str, int]:
    cid = demo_world.contacts[name]
    hints = ["--company", company] if company else []
    assert main(["enrich", *urls, "--contact-id", cid, "--name", name, *hints, "--review", "--json"]) == 0
    profiles = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"]
    return {p["profile_source"]: p["draft_id"] for p in profiles if p.get("draft_id")}


@pytest.fixture
def queue(demo_world, capsys) -> dict[tuple[str, str], int]:
    """Three drafts waiting: Bruno's company website and GitHub organisation, Dmitri's GitHub."""
    bruno = _enrich(
        demo_world,
        capsys,
        "Bruno Okafor",
        "https://www.fernhollow.example/about",
        "https://github.com/fernhollow",
        company="Fernhollow Labs",
    )
    dmitri = _enrich(demo_world, capsys, "Dmitri Osei", "https://github.com/dosei")
    drafts = {("Bruno Okafor", k): v for k, v in bruno.items()}
    drafts.update({("Dmitri Osei", k): v for k, v in dmitri.items()})
    assert len(drafts) == 3
    return drafts


def _listed(capsys, *args: str) -> list[dict]:
    assert main(["review", "list", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _store():
    return Store.for_settings(load_settings())


def test_approve_several_ids_posts_each_once_with_who_and_why(demo_world, queue, capsys):
    ids = [queue["Bruno Okafor", "GitHub"], queue["Dmitri Osei", "GitHub"]]
    assert main(["review", "approve", *map(str, ids), str(ids[0]), "--by", "ana", "--note", "checked"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == [f"draft {i} posted" for i in ids]
    assert "2 drafts: 2 posted" in out
    assert demo_world.stored() == {("Bruno Okafor", "GitHub"): 1, ("Dmitri Osei", "GitHub"): 1}
    with _store() as store:
        logged = decisions(store)
    assert [(d["draft_id"], d["actor"], d["action"], d["note"]) for d in logged] == [
        (i, "ana", "approve", "checked") for i in ids
    ]
    assert [r["draft_id"] for r in _listed(capsys)] == [queue["Bruno Okafor", "Company Website"]]

    # Asked again, they are no longer waiting: a usage error, nothing posted twice.
    assert main(["review", "approve", *map(str, ids)]) == 2
    assert "not waiting for review" in capsys.readouterr().err
    assert sum(demo_world.stored().values()) == 2


def test_an_unknown_id_among_several_does_nothing(demo_world, queue, capsys):
    good = queue["Dmitri Osei", "GitHub"]
    assert main(["review", "approve", str(good), "9999", "0"]) == 2
    err = capsys.readouterr().err
    assert "there is no draft 9999" in err and "there is no draft 0" in err and "nothing was done" in err
    assert main(["review", "reject", str(good), "9999"]) == 2
    capsys.readouterr()
    assert sum(demo_world.stored().values()) == 0
    assert len(_listed(capsys)) == 3  # every draft still waiting
    with _store() as store:
        assert decisions(store) == []


def test_approve_all_with_a_filter(demo_world, queue, capsys):
    assert main(["review", "approve", "--all", "--origin", "github", "--by", "ana"]) == 0  # any case
    captured = capsys.readouterr()
    assert "2 drafts match" in captured.err
    assert captured.out.count("posted: profile_id") == 2
    assert demo_world.stored() == {("Bruno Okafor", "GitHub"): 1, ("Dmitri Osei", "GitHub"): 1}
    left = _listed(capsys)
    assert [(r["contact_name"], r["profile_source"]) for r in left] == [("Bruno Okafor", "Company Website")]

    assert main(["review", "approve", "--all", "--origin", "GitHub"]) == 0  # nothing waiting from GitHub now
    assert "no draft matches" in capsys.readouterr().out
    assert main(["review", "approve", "--all", "--origin", "GitHub", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert sum(demo_world.stored().values()) == 2


def test_reject_all_by_origin_and_unfiltered_all_needs_yes(demo_world, queue, capsys):
    assert main(["review", "reject", "--all", "--origin", "Company Website", "--note", "org page"]) == 0
    assert f"draft {queue['Bruno Okafor', 'Company Website']} rejected" in capsys.readouterr().out
    assert len(_listed(capsys)) == 2

    assert main(["review", "reject", "--all"]) == 2  # every waiting draft: asks for --yes, does nothing
    err = capsys.readouterr().err
    assert "every waiting draft (2)" in err and "--yes" in err
    assert len(_listed(capsys)) == 2
    assert main(["review", "reject", "--all", "--yes", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert sorted(r["status"] for r in results) == ["rejected", "rejected"]
    assert _listed(capsys) == [] and sum(demo_world.stored().values()) == 0
    assert {r["status"] for r in _listed(capsys, "--status", "rejected")} == {"rejected"}


@pytest.mark.parametrize(
    "argv,words",
    [
        (["approve", "3", "--all"], "not both"),
        (["approve", "3", "--origin", "GitHub"], "not both"),
        (["approve", "--origin", "GitHub"], "only with --all"),
        (["reject"], "give the draft's number"),
        (["approve", "--all", "--origin", "Githb"], "the origins are"),
        (["approve", "--all", "--status", "posted"], "only drafts waiting for a decision can be approved"),
        (["reject", "--all", "--status", "rejected"], "only drafts waiting for a decision can be rejected"),
        (["list", "--since", "2026-12-02", "--until", "2026-11-01"], "swap them"),
        (["list", "--contact", " "], "--contact is empty"),
        (["approve", "1", "--by", ""], "--by needs a short name"),
        (["edit"], "give the draft's number"),
        (["show", "77"], "there is no draft 77"),
    ],
)
def test_usage_errors_name_the_fix_and_do_nothing(demo_world, queue, capsys, argv, words):
    assert main(["review", *argv]) == 2
    assert words in capsys.readouterr().err
    assert sum(demo_world.stored().values()) == 0 and len(_listed(capsys)) == 3


@pytest.mark.parametrize(
    "argv,words",
    [
        (["list", "--since", "2026-13-01"], "use YYYY-MM-DD"),
        (["list", "--min-identity", "1.5"], "from 0 (no match) to 1"),
        (["list", "--max-identity", "nan"], "from 0 (no match) to 1"),
        (["list", "--status", "waitng"], "is not a status"),
        (["list", "--limit", "0"], "positive whole number"),
        (["list", "--grounding", "--no-grounding"], "not allowed with"),
        (["activity", "--format", "xlsx"], "invalid choice"),
    ],
)
def test_bad_filter_values_are_argparse_errors(capsys, argv, words):
    with pytest.raises(SystemExit) as done:
        main(["review", *argv])
    assert done.value.code == 2 and words in capsys.readouterr().err


def test_list_filters_limit_and_table_width(demo_world, queue, capsys):
    every = _listed(capsys)
    assert [r["draft_id"] for r in every] == sorted(queue.values(), reverse=True)  # newest first
    assert [r["draft_id"] for r in _listed(capsys, "--sort", "oldest", "--limit", "2")] == sorted(queue.values())[:2]
    assert {r["contact_name"] for r in _listed(capsys, "--contact", "okaf")} == {"Bruno Okafor"}
    assert [r["contact_name"] for r in _listed(capsys, "--contact", demo_world.contacts["Dmitri Osei"])] == [
        "Dmitri Osei"
    ]
    today = datetime.now(UTC).date()
    assert len(_listed(capsys, "--since", today.isoformat(), "--until", today.isoformat())) == 3
    assert _listed(capsys, "--until", (today - timedelta(days=1)).isoformat()) == []
    assert len(_listed(capsys, "--min-identity", "0", "--max-identity", "1")) == 3
    dropped = {r["draft_id"] for r in _listed(capsys, "--grounding")}
    clean = {r["draft_id"] for r in _listed(capsys, "--no-grounding")}
    assert dropped | clean == set(queue.values()) and not dropped & clean
    assert all(r["grounding_dropped"] > 0 for r in every if r["draft_id"] in dropped)

    assert main(["review", "list", "--limit", "2"]) == 0
    table = capsys.readouterr().out
    assert "2 of 3 drafts" in table and "1 more: raise --limit" in table
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "…" in table  # long summaries end with an ellipsis instead of folding
    assert main(["review", "list", "--origin", "GitHub", "--status", "rejected"]) == 0
    assert "no draft matches these filters" in capsys.readouterr().out


def test_edit_in_the_editor_saves_checked_changes(demo_world, queue, capsys, editor):
    draft = queue["Dmitri Osei", "GitHub"]
    editor("--set", 'summary="Dmitri Osei builds harbour logistics software at Northquay."', "--drop", "location")
    assert main(["review", "edit", str(draft), "--by", "ana", "--note", "tighter summary"]) == 0
    out = capsys.readouterr().out
    assert f"draft {draft} saved: changed summary; removed location" in out
    with _store() as store:
        row = store.draft(draft)
        assert row["draft"].payload["summary"] == "Dmitri Osei builds harbour logistics software at Northquay."
        assert "location" not in row["draft"].payload
        assert row["draft"].provenance["summary"].editor == "ana"
        (logged,) = decisions(store, draft)
    assert (logged["action"], logged["actor"], logged["note"]) == ("edit", "ana", "tighter summary")
    assert sorted(logged["detail"]["changed"]) == ["location", "summary"]

    assert not list(Path(tempfile.gettempdir()).glob("zyntro-draft-*"))  # nothing left behind once saved

    assert main(["review", "approve", str(draft)]) == 0  # what is posted is the edited payload
    capsys.readouterr()
    (stored,) = demo_world.sandbox.profiles()
    assert stored["payload"]["summary"].startswith("Dmitri Osei builds harbour")


def test_an_edit_of_a_draft_decided_meanwhile_is_not_saved(demo_world, queue, capsys, editor):
    draft = queue["Dmitri Osei", "GitHub"]
    editor("--set", 'summary="Dmitri Osei ships logistics software."', "--reject", str(draft))
    assert main(["review", "edit", str(draft)]) == 2
    err = capsys.readouterr().err
    assert f"draft {draft} changed while you edited it (now rejected" in err
    kept = Path(err.split("your edit is kept in ")[1].split(": fix it")[0])
    assert json.loads(kept.read_text())["summary"] == "Dmitri Osei ships logistics software."
    with _store() as store:
        assert store.draft(draft)["draft"].payload["summary"] != "Dmitri Osei ships logistics software."
        assert [d["action"] for d in decisions(store, draft)] == ["reject"]


def test_a_refused_edit_saves_nothing_and_keeps_the_text(demo_world, queue, capsys, editor):
    draft = queue["Dmitri Osei", "GitHub"]
    with _store() as store:
        before = store.draft(draft)["draft"].payload
    editor("--nest", "team_details", "--drop", "summary")
    assert main(["review", "edit", str(draft)]) == 2
    err = capsys.readouterr().err
    assert "not_flat: 'team_details'" in err and "summary_missing" in err
    kept = Path(err.split("your edit is kept in ")[1].split(": fix it")[0])
    assert json.loads(kept.read_text())["team_details"] == {"nested": True}  # the person's work is still there
    assert f"review edit {draft} --file {kept}" in err

    editor("--garbage")
    assert main(["review", "edit", str(draft)]) == 2
    err = capsys.readouterr().err
    assert "is not valid JSON" in err and "your edit is kept in" in err

    editor("--fail")
    assert main(["review", "edit", str(draft)]) == 2
    assert "the editor exited with status 3" in capsys.readouterr().err

    kept.write_text(json.dumps({**before, "team_details": "logistics"}))  # fixed by hand, taken up with --file
    assert main(["review", "edit", str(draft), "--file", str(kept)]) == 0
    assert "saved: changed team_details" in capsys.readouterr().out
    with _store() as store:
        assert store.draft(draft)["draft"].payload == {**before, "team_details": "logistics"}
        assert [d["action"] for d in decisions(store, draft)] == ["edit"]


def test_edit_unchanged_missing_editor_and_decided_drafts(demo_world, queue, capsys, editor, monkeypatch, tmp_path):
    draft = queue["Dmitri Osei", "GitHub"]
    editor()  # rewrites the file with other indentation: the same payload
    assert main(["review", "edit", str(draft)]) == 0
    assert "nothing changed" in capsys.readouterr().out

    monkeypatch.setenv("VISUAL", str(tmp_path / "no-such-editor"))  # VISUAL wins over EDITOR
    assert main(["review", "edit", str(draft)]) == 2
    assert "cannot start the editor" in capsys.readouterr().err

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"summary": "Dmitri Osei.", "info": "x"}))
    assert main(["review", "edit", str(draft), "--file", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "generic_key: 'info'" in err and f"fix {bad}" in err

    assert main(["review", "reject", str(draft)]) == 0
    capsys.readouterr()
    assert main(["review", "edit", str(draft), "--file", str(bad)]) == 2
    assert "only drafts waiting for review can be edited" in capsys.readouterr().err
    with _store() as store:
        assert [d["action"] for d in decisions(store, draft)] == ["reject"]


def test_show_has_identity_diff_and_history(demo_world, queue, capsys, editor):
    draft = queue["Dmitri Osei", "GitHub"]
    editor("--set", 'summary="Dmitri Osei writes logistics software in Rotterdam."')
    assert main(["review", "edit", str(draft), "--by", "ana"]) == 0
    assert main(["review", "approve", str(draft), "--by", "ana", "--note", "ok"]) == 0
    capsys.readouterr()
    # The page changes; the next research makes a new draft, compared with the edited profile posted.
    page = Path(demo_world.env["ZYNTRO_ENRICH_REPLAY_DIR"]) / "gh_dosei.html"
    page.write_text(page.read_text().replace("1,093", "1,200"))
    later = _enrich(demo_world, capsys, "Dmitri Osei", "https://github.com/dosei")["GitHub"]
    assert later != draft

    assert main(["review", "show", str(queue["Bruno Okafor", "GitHub"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["diff"] == {"state": "first", "rows": []}
    assert main(["review", "show", str(later)]) == 0
    out = capsys.readouterr().out
    assert "identity:" in out and "match https://github.com/dosei" in out
    assert "against the last posted profile:" in out and "~ summary: Dmitri Osei writes logistics" in out
    assert "history:" in out and "no decision yet" in out

    assert main(["review", "show", str(draft), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(d["action"], d["actor"]) for d in shown["decisions"]] == [("edit", "ana"), ("approve", "ana")]
    assert shown["decisions"][1]["detail"]["profile_id"]
    assert shown["diff"] == {"state": "first", "rows": []}  # a posted draft is compared with the profile before it
    assert "https://github.com/dosei" in shown["identity"]
    assert "set_aside" in shown
    assert main(["review", "show", str(draft)]) == 0
    out = capsys.readouterr().out
    assert "ana: edit: summary" in out and "ana: approve -> posted, profile_id" in out and "— ok" in out

    assert main(["review", "show", str(later), "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)["diff"]["rows"]}
    assert rows["summary"]["change"] == "changed" and rows["source_url"]["change"] == "same"
    assert (rows["followers_count"]["before"], rows["followers_count"]["after"]) == (1093, 1200)


def test_activity_as_csv_safe_for_spreadsheets_and_as_jsonl(demo_world, queue, capsys):
    formula = '=HYPERLINK("https://evil.example","click")'
    assert main(["review", "reject", str(queue["Bruno Okafor", "GitHub"]), "--note", formula, "--by", "@bob"]) == 0
    assert main(["review", "approve", str(queue["Dmitri Osei", "GitHub"]), "--note=-fine", "--by", "ana"]) == 0
    capsys.readouterr()

    assert main(["review", "activity", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    reject = next(r for r in rows if r["action"] == "reject")
    assert reject["note"] == "'" + formula and reject["actor"] == "'@bob"
    approve = next(r for r in rows if r["action"] == "approve")
    assert approve["note"] == "'-fine" and approve["profile_id"].isdigit()
    assert any(r["kind"] == "post" and r["action"] == "posted" for r in rows)

    assert main(["review", "activity", "--format", "jsonl", "--limit", "2"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert main(["review", "activity", "--format", "jsonl"]) == 0
    everything = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {e["note"] for e in everything if e["kind"] == "decision"} == {formula, "-fine"}  # raw in JSON

    assert main(["review", "activity"]) == 0
    table = capsys.readouterr().out
    assert "reject" in table and max(len(line) for line in table.splitlines()) <= 80


def test_a_failed_post_among_several_exits_1(demo_world, queue, capsys):
    ids = [queue["Bruno Okafor", "GitHub"], queue["Dmitri Osei", "GitHub"]]
    demo_world.sandbox.faults.push("status", status=400, body='{"status": "error", "data": ["Invalid payload"]}')
    assert main(["review", "approve", *map(str, ids)]) == 1
    captured = capsys.readouterr()
    assert f"draft {ids[0]} failed" in captured.err and f"review approve {ids[0]}` again" in captured.err
    assert f"draft {ids[1]} posted" in captured.out
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}
    assert [r["status"] for r in _listed(capsys, "--origin", "GitHub")] == ["failed"]
