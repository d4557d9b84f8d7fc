"""Typed defaults: the store location, the IRI bases and the cache folder. No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path

ONTOLOGY_NS = "https://w3id.org/envgraph/ontology#"
ENTITY_BASE = "https://w3id.org/envgraph/entity/"
DOC_BASE = "https://w3id.org/envgraph/doc/"
GRAPH_BASE = "https://w3id.org/envgraph/graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"

STORE_ENV_VAR = "ENVGRAPH_STORE"
DEFAULT_STORE_DIRNAME = "envgraph-store"


def default_store_location() -> str:
    """``$ENVGRAPH_STORE`` if set, else ``./envgraph-store`` in the working directory."""
    return os.environ.get(STORE_ENV_VAR) or str(Path.cwd() / DEFAULT_STORE_DIRNAME)

CACHE_ENV_VAR = "ENVGRAPH_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where envgraph keeps what it can always rebuild (the parsed lexicon): ``$ENVGRAPH_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/envgraph``, else ``~/.cache/envgraph``; None (no cache) when
    ``$ENVGRAPH_CACHE_DIR`` is ``off``."""
    chosen = os.environ.get(CACHE_ENV_VAR)
    if chosen:
        return None if chosen.strip().lower() == "off" else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "envgraph"
