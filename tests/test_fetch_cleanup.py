"""No Chromium outlives its run: after an exception, and after Ctrl-C in the middle of a page.

Every browser the fetcher starts carries ZYNTRO_ENRICH_BROWSER_TAG=<pid>.<pool>.<n>/ in its
environment (inherited by all of its helper processes), so survivors can be found in /proc even
after they were re-parented.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.fetch.browser import tagged_processes
from agent.models import Outcome
from tests.support.fetch import Reply, js_page

ROOT = Path(__file__).resolve().parents[1]


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_exception_inside_the_run_leaves_no_chromium(site, aio, fetch_settings):
    from agent.fetch import Fetcher

    url = site.add(site.unique(), Reply(js_page("before the crash")))
    mine = f"{os.getpid()}."
    before = set(tagged_processes(mine))
    seen: list[int] = []

    async def crash():
        async with Fetcher(fetch_settings()) as fetcher:
            result = await fetcher.fetch(url)
            assert result.outcome is Outcome.ok and result.engine == "browser"
            seen.extend(set(tagged_processes(mine)) - before)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        aio.run(crash())
    assert seen, "the browser should have been running inside the block"
    assert set(tagged_processes(mine)) - before == set()


def _stalled_fetch(site, tmp_path, *args: str) -> tuple[subprocess.Popen, str, threading.Event]:
    """`zyntro-enrich fetch` in a child process on a page whose script never arrives until released.

    Nothing here races a clock: the script is held by the server until the test lets go, and the
    page timeout is far longer than any test, so the signal always lands while the page is open.
    """
    hold = threading.Event()
    stalled = site.unique("stalled")
    site.add(stalled, Reply("1;", content_type="application/javascript", hold=hold))
    url = site.add(site.unique(), Reply(js_page("never", script_src=stalled)))
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\ntimeout_s = 3600\n")
    env = {
        **os.environ,
        "ZYNTRO_ENRICH_ALLOW_PRIVATE": "1",
        "ZYNTRO_ENRICH_DELAY": "0",
        "ZYNTRO_ENRICH_HOME": str(tmp_path / "home"),
        "ZYNTRO_ENRICH_CONFIG": str(config),
        "PYTHONPATH": str(ROOT),
    }
    code = "import sys, agent.cli as c; c.COMMANDS = ['fetch']; sys.exit(c.main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "fetch", url, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, stalled, hold


def test_ctrl_c_during_a_page_leaves_no_chromium(site, tmp_path):
    proc, stalled, hold = _stalled_fetch(site, tmp_path)
    try:
        # The browser is up and waiting on the stalled script once the site sees that request.
        assert _wait_for(lambda: site.hit_count(stalled) > 0, 60), "the page never reached the browser"
        assert tagged_processes(f"{proc.pid}."), "Chromium should be running now"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        hold.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err.decode()[-500:]
    assert b"interrupted" in err
    assert _wait_for(lambda: not tagged_processes(f"{proc.pid}."), 20)


def test_sigterm_during_a_page_leaves_no_chromium(site, tmp_path):
    proc, stalled, hold = _stalled_fetch(site, tmp_path, "--browser")
    try:
        assert _wait_for(lambda: site.hit_count(stalled) > 0, 60), "the page never reached the browser"
        proc.terminate()
        proc.communicate(timeout=60)
    finally:
        hold.set()
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not tagged_processes(f"{proc.pid}."), 20)


def test_chromium_never_sees_our_secrets(site, aio, fetch_settings, monkeypatch):
    from agent.fetch import Fetcher

    monkeypatch.setenv("OPENAI_API_KEY", "sk-browser-must-not-see-this")
    monkeypatch.setenv("ZYNTRO_API_KEY", "zk-browser-must-not-see-this")
    url = site.add(site.unique(), Reply(js_page("secret check")))
    mine = f"{os.getpid()}."
    before = set(tagged_processes(mine))
    environs: list[bytes] = []

    async def look():
        async with Fetcher(fetch_settings()) as fetcher:
            result = await fetcher.fetch(url)
            assert result.engine == "browser"
            for pid in set(tagged_processes(mine)) - before:
                environs.append(Path(f"/proc/{pid}/environ").read_bytes())

    aio.run(look())
    assert environs, "the browser should have been running"
    assert not any(b"must-not-see-this" in env for env in environs)
