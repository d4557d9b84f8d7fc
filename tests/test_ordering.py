"""envgraph.ordering: the Python ORDER BY gives the engine's order, and only plain keys are
taken over."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from envgraph.ordering import OrderKey, sort_rows, split_order_by
from envgraph.sparqlutil import from_ox

# the kinds of values a named query sorts on: labels (tagged or plain, equal texts included),
# IRIs, unbound values, counts; numbers never share a variable with strings
LABELS = [
    '"b"@en', '"a"', '"a"@en', '"a"@ru', '"B"', '"b"', '"a"@kk', '"ab"@en', '"ab"', '"2026-04"',
    '"2025-06-01"', "<urn:b>", "<urn:a>", "UNDEF", '"Ä"', '"Z"@en', '"z"', '"Қазақстан"@kk', '"Қ"',
]
COUNTS = ["3", "10", "1", "3", "25", "10", "2", "1", "7", "3", "10", "4", "3", "1", "2", "5", "3", "9", "1"]


def engine_rows(by: str) -> list[tuple]:
    """Rows (?label ?count ?i) as Oxigraph sorts them."""
    rows = " ".join(f"({x} {n} {i})" for i, (x, n) in enumerate(zip(LABELS, COUNTS)))
    query = f"SELECT ?label ?count ?i WHERE {{ VALUES (?label ?count ?i) {{ {rows} }} }} ORDER BY {by}"
    names = ("label", "count", "i")
    return [tuple(None if s[v] is None else from_ox(s[v]) for v in names) for s in ox.Store().query(query)]


@pytest.mark.parametrize("by", ["?label", "DESC(?label)", "DESC(?count) ?label", "?count DESC(?label)"])
def test_python_order_is_the_engines(by: str) -> None:
    expected = engine_rows(by)
    shuffled = list(expected)
    random.Random(7).shuffle(shuffled)
    split = split_order_by(f"SELECT * WHERE {{ ?s ?p ?o }} ORDER BY {by}")
    assert split is not None
    got = sort_rows(["label", "count", "i"], shuffled, split[1])
    assert got == expected  # every key is distinct: one possible order


def test_ties_keep_the_engines_order() -> None:
    rows = [(None, ox_int(2), ox_int(i)) for i in range(5)]
    assert sort_rows(["a", "n", "i"], rows, [OrderKey("a"), OrderKey("n", True)]) == rows


def ox_int(n: int):  # an xsd:integer literal as the store returns it
    return from_ox(ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))


def test_only_plain_trailing_order_by_is_taken_over() -> None:
    split = split_order_by("SELECT ?a WHERE { ?a ?b ?c } ORDER BY DESC(?n) ?a\n")
    assert split is not None
    text, keys = split
    assert text.rstrip().endswith("}") and keys == [OrderKey("n", True), OrderKey("a")]
    assert split_order_by("SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a)") is None
    assert split_order_by("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 10") is None
    assert split_order_by("SELECT ?a WHERE { ?a ?b ?c }") is None
