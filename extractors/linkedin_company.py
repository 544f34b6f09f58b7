"""LinkedIn company pages (/company/...): the part of the LinkedIn module that reads organizations.

The "About us" rows and the Locations section are read before JSON-LD for the address and
headquarters: LinkedIn's JSON-LD address keeps only the first street line.
"""

from __future__ import annotations

import re

from extractors.facts import FactBag
from extractors.html import Document, element_text, label_pairs
from extractors.layers import count_phrases, structured

__all__ = ["company_facts"]

TOP_NAME = "//h1[contains(@class,'top-card-layout__title')]"
TOP_INDUSTRY = "//h2[contains(@class,'top-card-layout__headline')]"
TOP_SUBLINE = "//h3[contains(@class,'top-card-layout__first-subline')]"
TOP_TAGLINE = "//h4[contains(@class,'top-card-layout__second-subline')]"
ABOUT_TEXT = "//section[@data-test-id='about-us']//p[contains(@class,'whitespace-pre-wrap')]"
LOCATIONS = "//section[contains(@class,'locations')]//li[.//div[starts-with(@id,'address-')]]"
LOCATION_LINES = ".//div[starts-with(@id,'address-')]/p"
PRIMARY_TAG = ".//span[contains(@class,'tag-')]"
PRODUCTS = "//section[@data-test-id='products']//h3"
EMPLOYEES_ON_LINKEDIN = re.compile(r"(?:view all|see all)\s+([\d,]+)\s+employees", re.I)
# "About us" row label -> fact key
ROWS = {
    "industry": "industry",
    "company size": "company_size",
    "headquarters": "headquarters",
    "founded": "founded",
    "website": "website",
    "phone": "phone",
    "specialties": "specialties",
}
# The same rows on LinkedIn's other locales (nl, de, fr, es, it, pt, sv)
ROWS.update(
    {
        **dict.fromkeys(("branche", "sector", "secteur", "industria", "setor", "bransch"), "industry"),
        **dict.fromkeys(
            (
                "bedrijfsgrootte",
                "unternehmensgröße",
                "taille de l’entreprise",
                "taille de l'entreprise",
                "tamaño de la empresa",
                "dimensioni dell’azienda",
                "tamanho da empresa",
                "företagsstorlek",
            ),
            "company_size",
        ),
        **dict.fromkeys(
            ("hoofdkantoor", "hauptsitz", "siège social", "sede", "sede central", "huvudkontor"), "headquarters"
        ),
        **dict.fromkeys(
            ("opgericht", "gegründet", "fondée en", "fundada", "fondata nel", "fundação", "grundat"), "founded"
        ),
        **dict.fromkeys(("webseite", "site web", "sitio web", "sito web", "webbplats"), "website"),
        **dict.fromkeys(
            (
                "specialismen",
                "spezialgebiete",
                "spécialisations",
                "especialidades",
                "specializzazioni",
                "specialiteter",
            ),
            "specialties",
        ),
    }
)


def company_facts(doc: Document, bag: FactBag) -> list[str]:
    """Facts of a LinkedIn company page; returns its links."""
    _locations(doc, bag)
    _rows(doc, bag)
    _, links = structured(doc, bag)
    name = doc.text_of(TOP_NAME)
    bag.add("name", name, name, "selector")
    industry = doc.text_of(TOP_INDUSTRY)
    if len(industry) <= 80 and not industry.endswith((".", "!", "?")):  # in some layouts this line is the tagline
        bag.add("industry", industry, industry, "selector")
    tagline = doc.text_of(TOP_TAGLINE)
    bag.add("description", tagline, tagline, "selector")
    about = doc.text_of(ABOUT_TEXT)
    bag.add("description", about, about[:120], "selector")
    subline = doc.text_of(TOP_SUBLINE)
    for key, value, snippet in count_phrases(subline):
        bag.add(key, value, snippet, "selector")
    for key, value, _snippet in count_phrases(doc.meta.get("description", "")):
        if key == "followers_count":
            bag.add(key, value, "meta:description", "meta")
    match = EMPLOYEES_ON_LINKEDIN.search(doc.text_sample)
    if match:
        bag.add("employees_count", match.group(1), match.group(0), "text")
    bag.add_all("products", doc.texts_of(PRODUCTS), "section:products", "selector")
    if bag.get("website"):
        links.append(str(bag.get("website")))
    return links


def _rows(doc: Document, bag: FactBag) -> None:
    for label, value in label_pairs(doc.root):
        key = ROWS.get(label)
        if key is None:
            continue
        link = value.find(".//a")
        text = element_text(link) if key == "website" and link is not None else element_text(value)
        if key == "specialties":
            items = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
            bag.add_all(key, [i.strip() for i in items if i.strip()], f"Specialties: {text[:150]}", "selector")
        else:
            bag.add(key, text, f"{label.title()}: {text}", "selector")


def _locations(doc: Document, bag: FactBag) -> None:
    """Every office is an address; the one tagged primary (in any locale: 'Primary', 'Primair', ...) first."""
    offices: list[tuple[bool, str]] = []
    for item in doc.xpath(LOCATIONS):
        lines = doc.texts_of(LOCATION_LINES, item)
        if lines:
            offices.append((bool(doc.text_of(PRIMARY_TAG, item)), ", ".join(lines)))
    for _primary, address in sorted(offices, key=lambda office: not office[0]):
        bag.add("locations", address, address, "selector")
        bag.add("address", address, address, "selector")
