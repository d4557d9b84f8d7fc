"""Reasoning: the fast path and owlrl give the same entailments, and they are the ones the
ontology's axioms call for."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import FOAF, PROV

from envgraph.errors import InputError, StoreError
from envgraph.queries import run_query
from envgraph.reason import (
    compare_reasoners,
    drop_inferred,
    load_ontology,
    materialise,
    rules_from_ontology,
)
from envgraph.sparqlutil import sparql_term
from envgraph.store import Store, open_store
from envgraph.vocab import ENT, ENV, RDF, SCHEMA, XSD
from store_fixtures import (
    AZ,
    BAKU,
    BLUEING,
    GEF,
    KZ,
    SUMMIT,
    UNDP,
    fixture_dataset,
    load_fixture,
)


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


def extended_dataset() -> Dataset:
    """The fixture plus triples that exercise the remaining rule kinds: a transitive partOf
    chain with an allValuesFrom restriction, nested places, and an equivalent sub-property."""
    ds = fixture_dataset()
    g = ds.graph(URIRef("https://w3id.org/envgraph/graph/extra.txt"))
    session, day = ENT["event/session-1"], ENT["event/day-1"]
    g.add((session, RDF.type, ENV.Event))
    g.add((session, ENV.partOf, day))  # day's type comes only from allValuesFrom
    g.add((day, ENV.partOf, SUMMIT))
    district = ENT["place/sabail"]
    g.add((district, RDF.type, ENV.Place))
    g.add((district, ENV.locatedIn, BAKU))
    g.add((ENT["person/x"], ENV.worksFor, ENT["organisation/y"]))
    g.add((SUMMIT, ENV.startDate, Literal("2026-04-22", datatype=XSD.date)))
    return ds


def test_rules_are_read_from_the_ontology(ontology) -> None:
    rules = rules_from_ontology(ontology)
    assert (ENV.leads, ENV.participatesIn) in rules.subproperties
    assert (ENV.funds, ENV.fundedBy) in rules.inverses and (ENV.fundedBy, ENV.funds) in rules.inverses
    assert ENV.cooperatesWith in rules.symmetric
    assert ENV.partOf in rules.transitive
    assert (ENV.Country, ENV.Agent) in rules.subclasses
    assert (ENV.Country, PROV.Agent) in rules.subclasses  # through env:Agent
    assert (ENV.funds, ENV.Organisation) in rules.domains
    # union domains and datatype ranges give no rule
    assert not any(p == ENV.leads for p, _ in rules.domains)
    assert not any(p == ENV.startDate for p, _ in rules.ranges)
    assert (ENV.Event, ENV.partOf, ENV.Event) in rules.all_values_from


@pytest.mark.parametrize("make", [fixture_dataset, extended_dataset], ids=["fixture", "extended"])
def test_owlrl_and_sparql_give_the_same_triples(make, ontology) -> None:
    comparison = compare_reasoners(make(), ontology)
    assert comparison.only_owlrl == frozenset()
    assert comparison.only_sparql == frozenset()
    assert comparison.agree and len(comparison.sparql) > 100


def test_the_expected_entailments(ontology) -> None:
    inferred = compare_reasoners(extended_dataset(), ontology).sparql
    expected = {
        (BLUEING, ENV.fundedBy, GEF),  # inverse
        (GEF, ENV.cooperatesWith, UNDP),  # symmetric
        (UNDP, ENV.participatesIn, BLUEING),  # leads ⊑ participatesIn
        (BLUEING, ENV.hasParticipant, UNDP),  # inverse of the super-property
        (SUMMIT, ENV.hostedBy, AZ),
        (SUMMIT, SCHEMA.location, BAKU),  # heldIn ⊑ schema:location
        (KZ, RDF.type, ENV.Agent),  # Country ⊑ Agent
        (KZ, RDF.type, FOAF.Agent),
        (GEF, RDF.type, ENV.Agent),
        (ENT["event/session-1"], ENV.partOf, SUMMIT),  # transitive
        (SUMMIT, ENV.hasPart, ENT["event/session-1"]),
        (ENT["event/day-1"], RDF.type, ENV.Event),  # allValuesFrom
        (ENT["place/sabail"], ENV.locatedIn, AZ),  # transitive through Baku
        (AZ, ENV.contains, ENT["place/sabail"]),
        (ENT["person/x"], RDF.type, ENV.Person),  # domain
        (ENT["organisation/y"], RDF.type, ENV.Organisation),  # range
        (ENT["organisation/y"], ENV.employs, ENT["person/x"]),
        (SUMMIT, SCHEMA.startDate, Literal("2026-04-22", datatype=XSD.date)),
    }
    assert expected <= inferred
    # nothing already asserted, no blank nodes, no literal subjects
    assert (GEF, RDF.type, ENV.Organisation) not in inferred
    assert all(isinstance(s, URIRef) for s, _, _ in inferred)


def _inferred(store: Store) -> set:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH g:inferred { ?s ?p ?o } }").rows
    return set(rows)


@pytest.mark.parametrize("method", ["sparql", "owlrl"])
def test_materialise_fills_the_inferred_graph(method: str, ontology) -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        report = materialise(store, method, ontology)  # type: ignore[arg-type]
        assert report.method == method and report.triples == len(_inferred(store))
        assert (BLUEING, ENV.fundedBy, GEF) in _inferred(store)
        first = _inferred(store)
        again = materialise(store, method, ontology)  # type: ignore[arg-type]
        assert _inferred(store) == first and again.triples == report.triples
        assert first == set(compare_reasoners(fixture_dataset(), ontology).sparql)


def test_inferred_graph_can_be_dropped_and_queries_keep_their_rows(ontology) -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        before = {name: run_query(store, name).rows for name in ("funders", "leaders", "entities")}
        materialise(store, "sparql", ontology)
        for name, rows in before.items():
            assert run_query(store, name).rows == rows, name
        # with reasoning, the inverse relation is queryable
        assert store.query("ASK { ?i env:fundedBy ?o }").boolean
        drop_inferred(store)
        assert _inferred(store) == set()


def test_unknown_method_is_an_input_error(ontology) -> None:
    with open_store(":memory:") as store:
        with pytest.raises(InputError, match="unknown reasoning method"):
            materialise(store, "magic", ontology)  # type: ignore[arg-type]


def test_the_inferred_graph_is_not_read_as_asserted_facts(ontology) -> None:
    stale = ("<https://w3id.org/envgraph/entity/person/stale>", "<https://w3id.org/envgraph/entity/organisation/stale>")
    with open_store(":memory:") as store:
        load_fixture(store)
        expected = materialise(store, "sparql", ontology)
        # a stale entailment left in g:inferred: it must neither feed the rules nor survive
        store.update(f"INSERT DATA {{ GRAPH g:inferred {{ {stale[0]} env:worksFor {stale[1]} }} }}")
        again = materialise(store, "sparql", ontology)
        assert again.triples == expected.triples
        assert not store.query(f"ASK {{ {stale[1]} ?p ?o }}").boolean  # no employs, no type
        assert not store.query(f"ASK {{ {stale[0]} ?p ?o }}").boolean


def test_the_fast_path_needs_a_writable_store(tmp_path, ontology) -> None:
    location = tmp_path / "store"
    with open_store(location) as store:
        load_fixture(store)
    with open_store(location, read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            materialise(store, "sparql", ontology)


def test_the_fast_path_reports_its_phases(ontology) -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        report = materialise(store, "sparql", ontology)
    names = [name for name, _ in report.phases]
    assert names == ["read premises", "chain rules", "filter", "write g:inferred"]
    assert all(seconds >= 0 for _, seconds in report.phases)
    assert sum(seconds for _, seconds in report.phases) <= report.seconds


def test_derived_graphs_are_not_read_as_asserted_facts(ontology, monkeypatch) -> None:
    import envgraph.reason as reason

    summary = "https://w3id.org/envgraph/graph/summary-for-test"
    person = "<https://w3id.org/envgraph/entity/person/only-in-summary>"
    with open_store(":memory:") as store:
        load_fixture(store)
        store.update(f"INSERT DATA {{ GRAPH <{summary}> {{ {person} env:worksFor {sparql_term(GEF)} }} }}")
        monkeypatch.setattr(reason, "DERIVED_GRAPHS", (*reason.DERIVED_GRAPHS, summary))
        materialise(store, "sparql", ontology)
        assert not store.query(f"ASK {{ GRAPH g:inferred {{ {person} ?p ?o }} }}").boolean
        monkeypatch.undo()  # read as a document graph, the same triple has entailments
        materialise(store, "sparql", ontology)
        assert store.query(f"ASK {{ GRAPH g:inferred {{ {person} a env:Person }} }}").boolean
