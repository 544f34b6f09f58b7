"""Layers every source can reuse: structured data (JSON-LD, microdata, RDFa) and count phrases.

Layers run cheapest and most reliable first; the FactBag keeps the first value of a key, so a later
layer only fills what an earlier one left empty.
"""

from __future__ import annotations

import re

from extractors.facts import FactBag, clean
from extractors.html import Document, element_text
from extractors.models import SubjectKind
from extractors.schema import find_subject, org_facts, person_facts
from extractors.structured import jsonld_nodes, microdata_items, rdfa_items

__all__ = ["COUNT_WORDS", "count_phrases", "count_elements", "structured"]

# Words that label a count on profile pages, and the fact each one feeds.
COUNT_WORDS = {
    "followers": "followers_count",
    "follower": "followers_count",
    "following": "following_count",
    "posts": "posts_count",
    "post": "posts_count",
    "tweets": "posts_count",
    "tweet": "posts_count",
    "photos": "posts_count",
    "videos": "posts_count",
    "tracks": "posts_count",
    "uploads": "posts_count",
    "subscribers": "followers_count",
    # the same counters in the languages profile pages are most often served in
    "abonnés": "followers_count",
    "abonnenten": "followers_count",
    "seguidores": "followers_count",
    "volgers": "followers_count",
    "iscritti": "followers_count",
    "abonnements": "following_count",
    "abonnement": "following_count",
    "gefolgt": "following_count",
    "folgt": "following_count",
    "siguiendo": "following_count",
    "seguidos": "following_count",
    "seguindo": "following_count",
    "volgend": "following_count",
    "segue": "following_count",
    "beiträge": "posts_count",
    "publicaciones": "posts_count",
    "publicações": "posts_count",
    "messages": "posts_count",
    "publications": "posts_count",
    "toots": "posts_count",
    "berichten": "posts_count",
    "repositories": "repositories_count",
    "repository": "repositories_count",
    "stars": "stars_count",
    "star": "stars_count",
    "employees": "employees_count",
}
# "2 805", "1.234", "23,961", "2,8 k", "1.1M": digit groups may be split by spaces of any width
_NUMBER = r"((?:\d{1,3}(?:[,.\s\u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)?)(?:\s?[KkMmBb](?![a-z]))?)"
_PHRASE = re.compile(_NUMBER + r"\s+(" + "|".join(sorted(COUNT_WORDS, key=len, reverse=True)) + r")\b", re.I)
_WORD = re.compile(r"\b(" + "|".join(COUNT_WORDS) + r")\b", re.I)
_SHORT = 40  # an element whose whole text is "6 Followers" is a counter, not a sentence


def structured(doc: Document, bag: FactBag) -> tuple[SubjectKind, list[str]]:
    """JSON-LD, then microdata, then RDFa; returns the subject kind found ('unknown' if none) and links."""
    kind: SubjectKind = "unknown"
    links: list[str] = []
    sources = (
        ("jsonld", "jsonld", jsonld_nodes(doc)),
        ("microdata", "microdata", microdata_items(doc)),
        ("microdata", "rdfa", rdfa_items(doc)),
    )
    for method, source, nodes in sources:
        subject = find_subject(nodes) if nodes else None
        if subject is None:
            continue
        if kind == "unknown":
            kind = subject.kind
        elif kind != subject.kind:
            continue  # a later format describing something else does not mix into this subject
        if subject.kind == "person":
            same_as = person_facts(
                bag, subject.node, doc.host, method, source=source, profile_page=subject.how.startswith("ProfilePage")
            )
            created = (subject.page or {}).get("dateCreated")
            if isinstance(created, str) and subject.how.startswith("ProfilePage"):
                bag.add("joined_date", created[:10], f"{source}:ProfilePage.dateCreated", method)
        else:
            same_as = org_facts(bag, subject.node, doc.host, method, source=source, lang=doc.root.get("lang") or "")
        links += same_as
        # sameAs names the subject's other profiles; a profile page's own address is not one of them
        own = doc.url.rstrip("/")
        bag.add_all("social_profiles", [u for u in same_as if u.rstrip("/") != own], f"{source}:sameAs", method)
    return kind, links


def count_phrases(text: str) -> list[tuple[str, str, str]]:
    """('followers_count', '2,362', '2,362 Followers') for each count phrase in a text."""
    out = []
    for match in _PHRASE.finditer(clean(text)):
        out.append((COUNT_WORDS[match.group(2).lower()], match.group(1), match.group(0)))
    return out


def count_elements(doc: Document, bag: FactBag, root=None) -> None:
    """Counts shown as short labelled elements ('<b>2</b> Following'), read as selector facts."""
    scope = root if root is not None else doc.root
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if owner is None or not text or not _WORD.search(text):
                continue
            node = owner
            for _ in range(3):  # climb until the element holds both the number and its label
                whole = element_text(node)
                if len(whole) > _SHORT:
                    break
                found = count_phrases(whole)
                if found and found[0][2] == whole:
                    bag.add(found[0][0], found[0][1], whole, "selector")
                    break
                node = node.getparent()
                if node is None:
                    break
