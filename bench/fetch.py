"""Fetch benchmark: a local site of static and JavaScript-only pages, crawled at several concurrencies.

    .venv/bin/python bench/fetch.py [--pages 200] [--latency 0.1] [--concurrency 1 4 8]

The site (a threaded HTTP server on 127.0.0.1, in its own process) serves N pages: half static with
JSON-LD and about 15 KB of text, half app shells whose text only exists once their script has
fetched /api/<n>.json and rendered it. Every response (documents, the script, the JSON) waits
`--latency` seconds in the handler. For each concurrency the benchmark crawls the mix, then the
static half alone, then the JS half alone, with a fresh Fetcher each time (browser launch
included), and prints pages/s, the engine mix, peak memory of the whole process tree (this Python
plus every Chromium and driver process, RSS summed and sampled every 100 ms from /proc; PSS too,
every 500 ms, which counts shared pages once) and the processes left behind. The site's server
process is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.config import FetchSettings, Settings  # noqa: E402
from agent.fetch import Fetcher  # noqa: E402
from agent.fetch.browser import find_chromium  # noqa: E402
from agent.models import Outcome  # noqa: E402
from bench.proctree import TreeSampler, leftovers  # noqa: E402

WORDS = [
    "enrichment",
    "pipeline",
    "contact",
    "company",
    "founder",
    "product",
    "market",
    "customer",
    "engineering",
    "platform",
    "research",
    "growth",
    "partner",
    "analytics",
    "design",
    "open",
    "source",
    "community",
    "release",
]


def _text(n: int, size: int = 15_000) -> str:
    words, out, i = [], 0, 0
    while out < size:
        w = WORDS[(n * 7 + i * 13) % len(WORDS)]
        words.append(w)
        out += len(w) + 1
        i += 1
    return " ".join(words)


def _paragraphs(n: int) -> list[str]:
    text = _text(n)
    return [text[i : i + 600] for i in range(0, len(text), 600)]


def static_html(n: int) -> str:
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": f"Company {n}",
            "url": f"https://company{n}.example",
            "numberOfEmployees": 10 + n,
        }
    )
    body = "".join(f"<p>{p}</p>" for p in _paragraphs(n))
    return (
        f'<!doctype html><html><head><title>Company {n}</title><script type="application/ld+json">{ld}'
        f"</script></head><body><h1>Company {n}</h1>{body}</body></html>"
    )


def app_html(n: int) -> str:
    return (
        "<!doctype html><html><head><title>App</title></head><body><noscript>You need to enable JavaScript "
        'to run this app.</noscript><div id="root"></div><script src="/static/app.js"></script></body></html>'
    )


APP_JS = """
const id = location.pathname.split('/').pop();
fetch('/api/' + id + '.json').then(r => r.json()).then(d => {
  document.title = d.name;
  document.getElementById('root').innerHTML =
    '<h1>' + d.name + '</h1>' + d.paragraphs.map(p => '<p>' + p + '</p>').join('');
});
"""


def _serve(port_queue: multiprocessing.Queue, latency: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK stall

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency)  # simulated network + server latency, per response
            path = self.path.split("?")[0]
            status, ctype, body, extra = 200, "text/html; charset=utf-8", "", {}
            if path.startswith("/static/") and path[8:].isdigit():
                body = static_html(int(path[8:]))
            elif path.startswith("/app/") and path[5:].isdigit():
                body = app_html(int(path[5:]))
            elif path == "/static/app.js":
                ctype, body = "application/javascript", APP_JS
                extra = {"Cache-Control": "public, max-age=3600"}  # a static bundle, as sites serve them
            elif path.startswith("/api/") and path.endswith(".json"):
                n = int(path[5:-5])
                ctype, body = "application/json", json.dumps({"name": f"App {n}", "paragraphs": _paragraphs(n)})
            else:
                status, ctype, body = 404, "text/plain", "not found"
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


async def crawl(
    urls: list[str], concurrency: int, home: Path, browser_pages: int, chromium: str | None
) -> tuple[float, dict, int]:
    """Fetch every URL with `concurrency` in flight; returns elapsed s, stats, failures."""
    settings = Settings(
        home=home,
        allow_private=True,
        chromium=chromium,
        fetch=FetchSettings(
            concurrency=concurrency,
            per_host_concurrency=concurrency,
            delay_s=0.0,
            no_delay_hosts=["127.0.0.1"],
            timeout_s=20.0,
            browser_recycle_pages=100,
            browser_pages=browser_pages,
        ),
    )
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    failures = 0

    async def worker(fetcher: Fetcher) -> None:
        nonlocal failures
        while not queue.empty():
            url = queue.get_nowait()
            result = await fetcher.fetch(url)
            marker = "<h1>App " if "/app/" in url else "<h1>Company "
            if result.outcome is not Outcome.ok or marker not in result.page.html:
                failures += 1
                print(f"  ! {url}: {result.outcome.value} {result.reason}", file=sys.stderr)

    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(worker(fetcher) for _ in range(concurrency)))
        stats = fetcher.stats
    return time.monotonic() - started, stats, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument(
        "--browser-pages",
        type=int,
        default=FetchSettings().browser_pages,
        help="pages rendering at once (fetch.browser_pages)",
    )
    parser.add_argument("--chromium", help="browser executable (default: found as the fetcher finds it)")
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports, args.latency), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    half = args.pages // 2
    static = [f"{base}/static/{i}" for i in range(half)]
    apps = [f"{base}/app/{i}" for i in range(half)]
    mix = [u for pair in zip(static, apps, strict=True) for u in pair]
    home = Path(os.environ.get("TMPDIR", "/tmp")) / "zyntro-bench-home"
    print(
        f"site: {base}, {len(static)} static + {len(apps)} JS pages, {args.latency * 1000:.0f} ms per response, "
        f"browser pages {args.browser_pages}, chromium {find_chromium(args.chromium)}"
    )
    header = (
        f"{'conc':>4} {'workload':<8} {'pages':>5} {'secs':>6} {'pages/s':>8} {'http':>5} {'browser':>7} "
        f"{'fail':>4} {'peak RSS MB':>11} {'peak PSS MB':>11} {'leftover':>8}"
    )
    print(header)
    for concurrency in args.concurrency:
        for name, urls in (("mix", mix), ("static", static), ("js", apps)):
            with TreeSampler(exclude={server.pid}) as sampler:
                secs, stats, failures = asyncio.run(crawl(urls, concurrency, home, args.browser_pages, args.chromium))
            left = leftovers({server.pid})
            engines = stats["by_engine"]
            print(
                f"{concurrency:>4} {name:<8} {len(urls):>5} {secs:>6.1f} {len(urls) / secs:>8.1f} "
                f"{engines['http']:>5} {engines['browser']:>7} {failures:>4} {sampler.peak_rss / 1024:>11.0f} "
                f"{sampler.peak_pss / 1024:>11.0f} {left:>8}",
                flush=True,
            )
    server.terminate()
    server.join()


if __name__ == "__main__":
    main()
