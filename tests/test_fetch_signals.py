"""What an HTML answer is, before any browser: a page, a JavaScript shell, or a bot challenge.

The bot-challenge verdict is one detector (extractors.pages.bot_challenge) shared by the fetcher and
the extractors; these tests hold both sides to the same answer on the same pages.
"""

from __future__ import annotations

import pytest

from agent.fetch.challenge import page_signals
from agent.models import Outcome
from tests.support.fetch import Reply

SHORT_TEXT = "<h1>Acme Widgets</h1><p>Widgets since 1999. Call +1 555 0100.</p>"


@pytest.mark.parametrize("script", [
    '<script type="application/ld+json">{"@type": "Organization", "name": "Acme"}</script>',
    '<script type="application/json" id="__DATA__">{"a": 1}</script>',
    '<script type="importmap">{"imports": {}}</script>',
    '<script type="text/template"><div>{{ name }}</div></script>',
    '<script type="text/x-handlebars-template"><p>{{x}}</p></script>',
    '<script type="speculationrules">{"prefetch": []}</script>',
    '<script type="APPLICATION/LD+JSON; charset=utf-8">{}</script>',
])
def test_data_scripts_are_not_code(script):
    signals = page_signals(f"<html><head>{script}</head><body>{SHORT_TEXT}</body></html>")
    assert signals.scripts == 0 and not signals.is_js_shell


@pytest.mark.parametrize("script", [
    "<script>document.title = 'x'</script>",
    '<script src="/app.js"></script>',
    '<script type="">1</script>',
    '<script type="text/javascript">1</script>',
    '<script type="module" src="/main.mjs"></script>',
    '<script type="application/ecmascript">1</script>',
    '<script language="javascript">1</script>',
])
def test_code_scripts_count(script):
    signals = page_signals(f"<html><head>{script}</head><body>{SHORT_TEXT}</body></html>")
    assert signals.scripts == 1 and signals.is_js_shell


def test_a_small_server_rendered_page_with_structured_data_stays_on_http(site, fetch_settings, fetch_one):
    page = ('<!doctype html><html><head><title>Acme</title>'
            '<script type="application/ld+json">{"@type": "Organization", "name": "Acme Widgets"}</script>'
            f"</head><body>{SHORT_TEXT}</body></html>")
    result, stats = fetch_one(fetch_settings(), site.add(site.unique(), Reply(page)))
    assert result.outcome is Outcome.ok and result.engine == "http", result.reason
    assert stats["escalated"] == 0
