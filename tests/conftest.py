"""Shared fixtures: the packaged language data and lexicon, the sample corpus and its build."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory):
    """Caches (the parsed lexicon) go to a folder of this test session, not the user's."""
    import os

    from envgraph.settings import CACHE_ENV_VAR

    previous = os.environ.get(CACHE_ENV_VAR)
    os.environ[CACHE_ENV_VAR] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV_VAR, None)
    else:
        os.environ[CACHE_ENV_VAR] = previous


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
