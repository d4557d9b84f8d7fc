"""Typed defaults: the store location and the IRI bases. No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path

ONTOLOGY_NS = "https://w3id.org/envgraph/ontology#"
ENTITY_BASE = "https://w3id.org/envgraph/entity/"
DOC_BASE = "https://w3id.org/envgraph/doc/"
GRAPH_BASE = "https://w3id.org/envgraph/graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
KEY_INDEX_GRAPH = GRAPH_BASE + "keys"  # the person-key index (envgraph.keyindex)
INDEX_GRAPH = GRAPH_BASE + "index"  # the store's summary index (envgraph.index)
INDEX_NS = "https://w3id.org/envgraph/index#"
# Named graphs envgraph derives from the document graphs. They hold no asserted facts: the
# reasoner reads every named graph except these (add any new derived graph here).
DERIVED_GRAPHS: tuple[str, ...] = (INFERRED_GRAPH, KEY_INDEX_GRAPH, INDEX_GRAPH)

STORE_ENV_VAR = "ENVGRAPH_STORE"
CACHE_ENV_VAR = "ENVGRAPH_CACHE"
DEFAULT_STORE_DIRNAME = "envgraph-store"


def default_store_location() -> str:
    """``$ENVGRAPH_STORE`` if set, else ``./envgraph-store`` in the working directory."""
    return os.environ.get(STORE_ENV_VAR) or str(Path.cwd() / DEFAULT_STORE_DIRNAME)


def default_cache_dir() -> Path | None:
    """Where computed objects are cached (envgraph.diskcache): ``$ENVGRAPH_CACHE`` (``off`` or
    empty: no cache), else ``$XDG_CACHE_HOME/envgraph`` or ``~/.cache/envgraph``."""
    value = os.environ.get(CACHE_ENV_VAR)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no", "false") else Path(value)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "envgraph"
