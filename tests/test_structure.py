"""The shape of the code: extractors/ never reaches into agent/, and no module-level import cycles."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("agent", "extractors")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _top_level_imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Modules imported at module level (not inside functions): what loading `name` needs loaded.

    `from pkg import mod` needs only pkg.mod when mod is a submodule; `from pkg import thing` needs
    pkg itself (its __init__ run to the end). A submodule importing from its own package (even a
    sibling module by way of the package) counts as needing the package: that is the cycle to avoid.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
                if name.startswith(base + "."):
                    found.add(base)  # reads the half-loaded package a submodule belongs to: a cycle
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)  # TYPE_CHECKING blocks do not run
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)  # module-level conditionals still run at import
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))

    visit(tree.body)
    return found


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        edges = set()
        for target in _top_level_imports(name, path, set(sources)):
            if target in sources and target != name:
                edges.add(target)
            # importing a.b.c loads a and a.b first (already loading when they are our own parents)
            parts = target.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix in sources and prefix != name and not name.startswith(prefix + "."):
                    edges.add(prefix)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_extractor_module_imports_agent():
    offenders = []
    for path in sorted((ROOT / "extractors").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n == "agent" or n.startswith("agent.")]
    assert not offenders, f"extractors/ must not import the agent package: {offenders}"


def test_loading_the_extractors_loads_nothing_from_agent():
    code = (
        "import extractors.registry, extractors.models, sys; "
        "loaded = [m for m in sys.modules if m == 'agent' or m.startswith('agent.')]; "
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_import_graph_has_no_cycles():
    graph = _graph()
    assert "agent.models" in graph and "extractors.models" in graph["agent.models"]
    assert not _cycles(graph), f"module-level import cycles: {_cycles(graph)}"


def test_the_cycle_check_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_every_module_imports():
    import importlib

    for name in sorted(_sources()):
        importlib.import_module(name)


def test_the_two_word_splitters_differ_on_purpose():
    """Grounding keeps "C++" and accents whole; identity matching drops accents and punctuation."""
    from agent.condense.text import terms
    from extractors.facts import norm

    assert terms("José knows C++ and Node.js; Acme's") == ["josé", "knows", "c++", "and", "node.js", "acme"]
    assert norm("José knows C++ and Node.js; Acme's").split() == [
        "jose",
        "knows",
        "c",
        "and",
        "node",
        "js",
        "acme",
        "s",
    ]
