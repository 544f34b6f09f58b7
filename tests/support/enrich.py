"""Fixtures for the end-to-end tests: a sandbox with the demo contacts and the demo pages replayed."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent.demo import DEMO_CONTACTS, demo_env


@dataclass
class DemoWorld:
    sandbox: object
    env: dict[str, str]
    contacts: dict[str, str] = field(default_factory=dict)  # name -> contact_id
    urls: dict[str, list[str]] = field(default_factory=dict)  # name -> urls

    def stored(self) -> Counter:
        """How many profiles the sandbox holds per (contact name, profile_source)."""
        names = {cid: name for name, cid in self.contacts.items()}
        return Counter((names.get(str(p["contact_id"]), "?"), p["profile_source"]) for p in self.sandbox.profiles())

    def batch_file(self, path: Path, names: list[str] | None = None) -> Path:
        rows = []
        for spec in DEMO_CONTACTS:
            if names is None or spec["name"] in names:
                rows.append(
                    {
                        "contact_id": self.contacts[spec["name"]],
                        "name": spec["name"],
                        "email": spec["email"],
                        "company": spec["company"],
                        "urls": spec["urls"],
                    }
                )
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return path


@pytest.fixture
def demo_world(tmp_path, monkeypatch):
    """The sandbox with the demo contacts, the demo pages replayed, env set for the CLI (in and out of process)."""
    from agent.zyntro.sandbox import Sandbox

    with Sandbox(db_path=tmp_path / "sandbox.sqlite3", port=0) as sandbox:
        world = DemoWorld(sandbox=sandbox, env={})
        for spec in DEMO_CONTACTS:
            hints = {k: spec[k] for k in ("name", "email", "company") if spec.get(k)}
            world.contacts[spec["name"]] = str(sandbox.add_contact(**hints))
            world.urls[spec["name"]] = spec["urls"]
        env = dict(sandbox.settings_env())
        env.update(demo_env(tmp_path))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        world.env = {**os.environ, **env}
        yield world
