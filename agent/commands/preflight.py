"""Before a command that posts does any work: are the Zyntro credentials there, and does Zyntro take them?

Every command that posts (enrich and batches, refresh and schedule, review approve, post) calls
`check_zyntro` first, so a wrong key is found before a single page is fetched or condensed.

The check is the cheapest call the API version allows. v2 has fetchIdentifiers: it needs only the
developer secret and answers with the organisation's API key, its id and its members, so one call
checks the secret, the key, ZYNTRO_ORG_ID and ZYNTRO_MEMBER_ID. v1 has no call that reads without
storing (addProfileToContact inserts a record on every call), so with v1 only presence and form
are checked (agent.config refuses ids that are not UUIDs) and a wrong key shows at the first post.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from agent.config import Settings
from agent.errors import ConfigError, ZyntroHTTPError, ZyntroRejected

__all__ = ["check_zyntro"]

log = logging.getLogger(__name__)

_WHERE = "Zyntro app: Me > API & Webhooks"


def check_zyntro(settings: Settings) -> None:
    """Raise ConfigError naming the variable when the Zyntro credentials cannot post; one call with v2."""
    from agent.zyntro import ZyntroClient

    client = ZyntroClient(settings.zyntro)  # a base URL that is not http(s) is a ConfigError here
    client.require_post_credentials()  # every variable still to set, named at once
    if settings.zyntro.api_version != "v2":
        return
    data = asyncio.run(_identifiers(client))
    _compare(data, settings)


async def _identifiers(client: Any) -> dict:
    async with client:
        try:
            return await client.fetch_identifiers()
        except ZyntroRejected as exc:
            raise ConfigError(
                f"Zyntro refused ZYNTRO_DEVELOPER_SECRET ({'; '.join(exc.messages)}): copy it again "
                f"from the {_WHERE}, and check this machine's IP is on Zyntro's allowlist"
            ) from None
        except ZyntroHTTPError as exc:
            if exc.http_status not in (401, 403):
                raise
            raise ConfigError(
                f"Zyntro answered HTTP {exc.http_status} to ZYNTRO_DEVELOPER_SECRET: check the "
                f"secret ({_WHERE}) and that this machine's IP is on Zyntro's allowlist"
            ) from None


def _compare(data: dict, settings: Settings) -> None:
    """The configured key, organisation and member against what the developer secret opens."""
    z = settings.zyntro
    key: Any = data.get("api_key")
    key = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    assert z.api_key is not None  # check_zyntro required the post credentials first
    if isinstance(key, str) and key and key != z.api_key.get_secret_value():
        raise ConfigError(
            "ZYNTRO_API_KEY is not the API key of the organisation ZYNTRO_DEVELOPER_SECRET belongs "
            f"to: copy both from the {_WHERE}"
        )
    org = data.get("organization") if isinstance(data.get("organization"), dict) else data
    org_id = org.get("org_id") if isinstance(org, dict) else None
    if isinstance(org_id, str) and org_id.lower() != str(z.org_id).lower():
        raise ConfigError(
            f"ZYNTRO_ORG_ID {z.org_id} is not the organisation of ZYNTRO_DEVELOPER_SECRET "
            f"({org_id}): set ZYNTRO_ORG_ID={org_id}"
        )
    members = data.get("members")
    if not isinstance(members, list) or not all(isinstance(m, dict) and "member_id" in m for m in members):
        log.debug("fetchIdentifiers lists no members this client recognises; ZYNTRO_MEMBER_ID is checked at the post")
        return
    member = next((m for m in members if str(m["member_id"]).lower() == str(z.member_id).lower()), None)
    if member is None:
        raise ConfigError(
            f"ZYNTRO_MEMBER_ID {z.member_id} is not a member of the organisation: use the id of "
            "the member who owns the contacts (see `zyntro-enrich sandbox` output or Zyntro's "
            "member list)"
        )
    if member.get("active") is False:
        raise ConfigError(f"ZYNTRO_MEMBER_ID {z.member_id} is not an active member: use an active member's id")
