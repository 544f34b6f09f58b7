"""Pytest fixtures for the condense tests: a scriptable OpenAI-compatible server on loopback.

FakeLLM is a real ThreadingHTTPServer implementing POST /v1/chat/completions. Tests queue replies
(`script(...)`), or set a responder that builds a reply from the request, and read back every
request the real `openai` client sent (headers and JSON body) from `requests`.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from agent.condense import Meter, make_condenser
from agent.config import LLMSettings, Settings
from agent.models import Contact, Extraction, Fact, Identity, ProfileDraft, SourceKind

__all__ = [
    "API_KEY",
    "BRAM_FACTS",
    "BRAM_URL",
    "FakeLLM",
    "Reply",
    "answer",
    "bram_page",
    "completion",
    "condense_once",
    "error_reply",
    "extraction",
    "fact",
    "samples",
]

API_KEY = "sk-test-SECRET-0123456789abcdef"


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    body: Any = None  # dict -> JSON; str -> sent as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        """The request's JSON body."""
        return json.loads(self.raw)

    def text(self) -> str:
        """Every message's content, joined: what the model got to read."""
        return "\n".join(m.get("content") or "" for m in self.body["messages"])

    def facts(self) -> dict[str, Any]:
        """The facts the agent sent (one JSON object a line), as key -> first value."""
        found: dict[str, Any] = {}
        for line in self.text().splitlines():
            if re.match(r'^\{"id": "f\d+"', line):
                item = json.loads(line)
                found.setdefault(item["key"], item["value"])
        return found


def completion(
    content: str | None,
    *,
    usage: tuple[int, int] | None = (900, 150),
    finish_reason: str = "stop",
    refusal: str | None = None,
    model: str = "gpt-4o-mini",
) -> Reply:
    """A chat.completion reply carrying `content`."""
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
    }
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": usage[0] + usage[1]}
    return Reply(body=body)


def answer(summary: str, fields: dict[str, Any], refs: dict[str, list[str]] | None = None) -> str:
    """The JSON text of a CondensedProfile answer."""
    refs = refs or {}
    return json.dumps(
        {
            "summary": summary,
            "summary_fact_refs": refs.get("summary", []),
            "fields": [{"key": k, "value": v, "fact_refs": refs.get(k, [])} for k, v in fields.items()],
        }
    )


def error_reply(status: int, message: str, *, param: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    """An OpenAI-style error body with this status."""
    return Reply(
        status=status,
        headers=headers or {},
        body={"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}},
    )


class FakeLLM:
    """A scriptable OpenAI-compatible chat completions server on 127.0.0.1."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []
        self.responder: Callable[[Recorded], Reply] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI base URL of this server (…/v1)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order."""
        self.replies.extend(replies)

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.pop(0)
        if self.responder is not None:
            return self.responder(request)
        return error_reply(500, "the fake LLM has no scripted reply left")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
                reply = fake._next(recorded) if self.path == "/v1/chat/completions" else error_reply(404, "no route")
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data.encode())))
                    self.end_headers()
                    self.wfile.write(data.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nobody is listening

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def fact(key: str, value: Any, evidence: str | None = None, *, approximate: bool = False) -> Fact:
    """A synthetic fact; its evidence defaults to the value's text."""
    return Fact(key=key, value=value, evidence=evidence or str(value), method="selector", approximate=approximate)


def extraction(
    url: str,
    source: str,
    facts: list[Fact],
    *,
    kind: SourceKind = "generic",
    subject: str = "person",
    text: str = "",
    extractor: str = "test",
) -> Extraction:
    """A synthetic ok extraction of the kind its extractor would declare (never guessed from the URL)."""
    return Extraction(
        url=url,
        extractor=extractor,
        profile_source=source,
        outcome="ok",
        subject=subject,
        kind=kind,
        facts=facts,
        text=text,
        identity=Identity(score=1.0, matched=True, reason="synthetic"),
    )


def condense_once(
    settings: Settings,
    contact: Contact,
    source: str,
    extractions: Sequence[Extraction],
    day: datetime.date = datetime.date(2025, 1, 2),
) -> ProfileDraft:
    """One condense call with the condenser the settings choose (the LLM one talks to the fake server)."""

    async def go() -> ProfileDraft:
        async with make_condenser(settings, Meter(settings.llm)) as condenser:
            return await condenser.condense(contact, source, list(extractions), day)

    return asyncio.run(go())


@pytest.fixture
def fake_llm():
    """A running FakeLLM, stopped after the test."""
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_settings(fake_llm) -> Settings:
    """Settings that point the LLM condenser at the fake server, with a recognisable secret key."""
    return Settings(
        llm=LLMSettings(
            api_key=SecretStr(API_KEY), base_url=fake_llm.base_url, mode="openai", model="gpt-4o-mini", timeout_s=5.0
        )
    )


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the LLM condenser asked to sleep (recorded, not slept)."""
    return []


@pytest.fixture
def no_sleep(sleeps):
    """An async sleep that records the delay and returns at once."""

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    return sleep


@pytest.fixture
def contact() -> Contact:
    """A contact with no hints."""
    return Contact(contact_id=uuid.UUID("3f2b9c1e-8d4a-4c2e-9b1f-0a2b3c4d5e6f"), name="Jane Doe")


# --- synthetic sources, one per source kind (invented people and organisations) ------------------

BRAM_URL = "https://bram-okafor.example/"
BRAM_FACTS = [
    fact("name", "Bram Okafor"),
    fact("employer", "Northwind Labs"),
    fact("location", "Berlin"),
    fact("job_title", "Staff Engineer"),
    fact("skills", "Rust"),
    fact("skills", "Distributed systems"),
]


_BRAM_TEXT = "Bram Okafor\nStaff Engineer at Northwind Labs, Berlin.\nI build distributed systems in Rust."


def bram_page(*facts: Fact, text: str = _BRAM_TEXT) -> Extraction:
    """A personal site whose facts say Northwind Labs and Berlin (issue #10's example); `facts` replace them."""
    return extraction(
        BRAM_URL, "Personal Website", list(facts) if facts else BRAM_FACTS, kind="personal_website", text=text
    )


def samples() -> dict[str, tuple[str, list[Extraction]]]:
    """kind -> (profile_source, extractions): one typical synthetic page per source kind."""
    people, organisations = _people(), _organisations()
    order = [
        "linkedin_person",
        "linkedin_company",
        "twitter",
        "social_profile",
        "github_user",
        "github_org",
        "company_website",
        "personal_website",
        "generic",
    ]
    return {kind: {**people, **organisations}[kind] for kind in order}


def _people() -> dict[str, tuple[str, list[Extraction]]]:
    return {
        "linkedin_person": (
            "LinkedIn",
            [
                extraction(
                    "https://www.linkedin.com/in/jane-doe-example",
                    "LinkedIn",
                    kind="linkedin_person",
                    facts=[
                        fact("name", "Jane Doe"),
                        fact("headline", "Staff Engineer at Acme Robotics | Motion planning"),
                        fact("job_title", "Staff Engineer"),
                        fact("employer", "Acme Robotics"),
                        fact("location", "Berlin, Germany"),
                        fact("experience", "Staff Engineer at Acme Robotics (2019 - Present)"),
                        fact("experience", "Software Engineer at Globex Systems (2014 - 2019)"),
                        fact("education", "Technical University of Munich"),
                        fact("skills", "Motion planning"),
                        fact("skills", "C++"),
                        fact("followers_count", 3893, "3,893 followers"),
                        fact("connections", "500+", "500+ connections"),
                    ],
                    text="Jane Doe\nStaff Engineer at Acme Robotics | Motion planning\nBerlin, Germany\n"
                    "3,893 followers · 500+ connections\nExperience\nStaff Engineer Acme Robotics 2019 - Present\n"
                    "Software Engineer Globex Systems 2014 - 2019\nEducation\nTechnical University of Munich",
                )
            ],
        ),
        "twitter": (
            "Twitter",
            [
                extraction(
                    "https://x.com/samrivera_example",
                    "Twitter",
                    kind="twitter",
                    facts=[
                        fact("name", "Sam Rivera"),
                        fact("handle", "samrivera_example"),
                        fact("bio", "Developer advocate at Nimbus Cloud. Talks about serverless and coffee."),
                        fact("location", "Lisbon, Portugal"),
                        fact("website", "https://samrivera.example"),
                        fact("joined_date", "March 2011", "Joined March 2011"),
                        fact("followers_count", 86400, "86.4K Followers", approximate=True),
                        fact("following_count", 512, "512 Following"),
                        fact("posts_count", 10234, "10,234 posts"),
                    ],
                    text="Sam Rivera\n@samrivera_example\nDeveloper advocate at Nimbus Cloud. Talks about serverless "
                    "and coffee.\nLisbon, Portugal · Joined March 2011\n512 Following 86.4K Followers",
                )
            ],
        ),
        "github_user": (
            "GitHub",
            [
                extraction(
                    "https://github.com/adapark-example",
                    "GitHub",
                    kind="github_user",
                    facts=[
                        fact("name", "Ada Park"),
                        fact("handle", "adapark-example"),
                        fact("bio", "Compiler hacker. Rust and Zig."),
                        fact("employer", "@ferrous-labs"),
                        fact("location", "Toronto, Canada"),
                        fact("website", "https://ada.example"),
                        fact("repositories_count", 42, "Repositories 42"),
                        fact("followers_count", 1200, "1.2k followers"),
                        fact("following_count", 35, "35 following"),
                        fact("pinned_repositories", "tinyvm"),
                        fact("pinned_repositories", "zig-json"),
                        fact("organizations", "ferrous-labs"),
                    ],
                    text="Ada Park adapark-example\nCompiler hacker. Rust and Zig.\n@ferrous-labs Toronto, Canada\n"
                    "1.2k followers · 35 following\nPinned tinyvm zig-json",
                )
            ],
        ),
        "personal_website": (
            "Personal Website",
            [
                extraction(
                    "https://lee-moreau.example/",
                    "Personal Website",
                    kind="personal_website",
                    facts=[
                        fact("name", "Lee Moreau"),
                        fact("job_title", "Independent UX researcher"),
                        fact("location", "Montréal, Canada"),
                        fact(
                            "bio",
                            "I help public services test their forms with real people. I write about plain language.",
                        ),
                        fact("interests", "accessibility"),
                        fact("interests", "plain language"),
                        fact("email", "lee@lee-moreau.example"),
                        fact("website", "https://lee-moreau.example/"),
                    ],
                    text="Lee Moreau — Independent UX researcher in Montréal, Canada.\nI help public services test "
                    "their forms with real people. I write about plain language and accessibility.",
                )
            ],
        ),
        "social_profile": (
            "Medium",
            [
                extraction(
                    "https://medium.com/@patkim-example",
                    "Medium",
                    kind="social_profile",
                    facts=[
                        fact("name", "Pat Kim"),
                        fact("handle", "patkim-example"),
                        fact("bio", "Data engineer writing about streaming pipelines."),
                        fact("followers_count", 240, "240 Followers"),
                    ],
                    text="Pat Kim\n240 Followers\nData engineer writing about streaming pipelines.",
                )
            ],
        ),
        "generic": (
            "Devconf Speakers",
            [
                extraction(
                    "https://devconf.example/speakers/rui-tan",
                    "Devconf Speakers",
                    kind="generic",
                    facts=[
                        fact("name", "Rui Tan"),
                        fact("job_title", "Site reliability engineer"),
                        fact("employer", "Lumen Grid"),
                        fact("location", "Singapore"),
                        fact("bio", "Rui keeps payment systems running and writes about incident reviews."),
                        fact("interests", "incident reviews"),
                        fact("interests", "observability"),
                    ],
                    text="Rui Tan\nSite reliability engineer, Lumen Grid, Singapore\nRui keeps payment systems running "
                    "and writes about incident reviews.",
                )
            ],
        ),
    }


def _organisations() -> dict[str, tuple[str, list[Extraction]]]:
    return {
        "linkedin_company": (
            "LinkedIn",
            [
                extraction(
                    "https://www.linkedin.com/company/acme-robotics-example",
                    "LinkedIn",
                    kind="linkedin_company",
                    facts=[
                        fact("name", "Acme Robotics"),
                        fact(
                            "description",
                            "Acme Robotics builds motion-planning software for warehouse robots. "
                            "Our customers run fleets in 14 countries.",
                        ),
                        fact("industry", "Robotics Engineering"),
                        fact("company_size", "51-200 employees"),
                        fact("employees_count", 143, "143 employees on LinkedIn"),
                        fact("founded", 2012, "Founded 2012"),
                        fact("headquarters", "Berlin, Germany"),
                        fact("specialties", "motion planning"),
                        fact("specialties", "fleet management"),
                        fact("website", "https://acme-robotics.example"),
                        fact("followers_count", 12840, "12,840 followers"),
                    ],
                    subject="organization",
                    text="Acme Robotics\nRobotics Engineering · Berlin, Germany · 12,840 followers\nAbout us\n"
                    "Acme Robotics builds motion-planning software for warehouse robots.",
                )
            ],
        ),
        "github_org": (
            "GitHub",
            [
                extraction(
                    "https://github.com/ferrous-labs",
                    "GitHub",
                    kind="github_org",
                    facts=[
                        fact("name", "Ferrous Labs"),
                        fact("handle", "ferrous-labs"),
                        fact("description", "Tools for safe systems programming."),
                        fact("location", "Toronto, Canada"),
                        fact("website", "https://ferrous.example"),
                        fact("repositories_count", 58, "58 repositories"),
                        fact("followers_count", 930, "930 followers"),
                        fact("pinned_repositories", "ferrite"),
                        fact("pinned_repositories", "safe-alloc"),
                    ],
                    subject="organization",
                    text="Ferrous Labs\nTools for safe systems programming.\nToronto, Canada 930 followers\n"
                    "Popular repositories ferrite safe-alloc",
                )
            ],
        ),
        "company_website": (
            "Company Website",
            [
                extraction(
                    "https://nimbus-cloud.example/about",
                    "Company Website",
                    kind="company_website",
                    facts=[
                        fact("name", "Nimbus Cloud"),
                        fact("description", "Nimbus Cloud runs serverless hosting for small teams across Europe."),
                        fact("industry", "Cloud computing"),
                        fact("founded", 2016, "Founded in 2016"),
                        fact("headquarters", "Lisbon, Portugal"),
                        fact("employees_count", 85, "85 people"),
                        fact("products", "Nimbus Functions"),
                        fact("products", "Nimbus Edge"),
                        fact("products", "Nimbus DB"),
                        fact("email", "hello@nimbus-cloud.example"),
                        fact("phone", "+351 21 000 0000"),
                        fact("website", "https://nimbus-cloud.example"),
                    ],
                    subject="organization",
                    text="About Nimbus Cloud\nNimbus Cloud runs serverless hosting for small teams across Europe.\n"
                    "Founded in 2016 in Lisbon, Portugal, we are 85 people.\nProducts: Nimbus Functions, "
                    "Nimbus Edge, Nimbus DB",
                )
            ],
        ),
    }
