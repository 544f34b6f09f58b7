"""Small text helpers shared by the rules, the grounding check and the offline templates."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "format_int",
    "normalise",
    "number_mentions",
    "numbers_in",
    "split_sentences",
    "stem",
    "terms",
    "truncate_words",
]

# Abbreviations after which a full stop does not end a sentence ("Acme Inc. Berlin" is one).
_ABBREVIATIONS = {
    "inc",
    "ltd",
    "co",
    "corp",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "jr",
    "sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "no",
    "approx",
    "dept",
    "univ",
    "mt",
    "ft",
    "gmbh",
    "ag",
    "llc",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)]*\s+")
_TOKEN = re.compile(r"[^\W_][\w'’+#.&-]*[\w+#]|[^\W_]")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(\s?[kKmMbB](?![a-zA-Z]))?")
_MULTIPLIER = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_PLAIN: dict[str, str | int | None] = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "\u00a0": " ",
    "\u202f": " ",
}
_PLAIN_TABLE = str.maketrans(_PLAIN)  # curly quotes, dashes and fixed-width spaces to plain ones


def normalise(text: str) -> str:
    """NFKC, casefolded, plain quotes and dashes, single spaces: for comparing texts."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_PLAIN_TABLE)
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of a short text, keeping abbreviations like "Inc." and initials inside."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()].split()
        word = before[-1].lower().rstrip(".") if before else ""
        after = text[match.end() : match.end() + 1]
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or not after or after.islower():
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def terms(text: str) -> list[str]:
    """Words as the grounding check compares them: casefolded, accents and terms like "C++", "Node.js"
    and "AT&T" kept whole, possessive 's dropped ("Acme's" -> "acme").

    Not extractors.identity's name comparison, which drops accents and splits on punctuation so
    "José O'Brien" matches "Jose O Brien"; a summary's "C++" must not be grounded by a fact's "C".
    """
    out = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", text)):
        token = re.sub(r"['’]s$", "", token).strip(".-'’&").casefold()
        if token:
            out.append(token)
    return out


def stem(word: str) -> str:
    """A crude stem (first five letters) so "developer"/"development" and "robots"/"robotics" compare equal."""
    return word[:5]


def number_mentions(text: str) -> list[tuple[str, set[float]]]:
    """Each number a text states, with the values it can mean ("3,893" -> {3893.0, 3.893})."""
    mentions = []
    for match in _NUMBER.finditer(text):
        digits, suffix = match.group(1), match.group(2)
        readings = _readings(digits)
        if suffix:
            scale = _MULTIPLIER[suffix.strip().lower()]
            readings |= {float(round(r * scale)) for r in readings}
        mentions.append((match.group(0), readings))
    return mentions


def numbers_in(text: str) -> set[float]:
    """Every number a text states: "3,893" -> 3893, "86.4K" -> 86400, "2019-2021" -> 2019 and 2021."""
    return {r for _, readings in number_mentions(text) for r in readings}


def _readings(digits: str) -> set[float]:
    """The values a digit string can mean, both ways round for "." and "," separators."""
    readings: set[float] = set()
    groups = re.split(r"[.,]", digits)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        readings.add(float("".join(groups)))  # thousands separators: 3,893 or 3.893
    if len(groups) == 2:
        readings.add(float(f"{groups[0]}.{groups[1]}"))  # a decimal: 4.5 or 4,5
    if len(groups) == 1:
        readings.add(float(digits))
    return readings


def format_int(value: int) -> str:
    """An integer with thousands separators, as a summary writes it."""
    return f"{value:,}"


def truncate_words(text: str, limit: int) -> str:
    """The text cut at a word boundary so that, with a trailing "…", it fits in `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"
