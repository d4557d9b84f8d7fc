"""SHACL validation: the fixture conforms; a broken graph gets a report that names the entity,
the rule and the document."""

from __future__ import annotations

from rdflib import Literal, URIRef

from envgraph.reason import materialise
from envgraph.store import open_store
from envgraph.validate import documents_of, validate
from envgraph.vocab import ENV, RDFS
from store_fixtures import BLUEING, GEF, fixture_dataset, graph_iri, load_fixture


def test_the_fixture_conforms() -> None:
    report = validate(fixture_dataset())
    assert report.conforms, report.format()
    assert report.violations == []
    assert "conforms" in report.format()


def test_a_store_conforms_even_after_reasoning() -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        materialise(store)
        report = validate(store)
        assert report.conforms, report.format()
        assert report.triples == len(
            store.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != g:inferred) }")
        )


def test_a_broken_graph_names_entity_rule_and_document() -> None:
    ds = fixture_dataset()
    caspian = ds.graph(URIRef(graph_iri("001_caspian.txt")))
    caspian.add((BLUEING, ENV.funds, GEF))  # an initiative funding an organisation
    baku = ds.graph(URIRef(graph_iri("002_baku.txt")))
    baku.add((GEF, RDFS.label, Literal("GEF (other spelling)", lang="en")))  # second rdfs:label
    report = validate(ds)
    assert not report.conforms
    groups = report.by_shape()
    assert set(groups) == {"envsh:FundsShape", "envsh:EntityShape"}

    funds = groups["envsh:FundsShape"]
    assert {v.message for v in funds} == {
        "The subject of env:funds must be an Organisation.",
        "The object of env:funds must be an Initiative or an Event.",
    }
    assert all(v.focus_label == "Blueing the Caspian Sea" for v in funds)
    assert all(v.documents == ("001_caspian.txt",) for v in funds)
    wrong_object = next(v for v in funds if v.path)
    assert wrong_object.path == "env:funds" and wrong_object.value == str(GEF)

    (label,) = groups["envsh:EntityShape"]
    assert label.focus == str(GEF) and label.focus_label == "Global Environment Facility"
    assert label.path == "rdfs:label"
    assert label.documents == ("001_caspian.txt", "002_baku.txt")
    assert documents_of(report) == ["001_caspian.txt", "002_baku.txt"]

    text = report.format()
    assert "envsh:FundsShape — 2 result(s)" in text
    assert "Blueing the Caspian Sea <https://w3id.org/envgraph/entity/initiative/blueing-the-caspian-sea>" in text
    assert "rule: The subject of env:funds must be an Organisation." in text
    assert "in: 001_caspian.txt" in text


def test_the_inferred_graph_is_not_validated() -> None:
    ds = fixture_dataset()
    inferred = ds.graph(URIRef("https://w3id.org/envgraph/graph/inferred"))
    inferred.add((BLUEING, ENV.funds, GEF))  # would break FundsShape if it were validated
    assert validate(ds).conforms
