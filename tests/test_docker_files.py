"""The Dockerfile and the compose example, checked statically (no image can be pulled here): Debian's
Chromium and the package installed, the data directory on a volume, the CLI as entrypoint, no secret
baked in or copied into the build context."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("ZYNTRO_API_KEY", "ZYNTRO_DEVELOPER_SECRET", "OPENAI_API_KEY")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _env(instructions) -> dict[str, str]:
    env = {}
    for word, rest in instructions:
        if word == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return env


def test_dockerfile_installs_debian_chromium_and_the_package():
    steps = _instructions()
    assert steps[0][0] == "FROM" and "bookworm" in steps[0][1]  # Debian, so apt-get has chromium
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert re.search(r"apt-get install .*\bchromium(-headless-shell)?\b", runs)
    assert "pip install --no-cache-dir ." in runs
    assert _env(steps)["ZYNTRO_ENRICH_CHROMIUM"] in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
    copied = {rest.split()[0] for word, rest in steps if word == "COPY"}
    assert {"agent", "extractors", "prompts"} <= copied | {c.split()[0] for c in copied}


def test_dockerfile_keeps_the_data_directory_on_a_volume_and_runs_the_cli():
    steps = _instructions()
    home = _env(steps)["ZYNTRO_ENRICH_HOME"]
    (volume,) = [json.loads(rest) for word, rest in steps if word == "VOLUME"]
    assert home in volume
    (entrypoint,) = [json.loads(rest) for word, rest in steps if word == "ENTRYPOINT"]
    assert entrypoint[-1] == "zyntro-enrich"  # exec form: signals reach the agent (through tini)
    (cmd,) = [json.loads(rest) for word, rest in steps if word == "CMD"]
    assert cmd[0] in ("schedule", "refresh")
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_no_secret_is_baked_into_the_image_or_the_context():
    steps = _instructions()
    for word, rest in steps:
        if word in ("ENV", "ARG", "LABEL"):
            assert not any(name in rest for name in SECRETS), rest
        if word in ("COPY", "ADD"):
            assert ".env" not in rest and not rest.startswith(". ")  # never the whole context
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", "*.env", ".venv", "*.sqlite3"} <= set(ignored)


def test_compose_example_uses_an_env_file_and_the_same_volume():
    text = (ROOT / "compose.example.yaml").read_text()
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    home = _env(_instructions())["ZYNTRO_ENRICH_HOME"]
    assert re.search(r"^\s+env_file:\s*\n\s+- \S+\.env$", body, flags=re.M)
    assert re.search(rf"^\s+- [\w-]+:{re.escape(home)}$", body, flags=re.M)  # a named volume on the home
    assert re.search(rf"ZYNTRO_ENRICH_HOME: {re.escape(home)}$", body, flags=re.M)
    for name in SECRETS:  # named in comments at most, never given a value
        assert name not in body
