"""Sign-in, sessions and CSRF for the review pages.

- Sign-in: the server's token (ServeState.token_ok) and the person's name, typed into /signin. The
  name is recorded as "who" on every decision. The token is checked first: the right one always signs
  in. Only failures are throttled, per client address (Throttle): past the limit a wrong token gets
  429 instead of 403 until the oldest failure leaves the window. There is no overall cap, so nobody can
  lock the others out by failing on purpose; what protects the token is its length (a generated one
  is 32 characters, a configured one at least 16: agent.config). The address is the one uvicorn sees:
  behind a reverse proxy, set FORWARDED_ALLOW_IPS to the proxy's address so it is read from
  X-Forwarded-For (`serve --help`), else every person shares the proxy's address and its limit.
  The throttle is in memory: a restart forgets it.
- Session: a cookie signed with ServeState.session_key (itsdangerous), HttpOnly, SameSite=Strict,
  Secure over https, expiring after settings.serve.session_hours. It carries the person's name, a
  per-session CSRF token, a session id and part of the sign-in token's digest, so a new token signs
  everybody out. Signing out puts the session id on an in-memory list of signed-out sessions: a
  restart forgets that list, so a signed-out cookie someone kept works again after a restart until
  it expires (session_hours bounds it); change the token to sign everybody out for good.
- CSRF: every POST must carry the session's token in a `csrf` form field (compared in constant
  time); the sign-in form carries the token of a short-lived pre-session cookie instead. The check
  is made here, before any page handler runs, so no form can be forgotten.
- Without a session a GET is sent to /signin and any other request gets 403.
Paths of their own are left alone: /healthz, /static/, and the webhook /hooks/ (signed by Zyntro).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from agent.review.state import ServeState

__all__ = [
    "SESSION_COOKIE",
    "SIGNIN_COOKIE",
    "Auth",
    "Session",
    "Throttle",
    "current",
    "middleware",
    "routes",
    "safe_path",
]

SESSION_COOKIE = "ze_session"
SIGNIN_COOKIE = "ze_signin"  # the pre-session cookie holding the sign-in form's CSRF token
_PUBLIC = ("/static/", "/hooks/")
_MAX_FORM_BYTES = 2 * 1024 * 1024  # an edit of 30 keys of 1,000 characters is far below this
_SIGNIN_MAX_AGE_S = 3600
_NAME_MAX = 80


@dataclass(frozen=True)
class Session:
    """A signed-in person: their name, the session's CSRF token and its id (for sign-out)."""

    who: str
    csrf: str
    sid: str


@dataclass
class Throttle:
    """Failed sign-ins of each client address: past `per_client` within `window_s` seconds, further
    failures are refused (429) until the oldest one is older than the window. Successes are never
    throttled, and there is no overall limit (see the module docstring)."""

    per_client: int = 5
    window_s: float = 600.0
    max_clients: int = 10_000  # bounded memory against many addresses
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _trim(self, times: deque[float], now: float) -> None:
        while times and now - times[0] > self.window_s:
            times.popleft()

    def wait_s(self, client: str, now: float | None = None) -> float:
        """Seconds before this client's next failure is taken as a 403 again (0: not throttled)."""
        now = time.monotonic() if now is None else now
        mine = self._failures.get(client)
        if mine is None:
            return 0.0
        self._trim(mine, now)
        if not mine:
            del self._failures[client]
            return 0.0
        return max(0.0, self.window_s - (now - mine[0])) if len(mine) >= self.per_client else 0.0

    def failed(self, client: str, now: float | None = None) -> None:
        """Count a failure (one refused as throttled is not counted: a client's record stays bounded)."""
        now = time.monotonic() if now is None else now
        mine = self._failures.pop(client, None) or deque(maxlen=self.per_client)
        mine.append(now)
        self._failures[client] = mine  # most recently failed last: the oldest client is dropped first
        while len(self._failures) > self.max_clients:
            self._failures.pop(next(iter(self._failures)))

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


class Auth:
    """The sign-in machinery of one app: cookie signing, the throttle, sessions signed out here."""

    def __init__(self, state: ServeState) -> None:
        self.state = state
        self.max_age_s = int(state.settings.serve.session_hours * 3600)
        self._sessions = URLSafeTimedSerializer(state.session_key, salt="zyntro-enrich.session")
        self._signin = URLSafeTimedSerializer(state.session_key, salt="zyntro-enrich.signin")
        self.throttle = Throttle()
        self._signed_out: set[str] = set()

    def session(self, conn: HTTPConnection) -> Session | None:
        """The request's valid session, or None."""
        raw = conn.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._sessions.loads(raw, max_age=self.max_age_s)
        except BadSignature:
            return None
        if (
            not isinstance(data, dict)
            or data.get("t") != self.state.token_sha256[:16]
            or data.get("sid") in self._signed_out
        ):
            return None
        return Session(who=str(data.get("who", "")), csrf=str(data.get("csrf", "")), sid=str(data.get("sid", "")))

    def signin_csrf(self, conn: HTTPConnection) -> str | None:
        """The sign-in form's CSRF token from the pre-session cookie, or None."""
        raw = conn.cookies.get(SIGNIN_COOKIE)
        if not raw:
            return None
        try:
            return str(self._signin.loads(raw, max_age=_SIGNIN_MAX_AGE_S))
        except BadSignature:
            return None

    def signin_cookie(self, response: Response, request: Request, token: str) -> None:
        """Set the pre-session cookie holding the sign-in form's CSRF token."""
        response.set_cookie(
            SIGNIN_COOKIE,
            self._signin.dumps(token),
            max_age=_SIGNIN_MAX_AGE_S,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def start(self, response: Response, request: Request, who: str) -> None:
        """Sign `who` in: set the session cookie, drop the pre-session one."""
        data = {
            "who": who,
            "csrf": secrets.token_urlsafe(24),
            "sid": secrets.token_urlsafe(12),
            "t": self.state.token_sha256[:16],
        }
        response.set_cookie(
            SESSION_COOKIE,
            self._sessions.dumps(data),
            max_age=self.max_age_s,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        response.delete_cookie(SIGNIN_COOKIE, path="/")

    def end(self, response: Response, session: Session | None) -> None:
        """Sign out: this session's cookie stops working here, and is deleted from the browser."""
        if session is not None:
            self._signed_out.add(session.sid)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def current(request: Request) -> Session:
    """The signed-in person of a page request (the middleware let it through, so there is one)."""
    return request.scope["ze.session"]


def _auth(request: Request) -> Auth:
    return request.scope["ze.auth"]


def _refuse(why: str) -> Response:
    return PlainTextResponse(f"403 forbidden: {why}\n", status_code=403)


class AuthMiddleware:
    """Sessions and CSRF in front of every page (see the module docstring)."""

    def __init__(self, app: ASGIApp, auth: Auth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz" or scope["path"].startswith(_PUBLIC):
            await self.app(scope, receive, send)
            return
        scope["ze.auth"] = self.auth
        conn = HTTPConnection(scope)
        signin = scope["path"] == "/signin"
        session = None if signin else self.auth.session(conn)
        if session is None and not signin:
            if scope["method"] in ("GET", "HEAD"):
                query = scope["query_string"].decode("latin-1")
                target = scope["path"] + (f"?{query}" if query else "")
                await RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)(scope, receive, send)
            else:
                await _refuse("sign in first")(scope, receive, send)
            return
        scope["ze.session"] = session
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        expected = self.auth.signin_csrf(conn) if signin else session.csrf  # type: ignore[union-attr]
        typed = _csrf_field(conn, body)
        if (
            body is None
            or expected is None
            or typed is None
            or not hmac.compare_digest(typed.encode(), expected.encode())
        ):
            why = (
                "the form is too large"
                if body is None
                else "the sign-in form expired: reload it"
                if signin and expected is None
                else "the form's CSRF token is missing or wrong: reload the page and try again"
            )
            await _refuse(why)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is over the form size limit."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _csrf_field(conn: HTTPConnection, body: bytes | None) -> str | None:
    """The `csrf` field of a URL-encoded form (the only kind the pages send)."""
    if (
        body is None
        or conn.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded"
    ):
        return None
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if name == "csrf":
            return value
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def middleware(state: ServeState) -> list[Middleware]:
    """The app's sign-in middleware over this server's state."""
    return [Middleware(AuthMiddleware, auth=Auth(state))]


# the sign-in and sign-out pages -----------------------------------------------------------------


def safe_path(target: str | None) -> str:
    """A path on this site to go to after a form (never //host, a scheme, or hidden characters); else "/"."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or any(c == "\\" or c.isspace() or not c.isprintable() for c in target)
    ):
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


async def signin_page(request: Request) -> Response:
    """GET: the sign-in form; POST: check the token and the name, then start a session."""
    auth = _auth(request)
    nxt = safe_path(request.query_params.get("next"))
    if request.method == "GET":
        if auth.session(request) is not None:
            return RedirectResponse(nxt, status_code=303)
        return _signin_form(request, auth, nxt)
    form = await request.form()
    nxt = safe_path(str(form.get("next") or "/"))
    name = " ".join("".join(c for c in str(form.get("who", "")) if c.isprintable() or c.isspace()).split())[:_NAME_MAX]
    client = _client(request)
    if not auth.state.token_ok(str(form.get("token", ""))):  # the right token is never throttled
        wait = auth.throttle.wait_s(client)
        if wait > 0:
            return _signin_form(
                request,
                auth,
                nxt,
                name,
                status=429,
                error="Too many failed sign-ins from here: that token is not this server's token "
                f"either, and wrong ones are refused for {int(wait // 60) + 1} minutes.",
            )
        auth.throttle.failed(client)
        return _signin_form(request, auth, nxt, name, status=403, error="That token is not this server's token.")
    if not name:
        return _signin_form(
            request, auth, nxt, name, status=400, error="Type your name: it is recorded with every decision you make."
        )
    auth.throttle.succeeded(client)
    response = RedirectResponse(nxt, status_code=303)
    auth.start(response, request, name)
    return response


def _signin_form(
    request: Request, auth: Auth, nxt: str, name: str = "", status: int = 200, error: str = ""
) -> Response:
    from agent.review.html import render

    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", status=status, next=nxt, typed_name=name, error=error, csrf=token)
    auth.signin_cookie(response, request, token)
    return response


async def signout(request: Request) -> Response:
    """POST: end the session."""
    response = RedirectResponse("/signin", status_code=303)
    _auth(request).end(response, request.scope.get("ze.session"))
    return response


def routes() -> list[Route]:
    """/signin (GET, POST) and /signout (POST)."""
    return [Route("/signin", signin_page, methods=["GET", "POST"]), Route("/signout", signout, methods=["POST"])]
