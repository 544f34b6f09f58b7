"""`zyntro-enrich sandbox`: run a local Zyntro-compatible API to try everything against.

Prints `export ZYNTRO_...=...` lines to paste into another shell, then the seeded contacts, and
serves until Ctrl-C. State lives in SQLite ($ZYNTRO_ENRICH_HOME/sandbox.sqlite3 unless --db), so
stored profiles survive restarts; the seeded ids and keys are the same on every start.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import Settings
from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.zyntro.sandbox import Sandbox

# Heavier modules are imported inside the functions that use them: the CLI registers every command on
# each start, and `--help` or `extract --from-file` must not load Playwright, rich or the runner.

__all__ = ["register", "run"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sandbox",
        help="run a local Zyntro-compatible API (prints its credentials)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=8765, help="port on the host (default 8765; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--db",
        metavar="FILE",
        help="SQLite file for the sandbox's state (default $ZYNTRO_ENRICH_HOME/sandbox.sqlite3; "
        ":memory: keeps nothing)",
    )
    p.add_argument(
        "--api-version",
        choices=["v1", "v2"],
        default="v1",
        help="the ZYNTRO_API_VERSION printed in the export lines (the sandbox serves both)",
    )
    p.set_defaults(func=run)


def banner(sb: Sandbox, api_version: str = "v1") -> list[str]:
    """The lines printed on start: export lines, then the seeded contacts as comments."""
    creds = sb.creds
    owner = sb.db.member(creds.member_id)
    other = sb.db.member(creds.other_member_id)
    assert owner is not None and other is not None  # both are seeded members
    lines = [f"# Zyntro sandbox at {sb.url} (state: {sb.db.path}); paste these lines into your shell:"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in sb.settings_env(api_version).items()]
    by_id = {c["contact_id"]: c for c in sb.contacts()}

    def row(contact_id: str) -> str:
        c = by_id[contact_id]
        return f"#   {contact_id}  {c['first_name']} {c['last_name']} <{c['email']}>  {c['company']}"

    lines.append(f"# Contacts owned by ZYNTRO_MEMBER_ID ({owner['name']}):")
    lines += [row(cid) for cid in creds.contact_ids]
    lines.append(
        f"# Owned by the second member {other['name']} ({creds.other_member_id}): "
        "posting to it as ZYNTRO_MEMBER_ID is rejected"
    )
    lines.append(row(creds.other_contact_id))
    lines.append(
        f"# Inactive organisation {creds.inactive_org_id} (member {creds.inactive_member_id}), "
        f"contact {creds.foreign_contact_id}"
    )
    extra = len(by_id) - len(creds.contact_ids) - 2
    if extra > 0:
        lines.append(f"# ...and {extra} more contacts added earlier (GET {sb.url}/_sandbox/contacts)")
    lines.append(f"# Stored profiles: GET {sb.url}/_sandbox/profiles; faults: POST {sb.url}/_sandbox/faults")
    lines.append("# Serving until Ctrl-C.")
    return lines


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the sandbox, print its credentials and serve until interrupted."""
    from agent.zyntro.sandbox import Sandbox

    db = args.db if args.db else settings.home / "sandbox.sqlite3"
    if args.port < 0 or args.port > 65535:
        raise UsageError(f"--port {args.port} is not a port number: use 1-65535, or 0 for a free one")
    sb = Sandbox(db_path=db if db == ":memory:" else Path(db), port=args.port, host=args.host)
    try:
        sb.start()
    except OSError as exc:
        sb.db.close()
        raise UsageError(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}): "
            "pick another --port (0 picks a free one)"
        ) from None
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)  # stop cleanly on `kill` as on Ctrl-C
    try:
        print("\n".join(banner(sb, args.api_version)), flush=True)
        stop = threading.Event()
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        print("# sandbox stopped", file=sys.stderr)
    finally:
        sb.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
