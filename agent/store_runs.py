"""The store's runs: starting or resuming a run, its lease, claims on contacts, and what each run finished.

agent.store.Store inherits these methods; they work on its `runs`, `run_contacts` and `contact_claims`
tables. A run's lease (pid, host, heartbeat) and its rules (LEASE_S, HEARTBEAT_S, `_live`) stay in
agent.store, read when a method runs: other modules and tests use them from there.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from agent.errors import StoreError
from agent.store_rows import ClaimHolder, RunRow

__all__ = ["StoreRuns"]

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreRuns:
    """Runs, their leases and claims on contacts: the part of agent.store.Store that coordinates processes."""

    _leases: set[str]  # runs this store holds the lease of

    if TYPE_CHECKING:  # agent.store.Store provides these

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _exec(self, sql: str, params: tuple = ()) -> sqlite3.Cursor: ...

        def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]: ...

        def prune_cache(self) -> dict[str, int] | None: ...

    def start_run(
        self, kind: str, batch_key: str | None = None, total: int = 0, resume_within_s: float = 86400.0
    ) -> tuple[str, bool]:
        """Start a run, or resume the newest unfinished one with the same batch key started within
        `resume_within_s` (a day: older results are stale) whose process is gone. Returns (id, resumed).

        Either way this process takes the run's lease in the same transaction, so two processes
        starting together never share a run: the second one gets a run of its own.
        """
        from agent.store import _HOST, _live

        self.prune_cache()  # retention holds whenever anything runs
        now = time.time()
        lease = (os.getpid(), _HOST, now)
        with self._transaction() as db:
            if batch_key:
                since = datetime.fromtimestamp(now - resume_within_s, UTC).isoformat(timespec="seconds")
                rows = db.execute(
                    "SELECT run_id, pid, host, heartbeat FROM runs WHERE batch_key=? AND finished_at IS NULL "
                    "AND started_at >= ? ORDER BY started_at DESC",
                    (batch_key, since),
                ).fetchall()
                for row in rows:
                    if not _live(row["pid"], row["host"], row["heartbeat"]):
                        db.execute("UPDATE runs SET pid=?, host=?, heartbeat=? WHERE run_id=?", (*lease, row["run_id"]))
                        self._leases.add(row["run_id"])
                        return row["run_id"], True
            run_id = uuid.uuid4().hex[:12]
            db.execute(
                "INSERT INTO runs (run_id, kind, batch_key, started_at, total, started_ts, pid, host, heartbeat) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (run_id, kind, batch_key, _now(), total, now, *lease),
            )
        self._leases.add(run_id)
        return run_id, False

    def heartbeat(self, run_id: str) -> None:
        """Renew this process's lease on a run (every HEARTBEAT_S while it works)."""
        self._exec("UPDATE runs SET heartbeat=? WHERE run_id=? AND pid=?", (time.time(), run_id, os.getpid()))

    @contextmanager
    def keep_alive(self, run_id: str) -> Iterator[None]:
        """Renew the run's lease now, then every HEARTBEAT_S from a thread (a busy event loop cannot let it lapse)."""
        from agent.store import HEARTBEAT_S

        self.heartbeat(run_id)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_S):
                try:
                    self.heartbeat(run_id)
                except (sqlite3.Error, StoreError) as exc:  # the next beat may succeed; the lease is long
                    log.warning("could not renew the lease of run %s: %s", run_id, exc)

        thread = threading.Thread(target=beat, name=f"lease-{run_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def release_run(self, run_id: str) -> None:
        """Give up the lease on a run: another process may resume it (and take its contacts) at once."""
        self._exec("UPDATE runs SET heartbeat=NULL WHERE run_id=? AND pid=?", (run_id, os.getpid()))
        self._leases.discard(run_id)

    def finish_run(self, run_id: str) -> None:
        self._exec("UPDATE runs SET finished_at=?, heartbeat=NULL WHERE run_id=?", (_now(), run_id))
        self._leases.discard(run_id)
        self.prune_cache()  # the run's own pages count against the size cap at once

    def claim_contact(self, run_id: str, contact_id: str) -> ClaimHolder | None:
        """Claim a contact for this run before any work on it; None when claimed, else who has it.

        A contact is another run's while that run's lease holds (it is enriching it now), or when
        another run of the same batch finished it after this run started (the two were started
        together and split the batch). A claim of a run whose process died is taken over.
        """
        from agent.store import _live

        with self._transaction() as db:
            held = db.execute(
                "SELECT c.run_id, c.state, c.updated_ts, r.pid, r.host, r.heartbeat, r.batch_key "
                "FROM contact_claims c LEFT JOIN runs r USING (run_id) WHERE c.contact_id=?",
                (contact_id,),
            ).fetchone()
            if held is not None and held["run_id"] != run_id:
                if held["state"] == "active" and _live(held["pid"], held["host"], held["heartbeat"]):
                    return cast(ClaimHolder, dict(held))
                mine = db.execute("SELECT batch_key, started_ts FROM runs WHERE run_id=?", (run_id,)).fetchone()
                if (
                    held["state"] == "done"
                    and mine is not None
                    and mine["batch_key"]
                    and held["batch_key"] == mine["batch_key"]
                    and held["updated_ts"] >= (mine["started_ts"] or 0)
                ):
                    return cast(ClaimHolder, dict(held))
            db.execute(
                "INSERT OR REPLACE INTO contact_claims (contact_id, run_id, state, updated_ts) VALUES (?,?,?,?)",
                (contact_id, run_id, "active", time.time()),
            )
        return None

    def record_usage(self, run_id: str, usage: dict[str, Any]) -> None:
        """Keep the run's LLM usage (calls, tokens, estimated cost), added to what a resumed run already had."""
        rows = self._rows("SELECT llm_usage FROM runs WHERE run_id=?", (run_id,))
        before = json.loads(rows[0]["llm_usage"]) if rows and rows[0]["llm_usage"] else {}
        total = {
            k: before.get(k, 0) + v if isinstance(v, (int, float)) and not isinstance(v, bool) else v
            for k, v in usage.items()
        }
        self._exec("UPDATE runs SET llm_usage=? WHERE run_id=?", (json.dumps(total), run_id))

    def run(self, run_id: str) -> RunRow | None:
        rows = self._rows("SELECT * FROM runs WHERE run_id=?", (run_id,))
        return cast(RunRow, dict(rows[0])) if rows else None

    def contact_done(self, run_id: str, contact_id: str, result: dict[str, Any]) -> None:
        """Record that a contact of this run is finished, with its result (and its claim as done)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO run_contacts (run_id, contact_id, state, result, updated_at) "
                "VALUES (?,?,?,?,?)",
                (run_id, contact_id, "done", json.dumps(result), _now()),
            )
            db.execute(
                "UPDATE contact_claims SET state='done', updated_ts=? WHERE contact_id=? AND run_id=?",
                (time.time(), contact_id, run_id),
            )

    def done_contacts(self, run_id: str) -> dict[str, dict[str, Any]]:
        """Contacts of this run already finished, with their recorded results."""
        rows = self._rows("SELECT contact_id, result FROM run_contacts WHERE run_id=? AND state='done'", (run_id,))
        return {r["contact_id"]: json.loads(r["result"]) for r in rows}
