"""`zyntro-enrich serve`: the review pages, Zyntro's webhook and a health endpoint, in one process.

    zyntro-enrich serve                     http://127.0.0.1:8780 (sign in with the token)
    zyntro-enrich serve --host 0.0.0.0      only with a configured token (ZYNTRO_ENRICH_SERVE_TOKEN)
    zyntro-enrich serve --new-token         replace the generated token (printed once)

Sign-in token: ZYNTRO_ENRICH_SERVE_TOKEN (or `token` under [serve] in the config file). Without one,
a token is generated on the first start and printed once; the state keeps only its hash.
Webhook: set ZYNTRO_ENRICH_WEBHOOK_SECRET to Zyntro's signing secret to turn on POST /hooks/zyntro.
A configured token and the webhook secret are stripped of surrounding whitespace, and each must then
be at least 16 characters long (exit 2 otherwise).

Behind a reverse proxy (nginx, Caddy, a load balancer): uvicorn takes the client's address and
https from X-Forwarded-For and X-Forwarded-Proto only when the request comes from an address in
FORWARDED_ALLOW_IPS (default 127.0.0.1,::1). A proxy on another machine needs it, e.g.
FORWARDED_ALLOW_IPS=10.0.0.5; otherwise failed sign-ins are throttled per the proxy's address (all
people share one limit) and session cookies are not marked Secure. Never set it to * when the
port is reachable other than through the proxy: anyone could then claim any address.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import signal
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agent.config import Settings
from agent.errors import UsageError

if TYPE_CHECKING:
    from agent.store import Store

# Heavier modules (starlette, uvicorn, jinja2) are imported inside `run`: --help must stay quick.

__all__ = ["register", "run", "sign_in_keys"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="review pages, Zyntro webhook and health endpoint (127.0.0.1:8780)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1; another needs a configured token)")
    p.add_argument("--port", type=int, help="port (default 8780; 0 picks a free one)")
    p.add_argument("--new-token", action="store_true", help="generate a new sign-in token (the old one stops working)")
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="accept webhook events but do not enrich them here (another serve process works the queue)",
    )
    p.set_defaults(func=run)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def sign_in_keys(settings: Settings, store: Store, new_token: bool = False) -> tuple[str, str, str | None]:
    """(token digest, session key, the token to print once or None) for this server."""
    from agent.review.state import token_digest
    from agent.store_review import server_key, set_server_key

    session_key, _ = server_key(store, "session_key")
    if settings.serve.token is not None:
        if new_token:
            raise UsageError(
                "--new-token makes a token only when none is configured: change "
                "ZYNTRO_ENRICH_SERVE_TOKEN (or [serve] token) instead"
            )
        return token_digest(settings.serve.token.get_secret_value()), session_key, None
    import secrets

    digest, created = server_key(store, "token_sha256")
    if created or new_token:
        token = secrets.token_urlsafe(24)
        set_server_key(store, "token_sha256", token_digest(token))
        return token_digest(token), session_key, token
    return digest, session_key, None


def run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.store import Store

    host = args.host or settings.serve.host
    port = settings.serve.port if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a TCP port: give 1-65535, or 0 for a free one")
    if not _loopback(host) and settings.serve.token is None:
        raise UsageError(
            f"refusing to listen on {host} without a configured sign-in token: set "
            "ZYNTRO_ENRICH_SERVE_TOKEN (a long random string) or [serve] token, or bind 127.0.0.1"
        )
    import uvicorn

    from agent.review.web import create_app

    with Store.for_settings(settings) as store:
        token_digest, session_key, token = sign_in_keys(settings, store, args.new_token)
        app = create_app(settings, store, token_digest, session_key, worker=not args.no_worker)
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, server_header=False, lifespan="on"
        )
        server = uvicorn.Server(config)
        _announce(server, host, token, settings)
        with _quiet_stop():
            server.run()
    return 0


class _Stop(Exception):
    """Ctrl-C or SIGTERM after uvicorn shut down cleanly: a normal end (exit 0), not a crash."""


@contextlib.contextmanager
def _quiet_stop() -> Iterator[None]:
    # uvicorn handles the signal (graceful shutdown: the worker puts its event back in the queue), then
    # raises it again with the handlers it found; these end the command with exit 0 instead of -15 / 130.
    def stop(signum: int, frame: object) -> None:
        raise _Stop

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except (_Stop, KeyboardInterrupt):
        log.info("serve stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _announce(server: object, host: str, token: str | None, settings: Settings) -> None:
    """Say where to go and how to sign in, once the socket is bound (port 0 is resolved then)."""
    import uvicorn

    original = uvicorn.Server.startup

    async def startup(self: uvicorn.Server, sockets: list | None = None) -> None:
        await original(self, sockets=sockets)
        bound = [s.getsockname() for srv in self.servers for s in srv.sockets]
        port = bound[0][1] if bound else self.config.port
        shown = f"[{host}]" if ":" in host else host
        print(f"zyntro-enrich serve: http://{shown}:{port}/ (Ctrl-C stops)", flush=True)
        if token is not None:
            print(f"sign-in token (shown once; keep it, or run `serve --new-token`): {token}", flush=True)
        elif settings.serve.token is None:
            print(
                "sign in with the token printed when it was generated (`serve --new-token` makes a new one)", flush=True
            )
        hook = (
            "on: POST /hooks/zyntro"
            if settings.serve.webhook_secret
            else "off (set ZYNTRO_ENRICH_WEBHOOK_SECRET to turn it on)"
        )
        print(f"webhook {hook}", flush=True)

    server.startup = startup.__get__(server)  # type: ignore[attr-defined]
    sys.stdout.flush()
