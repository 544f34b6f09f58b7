"""A Zyntro contact's own links as sources: lenient about field names, strict about junk."""

from __future__ import annotations

import pytest

from agent.review.contact_links import contact_links, email_site, is_webmail


def test_the_sandbox_fields_become_sources_in_order():
    data = {
        "contact_id": "x",
        "cont_fname": "Ada",
        "cont_email": "ada@quillmetrics.example",
        "cont_website": "https://www.quillmetrics.example/",
        "cont_linkedin": "https://www.linkedin.com/in/ada-q",
        "cont_twitter": "@adaquinlan",
        "cont_github": "adaquinlan",
    }
    assert contact_links(data) == [
        "https://www.quillmetrics.example/",
        "https://www.linkedin.com/in/ada-q",
        "https://x.com/adaquinlan",
        "https://github.com/adaquinlan",
    ]


@pytest.mark.parametrize(
    "key, value, url",
    [
        ("website", "acme.io", "https://acme.io"),
        ("companyWebsite", "www.acme.io/about", "https://www.acme.io/about"),
        ("homepage", "//acme.io", "https://acme.io"),
        ("blog_url", "http://127.0.0.1:8000/blog", "http://127.0.0.1:8000/blog"),
        ("domain", "acme.co.uk", "https://acme.co.uk"),
        ("linkedin", "ada-quinlan", "https://www.linkedin.com/in/ada-quinlan"),
        ("linkedin_url", "linkedin.com/in/ada-quinlan", "https://linkedin.com/in/ada-quinlan"),
        ("LinkedInProfile", "in/ada-quinlan", "https://www.linkedin.com/in/ada-quinlan"),
        ("twitter_handle", "@ada_q", "https://x.com/ada_q"),
        ("x", "ada_q", "https://x.com/ada_q"),
        ("x_url", "https://twitter.com/ada_q", "https://twitter.com/ada_q"),
        ("github_username", "ada-q", "https://github.com/ada-q"),
        ("githubUrl", "github.com/ada-q", "https://github.com/ada-q"),
        ("social_links", ["https://github.com/ada-q", "n/a"], "https://github.com/ada-q"),
    ],
)
def test_fields_handles_and_bare_domains(key, value, url):
    assert contact_links({key: value}) == [url]


def test_nested_answers_and_lists_of_objects_are_read():
    data = {
        "data": {
            "contact": {
                "cont_fname": "Ada",
                "socials": [{"type": "github", "url": "https://github.com/ada"}],
                "links": {"website": "ada.dev"},
            }
        }
    }
    assert contact_links(data) == ["https://github.com/ada", "https://ada.dev"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("website", ""),
        ("website", "n/a"),
        ("website", "N/A"),
        ("website", "-"),
        ("website", "none"),
        ("website", "null"),
        ("website", "not a url at all"),
        ("website", "mailto:ada@acme.io"),
        ("website", "javascript:alert(1)"),
        ("website", "ftp://acme.io/file"),
        ("website", "ada@acme.io"),
        ("website", "localhost"),
        ("twitter", "this handle is way too long"),
        ("github", "-ada-"),
        ("linkedin", "acme.io"),
        ("github", "gitlab.com/ada"),
        ("avatar_url", "https://cdn.acme.io/ada.png"),
        ("photoUrl", "https://cdn.acme.io/ada"),
        ("logo_url", "https://acme.io/logo"),
        ("website", "https://acme.io/logo.svg"),
        ("crm_url", "https://app.zyntrohq.com/contacts/1"),
        ("webhook_url", "https://hooks.acme.io/x"),
        ("api_url", "https://api.acme.io"),
        ("cont_phone", "+1 555 0101"),
        ("cont_role", "acme.io"),
        ("notes", "see https://acme.io"),
        ("website", 42),
        ("website", None),
        ("website", True),
    ],
)
def test_junk_values_and_other_fields_are_ignored(key, value):
    assert contact_links({key: value}) == []


def test_stored_profiles_notes_and_signals_are_not_sources():
    data = {
        "cont_fname": "Ada",
        "profile": [{"profile_payload": {"source_url": "https://github.com/ada"}}],
        "notes": [{"url": "https://example.org/note"}],
        "signals": {"website": "signal.example"},
    }
    assert contact_links(data) == []


@pytest.mark.parametrize(
    "email",
    [
        "ada@gmail.com",
        "ada@googlemail.com",
        "ada@outlook.com",
        "ada@hotmail.co.uk",
        "ada@live.fr",
        "ada@msn.com",
        "ada@yahoo.com",
        "ada@yahoo.co.jp",
        "ada@icloud.com",
        "ada@me.com",
        "ada@aol.com",
        "ada@protonmail.com",
        "ada@proton.me",
        "ada@gmx.de",
        "ada@web.de",
        "ada@mail.ru",
        "ada@yandex.ru",
        "ada@qq.com",
        "ada@163.com",
        "ADA@GMAIL.COM",
    ],
)
def test_webmail_addresses_name_no_company_site(email):
    assert is_webmail(email.split("@")[1])
    assert email_site(email) is None
    assert contact_links({"cont_email": email}) == []


def test_a_work_email_adds_its_domain_once():
    assert email_site("ada@quillmetrics.example") == "https://quillmetrics.example/"
    assert contact_links({"cont_email": "ada@quillmetrics.example"}) == ["https://quillmetrics.example/"]
    # the same site named by a field is not added again
    assert contact_links({"email": "ada@quillmetrics.example", "website": "www.quillmetrics.example"}) == [
        "https://www.quillmetrics.example"
    ]
    assert contact_links({"email": "not an email", "work_email": "ada@"}) == []


def test_the_same_page_written_twice_is_one_source():
    data = {"website": "https://acme.io/", "company_url": "acme.io", "homepage": "https://www.acme.io"}
    assert contact_links(data) == ["https://acme.io/"]
