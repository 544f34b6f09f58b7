"""The SQLite state damaged, locked or on a full disk: one clear message each, exit 1, and a clean resume."""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from agent.errors import StoreError
from agent.store import Store

CLI = [sys.executable, "-m", "agent.cli"]
WAIT_S = 120  # a bound for a hung process, not a speed requirement


def _batch(world, path: Path, n: int = 2) -> Path:
    cids = [world.contacts["Dmitri Osei"]] + [world.sandbox.add_contact(name="Dmitri Osei") for _ in range(n - 1)]
    path.write_text(
        "".join(
            json.dumps({"contact_id": c, "name": "Dmitri Osei", "urls": ["https://github.com/dosei"]}) + "\n"
            for c in cids
        )
    )
    return path


def _run(capsys, batch: Path) -> tuple[int, list[str], str]:
    code = main(["enrich", "--batch", str(batch), "--no-progress", "--json"])
    out, err = capsys.readouterr()
    statuses = [p["status"] for c in json.loads(out)["contacts"] for p in c["profiles"]] if out.strip() else []
    return code, statuses, err


def _home(world) -> Path:
    home = Path(world.env["ZYNTRO_ENRICH_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    return home


def _damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of one table with bytes no SQLite page starts with."""
    with sqlite3.connect(db) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)


def test_a_damaged_database_says_how_to_salvage_it_and_nothing_is_posted_twice(demo_world, tmp_path, capsys):
    batch = _batch(demo_world, tmp_path / "two.jsonl")
    assert _run(capsys, batch)[:2] == (0, ["posted", "posted"])
    db = _home(demo_world) / "state.sqlite3"
    _damage_table(db, "pages")  # the page cache is unreadable; the record of what was posted is intact

    code, statuses, err = _run(capsys, batch)
    assert (code, statuses) == (1, [])  # no report, no traceback
    assert f"the state database {db} is damaged" in err and "Traceback" not in err
    assert "-m agent.store_repair salvage" in err and f"mv {db}" in err
    assert "writable directory" not in err
    assert sum(demo_world.stored().values()) == 2

    salvaged = subprocess.run(
        [sys.executable, "-m", "agent.store_repair", "salvage", str(db)], capture_output=True, text=True, timeout=WAIT_S
    )
    assert salvaged.returncode == 0, salvaged.stderr
    assert "postings: 2 rows kept" in salvaged.stdout and "pages: 0 rows kept, some rows" in salvaged.stdout
    assert list(db.parent.glob("state.sqlite3.damaged-*"))
    assert _run(capsys, batch)[:2] == (0, ["unchanged", "unchanged"])
    assert sum(demo_world.stored().values()) == 2  # nothing posted twice


def test_a_file_that_is_no_database_at_all(tmp_path):
    db = tmp_path / "state.sqlite3"
    db.write_bytes(b"this is not SQLite" * 500)
    with pytest.raises(StoreError, match="is damaged") as err:
        Store(db)
    assert "writable directory" not in str(err.value)
    from agent.store_repair import salvage

    with pytest.raises(StoreError, match="nothing in .* is readable"):
        salvage(db)


_HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO runs (run_id, kind, started_at) VALUES ('lock', 'x', 'now')")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_locked_database_names_who_holds_it_and_how_long_we_waited(demo_world, tmp_path, capsys):
    home = _home(demo_world)
    (home / "config.toml").write_text("busy_timeout_s = 0.3\n")
    db = home / "state.sqlite3"
    Store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        batch = _batch(demo_world, tmp_path / "two.jsonl")
        code, statuses, err = _run(capsys, batch)
        assert (code, statuses) == (1, [])
        assert f"the state database {db} is locked by another process (pid {holder.pid} " in err
        assert "busy_timeout_s=0.3 s" in err and "Traceback" not in err
        assert sum(demo_world.stored().values()) == 0
    finally:
        holder.stdin.close()
        holder.wait(timeout=WAIT_S)
    assert _run(capsys, batch)[:2] == (0, ["posted", "posted"])
    assert sum(demo_world.stored().values()) == 2


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs to fill up; skipped where mounting is not allowed."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}): needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_says_where_and_how_much_and_resume_posts_each_profile_once(
    demo_world, small_disk, tmp_path, capsys, monkeypatch
):
    env = {**demo_world.env, **demo_world.sandbox.settings_env("v2"), "ZYNTRO_ENRICH_HOME": str(small_disk)}
    for key in ("ZYNTRO_API_VERSION", "ZYNTRO_ENRICH_HOME"):
        monkeypatch.setenv(key, env[key])
    (small_disk / "config.toml").write_text("[zyntro]\nreconcile_grace_s = 0\n")
    batch = _batch(demo_world, tmp_path / "two.jsonl")
    sb = demo_world.sandbox
    sb.faults.hold("addProfileToContact")  # the first post waits in Zyntro while the disk fills up
    proc = subprocess.Popen(
        [*CLI, "enrich", "--batch", str(batch), "--concurrency", "1", "--no-progress", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert sb.faults.wait_held(1, timeout=WAIT_S)
        filler = _fill(small_disk)
    finally:
        sb.faults.release()
    out, err = proc.communicate(timeout=WAIT_S)
    db = small_disk / "state.sqlite3"
    assert (proc.returncode, out) == (1, ""), err
    assert f"no space left for the state database {db}" in err and "Traceback" not in err
    assert f"free on {small_disk}" in err and "Make at least 8.0 MiB free there" in err
    assert len(sb.profiles()) == 1  # Zyntro stored the first profile; its answer could not be recorded

    filler.unlink()  # the cause is fixed
    code, statuses, _ = _run(capsys, batch)
    assert (code, statuses) == (0, ["posted", "posted"])  # the lost answer is read back (v2), not re-sent
    assert sorted(str(p["contact_id"]) for p in sb.profiles()) == sorted(
        json.loads(line)["contact_id"] for line in batch.read_text().splitlines()
    )


def test_processes_opening_a_new_state_together_all_succeed(tmp_path):
    """Several processes creating the same new database at once take turns (one schema transaction)."""
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from agent.store import Store; Store(Path(sys.argv[1])).close()"
    for attempt in range(5):
        path = tmp_path / f"state{attempt}.sqlite3"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE) for _ in range(8)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 8, errors


def test_the_state_is_readable_by_its_owner_only(tmp_path):
    """The state holds people's data and serve's session-signing key: no other account may read it."""
    from agent.store import Store

    home = tmp_path / "new-home"
    with Store(home / "state.sqlite3") as store:
        store.start_run("enrich")
        assert (home.stat().st_mode & 0o777) == 0o700
        for name in ("state.sqlite3", "state.sqlite3-wal"):
            assert ((home / name).stat().st_mode & 0o077) == 0, name
    (home / "state.sqlite3").chmod(0o644)  # an older state, made before this rule
    Store(home / "state.sqlite3").close()
    assert ((home / "state.sqlite3").stat().st_mode & 0o077) == 0


def test_two_connections_making_a_new_state_at_once_wait_for_each_other(tmp_path):
    """SQLite refuses a second switch to WAL at once ("locked", no busy wait): opening retries it."""
    import threading

    from agent.store import Store

    errors: list[BaseException] = []

    def open_close(path):
        try:
            Store(path, busy_timeout_s=10).close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    for attempt in range(40):
        path = tmp_path / f"s{attempt}" / "state.sqlite3"
        threads = [threading.Thread(target=open_close, args=(path,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors, errors[:3]
