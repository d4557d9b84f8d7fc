"""The public API and the packaging: what `import envgraph` offers, and that the wheel ships the data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import envgraph

ROOT = Path(__file__).resolve().parent.parent


def test_the_public_api_resolves_lazily() -> None:
    for name in envgraph.__all__:
        assert getattr(envgraph, name) is not None
    with pytest.raises(AttributeError):
        envgraph.no_such_thing  # noqa: B018


def test_importing_envgraph_loads_no_heavy_library() -> None:
    code = "import sys, envgraph; print(any(m in sys.modules for m in ('rdflib', 'pyoxigraph', 'networkx')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.slow
def test_the_wheel_ships_ontology_lexicon_language_data_and_queries(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("envgraph-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("envgraph/_resources/ontology/envgraph.ttl", "envgraph/_resources/ontology/shapes.ttl",
                     "envgraph/_resources/data/lexicon/countries.yaml", "envgraph/_resources/data/lang/cues/kk.yaml",
                     "envgraph/_resources/data/queries/funders.rq", "envgraph/py.typed"):
        assert required in names, required
