"""Extraction on unseen articles (../shared/dev, other people's texts, read in place): the floors
of the generalisation issue. Skipped where that folder is not beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgraph.evaluate import evaluate, load_gold, predicted_from_extraction
from envgraph.pipeline import extract_corpus

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "dev"

# Measured (benchmarks/QUALITY.md): entity F1 0.958, relation F1 0.780; lowest language entity F1 0.927 (az).
pytestmark = pytest.mark.skipif(not (DEV / "gold").is_dir(), reason=f"no development set at {DEV}")


def test_unseen_articles_meet_the_floors(extractor) -> None:
    predicted = [predicted_from_extraction(e) for e in extract_corpus([DEV / "texts"], extractor)]
    result = evaluate(load_gold(DEV / "gold"), predicted)
    assert result.entities.f1 >= 0.80, result.entities
    assert result.relations.f1 >= 0.55, result.relations
    for lang, (entities, _) in result.by_language().items():
        assert entities.f1 >= 0.70, (lang, entities)
