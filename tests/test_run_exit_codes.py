"""Exit codes for automation (#11), end to end through the CLI against the sandbox: 0 when every profile
that could be made was posted, queued or unchanged; 1 a failed or unknown post; 2 usage; and the counts."""

from __future__ import annotations

import json

from agent.cli import main
from agent.zyntro.client import ADD_PROFILE_PATHS

NO_BROWSER = ["Bruno Okafor", "Chiara Valdes", "Dmitri Osei", "Elena Marsh"]  # x.com needs Chromium: not here


def _enrich(capsys, *args: str) -> tuple[int, dict]:
    code = main(["enrich", "--json", "--no-progress", *args])
    return code, json.loads(capsys.readouterr().out)


def test_no_data_login_walls_404s_and_mismatches_are_outcomes_exit_0(demo_world, tmp_path, capsys):
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", NO_BROWSER)
    with batch.open("a") as f:  # a page that does not exist, and nothing else, for a known contact
        f.write(
            json.dumps(
                {
                    "contact_id": demo_world.contacts["Ada Quinlan"],
                    "name": "Ada Quinlan",
                    "urls": ["https://github.com/no-such-person-here"],
                }
            )
            + "\n"
        )
    code, data = _enrich(capsys, "--batch", str(batch))
    counts = data["counts"]
    assert counts["profiles"]["no_data"] >= 2  # Dmitri's LinkedIn login wall, Ada's 404
    assert counts["profiles"]["identity_mismatch"] + counts["profiles"].get("unverified", 0) >= 1  # Elena's GitHub
    assert counts["sources"]["login_wall"] >= 1 and counts["sources"]["not_found"] >= 2  # and Elena's team page
    assert counts["profiles"]["posted"] >= 4 and counts["failed"] == 0
    assert counts["contacts"] == counts["contacts_done"] == 5 and counts["contacts_not_started"] == 0
    assert set(counts["profiles"]) >= {"posted", "unchanged", "failed", "unknown", "queued_for_review", "no_data"}
    assert code == 0 and data["exit_code"] == 0 and data["breaker"] is None


def test_a_failed_post_exits_1_and_an_unknown_post_exits_1(demo_world, capsys):
    cid = demo_world.contacts["Dmitri Osei"]
    demo_world.sandbox.faults.push("status", status=422, path=ADD_PROFILE_PATHS["v1"])
    code, data = _enrich(capsys, "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei")
    assert data["contacts"][0]["profiles"][0]["status"] == "failed"
    assert (code, data["exit_code"], data["counts"]["failed"]) == (1, 1, 1)

    cid = demo_world.contacts["Bruno Okafor"]
    demo_world.sandbox.faults.push("drop", after=True, path=ADD_PROFILE_PATHS["v1"])  # stored, answer lost
    code, data = _enrich(
        capsys,
        "https://github.com/fernhollow",
        "--contact-id",
        cid,
        "--name",
        "Bruno Okafor",
        "--company",
        "Fernhollow Labs",
    )
    assert data["contacts"][0]["profiles"][0]["status"] == "unknown"
    assert (code, data["counts"]["profiles"]["unknown"]) == (1, 1)


def test_invalid_batch_rows_exit_2_after_the_valid_ones_ran(demo_world, tmp_path, capsys):
    batch = demo_world.batch_file(tmp_path / "contacts.jsonl", ["Chiara Valdes"])
    with batch.open("a") as f:
        f.write('{"contact_id": "oops", "urls": ["https://github.com/x"]}\n')
    code, data = _enrich(capsys, "--batch", str(batch))
    assert data["counts"]["rows_invalid"] == 1 and data["counts"]["profiles"]["posted"] == 2
    assert code == 2 and data["exit_code"] == 2
