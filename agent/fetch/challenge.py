"""What an HTML answer is: a real page, a JavaScript shell that needs the browser, or a bot check.

Generic bot challenges (Cloudflare-style interstitials, CAPTCHA walls) are the fetcher's business
and come out as `blocked`; site-specific login walls are left to each source's extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

__all__ = ["PageSignals", "challenge_reason", "page_signals"]

# Under this much visible text a page that carries an app root, scripts or a "turn on JavaScript"
# notice is a shell: real server-rendered pages hold far more (navigation alone is usually 300+).
SHELL_TEXT_CHARS = 200
# A page that says "enable JavaScript" but still shows this little text is a shell too.
NOTICE_TEXT_CHARS = 600
# A CAPTCHA widget on a page with more text than this is a form on a real page, not a wall.
CAPTCHA_WALL_TEXT_CHARS = 1500

_APP_ROOT_IDS = {"root", "app", "__next", "___gatsby", "__nuxt", "svelte", "app-root", "main-app"}
# HTML's JavaScript MIME types: a <script> of any other type (ld+json, json, importmap, templates,
# speculation rules) is a data block the browser never runs, so it says nothing about needing one.
_JS_TYPES = {"", "module", "application/ecmascript", "application/javascript", "application/x-ecmascript",
             "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
             "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
             "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript"}
_JS_NOTICE = re.compile(r"(enable|turn on|activate)\s+javascript|javascript\s+(is\s+)?(required|disabled)", re.I)
_STRONG = [
    (re.compile(r"<title>\s*just a moment\.\.\.", re.I), "a Cloudflare-style \"Just a moment...\" interstitial"),
    (re.compile(r"<title>\s*attention required!?\s*\|\s*cloudflare", re.I), "a Cloudflare \"Attention Required\" page"),
    (re.compile(r"cf-chl-|cf_chl_opt|/cdn-cgi/challenge-platform/h/", re.I), "a Cloudflare bot challenge"),
    (re.compile(r"captcha-delivery\.com|px-captcha|_incapsula_resource", re.I), "a bot-protection CAPTCHA wall"),
]
_WEAK = [
    (re.compile(r"g-recaptcha|recaptcha/api\.js", re.I), "a reCAPTCHA check"),
    (re.compile(r"h-captcha|hcaptcha\.com", re.I), "an hCaptcha check"),
    (re.compile(r"verify (that )?you are (a )?human|are you a robot|unusual traffic from your", re.I),
     "a \"verify you are human\" check"),
]


@dataclass(frozen=True)
class PageSignals:
    """Cheap facts about an HTML document used to route and classify it."""

    text_chars: int
    app_root: bool
    js_notice: bool
    scripts: int

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
    for el in doc.xpath("//script|//style|//noscript|//template|//head"):
        el.drop_tree()
    text = " ".join(doc.text_content().split())
    return PageSignals(
        text_chars=len(text),
        app_root=app_root,
        js_notice=bool(_JS_NOTICE.search(notices)) or bool(_JS_NOTICE.search(text[:NOTICE_TEXT_CHARS])),
        scripts=scripts,
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
    if status == 999:
        return "HTTP 999: the site refuses automated visitors"
    head = html[:200_000]
    for pattern, what in _STRONG:
        if pattern.search(head):
            return f"the site answered with {what} (not solved: the fetcher never evades bot checks)"
    for pattern, what in _WEAK:
        if pattern.search(head):
            signals = signals or page_signals(html)
            if signals.text_chars < CAPTCHA_WALL_TEXT_CHARS:
                return f"the site answered with {what} instead of the page (never solved)"
    return None
