"""The fact vocabulary and the bag that collects facts layer by layer, cheapest and surest first.

Single-valued keys keep the first value offered (layers run JSON-LD first, visible text last), except
that an exact count replaces an approximate one ("1.2k" followers give way to "1,234").
Multi-valued keys (education, skills, ...) keep one fact per distinct item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from extractors.models import Fact, FactValue

__all__ = [
    "COUNT_KEYS",
    "LIST_KEYS",
    "MULTI_KEYS",
    "FactBag",
    "clean",
    "norm",
    "parse_count",
    "parse_year",
]

COUNT_KEYS = frozenset(
    {
        "followers_count",
        "following_count",
        "posts_count",
        "repositories_count",
        "stars_count",
        "employees_count",
    }
)
# Keys that hold a list: one fact per item, and one list value in a profile.
LIST_KEYS = frozenset(
    {
        "education",
        "experience",
        "skills",
        "interests",
        "languages",
        "pinned_repositories",
        "organizations",
        "products",
        "specialties",
        "locations",
        "people",
        "social_profiles",
    }
)
# Keys whose every fact is kept: the list keys, plus "description" (an organization page often has
# both a one-line tagline and a longer "about" text; the tagline comes first) and an organization's
# contact block, which may list several offices: address, phone and email keep every item (the first
# is the main one).
MULTI_KEYS = LIST_KEYS | {"description", "address", "phone", "email"}
BOOL_KEYS = frozenset({"verified"})

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")
_URLISH = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$", re.I)
_HANDLE = re.compile(r"^@?[\w][\w.-]{0,60}(@[\w-]+(\.[\w-]+)+)?$")  # fediverse: @user@instance
_COUNT = re.compile(r"(\d+(?:[.,\s\u00a0\u202f]\d+)*)\s*([kmb](?![a-z]))?", re.I)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_MULTIPLIER = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
EVIDENCE_CHARS = 200
_MAX_DIGITS = 15  # above any real count, below int()'s and float()'s limits


def clean(text: str | int | None) -> str:
    """Collapse whitespace and drop invisible formatting characters."""
    if not text:
        return ""
    return _SPACE.sub(" ", _INVISIBLE.sub("", str(text))).strip()


def norm(text: str) -> str:
    """A comparison form: case-folded, accents and punctuation removed, single spaces."""
    decomposed = unicodedata.normalize("NFKD", clean(text)).casefold()
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def parse_count(text: str | int | None) -> tuple[int, bool] | None:
    """'3,893' -> (3893, False); '1.2k' -> (1200, True); None when no number is there."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return (text, False) if 0 <= text < 10**_MAX_DIGITS else None
    if isinstance(text, float):
        return (int(text), False) if text.is_integer() and 0 <= text < 10**_MAX_DIGITS else None
    match = _COUNT.search(clean(text))
    if not match:
        return None
    digits, suffix = match.group(1), (match.group(2) or "").lower()
    if len(re.sub(r"\D", "", digits)) > _MAX_DIGITS:
        return None  # no follower or employee count has this many digits: not a count
    if suffix:
        try:
            number = float(re.sub(r"[\s\u00a0\u202f]", "", digits).replace(",", "."))
        except ValueError:  # "1.2.3k"
            return None
        return int(round(number * _MULTIPLIER[suffix])), True
    groups = re.split(r"[.,\s\u00a0\u202f]", digits)
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        return None  # "4.5" without a suffix is not a count
    return int("".join(groups)), False


def parse_year(text: str | int | None) -> int | None:
    """The first plausible four-digit year in a value ('Founded 2011', '2011-03-01')."""
    if isinstance(text, int):
        return text if 1600 <= text <= 2100 else None
    match = _YEAR.search(clean(text))
    return int(match.group(1)) if match else None


def _valid(key: str, value: str) -> bool:
    if key == "email":
        return bool(_EMAIL.match(value))
    if key == "website":
        return bool(_URLISH.match(value))
    if key == "handle":
        return bool(_HANDLE.match(value))
    return len(value) <= 5_000


def _postal_tokens(address: str) -> set[str]:
    """Postcode-like tokens of an address ('80335', 'ec1v2nx'): two addresses sharing one are one place."""
    return {t for t in address.split() if len(t) >= 4 and any(c.isdigit() for c in t)}


class FactBag:
    """Facts gathered for one page, in the order they were found."""

    def __init__(self) -> None:
        self._facts: list[Fact] = []
        self._seen: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._facts)

    def has(self, key: str) -> bool:
        """True when a fact with this key is already there."""
        return key in self._seen

    def get(self, key: str) -> FactValue | None:
        """The value of the first fact with this key."""
        return next((f.value for f in self._facts if f.key == key), None)

    def values(self, key: str) -> list[FactValue]:
        """Every value held for a key."""
        return [f.value for f in self._facts if f.key == key]

    def facts(self) -> list[Fact]:
        """The facts, in the order they were found."""
        return list(self._facts)

    def add(
        self, key: str, value: object, evidence: str, method: str, *, approximate: bool = False, replace: bool = False
    ) -> bool:
        """Offer a fact; returns True when it was kept. Values are cleaned and validated per key."""
        coerced = self._coerce(key, value)
        if coerced is None:
            return False
        value, approximate = coerced[0], coerced[1] or approximate
        fact = Fact(
            key=key,
            value=value,
            evidence=clean(evidence)[:EVIDENCE_CHARS] or key,
            method=method,
            approximate=approximate,
        )
        if key in MULTI_KEYS:
            marker = norm(str(value))
            if marker in self._seen.get(key, set()):
                return False
            if key == "address" and any(_postal_tokens(marker) & _postal_tokens(m) for m in self._seen.get(key, ())):
                return False  # the same office written twice (microdata and footer text)
            self._seen.setdefault(key, set()).add(marker)
            self._facts.append(fact)
            return True
        if key in self._seen:
            index = next(i for i, f in enumerate(self._facts) if f.key == key)
            current = self._facts[index]
            if replace or (current.approximate and not approximate):
                self._facts[index] = fact
                return True
            return False
        self._seen[key] = {norm(str(value))}
        self._facts.append(fact)
        return True

    def add_all(self, key: str, values: Iterable[object], evidence: str, method: str) -> int:
        """Offer several items of a multi-valued key; returns how many were kept."""
        return sum(self.add(key, v, evidence, method) for v in values)

    @staticmethod
    def _coerce(key: str, value: object) -> tuple[FactValue, bool] | None:
        if value is None or isinstance(value, (dict, list)):
            return None
        if key in BOOL_KEYS:
            return (value, False) if isinstance(value, bool) else None
        if key in COUNT_KEYS:
            parsed = parse_count(value)  # type: ignore[arg-type]
            return parsed
        if key == "founded":
            year = parse_year(value)  # type: ignore[arg-type]
            return (year, False) if year else None
        text = clean(str(value))
        if key == "email":
            text = text.removeprefix("mailto:")
        if key == "phone":
            text = text.removeprefix("tel:")
        if key == "handle" and text and not text.startswith("@") and _HANDLE.match(text):
            text = "@" + text
        if not text or not _valid(key, text):
            return None
        return text, False
