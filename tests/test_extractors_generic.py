"""The web-wide layers on small pages: what any page states (meta, counts, types, addresses, contact
blocks), and the source kind each extractor declares for the condenser."""

from __future__ import annotations

import pytest

from agent.models import Outcome
from extractors.facts import parse_count
from extractors.registry import route
from extractors.schema import place_text
from extractors.schema_types import is_a
from tests.support.extract import facts_of, make_page


def _parse(url: str, html: str):
    return route(url).parse(make_page(url, html))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2\u202f805", (2805, False)),
        ("2 805", (2805, False)),
        ("1.234", (1234, False)),
        ("23,961", (23961, False)),
        ("23.1K", (23100, True)),
        ("4,69\u00a0M", (4690000, True)),
        ("2.3M", (2300000, True)),
        ("1.2.3k", None),
        ("9" * 20, None),
        ("9" * 400 + "k", None),
        ("4.5", None),
    ],
)
def test_counts_read_every_way_pages_write_them(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "name, root, expected",
    [
        ("musicgroup", "organization", True),
        ("dentist", "organization", True),
        ("dentist", "place", True),
        ("ngo", "organization", True),
        ("sportsteam", "organization", True),
        ("patient", "person", True),
        ("taxiservice", "organization", False),
        ("productgroup", "organization", False),
        ("someneworganization", "organization", True),
        ("webpage", "organization", False),
    ],
)
def test_schema_types_by_their_ancestors(name, root, expected):
    assert is_a(name, root) is expected


@pytest.mark.parametrize(
    "address, expected",
    [
        (
            {
                "streetAddress": "1526 Frankford Ave",
                "addressLocality": "Philadelphia",
                "addressRegion": "PA",
                "postalCode": "19125",
                "addressCountry": "US",
            },
            "1526 Frankford Ave, Philadelphia, PA 19125, US",
        ),
        (
            {"streetAddress": "Nymphenburger Straße 4", "addressLocality": "München", "postalCode": "80335"},
            "Nymphenburger Straße 4, 80335 München",
        ),
        (
            {
                "streetAddress": "3 Wapping Wharf",
                "addressLocality": "Bristol",
                "postalCode": "BS1 4RH",
                "addressCountry": "GB",
            },
            "3 Wapping Wharf, Bristol BS1 4RH, GB",
        ),
    ],
)
def test_postal_addresses_are_written_the_way_their_country_writes_them(address, expected):
    assert place_text(address, full=True) == expected


def test_a_meta_only_page_still_names_its_subject_and_drops_site_boilerplate():
    html = """<html><head><title>Justice | Spotify</title><meta property="og:site_name" content="Spotify">
    <meta property="og:type" content="profile"><meta property="og:title" content="Justice">
    <meta name="description" content="Listen to Justice on Spotify. Artist · 2M monthly listeners.">
    </head><body></body></html>"""
    extraction = _parse("https://open.spotify.com/artist/1gR0", html)
    assert extraction.outcome is Outcome.ok and extraction.kind == "social_profile"
    assert facts_of(extraction, "name") == ["Justice"]
    assert facts_of(extraction, "bio") == []  # "Listen to ... on Spotify" describes Spotify, not the artist


def test_a_companys_contact_block_gives_every_office_phone_and_email():
    html = """<html><head><title>Contact | Acme Widgets</title></head><body><main><h1>Contact</h1>
    <p>Acme Widgets was founded in 2009 in Leeds. We are 40 people.</p></main>
    <footer><address>Acme Widgets Ltd<br>12 Mill Street<br>Leeds LS1 4AB</address>
    <p>Tel.: +44 113 496 0000</p><p>hello [at] acme-widgets.example</p>
    <p>© 2009–2025 Acme Widgets Ltd</p></footer></body></html>"""
    extraction = _parse("https://www.acme-widgets.example/contact", html)
    assert extraction.kind == "company_website" and extraction.subject == "organization"
    assert facts_of(extraction, "name") == ["Acme Widgets"]
    assert facts_of(extraction, "founded") == [2009]
    assert facts_of(extraction, "employees_count") == [40]
    assert facts_of(extraction, "phone") == ["+44 113 496 0000"]  # the copyright years are not a phone
    assert facts_of(extraction, "email") == ["hello@acme-widgets.example"]
    assert facts_of(extraction, "legal_name") == ["Acme Widgets Ltd"]


def test_one_heading_with_a_line_under_it_is_not_a_team():
    html = """<html><head><title>About | Acme</title></head><body><h2>Jane Smith</h2><p>Founder</p>
    <p>Acme makes widgets.</p></body></html>"""
    assert facts_of(_parse("https://acme.example/about", html), "people") == []


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://www.spacex.com/", "company_website"),
        ("https://www.dropbox.com/about", "company_website"),
        ("https://medium.com/@ada", "social_profile"),
        ("https://ada.github.io/", "personal_website"),
    ],
)
def test_the_extractor_declares_the_source_kind_never_the_hosts_spelling(url, kind):
    html = """<html><head><title>Ada Lovelace | Example</title><meta property="og:title" content="Ada Lovelace">
    <meta property="og:type" content="profile"><meta name="description" content="Mathematician and writer.">
    </head><body><h1>Ada Lovelace</h1></body></html>"""
    assert _parse(url, html).kind == kind


def test_a_cookie_consent_wall_is_not_a_page():
    html = """<html><head><title>Before you continue</title></head><body><h1>Before you continue</h1>
    <p>We use cookies and data to deliver our services.</p>
    <form action="https://consent.example-video.com/save" method="post"><button>Accept all</button></form>
    </body></html>"""
    extraction = _parse("https://www.example-video.com/@someone", html)
    assert extraction.outcome is Outcome.login_wall and extraction.facts == []
