"""The Zyntro API client: addProfileToContact (v1 and v2) and the v2 read endpoints.

Zyntro answers errors as HTTP 200 with {"status": "error", "data": [...]}, so every body is read;
the HTTP code alone is never trusted. addProfileToContact inserts a new record on every call, so a
request is repeated only when it certainly never arrived (see agent.zyntro.retry).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from agent import __version__
from agent.config import ZyntroSettings
from agent.errors import (
    ConfigError,
    ZyntroHTTPError,
    ZyntroRejected,
    ZyntroUnavailable,
    ZyntroUnknownOutcome,
)
from agent.httputil import parse_retry_after
from agent.zyntro.retry import RetryBudget, backoff_delay, redact
from agent.zyntro.validate import (
    encode_payload,
    normalise_uuid,
    validate_profile_request,
)

__all__ = ["ADD_PROFILE_PATHS", "ZyntroClient", "validate_profile_request"]

log = logging.getLogger(__name__)

ADD_PROFILE_PATHS = {
    "v1": "/apis/public/addProfileToContact.php",
    "v2": "/apis/v2/public/crm/addProfileToContact",
}
FETCH_CONTACT_PATH = "/apis/v2/public/crm/fetchContact"
LOOKUP_CONTACT_PATH = "/apis/v2/public/crm/lookupContact"
FETCH_IDENTIFIERS_PATH = "/apis/v2/public/developers/fetchIdentifiers"

_ENV_NAMES = {
    "api_key": "ZYNTRO_API_KEY",
    "org_id": "ZYNTRO_ORG_ID",
    "member_id": "ZYNTRO_MEMBER_ID",
    "developer_secret": "ZYNTRO_DEVELOPER_SECRET",
}
AttemptHook = Callable[
    [str, str], None
]  # (state, detail): "sending" before a request, "waiting" after a retryable answer
_BODY_START = 200  # characters of an unexpected body quoted in error messages
_UNKNOWN_NEXT = "check the contact in Zyntro before posting again (each post stores a new profile)"
_STATUS_HINTS = {
    401: "check ZYNTRO_API_KEY (and ZYNTRO_DEVELOPER_SECRET and the IP allowlist for v2)",
    403: "check ZYNTRO_API_KEY (and ZYNTRO_DEVELOPER_SECRET and the IP allowlist for v2)",
    404: "check ZYNTRO_BASE_URL and ZYNTRO_API_VERSION",
    405: "check ZYNTRO_BASE_URL and ZYNTRO_API_VERSION",
    413: "the request is too large for Zyntro: shorten the payload",
}


@dataclass
class _Retry:
    """A retryable failure: why, how long Zyntro asked us to wait (if it did), the HTTP status."""

    reason: str
    retry_after: float | None = None
    status: int | None = None


class ZyntroClient:
    """Async client for Zyntro's public API; use as `async with ZyntroClient(settings) as zyntro:`."""

    def __init__(
        self,
        settings: ZyntroSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep=asyncio.sleep,
    ):
        base = settings.base_url.strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"ZYNTRO_BASE_URL {base!r} is not an http(s) URL: set it like https://app.zyntrohq.com")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            log.warning("ZYNTRO_BASE_URL uses plain http to %s: the API key travels unencrypted", parts.hostname)
        self._settings = settings
        self._base = base
        self._transport = transport
        self._sleep = sleep
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return (
            f"ZyntroClient(base_url={self._base!r}, api_version={self._settings.api_version!r}, "
            f"org_id={self._settings.org_id!r}, member_id={self._settings.member_id!r})"
        )

    async def __aenter__(self) -> ZyntroClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- public calls ---------------------------------------------------------------------------

    async def add_profile(
        self, contact_id: object, profile_source: str, payload: dict, *, on_attempt: AttemptHook | None = None
    ) -> int:
        """Post one profile to a contact with addProfileToContact; returns Zyntro's new profile_id.

        `on_attempt(state, detail)` is called with "sending" before each request leaves and with
        "waiting" once an answer proved nothing was stored (429/503, no connection) and a retry is
        due, so a caller can record which of the two a crash interrupted. If it raises, nothing is sent.
        """
        self.require_post_credentials()
        s = self._settings
        version = s.api_version
        validate_profile_request(contact_id, profile_source, payload, org_id=s.org_id, member_id=s.member_id)
        body = self._auth(with_secret=version == "v2") | {
            "org_id": normalise_uuid(s.org_id, "org_id"),
            "member_id": normalise_uuid(s.member_id, "member_id"),
            "contact_id": normalise_uuid(contact_id, "contact_id"),
            "profile_source": profile_source,
        }
        # The payload is spliced in pre-encoded so the checked bytes are exactly the bytes sent.
        data = await self._call(
            ADD_PROFILE_PATHS[version], body, payload=encode_payload(payload), on_attempt=on_attempt
        )
        profile_id = data.get("profile_id") if isinstance(data, dict) else None
        if isinstance(profile_id, str) and profile_id.isdigit():
            profile_id = int(profile_id)
        if not isinstance(profile_id, int) or isinstance(profile_id, bool):
            raise ZyntroUnknownOutcome(
                f"Zyntro reported success but sent no profile_id ({self._start(json.dumps(data))}): "
                f"the profile is probably stored; {_UNKNOWN_NEXT}"
            )
        log.debug("stored profile %s on contact %s (source %r)", profile_id, body["contact_id"], profile_source)
        return profile_id

    async def fetch_contact(self, contact_id: object, *, include_profile: bool = False) -> dict:
        """One contact (v2 fetchContact), with its stored profiles when `include_profile`."""
        self._require(["api_key", "developer_secret", "org_id", "member_id"], "fetch a contact")
        s = self._settings
        body = self._auth(with_secret=True) | {
            "org_id": normalise_uuid(s.org_id, "org_id", "set ZYNTRO_ORG_ID"),
            "member_id": normalise_uuid(s.member_id, "member_id", "set ZYNTRO_MEMBER_ID"),
            "contact_id": normalise_uuid(contact_id, "contact_id"),
            "include_profile": 1 if include_profile else 0,
        }
        return self._as_dict(await self._call(FETCH_CONTACT_PATH, body), "fetchContact")

    async def fetch_identifiers(self) -> dict:
        """The organisation, members and brands behind the developer secret; its `api_key` comes back as a SecretStr."""
        self._require(["developer_secret"], "fetch identifiers")
        data = self._as_dict(
            await self._call(FETCH_IDENTIFIERS_PATH, self._auth(with_secret=True, key=False)), "fetchIdentifiers"
        )
        if isinstance(data.get("api_key"), str):
            data["api_key"] = SecretStr(data["api_key"])
        return data

    # -- plumbing -------------------------------------------------------------------------------

    def _value(self, name: str) -> str | None:
        # Settings built with model_copy(update=...) skip validation and may hold a plain str.
        value = getattr(self._settings, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value

    def require_post_credentials(self) -> None:
        """Raise ConfigError naming every variable still to set for posting (call before any work)."""
        version = self._settings.api_version
        needed = ["api_key", "org_id", "member_id"] + (["developer_secret"] if version == "v2" else [])
        self._require(needed, "post a profile")

    def _require(self, fields: list[str], action: str) -> None:
        missing = [_ENV_NAMES[name] for name in fields if not self._value(name)]
        if missing:
            raise ConfigError(
                f"cannot {action}: set {', '.join(missing)} (Zyntro app: Me > API & Webhooks), "
                "or run `zyntro-enrich sandbox` for a local Zyntro to try against"
            )

    def _secrets(self) -> list[str]:
        return [v for v in (self._value("api_key"), self._value("developer_secret")) if v]

    def _auth(self, *, with_secret: bool, key: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if key:
            body["api_key"] = self._value("api_key")
        if with_secret:
            body["developer_secret"] = self._value("developer_secret")
        return body

    def _start(self, text: str) -> str:
        text = redact(text, self._secrets())
        return text if len(text) <= _BODY_START else text[:_BODY_START] + "..."

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self._transport,
                timeout=self._settings.timeout_s,
                headers={"User-Agent": f"zyntro-enrich/{__version__}", "Accept": "application/json"},
                follow_redirects=False,  # a redirected POST would resend the key; say so instead
            )
        return self._http

    @staticmethod
    def _as_dict(data: Any, what: str) -> dict:
        if not isinstance(data, dict):
            raise ZyntroHTTPError(f"Zyntro's {what} answer has no data object: the API may have changed")
        return data

    async def _call(
        self, path: str, body: dict[str, Any], payload: bytes | None = None, on_attempt: AttemptHook | None = None
    ) -> Any:
        """POST `body` to `path`, retrying only where nothing can have been stored; returns `data`."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if payload is not None:  # append "profile_payload": <bytes> to the encoded object
            content = content[:-1] + b', "profile_payload": ' + payload + b"}"
        url = self._base + path
        budget = RetryBudget(self._settings.max_retry_s)
        while True:
            budget.attempts += 1
            if on_attempt is not None:
                on_attempt("sending", "")
            outcome = await self._attempt(url, content)
            if not isinstance(outcome, _Retry):
                return outcome[0]
            delay = outcome.retry_after if outcome.retry_after is not None else backoff_delay(budget.attempts)
            if not budget.allows(delay):
                asked = f", asked to wait {delay:g} s" if outcome.retry_after is not None else ""
                raise ZyntroUnavailable(
                    f"Zyntro did not accept the request at {url} after {budget.attempts} attempt(s) over "
                    f"{budget.spent:.1f} s ({outcome.reason}{asked}): nothing was stored; try again later "
                    "or raise the zyntro max_retry_s setting",
                    http_status=outcome.status,
                )
            if on_attempt is not None:  # before the wait: a crash during it leaves "nothing stored" behind
                on_attempt("waiting", f"Zyntro {outcome.reason}; retrying in {delay:.1f} s")
            log.warning("Zyntro %s; retrying in %.1f s (attempt %d)", outcome.reason, delay, budget.attempts + 1)
            await budget.wait(delay, self._sleep)

    async def _attempt(self, url: str, content: bytes) -> tuple[Any] | _Retry:
        """One POST: a 1-tuple holding the answer's data when final, or a _Retry when worth repeating."""
        try:
            response = await self._client().post(url, content=content, headers={"Content-Type": "application/json"})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The connection never opened, so the request never left: safe to repeat.
            return _Retry(f"could not connect ({type(exc).__name__}: {self._start(str(exc))})")
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError) as exc:
            raise ZyntroUnavailable(
                f"could not send the request to {url} ({type(exc).__name__}: "
                f"{self._start(str(exc))}): nothing was stored; check ZYNTRO_BASE_URL"
            ) from None
        except httpx.RequestError as exc:
            # ReadTimeout, RemoteProtocolError, ReadError, WriteError...: the request may have arrived.
            detail = f": {self._start(str(exc))}" if str(exc) else ""
            raise ZyntroUnknownOutcome(
                f"the request to {url} was sent but no answer came ({type(exc).__name__}{detail}); "
                f"it may or may not have been stored; {_UNKNOWN_NEXT}"
            ) from None
        if response.status_code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return _Retry(f"answered HTTP {response.status_code}", retry_after, response.status_code)
        return (self._read(url, response),)

    def _read(self, url: str, response: httpx.Response) -> Any:
        """The `data` of a Zyntro answer, or the matching error."""
        code = response.status_code
        start = self._start(response.text)
        try:
            body = response.json()
        except ValueError:
            body = None
        if 300 <= code < 400:
            raise ZyntroHTTPError(
                f"Zyntro answered HTTP {code} redirecting to {response.headers.get('location')!r}: "
                "point ZYNTRO_BASE_URL at the final address",
                http_status=code,
            )
        if code >= 400:
            if code >= 500:
                hint = "the profile may or may not have been stored; " + _UNKNOWN_NEXT
            else:
                hint = _STATUS_HINTS.get(code, "check the request and the configuration")
            raise ZyntroHTTPError(f"Zyntro answered HTTP {code} at {url}: {start!r}; {hint}", http_status=code)
        if not isinstance(body, dict):
            raise ZyntroHTTPError(
                f"Zyntro answered HTTP {code} with a body that is not Zyntro's JSON: {start!r}; "
                "check ZYNTRO_BASE_URL (a proxy or login page may be answering)",
                http_status=code,
            )
        status = str(body.get("status", "")).lower()
        if status == "error":
            raise ZyntroRejected(_messages(body.get("data"), self._secrets()), http_status=code)
        if status == "success" or (not status and "data" in body):
            return body.get("data")
        raise ZyntroHTTPError(f"Zyntro answered without a status this client knows: {start!r}", http_status=code)


def _messages(data: Any, secrets: list[str]) -> list[str]:
    """Zyntro's error messages as a list of strings, whatever shape `data` has."""
    if isinstance(data, list):
        items = [str(item) for item in data]
    elif isinstance(data, dict):
        items = [f"{key}: {value}" for key, value in data.items()]
    elif data is None or data == "":
        items = []
    else:
        items = [str(data)]
    return [redact(item, secrets) for item in items] or ["(Zyntro gave no message)"]
