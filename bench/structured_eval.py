"""Structured data: extruct against the hand-written layers, page by page, on the fixture and shared pages.

    .venv/bin/python bench/structured_eval.py [--repeat N] [--quiet]

For every page of tests/pages and ../shared/pages it runs extruct.extract (JSON-LD, microdata, RDFa,
OpenGraph, microformats, Dublin Core; uniform=True) and the project's layers (jsonld_nodes,
microdata_items, rdfa_items, hcards, Document.meta) and prints: items found per syntax by each, the
type names found, a short diff where the two disagree, the pages where extruct raises (all syntaxes,
each syntax alone, errors='ignore' and 'log'), the parse time of each, a set of hand-made edge cases
and the install cost of extruct's dependencies. It only prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.html import Document  # noqa: E402
from extractors.mf import hcards  # noqa: E402
from extractors.structured import jsonld_nodes, microdata_items, rdfa_items  # noqa: E402
from tests.support.extract import FIXTURES, SHARED_PAGES, load_expected, make_page, page_from_file  # noqa: E402

try:
    import extruct
except ImportError:  # the evaluation needs it; the project does not
    extruct = None

__all__ = ["main", "ours", "pages", "theirs"]

SYNTAXES = ["json-ld", "microdata", "rdfa", "opengraph", "microformat", "dublincore"]
SHORT = {"json-ld": "ld", "microdata": "md", "rdfa": "rdfa", "opengraph": "og", "microformat": "mf", "dublincore": "dc"}
DIFFED = ("json-ld", "microdata", "rdfa", "microformat", "opengraph")
OG_PREFIXES = {"og", "profile", "article", "book", "music", "video", "product"}  # extruct's defaults
PLACEHOLDER_URL = {"linkedin": "https://www.linkedin.com/in/placeholder", "personal": "https://personal.example/"}
NAME_KEYS = ("name", "fn", "headline", "title", "legalname", "alternatename")


def pages() -> list[tuple[str, object]]:
    """(label, Page) for every fixture page and every shared page (read in place, never copied)."""
    out = [
        (f"tests/{e['file']}", page_from_file(FIXTURES / e["file"], e["url"], e.get("status", 200)))
        for e in load_expected()
    ]
    index = SHARED_PAGES / "pages.json"
    if index.exists():
        for entry in json.loads(index.read_text(encoding="utf-8")):
            url = entry["url"] or PLACEHOLDER_URL.get(entry["kind"], "https://example.com/")
            out.append(
                (
                    f"shared/{entry['kind']}/{entry['file']}",
                    page_from_file(SHARED_PAGES / entry["kind"] / entry["file"], url),
                )
            )
    return out


# ---- the two sides, in one shape: {syntax: [node, ...]} --------------------------------------------------


def _hcard_node(card) -> dict:
    """An HCard as a uniform-like node: {"@type": ["h-card"], prop: [values]}."""
    return {"@type": ["h-card"], **card.props}


def ours(page) -> dict[str, list]:
    """The project's layers on one page, as {syntax: nodes}; OG and DC as one node of meta properties."""
    doc = Document(page)
    og = {k: v for k, v in doc.meta.items() if k.partition(":")[0] in OG_PREFIXES and ":" in k}
    dc = {k: v for k, v in doc.meta.items() if k.startswith(("dc.", "dcterms."))}
    return {
        "json-ld": jsonld_nodes(doc),
        "microdata": microdata_items(doc),
        "rdfa": rdfa_items(doc),
        "opengraph": [og] if og else [],
        "microformat": [_hcard_node(c) for c in hcards(doc)],
        "dublincore": [dc] if dc else [],
    }


def theirs(page, syntaxes: list[str] = SYNTAXES, errors: str = "strict") -> dict[str, list]:
    """extruct.extract on the page's HTML (a str, as Page holds it), uniform output."""
    return extruct.extract(
        page.html, base_url=page.final_url or page.url, syntaxes=syntaxes, errors=errors, uniform=True
    )


# ---- reading nodes of either side ----------------------------------------------------------------------


def local(name: str) -> str:
    """'http://schema.org/Person' / 'schema:Person' / 'http://ogp.me/ns#title' -> 'person' / 'title'."""
    return re.split(r"[/#:]", name.rstrip("/#"))[-1].lower()


def types_of(node: dict) -> list[str]:
    """Local type names of a node ('@type' of JSON-LD/uniform output, 'type' of raw mf2)."""
    raw = node.get("@type", node.get("type"))
    return [local(t) for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)]


def text(value) -> str:
    """First plain string in a value: list, {"@value"}, mf2 {"value"}, or a nested node's name."""
    if isinstance(value, list):
        return next((t for t in map(text, value) if t), "")
    if isinstance(value, dict):
        return text(value.get("@value") or value.get("value") or name_of(value))
    return " ".join(str(value).split())[:48] if isinstance(value, (str, int, float)) else ""


def name_of(node: dict) -> str:
    """A node's name-like value (name, fn, headline, ...) under any vocabulary, else its @id."""
    for key, value in node.items():
        if local(key) in NAME_KEYS and text(value):
            return text(value)
    props = node.get("properties")
    if isinstance(props, dict):
        return name_of(props)
    node_id = text(node.get("@id", ""))
    return "" if node_id.startswith("_:") else node_id  # a blank node's id says nothing


def typed(value, depth: int = 0):
    """Every typed node in a value, at any depth (bounded: resolved @id graphs can be deep)."""
    if depth > 12:
        return
    if isinstance(value, list):
        for item in value:
            yield from typed(item, depth + 1)
    elif isinstance(value, dict):
        if types_of(value):
            yield value
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from typed(item, depth + 1)


def signatures(syntax: str, nodes: list) -> set[str]:
    """What a side found, comparable across the two: 'type:name' of every typed node, OG/DC property names."""
    if syntax == "opengraph":
        return {("og:type" if k == "@type" else k).lower() for n in nodes for k in n if k != "@context"}
    if syntax == "dublincore":  # ours: dc.* meta keys; extruct: its elements and terms, by name as written
        keys = {k for n in nodes for k in n if not k.startswith("@") and not isinstance(n[k], list)}
        named = {(e.get("name") or "").lower() for n in nodes for e in n.get("elements", []) + n.get("terms", [])}
        return (keys | named) - {""}
    return {f"{'/'.join(sorted(types_of(n)))}:{name_of(n)}" for n in typed(nodes)}


def count(syntax: str, nodes: list) -> int:
    """Items found: top-level nodes; RDFa typed nodes (extruct's RDFa is flat); OG and DC properties."""
    if syntax in ("opengraph", "dublincore"):
        return len(signatures(syntax, nodes))
    return sum(1 for _ in typed(nodes)) if syntax == "rdfa" else len(nodes)


def type_set(nodes: list) -> set[str]:
    """Local type names of every typed node."""
    return {t for n in typed(nodes) for t in types_of(n)}


def hcard_counts(nodes: list) -> tuple[int, int]:
    """(h-cards at any depth, those of them without a name)."""
    cards = [n for n in typed(nodes) if "h-card" in types_of(n)]
    return len(cards), sum(1 for c in cards if not name_of(c))


# ---- comparison --------------------------------------------------------------------------------------------


def _cell(syntax: str, a: list, b: list) -> dict:
    """What ours (a) and extruct (b) found for one syntax on one page."""
    sig_a, sig_b = signatures(syntax, a), signatures(syntax, b)
    return {
        "ours": count(syntax, a),
        "theirs": count(syntax, b),
        "types_ours": type_set(a),
        "types_theirs": type_set(b),
        "only_ours": sig_a - sig_b,
        "only_theirs": sig_b - sig_a,
        "hcards": (hcard_counts(a), hcard_counts(b)),
        "roots": [types_of(n) for n in b],
        "untyped": sum(1 for n in b if not types_of(n)),
    }


def compare(label: str, page, quiet: bool) -> dict:
    """Both sides on one page: counts and signature sets per syntax; prints a line and a short diff."""
    mine = ours(page)
    try:
        other, failure = theirs(page), ""
    except Exception as exc:  # noqa: BLE001 - a failure is a result here
        other, failure = theirs(page, errors="ignore"), f"{type(exc).__name__}: {str(exc)[:80]}"
    row = {
        "label": label,
        "failure": failure,
        "syntax": {s: _cell(s, mine.get(s, []), other.get(s, [])) for s in SYNTAXES},
    }
    if not quiet:
        _print_page(row)
    return row


def _print_page(row: dict) -> None:
    """One line of counts (ours/extruct), then the nodes only one side found."""
    cells = "  ".join(f"{SHORT[s]} {v['ours']}/{v['theirs']}" for s, v in row["syntax"].items())
    print(f"{row['label'][:58]:58} {cells}" + (f"  EXTRUCT RAISES {row['failure']}" if row["failure"] else ""))
    for syntax in DIFFED:
        v = row["syntax"][syntax]
        for side, found in (("ours only", v["only_ours"]), ("extruct only", v["only_theirs"])):
            if found:
                shown = sorted(found)[:6]
                more = f" (+{len(found) - 6})" if len(found) > 6 else ""
                print(f"    {SHORT[syntax]:4} {side:12} {'; '.join(shown)}{more}")


def summary(rows: list[dict]) -> None:
    """Per syntax: pages with items, items, type names and pages where the two disagree."""
    print("\nsyntax       pages with items   items found    type names    pages differing  (ours / extruct)")
    for syntax in SYNTAXES:
        cells = [r["syntax"][syntax] for r in rows]
        with_o, with_t = sum(1 for c in cells if c["ours"]), sum(1 for c in cells if c["theirs"])
        n_o, n_t = sum(c["ours"] for c in cells), sum(c["theirs"] for c in cells)
        t_o = set().union(*(c["types_ours"] for c in cells))
        t_t = set().union(*(c["types_theirs"] for c in cells))
        types = f"{len(t_o):4} / {len(t_t):<4}" if syntax not in ("opengraph", "dublincore") else "     -     "
        differ = sum(1 for c in cells if c["only_ours"] or c["only_theirs"])
        print(f"{syntax:12} {with_o:6} / {with_t:<6}    {n_o:5} / {n_t:<5}   {types}   {differ:4}")
        if syntax in ("json-ld", "microdata", "rdfa") and t_o ^ t_t:
            print(f"{'':13}types only ours: {sorted(t_o - t_t)[:10]}; only extruct: {sorted(t_t - t_o)[:10]}")
    _notes(rows)


def _notes(rows: list[dict]) -> None:
    """The figures the table hides: RDFa's untyped nodes, h-cards at any depth, extruct's mf2 roots."""
    rdfa = sum(r["syntax"]["rdfa"]["untyped"] for r in rows)
    print(f"  rdfa: extruct also returns {rdfa} untyped nodes (page subject of rel=stylesheet/og: triples, ...)")
    mf = [r["syntax"]["microformat"]["hcards"] for r in rows]
    print(
        f"  microformat h-cards at any depth: ours {sum(o[0] for o, _ in mf)} ({sum(o[1] for o, _ in mf)} "
        f"without a name), extruct {sum(t[0] for _, t in mf)} ({sum(t[1] for _, t in mf)} without a name)"
    )
    roots = Counter("/".join(t) for r in rows for t in r["syntax"]["microformat"]["roots"])
    print(f"  extruct's top-level mf2 roots: {dict(roots.most_common())}")
    print(f"pages where extruct.extract(errors='strict') raised: {sum(1 for r in rows if r['failure'])} of {len(rows)}")


# ---- robustness and speed ----------------------------------------------------------------------------------


class _Count(logging.Handler):
    """Counts the records extruct logs with errors='log' (and keeps them off the terminal)."""

    def __init__(self):
        """A handler with a zero count."""
        super().__init__()
        self.records = 0

    def emit(self, record):
        """Count one record."""
        self.records += 1


def _attempt(page, syntaxes: list[str], errors: str) -> tuple[str, float, dict]:
    """One extruct run: (exception text or '', milliseconds, output)."""
    started = time.perf_counter()
    try:
        out, failure = theirs(page, syntaxes, errors), ""
    except Exception as exc:  # noqa: BLE001 - a failure is a result here
        out, failure = {}, f"{type(exc).__name__}: {' '.join(str(exc).split())[:70]}"
    return failure, (time.perf_counter() - started) * 1000, out


def robustness(all_pages: list) -> dict[str, list[float]]:
    """Pages where extruct raises (all syntaxes, each alone, errors='ignore'/'log'); returns per-syntax ms."""
    handler = _Count()
    logger = logging.getLogger("extruct")
    logger.addHandler(handler)
    logger.propagate = False
    raised, dropped, examples = Counter(), Counter(), {}
    times: dict[str, list[float]] = {s: [] for s in SYNTAXES}
    for label, page in all_pages:
        for syntaxes, errors in [([s], "strict") for s in SYNTAXES] + [
            (SYNTAXES, e) for e in ("strict", "ignore", "log")
        ]:
            key = f"{syntaxes[0] if len(syntaxes) == 1 else 'all syntaxes'}, errors={errors}"
            failure, ms, out = _attempt(page, syntaxes, errors)
            if len(syntaxes) == 1:
                times[syntaxes[0]].append(ms)
            if failure:
                raised[key] += 1
                examples.setdefault(key, f"{label}: {failure}")
            elif [s for s in syntaxes if s not in out]:
                dropped[key] += 1
                examples.setdefault(key, f"{label}: dropped {[s for s in syntaxes if s not in out]}")
        try:
            ours(page)
        except Exception as exc:  # noqa: BLE001
            raised["ours (all layers)"] += 1
            examples.setdefault("ours (all layers)", f"{label}: {type(exc).__name__}: {exc}")
    print(f"\nrobustness over {len(all_pages)} pages: pages where the call raised / returned without a syntax")
    for key in (
        [f"{s}, errors=strict" for s in SYNTAXES]
        + [f"all syntaxes, errors={e}" for e in ("strict", "ignore", "log")]
        + ["ours (all layers)"]
    ):
        print(
            f"  {key:36} raised {raised[key]:3}   dropped a syntax {dropped[key]:3}"
            + (f"   e.g. {examples[key]}" if key in examples else "")
        )
    print(f"  records logged by extruct with errors='log': {handler.records}")
    logger.removeHandler(handler)
    return times


def _stats(values: list[float]) -> str:
    """'median / p95 / worst' of a list of milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return f"{statistics.median(ordered):8.1f} {p95:8.1f} {ordered[-1]:8.1f}"


def _timed(run, repeat: int) -> float:
    """Median CPU milliseconds of `repeat` runs after one warm-up (CPU time: the machine may be shared)."""
    run()
    spent = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)


def timing(all_pages: list, repeat: int, per_syntax: dict[str, list[float]]) -> None:
    """Per-page time (median of `repeat`): extruct with all syntaxes vs all our layers, parse included."""
    mine, other = [], []
    for label, page in all_pages:
        mine.append((_timed(lambda page=page: ours(page), repeat), label))
        other.append((_timed(lambda page=page: _attempt(page, SYNTAXES, "ignore"), repeat), label))
    print(
        f"\nparse time per page, CPU ms (median of {repeat} runs per page; then over {len(all_pages)} pages; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print(f"  {'':44} {'median':>8} {'p95':>8} {'worst':>8}  worst page")
    print(f"  {'ours: Document + all layers':44} {_stats([m for m, _ in mine])}  {max(mine)[1]}")
    print(f"  {'extruct: all six syntaxes (uniform)':44} {_stats([m for m, _ in other])}  {max(other)[1]}")
    for syntax in SYNTAXES:
        print(f"  {'extruct: ' + syntax + ' alone (1 run, wall ms)':44} {_stats(per_syntax[syntax])}")
    ratio = [o / max(m, 0.01) for (m, _), (o, _) in zip(mine, other, strict=True)]
    print(f"  extruct / ours per page: median x{statistics.median(ratio):.1f}, worst x{max(ratio):.1f}")


# ---- hand-made edge cases ------------------------------------------------------------------------------------


def _ld(body: str) -> str:
    """A JSON-LD script element around `body`."""
    return f'<script type="application/ld+json">{body}</script>'


_ADA = '{"@context": "https://schema.org", "@type": "Person", "name": "Ada Byron", "jobTitle": "Engineer"'
_GRAPH = (
    '{"@context": "https://schema.org", "@graph": [{"@type": "Person", "@id": "#ada", "name": "Ada Byron", '
    '"worksFor": {"@id": "#acme"}, "address": {"@id": "#addr"}}, {"@type": "Organization", "@id": "#acme", '
    '"name": "Acme Ltd"}, {"@type": "PostalAddress", "@id": "#addr", "addressLocality": "Bristol"}]}'
)
_MD = (
    '<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ada Byron</span>'
    '<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
    '<span itemprop="addressLocality">Bristol</span></div>'
    '<div itemprop="worksFor" itemscope itemtype="https://schema.org/Organization">'
    '<span itemprop="name">Acme Ltd</span></div></div>'
    '<p itemscope itemtype="https://schema.org/Person" itemref="ref1"></p><p id="ref1">'
    '<span itemprop="name">Grace Hopper</span></p>'
)
_RDFA = (
    '<div vocab="https://schema.org/" typeof="Person"><span property="name">Ada Byron</span>'
    '<div property="worksFor" typeof="Organization"><span property="name">Acme Ltd</span></div>'
    '<div property="address" typeof="PostalAddress"><span property="addressLocality">Bristol</span>'
    "</div></div>"
)
_DRUPAL = (
    '<html prefix="dc: http://purl.org/dc/terms/ foaf: http://xmlns.com/foaf/0.1/ og: http://ogp.me/ns# '
    'sioc: http://rdfs.org/sioc/ns# schema: http://schema.org/"><head><meta property="og:title" '
    'content="About us"></head><body><div about="/about" typeof="sioc:Item foaf:Document">'
    '<span property="dc:title" content="About us"></span><span rel="sioc:has_creator">'
    '<span about="/user/1" typeof="sioc:UserAccount" property="foaf:name" datatype="">admin'
    '</span></span><div typeof="schema:Organization"><span property="schema:name">Fairkom</span></div>'
    "</div></body></html>"
)
_MF = (
    '<div class="h-card"><a class="p-name u-url" href="/">Ada Byron</a>'
    '<div class="p-org h-card"><span class="p-name">Acme Ltd</span></div></div>'
    '<article class="h-entry"><div class="p-author h-card"><span class="p-name">Grace Hopper</span></div>'
    '<p class="e-content">Post</p><div class="h-cite"><span class="p-author h-card">'
    '<span class="p-name">Alan Turing</span></span></div></article>'
    '<div class="vcard"><span class="fn">Classic Carl</span><span class="org">Oldco</span></div>'
)
_OG = (
    '<html prefix="og: http://ogp.me/ns# profile: http://ogp.me/ns/profile#"><head>'
    '<meta property="og:title" content="Ada Byron"><meta property="og:type" content="profile">'
    '<meta property="og:image" content="/a.png"><meta property="og:image" content="/b.png">'
    '<meta property="profile:username" content="ada"><meta property="article:author" content="Ada">'
    '<meta property="fb:app_id" content="123"><meta name="og:description" content="via name="></head>'
    '<body><meta property="og:site_name" content="in body"></body></html>'
)
CASES = [
    ("JSON-LD trailing commas", "json-ld", _ld(_ADA + ', "sameAs": ["https://a.example",],}')),
    ("JSON-LD in //<![CDATA[ ... //]]>", "json-ld", _ld("//<![CDATA[\n" + _ADA + "}\n//]]>")),
    ("JSON-LD in bare <![CDATA[ ... ]]>", "json-ld", _ld("<![CDATA[" + _ADA + "}]]>")),
    ("JSON-LD in <!-- ... -->", "json-ld", _ld("<!--\n" + _ADA + "}\n-->")),
    ("JSON-LD raw newline inside a string", "json-ld", _ld(_ADA + ', "description": "line one\nline two"}')),
    ("JSON-LD broken block beside a good one", "json-ld", _ld('{"@type": "Thing", "name": "x"') + _ld(_ADA + "}")),
    ("JSON-LD type='Application/LD+JSON' (case)", "json-ld", f'<script type="Application/LD+JSON">{_ADA}}}</script>'),
    ("JSON-LD @graph with @id references", "json-ld", _ld(_GRAPH)),
    ("microdata nested address/worksFor + itemref", "microdata", _MD),
    ("RDFa Lite Person > Organization, PostalAddress", "rdfa", _RDFA),
    ("RDFa Drupal-style prefixes (sioc/foaf/dc)", "rdfa", _DRUPAL),
    ("h-card > p-org h-card; h-entry author; h-cite; vcard", "microformat", _MF),
    ("OpenGraph og:/profile:/article:/fb:, og:image x2", "opengraph", _OG),
]


def _person(nodes: list) -> str:
    """The first Person-like node (else the first node) as compact JSON, cut to 230 characters."""
    found = [n for n in typed(nodes) if {"person", "item", "organization"} & set(types_of(n))] or nodes
    if not found:
        return "-"
    node = {k: v for k, v in found[0].items() if k not in ("@context", "@format")}
    return json.dumps(node, ensure_ascii=False, default=str)[:230]


def cases() -> None:
    """The edge cases the project cares about: what each side returns for the syntax in question."""
    print("\nedge cases (n = items; sig = type:name of every typed node / OG property names)")
    for name, syntax, body in CASES:
        html = body if body.startswith("<html") else f"<html><head></head><body>{body}</body></html>"
        page = make_page("https://ada.example/about", html)
        print(f"- {name}")
        mine = ours(page)[syntax]
        print(f"    ours     n={count(syntax, mine)} sig={sorted(signatures(syntax, mine))}")
        if syntax not in ("opengraph", "microformat"):
            print(f"             {_person(mine)}")
        failure, _, other = _attempt(page, [syntax], "strict")
        if failure:
            print(f"    extruct  RAISES {failure}")
            _, _, other = _attempt(page, [syntax], "ignore")
            print(f"             errors='ignore' returns {other}")
            continue
        found = other.get(syntax, [])
        print(f"    extruct  n={count(syntax, found)} sig={sorted(signatures(syntax, found))}")
        if syntax == "opengraph":
            print(f"             {json.dumps(found, ensure_ascii=False)[:230]}")
        elif syntax != "microformat":
            print(f"             {_person(found)}")
        else:
            print(f"             top-level types: {[types_of(n) for n in found]}")


# ---- what extruct costs -------------------------------------------------------------------------------------


def _key(name: str) -> str:
    """A distribution name in canonical form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(name: str, seen: set[str] | None = None) -> set[str]:
    """A distribution and the installed distributions it requires, recursively (extras skipped)."""
    seen = set() if seen is None else seen
    if _key(name) in seen:
        return seen
    try:
        requires = md.requires(name) or []
    except md.PackageNotFoundError:
        return seen
    seen.add(_key(name))
    for req in requires:
        if "extra ==" not in req:
            closure(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0], seen)
    return seen


def _size(name: str) -> int:
    """Bytes on disk of an installed distribution's files."""
    total = 0
    for file in md.files(name) or []:
        path = Path(file.locate())
        total += path.stat().st_size if path.is_file() else 0
    return total


def _import_ms(statement: str) -> float:
    """Milliseconds a fresh interpreter takes to run an import statement."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); t = time.perf_counter(); {statement}; "
        "print((time.perf_counter() - t) * 1000)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return float(done.stdout.strip() or "nan")


def cost() -> None:
    """extruct's version, the distributions it adds to the project's own, their size, and import time."""
    added = sorted(closure("extruct") - closure("zyntro-enrich"))
    sizes = {name: _size(name) for name in added}
    print(
        f"\nextruct {md.version('extruct')}: adds {len(added)} distributions to the project's dependencies, "
        f"{sum(sizes.values()) / 1e6:.1f} MB installed"
    )
    for name in added:
        print(f"  {name:18} {md.version(name):10} {sizes[name] / 1e6:6.2f} MB")
    shared = sorted(closure("extruct") & closure("zyntro-enrich"))
    print(f"  already required by the project: {', '.join(shared)}")
    layers = "import extractors.structured, extractors.mf"
    print(
        f"  import time in a fresh interpreter: our layers {_import_ms(layers):.0f} ms; our layers and "
        f"extruct {_import_ms(layers + ', extruct'):.0f} ms"
    )


def main() -> int:
    """Compare both sides on every page, then robustness, speed, edge cases and cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page and side (default 3)")
    parser.add_argument("--quiet", action="store_true", help="no per-page lines, only the summaries")
    args = parser.parse_args()
    if extruct is None:
        print("extruct is not installed; install it for this evaluation only with:\n    .venv/bin/pip install extruct")
        return 0
    all_pages = pages()
    print(
        f"{len(all_pages)} pages; per page: items found per syntax as ours/extruct "
        f"({', '.join(f'{v}={k}' for k, v in SHORT.items())})\n"
    )
    rows = [compare(label, page, args.quiet) for label, page in all_pages]
    summary(rows)
    per_syntax = robustness(all_pages)
    timing(all_pages, args.repeat, per_syntax)
    cases()
    cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
