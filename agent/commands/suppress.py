"""`zyntro-enrich suppress`: the do-not-enrich list, by contact id, email or domain.

    suppress add VALUE [--note TEXT]   a contact id (UUID), an email, or a domain (its subdomains too)
    suppress list [--json]
    suppress remove VALUE

Every mode honours it: enrich, batch, refresh, schedule and review approve. A suppressed contact is
reported as `suppressed`; none of its pages is fetched and nothing about it is stored or posted. A
domain matches the contact's email domain and the host of any of its source URLs.
"""

from __future__ import annotations

import argparse
import json
import re
import uuid

from agent.config import Settings
from agent.errors import UsageError

__all__ = ["register", "parse_entry"]

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("suppress", help="the do-not-enrich list (contact ids, emails, domains)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("value", nargs="?", help="a contact id, an email or a domain")
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
                print(f"{r['kind']:<10}  {r['value']}  (added {r['added_at']})" + (f"  {r['note']}" if r["note"] else ""))
            return 0
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
