"""Every module declares its public names in __all__, and every name listed there exists."""

import importlib
import pkgutil

import pytest

import agent
import extractors


def _modules():
    for package in (agent, extractors):
        yield package.__name__
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            yield info.name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_all_lists_only_real_names(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        assert name.endswith(("__main__",)) or not [
            n for n in vars(module) if not n.startswith("_") and getattr(vars(module)[n], "__module__", None) == name
        ], f"{name} defines public names but has no __all__"
        return
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ lists names it does not define: {missing}"


def test_the_python_api_is_enrich_and_aenrich():
    from agent import aenrich, enrich
    from agent.runner import aenrich as runner_aenrich
    from agent.runner import enrich as runner_enrich

    assert enrich is runner_enrich and enrich.__doc__
    assert aenrich is runner_aenrich and aenrich.__doc__
