"""What an organization's own pages print about it, in any language: postal addresses, phones, emails
(also "name [at] domain"), the founding year, its size, its legal name, and labelled values
("Founded: 1998", "Industry | Banking"). Every fact carries the line or sentence it was read from.

These layers only fill what the structured layers (JSON-LD, microdata, RDFa, h-card) left empty, and
read visible text only (never code samples, scripts or forms).
"""

from __future__ import annotations

import re

from extractors.facts import FactBag, clean, norm
from extractors.html import Document, element_text, label_pairs
from extractors.lines import sentences, text_lines
from extractors.lines import split_sentences as _split_sentences

__all__ = [
    "contact_facts",
    "copyright_holder",
    "founding_year",
    "labelled_values",
    "page_emails",
    "page_phones",
    "postal_addresses",
    "team_members",
]

_MAX_EACH = 4  # addresses, phones, emails: a contact block lists a few, a directory page is not one
# "City, ST 12345" (US) and "[DE-]80335 München" (most of Europe), at the end of an address line.
_POSTAL_US = re.compile(r"\b[A-Z][A-Za-z.' -]{1,30},?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
_POSTAL_EU = re.compile(
    r"(?:^|,\s*|\s)(?:[A-Z]{1,3}-)?\d{4,5}(?:\s?[A-Z]{2})?\s+[A-ZÄÖÜÉ][\w'’.-]+(?:\s+[\w'’.-]+){0,3}"
    r"(?:\s*\([A-Z]{2}\))?$"
)  # "20122 Milano (MI)", "3526 KM Utrecht"
# A UK postcode after the town: "Leeds LS1 2NE"
_POSTAL_UK = re.compile(r"\b[A-Z][A-Za-z.' -]{1,30},?\s+[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}$")
_STREET = re.compile(
    r"^(?:\d+[a-z]{0,2}\b\s*\S|(?:p\.?\s?o\.?\s?box|postfach|apartado|boîte postale|bp)\s*\d)|"
    r"\b[\w'’.-]*(?:stra(?:ss|ß)e|str\.|weg|platz|gasse|allee|ring|damm|ufer|road|rd\.?|street|st\.?|avenue|"
    r"ave\.?|lane|ln\.?|boulevard|blvd\.?|drive|dr\.?|way|place|pl\.?|square|sq\.?|rue|via|viale|calle|"
    r"avenida|av\.|plaza|piazza|vej|gatan|gade|laan|straat|kade|plein|rúa|rua|carrer)\s+\d+|"
    # "Calle Mayor 21, 2º", "Via Roma 10", "Am Sandtorkai 3": a name then a house number (read only
    # next to a postcode line)
    r"^[^\d,]{3,40}\s\d{1,4}\s?[a-z]?(?:,\s*.{1,12})?$",
    re.I,
)
_PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d\s().\-–/\u00a0]{5,22}\d(?![\w/])")
_PHONE_LABEL = re.compile(
    r"(?:^|\b)(?:tel(?:efon|ephone|éfono|efone|efono)?|t[ée]l[ée]phone|phone|fon|call(?: us)?|mobile|mob|"
    r"whatsapp|mobiel|mobil|móvil|cell|handy|telemóvel|cellulare|"
    r"fax)\b\.?\s*[:.]?\s*$|(?:^|\s)[tp]\s*[:.]\s*$",
    re.I,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b", re.I)
_OBFUSCATED = re.compile(
    r"([\w.+-]+)\s*[\[({]\s*(?:at|ät|@)\s*[\])}]\s*([\w-]+(?:\s*(?:\.|[\[({]\s*(?:dot|punkt|punto)\s*[\])}])"
    r"\s*[\w-]+)+)",
    re.I,
)
_DOT = re.compile(r"\s*[\[({]\s*(?:dot|punkt|punto)\s*[\])}]\s*|\s*\.\s*", re.I)
_FOUNDING = re.compile(
    r"\b(?:found(?:ed|ing)|establish(?:ed)?|incorporated|existed since|exists since|in business since|"
    r"gegründet|gründ(?:en|ete|ung)|fundad[ao]|fundó|fondée?|fondata|fondato|opgericht|założon[aey])\b",
    re.I,
)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20[0-4]\d)\b")
# "the company" and friends: a founding sentence about "the service" is about the page's own subject.
_SELF = re.compile(
    r"\b(?:we|our|the (?:company|service|firm|business|organi[sz]ation|club|agency|studio|"
    r"site|association|society|foundation|school|practice)|wir|unser\w*|nous|notre|nosotros|somos|"
    r"noi|wij|ons|lo studio|la società|l['’]azienda|la empresa|la compañía|la société|l['’]entreprise|"
    r"l['’]agence|l['’]école|la scuola|la escuela|das unternehmen|die firma|der verein|die kanzlei|"
    r"het bedrijf|de onderneming|a empresa|a escola|o escritório)\b",
    re.I,
)
# An organization named in passing: capitalised words ending in a legal form or an organization noun
_ORG_NAMED = re.compile(
    r"\b[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’.-]*)*\s+(?:Ltd|LLC|Inc|GmbH|AG|SA|S\.A\.|SARL|SAS|"
    r"BV|B\.V\.|NV|N\.V\.|e\.\s?V\.|plc|Corp|Association|Verband|Vereniging|Foundation|"
    r"Stiftung|Fundación|Fondation|Partners)\b"
)
# "Since 1998, your gardener in Utrecht": a sentence that opens with the year the subject started
_SINCE = re.compile(r"^(?:since|sinds|seit|desde|depuis|dal|sin dal|od|sedan)\s+((?:1[6-9]|20)\d\d)\b", re.I)
_SIZE = re.compile(
    r"\b(\d{1,3}(?:[.,\s\u00a0]\d{3})+|\d{2,6})\+?\s+(employees|people|staff|team members|mitarbeiter(?:innen)?|"
    r"beschäftigte|empleados|personas|persoas|trabajadores|collaborateurs|salariés|dipendenti|persone|"
    r"medewerkers|werknemers|funcionários|pessoas)\b",
    re.I,
)
_APPROX_BEFORE = re.compile(
    r"(?:over|more than|about|around|approximately|nearly|almost|mehr als|über|rund|"
    r"más de|cerca de|plus de|environ|oltre|circa)\s*$",
    re.I,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}\s*(?:[-–—]\s*\d{2,4})?\s*,?\s*)?(?:by\s+)?"
    r"(?P<holder>[^.|©\n]{2,80}?(?:,?\s+(?:LLC|L\.L\.C\.|Inc\.?|Ltd\.?|Limited|GmbH(?: & Co\. KG)?|AG|S\.A\.?|"
    r"S\.L\.|SAS|SARL|S\.r\.l\.|S\.p\.A\.|B\.V\.|N\.V\.|AB|Oy|ApS|A/S|plc|PLC|Corp\.?|Corporation|e\.\s?V\.|"
    r"KG|OHG|UG)))(?=[\s.,;|]|$)",
    re.I,
)
_LABELS = {
    "founded": (
        "founded",
        "established",
        "year founded",
        "gegründet",
        "gründungsjahr",
        "fundación",
        "fundada",
        "fondée",
        "fondata",
        "opgericht",
        "since",
    ),
    "industry": ("industry", "branche", "sector", "industria", "secteur", "sektor"),
    "headquarters": ("headquarters", "hq", "head office", "sitz", "hauptsitz", "sede", "siège", "siège social"),
    "company_size": ("company size", "employees", "size", "mitarbeiter", "empleados", "effectif"),
    "vat_id": (
        "vat",
        "vat id",
        "vat number",
        "ust-idnr",
        "ust-id",
        "ust-idnr.",
        "umsatzsteuer-id",
        "umsatzsteuer-identifikationsnummer",
        "nif",
        "cif",
        "tva",
        "partita iva",
        "btw",
    ),
    "register_id": (
        "handelsregister",
        "registernummer",
        "company number",
        "registration number",
        "company registration",
        "hrb",
        "kvk",
        "siren",
        "siret",
    ),
}
_CREDITS = re.compile(
    r"^(?:web\s?design|design|konzeption|konzept|gestaltung|realisierung|umsetzung|programmierung|hosting|"
    r"bildnachweis|bildquellen|fotos?|photos?|photography|credits?|crédits|website by|site by|design by|"
    r"made by|built by|diseño|desarrollo web|réalisation|conception|realizzazione)\b",
    re.I,
)
# Who runs the organization, as an imprint or contact page prints it ("Geschäftsführer: A, B").
_LEADERS = re.compile(
    r"^(?P<role>geschäftsführer(?:in|innen)?|geschäftsführung|vorstand|vertreten durch|inhaber(?:in)?|"
    r"managing directors?|directors?|ceo|founders?|owner|proprietor|gerente|director(?:a)? general|"
    r"administrador(?:es)?|gérant(?:e)?|président(?:e)?|amministratore delegato|titolare)\s*[:：]\s*(?P<names>.+)$",
    re.I,
)
_HONORIFIC = re.compile(r"^(?:(?:dr|prof|dipl|ing|mag|lic|mba|msc|ma|ba)\.?[-\s]*(?:ing\.?|kfm\.?)?\s*)+", re.I)
_LABEL_LINE = re.compile(r"^(?P<label>[\w .\-/]{2,40}?)\s*[:：]\s*(?P<value>\S.{0,150})$")


def contact_facts(doc: Document, bag: FactBag, name: str = "") -> None:
    """Every text layer for an organization's page, in order of reliability."""
    labelled_values(doc, bag)
    page_emails(doc, bag)
    page_phones(doc, bag)
    postal_addresses(doc, bag)
    if not bag.has("founded"):
        founding_year(doc, bag, name)
    company_size(doc, bag, name)
    holder = copyright_holder(doc)
    if holder and norm(holder[0]) != norm(name):
        bag.add("legal_name", holder[0], holder[1], "text")
    team_members(doc, bag)


def credit_lines(doc: Document) -> set[str]:
    """Lines under a credits heading ('Webdesign', 'Konzeption und Gestaltung', 'Website by'): they name
    the agency, photographer or host, whose address and phone are not the organization's."""
    return doc.memo("credit_lines", _credit_lines)


def _credit_lines(doc: Document) -> set[str]:
    out: set[str] = set()
    for heading in doc.xpath("//h2 | //h3 | //h4 | //h5 | //h6 | //dt | //strong | //b")[:400]:
        if not _CREDITS.search(element_text(heading)) or len(element_text(heading)) > 60:
            continue
        sibling = heading.getnext()
        while sibling is not None and sibling.tag not in ("h1", "h2", "h3", "h4", "h5", "h6", "dt"):
            if isinstance(sibling.tag, str):
                out.update(text_lines(doc, sibling))
            sibling = sibling.getnext()
    for line in text_lines(doc):  # "Website by Pixelwerft, Hamburg, +49 40 ..." on one line
        if _CREDITS.match(line):
            out.add(line)
    return out


def _own_lines(doc: Document) -> list[str]:
    credits = credit_lines(doc)
    return [line for line in text_lines(doc) if line not in credits]


def postal_addresses(doc: Document, bag: FactBag) -> None:
    """Addresses printed as a street line and a postcode line (`<address>` blocks and footers)."""
    lines = _own_lines(doc)
    found = 0
    for i, line in enumerate(lines):
        if found >= _MAX_EACH or len(line) > 120:
            continue
        if not _postal(line) or (_STREET.search(line) and i + 1 < len(lines) and _postal(lines[i + 1])):
            continue  # a street line whose postcode line follows is read with that line
        parts = [line]
        for back in (1, 2, 3):  # a street line or two before the postcode line, maybe with a floor line
            previous = lines[i - back] if i - back >= 0 else ""
            if previous and len(previous) <= 80 and _STREET.search(previous):
                parts.insert(0, previous)
            elif (
                previous
                and len(previous) <= 12
                and back < 3
                and re.search(r"\d", previous)
                and (i - back - 1 >= 0 and _STREET.search(lines[i - back - 1]))
            ):
                parts.insert(0, previous)  # "2º", "3. OG", "Suite 4" between street and postcode
            else:
                break
        if len(parts) == 1 and not _STREET.search(line.split(",")[0]):
            continue
        address = ", ".join(parts)
        found += bag.add("address", address, address, "text")


def _postal(line: str) -> bool:
    return bool(_POSTAL_US.search(line) or _POSTAL_EU.search(line) or _POSTAL_UK.search(line))


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 7 <= len(digits) <= 15 and not re.fullmatch(r"(19|20)\d\d\s*[-–]\s*(19|20)\d\d", text.strip())


def page_phones(doc: Document, bag: FactBag) -> None:
    """tel: links, elements classed as phone numbers, and numbers after a 'Tel'/'Phone' label."""
    found: list[tuple[str, str]] = []
    for link in doc.xpath("//a[starts-with(translate(@href,'TEL','tel'),'tel:')]"):
        shown, href = element_text(link), link.get("href")
        # the number as the page shows it ("030 - 234 56 78"), else as the link dials it
        found.append((shown if _phone_ok(shown) and _PHONE.fullmatch(shown) else clean(href[4:]), href))
    for el in doc.xpath(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' phone ') or "
        "contains(concat(' ', normalize-space(@class), ' '), ' tel ') or "
        "contains(concat(' ', normalize-space(@class), ' '), ' telephone ')]"
    ):
        text = element_text(el)
        match = _PHONE.search(text)
        if match and len(text) <= 60:
            found.append((match.group(0), text))
    for line in _own_lines(doc):
        for match in _PHONE.finditer(line):
            if _PHONE_LABEL.search(line[: match.start()]) and not re.search(r"\bfax\b", line[: match.start()], re.I):
                found.append((match.group(0), line))
    seen = {re.sub(r"\D", "", str(v)) for v in bag.values("phone")}
    for number, evidence in found:
        digits = re.sub(r"\D", "", number)
        if len(seen) >= _MAX_EACH or not _phone_ok(number) or any(d.endswith(digits[-7:]) for d in seen):
            continue
        seen.add(digits)
        bag.add("phone", number.strip(" .-–"), evidence, "text" if evidence != f"tel:{number}" else "selector")


def page_emails(doc: Document, bag: FactBag) -> None:
    """mailto: links, printed addresses and 'name [at] domain [dot] tld' spellings."""
    found: list[tuple[str, str]] = []
    for href in doc.xpath("//a[starts-with(translate(@href,'MAILTO','mailto'),'mailto:')]/@href"):
        found.append((href[7:].split("?", 1)[0], href))
    for line in _own_lines(doc):
        found += [(m.group(0), line) for m in _EMAIL.finditer(line)]
        for m in _OBFUSCATED.finditer(line):
            found.append((f"{m.group(1)}@{_DOT.sub('.', m.group(2))}", m.group(0)))
    seen = {str(v).lower() for v in bag.values("email")}
    for address, evidence in found:
        address = address.strip().rstrip(".")
        if len(seen) >= _MAX_EACH or address.lower() in seen:
            continue
        if bag.add("email", address, evidence, "selector" if evidence.startswith("mailto:") else "text"):
            seen.add(address.lower())


def _names_subject(sentence: str, name: str) -> bool:
    words = [w for w in norm(name).split() if len(w) > 2 and not w.isdigit()]
    text = norm(sentence)
    return (
        bool(words) and sum(w in text.split() for w in words) >= max(1, len(words) // 2) or bool(_SELF.search(sentence))
    )


def founding_year(doc: Document, bag: FactBag, name: str) -> None:
    """'founded in 1998', 'existed since 1998', 'wurde 1990 gegründet' in a sentence about the subject."""
    # a tagline or lead that opens with the year ("Sinds 1998 uw hovenier ..."); in body prose "Seit 2012 sind
    # wir Affiliate" dates something else
    for text in [*(str(v) for v in bag.values("description")), *headings_of(doc)]:
        since = _SINCE.match(text)
        if since and not _ORG_NAMED.search(text):
            bag.add("founded", since.group(1), text, "text")
            return
    for sentence in sentences(doc)[:400]:
        verb = _FOUNDING.search(sentence)
        if not verb or len(sentence) > 400 or not _names_subject(sentence, name) or _in_parentheses(sentence, verb):
            continue
        if not _names_subject(
            sentence[: verb.start()] + sentence[verb.end() : verb.end() + 80], name
        ) or _other_org_first(sentence, verb.start(), name):
            continue
        years = [(abs(m.start() - verb.start()), m.group(1)) for m in _YEAR.finditer(sentence)]
        if years:
            bag.add("founded", min(years)[1], sentence, "text")
            return


def headings_of(doc: Document) -> list[str]:
    """The page's first headings (h1-h3)."""
    return [element_text(h) for h in doc.xpath("//h1 | //h2 | //h3")[:12]]


def _in_parentheses(sentence: str, verb: re.Match) -> bool:
    """'... VHG (opgericht in 1934)': a founding year in brackets belongs to the name before them."""
    return sentence.rfind("(", 0, verb.start()) > sentence.rfind(")", 0, verb.start())


def _other_org_first(sentence: str, end: int, name: str) -> bool:
    """True when, before `end`, the sentence names an organization that is not the subject ('Our partner
    Foo Ltd was founded in 1975', 'Wij zijn lid van VHG, Branchevereniging ... opgericht')."""
    own = set(norm(name).split())
    return any(not set(norm(match.group(0)).split()) & own for match in _ORG_NAMED.finditer(sentence[:end]))


def company_size(doc: Document, bag: FactBag, name: str) -> None:
    """'We are 8.000 people', 'over 200 employees' in a sentence about the subject."""
    if bag.has("company_size") or bag.has("employees_count"):
        return
    for paragraph in text_lines(doc, paragraphs=True)[:300]:
        match = _SIZE.search(paragraph)
        sentence = next((s for s in _split_sentences(paragraph) if match and match.group(0) in s), "")
        # "Heute arbeiten 85 Mitarbeiter ...": the paragraph around the sentence names the subject
        if match and len(sentence) <= 300 and _names_subject(paragraph[:600], name):
            bag.add("company_size", match.group(0), sentence, "text")
            if "+" not in match.group(0) and not _APPROX_BEFORE.search(sentence[: match.start()]):
                bag.add("employees_count", match.group(1), sentence, "text")  # an exact headcount
            return


def copyright_holder(doc: Document) -> tuple[str, str] | None:
    """The legal entity of a copyright line ('© 2017 car2go NA, LLC'), with the line; None without one."""
    for line in reversed(text_lines(doc)[-200:]):
        match = _COPYRIGHT.search(line)
        if match:
            holder = clean(match.group("holder")).strip(" ,")
            holder = re.sub(r"^(?:all rights reserved\W*)", "", holder, flags=re.I)
            if holder and not holder[0].isdigit():
                return holder, line
    return None


def labelled_values(doc: Document, bag: FactBag) -> None:
    """'Founded: 1998', '<dt>Industry</dt><dd>Banking</dd>': values under a label the page prints."""
    pairs = [(label, element_text(value), f"{label}: {element_text(value)}") for label, value in label_pairs(doc.root)]
    for line in text_lines(doc):
        match = _LABEL_LINE.match(line)
        if match:
            pairs.append((match.group("label").lower().strip(), match.group("value"), line))
    for label, value, evidence in pairs:
        for key, words in _LABELS.items():
            if label in words and value:
                if key == "founded" and not _YEAR.search(value):
                    continue
                bag.add(key, value, evidence, "text")


_PERSON_NAME = re.compile(r"^[A-ZÀ-Þ][\w'’.-]+(?:\s+(?:[A-ZÀ-Þ][\w'’.-]*|von|van|de|der|da|del|la|le)){1,3}$")
_MAX_PEOPLE = 30


def team_members(doc: Document, bag: FactBag) -> None:
    """A team grid: at least two headings that are person names, each followed by a short role line."""
    pairs: list[tuple[str, str]] = []
    for heading in doc.xpath("//h2 | //h3 | //h4 | //h5 | //strong")[:500]:
        name = element_text(heading)
        if len(name) > 40 or not _PERSON_NAME.match(name):
            continue
        role_el = heading.getnext()
        while role_el is not None and not isinstance(role_el.tag, str):
            role_el = role_el.getnext()
        if role_el is None or role_el.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "ul", "ol"):
            continue  # a heading followed by a heading is a list of topics, not a person and a role
        role = element_text(role_el)
        if role and len(role) <= 60 and not _PHONE.search(role) and "@" not in role and role != name:
            pairs.append((name, role))
    for line in text_lines(doc):
        match = _LEADERS.match(line) if len(line) <= 200 else None
        if match:
            role = match.group("role").strip()
            for who in re.split(r",|;|\s+(?:und|and|y|et|e)\s+|\s+&\s+", match.group("names")):
                who = _HONORIFIC.sub("", who.strip()).strip()
                if _PERSON_NAME.match(who):
                    bag.add("people", f"{who} ({role})", line, "text")
    if len(pairs) < 2:
        return  # one heading and a line under it is a page section, not a team
    for name, role in pairs[:_MAX_PEOPLE]:
        bag.add("people", f"{name} ({role})", f"{name} / {role}", "selector")
