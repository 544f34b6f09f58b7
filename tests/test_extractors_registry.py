"""The registry: one door for built-ins and plugins, routing most specific first, duplicates refused."""

from __future__ import annotations

import sys
import textwrap

import pytest

from agent.models import Extraction, Outcome
from extractors import registry
from extractors.base import Extractor
from extractors.linkedin import LinkedInExtractor
from extractors.registry import extractors, register, route, unregister


class _Example(Extractor):
    name = "example-site"
    profile_source = "Example"
    needs_browser = False

    def matches(self, url: str) -> bool:
        return url.startswith("https://www.harbourlight.example/")

    def parse(self, page):
        return Extraction(url=page.url, extractor=self.name, profile_source=self.profile_source, outcome=Outcome.ok)


@pytest.fixture
def clean_registry():
    yield
    registry.reset()


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://www.linkedin.com/in/mara-lindqvist-7b2a1", "linkedin"),
        ("https://se.linkedin.com/company/nordvik-robotics", "linkedin"),
        ("https://www.linkedin.com/", "linkedin"),
        ("https://x.com/maralindqvist", "twitter"),
        ("https://twitter.com/maralindqvist", "twitter"),
        ("https://mobile.twitter.com/maralindqvist", "twitter"),
        ("https://github.com/tobiasokafor", "github"),
        ("https://github.com/orgs/lumencraft/people", "github"),
        ("https://github.com/tobiasokafor/tinylex", "generic"),
        ("https://github.com/features", "generic"),
        ("https://noor.github.io/notes/2024", "personal"),
        ("https://www.harbourlight.example/", "company"),
        ("https://www.harbourlight.example/about-us/", "company"),
        ("https://www.harbourlight.example/team", "company"),
        ("https://www.harbourlight.example/contact.html", "company"),
        ("https://www.harbourlight.example/blog/tides", "generic"),
        ("https://medium.com/@someone", "generic"),
        ("https://medium.com/", "generic"),
        ("http://fieldnotes.example/posts/x", "generic"),
    ],
)
def test_routing_table(url, name):
    assert route(url).name == name


@pytest.mark.parametrize("url", ["ftp://example.org/", "mailto:a@b.example", "example.org/about", "", "https://"])
def test_only_http_urls_are_routed(url):
    with pytest.raises(ValueError, match="http"):
        route(url)


def test_builtins_are_registered_most_specific_first():
    names = [e.name for e in extractors()]
    assert names == ["linkedin", "twitter", "github", "personal", "company", "generic"]
    assert len(registry.BUILTINS) == len(names)
    for extractor in extractors():
        assert extractor.needs_browser in (True, False, None)
        assert extractor.profile_source


def test_duplicate_names_fail(clean_registry):
    with pytest.raises(ValueError, match="already registered"):
        register(LinkedInExtractor())


def test_a_plugin_goes_before_the_web_heuristics(clean_registry):
    register(_Example)  # a class is accepted and instantiated
    assert route("https://www.harbourlight.example/about").name == "example-site"
    assert route("https://www.linkedin.com/in/x").name == "linkedin"
    unregister("example-site")
    assert route("https://www.harbourlight.example/about").name == "company"


def test_something_that_is_not_an_extractor_is_refused(clean_registry):
    with pytest.raises(TypeError, match="not an extractor"):
        register(object())


def test_installed_entry_point_plugins_load_through_the_same_door(tmp_path, monkeypatch, clean_registry):
    (tmp_path / "harbour_plugin.py").write_text(
        textwrap.dedent("""
        from agent.models import Extraction, Outcome
        from extractors.base import Extractor

        class HarbourExtractor(Extractor):
            name = "harbour"
            profile_source = "Harbour"
            def matches(self, url):
                return "harbourlight.example" in url
            def parse(self, page):
                return Extraction(url=page.url, extractor=self.name, profile_source="Harbour", outcome=Outcome.ok)
        """)
    )
    dist = tmp_path / "harbour_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: harbour-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        f"[{registry.ENTRY_POINT_GROUP}]\nharbour = harbour_plugin:HarbourExtractor\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.reset()
    assert route("https://www.harbourlight.example/").name == "harbour"
    assert [e.name for e in extractors()][-1] == "generic"
    monkeypatch.delitem(sys.modules, "harbour_plugin", raising=False)
