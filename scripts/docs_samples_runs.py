"""The docs samples: one function per `<!-- sample: NAME -->`, each running the real commands offline.

Registered in SAMPLES, in the order they run: the samples that post share one sandbox, and each sees
what the ones before it stored. The samples on pages (fetch, extract, condense) are in
docs_samples_pages.py. See scripts/docs_samples.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from docs_samples_pages import (
    sample_extract_kinds,
    sample_extract_linkedin,
    sample_fetch,
    sample_hostile,
    sample_llm,
    sample_offline_payloads,
)
from docs_samples_world import DOC_DATE, World, fence, shell

if TYPE_CHECKING:
    pass


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


def sample_webhook(w: World) -> str:
    """serve's webhook (the app of tests/test_webhook.py on loopback) fed by the sandbox's signed events."""
    from agent.logs import setup_logging
    from tests.test_webhook import SECRET, HookServer

    cid = w.sandbox.add_contact(
        contact_id="28e7caa2-5cec-42e5-9e1c-cebf7bce8b1e",
        name="Dmitri Osei",
        email="dmitri@northquay.example",
        company="Northquay",
        linkedin="dmitri-osei",
        github="dosei",
        website="northquay.example",
    )  # as a Zyntro user typed them
    env = {**w.env, "ZYNTRO_API_VERSION": "v2", "ZYNTRO_ENRICH_WEBHOOK_SECRET": SECRET}
    log = io.StringIO()
    with contextlib.redirect_stderr(log):
        setup_logging()
        hook = HookServer(env)
        try:
            lines = [_sent("signed: ", w.sandbox.send_webhook(hook.url, SECRET, cid, event_id="evt_1"))]
            hook.settled()  # the work is done in the background; wait, so the log reads in one order
            for _ in range(2):  # Zyntro retries a delivery it thinks failed
                lines.append(_sent("retry:  ", w.sandbox.send_webhook(hook.url, SECRET, cid, event_id="evt_1")))
            lines.append(_sent("bad:    ", w.sandbox.send_webhook(hook.url, "not-the-secret", cid, event_id="evt_2")))
        finally:
            hook.close()
    records = [line for line in w.normalise(log.getvalue()).splitlines() if "webhook" in line]
    text = "\n".join(lines) + "\nserve's log:\n" + "\n".join(records)
    return fence(text)


def _sent(label: str, answer: tuple[int, object]) -> str:
    status, body = answer
    return f"{label} {status} {json.dumps(body)}"


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
    "webhook": sample_webhook,
    "fetch": sample_fetch,
    "extract-linkedin": sample_extract_linkedin,
    "extract-kinds": sample_extract_kinds,
    "offline-payloads": sample_offline_payloads,
    "llm-request": sample_llm,
    "hostile-page": sample_hostile,
}
