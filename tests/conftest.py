"""Shared fixtures: the packaged language data and lexicon, the sample corpus and its build."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the compiled lexicon is cached on disk (envgraph.diskcache): in a folder of this test run,
# which the CLI subprocesses inherit, never in the user's own cache
os.environ["ENVGRAPH_CACHE"] = tempfile.mkdtemp(prefix="envgraph-test-cache-")
atexit.register(shutil.rmtree, os.environ["ENVGRAPH_CACHE"], ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"


@pytest.fixture(scope="session")
def extractor():
    from envgraph.pipeline import Extractor

    return Extractor.load()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    return GOLD


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """The sample corpus built once into an embedded store (read-only use in tests)."""
    from envgraph.pipeline import build

    location = tmp_path_factory.mktemp("corpus-store") / "store"
    report = build([CORPUS], str(location))
    assert report.documents == 5
    return location
