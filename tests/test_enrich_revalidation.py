"""An unchanged page costs one cheap request: enrich sends the stored ETag and reuses the stored page on 304."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.cli import main

PAGE = b"""<!DOCTYPE html><html><head><title>About Lanternfly Studio</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization",
"name": "Lanternfly Studio", "foundingDate": "2019", "description": "Lanternfly Studio designs museum exhibits.",
"address": {"@type": "PostalAddress", "addressLocality": "Porto"}}</script></head>
<body><main><h1>Lanternfly Studio</h1><p>Lanternfly Studio designs museum exhibits.</p></main></body></html>"""


@pytest.fixture
def etag_site():
    seen: list[tuple[str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers.get("If-None-Match")))
            if self.path != "/about":
                self.send_response(404)
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/about", seen
    server.shutdown()
    server.server_close()


def test_second_enrich_revalidates_with_the_stored_etag(etag_site, capsys, monkeypatch):
    url, seen = etag_site
    monkeypatch.setenv("ZYNTRO_ENRICH_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ZYNTRO_ENRICH_DELAY", "0")
    args = [
        "enrich",
        url,
        "--contact-id",
        "0b0e3e46-2a8f-4c47-9d1c-6d0f7e1c2a11",
        "--company",
        "Lanternfly Studio",
        "--dry-run",
        "--json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"][0]
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)["contacts"][0]["profiles"][0]

    pages = [inm for path, inm in seen if path == "/about"]
    assert pages == [None, '"v1"']  # the second visit sent If-None-Match and got a 304
    assert second["sources"][0]["outcome"] == "ok"
    assert second["payload"] == first["payload"]  # built from the stored copy
    assert first["payload"]["name"] == "Lanternfly Studio" and first["payload"]["founded"] == 2019
