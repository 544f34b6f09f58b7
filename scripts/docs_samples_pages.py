"""Docs samples on pages: `fetch` on a loopback site, `extract --from-file` and the condensers on recorded pages.

Part of scripts/docs_samples.py (see there); registered in docs_samples_runs.SAMPLES.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from typing import TYPE_CHECKING

from docs_samples_world import NO_HINTS, RETRIEVED_AT, ROOT, World, fence, shell

if TYPE_CHECKING:
    from agent.models import Contact


__all__ = [
    "sample_extract_kinds",
    "sample_extract_linkedin",
    "sample_fetch",
    "sample_hostile",
    "sample_llm",
    "sample_offline_payloads",
]


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
    # The offline version hashes the template code, so any edit there changes it: shown as its form only.
    versions = sorted({re.sub(r"^offline-[0-9a-f]{12}$", "offline-<hash>", str(d.prompt_version)) for d in drafts})
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
