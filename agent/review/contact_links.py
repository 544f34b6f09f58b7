"""A Zyntro contact's own links, as source URLs to enrich from (the webhook's contacts come with no URLs).

Zyntro's contact field names are undocumented, so a fetchContact answer is read leniently: every
string (or list of strings) under a key that names a source (`linkedin`, `twitter`/`x`, `github`) or
ends like a link (`url`, `website`, `site`, `homepage`, `domain`, `blog`, `links`) is looked at, at any
depth. A value may be a URL, a bare domain (`acme.io/about`), an `@handle`, or, under a source's own
key, a bare user name (`adaq` under `github`). Placeholders (`n/a`, `-`, `none`), emails, images,
other schemes and Zyntro's own app links are ignored. The site of a work email's domain is added too;
a webmail domain (gmail.com, outlook.com, yahoo.*, ...) says nothing about the contact's company.

Pure: a dict in, URLs out; the router and the fetcher's policy decide what each URL becomes.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from extractors.urls import on_domain

__all__ = ["WEBMAIL_DOMAINS", "contact_links", "email_site", "is_webmail"]

# Exact webmail domains (any subdomain counts as well), then brands that exist under many suffixes.
WEBMAIL_DOMAINS = frozenset(
    """
gmail.com googlemail.com outlook.com hotmail.com live.com msn.com passport.com windowslive.com
yahoo.com ymail.com rocketmail.com icloud.com me.com mac.com aol.com aim.com proton.me protonmail.com
protonmail.ch pm.me gmx.com gmx.net gmx.de gmx.at gmx.ch web.de freenet.de t-online.de posteo.de
mailbox.org mail.ru bk.ru inbox.ru list.ru rambler.ru yandex.com yandex.ru ya.ru qq.com foxmail.com
163.com 126.com yeah.net 139.com sina.com sina.cn sohu.com aliyun.com naver.com hanmail.net daum.net
mail.com email.com zoho.com zohomail.com fastmail.com fastmail.fm hey.com tutanota.com tutanota.de
tuta.io hushmail.com duck.com laposte.net orange.fr wanadoo.fr free.fr sfr.fr libero.it virgilio.it
tiscali.it seznam.cz wp.pl o2.pl interia.pl comcast.net att.net verizon.net sbcglobal.net
bellsouth.net cox.net charter.net earthlink.net btinternet.com sky.com virginmedia.com shaw.ca
rogers.com sympatico.ca bigpond.com optusnet.com.au xtra.co.nz rediffmail.com
""".split()
)
_WEBMAIL_BRANDS = {
    "gmail",
    "googlemail",
    "hotmail",
    "outlook",
    "live",
    "yahoo",
    "ymail",
    "aol",
    "gmx",
    "yandex",
    "protonmail",
    "proton",
    "icloud",
    "tutanota",
    "zoho",
}

# Keys whose values are images, app links or callbacks, never the contact's public pages.
_NOT_SOURCES = (
    "avatar",
    "image",
    "photo",
    "picture",
    "logo",
    "icon",
    "thumb",
    "callback",
    "webhook",
    "unsubscribe",
    "api",
    "calendar",
    "booking",
    "meeting",
    "tracking",
    "pixel",
)
_SKIP_KEYS = {"profile", "profiles", "notes", "signals"}  # what Zyntro holds about the contact, not its links
_LINK_WORDS = {
    "url",
    "urls",
    "website",
    "websites",
    "site",
    "homepage",
    "web",
    "domain",
    "blog",
    "link",
    "links",
    "social",
    "socials",
}
_PLACEHOLDERS = {"", "-", "--", "n/a", "na", "none", "null", "nil", "unknown", "0", "false", "true", "tbd", "?"}
_APP_HOSTS = ("zyntrohq.com", "zyntro.ai", "zyntro.com")
_IMAGE = re.compile(r"\.(png|jpe?g|gif|svg|webp|ico|bmp)$", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?::\d{1,5})?(?:/\S*)?$", re.IGNORECASE)
_HANDLE = {
    "twitter": re.compile(r"^@?([A-Za-z0-9_]{1,15})$"),
    "github": re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$"),
    "linkedin": re.compile(r"^(?:in/)?([A-Za-z0-9][A-Za-z0-9_-]{2,99})/?$"),
}
_PROFILE_URL = {
    "twitter": "https://x.com/{}",
    "github": "https://github.com/{}",
    "linkedin": "https://www.linkedin.com/in/{}",
}
_SOURCE_HOSTS = {"twitter": ("x.com", "twitter.com"), "github": ("github.com",), "linkedin": ("linkedin.com",)}
_EMAIL = re.compile(r"^[^@\s]+@([a-z0-9.-]+\.[a-z]{2,24})$", re.IGNORECASE)


def _words(key: str) -> list[str]:
    """`cont_LinkedInURL` -> ['cont', 'linked', 'in', 'url']; `websiteUrl` -> ['website', 'url']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _kind(key: str) -> str | None:
    """Which source a field names: linkedin, twitter, github, website (any link), or None (not a link field)."""
    low = key.lower()
    words = _words(key)
    if any(w.startswith(bad) for bad in _NOT_SOURCES for w in words):
        return None
    if "linkedin" in low:
        return "linkedin"
    if "github" in low:
        return "github"
    if "twitter" in low or "x" in words:
        return "twitter"
    if _LINK_WORDS & set(words) or low.endswith(("url", "website", "site", "homepage")):
        return "website"
    return None


def _host_ok(host: str) -> bool:
    return bool(host) and on_domain(host, _APP_HOSTS) is None


def _as_url(kind: str, value: str) -> str | None:
    """The URL a field's value stands for, or None for junk."""
    text = value.strip().strip("<>").strip()
    if text.lower() in _PLACEHOLDERS or re.search(r"\s", text) or len(text) > 2000:
        return None
    if re.match(r"^https?://", text, re.IGNORECASE):
        try:
            host = (urlsplit(text).hostname or "").lower()
        except ValueError:
            return None
        return text if _host_ok(host) and not _IMAGE.search(urlsplit(text).path) else None
    if re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) and not _DOMAIN.match(text):
        return None  # mailto:, javascript:, ftp:, tel:, ...
    if "@" in text.lstrip("@"):
        return None  # an email address is not a page
    bare = text.removeprefix("//")
    if _DOMAIN.match(bare) and "." in bare.split("/")[0]:
        host = bare.split("/")[0].split(":")[0].lower()
        if kind in _SOURCE_HOSTS and not any(host == h or host.endswith("." + h) for h in _SOURCE_HOSTS[kind]):
            return None  # `linkedin: acme.io` is not a LinkedIn page
        return f"https://{bare}" if _host_ok(host) and not _IMAGE.search(bare) else None
    if kind in _HANDLE and (found := _HANDLE[kind].match(text)):
        return _PROFILE_URL[kind].format(found.group(1))
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _walk(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every (key, value) of the contact, depth first in the answer's order, minus stored profiles and notes."""
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        if str(key).lower() in _SKIP_KEYS:
            continue
        if isinstance(value, dict):
            out += _walk(value)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for item in value:
                out += _walk(item) if isinstance(item, dict) else []
        else:
            out.append((str(key), value))
    return out


def is_webmail(domain: str) -> bool:
    """Is this an email provider's domain (gmail.com, hotmail.co.uk, yahoo.fr, ...) rather than an organisation's?"""
    domain = domain.strip().lower().rstrip(".")
    if on_domain(domain, WEBMAIL_DOMAINS):
        return True
    labels = domain.split(".")
    # brand.<suffix> with a short public suffix (yahoo.co.jp, hotmail.fr, gmx.at, live.com.au)
    return len(labels) in (2, 3) and labels[0] in _WEBMAIL_BRANDS and all(len(x) <= 3 for x in labels[1:])


def email_site(email: str) -> str | None:
    """https://<domain>/ for a work email, None for a webmail address or something that is not an email."""
    found = _EMAIL.match(email.strip())
    if not found:
        return None
    domain = found.group(1).lower().rstrip(".")
    return None if is_webmail(domain) or not _host_ok(domain) else f"https://{domain}/"


def _site_key(url: str) -> str:
    """What makes two URLs the same source here: host without www., path without its trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{':' + str(parts.port) if parts.port else ''}{parts.path.rstrip('/')}?{parts.query}"


def contact_links(data: dict[str, Any]) -> list[str]:
    """The source URLs a fetchContact answer holds: its link fields first, then its work email's site."""
    found: list[str] = []
    emails: list[str] = []
    for key, value in _walk(data):
        kind = _kind(key)
        for text in _strings(value):
            if "email" in key.lower() or "mail" in _words(key):
                emails.append(text)
            elif kind is not None and (url := _as_url(kind, text)):
                found.append(url)
    hosts = {(urlsplit(u).hostname or "").lower().removeprefix("www.") for u in found}
    for email in emails:
        site = email_site(email)
        if site and (urlsplit(site).hostname or "").removeprefix("www.") not in hosts:
            found.append(site)
    unique: dict[str, str] = {}
    for url in found:
        unique.setdefault(_site_key(url), url)
    return list(unique.values())
