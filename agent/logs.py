"""Log records on stderr: timestamped text or JSON lines, printed above a live progress bar, secrets masked.

`setup_logging` is called once by the CLI; `remember_secrets` once the settings are loaded (their
secret values are masked in every record, as are key-shaped strings); the runner's progress bar
registers its rich console with `live_console` so that records print above the bar, never into it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["live_console", "remember_secrets", "setup_logging"]

_state: dict[str, Any] = {"console": None, "secrets": set()}
# Key-shaped strings, whoever logs them (an HTTP library at debug level, an error body): masked too.
_KEYS = re.compile(r"\b(zdk|sbx|sk)(-|_)[A-Za-z0-9_\-]{6,}")
_FIELDS = re.compile(
    r'("?(?:api_key|developer_secret|authorization)"?\s*[:=]\s*)("[^"]*"|(?:Bearer\s+)?[^\s,&}]+)', re.IGNORECASE
)


def _mask(text: str) -> str:
    for secret in _state["secrets"]:
        text = text.replace(secret, "***")
    text = _FIELDS.sub(lambda m: m.group(1) + ('"***"' if m.group(2).startswith('"') else "***"), text)
    return _KEYS.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return _mask(line)


class _JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _mask(record.getMessage()),
        }
        if record.exc_info:
            data["exception"] = _mask(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


class _Handler(logging.Handler):
    """Writes to the stderr of the moment, or through the live progress bar's console (above the bar)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            console = _state["console"]
            if console is not None:
                from rich.text import Text

                console.print(Text(line), soft_wrap=True, highlight=False)
            else:
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break the run (logging's own convention)
            self.handleError(record)


def setup_logging(*, verbose: bool = False, fmt: str = "text") -> None:
    """Route the root logger to stderr: `text` (ISO 8601 UTC timestamp, level, logger) or `json` lines."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler()
    handler.setFormatter(_JSONFormatter() if fmt == "json" else _TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries' per-request lines (httpx logs every request at INFO) only with --verbose.
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)


_CHATTY = ("httpx", "httpcore", "uvicorn.access")


def remember_secrets(settings: Any) -> None:
    """Mask the settings' secret values (Zyntro key and secret, the OpenAI key, serve's token and webhook secret)."""
    for group in (settings.zyntro, settings.llm, settings.serve):
        for name in ("api_key", "developer_secret", "token", "webhook_secret"):
            value = getattr(group, name, None)
            if value is not None and hasattr(value, "get_secret_value"):  # a SecretStr
                value = value.get_secret_value()
            if isinstance(value, str) and len(value) >= 4:
                _state["secrets"].add(value)


def live_console(console: Any) -> None:
    """While a progress bar is live, print records through its rich console (None when it stops)."""
    _state["console"] = console
