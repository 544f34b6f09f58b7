"""The sandbox's state in SQLite: organisations, members, contacts and stored profiles.

Seeding is deterministic (uuid5 from fixed names, keys derived the same way), so the same
credentials and contact ids come back on every start and a demo batch file can name them.
Seeding an existing database file adds only what is missing; stored profiles survive restarts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import StoreError

__all__ = ["LINK_COLUMNS", "SEED_CONTACTS", "SandboxCreds", "SandboxDB", "seed_id"]

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "sandbox.zyntro-enrich.example")
_SEEDED_AT = "2024-01-02T09:00:00Z"


def seed_id(name: str) -> str:
    """A fixed UUID derived from a seed name."""
    return str(uuid.uuid5(_NAMESPACE, name))


ORG: dict[str, Any] = {"key": "org/demo", "name": "Sandbox Demo Org", "active": 1}
INACTIVE_ORG: dict[str, Any] = {"key": "org/dormant", "name": "Dormant Holdings", "active": 0}
OWNER = {"key": "member/owner", "name": "Morgan Reyes", "email": "morgan.reyes@sandbox-demo.example"}
OTHER = {"key": "member/colleague", "name": "Riley Brandt", "email": "riley.brandt@sandbox-demo.example"}
DORMANT_MEMBER = {"key": "member/dormant", "name": "Ivy Marsh", "email": "ivy.marsh@dormant.example"}

# (name, email, company, role, phone): all synthetic; .example domains never resolve.
SEED_CONTACTS = [
    ("Ada Quinlan", "ada@quillmetrics.example", "Quillmetrics", "Head of Data", "+1 555 0101"),
    ("Bram Okafor", "bram@northwindlabs.example", "Northwind Labs", "CTO", "+1 555 0102"),
    ("Cleo Marchetti", "cleo@tidepoolanalytics.example", "Tidepool Analytics", "Founder", "+1 555 0103"),
    ("Dev Raman", "dev@lumenforge.example", "Lumenforge", "Staff Engineer", "+1 555 0104"),
    ("Elin Sorby", "elin@fjordbyte.example", "Fjordbyte", "Product Manager", "+1 555 0105"),
    ("Farah Haddad", "farah@cedarloop.example", "Cedarloop", "VP Sales", "+1 555 0106"),
    ("Gus Whitfield", "gus@brightkiln.example", "Brightkiln", "Designer", "+1 555 0107"),
    ("Hana Kobayashi", "hana@mosslight.example", "Mosslight", "Research Lead", "+1 555 0108"),
    ("Ivo Petrov", "ivo@granitepeak.example", "Granite Peak Software", "CEO", "+1 555 0109"),
    ("June Adeyemi", "june@orbitquay.example", "Orbit Quay", "Marketing Director", "+1 555 0110"),
    ("Kai Lindqvist", "kai@saltmarshstudio.example", "Saltmarsh Studio", "Creative Director", "+1 555 0111"),
    ("Lena Ortiz", "lena@copperfinch.example", "Copperfinch", "Data Scientist", "+1 555 0112"),
]
OTHER_CONTACT = ("Nora Vance", "nora@elsewhereco.example", "Elsewhere Co", "Buyer", "+1 555 0120")
FOREIGN_CONTACT = ("Otto Brandvold", "otto@dormantholdings.example", "Dormant Holdings", "Owner", "+1 555 0130")

_BENCH_FIRST = [
    "Alex",
    "Blair",
    "Casey",
    "Drew",
    "Emery",
    "Finley",
    "Gray",
    "Harper",
    "Indy",
    "Jules",
    "Kendall",
    "Logan",
    "Marlow",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sage",
    "Toby",
]
_BENCH_LAST = [
    "Abbott",
    "Brook",
    "Carver",
    "Dale",
    "Ellison",
    "Frost",
    "Garland",
    "Hale",
    "Irving",
    "Jarvis",
    "Keane",
    "Lowell",
    "Mercer",
    "Nash",
    "Orton",
    "Pryce",
    "Quarry",
    "Rowe",
    "Sutton",
]
_BENCH_COMPANY = [
    "Acorn Systems",
    "Bluefin Data",
    "Cobalt Works",
    "Driftwood AI",
    "Ember Labs",
    "Foxglove Health",
    "Gullwing Logistics",
    "Heron Robotics",
    "Ironbark Energy",
    "Juniper Ops",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orgs (
    org_id TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL,
    api_key TEXT NOT NULL UNIQUE, developer_secret TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS members (
    member_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, owner_member_id TEXT NOT NULL,
    first_name TEXT, last_name TEXT, email TEXT, company TEXT, role TEXT, phone TEXT,
    kind TEXT NOT NULL DEFAULT 'seed', created_at TEXT NOT NULL,
    cont_website TEXT, cont_linkedin TEXT, cont_twitter TEXT, cont_github TEXT);
CREATE TABLE IF NOT EXISTS profiles (
    profile_id INTEGER PRIMARY KEY AUTOINCREMENT, contact_id TEXT NOT NULL, org_id TEXT NOT NULL,
    member_id TEXT NOT NULL, profile_source TEXT, payload TEXT NOT NULL, api_version TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS profiles_contact ON profiles (contact_id);
"""
# The contact's own links (read by the webhook's worker); added to sandbox files made before them.
LINK_COLUMNS = ("cont_website", "cont_linkedin", "cont_twitter", "cont_github")


@dataclass(frozen=True)
class SandboxCreds:
    """Everything needed to talk to a sandbox; the keys are fake but kept out of reprs anyway."""

    api_key: str = field(repr=False)
    developer_secret: str = field(repr=False)
    org_id: str
    member_id: str
    other_member_id: str
    contact_ids: tuple[str, ...]  # the seeded contacts owned by `member_id`, in seed order
    other_contact_id: str  # owned by `other_member_id`
    foreign_contact_id: str  # belongs to the inactive organisation
    inactive_org_id: str
    inactive_member_id: str
    inactive_api_key: str = field(repr=False)
    inactive_developer_secret: str = field(repr=False)

    @property
    def contact_id(self) -> str:
        """The first seeded contact (Ada Quinlan)."""
        return self.contact_ids[0]

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def _keys(org_key: str) -> tuple[str, str]:
    return "sbx_" + uuid.uuid5(_NAMESPACE, org_key + "/api-key").hex, "zdk_" + uuid.uuid5(
        _NAMESPACE, org_key + "/developer-secret"
    ).hex


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SandboxDB:
    """A thread-safe wrapper over one SQLite connection (file or in-memory)."""

    def __init__(self, path: str | Path | None = None):
        self.path = ":memory:" if path in (None, ":memory:") else str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            if self.path != ":memory:":  # WAL + NORMAL: no fsync per insert, still crash-safe
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the sandbox database {self.path} ({exc}): pick another --db file") from None
        self._lock = threading.RLock()

    def _migrate(self) -> None:
        """Add the link columns to a contacts table made before them (ADD COLUMN keeps every row)."""
        have = {row["name"] for row in self._conn.execute("PRAGMA table_info(contacts)")}
        for column in LINK_COLUMNS:
            if column not in have:
                self._conn.execute(f"ALTER TABLE contacts ADD COLUMN {column} TEXT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def _all(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._conn.execute(sql, args).fetchall()]

    def _one(self, sql: str, args: tuple = ()) -> dict[str, Any] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def _exec(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, args)

    # -- seeding --------------------------------------------------------------------------------

    def seed(self) -> SandboxCreds:
        """Insert the fixed organisations, members and contacts (idempotent); returns the credentials."""
        for org in (ORG, INACTIVE_ORG):
            api_key, secret = _keys(org["key"])
            self._exec(
                "INSERT OR IGNORE INTO orgs VALUES (?, ?, ?, ?, ?)",
                (seed_id(org["key"]), org["name"], org["active"], api_key, secret),
            )
        for member, org in ((OWNER, ORG), (OTHER, ORG), (DORMANT_MEMBER, INACTIVE_ORG)):
            self._exec(
                "INSERT OR IGNORE INTO members VALUES (?, ?, ?, ?, 1)",
                (seed_id(member["key"]), seed_id(org["key"]), member["name"], member["email"]),
            )
        owner, other = seed_id(OWNER["key"]), seed_id(OTHER["key"])
        contact_ids = tuple(self._seed_contact(c, ORG, owner) for c in SEED_CONTACTS)
        other_contact = self._seed_contact(OTHER_CONTACT, ORG, other)
        foreign = self._seed_contact(FOREIGN_CONTACT, INACTIVE_ORG, seed_id(DORMANT_MEMBER["key"]))
        api_key, secret = _keys(ORG["key"])
        dormant_key, dormant_secret = _keys(INACTIVE_ORG["key"])
        return SandboxCreds(
            api_key=api_key,
            developer_secret=secret,
            org_id=seed_id(ORG["key"]),
            member_id=owner,
            other_member_id=other,
            contact_ids=contact_ids,
            other_contact_id=other_contact,
            foreign_contact_id=foreign,
            inactive_org_id=seed_id(INACTIVE_ORG["key"]),
            inactive_member_id=seed_id(DORMANT_MEMBER["key"]),
            inactive_api_key=dormant_key,
            inactive_developer_secret=dormant_secret,
        )

    def _seed_contact(self, contact: tuple[str, ...], org: dict, owner: str) -> str:
        name, email, company, role, phone = contact
        contact_id = seed_id("contact/" + email)
        self.insert_contact(
            contact_id,
            seed_id(org["key"]),
            owner,
            name,
            email,
            company,
            role,
            phone,
            kind="seed",
            created_at=_SEEDED_AT,
        )
        return contact_id

    def insert_contact(
        self,
        contact_id: str,
        org_id: str,
        owner: str,
        name: str,
        email: str | None,
        company: str | None,
        role: str | None = None,
        phone: str | None = None,
        *,
        kind: str = "added",
        created_at: str | None = None,
        links: dict[str, str | None] | None = None,
    ) -> str:
        """Insert one contact unless its id exists; returns the id. `links`: LINK_COLUMNS -> value."""
        first, _, last = (name or "").partition(" ")
        links = links or {}
        unknown = set(links) - set(LINK_COLUMNS)
        if unknown:
            raise ValueError(f"unknown contact link columns: {', '.join(sorted(unknown))}")
        self._exec(
            "INSERT OR IGNORE INTO contacts (contact_id, org_id, owner_member_id, first_name, last_name, email, "
            "company, role, phone, kind, created_at, cont_website, cont_linkedin, cont_twitter, cont_github) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contact_id,
                org_id,
                owner,
                first,
                last,
                email,
                company,
                role,
                phone,
                kind,
                created_at or _now(),
                *(links.get(c) for c in LINK_COLUMNS),
            ),
        )
        return contact_id

    def insert_bench_contacts(self, n: int, org_id: str, owner: str) -> list[str]:
        """Add `n` more synthetic contacts with deterministic ids (numbering continues across calls)."""
        start = self._all("SELECT COUNT(*) AS n FROM contacts WHERE kind = 'bench'")[0]["n"]
        ids = []
        for i in range(start, start + n):
            first = _BENCH_FIRST[i % len(_BENCH_FIRST)]
            last = _BENCH_LAST[(i // len(_BENCH_FIRST)) % len(_BENCH_LAST)]
            company = _BENCH_COMPANY[i % len(_BENCH_COMPANY)]
            domain = company.lower().replace(" ", "") + ".example"
            ids.append(
                self.insert_contact(
                    seed_id(f"bench/{i}"),
                    org_id,
                    owner,
                    f"{first} {last}",
                    f"{first.lower()}.{last.lower()}{i}@{domain}",
                    company,
                    kind="bench",
                    created_at=_SEEDED_AT,
                )
            )
        return ids

    # -- queries --------------------------------------------------------------------------------

    def org(self, org_id: str) -> dict | None:
        """The organisation with this id."""
        return self._one("SELECT * FROM orgs WHERE org_id = ?", (org_id.lower(),))

    def org_by(self, column: str, value: str) -> dict | None:
        """The organisation whose `api_key` or `developer_secret` is `value`."""
        assert column in ("api_key", "developer_secret")
        return self._one(f"SELECT * FROM orgs WHERE {column} = ?", (value,))

    def member(self, member_id: str) -> dict | None:
        """The member with this id."""
        return self._one("SELECT * FROM members WHERE member_id = ?", (member_id.lower(),))

    def members(self, org_id: str) -> list[dict]:
        """The members of an organisation."""
        return self._all(
            "SELECT member_id, name, email, active FROM members WHERE org_id = ? ORDER BY rowid", (org_id,)
        )

    def contact(self, contact_id: str) -> dict | None:
        """The contact with this id."""
        return self._one("SELECT * FROM contacts WHERE contact_id = ?", (contact_id.lower(),))

    def contacts(self, kind: str | None = None) -> list[dict]:
        """All contacts in insertion order, optionally only one kind (seed, added, bench)."""
        if kind:
            return self._all("SELECT * FROM contacts WHERE kind = ? ORDER BY rowid", (kind,))
        return self._all("SELECT * FROM contacts ORDER BY rowid")

    def search(self, org_id: str, text: str) -> dict | None:
        """The first contact of the organisation whose id, name, email, phone, role or company contains `text`."""
        like = "%" + text.strip().lower().replace("%", "").replace("_", "") + "%"
        return self._one(
            "SELECT * FROM contacts WHERE org_id = ? AND (lower(contact_id) LIKE ? OR lower(first_name) LIKE ? "
            "OR lower(last_name) LIKE ? OR lower(first_name || ' ' || last_name) LIKE ? OR lower(email) LIKE ? "
            "OR lower(phone) LIKE ? OR lower(role) LIKE ? OR lower(company) LIKE ?) ORDER BY rowid LIMIT 1",
            (org_id, *[like] * 8),
        )

    def add_profile(self, contact: dict, member_id: str, source: str | None, payload: Any, version: str) -> dict:
        """Insert a new profile record (never an update) and return it."""
        created = _now()
        blob = json.dumps(payload, ensure_ascii=False)
        cursor = self._exec(
            "INSERT INTO profiles (contact_id, org_id, member_id, profile_source, payload, api_version, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (contact["contact_id"], contact["org_id"], member_id, source, blob, version, created),
        )
        return {"profile_id": cursor.lastrowid, "created_at": created}

    def profiles(self, contact_id: str | None = None) -> list[dict]:
        """Stored profiles, oldest first, with the payload decoded."""
        sql = "SELECT * FROM profiles" + (" WHERE contact_id = ?" if contact_id else "") + " ORDER BY profile_id"
        rows = self._all(sql, (str(contact_id).lower(),) if contact_id else ())
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows
