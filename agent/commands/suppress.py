"""`zyntro-enrich suppress`: the do-not-enrich list, by contact id, email or domain.

    suppress add VALUE [--note TEXT]   a contact id (UUID), an email, or a domain (its subdomains too)
    suppress list [--json]
    suppress remove VALUE
    suppress import FILE               entries from `suppress list --json` output or one value a line
                                       (keep a copy: the list lives in the state directory)

Every mode honours it: enrich, batch, refresh, schedule and review approve. A suppressed contact is
reported as `suppressed`; none of its pages is fetched and nothing about it is stored or posted. A
domain matches the contact's email domain and the host of any of its source URLs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import Settings
from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.store import Store

__all__ = ["register", "parse_entry"]

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suppress",
        help="the do-not-enrich list (contact ids, emails, domains)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=["add", "list", "remove", "import"])
    p.add_argument("value", nargs="?", help="a contact id, an email or a domain (import: a file, - for stdin)")
    p.add_argument("--note", default="", help="add: why (e.g. the request's reference); keep personal data out")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def parse_entry(value: str) -> tuple[str, str]:
    """(kind, normalised value) of a list entry; a UsageError naming the expected forms otherwise."""
    text = value.strip()
    try:
        return "contact_id", str(uuid.UUID(text))
    except ValueError:
        pass
    if "@" in text.lstrip("@"):
        local, _, domain = text.lower().rpartition("@")
        if local and _DOMAIN.match(domain.rstrip(".")):
            return "email", f"{local}@{domain.rstrip('.')}"
    else:
        domain = text.lower().lstrip("@").removeprefix("*.").rstrip(".")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            domain = ""
        if _DOMAIN.match(domain):
            return "domain", domain
    raise UsageError(f"{value!r} is neither a contact id (UUID), an email nor a domain (e.g. example.com)")


def _entries(text: str, source: str) -> list[tuple[str, str, str]]:
    """(kind, value, note) of every entry in `suppress list --json` output or a file of one value a line."""
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
            return [(*parse_entry(str(r["value"])), str(r.get("note") or "")) for r in rows]
        except (ValueError, TypeError, KeyError) as exc:
            raise UsageError(
                f"{source} is not `suppress list --json` output ({exc}): give that or one value a line"
            ) from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            try:
                out.append((*parse_entry(line), ""))
            except UsageError as exc:
                raise UsageError(f"{source} line {number}: {exc}") from None
    return out


def _import(store: Store, path: str) -> int:
    from agent.store_privacy import suppress

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path} ({exc}): give a UTF-8 text file") from None
    entries = _entries(text, path)
    added = sum(suppress(store, kind, value, note) for kind, value, note in entries)
    print(f"{added} entries added to the do-not-enrich list ({len(entries) - added} were there already)")
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store
    from agent.store_privacy import suppress, suppressions, unsuppress

    if args.action != "list" and not args.value:
        raise UsageError(f"give what to {args.action}, e.g. `zyntro-enrich suppress {args.action} example.com`")
    with Store.for_settings(settings) as store:
        if args.action == "list":
            rows = suppressions(store)
            if args.json:
                print(json.dumps(rows, indent=2, ensure_ascii=False))
            elif not rows:
                print("the do-not-enrich list is empty")
            for r in rows if not args.json else []:
                note = f"  {r['note']}" if r["note"] else ""
                print(f"{r['kind']:<10}  {r['value']}  (added {r['added_at']}){note}")
            return 0
        if args.action == "import":
            return _import(store, args.value)
        kind, value = parse_entry(args.value)
        if args.action == "add":
            added = suppress(store, kind, value, args.note)
            print(f"{kind} {value} " + ("added to the do-not-enrich list" if added else "was already on the list"))
            if kind == "contact_id":
                print(f"what is stored about it stays until `zyntro-enrich forget {value}`")
            return 0
        if not unsuppress(store, kind, value):
            raise UsageError(f"{kind} {value} is not on the do-not-enrich list (see `zyntro-enrich suppress list`)")
        print(f"{kind} {value} removed from the do-not-enrich list")
        return 0
