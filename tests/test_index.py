"""envgraph.index: the summary index g:index follows every write (add, replace, remove, import),
is rebuilt when missing, and is refused on a read-only store when stale."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from envgraph.errors import QueryError
from envgraph.index import index_state, language_ranges, private, refresh_index
from envgraph.queries import run_query
from envgraph.sparqlutil import sparql_term
from envgraph.store import DocumentGraph, EmbeddedStore, Store, _with_bookkeeping, open_store
from envgraph.vocab import ENV, RDF, SKOS
from store_fixtures import AZ, CEP, EU, GEF, KZ, TM, fixture_docs, load_fixture


def index_triples(store: Store, subject: URIRef) -> set[tuple[str, str]]:
    rows = store.query("SELECT ?p ?o WHERE { GRAPH g:index { ?s ?p ?o } }", {"s": subject}).rows
    return {(str(p), str(o)) for p, o in rows}


def documents_as(store: Store, entity: URIRef, local: str) -> int | None:
    rows = store.query(
        "SELECT ?n WHERE { GRAPH g:index { ?e ?p ?n } }",
        {"e": entity, "p": URIRef(f"https://w3id.org/envgraph/index#documents-{local}")},
    ).rows
    return int(rows[0][0]) if rows else None  # type: ignore[arg-type]


def label(store: Store, entity: URIRef, key: str = "label") -> str | None:
    rows = store.query(
        "SELECT ?l WHERE { GRAPH g:index { ?e ?p ?l } }",
        {"e": entity, "p": URIRef(f"https://w3id.org/envgraph/index#{key}")},
    ).rows
    return str(rows[0][0]) if rows else None


def union_and_graph_counts(store: Store) -> tuple[int, int]:
    """Triples of the union default graph and quads of the named graphs, without the index."""
    union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(!STRSTARTS(STR(?p), STR(idx:))) }")
    quads = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != g:index) }")
    return int(union.rows[0][0]), int(quads.rows[0][0])  # type: ignore[arg-type]


def test_the_index_describes_each_entity_once_with_private_predicates_only() -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        before = union_and_graph_counts(store)
        assert index_state(store).version is None  # a store being filled has no index yet
        store.refresh_index()
        assert index_state(store).fresh
        # no predicate of the contract in g:index: the union and validation see no extra copy
        foreign = store.query(
            "SELECT DISTINCT ?p WHERE { GRAPH g:index { ?s ?p ?o } FILTER(!STRSTARTS(STR(?p), STR(idx:))) }"
        ).rows
        assert foreign == []
        assert union_and_graph_counts(store) == before
        assert store.query("SELECT ?e WHERE { ?e skos:prefLabel ?l }", {"l": Literal("Казахстан", lang="ru")}).rows == [
            (KZ,)
        ] * 2  # once per document graph that labels Kazakhstan, as without the index
        kz = index_triples(store, KZ)
        assert (str(private(str(RDF.type))), str(ENV.Country)) in kz
        assert (str(private(str(SKOS.prefLabel))), "Казахстан") in kz
        assert documents_as(store, KZ, "Country") == 2  # 001_caspian and 002_baku
        assert label(store, KZ) == "Kazakhstan"
        assert label(store, KZ, "label-ru") == "Казахстан"
        assert label(store, TM, "label-ru") == "Turkmenistan"  # no Russian label: the default
        copies = store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH g:index { ?e idx:skos-prefLabel ?l } }", {"e": KZ}
        ).rows[0][0]
        assert int(copies) == 3  # type: ignore[arg-type]  # en, ru, kk: once each


def test_add_remove_and_re_add_changed_content() -> None:
    docs = fixture_docs()
    with open_store(":memory:") as store:
        for doc in docs[:2]:
            store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)
        store.refresh_index()
        assert not index_triples(store, EU)  # only the third document mentions the EU
        # add: its entities appear, the shared ones count one more document
        third = docs[2]
        store.replace_document(third.doc_id, third.graph_iri, third.triples, third.sha256)
        assert not index_state(store).fresh  # marked, not yet refreshed
        store.refresh_index()
        assert label(store, EU) == "European Union"
        assert documents_as(store, CEP, "Initiative") == 1
        funders = {(str(r[0]), int(r[5])) for r in run_query(store, "funders").rows}  # type: ignore[arg-type]
        assert (str(EU), 1) in funders
        # re-add changed content: a new label and one more mention of Azerbaijan
        changed = [t for t in third.triples if not (t[0] == EU and t[1] == SKOS.prefLabel)]
        changed += [
            (EU, SKOS.prefLabel, Literal("Union européenne", lang="fr")),
            (EU, SKOS.prefLabel, Literal("European Union", lang="en")),
            (AZ, RDF.type, ENV.Country),
            (AZ, SKOS.prefLabel, Literal("Azerbaijan", lang="en")),
        ]
        store.replace_document(third.doc_id, third.graph_iri, changed, "changed")
        store.refresh_index()
        assert label(store, EU, "label-fr") == "Union européenne"
        assert label(store, GEF, "label-fr") == "Global Environment Facility"  # a new key: all
        assert documents_as(store, AZ, "Country") == 3
        rows = run_query(store, "entities", {"class": "Organisation"}, lang="fr").rows
        assert (str(EU), "Union européenne") in {(str(r[0]), str(r[2])) for r in rows}
        # remove: entities no other document mentions leave the index, the others count one less
        report = store.remove_document(third.doc_id)
        assert str(EU) in report.entities_removed
        assert not index_triples(store, EU) and not index_triples(store, CEP)
        assert documents_as(store, AZ, "Country") == 2
        assert str(EU) not in {str(r[0]) for r in run_query(store, "funders").rows}
        assert index_state(store).fresh
        leftovers = store.query(
            "SELECT DISTINCT ?e WHERE { GRAPH g:index { ?e ?p ?o } "
            "FILTER(STRSTARTS(STR(?e), STR(ent:))) "
            "FILTER NOT EXISTS { GRAPH ?g { ?e a ?c } FILTER(?g != g:index && ?g != g:inferred) } }"
        ).rows
        assert leftovers == []


def test_an_imported_export_gets_its_own_index(tmp_path: Path) -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        store.refresh_index()
        dump = tmp_path / "all.nq"
        store.dump(dump, "nquads")
        assert b"/graph/index>" not in dump.read_bytes()  # derived data is not exported
        with open_store(tmp_path / "other") as other:
            other.refresh_index()  # an (empty) store with an index: imports keep it up to date
            other.load_file(dump)
            assert index_state(other).fresh
            assert label(other, KZ, "label-kk") == "Қазақстан"
        with open_store(tmp_path / "plain") as plain:
            plain.load_file(dump)  # a store without an index gets none from an import …
            assert not index_state(plain).exists
            assert run_query(plain, "funders").rows  # … until a named query needs it
            assert label(plain, KZ, "label-kk") == "Қазақстан"


def test_a_store_without_an_index_is_refused_read_only_and_rebuilt_by_a_writer(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with open_store(location) as store:
        load_fixture(store)
    native = ox.Store(str(location))  # as a store built by an older envgraph or another tool
    native.remove_graph(ox.NamedNode("https://w3id.org/envgraph/graph/index"))
    native.flush()
    del native
    with open_store(location, read_only=True) as reader:
        with pytest.raises(QueryError, match="envgraph reindex"):
            run_query(reader, "funders")
    with open_store(location) as writer:
        report = writer.refresh_index(full=True)
        assert report.full and report.entities == 15
    with open_store(location, read_only=True) as reader:
        assert run_query(reader, "funders").rows


def test_raw_updates_mark_the_index_stale_and_a_writer_rebuilds_it() -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        store.refresh_index()
        store.update(
            "INSERT DATA { GRAPH <urn:x> { <https://w3id.org/envgraph/entity/organisation/new> "
            'a env:Organisation ; rdfs:label "New Org" } }'
        )
        assert not index_state(store).fresh
        rows = run_query(store, "entities", {"class": "Organisation"}).rows
        assert "New Org" in {str(r[2]) for r in rows}
        assert index_state(store).fresh


def whole_index(store: Store) -> set[tuple[str, str, str]]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH g:index { ?s ?p ?o } }").rows
    return {(str(s), str(p), f"{o}@{getattr(o, 'language', '')}") for s, p, o in rows}


def test_the_index_is_the_same_whatever_the_number_of_entities_per_update() -> None:
    """A refresh recomputes entities a chunk at a time (bounded memory): chunks of one entity
    and one chunk for all give the same index, rebuilt whole or refreshed after a write that
    brings a new language."""
    docs = fixture_docs()
    third = docs[2]
    changed = [*third.triples, (EU, SKOS.prefLabel, Literal("Union européenne", lang="fr"))]
    results = []
    for chunk in (1, 1000):
        with open_store(":memory:") as store:
            for doc in docs[:2]:
                store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)
            full = refresh_index(store, chunk=chunk)
            assert full.full and index_state(store).fresh
            after_full = whole_index(store)
            store.replace_document(third.doc_id, third.graph_iri, changed, "changed")
            partial = refresh_index(store, chunk=chunk)
            assert not partial.full and index_state(store).fresh
            after_partial = whole_index(store)
            rebuilt = refresh_index(store, full=True, chunk=chunk)  # the old index dropped first
            assert rebuilt.full and index_state(store).fresh and whole_index(store) == after_partial
            results.append((full.entities, after_full, partial.entities, after_partial))
            assert label(store, EU, "label-fr") == "Union européenne"
            assert label(store, GEF, "label-fr") == "Global Environment Facility"  # the new range: all
    assert results[0] == results[1]


def index_quads(store: Store) -> set[tuple[str, str, str]]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH g:index { ?s ?p ?o } }").rows
    return {(str(s), str(p), str(o)) for s, p, o in rows}


@pytest.mark.parametrize("backend", [":memory:", "disk"])
def test_an_index_kept_up_to_date_equals_one_computed_from_scratch(backend: str, tmp_path: Path) -> None:
    # documents added one by one take the incremental path (the added graphs only); a changed
    # and a removed document the full one; after each step the index must be what a rebuild gives
    docs = fixture_docs()
    location = ":memory:" if backend == ":memory:" else tmp_path / "store"
    with open_store(location) as store:
        store.replace_document(docs[0].doc_id, docs[0].graph_iri, docs[0].triples, docs[0].sha256)
        store.refresh_index()

        def split(quads: set[tuple[str, str, str]]) -> tuple[set, set]:
            # the classes and predicates ever seen are kept on purpose (never removed): apart
            books = {q for q in quads if q[0].endswith("#state") or q[1].endswith("#copyOf")}
            return quads - books, books

        def check() -> None:
            store.refresh_index()
            assert index_state(store).fresh
            kept, kept_books = split(index_quads(store))
            store.refresh_index(full=True)
            rebuilt, rebuilt_books = split(index_quads(store))
            assert kept == rebuilt
            assert kept_books >= rebuilt_books - {q for q in rebuilt_books if q[1].endswith("#version")}

        for doc in docs[1:]:
            store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)
            added = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH g:index { ?e idx:added ?g } }").rows
            assert int(added[0][0]) > 0  # type: ignore[arg-type]  # marked as added to, not pending
            check()
        third = docs[2]
        changed = [t for t in third.triples if not (t[0] == EU and t[1] == SKOS.prefLabel)]
        changed += [(EU, SKOS.prefLabel, Literal("Union européenne", lang="fr")),
                    (KZ, RDF.type, ENV.Country), (KZ, SKOS.prefLabel, Literal("Qazaqstan", lang="kk-latn"))]
        store.replace_document(third.doc_id, third.graph_iri, changed, "changed")
        check()
        store.remove_document(docs[1].doc_id)
        check()
        # back again, the way a build writes: a batch of N-Triples through the bulk loader
        body = _with_bookkeeping(docs[1].doc_id, list(docs[1].triples), docs[1].sha256)
        text = "".join(f"{sparql_term(a)} {sparql_term(b)} {sparql_term(c)} .\n" for a, b, c in body)
        if isinstance(store, EmbeddedStore):
            store.bulk_min_chars = 0  # one small document would otherwise be one transaction
        store.replace_documents([DocumentGraph(docs[1].doc_id, docs[1].graph_iri, text, docs[1].sha256)])
        check()


def test_language_ranges_include_prefixes() -> None:
    assert language_ranges(["kk-Latn", "en", "EN-gb"]) == ["en", "en-gb", "kk", "kk-latn"]
