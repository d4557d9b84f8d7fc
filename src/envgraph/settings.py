"""Typed defaults: the store location and the IRI bases. No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path

ONTOLOGY_NS = "https://w3id.org/envgraph/ontology#"
ENTITY_BASE = "https://w3id.org/envgraph/entity/"
DOC_BASE = "https://w3id.org/envgraph/doc/"
GRAPH_BASE = "https://w3id.org/envgraph/graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
INDEX_GRAPH = GRAPH_BASE + "index"  # the store's summary index (envgraph.index)
INDEX_NS = "https://w3id.org/envgraph/index#"

STORE_ENV_VAR = "ENVGRAPH_STORE"
DEFAULT_STORE_DIRNAME = "envgraph-store"


def default_store_location() -> str:
    """``$ENVGRAPH_STORE`` if set, else ``./envgraph-store`` in the working directory."""
    return os.environ.get(STORE_ENV_VAR) or str(Path.cwd() / DEFAULT_STORE_DIRNAME)
