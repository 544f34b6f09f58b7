"""The docs samples: one function per `<!-- sample: NAME -->`, each running the real commands offline.

Registered in SAMPLES, in the order they run: the samples that post share one sandbox, and each sees
what the ones before it stored. See scripts/docs_samples.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from docs_samples_world import DOC_DATE, NO_HINTS, RETRIEVED_AT, ROOT, World, fence, shell

if TYPE_CHECKING:
    from agent.models import Contact

__all__ = ["SAMPLES"]


def sample_demo(w: World) -> str:
    """README: `zyntro-enrich demo` as a user runs it (its own sandbox); cut after DEMO_LINES lines."""
    r = w.cli("demo")
    head = [line for line in r.err.splitlines() if line.startswith("demo: ")]
    out = r.out.rstrip("\n").splitlines()
    start = next((i for i, line in enumerate(out) if line.startswith("the most complete payload")), None)
    if start is not None:  # the payload's first lines, then what follows it
        end = next((i for i in range(start, len(out)) if not out[i].strip()), len(out))
        if end - start > PAYLOAD_LINES + 1:
            out = [*out[: start + PAYLOAD_LINES + 1], "  ...", *out[end:]]
    if len(out) > DEMO_LINES:
        out = [*out[:DEMO_LINES], "..."]
    lines = ["$ zyntro-enrich demo", *head, *out]
    if r.code:
        lines.append(f"(exit {r.code})")
    return fence(_renumber_profiles("\n".join(lines)))


DEMO_LINES = 60
PAYLOAD_LINES = 9
_POSTED_ID = re.compile(r"\b(posted|unchanged)(\s+)(\d+)\b")


def _renumber_profiles(text: str) -> str:
    """The demo posts three contacts at once, so its profile ids come in any order: number them as listed."""
    mapping: dict[str, str] = {}
    for found in _POSTED_ID.finditer(text):
        mapping.setdefault(found.group(3), str(len(mapping) + 1))

    def row(found: re.Match) -> str:
        old = found.group(3)
        new = mapping[old]
        spaces = found.group(2)
        if len(new) < len(old):  # keep right-aligned columns aligned
            spaces += " " * (len(old) - len(new))
        elif len(new) > len(old) and len(spaces) > len(new) - len(old):
            spaces = spaces[: len(spaces) - (len(new) - len(old))]
        return f"{found.group(1)}{spaces}{new}"

    text = _POSTED_ID.sub(row, text)
    return re.sub(r"\bprofile_id (\d+)\b(?!-)", lambda m: f"profile_id {mapping.get(m.group(1), m.group(1))}", text)


def sample_enrich_dry_run(w: World) -> str:
    """README: one contact, one URL, `--dry-run` (nothing posted, nothing tracked)."""
    r = w.cli(
        "enrich",
        "https://github.com/adaquinlan",
        "--contact-id",
        w.contacts["Ada Quinlan"],
        "--name",
        "Ada Quinlan",
        "--company",
        "Quillmetrics",
        "--dry-run",
    )
    shown = (
        f"zyntro-enrich enrich https://github.com/adaquinlan --contact-id {w.contacts['Ada Quinlan']} \\\n"
        '    --name "Ada Quinlan" --company Quillmetrics --dry-run'
    )
    return fence(shell(r, shown=shown))


def sample_enrich_json(w: World) -> str:
    r = w.cli(
        "enrich",
        "https://github.com/dosei",
        "https://www.linkedin.com/in/dmitri-osei",
        "https://github.com/no-such-person-here",
        "--contact-id",
        w.contacts["Dmitri Osei"],
        "--name",
        "Dmitri Osei",
        "--json",
    )
    return fence(shell(r))


def sample_enrich_batch(w: World) -> str:
    """A CRM export's column names, a handle, a bare domain, several URLs in a cell, and one bad row."""
    ada, elena = w.contacts["Ada Quinlan"], w.contacts["Elena Marsh"]
    rows = [
        "Contact ID,Full Name,Work Email,Company,LinkedIn,GitHub,Twitter,Website",
        f"{ada},Ada Quinlan,ada@quillmetrics.example,Quillmetrics,https://www.linkedin.com/in/ada-quinlan,"
        "adaquinlan,@adaquinlan,",
        f"{elena},Elena Marsh,elena@brightfold.example,Brightfold,,emarsh,,www.brightfold.example/team/elena-marsh",
        "elena-marsh,Elena Marsh,,,,emarsh,,",
    ]
    w.write("contacts.csv", "\n".join(rows) + "\n")
    r = w.cli("enrich", "--batch", "contacts.csv", "--concurrency", "1")
    return fence("$ cat contacts.csv\n" + "\n".join(rows) + "\n" + shell(r))


def sample_refresh(w: World) -> str:
    first = w.cli("refresh")
    again = w.cli("refresh", "--all")
    return fence(shell(first) + "\n" + shell(again))


def sample_review(w: World) -> str:
    from agent.demo import DEMO_CONTACTS

    rows = [
        json.dumps(
            {
                "contact_id": w.contacts[s["name"]],
                "name": s["name"],
                "email": s["email"],
                "company": s["company"],
                "urls": s["urls"],
            }
        )
        for s in DEMO_CONTACTS
        if s["name"] in ("Bruno Okafor", "Chiara Valdes")
    ]
    w.write("review.jsonl", "\n".join(rows) + "\n")
    queued = w.cli("enrich", "--batch", "review.jsonl", "--review", "--concurrency", "1")
    if queued.code:
        raise SystemExit(f"docs_samples: enrich --review failed:\n{queued.err}")
    listed = w.cli("review", "list")
    approve = w.cli("review", "approve", "--all", "--origin", "GitHub", "--note", "checked the repos")
    personal = _draft_of(listed.out, "Personal")
    w.write(
        "bad.json",
        json.dumps(
            {
                "info": "a freelance cartographer",
                "source_url": "https://chiara-valdes.example/",
                "retrieved_at": DOC_DATE,
            },
            indent=2,
        )
        + "\n",
    )
    bad = w.cli("review", "edit", str(personal), "--file", "bad.json")
    shown = json.loads(w.cli("review", "show", str(personal), "--json", raw=True).out)
    payload = dict(shown.get("payload") or shown.get("draft", {}).get("payload") or {})
    payload["summary"] = "Chiara Valdes is a freelance cartographer in Valparaíso, Chile."
    w.write("edit.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    good = w.cli("review", "edit", str(personal), "--file", "edit.json", "--note", "shorter summary")
    other = _draft_of(listed.out, "Inkwell")
    reject = w.cli("review", "reject", str(other), "--note", "a blog post, not the profile")
    activity = w.cli("review", "activity", "--limit", "4")
    return fence("\n".join(shell(r) for r in (listed, approve, bad, good, reject, activity)))


def _draft_of(listing: str, origin: str) -> int:
    found = re.search(rf"^\s*(\d+)\s+queued\s.*\b{origin}", listing, re.M)
    if not found:
        raise SystemExit(f"docs_samples: no queued {origin} draft in `review list`:\n{listing}")
    return int(found.group(1))


def sample_sandbox(w: World) -> str:
    return fence("$ zyntro-enrich sandbox\n" + w.normalise(w.banner))


def sample_post(w: World) -> str:
    ada = str(w.sandbox.creds.contact_id)
    other = str(w.sandbox.creds.other_contact_id)
    w.write(
        "ada.json",
        json.dumps(
            {
                "summary": "Ada Quinlan is Head of Data Platform at Quillmetrics, based in Edinburgh.",
                "job_title": "Head of Data Platform",
                "employer": "Quillmetrics",
                "location": "Edinburgh",
                "source_url": "https://www.quillmetrics.example/team",
                "retrieved_at": DOC_DATE,
            },
            indent=2,
        )
        + "\n",
    )
    w.write("list.json", "[]\n")
    parts = [
        shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "Company Website"), logs=True),
        shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "LinkedIn", "--json")),
        shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "LinkedIn", "--api-version", "v2")),
        shell(w.cli("post", "ada.json", "--contact-id", other, "--source", "LinkedIn")),
        shell(w.cli("post", "list.json", "--contact-id", ada, "--source", "LinkedIn")),
        shell(w.cli("post", "ada.json", "--contact-id", "ada", "--source", "LinkedIn")),
    ]
    v2 = w.cli(
        "post",
        "ada.json",
        "--contact-id",
        ada,
        "--source",
        "LinkedIn",
        env={"ZYNTRO_API_VERSION": "v2", "ZYNTRO_DEVELOPER_SECRET": ""},
    )
    parts.append(
        shell(
            v2,
            shown=f"ZYNTRO_API_VERSION=v2 ZYNTRO_DEVELOPER_SECRET= zyntro-enrich post ada.json "
            f"--contact-id {ada} --source LinkedIn",
        )
    )
    faults = w.sandbox.faults
    faults.push("status", status=429, retry_after=1, times=2)
    parts.append(
        "$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults "
        '-d \'{"kind": "status", "status": 429, "retry_after": "1", "times": 2}\''
    )
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub"), logs=True))
    faults.push("drop", after=True)
    parts.append('$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults -d \'{"kind": "drop", "after": true}\'')
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub")))
    faults.push("status", status=500, after=True)
    parts.append(
        '$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults -d \'{"kind": "status", "status": 500, "after": true}\''
    )
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub")))
    stored = len(w.sandbox.profiles(ada))
    parts.append(f'$ curl -s "$ZYNTRO_BASE_URL/_sandbox/profiles?contact_id={ada}" | jq length\n{stored}')
    return fence("\n".join(parts))


def sample_fetch(w: World) -> str:
    """`zyntro-enrich fetch` against a small site on loopback: static, JavaScript, robots, unsafe URLs."""
    from tests.support.fetch import Reply, Site

    site = Site()
    try:
        site.add("/robots.txt", Reply("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
        site.add(
            "/about.html",
            Reply(
                "<!doctype html><html><head><title>About Example Widgets</title></head><body>"
                "<h1>About us</h1><p>Example Widgets makes small, sturdy widgets for "
                "laboratories and workshops. We are twelve people in a converted mill, "
                "and we answer every email ourselves.</p></body></html>"
            ),
        )
        script = (
            "document.getElementById('root').innerHTML = '<h1>Our team</h1><p>Ada (engineering) has been "
            "with Example Widgets for years and leads a small group of specialists.</p>';"
        )
        site.add(
            "/app.html",
            Reply(
                "<!doctype html><html><head><title>Team</title></head><body><noscript>Please "
                'enable JavaScript to see our team.</noscript><div id="root"></div>'
                f"<script>{script}</script></body></html>"
            ),
        )
        site.add("/private/page.html", Reply("<html><body>private</body></html>"))
        env = {"ZYNTRO_ENRICH_ALLOW_PRIVATE": "1", "ZYNTRO_ENRICH_DELAY": "0", "ZYNTRO_ENRICH_REPLAY_DIR": ""}
        base = site.base
        runs = [
            (["fetch", f"{base}/about.html"], None),
            (["fetch", f"{base}/app.html", "--save", "team.html"], None),
            (["fetch", f"{base}/app.html", "--no-browser", "--json"], None),
            (["fetch", f"{base}/private/page.html"], None),
            (["fetch", f"{base}/private/page.html", "--json"], {"ZYNTRO_ENRICH_ROBOTS_OVERRIDE": "127.0.0.1"}),
            (["fetch", "file:///etc/passwd", "--json"], None),
            (["fetch", f"http://0x7f000001:{site.port}/about.html"], {"ZYNTRO_ENRICH_ALLOW_PRIVATE": "0"}),
        ]
        parts = []
        for argv, extra in runs:
            r = w.cli(*argv, env={**env, **(extra or {})})
            prefix = " ".join(f"{k}={v}" for k, v in (extra or {}).items() if k == "ZYNTRO_ENRICH_ROBOTS_OVERRIDE")
            shown = " ".join(filter(None, [prefix, "zyntro-enrich", *argv]))
            text = shell(r, shown=shown, logs=True)
            if "0x7f000001" in argv[1]:
                text = text.replace("/about.html", "/about.html   # private addresses are refused by default", 1)
            parts.append(text + ("" if r.code else "\n(exit 0)"))
            if "--save" in argv:
                saved = (w.tmp / "team.html").read_text(encoding="utf-8")
                found = re.search(r"<h1>Our team</h1><p>Ada[^<]*", saved)
                parts.append('$ grep -o "<h1>Our team</h1><p>Ada[^<]*" team.html\n' + (found.group() if found else ""))
    finally:
        site.close()
    text = "\n".join(parts)
    text = re.sub(r"(?m)^(time +)\d+ ms$", r"\g<1>20 ms", text)
    text = re.sub(r'"elapsed_ms": \d+', '"elapsed_ms": 20', text)
    text = text.replace(f":{site.port}", ":8765")
    return fence(text)


EXTRACT_KINDS = (
    ("https://www.kranwerk.example/impressum", "company_de_impressum.html"),
    ("https://ines-morel.example/", "personal_guest_author_hcards.html"),
    ("https://piaille.example/@lucie_marchand", "counts_locale_fr.html"),
)


def sample_extract_linkedin(w: World) -> str:
    r = w.cli(
        "extract",
        "https://se.linkedin.com/in/mara-lindqvist-7b2a1",
        "--from-file",
        str(ROOT / "tests/pages/linkedin_person.html"),
        "--name",
        "Mara Lindqvist",
        "--company",
        "Nordvik Robotics",
    )
    return fence(
        shell(
            r,
            shown="zyntro-enrich extract https://se.linkedin.com/in/mara-lindqvist-7b2a1 \\\n"
            '    --from-file tests/pages/linkedin_person.html --name "Mara Lindqvist" '
            '--company "Nordvik Robotics"',
        ).replace(str(ROOT) + "/", "")
    )


def sample_extract_kinds(w: World) -> str:
    parts = []
    for url, name in EXTRACT_KINDS:
        r = w.cli("extract", url, "--from-file", str(ROOT / "tests/pages" / name))
        parts.append(shell(r, shown=f"zyntro-enrich extract {url} --from-file tests/pages/{name}"))
    return fence("\n".join(parts).replace(str(ROOT) + "/", ""))


# Offline condenser: source kind -> the fixture pages of one origin (was scripts/readme_samples.py).
OFFLINE_SAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("linkedin_person", ("linkedin_person.html",)),
    ("linkedin_company", ("linkedin_company.html",)),
    ("twitter", ("x_profile.html",)),
    ("github_user", ("github_user.html",)),
    ("github_org", ("github_org.html",)),
    ("company_website", ("company_home.html", "company_contact.html", "company_team.html")),
    ("personal_website", ("personal_site.html",)),
    ("social_profile", ("counts_locale_fr.html",)),
    ("generic", ("generic_blog.html",)),
)


def sample_offline_payloads(w: World) -> str:
    """One offline payload per source kind on the fixture pages, the retrieval date fixed."""
    from agent.condense import OfflineCondenser
    from agent.condense.kinds import source_kind
    from agent.models import Contact
    from extractors.registry import route
    from tests.support.extract import FIXTURES, load_expected, page_from_file

    urls = {entry["file"]: entry["url"] for entry in load_expected() if entry.get("url")}
    contact = Contact(contact_id=NO_HINTS)  # no hints: nothing is judged
    parts, drafts = [], []
    for kind, files in OFFLINE_SAMPLES:
        extractions = [route(urls[name]).parse(page_from_file(FIXTURES / name, urls[name])) for name in files]
        found = source_kind(extractions)
        if found != kind:
            raise SystemExit(
                f"docs_samples: {', '.join(files)} now read as {found!r}, not {kind!r}: "
                "pick another fixture for this kind in OFFLINE_SAMPLES"
            )
        draft = asyncio.run(
            OfflineCondenser().condense(contact, extractions[0].profile_source, extractions, RETRIEVED_AT)
        )
        drafts.append(draft)
        paths = ", ".join(f"`tests/pages/{name}`" for name in files)
        parts.append(
            f'**{kind}** ({paths}; `profile_source` "{draft.profile_source}"; violations '
            f"{len(draft.violations)}, dropped {len(draft.grounding)}, repairs {len(draft.repairs)}):\n\n"
            + fence(json.dumps(draft.payload, indent=2, ensure_ascii=False), "json")
        )
    names = sorted({d.condenser for d in drafts})
    versions = sorted({str(d.prompt_version) for d in drafts})
    evidence = ", ".join(f"`{key}`: {p.evidence!r}" for key, p in drafts[-1].provenance.items())
    parts.append(
        f"All drafts: condenser {', '.join(f'`{n}`' for n in names)}, prompt_version "
        f"{', '.join(f'`{v}`' for v in versions)}. Provenance of the last one (key -> evidence): "
        f"{evidence}.\n"
    )
    return "\n".join(parts)


def _with_fake_llm(w: World, contact: Contact, source: str, extractions: list, reply: str):
    """Condense with the LLM condenser (the real openai client) against the tests' fake server on loopback."""
    from pydantic import SecretStr

    from agent.condense import Meter, make_condenser
    from agent.config import LLMSettings, Settings
    from tests.support.condense import FakeLLM, completion

    fake = FakeLLM().start()
    try:
        fake.script(completion(reply, usage=None))  # no usage from the server: tokens are estimated
        settings = Settings(
            home=w.tmp / "home",
            llm=LLMSettings(
                api_key=SecretStr("sk-docs-example"), base_url=fake.base_url, mode="openai", model="gpt-4o-mini"
            ),
        )
        meter = Meter(settings.llm)

        async def go():
            async with make_condenser(settings, meter) as condenser:
                return await condenser.condense(contact, source, list(extractions), RETRIEVED_AT)

        with contextlib.redirect_stderr(io.StringIO()):  # the run's log records are not part of the sample
            draft = asyncio.run(go())
        return draft, meter, fake.requests[0].body["messages"]
    finally:
        fake.stop()


def sample_llm(w: World) -> str:
    """The LLM condenser on the synthetic LinkedIn sample; the fake model's answer invents things."""
    from agent.models import Contact
    from tests.support.condense import answer, samples

    source, extractions = samples()["linkedin_person"]
    reply = answer(
        "Jane Doe is a Berlin-based Staff Engineer at Acme Robotics working on motion planning. "
        "She previously led AI research at Initech.",
        {
            "job_title": "Staff Engineer",
            "employer": "Acme Robotics",
            "followers_count": 3893,
            "focus_areas": ["motion planning", "quantum finance"],
            "previous_employer": "Initech",
        },
    )
    draft, meter, sent = _with_fake_llm(w, Contact(contact_id=NO_HINTS, name="Jane Doe"), source, extractions, reply)
    shown = {
        key: getattr(draft, key)
        for key in (
            "payload",
            "grounding",
            "violations",
            "repairs",
            "condenser",
            "prompt_version",
            "input_tokens",
            "output_tokens",
            "cost_usd",
        )
    }
    user = next(m["content"] for m in sent if m["role"] == "user")
    return fence(
        json.dumps(shown, indent=2, ensure_ascii=False, default=str)
        + "\n"
        + meter.describe()
        + "\n---- user message sent ----\n"
        + user
    )


def sample_hostile(w: World) -> str:
    """The hostile h-card of tests/test_condense_hostile_page.py: a fake model that obeys it, then offline."""
    from agent.condense import OfflineCondenser
    from agent.models import Contact
    from tests.test_condense_hostile_page import FAKE_SUMMARY, INJECTION, extract, hcard_page, obeying_answer

    extraction = extract(hcard_page(INJECTION, FAKE_SUMMARY))
    contact = Contact(contact_id=NO_HINTS, name="Tamsin Orle")
    obeyed, _, _ = _with_fake_llm(w, contact, extraction.profile_source, [extraction], obeying_answer())
    with contextlib.redirect_stderr(io.StringIO()):
        offline = asyncio.run(
            OfflineCondenser().condense(contact, extraction.profile_source, [extraction], RETRIEVED_AT)
        )
    parts = []
    for label, draft in (("the LLM (a fake model that obeys the page)", obeyed), ("offline", offline)):
        parts.append(f"# {label}: {draft.condenser}\n" + json.dumps(draft.payload, indent=2, ensure_ascii=False))
        parts += [f"  dropped: {line}" for line in draft.grounding]
    return fence("\n".join(parts))


# Order matters: samples that post share the sandbox, and each sees what the ones before it stored.
SAMPLES: dict[str, Callable[[World], str]] = {
    "sandbox": sample_sandbox,
    "demo": sample_demo,
    "enrich-dry-run": sample_enrich_dry_run,
    "enrich-json": sample_enrich_json,
    "enrich-batch": sample_enrich_batch,
    "refresh": sample_refresh,
    "review-cli": sample_review,
    "post": sample_post,
    "fetch": sample_fetch,
    "extract-linkedin": sample_extract_linkedin,
    "extract-kinds": sample_extract_kinds,
    "offline-payloads": sample_offline_payloads,
    "llm-request": sample_llm,
    "hostile-page": sample_hostile,
}
