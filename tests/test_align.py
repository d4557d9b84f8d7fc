"""Translations of one unknown body in a multilingual document are one node (envgraph.align).

The Steppe Monitoring Office, the Saiga Survey Unit and Daniyar Kopbayev are invented."""

from __future__ import annotations

from pathlib import Path

from envgraph.model import Document
from envgraph.pipeline import extract, relink


def _extract(text: str, extractor, resolver=None):
    document = Document("contacts.txt", Path("contacts.txt"), text, text, "0", "utf-8")
    return extract(document, extractor, resolver or extractor.resolver())


TWO_LANGUAGES = (
    "Press contacts: Mr. Daniyar Kopbayev, Head of the Steppe Monitoring Office, UNEP.\n\n"
    "Mətbuat üçün əlaqə: cənab Daniyar Kopbayev, Çöl Monitorinqi Ofisinin rəhbəri, UNEP.\n\n"
    "Контакты для прессы: г-н Данияр Копбаев, руководитель Отдела мониторинга степей, ЮНЕП."
)


def _node_of(result, text: str) -> str:
    return next(iri for mention, iri in result.mentions if mention.text == text)


def test_one_persons_unknown_employer_named_in_three_languages_is_one_node(extractor) -> None:
    result = _extract(TWO_LANGUAGES, extractor)
    office = _node_of(result, "Steppe Monitoring Office")
    assert _node_of(result, "Çöl Monitorinqi Ofisinin") == office
    assert _node_of(result, "Отдела мониторинга степей") == office
    entity = result.entities[office]
    assert {"en", "az", "ru"} <= set(entity.pref_labels), entity.pref_labels
    employers = {r.object for r in result.relations if r.predicate == "worksFor"}
    assert office in employers and len(employers) == 2  # the office and UNEP


def test_two_unknown_employers_in_one_language_stay_two(extractor) -> None:
    text = ("Mr. Daniyar Kopbayev, Head of the Steppe Monitoring Office and Director of the Saiga Survey Unit, "
            "spoke to the press.")
    result = _extract(text, extractor)
    assert _node_of(result, "Steppe Monitoring Office") != _node_of(result, "Saiga Survey Unit")


def test_the_merge_holds_across_documents_and_in_a_parallel_build(extractor) -> None:
    resolver = extractor.resolver()
    first = _extract(TWO_LANGUAGES, extractor, resolver)
    office = _node_of(first, "Steppe Monitoring Office")
    later = _extract("Çöl Monitorinqi Ofisinin hesabatı dərc edilib.", extractor, resolver)
    assert _node_of(later, "Çöl Monitorinqi Ofisinin") == office
    # a worker resolves on its own; the shared resolver replays the worker's merges
    worker = _extract(TWO_LANGUAGES, extractor)
    shared = relink(worker, extractor.resolver())
    assert {iri for _, iri in shared.mentions} == {iri for _, iri in first.mentions}
    assert _node_of(shared, "Отдела мониторинга степей") == _node_of(shared, "Steppe Monitoring Office")
