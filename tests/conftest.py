"""Hermetic tests: a clean environment for every test, no real network, no real LLM.

Fixtures of each area live in tests/support/<area>.py and are loaded as plugins here.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.support.zyntro",
    "tests.support.fetch",
    "tests.support.extract",
    "tests.support.condense",
    "tests.support.enrich",
]

_KEEP = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """Remove every variable the agent could read, and point its home at a fresh directory."""
    for name in list(os.environ):
        if name.startswith(("ZYNTRO", "OPENAI")) or name not in _KEEP and name.endswith(("_PROXY", "_proxy")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZYNTRO_ENRICH_HOME", str(tmp_path / "home"))
    yield
