"""Every error the agent raises on purpose. Each message says what to do next.

    ZyntroEnrichError                 exit_code 1 unless said otherwise
    ├── UsageError                    exit 2: bad command-line input or input file
    ├── ConfigError                   exit 2: missing or invalid configuration
    ├── PromptError                   a prompt template is missing or rendered with wrong variables
    ├── StoreError                    the SQLite state cannot be used
    ├── ZyntroError                   talking to Zyntro
    │   ├── ZyntroInvalidRequest      exit 2: refused before anything was sent
    │   ├── ZyntroRejected            Zyntro answered {"status": "error", "data": [...]}
    │   ├── ZyntroHTTPError           4xx/5xx or a body that is not Zyntro's JSON
    │   ├── ZyntroUnavailable         could not reach Zyntro (retries exhausted, nothing stored)
    │   └── ZyntroUnknownOutcome      the request was sent but the answer was lost
    └── CondenseError                 the condensing step failed for one profile
        ├── LLMError                  empty, refused, truncated or invalid LLM answer
        ├── BudgetExceeded            the run's cost or token cap was reached
        └── ThinProfile               too little supported data to post (the origin is no_data)

Fetch problems are not exceptions: they are `Outcome` values on each source (agent.models).
Secrets never appear in these messages: callers pass the redacted context only.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "CondenseError",
    "ConfigError",
    "LLMError",
    "PromptError",
    "StoreError",
    "ThinProfile",
    "UsageError",
    "ZyntroEnrichError",
    "ZyntroError",
    "ZyntroHTTPError",
    "ZyntroInvalidRequest",
    "ZyntroRejected",
    "ZyntroUnavailable",
    "ZyntroUnknownOutcome",
]


class ZyntroEnrichError(Exception):
    """Base of every deliberate error; `exit_code` is what the CLI exits with."""

    exit_code = 1


class UsageError(ZyntroEnrichError):
    """The user asked for something malformed (arguments, input files)."""

    exit_code = 2


class ConfigError(ZyntroEnrichError):
    """Configuration is missing or invalid."""

    exit_code = 2


class PromptError(ZyntroEnrichError):
    """A prompt template is missing, or rendered with missing or unused variables."""


class StoreError(ZyntroEnrichError):
    """The SQLite state directory or database cannot be used."""


class ZyntroError(ZyntroEnrichError):
    """Something went wrong talking to Zyntro."""


class ZyntroInvalidRequest(ZyntroError):
    """The request was refused locally; nothing reached the network."""

    exit_code = 2


class ZyntroRejected(ZyntroError):
    """Zyntro answered with status "error"; `messages` holds its own words."""

    def __init__(self, messages: list[str], http_status: int = 200):
        self.messages = messages
        self.http_status = http_status
        super().__init__("Zyntro rejected the request: " + "; ".join(messages))


class ZyntroHTTPError(ZyntroError):
    """An HTTP error status, or a body that is not Zyntro's JSON."""

    def __init__(self, message: str, http_status: int | None = None):
        self.http_status = http_status
        super().__init__(message)


class ZyntroUnavailable(ZyntroError):
    """Zyntro could not be reached; the request was certainly not stored."""

    def __init__(self, message: str, http_status: int | None = None):
        self.http_status = http_status  # the status of the last answer, when retries ran out after one
        super().__init__(message)


class ZyntroUnknownOutcome(ZyntroError):
    """The request was sent but no answer came: it may or may not have been stored."""


class CondenseError(ZyntroEnrichError):
    """Condensing the facts of one profile failed."""


class LLMError(CondenseError):
    """The LLM's answer was empty, refused, truncated or invalid even after one re-ask."""


class BudgetExceeded(CondenseError):
    """The configured cost or token cap for the run was reached."""


class ThinProfile(CondenseError):
    """The sources support fewer fields than a profile needs: nothing is posted, the origin is no_data."""
