"""What an HTML answer is: a real page, a JavaScript shell that needs the browser, or a bot check.

Generic bot challenges (Cloudflare-style interstitials, CAPTCHA walls) come out as `blocked`. What
counts as one is decided by a single detector, extractors.pages.bot_challenge, which the extractors'
gate uses too, so the fetcher and the extractors never disagree. Site-specific login walls are left
to each source's extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from extractors.pages import bot_challenge

__all__ = ["PageSignals", "challenge_reason", "page_signals"]

# Under this much visible text a page that carries an app root, scripts or a "turn on JavaScript"
# notice is a shell: real server-rendered pages hold far more (navigation alone is usually 300+).
SHELL_TEXT_CHARS = 200
# A page that says "enable JavaScript" but still shows this little text is a shell too.
NOTICE_TEXT_CHARS = 600
TEXT_SAMPLE_CHARS = 20_000  # visible text kept for the challenge wording check
_APP_ROOT_IDS = {"root", "app", "__next", "___gatsby", "__nuxt", "svelte", "app-root", "main-app"}
# HTML's JavaScript MIME types: a <script> of any other type (ld+json, json, importmap, templates,
# speculation rules) is a data block the browser never runs, so it says nothing about needing one.
_JS_TYPES = {
    "",
    "module",
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
}
_JS_NOTICE = re.compile(r"(enable|turn on|activate)\s+javascript|javascript\s+(is\s+)?(required|disabled)", re.I)


@dataclass(frozen=True)
class PageSignals:
    """Cheap facts about an HTML document used to route and classify it."""

    text_chars: int
    app_root: bool
    js_notice: bool
    scripts: int
    title: str = ""
    text: str = ""  # the visible text, up to TEXT_SAMPLE_CHARS

    @property
    def is_js_shell(self) -> bool:
        """True when the content evidently only appears once JavaScript runs."""
        if self.text_chars < SHELL_TEXT_CHARS and (self.app_root or self.js_notice or self.scripts):
            return True
        return self.js_notice and self.text_chars < NOTICE_TEXT_CHARS


def page_signals(html: str) -> PageSignals:
    """Measure visible text, app roots, noscript notices and scripts of `html`."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return PageSignals(text_chars=0, app_root=False, js_notice=False, scripts=0)
    scripts = sum(_is_code(el) for el in doc.xpath("//script"))
    notices = " ".join(n.text_content() for n in doc.xpath("//noscript"))
    app_root = any(
        (el.get("id") or "").lower() in _APP_ROOT_IDS and len(el.text_content().strip()) < SHELL_TEXT_CHARS
        for el in doc.xpath("//*[@id]")
    ) or bool(doc.xpath("//*[@data-reactroot or @ng-app or @ng-version]"))
    title = " ".join(doc.findtext(".//title", "").split())
    for el in doc.xpath("//script|//style|//noscript|//template|//head"):
        el.drop_tree()
    text = " ".join(doc.text_content().split())
    return PageSignals(
        text_chars=len(text),
        app_root=app_root,
        js_notice=bool(_JS_NOTICE.search(notices)) or bool(_JS_NOTICE.search(text[:NOTICE_TEXT_CHARS])),
        scripts=scripts,
        title=title,
        text=text[:TEXT_SAMPLE_CHARS],
    )


def _is_code(script) -> bool:
    """True when the browser would run this <script> (HTML's rules; parameters are tolerated)."""
    kind = script.get("type")
    if kind is None:
        language = (script.get("language") or "").strip()
        kind = f"text/{language}" if language else ""
    return kind.split(";")[0].strip().lower() in _JS_TYPES


def challenge_reason(status: int, html: str, signals: PageSignals | None = None) -> str | None:
    """A one-line reason when the answer is a bot challenge or CAPTCHA wall, else None."""
    if status == 999:  # decided by the status alone: no need to parse the page
        return bot_challenge(status, "", "", 0, "")
    signals = signals or page_signals(html)
    return bot_challenge(status, html, signals.title, signals.text_chars, signals.text)
