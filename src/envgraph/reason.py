"""Materialise the ontology's entailments into the named graph ``g:inferred``.

The rule kinds (read from ontology/envgraph.ttl, nothing hard-coded):

* super-properties (``rdfs:subPropertyOf``, ``owl:equivalentProperty``),
* inverses (``owl:inverseOf``, both ways), symmetric and transitive properties,
* the class hierarchy (``rdfs:subClassOf``, ``owl:equivalentClass`` between named classes),
* ``rdf:type`` from ``rdfs:domain`` / ``rdfs:range`` when they are ONE named class. Most domains
  and ranges in the ontology are unions (``owl:unionOf``): they entail only membership of the
  anonymous union class, which says nothing about the named classes, so they yield nothing;
  datatype ranges yield nothing either (a literal cannot have a type),
* ``owl:allValuesFrom`` restrictions on super-classes (``Event ⊑ ∀partOf.Event``): the value of
  ``partOf`` for an event is an event.

Two ways to compute them, which give the same triples (tests/test_reason.py):

* ``sparql`` (default, fast): the rules as SPARQL ``INSERT … WHERE`` updates, generated from the
  ontology and run inside the store, round after round until nothing new appears. Works on both
  backends and never loads the graph into Python.
* ``owlrl`` (reference): owlrl's OWL 2 RL closure (RDFS semantics has no inverse or symmetric
  properties) over the union of the document graphs plus the ontology, keeping only the new
  triples about data (no blank nodes, no ontology terms as subjects) whose predicate — or, for
  ``rdf:type``, whose class — is a term of the ontology outside rdf:/rdfs:/owl:/xsd:. That
  filter drops owlrl's axiomatic and bookkeeping triples (``owl:sameAs`` of everything with
  itself, ``owl:Thing`` types, types for the anonymous union classes, …).

Both keep only triples that are not already asserted in a document graph. ``g:inferred`` is
dropped first, so the result never depends on an earlier run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from envgraph import resources
from envgraph.errors import InputError, StoreError
from envgraph.settings import INFERRED_GRAPH
from envgraph.sparqlutil import sparql_term, to_ox
from envgraph.store import EmbeddedStore, Store

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]
Method = TypingLiteral["sparql", "owlrl"]
INFERRED = URIRef(INFERRED_GRAPH)
_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_MAX_ROUNDS = 100


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The ontology axioms the reasoner applies, as plain pairs of IRIs."""

    subproperties: tuple[tuple[URIRef, URIRef], ...]  # (sub, super), transitively closed
    inverses: tuple[tuple[URIRef, URIRef], ...]  # (p, q): s p o ⇒ o q s; both directions listed
    symmetric: tuple[URIRef, ...]
    transitive: tuple[URIRef, ...]
    subclasses: tuple[tuple[URIRef, URIRef], ...]  # (sub, super), transitively closed
    domains: tuple[tuple[URIRef, URIRef], ...]  # (property, named class)
    ranges: tuple[tuple[URIRef, URIRef], ...]  # (property, named class)
    all_values_from: tuple[tuple[URIRef, URIRef, URIRef], ...]  # (class, property, filler)
    vocabulary: frozenset[URIRef]  # ontology terms outside rdf/rdfs/owl/xsd

    @property
    def size(self) -> int:
        return sum(
            len(x)
            for x in (
                self.subproperties,
                self.inverses,
                self.symmetric,
                self.transitive,
                self.subclasses,
                self.domains,
                self.ranges,
                self.all_values_from,
            )
        )


@dataclass(frozen=True, slots=True)
class ReasonReport:
    """What ``materialise`` did."""

    method: str
    triples: int  # triples now in g:inferred
    rounds: int  # fixpoint rounds (sparql) or 1 (owlrl)
    seconds: float


def load_ontology(path: Path | str | None = None) -> Graph:
    """The ontology (ontology/envgraph.ttl by default) as an rdflib Graph."""
    source = Path(path) if path else resources.ontology_path()
    if not source.is_file():
        raise InputError(f"ontology not found at {source}")
    graph = Graph()
    try:
        graph.parse(source, format="turtle")
    except Exception as err:  # rdflib raises many parser-specific errors
        raise InputError(f"{source}: cannot parse the ontology: {err}") from err
    return graph


def _builtin(term: Node) -> bool:
    return str(term).startswith(_BUILTIN)


def _closure(pairs: Iterable[tuple[URIRef, URIRef]]) -> tuple[tuple[URIRef, URIRef], ...]:
    """Transitive closure of a relation, without reflexive pairs."""
    edges: dict[URIRef, set[URIRef]] = {}
    for a, b in pairs:
        edges.setdefault(a, set()).add(b)
    out: set[tuple[URIRef, URIRef]] = set()
    for start in edges:
        stack = list(edges[start])
        seen: set[URIRef] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        out.update((start, n) for n in seen if n != start)
    return tuple(sorted(out))


def _is_datatype(ontology: Graph, cls: Node) -> bool:
    return (
        str(cls).startswith(str(XSD))
        or cls in (RDFS.Literal, RDF.langString, RDF.PlainLiteral)
        or (cls, RDF.type, RDFS.Datatype) in ontology
    )


def rules_from_ontology(ontology: Graph) -> RuleSet:
    """Read the rule instances out of the ontology."""

    def named(node: Node) -> bool:
        return isinstance(node, URIRef)

    subprops = [
        (s, o)
        for s, o in ontology.subject_objects(RDFS.subPropertyOf)
        if named(s) and named(o) and s != o
    ]
    for s, o in ontology.subject_objects(OWL.equivalentProperty):
        if named(s) and named(o):
            subprops += [(s, o), (o, s)]
    subclasses = [
        (s, o)
        for s, o in ontology.subject_objects(RDFS.subClassOf)
        if named(s) and named(o) and s != o
    ]
    for s, o in ontology.subject_objects(OWL.equivalentClass):
        if named(s) and named(o):
            subclasses += [(s, o), (o, s)]
    inverses: set[tuple[URIRef, URIRef]] = set()
    for s, o in ontology.subject_objects(OWL.inverseOf):
        if named(s) and named(o):
            inverses |= {(s, o), (o, s)}
    symmetric = sorted(s for s in ontology.subjects(RDF.type, OWL.SymmetricProperty) if named(s))
    transitive = sorted(s for s in ontology.subjects(RDF.type, OWL.TransitiveProperty) if named(s))
    domains = sorted(
        (p, c)
        for p, c in ontology.subject_objects(RDFS.domain)
        if named(p) and named(c) and not _builtin(c)
    )
    ranges = sorted(
        (p, c)
        for p, c in ontology.subject_objects(RDFS.range)
        if named(p) and named(c) and not _builtin(c) and not _is_datatype(ontology, c)
    )
    avf: set[tuple[URIRef, URIRef, URIRef]] = set()
    for cls, restriction in ontology.subject_objects(RDFS.subClassOf):
        if not named(cls) or named(restriction):
            continue
        prop = ontology.value(restriction, OWL.onProperty)
        filler = ontology.value(restriction, OWL.allValuesFrom)
        if named(prop) and named(filler) and not _is_datatype(ontology, filler):
            avf.add((cls, prop, filler))  # type: ignore[arg-type]
    vocabulary = frozenset(
        t
        for triple in ontology
        for t in triple
        if isinstance(t, URIRef) and not _builtin(t) and (t, RDF.type, OWL.Ontology) not in ontology
    )
    return RuleSet(
        subproperties=_closure(subprops),  # type: ignore[arg-type]
        inverses=tuple(sorted(inverses)),  # type: ignore[arg-type]
        symmetric=tuple(symmetric),  # type: ignore[arg-type]
        transitive=tuple(transitive),  # type: ignore[arg-type]
        subclasses=_closure(subclasses),  # type: ignore[arg-type]
        domains=tuple(domains),  # type: ignore[arg-type]
        ranges=tuple(ranges),  # type: ignore[arg-type]
        all_values_from=tuple(sorted(avf)),
        vocabulary=vocabulary,
    )


# --- the fast path: SPARQL updates ------------------------------------------------------------


def _values(names: str, rows: Iterable[tuple[Node, ...]]) -> str:
    body = " ".join("(" + " ".join(sparql_term(t) for t in row) + ")" for row in rows)
    return f"VALUES ({names}) {{ {body} }}"


def sparql_rules(rules: RuleSet) -> list[str]:
    """One ``INSERT { GRAPH g:inferred … } WHERE …`` update per rule kind. Patterns read every
    named graph (``g:inferred`` included, so entailments chain across rounds)."""
    inf = sparql_term(INFERRED)
    out: list[str] = []

    def rule(head: str, body: str) -> None:
        out.append(f"INSERT {{ GRAPH {inf} {{ {head} }} }} WHERE {{ {body} }}")

    if rules.subproperties:
        rule(
            "?s ?super ?o",
            _values("?sub ?super", rules.subproperties) + " GRAPH ?g { ?s ?sub ?o }",
        )
    if rules.inverses:
        rule(
            "?o ?q ?s",
            _values("?p ?q", rules.inverses) + " GRAPH ?g { ?s ?p ?o } FILTER(!isLiteral(?o))",
        )
    if rules.symmetric:
        rule(
            "?o ?p ?s",
            _values("?p", [(p,) for p in rules.symmetric])
            + " GRAPH ?g { ?s ?p ?o } FILTER(!isLiteral(?o))",
        )
    if rules.transitive:
        rule(
            "?x ?p ?z",
            _values("?p", [(p,) for p in rules.transitive])
            + " GRAPH ?g1 { ?x ?p ?y } GRAPH ?g2 { ?y ?p ?z }",
        )
    if rules.subclasses:
        rule(
            "?x a ?super",
            _values("?sub ?super", rules.subclasses) + " GRAPH ?g { ?x a ?sub }",
        )
    if rules.domains:
        rule("?s a ?c", _values("?p ?c", rules.domains) + " GRAPH ?g { ?s ?p ?o }")
    if rules.ranges:
        rule(
            "?o a ?c",
            _values("?p ?c", rules.ranges) + " GRAPH ?g { ?s ?p ?o } FILTER(!isLiteral(?o))",
        )
    if rules.all_values_from:
        rule(
            "?y a ?d",
            _values("?c ?p ?d", rules.all_values_from)
            + " GRAPH ?g1 { ?x a ?c } GRAPH ?g2 { ?x ?p ?y } FILTER(!isLiteral(?y))",
        )
    return out


_COUNT_INFERRED = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_term(INFERRED)} {{ ?s ?p ?o }} }}"

_REMOVE_ASSERTED = (
    f"DELETE {{ GRAPH {sparql_term(INFERRED)} {{ ?s ?p ?o }} }} WHERE {{ "
    f"GRAPH {sparql_term(INFERRED)} {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} "
    f"FILTER(?g != {sparql_term(INFERRED)}) }}"
)


def _count_inferred(store: Store) -> int:
    rows = store.query(_COUNT_INFERRED).rows
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0  # type: ignore[arg-type]


def _run_sparql_rules(store: Store, rules: RuleSet) -> int:
    """Apply the rules to a fixpoint; returns the number of rounds."""
    updates = sparql_rules(rules)
    store.update(f"DROP SILENT GRAPH {sparql_term(INFERRED)}")
    if not updates:
        return 0
    program = " ;\n".join(updates)
    count = 0
    for round_number in range(1, _MAX_ROUNDS + 1):
        store.update(program)
        new_count = _count_inferred(store)
        log.debug("reasoning round %d: %d triples in g:inferred", round_number, new_count)
        if new_count == count:
            break
        count = new_count
    else:  # pragma: no cover - the rules are monotone over a finite vocabulary
        raise StoreError(f"reasoning did not reach a fixpoint in {_MAX_ROUNDS} rounds")
    store.update(_REMOVE_ASSERTED)
    return round_number


# --- the reference path: owlrl ----------------------------------------------------------------


def _asserted(dataset: Dataset) -> Graph:
    """The union of all named graphs except g:inferred."""
    out = Graph()
    for graph in dataset.graphs():
        if graph.identifier in (INFERRED,) or graph.identifier == dataset.default_graph.identifier:
            continue
        for triple in graph:
            out.add(triple)
    return out


def keep_entailment(triple: Triple, rules: RuleSet) -> bool:
    """Whether an owlrl conclusion is an entailment about the data in our vocabulary."""
    s, p, o = triple
    if not isinstance(s, URIRef) or s in rules.vocabulary or isinstance(o, BNode):
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and o in rules.vocabulary
    return p in rules.vocabulary and not isinstance(p, Literal)


def entailments_owlrl(dataset: Dataset, ontology: Graph | None = None) -> set[Triple]:
    """The new triples owlrl's OWL 2 RL closure derives from the dataset's document graphs and
    the ontology, filtered to entailments over our vocabulary (see the module docstring)."""
    import owlrl

    onto = ontology if ontology is not None else load_ontology()
    rules = rules_from_ontology(onto)
    data = _asserted(dataset)
    work = Graph()
    for triple in data:
        work.add(triple)
    for triple in onto:
        work.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)
    return {
        t
        for t in work
        if t not in data and t not in onto and keep_entailment(t, rules)  # type: ignore[arg-type]
    }


def entailments_sparql(dataset: Dataset, ontology: Graph | None = None) -> set[Triple]:
    """The triples the SPARQL rules derive from the dataset's document graphs, computed in a
    temporary in-memory store (for comparisons with :func:`entailments_owlrl`)."""
    onto = ontology if ontology is not None else load_ontology()
    store = EmbeddedStore(":memory:")
    try:
        quads = [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(graph.identifier))
            for graph in dataset.graphs()
            if graph.identifier not in (INFERRED, dataset.default_graph.identifier)
            for s, p, o in graph
        ]
        store.oxigraph.extend(quads)
        _run_sparql_rules(store, rules_from_ontology(onto))
        rows = store.query(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH {sparql_term(INFERRED)} {{ ?s ?p ?o }} }}"
        ).rows
        return {(s, p, o) for s, p, o in rows}  # type: ignore[misc]
    finally:
        store.close()


# --- the command ------------------------------------------------------------------------------


def drop_inferred(store: Store) -> None:
    """Remove ``g:inferred`` (the entailments) from the store."""
    store.update(f"DROP SILENT GRAPH {sparql_term(INFERRED)}")


def materialise(
    store: Store, method: Method = "sparql", ontology: Graph | Path | str | None = None
) -> ReasonReport:
    """Drop ``g:inferred`` and recompute it with ``method`` (``sparql`` or ``owlrl``)."""
    started = time.perf_counter()
    onto = ontology if isinstance(ontology, Graph) else load_ontology(ontology)
    if method == "sparql":
        rounds = _run_sparql_rules(store, rules_from_ontology(onto))
    elif method == "owlrl":
        triples = sorted(entailments_owlrl(store.dataset(), onto), key=lambda t: tuple(map(str, t)))
        lines = "\n".join(
            f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in triples
        )
        inf = sparql_term(INFERRED)
        store.update(f"DROP SILENT GRAPH {inf} ;\nINSERT DATA {{ GRAPH {inf} {{\n{lines}\n}} }}")
        rounds = 1
    else:
        raise InputError(f"unknown reasoning method {method!r}; use sparql or owlrl")
    return ReasonReport(
        method=method,
        triples=_count_inferred(store),
        rounds=rounds,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True, slots=True)
class ReasonerComparison:
    """The entailments of both paths on one dataset, and where they differ."""

    owlrl: frozenset[Triple]
    sparql: frozenset[Triple]

    @property
    def agree(self) -> bool:
        return self.owlrl == self.sparql

    @property
    def only_owlrl(self) -> frozenset[Triple]:
        return self.owlrl - self.sparql

    @property
    def only_sparql(self) -> frozenset[Triple]:
        return self.sparql - self.owlrl


def compare_reasoners(dataset: Dataset, ontology: Graph | None = None) -> ReasonerComparison:
    """Run both paths on any Dataset (the fixture, the built sample corpus, …)."""
    onto = ontology if ontology is not None else load_ontology()
    return ReasonerComparison(
        owlrl=frozenset(entailments_owlrl(dataset, onto)),
        sparql=frozenset(entailments_sparql(dataset, onto)),
    )
