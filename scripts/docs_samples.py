"""Generate the output samples in README.md and docs/*.md by running the real commands offline.

    .venv/bin/python scripts/docs_samples.py            # rewrite every sample in place
    .venv/bin/python scripts/docs_samples.py --check    # exit 1 listing the samples that drifted

A sample sits between `<!-- sample: NAME -->` and `<!-- /sample -->` in a Markdown file; everything
between the markers belongs to this script. Each sample runs the CLI in-process (`agent.cli.main`)
against one local Zyntro sandbox seeded with the demo contacts and the demo's pages replayed
(agent.demo), or parses the recorded pages in tests/pages/ (`extract --from-file`, the offline
condenser). No network, no LLM. What changes from run to run is normalised so the text is stable:
run ids, dates and times, ports, temporary paths; log timestamps are left out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import io
import json
import os
import re
import shlex
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

__all__ = ["DOCS", "World", "check", "collect", "main", "render_all", "replace_samples"]

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"(<!-- sample: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /sample -->)", re.S)
DOC_DATE = "2026-11-27"  # every date a sample shows; the real runs use today's
RETRIEVED_AT = datetime.date(2025, 1, 2)  # offline payload samples: a fixed retrieval date
NO_HINTS = uuid.UUID("3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f")
_LOG_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ", re.M)
_PORT = re.compile(r"(127\.0\.0\.1|localhost):\d{2,5}")


@dataclass
class Result:
    argv: list[str]
    code: int
    out: str
    err: str


@dataclass
class World:
    """One sandbox with the demo contacts, the demo pages replayed, and the environment the CLI reads."""

    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)  # name -> contact_id
    sandbox: object = None
    run_ids: dict[str, str] = field(default_factory=dict)
    banner: str = ""

    def cli(self, *argv: str, env: dict[str, str] | None = None, raw: bool = False) -> Result:
        """Run `zyntro-enrich ARGV` in this process with the world's environment; capture both streams."""
        from agent.cli import main as cli_main

        out, err = io.StringIO(), io.StringIO()
        saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
        try:
            os.environ.clear()
            os.environ.update({"PATH": saved_env.get("PATH", ""), "USER": "ana", "LANG": "C.UTF-8"})
            os.environ.update(self.env)
            os.environ.update(env or {})
            os.chdir(self.tmp)
            sys.stdin = io.StringIO("")  # nothing asks, nothing waits
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli_main(list(argv))
                except SystemExit as stop:  # argparse
                    code = int(stop.code or 0)
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
            sys.stdin = saved_stdin
        if raw:
            return Result(list(argv), code, out.getvalue(), err.getvalue())
        return Result(list(argv), code, self.normalise(out.getvalue()), self.normalise(err.getvalue()))

    def normalise(self, text: str) -> str:
        """Stable text: no log timestamps, fixed dates, ports, paths and run ids."""
        text = _LOG_TS.sub("", text)
        text = text.replace(str(self.tmp), "/tmp/docs")
        text = re.sub(r"/tmp/zyntro-enrich-demo-[A-Za-z0-9_]+", "/tmp/zyntro-enrich-demo-x1y2z3", text)
        text = _PORT.sub(r"\1:8765", text)
        text = text.replace(datetime.date.today().isoformat(), DOC_DATE)
        text = re.sub(r"\b\d\d-\d\d \d\d:\d\d\b", "11-27 10:39", text)  # review activity's "at (UTC)"

        def run_id(found: re.Match) -> str:
            fake = self.run_ids.setdefault(found.group(2), f"{len(self.run_ids) + 1:04d}5e1966ff")
            return found.group(1) + fake

        text = re.sub(r'(\brun |"run_id": ")([0-9a-f]{12})\b', run_id, text)
        text = re.sub(r"\brun [0-9a-f]{6,11}…", "run 00015e19…", text)  # a run id cut to fit a column
        return "\n".join(line.rstrip() for line in text.split("\n"))

    def write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path


@contextlib.contextmanager
def world() -> Iterator[World]:
    """The shared sandbox (a file database in a temp dir) with the demo contacts at the demo's fixed ids."""
    from agent.commands.demo import DEMO_NAMESPACE  # the demo's contact ids, so samples name the same people
    from agent.demo import DEMO_CONTACTS, write_replay_dir
    from agent.zyntro.sandbox import Sandbox

    with tempfile.TemporaryDirectory(prefix="zyntro-docs-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "home").mkdir()
        with Sandbox(db_path=tmp / "sandbox.sqlite3", port=0) as sandbox:
            w = World(tmp=tmp, sandbox=sandbox)
            w.banner = _banner(sandbox)  # before the demo contacts are added
            for spec in DEMO_CONTACTS:
                hints = {k: spec[k] for k in ("name", "email", "company") if spec.get(k)}
                cid = str(uuid.uuid5(DEMO_NAMESPACE, spec["name"]))
                w.contacts[spec["name"]] = sandbox.add_contact(contact_id=cid, **hints)
            w.env = dict(sandbox.settings_env())
            w.env.update({
                "ZYNTRO_ENRICH_REPLAY_DIR": str(write_replay_dir(tmp / "replay")),
                "ZYNTRO_ENRICH_DELAY": "0",
                "ZYNTRO_ENRICH_ROBOTS_OVERRIDE": "linkedin.com,x.com",
                "ZYNTRO_ENRICH_LLM": "offline",
                "ZYNTRO_ENRICH_HOME": str(tmp / "home"),
            })
            yield w


def _banner(sandbox: object) -> str:
    from agent.commands.sandbox import banner

    return "\n".join(banner(sandbox))


# --- rendering --------------------------------------------------------------------------------------

def shell(result: Result, *, shown: str | None = None, logs: bool = False) -> str:
    """A transcript: `$ command`, stderr (errors; log lines only when `logs`), stdout, `(exit N)` unless 0."""
    command = shown or "zyntro-enrich " + " ".join(shlex.quote(a) for a in result.argv)
    lines = [f"$ {command}"]
    for line in result.err.splitlines():
        is_log = re.match(r"^(DEBUG|INFO|WARNING|ERROR) \S+: ", line) is not None
        if "━" in line or (is_log and not logs):  # the progress bar's last frame, log records
            continue
        lines.append(line)
    lines += result.out.rstrip("\n").splitlines() if result.out.strip() else []
    if result.code:
        lines.append(f"(exit {result.code})")
    return "\n".join(lines)


def fence(text: str, lang: str = "") -> str:
    return f"```{lang}\n{text.rstrip()}\n```\n"


# --- the samples -------------------------------------------------------------------------------------

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
    r = w.cli("enrich", "https://github.com/adaquinlan", "--contact-id", w.contacts["Ada Quinlan"],
              "--name", "Ada Quinlan", "--company", "Quillmetrics", "--dry-run")
    shown = (f"zyntro-enrich enrich https://github.com/adaquinlan --contact-id {w.contacts['Ada Quinlan']} \\\n"
             '    --name "Ada Quinlan" --company Quillmetrics --dry-run')
    return fence(shell(r, shown=shown))


def sample_enrich_json(w: World) -> str:
    r = w.cli("enrich", "https://github.com/dosei", "https://www.linkedin.com/in/dmitri-osei",
              "https://github.com/no-such-person-here", "--contact-id", w.contacts["Dmitri Osei"],
              "--name", "Dmitri Osei", "--json")
    return fence(shell(r))


def sample_enrich_batch(w: World) -> str:
    """A CRM export's column names, a handle, a bare domain, several URLs in a cell, and one bad row."""
    ada, elena = w.contacts["Ada Quinlan"], w.contacts["Elena Marsh"]
    rows = ["Contact ID,Full Name,Work Email,Company,LinkedIn,GitHub,Twitter,Website",
            f"{ada},Ada Quinlan,ada@quillmetrics.example,Quillmetrics,https://www.linkedin.com/in/ada-quinlan,"
            "adaquinlan,@adaquinlan,",
            f"{elena},Elena Marsh,elena@brightfold.example,Brightfold,,emarsh,,www.brightfold.example/team/elena-marsh",
            "elena-marsh,Elena Marsh,,,,emarsh,,"]
    w.write("contacts.csv", "\n".join(rows) + "\n")
    r = w.cli("enrich", "--batch", "contacts.csv", "--concurrency", "1")
    return fence("$ cat contacts.csv\n" + "\n".join(rows) + "\n" + shell(r))


def sample_refresh(w: World) -> str:
    first = w.cli("refresh")
    again = w.cli("refresh", "--all")
    return fence(shell(first) + "\n" + shell(again))


def sample_review(w: World) -> str:
    from agent.demo import DEMO_CONTACTS

    rows = [json.dumps({"contact_id": w.contacts[s["name"]], "name": s["name"], "email": s["email"],
                        "company": s["company"], "urls": s["urls"]})
            for s in DEMO_CONTACTS if s["name"] in ("Bruno Okafor", "Chiara Valdes")]
    w.write("review.jsonl", "\n".join(rows) + "\n")
    queued = w.cli("enrich", "--batch", "review.jsonl", "--review", "--concurrency", "1")
    if queued.code:
        raise SystemExit(f"docs_samples: enrich --review failed:\n{queued.err}")
    listed = w.cli("review", "list")
    approve = w.cli("review", "approve", "--all", "--origin", "GitHub", "--note", "checked the repos")
    personal = _draft_of(listed.out, "Personal")
    w.write("bad.json", json.dumps({"info": "a freelance cartographer", "source_url": "https://chiara-valdes.example/",
                                    "retrieved_at": DOC_DATE}, indent=2) + "\n")
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
    w.write("ada.json", json.dumps({
        "summary": "Ada Quinlan is Head of Data Platform at Quillmetrics, based in Edinburgh.",
        "job_title": "Head of Data Platform", "employer": "Quillmetrics", "location": "Edinburgh",
        "source_url": "https://www.quillmetrics.example/team", "retrieved_at": DOC_DATE}, indent=2) + "\n")
    w.write("list.json", "[]\n")
    parts = [shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "Company Website"), logs=True),
             shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "LinkedIn", "--json")),
             shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "LinkedIn", "--api-version", "v2")),
             shell(w.cli("post", "ada.json", "--contact-id", other, "--source", "LinkedIn")),
             shell(w.cli("post", "list.json", "--contact-id", ada, "--source", "LinkedIn")),
             shell(w.cli("post", "ada.json", "--contact-id", "ada", "--source", "LinkedIn"))]
    v2 = w.cli("post", "ada.json", "--contact-id", ada, "--source", "LinkedIn",
               env={"ZYNTRO_API_VERSION": "v2", "ZYNTRO_DEVELOPER_SECRET": ""})
    parts.append(shell(v2, shown=f"ZYNTRO_API_VERSION=v2 ZYNTRO_DEVELOPER_SECRET= zyntro-enrich post ada.json "
                                 f"--contact-id {ada} --source LinkedIn"))
    faults = w.sandbox.faults
    faults.push("status", status=429, retry_after=1, times=2)
    parts.append("$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults "
                 "-d '{\"kind\": \"status\", \"status\": 429, \"retry_after\": \"1\", \"times\": 2}'")
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub"), logs=True))
    faults.push("drop", after=True)
    parts.append("$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults -d '{\"kind\": \"drop\", \"after\": true}'")
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub")))
    faults.push("status", status=500, after=True)
    parts.append("$ curl -s -X POST $ZYNTRO_BASE_URL/_sandbox/faults "
                 "-d '{\"kind\": \"status\", \"status\": 500, \"after\": true}'")
    parts.append(shell(w.cli("post", "ada.json", "--contact-id", ada, "--source", "GitHub")))
    stored = len(w.sandbox.profiles(ada))
    parts.append(f"$ curl -s \"$ZYNTRO_BASE_URL/_sandbox/profiles?contact_id={ada}\" | jq length\n{stored}")
    return fence("\n".join(parts))


def sample_fetch(w: World) -> str:
    """`zyntro-enrich fetch` against a small site on loopback: static, JavaScript, robots, unsafe URLs."""
    from tests.support.fetch import Reply, Site

    site = Site()
    try:
        site.add("/robots.txt", Reply("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
        site.add("/about.html", Reply("<!doctype html><html><head><title>About Example Widgets</title></head><body>"
                                      "<h1>About us</h1><p>Example Widgets makes small, sturdy widgets for "
                                      "laboratories and workshops. We are twelve people in a converted mill, "
                                      "and we answer every email ourselves.</p></body></html>"))
        script = ("document.getElementById('root').innerHTML = '<h1>Our team</h1><p>Ada (engineering) has been "
                  "with Example Widgets for years and leads a small group of specialists.</p>';")
        site.add("/app.html", Reply("<!doctype html><html><head><title>Team</title></head><body><noscript>Please "
                                    "enable JavaScript to see our team.</noscript><div id=\"root\"></div>"
                                    f"<script>{script}</script></body></html>"))
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
    r = w.cli("extract", "https://se.linkedin.com/in/mara-lindqvist-7b2a1", "--from-file",
              str(ROOT / "tests/pages/linkedin_person.html"), "--name", "Mara Lindqvist",
              "--company", "Nordvik Robotics")
    return fence(shell(r, shown="zyntro-enrich extract https://se.linkedin.com/in/mara-lindqvist-7b2a1 \\\n"
                               "    --from-file tests/pages/linkedin_person.html --name \"Mara Lindqvist\" "
                               "--company \"Nordvik Robotics\"").replace(str(ROOT) + "/", ""))


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
            raise SystemExit(f"docs_samples: {', '.join(files)} now read as {found!r}, not {kind!r}: "
                             "pick another fixture for this kind in OFFLINE_SAMPLES")
        draft = asyncio.run(OfflineCondenser().condense(contact, extractions[0].profile_source, extractions,
                                                        RETRIEVED_AT))
        drafts.append(draft)
        paths = ", ".join(f"`tests/pages/{name}`" for name in files)
        parts.append(f'**{kind}** ({paths}; `profile_source` "{draft.profile_source}"; violations '
                     f"{len(draft.violations)}, dropped {len(draft.grounding)}, repairs {len(draft.repairs)}):\n\n"
                     + fence(json.dumps(draft.payload, indent=2, ensure_ascii=False), "json"))
    names = sorted({d.condenser for d in drafts})
    versions = sorted({str(d.prompt_version) for d in drafts})
    evidence = ", ".join(f"`{key}`: {p.evidence!r}" for key, p in drafts[-1].provenance.items())
    parts.append(f"All drafts: condenser {', '.join(f'`{n}`' for n in names)}, prompt_version "
                 f"{', '.join(f'`{v}`' for v in versions)}. Provenance of the last one (key -> evidence): "
                 f"{evidence}.\n")
    return "\n".join(parts)


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
}


# --- the files -------------------------------------------------------------------------------------

def collect(paths: list[Path]) -> dict[str, list[Path]]:
    """Which sample names each file holds."""
    found: dict[str, list[Path]] = {}
    for path in paths:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group("name"), []).append(path)
    return found


def render_all(names: set[str]) -> dict[str, str]:
    """Run the samples the files use, in SAMPLES order, in one world."""
    unknown = names - SAMPLES.keys()
    if unknown:
        raise SystemExit(f"docs_samples: no generator for sample(s) {', '.join(sorted(unknown))}")
    with world() as w:
        return {name: make(w) for name, make in SAMPLES.items() if name in names}


def replace_samples(text: str, rendered: dict[str, str]) -> str:
    def put(match: re.Match) -> str:
        return match.group(1) + rendered[match.group("name")] + match.group(4)

    return MARKER.sub(put, text)


def check(paths: list[Path] | None = None) -> list[str]:
    """The samples (file: name) whose text differs from what the commands print now."""
    paths = paths or DOCS
    rendered = render_all(set(collect(paths)))
    drifted = []
    for path in paths:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            if match.group("body") != rendered[match.group("name")]:
                drifted.append(f"{path.relative_to(ROOT)}: {match.group('name')}")
    return drifted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 listing drifted samples")
    args = parser.parse_args(argv)
    if args.check:
        drifted = check()
        for line in drifted:
            print(f"drifted: {line}")
        if drifted:
            print("run `.venv/bin/python scripts/docs_samples.py` and commit the docs", file=sys.stderr)
        return 1 if drifted else 0
    rendered = render_all(set(collect(DOCS)))
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = replace_samples(text, rendered)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
