"""Pytest fixtures for the zyntro tests: a real sandbox on loopback, its env, a recording sleep."""

from __future__ import annotations

import asyncio
import socket

import pytest

from agent.zyntro.sandbox import Sandbox

__all__ = ["RecordingSleep", "free_port"]


class RecordingSleep:
    """A stand-in for asyncio.sleep that records durations and returns at once (plus an optional hook)."""

    def __init__(self, hook=None):
        self.durations: list[float] = []
        self.hook = hook

    async def __call__(self, delay: float) -> None:
        self.durations.append(delay)
        if self.hook is not None:
            self.hook(delay)
        await asyncio.sleep(0)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def zyntro_sandbox():
    """A running sandbox with in-memory state, closed after the test."""
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def zyntro_env(zyntro_sandbox, monkeypatch):
    """ZYNTRO_* variables pointing at the sandbox (v1); returns the sandbox."""
    for name, value in zyntro_sandbox.settings_env().items():
        monkeypatch.setenv(name, value)
    return zyntro_sandbox


@pytest.fixture
def zyntro_sleep():
    """A recording fake sleep to pass as ZyntroClient(sleep=...)."""
    return RecordingSleep()
