"""zyntro-enrich: public pages in, grounded Zyntro profiles out.

The Python API: `agent.enrich(contact, urls, ...)` for scripts and `await agent.aenrich(contact, urls, ...)`
inside an event loop (Jupyter, FastAPI); see agent.runner.
"""

__version__ = "0.1.0"
__all__ = ["aenrich", "enrich", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import agent.models` (used by the pure extractors) stays light.
    if name in ("enrich", "aenrich"):
        from agent import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
