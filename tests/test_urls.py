"""agent.urls.normalise_url: the one form of a source URL."""

from __future__ import annotations

import pytest

from agent.urls import normalise_url


@pytest.mark.parametrize(
    "given,expected",
    [
        ("HTTP://GitHub.com/Ada?Q=1#Top", "http://github.com/Ada?Q=1#Top"),  # path, query, fragment kept as written
        ("https://GitHub.com:443/ada", "https://github.com/ada"),
        ("http://example.com:80/", "http://example.com/"),
        ("http://example.com:443/", "http://example.com:443/"),  # not http's default port
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://Bücher.Example/über", "https://xn--bcher-kva.example/über"),
        ("https://a\u3002b.example/", "https://a.b.example/"),  # ideographic full stop, as browsers read it
        ("http://[FE80::1]:8080/", "http://[fe80::1]:8080/"),
        ("http://User:Pw@Host.example/", "http://User:Pw@host.example/"),  # the fetcher refuses it and says so
        ("github.com/ada", "github.com/ada"),  # no scheme: left for the fetcher to explain
        ("FTP://files.example/cv.pdf", "FTP://files.example/cv.pdf"),
        ("mailto:ada@example.com", "mailto:ada@example.com"),
    ],
)
def test_normal_form(given, expected):
    assert normalise_url(given) == expected
    assert normalise_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "given,words",
    [
        ("http://[::1", "cannot be parsed"),
        ("http://example.com:99999/", "cannot be parsed"),
        ("http://example.com:port/", "cannot be parsed"),
        ("http://ex ample.com/", "whitespace"),
        ("http://example.com/a\nb", "whitespace"),
        ("http://exa<mple.com/", "not a valid host name"),
        ("https://\u2603\u200d.example/", "international domain name"),
    ],
)
def test_unparseable_urls_say_why(given, words):
    with pytest.raises(ValueError, match=words):
        normalise_url(given)


def test_host_of_a_url():
    from extractors.urls import host_of

    assert host_of("HTTPS://WWW.Example.COM:8443/a") == "www.example.com"
    assert host_of("http://[::1") == "" and host_of("mailto:ada@example.com") == "" and host_of("") == ""


@pytest.mark.parametrize(
    "host,domains,expected",
    [
        ("linkedin.com", ["linkedin.com"], "linkedin.com"),
        ("www.LinkedIn.com.", ["linkedin.com"], "linkedin.com"),  # case and a trailing dot do not matter
        ("www.linkedin.com", [".linkedin.com"], "linkedin.com"),
        ("a.b.linkedin.com", ["*.linkedin.com"], "linkedin.com"),
        ("notlinkedin.com", ["linkedin.com"], None),
        ("linkedin.com.evil.example", ["linkedin.com"], None),
        ("linkedin.com", ["www.linkedin.com"], None),  # a parent is not on its subdomain
        ("", ["linkedin.com", ""], None),
        ("example.org", ["", "  ", "example.org"], "example.org"),  # blank entries match nothing
    ],
)
def test_a_host_is_on_a_domain_or_a_subdomain_of_one(host, domains, expected):
    from extractors.urls import on_domain

    assert on_domain(host, domains) == expected
