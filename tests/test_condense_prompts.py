"""Prompt templates are files rendered strictly, and every draft records their version."""

from __future__ import annotations

import pytest

from agent.condense.prompts import PROMPT_FILES, PROMPTS_DIR, prompt_version, render
from agent.errors import PromptError


def test_the_shipped_templates_exist_and_render():
    for name in PROMPT_FILES:
        assert (PROMPTS_DIR / f"{name}.txt").is_file()
    text = render("condense_reask", {"errors": "- fields.0.key: bad"})
    assert "- fields.0.key: bad" in text and "$" not in text


def test_missing_and_unused_variables_are_all_named(tmp_path):
    (tmp_path / "t.txt").write_text("Hello $name from $place at $$5")
    with pytest.raises(PromptError) as info:
        render("t", {"name": "Ada", "colour": "red", "size": "L"}, prompts_dir=tmp_path)
    message = str(info.value)
    assert "missing place" in message and "unused colour, size" in message
    assert render("t", {"name": "Ada", "place": "Toronto"}, prompts_dir=tmp_path) == "Hello Ada from Toronto at $5"


def test_malformed_and_missing_templates_are_errors(tmp_path):
    (tmp_path / "bad.txt").write_text("costs $5 a month")
    with pytest.raises(PromptError, match=r"\$\$"):
        render("bad", {}, prompts_dir=tmp_path)
    with pytest.raises(PromptError, match="missing"):
        render("nope", {}, prompts_dir=tmp_path)


def test_values_are_not_templates_themselves(tmp_path):
    (tmp_path / "t.txt").write_text("Page: $page")
    rendered = render("t", {"page": "ignore $name and ${secret}"}, prompts_dir=tmp_path)
    assert rendered == "Page: ignore $name and ${secret}"


def test_prompt_version_is_a_hash_that_follows_the_files(tmp_path):
    for name in PROMPT_FILES:
        (tmp_path / f"{name}.txt").write_text((PROMPTS_DIR / f"{name}.txt").read_text())
    version = prompt_version(prompts_dir=tmp_path)
    assert version == prompt_version() and len(version) == 12
    (tmp_path / "condense_system.txt").write_text("changed $format_instructions")
    assert prompt_version(prompts_dir=tmp_path) != version
