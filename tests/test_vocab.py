"""envgraph.vocab: the closed ENV namespace stays in step with the ontology; prefixes; literals."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef

from envgraph import vocab
from envgraph.resources import ontology_path
from envgraph.settings import DOC_BASE, ENTITY_BASE, GRAPH_BASE, ONTOLOGY_NS
from envgraph.vocab import ENV, PREFIXES, XSD


def test_env_class_is_exactly_what_the_generator_produces() -> None:
    """If this fails, run ``python -m envgraph.vocab`` and paste its output over the ENV class."""
    assert inspect.getsource(vocab.ENV) == vocab.generate_env_namespace_source(ontology_path())


def test_env_declares_every_ontology_term_and_nothing_else() -> None:
    graph = Graph().parse(ontology_path(), format="turtle")
    in_ontology = sorted(
        str(s)[len(ONTOLOGY_NS) :]
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)
    )
    declared = sorted(name for name in inspect.get_annotations(ENV) if not name.startswith("_"))
    assert declared == in_ontology


def test_env_is_closed() -> None:
    assert ENV.funds == URIRef(ONTOLOGY_NS + "funds")
    assert ENV["Organisation"] == URIRef(ONTOLOGY_NS + "Organisation")
    with pytest.raises(AttributeError, match="fund"):
        _ = ENV.fund
    assert URIRef(ONTOLOGY_NS + "funds") in ENV
    assert URIRef(ONTOLOGY_NS + "fund") not in ENV


def test_namespaces_follow_settings_and_contract() -> None:
    assert str(vocab.ENT) == ENTITY_BASE
    assert str(vocab.DOC) == DOC_BASE
    assert str(vocab.GRAPH) == GRAPH_BASE
    assert vocab.ENT["organisation/gef"] == URIRef(ENTITY_BASE + "organisation/gef")
    assert str(vocab.NIF) == "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    assert str(vocab.ITSRDF) == "http://www.w3.org/2005/11/its/rdf#"
    assert PREFIXES["env"] == ONTOLOGY_NS
    assert PREFIXES["g"] == GRAPH_BASE
    assert PREFIXES["schema"] == "https://schema.org/"


def test_prefix_headers_parse() -> None:
    turtle = vocab.turtle_prefixes() + "env:x env:funds ent:y .\n"
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(ONTOLOGY_NS + "x"), ENV.funds, URIRef(ENTITY_BASE + "y")) in graph
    query = vocab.sparql_prefixes() + "SELECT ?s WHERE { ?s env:funds ?o }"
    assert [row[0] for row in graph.query(query)] == [URIRef(ONTOLOGY_NS + "x")]


@pytest.mark.parametrize(
    ("value", "lexical"), [(0.85, "0.85"), (1.0, "1"), (0.0, "0"), (1 / 3, "0.3333")]
)
def test_confidence_literal(value: float, lexical: str) -> None:
    literal = vocab.confidence_literal(value)
    assert literal.datatype == XSD.decimal
    assert isinstance(literal.value, Decimal)
    assert str(literal) == lexical


@pytest.mark.parametrize("value", [-0.1, 1.01, float("nan")])
def test_confidence_literal_rejects_out_of_range(value: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        vocab.confidence_literal(value)


def test_offset_literal() -> None:
    literal = vocab.offset_literal(437)
    assert literal.datatype == XSD.nonNegativeInteger
    assert literal.value == 437
    with pytest.raises(ValueError, match="negative"):
        vocab.offset_literal(-1)
