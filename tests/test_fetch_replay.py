"""Replay: recorded pages served by both engines, with no network and no DNS at all."""

from __future__ import annotations

import json

import pytest

from agent.errors import ConfigError
from agent.models import Outcome
from tests.support.fetch import js_page, static_page

HOST = "https://www.replayed-example.com"


@pytest.fixture
def replay_dir(tmp_path):
    root = tmp_path / "replay"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "about.html").write_text(static_page("Replayed Company"))
    (root / "pages" / "app.html").write_text(js_page("REPLAYED-APP", script_src="/static/app.js"))
    (root / "pages" / "app.js").write_text(
        "document.getElementById('root').innerHTML = '<h1>REPLAYED' + '-APP</h1><p>' + 'Rendered from replay. '"
        ".repeat(20) + '</p>';"
    )
    (root / "pages" / "robots.txt").write_text("User-agent: *\nDisallow: /private\n")
    index = {
        f"{HOST}/about": {
            "file": "pages/about.html",
            "status": 200,
            "content_type": "text/html",
            "headers": {"ETag": '"rec-1"'},
        },
        f"{HOST}/app": {"file": "pages/app.html", "status": 200, "content_type": "text/html"},
        f"{HOST}/static/app.js": {"file": "pages/app.js", "status": 200, "content_type": "application/javascript"},
        f"{HOST}/private/x": {"file": "pages/about.html", "status": 200, "content_type": "text/html"},
        f"{HOST}/robots.txt": {"file": "pages/robots.txt", "status": 200, "content_type": "text/plain"},
    }
    (root / "index.json").write_text(json.dumps(index))
    return root


async def _no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"replay must not resolve {host}")


def _settings(fetch_settings, replay_dir):
    return fetch_settings(allow_private=False, replay_dir=replay_dir, replay_latency_s=0.01)


def test_static_page_is_served_from_the_replay_directory(replay_dir, fetch_settings, fetch_one):
    result, stats = fetch_one(
        _settings(fetch_settings, replay_dir), f"{HOST}/about", fetcher_kwargs={"resolver": _no_dns}
    )
    assert result.outcome is Outcome.ok and result.engine == "replay" and result.page.engine == "replay"
    assert "Replayed Company" in result.page.html and result.page.etag == '"rec-1"'
    assert stats["by_engine"]["replay"] == 1


def test_js_page_is_really_rendered_from_the_replay_directory(replay_dir, fetch_settings, fetch_one):
    result, _ = fetch_one(_settings(fetch_settings, replay_dir), f"{HOST}/app", fetcher_kwargs={"resolver": _no_dns})
    assert result.outcome is Outcome.ok and result.engine == "browser", result.reason
    assert "<h1>REPLAYED-APP</h1>" in result.page.html


def test_unrecorded_url_is_not_found(replay_dir, fetch_settings, fetch_one):
    result, _ = fetch_one(_settings(fetch_settings, replay_dir), f"{HOST}/nowhere")
    assert result.outcome is Outcome.not_found and result.reason == "not in the replay directory"


def test_replayed_robots_txt_is_honoured(replay_dir, fetch_settings, fetch_one):
    result, _ = fetch_one(_settings(fetch_settings, replay_dir), f"{HOST}/private/x")
    assert result.outcome is Outcome.robots_disallowed
    other, _ = fetch_one(_settings(fetch_settings, replay_dir), "https://unrecorded-host.example/page")
    assert other.outcome is Outcome.not_found  # no recorded robots.txt: allowed, then not recorded


def test_a_missing_index_is_a_configuration_error(tmp_path, fetch_settings):
    from agent.fetch import Fetcher

    with pytest.raises(ConfigError, match="index.json"):
        Fetcher(fetch_settings(replay_dir=tmp_path))
