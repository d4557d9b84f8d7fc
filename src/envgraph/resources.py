"""Where the packaged data lives: ontology/, data/lexicon, data/lang, data/queries.

In a wheel they are under ``envgraph/_resources``; in a source checkout (editable install) they
are at the repository root. Nothing is read at import time.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]


def ontology_dir() -> Path:
    """The folder holding envgraph.ttl and shapes.ttl."""
    return _first_existing(_PACKAGE_DIR / "_resources" / "ontology", _REPO_ROOT / "ontology")


def data_dir(name: str) -> Path:
    """A packaged data folder: ``lexicon``, ``lang`` or ``queries``."""
    return _first_existing(
        _PACKAGE_DIR / "_resources" / "data" / name, _REPO_ROOT / "data" / name
    )


def ontology_path() -> Path:
    return ontology_dir() / "envgraph.ttl"


def shapes_path() -> Path:
    return ontology_dir() / "shapes.ttl"
