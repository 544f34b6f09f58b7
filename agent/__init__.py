"""zyntro-enrich: public pages in, grounded Zyntro profiles out.

The Python API is one function, `agent.enrich(contact, urls, ...)` (see agent.runner.enrich).
"""

__version__ = "0.1.0"
__all__ = ["enrich", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import agent.models` (used by the pure extractors) stays light.
    if name == "enrich":
        from agent.runner import enrich

        return enrich
    raise AttributeError(name)
