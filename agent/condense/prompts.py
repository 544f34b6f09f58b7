"""Prompt templates as files in prompts/, rendered strictly with string.Template.

A template rendered with a missing variable, or given a variable it does not use, is a PromptError
naming every offender: crawl4ai-style `str.replace` filling silently leaves `{VAR}` behind, and an
unused variable usually means the template and the code drifted apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from string import Template

import prompts as prompts_package
from agent.errors import PromptError

__all__ = ["PROMPTS_DIR", "PROMPT_FILES", "load_template", "prompt_version", "render"]

# The top-level prompts/ folder, a package so that a plain (non-editable) install ships it too.
PROMPTS_DIR = Path(prompts_package.__file__).resolve().parent
# Every template the LLM condenser uses; prompt_version hashes all of them.
PROMPT_FILES = ("condense_system", "condense_user", "condense_reask")


def load_template(name: str, prompts_dir: Path | None = None) -> Template:
    """The template prompts/<name>.txt, or PromptError when it is missing or malformed."""
    path = (prompts_dir or PROMPTS_DIR) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise PromptError(f"prompt template {path} is missing: restore it from the repository") from None
    template = Template(text)
    if not template.is_valid():
        raise PromptError(f"prompt template {path} has a malformed placeholder: write a literal dollar sign as $$")
    return template


def render(name: str, variables: Mapping[str, str], prompts_dir: Path | None = None) -> str:
    """Render prompts/<name>.txt with exactly these variables (PromptError on missing or unused)."""
    template = load_template(name, prompts_dir)
    wanted = set(template.get_identifiers())
    missing = sorted(wanted - set(variables))
    unused = sorted(set(variables) - wanted)
    if missing or unused:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unused:
            parts.append("unused " + ", ".join(unused))
        raise PromptError(
            f"prompt template {name}.txt rendered with wrong variables ({'; '.join(parts)}): "
            "make the template and the code agree"
        )
    return template.substitute({k: str(v) for k, v in variables.items()})


def prompt_version(names: Iterable[str] = PROMPT_FILES, prompts_dir: Path | None = None) -> str:
    """sha256[:12] over the named templates (name and content), recorded on every draft."""
    digest = hashlib.sha256()
    for name in names:
        path = (prompts_dir or PROMPTS_DIR) / f"{name}.txt"
        try:
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            raise PromptError(f"prompt template {path} is missing: restore it from the repository") from None
    return digest.hexdigest()[:12]
