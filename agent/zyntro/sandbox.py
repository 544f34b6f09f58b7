"""A local Zyntro-compatible API server with state in SQLite and fault injection.

    with Sandbox() as sb:                      # in-memory state, a free port on 127.0.0.1
        env = sb.settings_env()                # ZYNTRO_* variables pointing at it
        sb.faults.push("status", status=429, retry_after=1)
        ...; sb.profiles(contact_id)           # what was stored

Control endpoints (for a sandbox in another process): POST/GET/DELETE /_sandbox/faults,
POST /_sandbox/latency ({"seconds": 0.25}: a standing delay before every API request),
POST/GET /_sandbox/hold ({"on": true, "path": optional}: API requests wait until {"on": false}),
GET /_sandbox/profiles[?contact_id=], GET /_sandbox/requests, GET /_sandbox/creds,
GET /_sandbox/contacts, POST /_sandbox/contacts ({"name",..., "website", "linkedin", "twitter", "github"} or
{"count": n}), POST /_sandbox/webhook ({"url", "secret", "contact_id"}: send a signed new_contact event).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from agent.config import ZyntroSettings
from agent.zyntro.faults import Fault, FaultQueue
from agent.zyntro.sandbox_api import SandboxAPI
from agent.zyntro.sandbox_db import SandboxCreds, SandboxDB

__all__ = ["Fault", "Sandbox", "SandboxCreds"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # the sandbox answers 413 above this, like a web server in front of Zyntro
_DRAIN_S = 5.0  # how long close() waits for requests in flight
_LINKS = ("website", "linkedin", "twitter", "github")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: Sandbox

    def handle_error(self, request, client_address) -> None:  # a client that hung up is not news
        log.debug("sandbox: error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple, and no stale keep-alives
    server_version = "ZyntroSandbox/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        with sandbox._in_flight():
            if url.path.startswith("/_sandbox/"):
                self._control(method, url.path, parse_qs(url.query))
            elif sandbox.api.handles(url.path) and method == "POST":
                self._api(url.path)
            elif sandbox.api.handles(url.path):
                self._send(405, "Method Not Allowed\n")
            else:
                self._send(404, "<html><body><h1>404 Not Found</h1></body></html>\n", "text/html; charset=utf-8")

    def _read_body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(413, "Request Entity Too Large\n")
            return None
        return self.rfile.read(length) if length else b""

    def _api(self, path: str) -> None:
        sandbox = self.server.sandbox
        fault = sandbox.faults.take(path)
        sandbox._record(path, fault)
        if not sandbox.faults.pass_gate(path, sandbox._stop):
            return self._drop()  # shutting down while held: nothing was read or stored
        if sandbox.faults.latency > 0 and sandbox._stop.wait(sandbox.faults.latency):
            return self._drop()
        if fault and not fault.after:
            if fault.kind == "drop":
                return self._drop()
            if fault.kind == "latency" and sandbox._stop.wait(fault.delay_s):
                return self._drop()  # shutting down: give up without storing
        raw = self._read_body()
        if raw is None:
            return
        if fault and fault.kind == "status" and not fault.after:
            return self._send_fault(fault)
        answer = sandbox.api.handle(path, raw)
        if fault and fault.after:
            if fault.kind == "drop" or (fault.kind == "latency" and sandbox._stop.wait(fault.delay_s)):
                return self._drop()
            if fault.kind == "status":
                return self._send_fault(fault)
        self._send(200, answer)

    def _control(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        raw = self._read_body() if method == "POST" else b""
        if raw is None:
            return
        try:
            body = json.loads(raw or b"null")
            self._send(200, self.server.sandbox._control(method, path, query, body))
        except KeyError:
            self._send(404, {"error": f"no control endpoint {method} {path}"})
        except (TypeError, ValueError) as exc:
            self._send(400, {"error": str(exc)})

    def _send_fault(self, fault: Fault) -> None:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        phrase = HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ else ""
        body = fault.body if fault.body is not None else f"{fault.status} {phrase}\n"
        self._send(fault.status, body, fault.content_type, headers)

    def _send(
        self, status: int, body: Any, content_type: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(body, str):
            content_type = content_type or "text/plain; charset=utf-8"
        else:
            body, content_type = json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8"
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (e.g. its timeout fired); nothing to tell it
            log.debug("sandbox: client went away before the answer was written")

    def _drop(self) -> None:
        self.close_connection = True  # finish() then closes the socket: no status line at all


class Sandbox:
    """A Zyntro-compatible server on loopback; a context manager that starts and stops it."""

    def __init__(self, db_path: str | Path | None = None, port: int = 0, host: str = "127.0.0.1"):
        self.db = SandboxDB(db_path)
        self.creds: SandboxCreds = self.db.seed()
        self.api = SandboxAPI(self.db)
        self.faults = FaultQueue()
        self.host, self.port = host, port
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, db={self.db.path!r})"

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind the port and serve in a background thread."""
        self._server = _Server((self.host, self.port), _Handler)
        self._server.sandbox = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"zyntro-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("sandbox serving on %s (db %s)", self.url, self.db.path)
        return self

    def close(self) -> None:
        """Stop serving, let requests in flight finish (latency faults are cut short), close the database."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=_DRAIN_S)
        self.db.close()

    def __enter__(self) -> Sandbox:
        try:
            return self.start()
        except OSError:
            self.db.close()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    # -- what tests and the CLI use -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give the client (ZYNTRO_BASE_URL)."""
        return f"http://{self.host}:{self.port}"

    def settings_env(self, api_version: str = "v1") -> dict[str, str]:
        """ZYNTRO_* environment variables pointing at this sandbox as its owner member."""
        return {
            "ZYNTRO_BASE_URL": self.url,
            "ZYNTRO_API_VERSION": api_version,
            "ZYNTRO_API_KEY": self.creds.api_key,
            "ZYNTRO_DEVELOPER_SECRET": self.creds.developer_secret,
            "ZYNTRO_ORG_ID": self.creds.org_id,
            "ZYNTRO_MEMBER_ID": self.creds.member_id,
        }

    def zyntro_settings(self, api_version: str = "v1", **overrides: Any) -> ZyntroSettings:
        """ZyntroSettings pointing at this sandbox; `overrides` replace any field."""
        values: dict[str, Any] = {
            "base_url": self.url,
            "api_version": api_version,
            "api_key": self.creds.api_key,
            "developer_secret": self.creds.developer_secret,
            "org_id": self.creds.org_id,
            "member_id": self.creds.member_id,
        }
        return ZyntroSettings(**(values | overrides))

    def profiles(self, contact_id: object | None = None) -> list[dict[str, Any]]:
        """Stored profiles (payload, profile_source, profile_id, created_at, ...), oldest first."""
        return self.db.profiles(str(contact_id) if contact_id else None)

    def contacts(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Contacts in the sandbox, optionally only `seed`, `added` or `bench` ones."""
        return self.db.contacts(kind)

    def add_contact(
        self,
        *,
        name: str,
        email: str | None = None,
        company: str | None = None,
        owner: str | None = None,
        contact_id: str | None = None,
        website: str | None = None,
        linkedin: str | None = None,
        twitter: str | None = None,
        github: str | None = None,
    ) -> str:
        """Add a contact to the active organisation (owned by the owner member unless `owner`); returns its id.

        `website`, `linkedin`, `twitter`, `github` are the contact's own links, as a CRM user typed them
        (URLs, bare domains or handles); fetchContact returns them as cont_website, cont_linkedin, ...
        """
        cid = str(contact_id or uuid.uuid4()).lower()
        links = {"cont_website": website, "cont_linkedin": linkedin, "cont_twitter": twitter, "cont_github": github}
        return self.db.insert_contact(
            cid, self.creds.org_id, owner or self.creds.member_id, name, email, company, links=links
        )

    def webhook_body(self, contact_id: str, *, event: str = "new_contact", event_id: str | None = None) -> bytes:
        """A new_contact event as the sandbox imagines it (Zyntro's real format is undocumented)."""
        body = {
            "event": event,
            "event_id": event_id or str(uuid.uuid4()),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": {"contact_id": str(contact_id), "org_id": self.creds.org_id},
        }
        return json.dumps(body).encode()

    def send_webhook(
        self,
        url: str,
        secret: str,
        contact_id: str,
        *,
        event: str = "new_contact",
        event_id: str | None = None,
        header: str = "X-Zyntro-Signature",
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, Any]:
        """POST a signed event (HMAC-SHA256 of the body, `sha256=<hex>` in `header`) to `url`: (status, answer)."""
        import hashlib
        import hmac
        import urllib.error
        import urllib.request

        raw = body if body is not None else self.webhook_body(contact_id, event=event, event_id=event_id)
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            url,
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json", header: signature, "User-Agent": self.server_version()},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the caller's URL
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        try:
            return status, json.loads(text or b"null")
        except ValueError:
            return status, text.decode("utf-8", "replace")

    @staticmethod
    def server_version() -> str:
        """What the sandbox calls itself in headers."""
        return _Handler.server_version

    def add_contacts(self, n: int, owner: str | None = None) -> list[str]:
        """Add `n` synthetic contacts with deterministic ids (benchmarks); returns their ids."""
        return self.db.insert_bench_contacts(n, self.creds.org_id, owner or self.creds.member_id)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """API requests received so far (method, path, fault, at); control requests are not counted."""
        with self._lock:
            return list(self._requests)

    def _record(self, path: str, fault: Fault | None) -> None:
        entry = {
            "method": "POST",
            "path": path,
            "fault": fault.kind if fault else None,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        with self._lock:
            self._requests.append(entry)

    def _control(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        """Answer a /_sandbox/ control request; KeyError for an unknown one."""
        name = path.removeprefix("/_sandbox/").strip("/")
        if name == "faults" and method == "POST":
            items = body if isinstance(body, list) else [body]
            for item in items:
                if not isinstance(item, dict):
                    raise ValueError('a fault is a JSON object like {"kind": "status", "status": 429}')
                self.faults.push(item)
            return {"pending": self.faults.pending(), "latency": self.faults.latency}
        if name == "latency" and method == "POST":
            self.faults.latency = max(0.0, float((body or {}).get("seconds", 0)))
            return {"latency": self.faults.latency}
        if name == "hold" and method == "POST":
            body = body or {}
            self.faults.hold(body.get("path")) if body.get("on", True) else self.faults.release()
            return {"holding": self.faults.holding, "held": self.faults.held}
        if name == "faults" and method == "DELETE":
            self.faults.clear()
            return {"pending": []}
        if name == "contacts" and method == "POST":
            body = body or {}
            if "count" in body:
                return {"contact_ids": self.add_contacts(int(body["count"]), body.get("owner"))}
            unknown = set(body) - {"name", "email", "company", "owner", "contact_id", *_LINKS}
            if unknown or not body.get("name"):
                raise ValueError(
                    'a contact is {"name": ..., "email", "company", "owner", "contact_id", '
                    '"website", "linkedin", "twitter", "github" optional}'
                    + (f"; unknown keys: {', '.join(sorted(unknown))}" if unknown else "")
                )
            return {"contact_id": self.add_contact(**body)}
        if name == "webhook" and method == "POST":
            body = body or {}
            if not all(isinstance(body.get(k), str) and body[k] for k in ("url", "secret", "contact_id")):
                raise ValueError(
                    'a webhook is {"url": ..., "secret": ..., "contact_id": ..., '
                    '"event", "event_id", "header" optional}'
                )
            extra = {k: body[k] for k in ("event", "event_id", "header") if isinstance(body.get(k), str)}
            status, answer = self.send_webhook(body["url"], body["secret"], body["contact_id"], **extra)
            return {"status": status, "answer": answer}
        if method != "GET":
            raise KeyError(name)
        getters = {
            "faults": lambda: {"pending": self.faults.pending(), "latency": self.faults.latency},
            "hold": lambda: {"holding": self.faults.holding, "held": self.faults.held},
            "profiles": lambda: self.profiles(next(iter(query.get("contact_id") or ()), None)),
            "requests": lambda: self.requests,
            "creds": lambda: (
                self.settings_env()
                | {
                    "other_member_id": self.creds.other_member_id,
                    "contact_ids": list(self.creds.contact_ids),
                    "other_contact_id": self.creds.other_contact_id,
                    "foreign_contact_id": self.creds.foreign_contact_id,
                }
            ),
            "contacts": lambda: self.contacts(next(iter(query.get("kind") or ()), None)),
        }
        return getters[name]()
