"""Property tests: no page, however broken, makes an extractor raise, and every fact it returns is well-formed.

Three kinds of input go through every registered extractor (each reached through a URL it is routed):
arbitrary text, HTML assembled from the markup the extractors read (JSON-LD and JSON state with broken
or extreme JSON, meta tags, h-card/vcard classes, rel=me links with odd URLs, microdata, tel:/mailto:,
site-specific selectors, deep nesting, huge numbers, odd unicode), and the fixture pages of tests/pages
cut at random points (mid-tag and mid-character included).
"""

from __future__ import annotations

import html
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.models import Extraction
from extractors.base import is_http
from extractors.facts import COUNT_KEYS
from extractors.registry import extractors, route
from tests.support.extract import FIXTURES, make_page

# One URL per code path worth reaching: every registered extractor, and both page types where a
# site has two (LinkedIn person/company, GitHub user/organisation).
URLS = (
    "https://www.linkedin.com/in/someone",
    "https://www.linkedin.com/company/someco",
    "https://x.com/someone",
    "https://github.com/someone",
    "https://github.com/orgs/someorg",
    "https://example.com/",
    "https://example.com/about",
    "https://someone.github.io/",
    "https://medium.com/@someone",
)
PAGES = sorted(FIXTURES.glob("*.html"))
# The runs are random but bounded: the whole file stays within ~20 s on a shared 2-core machine. A
# failing example is kept in .hypothesis/ (which ignores itself in git) and tried first on the next run.
FAST = settings(
    max_examples=20,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HTML_RUNS = settings(FAST, max_examples=30)

# --- values -----------------------------------------------------------------------------------------

ODD_CHARS = (
    "\u202e",
    "\u200b",
    "\ufeff",
    "\u00ad",
    "\x00",
    "\x01",
    "\x0c",
    "\r",
    "e\u0301",
    "\U0001f600",
    "\uffff",
    "\ufdfa",
    "İ",
    "ß",
    "𝔘𝔫𝔦",
    "\u2028",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&bogus;",
    "<",
    ">",
    "]]>",
    "<!--",
    "-->",
    "\\u0000",
    "\t",
)
odd_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(ODD_CHARS), st.text(max_size=5)), max_size=8).map("".join),
)
NUMBER_WORDS = (
    "86.4K",
    "1,234",
    "1.2k",
    "9e999",
    "NaN",
    "Infinity",
    "-0",
    "-12",
    "٣٤٥",
    "１２３",
    "²³",
    "1 234 567",
    "1\u202f234",
    "0x1F",
    "12.5M",
    "3B",
    "4.5",
    "1,2,3",
    "00000",
    "1.2.3k",
    ",,,",
    "1e400k",
    "①",
    "⁹",
    "𝟗𝟗",
)
numbers = st.one_of(
    st.sampled_from(NUMBER_WORDS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),  # beyond int()'s 4300-digit limit
    st.tuples(st.integers(1, 400), st.sampled_from("kKmMbB")).map(lambda t: "9" * t[0] + t[1]),
)
COUNT_LABELS = (
    "followers",
    "Followers",
    "following",
    "posts",
    "tweets",
    "repositories",
    "stars",
    "employees",
    "connections",
    "500+ connections",
    "Following",
    "follower",
)
count_phrase = st.one_of(
    st.builds(lambda n, w: f"{n} {w}", numbers, st.sampled_from(COUNT_LABELS)),
    st.builds(lambda n: f"Founded in {n}", numbers),
    st.builds(lambda n: f"Company size {n} employees", numbers),
)
ODD_URLS = (
    "http://[::1",
    "http://[::1]:99999/",
    "https://exa mple.com/",
    "http://%zz/",
    "javascript:alert(1)",
    "mailto:",
    "tel:",
    "tel:+44 117 496 0321",
    "mailto:someone@example.com?subject=x",
    "xmpp:a@b",
    "//example.org/x",
    "http://",
    "https://",
    "https://user:pass@example.com/",
    "https://exämple.com/",
    "http://[fe80::1%25eth0]/",
    "https://example.com:0/",
    "#top",
    "/relative/path",
    "?tab=repositories",
    "https://github.com/someone?tab=stars",
    "https://x.com/someone/followers",
    "data:text/html,hi",
    "https://t.co/abc",
    "http://1.2.3.4.5/",
    "https://example.com/" + "a" * 3000,
    "HTTPS://EXAMPLE.COM",
    "http://[::ffff:127.0.0.1]/",
    "https://someone.github.io/",
    "https://www.linkedin.com/in/x",
)
urls = st.one_of(
    st.sampled_from(ODD_URLS), odd_text, st.builds(lambda u, t: u + t, st.sampled_from(ODD_URLS), odd_text)
)

JSON_KEYS = (
    "@context",
    "@type",
    "@graph",
    "@id",
    "mainEntity",
    "name",
    "givenName",
    "familyName",
    "alternateName",
    "jobTitle",
    "worksFor",
    "address",
    "homeLocation",
    "location",
    "description",
    "sameAs",
    "url",
    "email",
    "telephone",
    "alumniOf",
    "knowsAbout",
    "knowsLanguage",
    "memberOf",
    "interactionStatistic",
    "agentInteractionStatistic",
    "interactionType",
    "userInteractionCount",
    "numberOfEmployees",
    "value",
    "minValue",
    "maxValue",
    "foundingDate",
    "legalName",
    "slogan",
    "brand",
    "makesOffer",
    "itemOffered",
    "dateCreated",
    "relatedLink",
    "identifier",
    "addressLocality",
    "addressRegion",
    "addressCountry",
    "streetAddress",
    "postalCode",
    "image",
    "followers_count",
    "friends_count",
    "statuses_count",
    "props",
    "pageProps",
    "user",
    "legacy",
    "screen_name",
    "profile_user",
    "@value",
    "type",
)
JSON_TYPES = (
    "Person",
    "Organization",
    "ProfilePage",
    "Corporation",
    "LocalBusiness",
    "WebSite",
    "WebPage",
    "PostalAddress",
    "Place",
    "InteractionCounter",
    "FollowAction",
    "WriteAction",
    "QuantitativeValue",
    "http://schema.org/Person",
    "schema:Organization",
    "EducationalOrganization",
    "Thing",
    "",
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
    st.sampled_from(JSON_TYPES),
    urls,
    numbers,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(JSON_KEYS) | odd_text, inner, max_size=6)
    ),
    max_leaves=25,
)
json_docs = st.one_of(
    st.fixed_dictionaries(
        {"@context": st.just("https://schema.org"), "@type": st.sampled_from(JSON_TYPES)},
        optional={k: json_values for k in JSON_KEYS[4:40]},
    ),
    st.builds(lambda nodes: {"@context": "https://schema.org", "@graph": nodes}, st.lists(json_values, max_size=4)),
    json_values,
)


@st.composite
def json_text(draw) -> str:
    """JSON text as pages carry it: valid, cut short, with trailing commas or CDATA, or not JSON at all."""
    doc = json.dumps(draw(json_docs), ensure_ascii=draw(st.booleans()))
    # variants are picked by number, not with st.just(doc): a strategy holding a large doc has a large repr
    variant = draw(st.integers(0, 5))
    if variant == 1:
        return doc[: draw(st.integers(0, len(doc)))]
    if variant == 2:
        return doc.replace("}", ",}").replace("]", ",]")
    if variant == 3:
        return f"//<![CDATA[\n{doc}\n//]]>"
    if variant == 4:
        return '{"@type": "Person", "name": "A", "userInteractionCount": %s}' % draw(numbers)
    return draw(odd_text) if variant == 5 else doc


# --- markup -----------------------------------------------------------------------------------------

# Classes, test ids and properties the extractors select on (site modules, microformats, microdata).
CLASSES = (
    "h-card",
    "vcard",
    "p-name",
    "fn",
    "u-url",
    "url",
    "p-org",
    "org",
    "p-job-title",
    "title",
    "u-email",
    "email",
    "p-tel",
    "tel",
    "p-locality",
    "locality",
    "adr",
    "h-adr",
    "p-note",
    "note",
    "u-photo",
    "dt-bday",
    "value",
    "value-title",
    "h-entry",
    "p-author",
    "u-uid",
    "vcard-fullname",
    "vcard-username",
    "user-profile-bio",
    "orghead",
    "pinned-item-list-item",
    "repo",
    "avatar-group-item",
    "Counter",
    "ProfileHeaderCard-nameLink",
    "ProfileHeaderCard-screenname",
    "username",
    "ProfileHeaderCard-bio",
    "ProfileHeaderCard-locationText",
    "ProfileHeaderCard-urlText",
    "ProfileHeaderCard-joinDateText",
    "ProfileNav-item--followers",
    "ProfileNav-item--tweets",
    "ProfileNav-item--following",
    "ProfileNav-value",
    "top-card-layout__title",
    "top-card-layout__headline",
    "top-card-layout__first-subline",
    "not-first-middot",
    "top-card-link__description",
    "text-heading-xlarge",
    "pv-top-card",
    "org-top-card-summary__title",
    "org-about-us-organization-description__text",
    "h2",
    "lh-condensed",
    "color-fg-muted",
)
TEST_IDS = (
    "UserName",
    "UserDescription",
    "UserLocation",
    "UserUrl",
    "UserJoinDate",
    "UserProfileHeader_Items",
    "primaryColumn",
    "sidebarColumn",
    "UserCell",
)
ITEMPROPS = (
    "name",
    "worksFor",
    "homeLocation",
    "url",
    "social",
    "email",
    "telephone",
    "jobTitle",
    "address",
    "addressLocality",
    "streetAddress",
    "description",
    "sameAs",
    "location",
    "foundingDate",
    "alumniOf",
)
META_NAMES = (
    "og:title",
    "og:description",
    "og:url",
    "og:type",
    "og:site_name",
    "profile:username",
    "description",
    "twitter:title",
    "twitter:creator",
    "twitter:description",
    "author",
    "title",
    "hovercard-subject-tag",
    "og:image",
    "keywords",
    "pageKey",
    "robots",
)
TAGS = (
    "div",
    "span",
    "a",
    "p",
    "li",
    "ul",
    "section",
    "article",
    "header",
    "h1",
    "h2",
    "h3",
    "address",
    "time",
    "table",
    "tr",
    "td",
    "dl",
    "dt",
    "dd",
    "b",
    "img",
    "input",
    "data",
    "svg",
    "template",
    "noscript",
    "form",
)


def _attr(name: str, value: str, raw: bool) -> str:
    return f" {name}={value}" if raw else f' {name}="{html.escape(value, quote=True)}"'


attributes = st.lists(
    st.tuples(
        st.one_of(
            st.tuples(st.just("class"), st.lists(st.sampled_from(CLASSES), min_size=1, max_size=3).map(" ".join)),
            st.tuples(st.just("data-testid"), st.sampled_from(TEST_IDS)),
            st.tuples(st.just("itemprop"), st.sampled_from(ITEMPROPS)),
            st.tuples(st.just("itemscope"), st.just("")),
            st.tuples(
                st.sampled_from(["itemtype", "typeof", "vocab"]),
                st.sampled_from(JSON_TYPES).map("https://schema.org/".__add__),
            ),
            st.tuples(st.just("property"), st.sampled_from(ITEMPROPS + META_NAMES)),
            st.tuples(st.just("rel"), st.sampled_from(["me", "me nofollow", "ME", "author", "noopener me"])),
            st.tuples(st.sampled_from(["href", "src", "data-expanded-url"]), urls),
            st.tuples(
                st.sampled_from(["title", "data-count", "content", "value", "datetime", "aria-label", "data-bio-text"]),
                st.one_of(numbers, odd_text, count_phrase),
            ),
            st.tuples(
                st.sampled_from(["data-hovercard-type", "data-section", "dir", "id"]),
                st.sampled_from(["organization", "currentPositionsDetails", "educationsDetails", "auto", "init-data"]),
            ),
        ),
        st.booleans(),
    ),
    max_size=4,
).map(lambda pairs: "".join(_attr(n, v, raw) for (n, v), raw in pairs))


def _jsonld_profile(kind: str, name: str, action: str, count: str, quoted: bool) -> str:
    """A schema.org subject with counts; the count is spliced in raw, so it can be any JSON number or none."""
    value = json.dumps(count) if quoted else count
    stat = '{"@type": "InteractionCounter", "interactionType": "https://schema.org/%s", "userInteractionCount": %s}'
    return (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "%s", "name": %s, '
        '"interactionStatistic": [%s], "numberOfEmployees": %s, "foundingDate": %s}</script>'
        % (kind, json.dumps(name), stat % (action, value), value, value)
    )


# Site-shaped snippets that get past each extractor's "is there a profile here" check, so that the
# counts, names and links in them reach the layers that read them.
names = st.one_of(st.sampled_from(["Mara Lindqvist", "Nordvik Robotics"]), odd_text)
profiles = st.one_of(
    st.builds(
        _jsonld_profile,
        st.sampled_from(["Person", "Organization", "ProfilePage"]),
        names,
        st.sampled_from(["FollowAction", "WriteAction", "LikeAction"]),
        numbers,
        st.booleans(),
    ),
    st.builds(
        lambda n, tab, c: (
            f'<h1 class="vcard-fullname">{html.escape(n)}</h1><a href="?tab={tab}">'
            f'<span class="Counter" title="{html.escape(c)}">{html.escape(c)}</span> {tab}</a>'
        ),
        names,
        st.sampled_from(["followers", "following", "repositories", "stars"]),
        numbers,
    ),
    st.builds(
        lambda n, nav, c: (
            f'<a class="ProfileHeaderCard-nameLink">{html.escape(n)}</a>'
            f'<li class="ProfileNav-item--{nav}"><span class="ProfileNav-value" '
            f'data-count="{html.escape(c)}">{html.escape(c)}</span></li>'
        ),
        names,
        st.sampled_from(["followers", "following", "tweets"]),
        numbers,
    ),
    st.builds(
        lambda n, c: (
            f'<div data-testid="UserName"><span>{html.escape(n)}</span><span>@someone</span></div>'
            f'<a href="/someone/followers"><span>{html.escape(c)} Followers</span></a>'
        ),
        names,
        numbers,
    ),
    st.builds(
        lambda n, c: (
            f'<meta property="og:title" content="{html.escape(n)} (@someone)">'
            f'<meta name="description" content="{html.escape(c)}">'
        ),
        names,
        count_phrase,
    ),
    st.builds(
        lambda n, c: (
            f'<h1 class="top-card-layout__title">{html.escape(n)}</h1><h3 class="top-card-layout__'
            f'first-subline"><div class="not-first-middot"><span>{html.escape(c)}</span></div></h3>'
        ),
        names,
        count_phrase,
    ),
    st.builds(
        lambda n, u, c: (
            f'<div class="h-card"><a class="p-name u-url" rel="me" href="{html.escape(u)}">'
            f'{html.escape(n)}</a><p class="p-note">{html.escape(c)}</p></div>'
        ),
        names,
        urls,
        count_phrase,
    ),
)

leaves = st.one_of(
    profiles,
    odd_text.map(html.escape),
    odd_text,
    count_phrase,
    json_text().map(lambda t: f'<script type="application/ld+json">{t}</script>'),
    json_text().map(lambda t: f'<script type="application/json" id="__NEXT_DATA__">{t}</script>'),
    st.builds(
        lambda k, v: f'<meta property="{k}" content="{html.escape(v)}">',
        st.sampled_from(META_NAMES),
        st.one_of(odd_text, count_phrase),
    ),
    st.builds(lambda k, v: f'<meta name="{k}" content="{html.escape(v)}">', st.sampled_from(META_NAMES), odd_text),
    st.builds(lambda u, rel: f'<link rel="{rel}" href="{html.escape(u)}">', urls, st.sampled_from(["me", "canonical"])),
    st.builds(lambda u, t: f'<a rel="me" href="{html.escape(u)}">{html.escape(t)}</a>', urls, odd_text),
    st.builds(
        lambda s, t: f'<a href="{s}{html.escape(t)}">{html.escape(t)}</a>',
        st.sampled_from(["tel:", "mailto:"]),
        odd_text,
    ),
    st.builds(lambda t: f"<address>{html.escape(t)}</address>", odd_text),
    st.builds(lambda t: f"<title>{html.escape(t)}</title>", st.one_of(odd_text, count_phrase)),
    st.builds(
        lambda v: f'<input id="init-data" value="{html.escape(v)}">',
        st.builds(lambda n: '{"profile_user": {"followers_count": %s}}' % n, numbers),
    ),
)


def _element(tag: str, attrs: str, children: list[str], closed: bool) -> str:
    return f"<{tag}{attrs}>{''.join(children)}" + (f"</{tag}>" if closed else "")


def _nest(depth: int, inner: str) -> str:
    return "<div>" * depth + inner + "</div>" * depth


fragments = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(_element, st.sampled_from(TAGS), attributes, st.lists(inner, max_size=4), st.booleans()),
        # deep trees; lxml stops nesting at depth 255, so deeper adds nothing
        st.builds(_nest, st.integers(1, 300), inner),
    ),
    max_leaves=20,
)


@st.composite
def documents(draw) -> str:
    """An HTML page: head and body fragments, sometimes without the html/head/body scaffolding."""
    head = "".join(draw(st.lists(fragments, max_size=4)))
    body = "".join(draw(st.lists(fragments, max_size=6)))
    if draw(st.booleans()):
        return head + body
    doctype = draw(st.sampled_from(["", "<!DOCTYPE html>", '<?xml version="1.0" encoding="latin-1"?>']))
    return f"{doctype}<html><head>{head}</head><body>{body}</body></html>"


@st.composite
def truncated_fixtures(draw) -> str:
    """A fixture page cut at a random byte (mid-tag and mid-character allowed), decoded as the fetcher does."""
    data = draw(st.sampled_from(PAGES)).read_bytes()
    start = draw(st.integers(0, len(data)) if draw(st.booleans()) else st.just(0))
    end = draw(st.integers(start, len(data)))
    return data[start:end].decode("utf-8", errors="replace")


# --- checks -----------------------------------------------------------------------------------------


def assert_well_formed(extraction: object) -> None:
    """An Extraction whose facts all have a key, evidence and a non-empty value of the key's type."""
    assert isinstance(extraction, Extraction)
    for fact in extraction.facts:
        assert fact.key.strip() and fact.evidence.strip(), fact
        value = fact.value
        if fact.key in COUNT_KEYS:
            assert isinstance(value, int) and not isinstance(value, bool) and value >= 0, fact
        elif isinstance(value, str):
            assert value.strip(), fact
        elif isinstance(value, list):
            assert value and all(isinstance(v, str) and v.strip() for v in value), fact
        elif isinstance(value, float):
            assert math.isfinite(value), fact
    assert all(is_http(link) for link in extraction.links), extraction.links


def _parse(url: str, text: str) -> None:
    assert_well_formed(route(url).parse(make_page(url, text)))


# Crashes these properties found in extractors/, each cut down to a minimal page. They are left to the
# extractors' owners: each case is an expected failure until its extractor copes, then it passes.
_BIG = "9" * 4301  # one digit over int()'s default conversion limit (sys.get_int_max_str_digits)


def _ld(node: str) -> str:
    return f'<script type="application/ld+json">{node}</script>'


def _followers(count: str) -> str:
    return _ld(
        '{"@type": "Person", "name": "Mara", "interactionStatistic": {"interactionType": '
        '"https://schema.org/FollowAction", "userInteractionCount": "%s"}}' % count
    )


# Inputs hypothesis once found that made an extractor raise; each stays as a regression test.
KNOWN_CRASHES = [
    (
        "control-char-in-block",
        "https://example.com/",
        "<div>\x08</div>",
        "text.py _mark_blocks: lxml refuses to set text holding a C0 control character (ValueError)",
    ),
    (
        "noncharacter-in-block",
        "https://example.com/",
        "<div>\ufffe</div>",
        "text.py _mark_blocks: lxml refuses to set text holding U+FFFE/U+FFFF (ValueError)",
    ),
    (
        "control-char-after-dropped-element",
        "https://example.com/",
        "<p><script></script>\x1f</p>",
        "text.py _strip: moving a control character in a removed element's tail (ValueError)",
    ),
    (
        "jsonld-4301-digit-number",
        "https://example.com/",
        _ld('{"@type": "Person", "name": "Mara", "n": %s}' % _BIG),
        "structured.py _load: json.loads raises ValueError, not JSONDecodeError, past the int digit limit",
    ),
    (
        "count-4301-digits",
        "https://example.com/",
        _followers(_BIG),
        "facts.py parse_count: int() of more than 4300 digits (ValueError)",
    ),
    (
        "count-309-digits-k",
        "https://example.com/",
        _followers("9" * 309 + "k"),
        "facts.py parse_count: float overflows to inf, int(inf) (OverflowError)",
    ),
    ("count-1.2.3k", "https://example.com/", _followers("1.2.3k"), "facts.py parse_count: float('1.2.3') (ValueError)"),
    (
        "github-meta-4301-digit-count",
        "https://github.com/someone",
        f'<h1 class="vcard-fullname">Mara</h1><meta name="description" content="{_BIG} followers">',
        "facts.py parse_count via github.py _meta: int() of more than 4300 digits (ValueError)",
    ),
    (
        "x-legacy-superscript-count",
        "https://x.com/someone",
        '<a class="ProfileHeaderCard-nameLink">Mara</a><li class="ProfileNav-item--followers">'
        '<span class="ProfileNav-value" data-count="\u00b2">2</span></li>',
        "twitter.py _legacy: '\u00b2'.isdigit() is True but int('\u00b2') raises ValueError",
    ),
    (
        "x-init-data-4301-digits",
        "https://x.com/someone",
        '<a class="ProfileHeaderCard-nameLink">Mara</a><input id="init-data" '
        f'value="{{&quot;profile_user&quot;: {{&quot;followers_count&quot;: {_BIG}}}}}">',
        "twitter.py _legacy_json: int() of more than 4300 digits (ValueError)",
    ),
    (
        "hcard-url-bad-ipv6",
        "https://example.com/",
        '<div class="h-card"><a class="p-name u-url" href="http://[::1">Mara</a></div>',
        "mf.py _same_site: urlsplit('http://[::1') raises ValueError",
    ),
    (
        "jsonld-url-bad-ipv6",
        "https://example.com/",
        _ld('{"@type": "Person", "name": "Mara", "url": "http://[::1"}'),
        "schema.py _off_host: urlsplit('http://[::1') raises ValueError",
    ),
    (
        "github-tab-bad-ipv6",
        "https://github.com/someone",
        '<h1 class="vcard-fullname">Mara</h1><a href="http://[::1?tab=followers">5 followers</a>',
        "github.py _tab: urlsplit('http://[::1?tab=followers') raises ValueError",
    ),
]


@pytest.mark.parametrize("url, page", [pytest.param(url, page, id=name) for name, url, page, _ in KNOWN_CRASHES])
def test_known_crash_inputs(url, page):
    _parse(url, page)


def test_every_registered_extractor_is_exercised():
    """A new extractor needs a URL in URLS, or the properties below would silently skip it."""
    reached = {route(url).name for url in URLS}
    missing = [e.name for e in extractors() if e.name not in reached]
    assert not missing, f"add a URL routed to {missing} to URLS"


@pytest.mark.parametrize("url", URLS)
@FAST
@given(text=st.text(max_size=2000))
def test_arbitrary_text_never_raises(url, text):
    _parse(url, text)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # a failing page is printed whole
@pytest.mark.parametrize("url", URLS)
@HTML_RUNS
@given(page=documents())
def test_generated_html_never_raises(url, page):
    _parse(url, page)


@pytest.mark.parametrize("url", URLS)
@FAST
@given(page=truncated_fixtures())
def test_truncated_fixture_pages_never_raise(url, page):
    _parse(url, page)
