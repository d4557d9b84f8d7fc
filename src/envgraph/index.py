"""The store's summary index: the named graph ``g:index``, derived from the document graphs.

Why: the query default graph is the union of the document graphs, and that union is a
multiset. An entity's type and labels are written into every document graph that mentions it,
so a hub such as Kazakhstan matches hundreds or thousands of times; joining such patterns
multiplies the copies, and deduplicating them (``SELECT DISTINCT`` sub-queries) costs a pass
over the whole store. The index holds every entity's description ONCE, plus the values the named
queries would otherwise compute per row, so they read one small set instead of the multiset.

What ``g:index`` holds (docs/rdf-contract.md, "The summary index"):

* copies of the entity triples: every triple ``?e ?p ?o`` of a document graph whose subject is an
  *entity* (an ``ent:`` IRI typed in some document graph) and whose predicate is in the ``rdf:``,
  ``rdfs:``, ``skos:`` or ``env:`` namespace, once, under a PRIVATE predicate
  ``idx:<prefix>-<local name>`` (``rdf:type`` → ``idx:rdf-type``, ``skos:prefLabel`` →
  ``idx:skos-prefLabel``, ``env:funds`` → ``idx:env-funds``), with ``?ip idx:copyOf ?p`` recording
  the mapping. No predicate of the contract ever appears in ``g:index``: the union default graph
  and SHACL validation see no second copy of any contract triple. ``g:inferred`` is not copied.
* ``?e idx:label ?l``: the default display label, the smallest English ``skos:prefLabel`` (any
  ``en-*`` tag), else the smallest ``rdfs:label``; and ``?e idx:label-xx ?l`` for every language
  range ``xx`` in the key table: the smallest prefLabel matching ``xx`` (``LANGMATCHES``), else
  the default. Every labelled entity has every key, so a query finds its label with ONE lookup.
* ``?e idx:position …`` / ``idx:position-xx``: the same for ``env:position`` (the default is the
  smallest English position, else the smallest position).
* the key table: ``idx:label-xx idx:range "xx" ; idx:positionProperty idx:position-xx`` for every
  language tag of a prefLabel or position in the store and each of its prefixes (``kk-latn`` →
  ``kk-latn``, ``kk``), lower case. A ``--lang`` outside the table matches no label: the queries
  then use ``idx:label``, exactly the old fallback.
* ``?e idx:documents-<Class> n``: the number of document graphs that type ``?e`` as ``env:<Class>``.
* ``idx:state idx:version "…"``: the version of this layout (another version: rebuilt).

Maintenance: once a store has an index, every document write marks the entities typed in the old
version of the document ``idx:pending`` and those typed in the new one ``?e idx:added <graph>``
(in the same transaction as the write where the backend allows it). :func:`refresh_index`
recomputes the pending entities (their copies, labels and counts) from every document graph,
and brings the entities that were only *added to* up to date from the added graphs alone: their
new triples copied, their document counts raised by the added graphs, their display values
recomputed from the index. A hub such as Kazakhstan, typed in thousands of documents, then costs
a new document what that document says of it, not a pass over all the others. The marks are
cleared as each chunk of entities is done (memory stays bounded). A store that is closed after writing, a
build, a removal and an import refresh it. A store without any index (a fresh one being filled)
marks nothing: the first refresh computes everything in one pass. An index that is missing, of another version or left
pending (a killed build) is rebuilt by :func:`refresh_index` (``envgraph reindex``) and refused by
:func:`check_index` on a read-only store, so no query silently reads stale labels.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from envgraph import settings
from envgraph.errors import QueryError
from envgraph.sparqlutil import sparql_term

if TYPE_CHECKING:  # pragma: no cover
    from envgraph.store import Store

log = logging.getLogger(__name__)

VERSION = "2"  # 2: private predicates only (1 copied the contract's own)
INDEX = URIRef(settings.INDEX_GRAPH)
IDX = settings.INDEX_NS
_G = f"<{settings.INDEX_GRAPH}>"
_INF = f"<{settings.INFERRED_GRAPH}>"
_ENTITY_FILTER = f'FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{settings.ENTITY_BASE}"))'
#: a refresh touching more entities than this recomputes them all in one pass instead
_FULL_SHARE = 0.3
#: entities recomputed per update of a refresh (memory per update follows its entities' copies)
CHUNK_ENTITIES = 1000
#: triples of an old index deleted per update when it is rebuilt whole
DROP_QUADS = 50_000
#: the namespaces whose predicates are copied, and the prefix of their private copies
COPIED_NAMESPACES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "env": settings.ONTOLOGY_NS,
}
#: the index holds something (so writes must mark what they change)
_HAS_INDEX = f"FILTER EXISTS {{ GRAPH {_G} {{ idx:state ?anyKey ?anyValue }} }}"


def private(predicate: str) -> URIRef:
    """The index's private copy of a contract predicate (``env:funds`` → ``idx:env-funds``)."""
    for short, ns in COPIED_NAMESPACES.items():
        if predicate.startswith(ns):
            return URIRef(f"{IDX}{short}-{predicate[len(ns):]}")
    raise ValueError(f"the index copies no predicate {predicate}")


def _private_values() -> str:
    rows = " ".join(f'("{ns}" "{short}-")' for short, ns in COPIED_NAMESPACES.items())
    return f"VALUES (?ns ?short) {{ {rows} }}"


@dataclass(frozen=True, slots=True)
class IndexState:
    """What the index of a store looks like right now."""

    version: str | None  # None: no index, or one that a raw update marked stale
    pending: bool  # entities wait for a refresh
    documents: bool  # some graph other than g:index and g:inferred holds typed things
    exists: bool = False  # g:index holds anything (an index was computed once)

    @property
    def fresh(self) -> bool:
        """True when the named queries can trust the index."""
        if not self.documents:
            return not self.pending
        return self.version == VERSION and not self.pending


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What :func:`refresh_index` did."""

    entities: int  # entities recomputed
    full: bool  # the whole index was rebuilt
    seconds: float


_STATE_QUERY = f"""
SELECT ?version ?pending ?documents ?exists WHERE {{
  OPTIONAL {{ GRAPH {_G} {{ idx:state idx:version ?version }} }}
  BIND(EXISTS {{ GRAPH {_G} {{ ?p idx:pending true }} }} || EXISTS {{ GRAPH {_G} {{ ?p idx:added ?a }} }} AS ?pending)
  BIND(EXISTS {{ GRAPH {_G} {{ idx:state ?k ?v }} }} AS ?exists)
  BIND(EXISTS {{ GRAPH ?g {{ ?x a ?c }} FILTER(?g != {_INF} && ?g != {_G}) }} AS ?documents)
}}"""


#: appended to an update that may have changed document graphs: the next refresh rebuilds all
STALE_SPARQL = f"DELETE WHERE {{ GRAPH {_G} {{ <{IDX}state> <{IDX}version> ?v }} }}"


def index_state(store: Store) -> IndexState:
    """The version of the store's index and whether entities wait for a refresh."""
    rows = store.query(_STATE_QUERY).rows
    version, pending, documents, exists = rows[0] if rows else (None, None, None, None)
    return IndexState(
        version=None if version is None else str(version),
        pending=bool(pending is not None and pending.toPython()),  # type: ignore[union-attr]
        documents=bool(documents is not None and documents.toPython()),  # type: ignore[union-attr]
        exists=bool(exists is not None and exists.toPython()),  # type: ignore[union-attr]
    )


def refresh_if_indexed(store: Store) -> IndexReport | None:
    """Refresh the index after a write, but only when the store has one: a store that never
    had an index keeps none until something needs it (a build, a named query, ``close()``,
    ``envgraph reindex``), so loading and removing data adds no derived graph to it."""
    state = index_state(store)
    if not state.exists:
        return None
    return refresh_index(store)


def check_index(store: Store) -> None:
    """Make sure the named queries can read the index: refresh it when the store is writable,
    else raise QueryError saying how to fix it (never answer from a stale index)."""
    state = index_state(store)
    if state.fresh:
        return
    if not store.read_only:
        refresh_index(store)
        return
    if state.version is None:
        why = "has no summary index (built by an older envgraph, or loaded without envgraph)"
    elif state.version != VERSION:
        why = f"has a summary index of another version ({state.version}, this envgraph reads {VERSION})"
    else:
        why = "has a summary index that is out of date (a build or import did not finish)"
    raise QueryError(
        f"the store {store.location} {why}; run `envgraph reindex --store {store.location}` "
        "once (it needs write access), then query again"
    )


# --- marking ---------------------------------------------------------------------------------


def mark_graph_sparql(graph: str) -> str:
    """Update operations marking the entities typed in ``graph`` (a SPARQL IRI term) pending,
    and recording the classes it uses (``idx:state idx:class``, for the summary query); a
    no-op while the store has no index (its first refresh computes everything)."""
    return (
        f"INSERT {{ GRAPH {_G} {{ ?e idx:pending true }} }} WHERE {{\n  {_HAS_INDEX}\n"
        f"  {{ SELECT DISTINCT ?e WHERE {{ GRAPH {graph} {{ ?e a ?c }} }} }}\n  {_ENTITY_FILTER}\n}} ;\n"
        f"INSERT {{ GRAPH {_G} {{ idx:state idx:class ?c }} }} WHERE {{\n  {_HAS_INDEX}\n"
        f"  {{ SELECT DISTINCT ?c WHERE {{ GRAPH {graph} {{ ?x a ?c }} }} }}\n}}"
    )


def mark_added_sparql(graph: str) -> str:
    """Update operations marking the entities typed in the NEW graph ``graph`` (a SPARQL IRI
    term, written just now) as added to by it (``?e idx:added graph``), and recording its
    classes; a no-op while the store has no index. Only for a graph whose earlier content, if
    any, was marked pending before it was replaced (see :func:`mark_graph_sparql`)."""
    return (
        f"INSERT {{ GRAPH {_G} {{ ?e idx:added {graph} }} }} WHERE {{\n  {_HAS_INDEX}\n"
        f"  {{ SELECT DISTINCT ?e WHERE {{ GRAPH {graph} {{ ?e a ?c }} }} }}\n  {_ENTITY_FILTER}\n}} ;\n"
        f"INSERT {{ GRAPH {_G} {{ idx:state idx:class ?c }} }} WHERE {{\n  {_HAS_INDEX}\n"
        f"  {{ SELECT DISTINCT ?c WHERE {{ GRAPH {graph} {{ ?x a ?c }} }} }}\n}}"
    )


def mark_document_sparql(id_term: str) -> str:
    """An update operation marking the entities typed in the graphs of the document whose
    ``dcterms:identifier`` is ``id_term`` (an escaped literal) pending."""
    return (
        f"INSERT {{ GRAPH {_G} {{ ?e idx:pending true }} }} WHERE {{\n  {_HAS_INDEX}\n"
        f"  {{ SELECT DISTINCT ?e WHERE {{ GRAPH ?old {{ ?d dcterms:identifier {id_term} ; "
        f"env:sha256 ?h . ?e a ?c }} FILTER(?old != {_INF} && ?old != {_G}) }} }}\n  {_ENTITY_FILTER}\n}}"
    )


def mark_graphs(store: Store, graphs: Iterable[URIRef | str]) -> None:
    """Mark the entities typed in ``graphs`` pending (before they are dropped or replaced)."""
    ops = [mark_graph_sparql(sparql_term(URIRef(str(g)))) for g in graphs]
    if ops:
        store.update(" ;\n".join(ops))


def mark_added(store: Store, graphs: Iterable[URIRef | str]) -> None:
    """Mark the entities typed in ``graphs``, written just now, as added to by them."""
    ops = [mark_added_sparql(sparql_term(URIRef(str(g)))) for g in graphs]
    if ops:
        store.update(" ;\n".join(ops))


_MARK_ALL = (
    f"INSERT {{ GRAPH {_G} {{ ?e idx:pending true }} }} WHERE {{\n"
    f"  {{ SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e a ?c }} FILTER(?g != {_INF} && ?g != {_G}) }} }}\n"
    f"  {_ENTITY_FILTER}\n}} ;\n"
    f"INSERT {{ GRAPH {_G} {{ idx:state idx:class ?c }} }} WHERE {{\n"
    f"  {{ SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?x a ?c }} FILTER(?g != {_INF} && ?g != {_G}) }} }}\n}}"
)


# --- refreshing ------------------------------------------------------------------------------

#: the language tags of the labels and positions the pending entities' copies will hold, read
#: from the document graphs they are copied from (before any copy is made)
_TAGS_QUERY = f"""
SELECT DISTINCT ?tag WHERE {{
  {{ GRAPH {_G} {{ ?e idx:pending true }}
     GRAPH ?g {{ ?e skos:prefLabel|env:position ?l }} FILTER(?g != {_INF} && ?g != {_G}) }}
  UNION
  {{ GRAPH {_G} {{ ?e idx:added ?g }} GRAPH ?g {{ ?e skos:prefLabel|env:position ?l }} }}
  BIND(LCASE(LANG(?l)) AS ?tag)
}}"""

_KEYS_QUERY = f"SELECT ?range WHERE {{ GRAPH {_G} {{ ?p idx:range ?range }} }}"
_COUNT_PENDING = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_G} {{ ?e idx:pending true }} }}"
_PENDING = f"SELECT ?e WHERE {{ GRAPH {_G} {{ ?e idx:pending true }} }}"
#: entities only added to (no pending mark): brought up to date from the added graphs alone
_ADDED = (f"SELECT DISTINCT ?e WHERE {{ GRAPH {_G} {{ ?e idx:added ?g }} "
          f"FILTER NOT EXISTS {{ GRAPH {_G} {{ ?e idx:pending true }} }} }}")
_COUNT_INDEXED = f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH {_G} {{ ?e idx:rdf-type ?c }} }}"


def language_ranges(tags: Iterable[str]) -> list[str]:
    """Every tag and its prefixes (``kk-latn`` → ``kk``, ``kk-latn``), lower case, sorted."""
    out: set[str] = set()
    for tag in tags:
        parts = tag.lower().split("-")
        out.update("-".join(parts[: i + 1]) for i in range(len(parts)) if parts[0])
    return sorted(out)


def _key_values(ranges: Iterable[str]) -> str:
    rows = " ".join(
        f"({sparql_term(Literal(r))} {sparql_term(URIRef(IDX + 'label-' + r))} "
        f"{sparql_term(URIRef(IDX + 'position-' + r))})"
        for r in ranges
    )
    return f"VALUES (?range ?labelProp ?positionProp) {{ {rows} }}"


def _display_ops(source: str, default_prop: str, keyed: str, keys: str, fallback: str, pending: str) -> list[str]:
    """Update operations computing display values of the entities ``pending`` binds (a pattern
    binding ?e) from the copies of ``source`` (skos:prefLabel or env:position) in the index: the
    default (English, else ``fallback``: a pattern binding ?l), and one per language range (its
    match, else default)."""
    return [
        # default: the smallest English value …
        f"INSERT {{ GRAPH {_G} {{ ?e {default_prop} ?d }} }} WHERE {{\n"
        f"  {{ SELECT ?e (MIN(?l) AS ?d) WHERE {{ {pending} GRAPH {_G} {{ ?e {source} ?l }}\n"
        f'      FILTER(LANGMATCHES(LANG(?l), "en")) }} GROUP BY ?e }}\n}}',
        # … else the smallest fallback value
        f"INSERT {{ GRAPH {_G} {{ ?e {default_prop} ?d }} }} WHERE {{\n"
        f"  {{ SELECT ?e (MIN(?l) AS ?d) WHERE {{ {pending}\n"
        f"      FILTER NOT EXISTS {{ GRAPH {_G} {{ ?e {default_prop} ?x }} }}\n"
        f"      GRAPH {_G} {{ {fallback} }} }} GROUP BY ?e }}\n}}",
        # per language range: the smallest matching value …
        f"INSERT {{ GRAPH {_G} {{ ?e ?{keyed} ?d }} }} WHERE {{\n"
        f"  {{ SELECT ?e ?{keyed} (MIN(?l) AS ?d) WHERE {{\n"
        f"      {{ SELECT ?e ?l WHERE {{ {pending} GRAPH {_G} {{ ?e {source} ?l }} }} }}\n"
        f"      {keys} FILTER(LANGMATCHES(LANG(?l), ?range)) }} GROUP BY ?e ?{keyed} }}\n}}",
        # … else the default
        f"INSERT {{ GRAPH {_G} {{ ?e ?{keyed} ?d }} }} WHERE {{\n"
        f"  {pending} GRAPH {_G} {{ ?e {default_prop} ?d }} {keys}\n"
        f"  FILTER NOT EXISTS {{ GRAPH {_G} {{ ?e ?{keyed} ?x }} }}\n}}",
    ]


def _copy_ops(pending: str) -> list[str]:
    """Forget what the index says about the entities ``pending`` binds (a pattern binding ?e);
    copy their triples and count their documents again."""
    return [
        # forget what the index says about the pending entities
        f"DELETE {{ GRAPH {_G} {{ ?e ?p ?o }} }} WHERE {{ {pending} GRAPH {_G} {{ ?e ?p ?o }}"
        " FILTER(?p != idx:pending) }",
        # private copies of their triples, from every document graph
        f"INSERT {{ GRAPH {_G} {{ ?e ?ip ?o }} }} WHERE {{\n"
        f"  {{ SELECT DISTINCT ?e ?p ?o WHERE {{ {pending} GRAPH ?g {{ ?e ?p ?o }}"
        f" FILTER(?g != {_INF} && ?g != {_G}) }} }}\n"
        f"  {_private_values()} FILTER(STRSTARTS(STR(?p), ?ns))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), ?short, STRAFTER(STR(?p), ?ns))) AS ?ip)\n}}',
        # which private predicate copies which contract predicate (for the summary query; never
        # removed: a predicate no entity uses any more simply counts nothing)
        f"INSERT {{ GRAPH {_G} {{ ?ip idx:copyOf ?p }} }} WHERE {{\n"
        f"  {{ SELECT DISTINCT ?p WHERE {{ {pending} GRAPH ?g {{ ?e ?p ?o }}"
        f" FILTER(?g != {_INF} && ?g != {_G}) }} }}\n"
        f"  {_private_values()} FILTER(STRSTARTS(STR(?p), ?ns))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), ?short, STRAFTER(STR(?p), ?ns))) AS ?ip)\n}}',
        # documents per (entity, env: class)
        f"INSERT {{ GRAPH {_G} {{ ?e ?countProp ?n }} }} WHERE {{\n"
        f"  {{ SELECT ?e ?c (COUNT(DISTINCT ?g) AS ?n) WHERE {{ {pending} GRAPH {_G} {{ ?e idx:rdf-type ?c }}\n"
        f"      GRAPH ?g {{ ?e a ?c }} FILTER(?g != {_INF} && ?g != {_G}) }} GROUP BY ?e ?c }}\n"
        f"  FILTER(STRSTARTS(STR(?c), STR(env:)))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), "documents-", STRAFTER(STR(?c), "#"))) AS ?countProp)\n}}',
    ]


def _entity_ops(ranges: list[str], pending: str) -> list[str]:
    """Everything the index says about the entities ``pending`` binds, recomputed: their copies,
    counts, display labels and positions; then their marks cleared. Each entity's values depend
    on its own triples only, so entities can be recomputed in any grouping."""
    keys = _key_values(ranges)
    return [
        *_copy_ops(pending),
        *_display_ops("idx:skos-prefLabel", "idx:label", "labelProp", keys, "?e idx:rdfs-label ?l", pending),
        *_display_ops("idx:env-position", "idx:position", "positionProp", keys, "?e idx:env-position ?l", pending),
        f"DELETE {{ GRAPH {_G} {{ ?e idx:pending ?x }} }} WHERE {{ {pending} GRAPH {_G} {{ ?e idx:pending ?x }} }}",
        f"DELETE {{ GRAPH {_G} {{ ?e idx:added ?x }} }} WHERE {{ {pending} GRAPH {_G} {{ ?e idx:added ?x }} }}",
    ]


def _added_ops(ranges: list[str], entities: str) -> list[str]:
    """The entities ``entities`` binds (a VALUES block), only added to since the last refresh,
    brought up to date from the graphs that added to them: their new triples copied, each
    class's document count raised by the added graphs that type them so, their display values
    recomputed from the index; then their marks cleared. The same result as recomputing them
    from every graph, for a fraction of the work when they are named in many documents."""
    added = f"{entities} GRAPH {_G} {{ ?e idx:added ?g }}"
    keys = _key_values(ranges)
    display = (f"FILTER(?dp = idx:label || ?dp = idx:position || STRSTARTS(STR(?dp), CONCAT(STR(idx:), \"label-\"))"
               f" || STRSTARTS(STR(?dp), CONCAT(STR(idx:), \"position-\")))")
    marked = f"{entities} FILTER EXISTS {{ GRAPH {_G} {{ ?e idx:added ?anyGraph }} }}"
    return [
        # the new triples, copied (the index is a set: triples it holds already stay once)
        f"INSERT {{ GRAPH {_G} {{ ?e ?ip ?o }} }} WHERE {{\n  {added} GRAPH ?g {{ ?e ?p ?o }}\n"
        f"  {_private_values()} FILTER(STRSTARTS(STR(?p), ?ns))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), ?short, STRAFTER(STR(?p), ?ns))) AS ?ip)\n}}',
        f"INSERT {{ GRAPH {_G} {{ ?ip idx:copyOf ?p }} }} WHERE {{\n"
        f"  {{ SELECT DISTINCT ?p WHERE {{ {added} GRAPH ?g {{ ?e ?p ?o }} }} }}\n"
        f"  {_private_values()} FILTER(STRSTARTS(STR(?p), ?ns))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), ?short, STRAFTER(STR(?p), ?ns))) AS ?ip)\n}}',
        # documents per (entity, env: class): the old count plus the added graphs
        f"DELETE {{ GRAPH {_G} {{ ?e ?countProp ?old }} }} INSERT {{ GRAPH {_G} {{ ?e ?countProp ?new }} }} WHERE {{\n"
        f"  {{ SELECT ?e ?c (COUNT(DISTINCT ?g) AS ?n) WHERE {{ {added} GRAPH ?g {{ ?e a ?c }} }} GROUP BY ?e ?c }}\n"
        f"  FILTER(STRSTARTS(STR(?c), STR(env:)))\n"
        f'  BIND(IRI(CONCAT(STR(idx:), "documents-", STRAFTER(STR(?c), "#"))) AS ?countProp)\n'
        f"  OPTIONAL {{ GRAPH {_G} {{ ?e ?countProp ?old }} }}\n"
        f"  BIND(COALESCE(?old, 0) + ?n AS ?new)\n}}",
        # display values: recomputed from the index copies (which now hold the new ones too)
        f"DELETE {{ GRAPH {_G} {{ ?e ?dp ?v }} }} WHERE {{ {marked} GRAPH {_G} {{ ?e ?dp ?v }} {display} }}",
        *_display_ops("idx:skos-prefLabel", "idx:label", "labelProp", keys, "?e idx:rdfs-label ?l", marked),
        *_display_ops("idx:env-position", "idx:position", "positionProp", keys, "?e idx:env-position ?l", marked),
        f"DELETE {{ GRAPH {_G} {{ ?e idx:added ?g }} }} WHERE {{ {added} }}",
    ]


def _ranges_op(new_ranges: list[str]) -> str:
    """The update operation adding language ranges to the key table."""
    return (f"INSERT {{ GRAPH {_G} {{ ?labelProp idx:range ?range ; idx:positionProperty ?positionProp }} }}"
            f" WHERE {{ {_key_values(new_ranges)} }}")


_FINISH_OPS = (
    f"DELETE {{ GRAPH {_G} {{ idx:state idx:version ?v }} }} WHERE {{ GRAPH {_G} {{ idx:state idx:version ?v }} }} ;\n"
    f'INSERT DATA {{ GRAPH {_G} {{ idx:state idx:version "{VERSION}" }} }}'
)


def _values(entities: Iterable[str]) -> str:
    return "VALUES ?e { " + " ".join(sparql_term(URIRef(e)) for e in entities) + " }"


def _count(store: Store, query: str) -> int:
    rows = store.query(query).rows
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0  # type: ignore[arg-type]


_ANY_INDEX_QUAD = f"ASK {{ GRAPH {_G} {{ ?s ?p ?o }} }}"


def _drop_index(store: Store, quads: int = DROP_QUADS) -> None:
    """Empty ``g:index`` ``quads`` triples per update (one update for a large index would hold
    every deletion in memory). The version goes first: a drop killed half-way leaves an index
    that no query trusts and that the next refresh rebuilds whole."""
    store.update(STALE_SPARQL)
    while store.query(_ANY_INDEX_QUAD).boolean:
        store.update(f"DELETE {{ GRAPH {_G} {{ ?s ?p ?o }} }} WHERE {{\n"
                     f"  {{ SELECT ?s ?p ?o WHERE {{ GRAPH {_G} {{ ?s ?p ?o }} }} LIMIT {max(quads, 1)} }}\n}}")
        store.flush()


def refresh_index(store: Store, *, full: bool = False, chunk: int = CHUNK_ENTITIES) -> IndexReport:
    """Bring the index up to date: recompute the pending entities, or everything when ``full``,
    when the index is missing or of another version, or when most entities are pending anyway
    (one pass over the store is then cheaper).

    The entities are recomputed ``chunk`` at a time, one update each (copies, labels, counts,
    marks cleared): an update holds what it writes in memory until it commits, so one update
    for a whole large store would take memory in proportion to the store. Each update is
    atomic; an entity stays pending until its chunk is in, and the version is stamped last (a
    full rebuild drops it first), so a refresh killed half-way is finished by the next one and
    no query reads a half-written index meanwhile."""
    started = time.perf_counter()
    state = index_state(store)
    if not full and state.version != VERSION:
        full = True
    if not full and not state.pending:
        return IndexReport(0, False, time.perf_counter() - started)
    if not full:
        pending = _count(store, _COUNT_PENDING)
        full = pending > _FULL_SHARE * max(_count(store, _COUNT_INDEXED), 1) and pending > 1000
    if full:
        _drop_index(store)
        store.update(_MARK_ALL)
        known: list[str] = []
    else:
        known = [str(r[0]) for r in store.query(_KEYS_QUERY).rows]
    tags = {str(r[0]) for r in store.query(_TAGS_QUERY).rows if r[0] is not None and str(r[0])}
    new_ranges = [r for r in language_ranges(tags) if r not in known]
    if new_ranges and known:
        # a language the key table lacks: every labelled entity needs a label for it
        store.update(_MARK_ALL)
    ranges = sorted({*known, *new_ranges})
    if new_ranges:
        store.update(_ranges_op(new_ranges))  # first: an entity recomputed below has every range
    entities = _count(store, _COUNT_PENDING)
    while rows := store.query(f"{_PENDING} LIMIT {max(chunk, 1)}").rows:
        store.update(" ;\n".join(_entity_ops(ranges, _values(str(r[0]) for r in rows if r[0] is not None))))
        if len(rows) >= chunk:  # what an update writes stays in memory (RocksDB's memtables) until flushed
            store.flush()
    while rows := store.query(f"{_ADDED} LIMIT {max(chunk, 1)}").rows:
        entities += len(rows)
        store.update(" ;\n".join(_added_ops(ranges, _values(str(r[0]) for r in rows if r[0] is not None))))
        if len(rows) >= chunk:
            store.flush()
    store.update(_FINISH_OPS)
    report = IndexReport(entities, full, time.perf_counter() - started)
    log.info("index: %d entities refreshed%s in %.1f s", entities, " (full)" if full else "", report.seconds)
    return report
