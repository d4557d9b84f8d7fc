"""envgraph: knowledge graphs of environmental cooperation from multilingual texts.

The public API (imported lazily, so ``import envgraph`` stays cheap):

    >>> import envgraph
    >>> sorted(envgraph.__all__)[:3]
    ['Extractor', '__version__', 'build']

* :func:`build` — extract a folder of texts into a store; :func:`extract_corpus` — in memory;
* :func:`open_store` — the embedded store (a folder) or a SPARQL server (a URL), with
  ``.query(sparql, bindings)`` → rows / ``.to_dataframe()``, and ``.dataset()`` → rdflib Dataset;
* :func:`run_query` — a named query of data/queries with bound parameters;
* :func:`to_networkx` — the graph as a NetworkX MultiDiGraph; :func:`render_html` — the page;
* :func:`materialise` — reasoning into ``g:inferred``; :func:`export` / :func:`import_file` — exchange.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "build": "envgraph.pipeline",
    "extract": "envgraph.pipeline",
    "extract_corpus": "envgraph.pipeline",
    "Extractor": "envgraph.pipeline",
    "open_store": "envgraph.store",
    "run_query": "envgraph.queries",
    "to_networkx": "envgraph.network",
    "render_html": "envgraph.render",
    "materialise": "envgraph.reason",
    "export": "envgraph.exchange",
    "import_file": "envgraph.exchange",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'envgraph' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
