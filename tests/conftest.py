"""Hermetic tests: a clean environment for every test, no real network, no real LLM.

Fixtures of each area live in tests/support/<area>.py and are loaded as plugins here.
"""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

pytest_plugins = [
    "tests.support.zyntro",
    "tests.support.fetch",
    "tests.support.extract",
    "tests.support.condense",
    "tests.support.enrich",
    "tests.support.serve",
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


@pytest.fixture(scope="session", autouse=True)
def no_chromium_left_behind():
    """After the whole suite, no browser started by it (in this process or a CLI it ran) is alive."""
    yield
    from agent.fetch.browser import tagged_processes

    ours = [pid for pid in tagged_processes("") if _started_by_this_session(pid)]
    for pid in ours:  # clean up before failing, so the machine does not fill with them
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not ours, f"Chromium processes outlived the test suite: {ours}"


def _started_by_this_session(pid: int) -> bool:
    """A tagged browser whose owner (the pid in its tag) is this process or already gone."""
    from agent.fetch.browser import TAG_VARIABLE

    try:
        with open(f"/proc/{pid}/environ", "rb") as file:
            environ = file.read().split(b"\0")
    except OSError:
        return False
    tag = next((v.split(b"=", 1)[1].decode() for v in environ if v.startswith(TAG_VARIABLE.encode() + b"=")), "")
    owner = tag.split(".", 1)[0]
    return owner.isdigit() and (int(owner) == os.getpid() or not os.path.exists(f"/proc/{owner}"))
