"""The fast path derives exactly owlrl's (filtered) entailments on random small graphs made of
the ontology's own vocabulary: its classes and properties between a few entities, blank nodes
and literals, spread over several document graphs with copies."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from envgraph.reason import compare_reasoners, load_ontology, rules_from_ontology
from envgraph.settings import GRAPH_BASE
from envgraph.vocab import ENT

pytestmark = pytest.mark.slow  # owlrl takes ~1 s a graph


@cache
def ontology() -> Graph:
    return load_ontology()


@cache
def vocabulary() -> tuple[list[URIRef], list[URIRef], list[URIRef]]:
    """(classes, object properties, datatype properties) of the ontology, the rules' own terms
    from other vocabularies (schema:location, foaf:Agent, …) included."""
    onto = ontology()
    rules = rules_from_ontology(onto)
    classes = {c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    classes |= {c for pair in rules.subclasses for c in pair}
    objects = {p for p in onto.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    objects |= {p for pair in rules.subproperties + rules.inverses for p in pair}
    data = {p for p in onto.subjects(RDF.type, OWL.DatatypeProperty) if isinstance(p, URIRef)}
    return sorted(classes), sorted(objects - data), sorted(data)


ENTITIES = [ENT[f"thing/t{i}"] for i in range(5)]
NODES = st.one_of(st.sampled_from(ENTITIES), st.just(BNode("b0")))
VALUES = st.sampled_from([Literal("2026-04-22", datatype=XSD.date), Literal("Baku", lang="en")])


@st.composite
def triples(draw: st.DrawFn) -> tuple[object, object, object]:
    classes, objects, data = vocabulary()
    kind = draw(st.sampled_from(["type", "object", "object", "data", "object-literal"]))
    subject = draw(NODES)
    if kind == "type":
        return subject, RDF.type, draw(st.sampled_from(classes))
    if kind == "object":
        return subject, draw(st.sampled_from(objects)), draw(NODES)
    if kind == "data":
        return subject, draw(st.sampled_from(data)), draw(VALUES)
    return subject, draw(st.sampled_from(objects)), draw(VALUES)  # ill-typed, still RDF


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(triples(), st.integers(0, 2)), min_size=1, max_size=14))
def test_fast_path_equals_owlrl_on_random_graphs(placed: list[tuple[tuple, int]]) -> None:
    dataset = Dataset()
    for triple, document in placed:
        for copy in range(document + 1):  # a triple in several documents, as entity types are
            dataset.graph(URIRef(f"{GRAPH_BASE}doc-{copy}.txt")).add(triple)
    comparison = compare_reasoners(dataset, ontology())
    assert comparison.only_owlrl == frozenset()
    assert comparison.only_sparql == frozenset()
