"""When the SQLite state fails: one clear message per cause, and salvaging a damaged database.

`explain()` turns a sqlite3/OS error into a StoreError saying what happened and what to do:
  damaged  corrupt pages or not a database at all: the file, how to salvage it or move it aside
  locked   another process kept its lock past busy_timeout_s: who holds it, how long we waited
  full     no space left: which path, how much is free, how much to make free
  unusable cannot create or write the directory: set ZYNTRO_ENRICH_HOME to a writable one
Other sqlite3 errors are bugs and are not translated.

`salvage(path)` copies every readable row of a damaged database into a fresh one, keeps the damaged
file aside, and puts the fresh one in its place: the record of what was posted survives, so nothing
is posted twice afterwards. From a shell: `python -m agent.store_repair salvage PATH`.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from agent.errors import StoreError

__all__ = ["explain", "holders", "salvage"]

ROOM_BYTES = 8 * 1024 * 1024  # room SQLite wants next to the database: its write-ahead log grows to ~4 MiB
_SIDE_FILES = ("-wal", "-shm", "-journal")
_CORRUPT, _NOTADB = sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB
_BUSY, _LOCKED, _FULL = sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL
_UNUSABLE = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM}
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, OSError):
        return "full" if exc.errno in _FULL_ERRNOS else "unusable"
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return "damaged"
    if primary in (_BUSY, _LOCKED) or "database is locked" in text:
        return "locked"
    if primary == _FULL or "disk is full" in text:
        return "full"
    if primary in _UNUSABLE:
        return "unusable"
    return None


def explain(exc: BaseException, path: Path, busy_timeout_s: float, *, opening: bool = False) -> StoreError | None:
    """The StoreError to raise for `exc` on the database at `path`; None when it is not a known cause."""
    kind = _kind(exc)
    if kind is None and opening and isinstance(exc, sqlite3.Error):
        kind = "unusable"
    if kind == "damaged":
        return StoreError(
            f"the state database {path} is damaged ({exc}); nothing more was written to it. Stop every "
            f"zyntro-enrich run using it, then salvage what is readable with `{Path(sys.executable).name} -m "
            f"agent.store_repair salvage {path}` (run with the Python that runs zyntro-enrich: {sys.executable}); "
            "it keeps the damaged file aside and the record of what was posted, so nothing is posted twice. "
            f"Or move it aside (`mv {path} {path}.damaged`) to start empty: then that record is gone and every "
            "profile is posted again"
        )
    if kind == "locked":
        who = ", ".join(holders(path)) or "a process this user cannot see"
        return StoreError(
            f"the state database {path} is locked by another process ({who}); waited busy_timeout_s="
            f"{busy_timeout_s:g} s for it and wrote nothing. Let that process finish (or stop it), or raise "
            "busy_timeout_s in config.toml, then run the same command again"
        )
    if kind == "full":
        free = _free(path.parent)
        return StoreError(
            f"no space left for the state database {path} ({exc}); {_size(free)} free on {_mount(path.parent)}. "
            f"Make at least {_size(ROOM_BYTES)} free there (room for the database's write-ahead log), then run "
            "the same command again: nothing was half-written, and what was posted is not posted again"
        )
    if kind == "unusable":
        return StoreError(
            f"cannot open the state database {path} ({exc}): set ZYNTRO_ENRICH_HOME to a writable directory"
        )
    return None


def holders(path: Path) -> list[str]:
    """Other processes with the database (or its -wal/-shm/-journal) open, as 'pid N (command)'; Linux /proc only."""
    names = {str(path.resolve())} | {str(path.resolve()) + side for side in _SIDE_FILES}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
            if not links & names:
                continue
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or not ours to look at
            continue
        found.append(f"pid {proc.name} ({command[:80]})" if command else f"pid {proc.name}")
    return found


def _free(directory: Path) -> int | None:
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return None


def _mount(directory: Path) -> str:
    current = directory.resolve()
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return str(current)


def _size(n: int | None) -> str:
    if n is None:
        return "an unknown amount"
    size: float = n
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


# -- salvage ------------------------------------------------------------------------------------

_JUMPS = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10**9]  # rowids skipped past an unreadable page


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str, columns: list[str]) -> tuple[int, bool]:
    """Copy the readable rows of one table (rowids kept); (rows copied, complete?)."""
    names = ", ".join(columns)
    insert = f"INSERT OR REPLACE INTO {table} (rowid, {names}) VALUES ({', '.join('?' * (len(columns) + 1))})"
    after, copied, complete, misses = -(2**63), 0, True, 0
    while misses < len(_JUMPS):
        try:
            for row in src.execute(f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid", (after,)):
                dst.execute(insert, tuple(row))
                after, copied, misses = row[0], copied + 1, 0
            return copied, complete
        except sqlite3.DatabaseError:  # an unreadable page: look further on
            complete = False
            after = (after if after > -(2**63) else 0) + _JUMPS[misses]
            misses += 1
    return copied, complete


def _refuse_newer(src: sqlite3.Connection, path: Path, fresh: Path) -> None:
    """A database of a newer schema is not copied into this code's (its newer columns would be lost)."""
    from agent.store_schema import CURRENT

    try:
        found = src.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:  # an unreadable header: salvage what the tables still hold
        return
    if found > CURRENT:
        fresh.unlink()
        raise StoreError(
            f"{path} has schema version {found}, newer than this zyntro-enrich knows (up to {CURRENT}): "
            "salvage it with the newer release that wrote it (upgrade zyntro-enrich); nothing was changed"
        )


def salvage(path: Path) -> list[str]:
    """Replace a damaged state database by a copy of its readable rows; returns what happened, line by line."""
    from agent.store import Store  # the fresh database gets today's schema (agent.store_schema), stamped

    path = Path(path)
    if not path.exists():
        raise StoreError(f"there is no database at {path}: give the path of the damaged state.sqlite3")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    fresh, aside = path.with_name(f"{path.name}.salvage-{stamp}"), path.with_name(f"{path.name}.damaged-{stamp}")
    Store(fresh, busy_timeout_s=0).close()
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(fresh, isolation_level=None)
    lines = []
    try:
        try:
            tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        except sqlite3.DatabaseError as exc:
            fresh.unlink()
            raise StoreError(
                f"nothing in {path} is readable ({exc}): move it aside (`mv {path} {path}.damaged`) "
                "and check the contacts in Zyntro before posting again, since the record of what "
                "was posted is lost"
            ) from None
        _refuse_newer(src, path, fresh)
        wanted = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dst.execute("BEGIN")
        for table in (t for t in wanted if t in tables):
            have = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
            columns = [r[1] for r in dst.execute(f"PRAGMA table_info({table})") if r[1] in have]
            copied, complete = _copy_table(src, dst, table, columns)
            lines.append(f"{table}: {copied} rows kept" + ("" if complete else ", some rows were unreadable"))
            if table == "postings" and not complete:
                lines.append(
                    "WARNING: part of the record of what was posted is lost: check those contacts in "
                    "Zyntro before posting again (each post stores a new profile)"
                )
        dst.execute("COMMIT")
    finally:
        src.close()
        dst.close()
    for side in ("", *_SIDE_FILES):
        if Path(f"{path}{side}").exists():
            os.replace(f"{path}{side}", f"{aside}{side}")
    os.replace(fresh, path)
    lines.append(f"the damaged file is kept as {aside}; {path} now holds what was readable")
    return lines


def main(argv: list[str]) -> int:
    """`python -m agent.store_repair salvage PATH`."""
    if len(argv) != 2 or argv[0] != "salvage":
        print("usage: python -m agent.store_repair salvage PATH/state.sqlite3", file=sys.stderr)
        return 2
    try:
        for line in salvage(Path(argv[1])):
            print(line)
    except StoreError as exc:
        print(f"zyntro-enrich: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
