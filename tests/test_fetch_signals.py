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


@pytest.mark.parametrize(
    "script",
    [
        '<script type="application/ld+json">{"@type": "Organization", "name": "Acme"}</script>',
        '<script type="application/json" id="__DATA__">{"a": 1}</script>',
        '<script type="importmap">{"imports": {}}</script>',
        '<script type="text/template"><div>{{ name }}</div></script>',
        '<script type="text/x-handlebars-template"><p>{{x}}</p></script>',
        '<script type="speculationrules">{"prefetch": []}</script>',
        '<script type="APPLICATION/LD+JSON; charset=utf-8">{}</script>',
    ],
)
def test_data_scripts_are_not_code(script):
    signals = page_signals(f"<html><head>{script}</head><body>{SHORT_TEXT}</body></html>")
    assert signals.scripts == 0 and not signals.is_js_shell


@pytest.mark.parametrize(
    "script",
    [
        "<script>document.title = 'x'</script>",
        '<script src="/app.js"></script>',
        '<script type="">1</script>',
        '<script type="text/javascript">1</script>',
        '<script type="module" src="/main.mjs"></script>',
        '<script type="application/ecmascript">1</script>',
        '<script language="javascript">1</script>',
    ],
)
def test_code_scripts_count(script):
    signals = page_signals(f"<html><head>{script}</head><body>{SHORT_TEXT}</body></html>")
    assert signals.scripts == 1 and signals.is_js_shell


def test_a_small_server_rendered_page_with_structured_data_stays_on_http(site, fetch_settings, fetch_one):
    page = (
        "<!doctype html><html><head><title>Acme</title>"
        '<script type="application/ld+json">{"@type": "Organization", "name": "Acme Widgets"}</script>'
        f"</head><body>{SHORT_TEXT}</body></html>"
    )
    result, stats = fetch_one(fetch_settings(), site.add(site.unique(), Reply(page)))
    assert result.outcome is Outcome.ok and result.engine == "http", result.reason
    assert stats["escalated"] == 0


PAGES = __import__("pathlib").Path(__file__).parent / "pages"
ARTICLE = " ".join(
    f"Sentence {i} of an ordinary article about widgets, their makers and their history." for i in range(60)
)
CF_SNIPPET = (
    '<script>(function(){var a=document.createElement("script");'
    'a.src="/cdn-cgi/challenge-platform/h/b/scripts/jsd/5f3a2b1c/main.js";'
    'document.getElementsByTagName("head")[0].appendChild(a);})();</script>'
)
# (name, status, html, blocked?)
VERDICTS = [
    (
        "cloudflare-jsd-snippet-on-an-article",
        200,
        f"<html><head><title>Widgets</title></head><body><p>{ARTICLE}</p>{CF_SNIPPET}</body></html>",
        False,
    ),
    (
        "cloudflare-jsd-snippet-on-a-short-page",
        200,
        f"<html><head><title>Acme</title></head><body>{SHORT_TEXT}{CF_SNIPPET}</body></html>",
        False,
    ),
    ("cloudflare-interstitial", 503, (PAGES / "challenge.html").read_text(), True),
    ("perimeterx-wall", 403, (PAGES / "bot_challenge_px.html").read_text(), True),
    (
        "just-a-moment-title",
        403,
        "<html><head><title>Just a moment...</title></head><body><div id='root'></div></body></html>",
        True,
    ),
    (
        "human-check-on-a-near-empty-page",
        200,
        "<html><body><p>Please verify you are a human.</p><div class='g-recaptcha'></div></body></html>",
        True,
    ),
    (
        "recaptcha-on-a-contact-form",
        200,
        f"<html><body><form><p>{ARTICLE}</p><div class='g-recaptcha' data-sitekey='x'></div></form></body></html>",
        False,
    ),
    (
        "recaptcha-alone-on-a-tiny-form",
        200,
        "<html><body><form><input name=email><div class='g-recaptcha'></div><button>Send</button></form></body></html>",
        False,
    ),
    (
        "challenge-words-in-an-article",
        200,
        f"<html><body><p>{ARTICLE} Sites ask: are you a robot? Verify you are human.</p></body></html>",
        False,
    ),
    (
        "challenge-like-title-on-an-article",
        200,
        f"<html><head><title>Security checklist for small shops</title></head><body><p>{ARTICLE}</p></body></html>",
        False,
    ),
    (
        "imperva-script-on-an-article",
        200,
        f'<html><body><p>{ARTICLE}</p><script src="/_Incapsula_Resource?SWJIYLWA=719d34d3"></script></body></html>',
        False,
    ),
    (
        "imperva-block-page",
        200,
        '<html><head><META NAME="robots" CONTENT="noindex,nofollow"></head><body><iframe id="main-iframe" '
        'src="/_Incapsula_Resource?CWUDNSAI=24&xinfo=0-1-0">Request unsuccessful. Incapsula incident ID: 1-2</iframe>'
        "</body></html>",
        True,
    ),
    ("linkedin-999", 999, "<html><body></body></html>", True),
    ("plain-page", 200, f"<html><head><title>Acme</title></head><body>{SHORT_TEXT}</body></html>", False),
]


@pytest.mark.parametrize(("name", "status", "html", "blocked"), VERDICTS, ids=[v[0] for v in VERDICTS])
def test_fetcher_and_extractors_agree_on_bot_challenges(name, status, html, blocked):
    from agent.fetch.challenge import challenge_reason as fetcher_verdict
    from extractors.html import Document
    from extractors.pages import challenge_reason as extractor_verdict
    from tests.support.extract import make_page

    fetcher = fetcher_verdict(status, html)
    extractor = extractor_verdict(Document(make_page("https://www.acme.example/", html, status)))
    assert (fetcher is not None, extractor is not None) == (blocked, blocked), (fetcher, extractor)


def test_a_text_rich_page_with_the_cloudflare_snippet_is_ok(site, fetch_settings, fetch_one):
    html = f"<html><head><title>Widgets</title></head><body><p>{ARTICLE}</p>{CF_SNIPPET}</body></html>"
    result, _ = fetch_one(fetch_settings(), site.add(site.unique(), Reply(html)))
    assert result.outcome is Outcome.ok and result.engine == "http", result.reason


def test_the_extractors_stay_pure():
    import subprocess
    import sys

    code = (
        "import sys, extractors, extractors.pages; "
        "bad = sorted(m for m in sys.modules if m.startswith(('agent.fetch', 'httpx', 'playwright'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
