"""The one reader of the environment and of the config file.

Precedence, lowest first: built-in defaults < config file < environment < command line.
The config file is TOML: `--config FILE`, else `$ZYNTRO_ENRICH_CONFIG`, else
`$ZYNTRO_ENRICH_HOME/config.toml` when it exists. Its tables mirror the settings groups
(`[zyntro]`, `[llm]`, `[fetch]`) plus top-level `home`, `chromium`, `allow_private`.
Everything else in the project receives a `Settings` value and never reads `os.environ`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from agent.errors import ConfigError

__all__ = ["FetchSettings", "LLMSettings", "Settings", "ZyntroSettings", "load_settings"]

DEFAULT_BASE_URL = "https://app.zyntrohq.com"
USER_AGENT = "zyntro-enrich/0.1 (+https://github.com/zyntro-enrich/zyntro-enrich; contact enrichment bot)"


class ZyntroSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    api_key: SecretStr | None = None
    org_id: str | None = None
    member_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_version: Literal["v1", "v2"] = "v1"
    developer_secret: SecretStr | None = None
    timeout_s: float = 20.0
    max_retry_s: float = 60.0  # bound on total time spent retrying one call
    # v2 only: how old a post with no recorded answer must be before fetchContact is trusted to show
    # whether it was stored (a request still in flight could land until then).
    reconcile_grace_s: float = 30.0


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    mode: Literal["auto", "offline", "openai"] = "auto"  # auto: openai when a key or base URL is set
    max_cost_usd: float | None = None
    max_tokens: int | None = None  # cap on total tokens (input + output) for a run
    timeout_s: float = 60.0
    # USD per million tokens (input, output); unknown models cost 0 and are reported as such.
    prices: dict[str, tuple[float, float]] = Field(
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
    delay_s: float = 1.0  # per-host minimum delay between requests
    per_host_concurrency: int = 2
    concurrency: int = 8  # global cap on pages in flight
    timeout_s: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    robots_override: list[str] = Field(default_factory=list)  # domains whose robots.txt is overridden
    no_delay_hosts: list[str] = Field(default_factory=list)  # hosts exempt from the politeness delay
    replay_dir: Path | None = None  # serve recorded pages instead of the network
    replay_latency_s: float = 0.0  # simulated latency per replayed response (benchmarks)
    browser_recycle_pages: int = 100
    browser_pages: int = 3  # pages rendering at once; each is a Chromium renderer of ~120 MB RSS
    max_retries: int = 2  # retries after a 429/503 before the outcome is rate_limited
    max_retry_wait_s: float = 30.0  # a longer Retry-After is not waited for: rate_limited at once


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is an error, not ignored

    home: Path = Path.home() / ".zyntro-enrich"
    chromium: str | None = None
    allow_private: bool = False
    refresh_days: float = 7.0  # a tracked contact is due for refresh this long after its last enrichment
    zyntro: ZyntroSettings = Field(default_factory=ZyntroSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)

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
    "ZYNTRO_ENRICH_HOME": (None, "home"),
    "ZYNTRO_ENRICH_CHROMIUM": (None, "chromium"),
    "ZYNTRO_ENRICH_ALLOW_PRIVATE": (None, "allow_private"),
    "ZYNTRO_ENRICH_DELAY": ("fetch", "delay_s"),
    "ZYNTRO_ENRICH_REFRESH_DAYS": (None, "refresh_days"),
    "ZYNTRO_ENRICH_ROBOTS_OVERRIDE": ("fetch", "robots_override"),
    "ZYNTRO_ENRICH_REPLAY_DIR": ("fetch", "replay_dir"),
}
_LIST_FIELDS = {"robots_override", "no_delay_hosts"}
SECRET_ENV = ("ZYNTRO_API_KEY", "ZYNTRO_DEVELOPER_SECRET", "OPENAI_API_KEY")


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
        elif name == "allow_private":
            value = raw.strip().lower() in {"1", "true", "yes", "on"}
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
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist: create it or drop --config") from None
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
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_setting_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"invalid configuration ({problems}): fix the variable or config entry") from None


def _setting_name(loc: tuple) -> str:
    """'llm.mode (ZYNTRO_ENRICH_LLM)': the setting's path, and its variable when it has one."""
    path = ".".join(str(p) for p in loc)
    var = next((v for v, (group, name) in _ENV.items() if ".".join(filter(None, (group, name))) == path), None)
    return f"{path} ({var})" if var else path
