"""schema.org Person / Organization nodes (from JSON-LD, microdata or RDFa) turned into facts.

Evidence is the path the value came from, e.g. "jsonld:Person.jobTitle" or "microdata:Person.name".
"""

from __future__ import annotations

import re
from typing import Any

from extractors.facts import FactBag, clean
from extractors.html import registrable_domain
from extractors.labels import split_role
from extractors.models import SubjectKind
from extractors.schema_types import is_a
from extractors.sites import is_platform
from extractors.structured import as_list, type_names
from extractors.urls import host_of

__all__ = [
    "ARTICLE_TYPES",
    "ORG_TYPES",
    "PROFILE_PAGE_TYPES",
    "Subject",
    "find_subject",
    "is_org",
    "is_person",
    "org_facts",
    "person_facts",
    "place_text",
    "prose",
]

ORG_TYPES = frozenset(
    {
        "organization",
        "corporation",
        "localbusiness",
        "ngo",
        "onlinebusiness",
        "onlinestore",
        "professionalservice",
        "company",
        "store",
        "governmentorganization",
        "newsmediaorganization",
        "researchorganization",
        "sportsorganization",
        "medicalorganization",
        "educationalorganization",
        "collegeoruniversity",
        "legalservice",
        "financialservice",
        "employmentagency",
        "organisation",
    }
)
SCHOOL_TYPES = frozenset(
    {
        "educationalorganization",
        "collegeoruniversity",
        "school",
        "highschool",
        "middleschool",
        "elementaryschool",
        "preschool",
    }
)
ARTICLE_TYPES = frozenset(
    {
        "article",
        "blogposting",
        "newsarticle",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "report",
        "posting",
    }
)
PROFILE_PAGE_TYPES = frozenset({"profilepage", "aboutpage", "webpage", "itempage", "contactpage"})
_COUNTRY_CODE_LEN = 2
# Countries that write the postcode after the town ("Bristol BS1 4RH", "Austin, TX 78701"); most others
# put it first ("80335 München").
_POSTCODE_LAST = frozenset(
    {
        "US",
        "USA",
        "UNITED STATES",
        "GB",
        "UK",
        "UNITED KINGDOM",
        "CA",
        "CANADA",
        "AU",
        "AUSTRALIA",
        "IE",
        "IRELAND",
        "NZ",
        "NEW ZEALAND",
        "IN",
        "INDIA",
        "JP",
        "JAPAN",
    }
)


class Subject:
    """The entity a page is about: a node, its kind and how it was found."""

    def __init__(self, node: dict, kind: SubjectKind, how: str, page: dict | None = None):
        self.node, self.kind, self.how, self.page = node, kind, how, page

    def __repr__(self) -> str:
        return f"Subject({self.kind}, {self.how})"


def is_person(node: Any) -> bool:
    """True for schema.org Person nodes (and subtypes)."""
    return any(is_a(n, "person") for n in type_names(node))


def is_org(node: Any) -> bool:
    """True for Organization nodes, any subtype included (MusicGroup, Dentist, NGO, Corporation, ...)."""
    names = type_names(node)
    return bool(names & ORG_TYPES) or any(is_a(n, "organization") for n in names)


def find_subject(nodes: list[dict]) -> Subject | None:
    """The Person or Organization the page is about, or None when the data does not say."""
    for node in nodes:  # ProfilePage.mainEntity is the strongest statement
        if type_names(node) & PROFILE_PAGE_TYPES:
            for key in ("mainEntity", "about"):
                for entity in as_list(node.get(key)):
                    if is_person(entity) or is_org(entity):
                        kind: SubjectKind = "person" if is_person(entity) else "organization"
                        return Subject(entity, kind, f"{_type(node)}.{key}", page=node)
    if any(type_names(n) & ARTICLE_TYPES for n in nodes):
        return None  # an article's author or publisher is not what the page is about
    for node in nodes:
        if is_person(node):
            return Subject(node, "person", "Person")
    for node in nodes:
        if is_org(node):
            return Subject(node, "organization", _type(node))
    return None


def _type(node: dict) -> str:
    for t in as_list(node.get("@type") or node.get("type")):
        if isinstance(t, str):
            return t.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return "Thing"


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return clean(value.get("name") or value.get("@value") or "")
    return clean(value) if isinstance(value, (str, int)) else ""


_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|span|b|i|strong|em|a|ul|li)\b[^>]*>", re.I)


def prose(value: Any) -> str:
    """A description string with stray HTML tags (LinkedIn's <br>) turned into spaces."""
    return clean(_TAG.sub(" ", value)) if isinstance(value, str) else ""


def _names(value: Any) -> list[str]:
    return [n for n in (_name(v) for v in as_list(value)) if n]


def place_text(value: Any, full: bool = False, lang: str = "") -> str:
    """A readable place: 'Stockholm, Sweden'; with full, the postal form: 'Street 4, 80335 München, DE'
    (`lang`, the page's language, decides the form when the address names no country)."""
    if isinstance(value, str):
        return clean(value)
    if not isinstance(value, dict):
        return ""
    if "address" in value and not any(k.startswith("address") for k in value if k != "address"):
        inner = place_text(value["address"], full, lang)
        if inner:
            return inner
    if full:
        return _postal_form(value, lang) or _name(value)
    parts: list[str] = []
    for field in ("addressLocality", "addressRegion", "addressCountry"):
        text = _name(value.get(field))
        is_code = field == "addressCountry" and len(text) == _COUNTRY_CODE_LEN
        if text and text not in parts and not (is_code and len(parts) > 0):
            parts.append(text)
    return ", ".join(parts) or _name(value)


def _postal_form(value: dict, lang: str = "") -> str:
    """Street, then 'locality, region postcode' where the country writes it so (US, UK, ...), else
    'postcode locality (region)'; then the country."""
    street = ", ".join(_names(value.get("streetAddress")))
    box = _name(value.get("postOfficeBoxNumber"))
    locality, region = _name(value.get("addressLocality")), _name(value.get("addressRegion"))
    postcode, country = _name(value.get("postalCode")), _name(value.get("addressCountry"))
    postcode_last = (
        country.upper() in _POSTCODE_LAST if country else (bool(region) and (not lang or lang.lower().startswith("en")))
    )
    if postcode_last:
        town = (
            ", ".join(p for p in (locality, f"{region} {postcode}".strip()) if p)
            if region
            else (f"{locality} {postcode}".strip())
        )
    else:
        town = f"{postcode} {locality}".strip() + (f" ({region})" if region and region != locality else "")
    box = f"PO Box {box}" if box and not box.lower().startswith(("po", "p.o")) else box
    return ", ".join(p for p in (street, box, town, country) if p)


def _off_host(url: str, host: str) -> bool:
    target = host_of(url)
    return bool(target) and registrable_domain(target) != registrable_domain(host)


def _counts(bag: FactBag, node: dict, path: str, method: str) -> None:
    # interactionStatistic counts actions on the subject (its followers); agentInteractionStatistic
    # counts the subject's own actions (whom it follows, what it wrote). X names "Friends" SubscribeAction.
    own = {"followaction": "followers_count", "subscribeaction": "following_count", "writeaction": "posts_count"}
    agent = {"followaction": "following_count", "subscribeaction": "following_count", "writeaction": "posts_count"}
    for prop, table in (("interactionStatistic", own), ("agentInteractionStatistic", agent)):
        for stat in as_list(node.get(prop)):
            if not isinstance(stat, dict):
                continue
            action = (
                type_names({"@type": stat.get("interactionType")})
                if isinstance(stat.get("interactionType"), str)
                else type_names(stat.get("interactionType"))
            )
            key = next((table[a] for a in action if a in table), None)
            if key and stat.get("userInteractionCount") is not None:
                bag.add(key, stat["userInteractionCount"], f"{path}.{prop}", method)


def person_facts(
    bag: FactBag, node: dict, host: str, method: str, *, profile_page: bool = False, source: str = ""
) -> list[str]:
    """Add a Person node's facts; returns the profile links it names (sameAs)."""
    label = _type(node)
    path = f"{source or method}:{label}"
    name = _name(node.get("name")) or clean(f"{_name(node.get('givenName'))} {_name(node.get('familyName'))}")
    bag.add("name", name, f"{path}.name", method)
    for prop in ("alternateName", "additionalName") if profile_page else ("alternateName",):
        for handle in _names(node.get(prop)):
            if profile_page or handle.startswith("@"):
                bag.add("handle", handle, f"{path}.{prop}", method)
                break
    titles = _names(node.get("jobTitle"))
    employers = _names(node.get("worksFor"))
    role_at = split_role(titles[0]) if titles and not employers else None
    if role_at:  # "Senior Frontend Engineer at Paystride" with no worksFor: the title names the employer
        titles, employers = [role_at[0]], [role_at[1]]
    bag.add("job_title", titles[0] if titles else None, f"{path}.jobTitle", method)
    bag.add("employer", employers[0] if employers else None, f"{path}.worksFor", method)
    for prop in ("address", "homeLocation"):
        bag.add("location", place_text(node.get(prop)), f"{path}.{prop}", method)
    bag.add("bio", prose(node.get("description")), f"{path}.description", method)
    for school in as_list(node.get("alumniOf")):
        if isinstance(school, str) or type_names(school) & SCHOOL_TYPES:
            bag.add("education", _name(school), f"{path}.alumniOf", method)
    bag.add_all("languages", _names(node.get("knowsLanguage")), f"{path}.knowsLanguage", method)
    bag.add_all("skills", _names(node.get("knowsAbout")), f"{path}.knowsAbout", method)
    bag.add_all("organizations", _names(node.get("memberOf")), f"{path}.memberOf", method)
    bag.add_all("organizations", _names(node.get("affiliation")), f"{path}.affiliation", method)
    bag.add_all("organizations", employers[1:], f"{path}.worksFor", method)
    bag.add("email", _name(node.get("email")), f"{path}.email", method)
    bag.add("phone", _name(node.get("telephone")), f"{path}.telephone", method)
    url = _name(node.get("url"))
    if url and _off_host(url, host):
        bag.add("website", url, f"{path}.url", method)
    _counts(bag, node, path, method)
    return [u for u in _names(node.get("sameAs")) if u.startswith(("http://", "https://"))]


def org_facts(bag: FactBag, node: dict, host: str, method: str, *, source: str = "", lang: str = "") -> list[str]:
    """Add an Organization node's facts; returns the profile links it names (sameAs)."""
    label = _type(node)
    path = f"{source or method}:{label}"
    # an organization that states no name is still named by its legal name or, failing that, its brand
    names = [(_name(node.get(k)), k) for k in ("name", "legalName", "brand")]
    name, prop = next(((n, k) for n, k in names if n), ("", "name"))
    bag.add("name", name, f"{path}.{prop}", method)
    bag.add("legal_name", _name(node.get("legalName")), f"{path}.legalName", method)
    bag.add("description", _name(node.get("slogan")), f"{path}.slogan", method)
    bag.add("description", prose(node.get("description")), f"{path}.description", method)
    links = [u for u in _names(node.get("sameAs")) if u.startswith(("http://", "https://"))]
    own_sites = [u for u in links if not is_platform(u)]  # a LinkedIn or X page is not the website
    url = _name(node.get("url"))
    website = url if url and _off_host(url, host) else (own_sites[0] if len(own_sites) == 1 else "")
    if url and not _off_host(url, host) and not is_platform(url):
        website = url  # the organization's own site states its own URL (a platform's page is not a website)
    bag.add("website", website, f"{path}.{'url' if website == url else 'sameAs'}", method)
    bag.add("founded", node.get("foundingDate"), f"{path}.foundingDate", method)
    _employees(bag, node.get("numberOfEmployees"), path, method)
    bag.add("phone", _name(node.get("telephone")), f"{path}.telephone", method)
    bag.add("email", _name(node.get("email")), f"{path}.email", method)
    address = node.get("address")
    own_fields = any(k in node for k in ("streetAddress", "postalCode", "addressLocality"))
    if own_fields:
        bag.add("address", place_text(node, full=True, lang=lang), f"{path}.streetAddress", method)  # own fields
    if not address and not own_fields:  # a Place given as location often holds the only address
        address = [p.get("address") for p in as_list(node.get("location")) if isinstance(p, dict) and p.get("address")]
    for unit in as_list(node.get("department")):  # a subOrganization is another company; a department is not
        if isinstance(unit, dict) and unit.get("address"):  # a branch office: one more address
            address = [*as_list(address), unit["address"]]
    for place in as_list(address):
        bag.add("address", place_text(place, full=True, lang=lang), f"{path}.address", method)
        if isinstance(place, dict):  # a PostalAddress is a ContactPoint: it may carry a phone and an email
            bag.add("phone", _name(place.get("telephone")), f"{path}.address.telephone", method)
            bag.add("email", _name(place.get("email")), f"{path}.address.email", method)
    main_place = node if own_fields else next(iter(as_list(address)), None)
    bag.add(
        "headquarters",
        place_text(main_place or next(iter(as_list(node.get("location"))), None)),
        f"{path}.{'address' if address else 'location'}",
        method,
    )
    for place in as_list(node.get("location")):
        bag.add("locations", place_text(place, full=True, lang=lang), f"{path}.location", method)
    bag.add_all("specialties", _names(node.get("knowsAbout")), f"{path}.knowsAbout", method)
    bag.add("vat_id", _name(node.get("vatID")), f"{path}.vatID", method)
    for prop, role in (
        ("founder", "founder"),
        ("founders", "founder"),
        ("employee", ""),
        ("employees", ""),
        ("member", ""),
        ("coach", "coach"),
        ("director", "director"),
        ("ceo", "CEO"),
    ):
        for person in as_list(node.get(prop)):
            who = _name(person)
            title = _name(person.get("jobTitle")) if isinstance(person, dict) else ""
            if who and (not isinstance(person, dict) or is_person(person) or "@type" not in person):
                bag.add("people", f"{who} ({title or role})" if title or role else who, f"{path}.{prop}", method)
    if prop != "brand":
        bag.add_all("products", _names(node.get("brand")), f"{path}.brand", method)
    for offer in as_list(node.get("makesOffer")):
        if isinstance(offer, dict):
            bag.add("products", _name(offer.get("itemOffered")) or _name(offer), f"{path}.makesOffer", method)
    _counts(bag, node, path, method)
    return links


def _employees(bag: FactBag, value: Any, path: str, method: str) -> None:
    if isinstance(value, dict):
        exact = value.get("value")
        low, high = value.get("minValue"), value.get("maxValue")
        if exact is not None:
            bag.add("employees_count", exact, f"{path}.numberOfEmployees", method)
        elif low is not None and high is not None:
            bag.add("company_size", f"{low}-{high} employees", f"{path}.numberOfEmployees", method)
    elif value is not None:
        bag.add("employees_count", value, f"{path}.numberOfEmployees", method)
