"""Identity: does a page belong to the contact? A page about someone else is flagged."""

from __future__ import annotations

from uuid import uuid4

import pytest

from agent.models import Contact
from extractors.identity import score_identity
from extractors.registry import route
from tests.support.extract import FIXTURES, page_from_file


def _extract(name: str, url: str, status: int = 200):
    return route(url).parse(page_from_file(FIXTURES / name, url, status))


@pytest.fixture(scope="module")
def mara():
    return _extract("linkedin_person.html", "https://se.linkedin.com/in/mara-lindqvist-7b2a1")


@pytest.fixture(scope="module")
def harbourlight():
    return _extract("company_home.html", "https://www.harbourlight.example/")


def _contact(**hints) -> Contact:
    return Contact(contact_id=uuid4(), **hints)


def test_same_name_and_company_is_a_confident_match(mara):
    identity = score_identity(
        mara, _contact(name="Mara Lindqvist", company="Nordvik Robotics AB", email="mara@gmail.com")
    )
    assert identity.matched is True and identity.score >= 0.9
    assert "Nordvik" in identity.reason


def test_someone_else_is_flagged(mara):
    identity = score_identity(mara, _contact(name="Erik Sandberg", company="Tallgrass Analytics"))
    assert identity.matched is False and identity.score < 0.2
    assert "Mara Lindqvist" in identity.reason and "Erik Sandberg" in identity.reason


def test_initial_and_last_name_need_corroboration(mara):
    alone = score_identity(mara, _contact(name="M. Lindqvist"))
    backed = score_identity(mara, _contact(name="M. Lindqvist", company="Nordvik Robotics"))
    assert alone.matched is False or alone.score < backed.score
    assert backed.matched is True


def test_accents_and_case_do_not_matter():
    noor = _extract("personal_site.html", "https://noor-haddad.example/")
    identity = score_identity(noor, _contact(name="NOOR HADDAD", email="noor@noor-haddad.example"))
    assert identity.matched is True and "email domain" in identity.reason


def test_no_hints_means_no_decision(mara):
    identity = score_identity(mara, _contact())
    assert identity.matched is None and identity.score == 0.0 and identity.reason


def test_free_mail_is_not_a_work_domain(mara):
    identity = score_identity(mara, _contact(email="someone@gmail.com"))
    assert identity.matched is None


def test_organization_pages_match_on_company_or_email_domain(harbourlight):
    by_domain = score_identity(harbourlight, _contact(name="Priya Raman", email="priya@harbourlight.example"))
    by_name = score_identity(harbourlight, _contact(company="Harbourlight Analytics Ltd"))
    other = score_identity(harbourlight, _contact(company="Oxbow Freight", email="a@oxbow.example"))
    assert by_domain.matched is True and by_name.matched is True
    assert other.matched is False and "Oxbow Freight" in other.reason


def test_pages_that_are_not_profiles_are_not_compared():
    wall = _extract("linkedin_authwall.html", "https://www.linkedin.com/in/mara-lindqvist-7b2a1")
    identity = score_identity(wall, _contact(name="Mara Lindqvist"))
    assert identity.matched is None and "login_wall" in identity.reason
