"""The shared layers: counts, the fact bag, non-profile pages, the condenser text, and purity."""

from __future__ import annotations

import socket

import pytest

from agent.models import Outcome
from extractors.facts import FactBag, parse_count
from extractors.registry import route
from extractors.text import TEXT_LIMIT
from tests.support.extract import FIXTURES, load_expected, make_page, page_from_file


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("3,893", (3893, False)),
        ("1,101,177 followers", (1101177, False)),
        ("1.2k", (1200, True)),
        ("23.9K posts", (23900, True)),
        ("1.1M", (1100000, True)),
        ("2 362", (2362, False)),
        ("0", (0, False)),
        (564, (564, False)),
        ("4.5", None),
        ("no number", None),
    ],
)
def test_counts_are_normalised(shown, expected):
    assert parse_count(shown) == expected


def test_an_exact_count_replaces_an_approximate_one_and_not_the_reverse():
    bag = FactBag()
    bag.add("followers_count", "1.2k followers", "1.2k followers", "selector")
    bag.add("followers_count", 1234, "jsonld:Person.interactionStatistic", "jsonld")
    bag.add("followers_count", "1.3k", "1.3k", "selector")
    [fact] = bag.facts()
    assert (fact.value, fact.approximate, fact.method) == (1234, False, "jsonld")


def test_values_are_validated_per_key():
    bag = FactBag()
    assert not bag.add("email", "Sign in to view email", "x", "microdata")
    assert bag.add("email", "mailto:noor@noor-haddad.example", "x", "selector")
    assert not bag.add("website", "not a url at all", "x", "meta")
    assert bag.add("handle", "maralindqvist", "x", "meta") and bag.get("handle") == "@maralindqvist"
    assert bag.add("founded", "2016-04-01", "x", "jsonld") and bag.get("founded") == 2016
    assert not bag.add("name", "   ", "x", "meta")
    assert bag.add("education", "Lund University", "x", "jsonld")
    assert not bag.add("education", "lund  university", "x", "selector")  # same item, other spelling


@pytest.mark.parametrize(
    "status, outcome",
    [
        (404, Outcome.not_found),
        (410, Outcome.not_found),
        (401, Outcome.login_wall),
        (403, Outcome.blocked),
        (999, Outcome.blocked),
        (429, Outcome.rate_limited),
        (500, Outcome.error),
        (503, Outcome.error),
    ],
)
def test_error_statuses_decide_the_outcome_and_give_no_facts(status, outcome):
    url = "https://www.linkedin.com/in/mara-lindqvist-7b2a1"
    extraction = route(url).parse(page_from_file(FIXTURES / "linkedin_person.html", url, status))
    assert extraction.outcome is outcome and extraction.facts == [] and extraction.reason


@pytest.mark.parametrize("status", [200, 403, 503])
def test_a_challenge_page_is_blocked_whatever_its_status(status):
    url = "https://github.com/tobiasokafor"
    extraction = route(url).parse(page_from_file(FIXTURES / "challenge.html", url, status))
    assert extraction.outcome is Outcome.blocked and extraction.facts == []


def test_a_captcha_on_a_contact_form_is_not_a_challenge():
    url = "https://www.harbourlight.example/contact"
    extraction = route(url).parse(page_from_file(FIXTURES / "company_contact.html", url))
    assert extraction.outcome is Outcome.ok


def test_a_near_empty_human_check_is_blocked():
    html = (
        "<html><head><title>harbourlight.example</title></head><body><p>Please verify you are a human.</p>"
        "<div class='g-recaptcha'></div></body></html>"
    )
    extraction = route("https://www.harbourlight.example/").parse(make_page("https://www.harbourlight.example/", html))
    assert extraction.outcome is Outcome.blocked


def test_an_empty_page_is_not_an_error():
    url = "https://www.harbourlight.example/blog"
    extraction = route(url).parse(make_page(url, ""))
    assert extraction.outcome is Outcome.ok and extraction.facts == [] and extraction.subject == "unknown"


def test_text_is_bounded_and_keeps_the_start_of_the_profile():
    filler = "".join(f"<p>Paragraph {i}: {'tide tables and berth plans ' * 8}</p>" for i in range(400))
    html = (
        f"<html><body><nav><a href='/'>Home</a></nav><main><h1>Harbourlight Analytics</h1>{filler}</main>"
        "<footer>© 2025</footer></body></html>"
    )
    url = "https://www.harbourlight.example/"
    extraction = route(url).parse(make_page(url, html))
    assert len(extraction.text) <= TEXT_LIMIT
    assert extraction.text.startswith("Harbourlight Analytics")
    assert "Home" not in extraction.text.split("\n") and "© 2025" not in extraction.text


def test_parsing_is_pure_no_network_and_the_same_answer_twice(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an extractor tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    for entry in load_expected():
        page = page_from_file(FIXTURES / entry["file"], entry["url"], entry.get("status", 200))
        first = route(entry["url"]).parse(page)
        again = route(entry["url"]).parse(page)
        assert first == again


@pytest.mark.parametrize(
    "url, html, outcome",
    [
        (
            "https://www.linkedin.com/in/gone-person",
            "<html><head><title>Profile Not Found | LinkedIn</title></head><body><h1>This profile is not available"
            "</h1><p>The profile you're looking for may have been removed.</p></body></html>",
            Outcome.not_found,
        ),
        (
            "https://www.linkedin.com/authwall?trk=bf&originalReferer=",
            "<html><head><title>LinkedIn</title></head><body><p>Join to see more</p></body></html>",
            Outcome.login_wall,
        ),
        (
            "https://x.com/suspended_zz",
            "<html><head><title>Profile / X</title></head><body><div data-testid='emptyState'><span>Account suspended"
            "</span><span>X suspends accounts which violate the X Rules</span></div></body></html>",
            Outcome.not_found,
        ),
        (
            "https://x.com/i/flow/login?redirect_after_login=%2Fmaralindqvist",
            "<html><head><title>Log in to X / X</title></head><body><h1>Sign in to X</h1></body></html>",
            Outcome.login_wall,
        ),
        # X's text markers, on a profile URL (not the login path): the wall is read from the words alone
        (
            "https://x.com/maralindqvist",
            "<html><head><title>X</title></head><body><h1>Don’t miss what’s happening</h1>"
            "<p>People on X are the first to know.</p><a href='/login'>Log in</a></body></html>",
            Outcome.login_wall,
        ),
        (
            "https://x.com/maralindqvist",
            "<html><head><title>X</title></head><body><div>Sign in to X</div>"
            "<a href='/i/flow/signup'>Sign up</a></body></html>",
            Outcome.login_wall,
        ),
        (
            "https://x.com/someone",
            "<html><head><title>X</title></head><body><div id='react-root'></div>"
            "<noscript>Please enable JavaScript</noscript></body></html>",
            Outcome.unsupported,
        ),
        (
            "https://github.com/someone",
            "<html><head><title>Page not found · GitHub</title></head><body><p>Not found</p></body></html>",
            Outcome.not_found,
        ),
        (
            "https://www.instagram.com/accounts/login/",
            "<html><head><title>Login • Instagram</title></head><body><form><input name='username'>"
            "<input type='password' name='password'><button>Log in</button></form></body></html>",
            Outcome.login_wall,
        ),
    ],
)
def test_pages_that_are_not_profiles(url, html, outcome):
    extraction = route(url).parse(make_page(url, html))
    assert extraction.outcome is outcome, extraction.reason
    assert extraction.facts == [] and extraction.subject == "unknown"


def test_an_account_on_a_multi_user_site_keeps_the_sites_name():
    html = (
        "<html><head><meta property='og:site_name' content='Mastodon Example'><meta property='og:type' "
        "content='profile'><meta property='og:title' content='Noor Haddad (@noor@mastodon.example)'>"
        "<meta property='og:description' content='Data journalist in Amman.'></head>"
        "<body><a rel='me' href='https://noor-haddad.example/'>noor-haddad.example</a></body></html>"
    )
    url = "https://mastodon.example/@noor"
    extraction = route(url).parse(make_page(url, html))
    assert (extraction.profile_source, extraction.subject) == ("Mastodon Example", "person")
    assert extraction.fact("handle").value == "@noor@mastodon.example"
    assert extraction.fact("name").value == "Noor Haddad"
    assert extraction.links == ["https://noor-haddad.example/"]
