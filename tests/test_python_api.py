"""The Python API: `agent.enrich` for scripts, `await agent.aenrich` inside a running event loop.

Against the sandbox with the demo pages replayed (tests/support/enrich.py), as a notebook cell or a
FastAPI handler would call it: from inside a loop that is already running.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

import agent
from agent.errors import UsageError


def _dmitri(world) -> dict:
    return {"contact_id": world.contacts["Dmitri Osei"], "name": "Dmitri Osei"}


def test_aenrich_inside_a_running_loop_dry_run(demo_world):
    async def handler():  # e.g. a FastAPI endpoint: the loop is already running here
        asyncio.get_running_loop()
        return await agent.aenrich(_dmitri(demo_world), ["https://github.com/dosei"], dry_run=True)

    report = asyncio.run(handler())
    (profile,) = report.profiles
    assert (profile.profile_source, profile.status.value) == ("GitHub", "dry_run")
    assert profile.payload["followers_count"] == 1093
    assert sum(demo_world.stored().values()) == 0


def test_aenrich_with_review_queues_the_profile_and_posts_nothing(demo_world, capsys):
    from agent.cli import main

    async def cell():
        return await agent.aenrich(_dmitri(demo_world), "https://github.com/dosei", review=True)  # one URL as str

    report = asyncio.run(cell())
    (profile,) = report.profiles
    assert profile.status.value == "queued_for_review"
    assert sum(demo_world.stored().values()) == 0
    assert main(["review", "list", "--json"]) == 0
    assert demo_world.contacts["Dmitri Osei"] in capsys.readouterr().out


def test_two_aenrich_calls_at_once_in_one_loop(demo_world):
    async def two_requests():
        return await asyncio.gather(
            agent.aenrich(_dmitri(demo_world), ["https://github.com/dosei"], dry_run=True),
            agent.aenrich(
                {"contact_id": demo_world.contacts["Ada Quinlan"], "name": "Ada Quinlan"},
                ["https://github.com/adaquinlan"],
                dry_run=True,
            ),
        )

    dmitri, ada = asyncio.run(two_requests())
    assert [p.status.value for p in dmitri.profiles + ada.profiles] == ["dry_run", "dry_run"]
    ids = demo_world.contacts
    assert (dmitri.contact_id, ada.contact_id) == (ids["Dmitri Osei"], ids["Ada Quinlan"])


def test_enrich_inside_a_running_loop_says_to_await_aenrich(demo_world):
    async def cell():
        return agent.enrich(_dmitri(demo_world), ["https://github.com/dosei"])

    with pytest.raises(UsageError, match=r"running event loop .*use `await agent\.aenrich\(\.\.\.\)`"):
        asyncio.run(cell())
    assert sum(demo_world.stored().values()) == 0  # refused before anything ran


def test_enrich_outside_a_loop_still_posts(demo_world):
    report = agent.enrich(_dmitri(demo_world), ["https://github.com/dosei"])
    assert [p.status.value for p in report.profiles] == ["posted"]
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}


@pytest.mark.parametrize(
    ("contact", "urls", "words"),
    [
        ({"contact_id": "ada"}, ["https://github.com/a"], "contact: contact_id: "),
        ({"name": "Ada"}, ["https://github.com/a"], "contact: contact_id: Field required"),
        ({"contact_id": "31eed418-6d4c-5035-a8f6-662f40954be2"}, [], "give a list of source URLs"),
    ],
)
def test_bad_arguments_are_usage_errors(contact, urls, words):
    with pytest.raises(UsageError, match=words):
        asyncio.run(agent.aenrich(contact, urls, dry_run=True))


def test_the_api_is_exported_lazily():
    assert "aenrich" in agent.__all__ and "enrich" in agent.__all__
    from agent.runner import aenrich

    assert agent.aenrich is aenrich and aenrich.__doc__
    probe = "import agent.models, json, sys; print(json.dumps(sorted(m for m in sys.modules if m.startswith('agent'))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "agent.runner" not in json.loads(done.stdout)
