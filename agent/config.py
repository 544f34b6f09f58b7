"""The one reader of the environment and of the config file.

Precedence, lowest first: built-in defaults < config file < environment < command line.
The config file is TOML: `--config FILE`, else `$ZYNTRO_ENRICH_CONFIG`, else
`$ZYNTRO_ENRICH_HOME/config.toml` when it exists. Its tables mirror the settings groups
(`[zyntro]`, `[llm]`, `[fetch]`) plus top-level `home`, `chromium`, `allow_private`.
Everything else in the project receives a `Settings` value and never reads `os.environ`.

Every setting is checked here, before any command does any work: numbers must be finite and in
range, booleans are true/false, 1/0 or yes/no, ids are UUIDs, base URLs are http(s) URLs,
directories exist, and serve's sign-in token and webhook secret are stripped of surrounding
whitespace and at least 16 characters long. A bad one is a ConfigError naming the setting and its variable (exit 2).
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError

from agent.errors import ConfigError

__all__ = [
    "FetchSettings",
    "LLMSettings",
    "ServeSettings",
    "Settings",
    "ZyntroSettings",
    "config_file_path",
    "load_settings",
    "variables_set",
]

DEFAULT_BASE_URL = "https://app.zyntrohq.com"
USER_AGENT = "zyntro-enrich/0.1 (+https://github.com/zyntro-enrich/zyntro-enrich; contact enrichment bot)"

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _flag(value: Any) -> bool:
    """A boolean setting: true/false, 1/0 or yes/no; anything else is refused, never read as false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(f"use true/false, 1/0 or yes/no, not {value!r}")


def _stripped(value: Any) -> Any:
    """A serve secret without surrounding whitespace (a pasted token often brings a newline or a space)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value.strip() if isinstance(value, str) else value


Flag = Annotated[bool, BeforeValidator(_flag)]
ServeSecret = Annotated[SecretStr, BeforeValidator(_stripped)]
SERVE_SECRET_MIN = 16  # characters, once stripped: the sign-in token and the webhook secret
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]  # finite; 0 allowed (no delay, no retry)
Timeout = Annotated[float, Field(gt=0, allow_inf_nan=False)]  # finite and positive
Count = Annotated[int, Field(ge=1)]


class ZyntroSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    api_key: SecretStr | None = None
    org_id: str | None = None
    member_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_version: Literal["v1", "v2"] = "v1"
    developer_secret: SecretStr | None = None
    timeout_s: Timeout = 20.0
    max_retry_s: NonNegative = 60.0  # bound on total time spent retrying one call
    # v2 only: how old a post with no recorded answer must be before fetchContact is trusted to show
    # whether it was stored (a request still in flight could land until then).
    reconcile_grace_s: NonNegative = 30.0
    # A streak of this many posts answered 5xx (or unreachable) pauses posting for outage_pause_s, doubling
    # with each further failure up to outage_pause_max_s (agent.breakers).
    outage_streak: Count = 3
    outage_pause_s: NonNegative = 5.0
    outage_pause_max_s: NonNegative = 300.0


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    mode: Literal["auto", "offline", "openai"] = "auto"  # auto: openai when a key or base URL is set
    max_cost_usd: NonNegative | None = None
    max_tokens: Count | None = None  # cap on total tokens (input + output) for a run
    timeout_s: Timeout = 60.0
    failure_limit: Count = 3  # LLM failures in a row that stop the run, or switch it to `fallback` (agent.breakers)
    fallback: Literal["none", "offline"] = "none"  # what the rest of a run uses once failure_limit is reached
    # USD per million tokens (input, output); unknown models cost 0 and are reported as such.
    prices: dict[str, tuple[NonNegative, NonNegative]] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.00),
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
        }
    )


class FetchSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    user_agent: str = USER_AGENT
    delay_s: NonNegative = 1.0  # per-host minimum delay between requests
    per_host_concurrency: Count = 2
    concurrency: Count = 8  # global cap on pages in flight
    timeout_s: Timeout = 20.0
    max_bytes: Count = 5 * 1024 * 1024
    robots_override: list[str] = Field(default_factory=list)  # domains whose robots.txt is overridden
    no_delay_hosts: list[str] = Field(default_factory=list)  # hosts exempt from the politeness delay
    replay_dir: Path | None = None  # serve recorded pages instead of the network
    replay_latency_s: NonNegative = 0.0  # simulated latency per replayed response (benchmarks)
    browser_recycle_pages: Count = 100
    browser_pages: Count = 3  # pages rendering at once; each is a Chromium renderer of ~120 MB RSS
    browser_page_mb: Count = 512  # a page's renderer past this (or its JS heap) is stopped: too_large
    browser_total_mb: Count = 2048  # a page starts rendering only while the browser leaves it room under this
    max_retries: Annotated[int, Field(ge=0)] = 2  # retries after a 429/503 before the outcome is rate_limited
    max_retry_wait_s: NonNegative = 30.0  # a longer Retry-After is not waited for: rate_limited at once


class ServeSettings(BaseModel):
    """`zyntro-enrich serve`: the review pages and Zyntro's webhook (agent.review)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8780
    token: ServeSecret | None = None  # the sign-in token; generated (and printed once) when absent
    session_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 12.0
    page_size: Count = 50
    webhook_secret: ServeSecret | None = None  # Zyntro's signing secret; without it the webhook is off
    webhook_header: str = "X-Zyntro-Signature"  # where Zyntro puts the signature (its scheme is undocumented)
    webhook_contact_path: str | None = None  # dotted JSON path of the contact id; None tries the usual places
    webhook_event_path: str | None = None  # dotted JSON path of the event id; None tries the usual places
    webhook_review: Flag = True  # contacts from the webhook wait for review (false: posted at once)
    workers: Count = 1  # webhook contacts enriched at once


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    home: Path = Path.home() / ".zyntro-enrich"
    chromium: str | None = None
    allow_private: Flag = False
    refresh_days: NonNegative = 7.0  # a tracked contact is due for refresh this long after its last enrichment
    busy_timeout_s: NonNegative = 30.0  # how long a state-database access waits while another process holds its lock
    cache_days: NonNegative = 30.0  # a stored page not used for this long is deleted (0: never kept past the run)
    cache_mb: NonNegative = 256.0  # the page cache's size cap (compressed); least recently used pages go first
    zyntro: ZyntroSettings = Field(default_factory=ZyntroSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @property
    def db_path(self) -> Path:
        return self.home / "state.sqlite3"

    def llm_enabled(self) -> bool:
        """True when the condenser should be the LLM rather than the offline one."""
        if self.llm.mode == "auto":
            return self.llm.api_key is not None or self.llm.base_url is not None
        return self.llm.mode == "openai"


# environment variable -> (group or None, field); list fields are comma-separated
_ENV: dict[str, tuple[str | None, str]] = {
    "ZYNTRO_API_KEY": ("zyntro", "api_key"),
    "ZYNTRO_ORG_ID": ("zyntro", "org_id"),
    "ZYNTRO_MEMBER_ID": ("zyntro", "member_id"),
    "ZYNTRO_BASE_URL": ("zyntro", "base_url"),
    "ZYNTRO_API_VERSION": ("zyntro", "api_version"),
    "ZYNTRO_DEVELOPER_SECRET": ("zyntro", "developer_secret"),
    "OPENAI_API_KEY": ("llm", "api_key"),
    "OPENAI_BASE_URL": ("llm", "base_url"),
    "ZYNTRO_ENRICH_MODEL": ("llm", "model"),
    "ZYNTRO_ENRICH_LLM": ("llm", "mode"),
    "ZYNTRO_ENRICH_MAX_COST": ("llm", "max_cost_usd"),
    "ZYNTRO_ENRICH_MAX_TOKENS": ("llm", "max_tokens"),
    "ZYNTRO_ENRICH_LLM_FAILURE_LIMIT": ("llm", "failure_limit"),
    "ZYNTRO_ENRICH_LLM_FALLBACK": ("llm", "fallback"),
    "ZYNTRO_ENRICH_HOME": (None, "home"),
    "ZYNTRO_ENRICH_CHROMIUM": (None, "chromium"),
    "ZYNTRO_ENRICH_ALLOW_PRIVATE": (None, "allow_private"),
    "ZYNTRO_ENRICH_DELAY": ("fetch", "delay_s"),
    "ZYNTRO_ENRICH_REFRESH_DAYS": (None, "refresh_days"),
    "ZYNTRO_ENRICH_CACHE_DAYS": (None, "cache_days"),
    "ZYNTRO_ENRICH_CACHE_MB": (None, "cache_mb"),
    "ZYNTRO_ENRICH_ROBOTS_OVERRIDE": ("fetch", "robots_override"),
    "ZYNTRO_ENRICH_REPLAY_DIR": ("fetch", "replay_dir"),
    "ZYNTRO_ENRICH_SERVE_TOKEN": ("serve", "token"),
    "ZYNTRO_ENRICH_WEBHOOK_SECRET": ("serve", "webhook_secret"),
    "ZYNTRO_ENRICH_WEBHOOK_HEADER": ("serve", "webhook_header"),
    "ZYNTRO_ENRICH_WEBHOOK_CONTACT_PATH": ("serve", "webhook_contact_path"),
    "ZYNTRO_ENRICH_WEBHOOK_EVENT_PATH": ("serve", "webhook_event_path"),
    "ZYNTRO_ENRICH_WEBHOOK_REVIEW": ("serve", "webhook_review"),
    "ZYNTRO_ENRICH_WEBHOOK_WORKERS": ("serve", "workers"),
}
_LIST_FIELDS = {"robots_override", "no_delay_hosts"}
SECRET_ENV = (
    "ZYNTRO_API_KEY",
    "ZYNTRO_DEVELOPER_SECRET",
    "OPENAI_API_KEY",
    "ZYNTRO_ENRICH_SERVE_TOKEN",
    "ZYNTRO_ENRICH_WEBHOOK_SECRET",
)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for var, (group, name) in _ENV.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        value: Any = raw
        if name in _LIST_FIELDS:
            value = [part.strip() for part in raw.split(",") if part.strip()]
        target = data.setdefault(group, {}) if group else data
        target[name] = value
    return data


def _config_file(env: Mapping[str, str], explicit: Path | None) -> dict[str, Any]:
    path = explicit or (Path(env["ZYNTRO_ENRICH_CONFIG"]) if env.get("ZYNTRO_ENRICH_CONFIG") else None)
    if path is None:
        home = Path(env.get("ZYNTRO_ENRICH_HOME") or Settings.model_fields["home"].default)
        path = home / "config.toml"
        if not path.exists():
            return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist: create it or drop --config") from None
    except OSError as exc:  # a directory, no permission, ...
        raise ConfigError(f"cannot read the config file {path} ({exc.strerror}): give a readable TOML file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}): save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc}): fix it or remove it") from None


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings: defaults < config file < environment < `overrides` (command line)."""
    env = os.environ if env is None else env
    data = _merge(_config_file(env, config_file), _from_env(env))
    data = _merge(data, overrides or {})
    settings, errors = None, []
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    problems = _not_utf8(env) + [_describe(err) for err in errors]
    named = {tuple(map(str, err["loc"])) for err in errors}  # a setting with a type error is named once
    problems += [f"{_setting_name(loc)}: {why}" for loc, why in _checks(data) if loc not in named]
    if problems or settings is None:
        raise ConfigError(f"invalid configuration ({'; '.join(problems)}): fix the variable or config entry")
    return settings


_SECRET_FIELDS = {"api_key", "developer_secret", "token", "webhook_secret"}
_PATH_FIELDS = {"home", "chromium", "replay_dir"}  # a path may be any bytes; every other value is text
_SURROGATE = re.compile("[\udc80-\udcff]")  # how os.environ carries bytes that are not UTF-8


def _not_utf8(env: Mapping[str, str]) -> list[str]:
    problems = []
    for var, (group, name) in _ENV.items():
        found = _SURROGATE.search(env.get(var) or "")
        if found and name not in _PATH_FIELDS:
            byte = ord(found.group()) - 0xDC00
            loc = (group, name) if group else (name,)
            problems.append(f"{_setting_name(loc)}: not valid UTF-8 (byte 0x{byte:02x})")
    return problems


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def _describe(err: Any) -> str:
    """One pydantic error as 'setting (VARIABLE): what is wrong, got VALUE' (never a secret's value)."""
    message = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = (
        err["type"] != "value_error"
        and not _SECRET_FIELDS & set(map(str, err["loc"]))
        and isinstance(value, str | int | float)
        and len(repr(value)) <= 60
    )
    return f"{_setting_name(err['loc'])}: {message}" + (f", got {value!r}" if shown else "")


def _uuid(value: str) -> str | None:
    if _UUID.match(value):
        return None
    return f"{value!r} is not a UUID (Zyntro ids look like 3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f)"


def _http_url(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"{value!r} cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s) URL: write it like https://host or http://127.0.0.1:8765"
    return None


def _directory(value: str) -> str | None:
    return None if Path(value).expanduser().is_dir() else f"{str(value)!r} is not a directory"


def _not_a_file(value: str) -> str | None:
    path = Path(value).expanduser()
    return f"{str(value)!r} is not a directory" if path.exists() and not path.is_dir() else None


def _executable(value: str) -> str | None:
    return None if shutil.which(str(Path(value).expanduser())) else f"{value!r} is not an executable file"


def _domains(value: list[str]) -> str | None:
    bad = [d for d in value if not re.fullmatch(r"[A-Za-z0-9_.-]+", str(d))]
    return f"{bad[0]!r} is not a domain: write bare domains like linkedin.com, comma-separated" if bad else None


def _serve_secret(value: str) -> str | None:
    """A sign-in token or webhook secret long enough to resist guessing (its value is never shown)."""
    if len(value.strip()) >= SERVE_SECRET_MIN:
        return None
    what = "empty or only whitespace" if not value.strip() else f"shorter than {SERVE_SECRET_MIN} characters"
    return f"is {what}: use a long random string (at least {SERVE_SECRET_MIN} characters, spaces around it not counted)"


# Checks beyond the types, on the merged raw values (so that every problem is listed at once). Kept out
# of the models: code and tests may build a ZyntroSettings with a bad id to see what the client does.
_CHECKS: dict[tuple[str, ...], Callable[[Any], str | None]] = {
    ("zyntro", "org_id"): _uuid,
    ("zyntro", "member_id"): _uuid,
    ("zyntro", "base_url"): _http_url,
    ("llm", "base_url"): _http_url,
    ("fetch", "replay_dir"): _directory,
    ("fetch", "robots_override"): _domains,
    ("fetch", "no_delay_hosts"): _domains,
    ("home",): _not_a_file,
    ("chromium",): _executable,
    ("serve", "token"): _serve_secret,
    ("serve", "webhook_secret"): _serve_secret,
}
_CHECKED_WHEN_EMPTY = {_serve_secret}  # an empty token in the config file is no token, not "unset"


def _checks(data: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for loc, check in _CHECKS.items():
        value: Any = data
        for key in loc:
            value = value.get(key) if isinstance(value, Mapping) else None
        expected = list if check is _domains else (str, Path)
        if (value or check in _CHECKED_WHEN_EMPTY) and isinstance(value, expected):
            problem = check(value)
            if problem:
                out.append((loc, problem))
    return out


def _setting_name(loc: tuple) -> str:
    """'llm.mode (ZYNTRO_ENRICH_LLM)': the setting's path, and its variable when it has one."""
    path = ".".join(str(p) for p in loc)
    var = next((v for v, (group, name) in _ENV.items() if ".".join(filter(None, (group, name))) == path), None)
    return f"{path} ({var})" if var else path


def config_file_path(env: Mapping[str, str] | None = None, explicit: Path | None = None) -> Path | None:
    """The config file load_settings reads (absolute), or None when there is none."""
    env = os.environ if env is None else env
    path = explicit or (Path(env["ZYNTRO_ENRICH_CONFIG"]) if env.get("ZYNTRO_ENRICH_CONFIG") else None)
    if path is None:
        path = Path(env.get("ZYNTRO_ENRICH_HOME") or Settings.model_fields["home"].default) / "config.toml"
        if not path.exists():
            return None
    return path.expanduser().absolute()


def variables_set(env: Mapping[str, str] | None = None) -> list[str]:
    """The names (never the values) of the agent's variables set in the environment, e.g. to say what a
    cron job or a systemd unit must be given."""
    env = os.environ if env is None else env
    return [var for var in _ENV if env.get(var)]
