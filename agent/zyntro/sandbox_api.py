"""The sandbox's API rules: every check zyntro-api.md lists, answered in Zyntro's convention.

Rejections are HTTP 200 with {"status": "error", "data": [message]}. Messages Zyntro documents are
used verbatim ("Invalid API Key", "Missing org ID", "Organization not found"); the others (bad UUID,
string payload, non-owner, unknown contact) are undocumented, so these words are the sandbox's own.
Decision: a payload that is a JSON-encoded string (even of an object) is rejected like any string,
since Zyntro says "strings will be rejected"; v1 also accepts a JSON array ("array/object"), v2 only
an object.
"""

from __future__ import annotations

import json
from typing import Any

from agent.zyntro.client import (
    ADD_PROFILE_PATHS,
    FETCH_CONTACT_PATH,
    FETCH_IDENTIFIERS_PATH,
    LOOKUP_CONTACT_PATH,
)
from agent.zyntro.sandbox_db import LINK_COLUMNS, SandboxDB, seed_id
from agent.zyntro.validate import is_uuid

__all__ = ["API_PATHS", "MESSAGES", "SandboxAPI"]

MESSAGES = {
    "invalid_json": "Invalid JSON body",
    "missing_api_key": "Missing API Key",
    "invalid_api_key": "Invalid API Key",
    "missing_secret": "Missing developer secret",
    "invalid_secret": "Invalid developer secret",
    "missing_org": "Missing org ID",
    "invalid_org": "Invalid org ID: must be a UUID",
    "org_not_found": "Organization not found",
    "org_inactive": "Organization is not active",
    "missing_member": "Missing member ID",
    "invalid_member": "Invalid member ID: must be a UUID",
    "member_not_in_org": "Member not found in this organization",
    "member_inactive": "User is not active",
    "missing_contact": "Missing contact ID",
    "invalid_contact": "Invalid contact ID: must be a UUID",
    "contact_not_found": "Contact not found in this organization",
    "not_owner": "Only the member who owns this contact can add profiles to it",
    "missing_source": "Missing profile source",
    "invalid_source": "Profile source must be a string",
    "missing_payload": "Missing profile payload",
    "string_payload": "Profile payload must be a valid array/object - strings will be rejected",
    "object_payload": "Profile payload must be a JSON object",
    "missing_search": "Missing search string",
    "no_match": "No contact matches the search string",
}


class _Reject(Exception):
    def __init__(self, key: str):
        super().__init__(MESSAGES[key])
        self.message = MESSAGES[key]


def _ok(data: Any) -> dict:
    return {"status": "success", "data": data}


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes"}


class SandboxAPI:
    """Turns one API request body into Zyntro's answer, reading and writing a SandboxDB."""

    def __init__(self, db: SandboxDB):
        self.db = db
        self._routes = {
            ADD_PROFILE_PATHS["v1"]: lambda body: self.add_profile(body, "v1"),
            ADD_PROFILE_PATHS["v2"]: lambda body: self.add_profile(body, "v2"),
            FETCH_CONTACT_PATH: self.fetch_contact,
            LOOKUP_CONTACT_PATH: self.lookup_contact,
            FETCH_IDENTIFIERS_PATH: self.fetch_identifiers,
        }

    def handles(self, path: str) -> bool:
        """True when `path` is one of the API endpoints."""
        return path in self._routes

    def handle(self, path: str, raw: bytes) -> dict:
        """The JSON answer for a POST of `raw` to `path` (an API path)."""
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            body = None
        try:
            if not isinstance(body, dict):
                raise _Reject("invalid_json")
            return self._routes[path](body)
        except _Reject as rejection:
            return {"status": "error", "data": [rejection.message]}

    # -- checks ---------------------------------------------------------------------------------

    def _org(self, body: dict, *, secret: bool) -> dict:
        key = body.get("api_key")
        if not key:
            raise _Reject("missing_api_key")
        key_org = self.db.org_by("api_key", str(key))
        if key_org is None:
            raise _Reject("invalid_api_key")
        if secret:
            if not body.get("developer_secret"):
                raise _Reject("missing_secret")
            if body["developer_secret"] != key_org["developer_secret"]:
                raise _Reject("invalid_secret")
        org = self._org_by_id(body)
        if org["org_id"] != key_org["org_id"]:
            raise _Reject("invalid_api_key")  # a key only opens its own organisation
        return org

    def _org_by_id(self, body: dict) -> dict:
        org_id = body.get("org_id")
        if not org_id:
            raise _Reject("missing_org")
        if not is_uuid(org_id):
            raise _Reject("invalid_org")
        org = self.db.org(org_id)
        if org is None:
            raise _Reject("org_not_found")
        if not org["active"]:
            raise _Reject("org_inactive")
        return org

    def _member(self, body: dict, org: dict) -> dict:
        member_id = body.get("member_id")
        if not member_id:
            raise _Reject("missing_member")
        if not is_uuid(member_id):
            raise _Reject("invalid_member")
        member = self.db.member(member_id)
        if member is None or member["org_id"] != org["org_id"]:
            raise _Reject("member_not_in_org")
        if not member["active"]:
            raise _Reject("member_inactive")
        return member

    def _contact(self, body: dict, org: dict) -> dict:
        contact_id = body.get("contact_id")
        if not contact_id:
            raise _Reject("missing_contact")
        if not is_uuid(contact_id):
            raise _Reject("invalid_contact")
        contact = self.db.contact(contact_id)
        if contact is None or contact["org_id"] != org["org_id"]:
            raise _Reject("contact_not_found")  # same words for both: no leaking other orgs' ids
        return contact

    @staticmethod
    def _source(body: dict, version: str) -> str | None:
        source = body.get("profile_source")
        if source is None or source == "":
            if version == "v2":
                raise _Reject("missing_source")
            return None  # v1 examples always send one, but the docs do not say it is required
        if not isinstance(source, str):
            raise _Reject("invalid_source")
        return source

    @staticmethod
    def _payload(body: dict, version: str) -> Any:
        if "profile_payload" not in body or body["profile_payload"] is None:
            raise _Reject("missing_payload")
        payload = body["profile_payload"]
        if isinstance(payload, str):
            raise _Reject("string_payload")
        if isinstance(payload, dict) or (version == "v1" and isinstance(payload, list)):
            return payload
        raise _Reject("string_payload" if version == "v1" else "object_payload")

    # -- endpoints ------------------------------------------------------------------------------

    def add_profile(self, body: dict, version: str) -> dict:
        """addProfileToContact (v1 or v2): insert a new profile record."""
        org = self._org(body, secret=version == "v2")
        member = self._member(body, org)
        contact = self._contact(body, org)
        if contact["owner_member_id"] != member["member_id"]:
            raise _Reject("not_owner")
        source = self._source(body, version)
        payload = self._payload(body, version)
        stored = self.db.add_profile(contact, member["member_id"], source, payload, version)
        return _ok({"profile_id": stored["profile_id"], "profile_payload": payload, "profile_source": source})

    def _contact_view(self, contact: dict, *, include_profile: bool) -> dict:
        profiles = self.db.profiles(contact["contact_id"])
        view = {
            "contact_id": contact["contact_id"],
            "cont_fname": contact["first_name"],
            "cont_lname": contact["last_name"],
            "cont_email": contact["email"],
            "cont_phone": contact["phone"],
            "cont_role": contact["role"],
            **{column: contact.get(column) for column in LINK_COLUMNS},  # field names Zyntro's docs do not give
            "member_id": contact["owner_member_id"],
            "cont_enrich": 0,
            "cont_enriched": 1 if profiles else 0,
            "created_at": contact["created_at"],
        }
        if include_profile:
            view["profile"] = [
                {
                    "profile_id": p["profile_id"],
                    "profile_source": p["profile_source"],
                    "profile_payload": p["payload"],
                    "created_at": p["created_at"],
                }
                for p in profiles
            ]
        return view

    @staticmethod
    def _entity(contact: dict) -> dict:
        name = contact["company"]
        return {"entity_id": seed_id("entity/" + (name or "")), "entity_name": name} if name else {}

    def fetch_contact(self, body: dict) -> dict:
        """v2 fetchContact: one contact, with optional notes, profile, signals and entity."""
        org = self._org(body, secret=True)
        self._member(body, org)
        contact = self._contact(body, org)
        view = self._contact_view(contact, include_profile=_flag(body.get("include_profile", 0)))
        if _flag(body.get("include_notes", 0)):
            view["notes"] = []
        if _flag(body.get("include_signals", 0)):
            view["signals"] = []
        if _flag(body.get("include_entity", 0)):
            view["entity"] = self._entity(contact)
        return _ok(view)

    def lookup_contact(self, body: dict) -> dict:
        """v2 lookupContact: the first contact matching `search_string`, with everything attached."""
        org = self._org(body, secret=True)
        search = body.get("search_string")
        if not isinstance(search, str) or not search.strip():
            raise _Reject("missing_search")
        contact = self.db.search(org["org_id"], search)
        if contact is None:
            raise _Reject("no_match")
        view = self._contact_view(contact, include_profile=True)
        data = {"notes": [], "profile": view.pop("profile"), "signals": [], "entity": self._entity(contact)}
        return {"data": data | view, "status": "success"}  # the docs show the body starting with "data"

    def fetch_identifiers(self, body: dict) -> dict:
        """v2 fetchIdentifiers: what the developer secret opens."""
        if not body.get("developer_secret"):
            raise _Reject("missing_secret")
        org = self.db.org_by("developer_secret", str(body["developer_secret"]))
        if org is None:
            raise _Reject("invalid_secret")
        if not org["active"]:
            raise _Reject("org_inactive")
        return _ok(
            {
                "api_key": org["api_key"],
                "organization": {"org_id": org["org_id"], "name": org["name"], "active": bool(org["active"])},
                "members": self.db.members(org["org_id"]),
                "brands": [{"brand_id": seed_id("brand/" + org["org_id"]), "name": org["name"]}],
            }
        )


API_PATHS = (*ADD_PROFILE_PATHS.values(), FETCH_CONTACT_PATH, LOOKUP_CONTACT_PATH, FETCH_IDENTIFIERS_PATH)
