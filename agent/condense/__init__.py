"""Condensing: the facts of one origin -> a checked, grounded ProfileDraft (offline or LLM).

    meter = Meter(settings.llm)
    condenser = make_condenser(settings, meter)          # OfflineCondenser unless an LLM is configured
    draft = await condenser.condense(contact, "GitHub", extractions, retrieved_at)

Every draft's payload has passed check_payload (best-practice rules, safe repairs) and ground
(known keys only, every value backed by facts of a compatible key, contacts only as the sources state
them, every summary sentence backed by the facts); what is left is in draft.violations (blocking) and
draft.grounding (dropped as unsupported, and instruction-like text cut from the sources).
"""

from __future__ import annotations

import httpx

from agent.condense.base import Condenser
from agent.condense.grounding import Grounding, ground
from agent.condense.llm import LLMCondenser, Sleep
from agent.condense.offline import OfflineCondenser
from agent.condense.rules import KEY_TYPES, PayloadCheck, check_payload
from agent.condense.usage import Meter, Usage
from agent.config import Settings
from agent.errors import ConfigError

__all__ = [
    "KEY_TYPES",
    "Condenser",
    "Grounding",
    "LLMCondenser",
    "Meter",
    "OfflineCondenser",
    "PayloadCheck",
    "Usage",
    "check_payload",
    "ground",
    "make_condenser",
]


def make_condenser(
    settings: Settings, meter: Meter, *, http_client: httpx.AsyncClient | None = None, sleep: Sleep | None = None
) -> Condenser:
    """The LLM condenser when settings.llm_enabled(), else the offline one; ConfigError if misconfigured."""
    if not settings.llm_enabled():
        return OfflineCondenser()
    llm = settings.llm
    if llm.api_key is None and llm.base_url is None:
        raise ConfigError(
            "the LLM condenser needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server "
            "such as vLLM, Ollama or llama.cpp); set one, or use --llm offline"
        )
    if llm.max_cost_usd is not None and not meter.priced:
        raise ConfigError(
            f"ZYNTRO_ENRICH_MAX_COST is set but model {llm.model!r} has no price, so the cap cannot be "
            f"enforced: add it to [llm.prices] in the config file (USD per million input and output tokens, "
            f'e.g. "{llm.model}" = [0.15, 0.60]) or cap tokens with ZYNTRO_ENRICH_MAX_TOKENS instead'
        )
    return LLMCondenser(llm, meter, http_client=http_client, sleep=sleep)
