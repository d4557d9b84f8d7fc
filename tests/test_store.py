"""The embedded store: documents in named graphs, bookkeeping, removal, locking, atomicity,
query results, and the SPARQL text helpers that keep bound values safe."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from envgraph.errors import InputError, QueryError, StoreError
from envgraph.settings import INFERRED_GRAPH
from envgraph.sparqlutil import (
    bind_with_values,
    compact_iri,
    expand_curie,
    sparql_term,
    where_brace,
)
from envgraph.store import (
    DocumentGraph,
    EmbeddedStore,
    Endpoints,
    QueryResult,
    RemoteStore,
    Store,
    open_store,
    union_graph,
)
from envgraph.vocab import ENV, RDF, RDFS, SKOS
from store_fixtures import (
    ALIYEV,
    CASPIAN_DAY,
    CEP,
    EU,
    GEF,
    PETROVA,
    SUMMIT,
    TM,
    fixture_docs,
    load_fixture,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(tmp_path: Path):
    with open_store(tmp_path / "store") as opened:
        load_fixture(opened)
        yield opened


def _graph_triples(store: Store, graph_iri: str) -> set[tuple]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph_iri)})
    return set(rows.rows)


# --- documents --------------------------------------------------------------------------------


def test_store_is_created_on_first_use_and_reopens(tmp_path: Path) -> None:
    location = tmp_path / "nested" / "store"
    with open_store(location) as opened:
        assert isinstance(opened, EmbeddedStore)
        load_fixture(opened)
    assert location.is_dir()
    with open_store(location, read_only=True) as again:
        assert set(again.document_hashes()) == {"001_caspian.txt", "002_baku.txt", "003_cep.txt"}


def test_document_hashes_read_back_the_sha256(store: Store) -> None:
    expected = {doc.doc_id: doc.sha256 for doc in fixture_docs()}
    assert store.document_hashes() == expected
    infos = store.documents()
    assert [d.doc_id for d in infos] == sorted(expected)
    assert all(d.triples > 50 for d in infos)


def test_document_hashes_of_given_ids_leave_out_the_others_and_unknown_ones(store: Store) -> None:
    docs = fixture_docs()
    wanted = [docs[0].doc_id, "no-such-document.txt", docs[2].doc_id, docs[0].doc_id]
    assert store.document_hashes(wanted) == {docs[0].doc_id: docs[0].sha256, docs[2].doc_id: docs[2].sha256}
    assert store.document_hashes([]) == {}


def test_replacing_a_document_twice_changes_nothing(store: Store) -> None:
    before = store.dataset()
    doc = fixture_docs()[0]
    store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)
    after = store.dataset()
    assert len(list(before.graphs())) == len(list(after.graphs()))
    for graph in before.graphs():
        assert isomorphic(graph, after.graph(graph.identifier))


def test_a_changed_document_replaces_its_own_graph_only(store: Store) -> None:
    docs = fixture_docs()
    first = docs[0]
    other_before = _graph_triples(store, docs[1].graph_iri)
    marker = (URIRef(first.graph_iri + "#x"), RDFS.label, Literal("new version"))
    store.replace_document(first.doc_id, first.graph_iri, [marker], "f" * 64)
    assert _graph_triples(store, first.graph_iri) == {
        marker,
        (URIRef("https://w3id.org/envgraph/doc/001_caspian.txt"), URIRef("http://purl.org/dc/terms/identifier"), Literal("001_caspian.txt")),
        (URIRef("https://w3id.org/envgraph/doc/001_caspian.txt"), ENV.sha256, Literal("f" * 64)),
    }
    assert store.document_hashes()[first.doc_id] == "f" * 64
    assert _graph_triples(store, docs[1].graph_iri) == other_before


def test_a_document_moved_to_another_graph_leaves_no_copy(store: Store) -> None:
    doc = fixture_docs()[2]
    store.replace_document(doc.doc_id, doc.graph_iri + "-v2", doc.triples, doc.sha256)
    graphs = {d.graph_iri for d in store.documents() if d.doc_id == doc.doc_id}
    assert graphs == {doc.graph_iri + "-v2"}
    assert _graph_triples(store, doc.graph_iri) == set()


def test_the_hash_given_to_replace_document_wins(store: Store) -> None:
    doc = fixture_docs()[1]
    store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, "a" * 64)
    assert store.document_hashes()[doc.doc_id] == "a" * 64
    rows = store.query(
        "SELECT ?h WHERE { GRAPH ?g { ?d env:sha256 ?h } }", {"g": URIRef(doc.graph_iri)}
    ).rows
    assert rows == [(Literal("a" * 64),)]


def _ntriples(doc_id: str, triples: list, sha256: str) -> str:
    """N-Triples text as the build writes it: one triple a line, with the bookkeeping."""
    doc = URIRef("https://w3id.org/envgraph/doc/" + doc_id)
    body = [*triples, (doc, URIRef("http://purl.org/dc/terms/identifier"), Literal(doc_id)), (doc, ENV.sha256, Literal(sha256))]
    return "".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} .\n" for s, p, o in body)


def _graphs(store: Store) -> set[tuple]:
    return set(store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk-loader", "small-batch"])
def test_a_batch_of_documents_gives_the_graphs_of_one_document_at_a_time(tmp_path: Path, bulk: bool) -> None:
    graphs = [DocumentGraph(d.doc_id, d.graph_iri, _ntriples(d.doc_id, d.triples, d.sha256), d.sha256) for d in fixture_docs()]
    with open_store(tmp_path / "one") as one, open_store(tmp_path / "batch") as batch:
        if bulk and isinstance(batch, EmbeddedStore):
            batch.bulk_min_chars = 0  # these tiny graphs would otherwise go one transaction each
        for g in graphs:
            one.replace_document(g.doc_id, g.graph_iri, g.ntriples, g.sha256)
        batch.replace_documents(graphs)
        assert _graphs(batch) == _graphs(one)
        assert batch.document_hashes() == {d.doc_id: d.sha256 for d in fixture_docs()}


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk-loader", "small-batch"])
def test_a_batch_replaces_older_versions_and_drops_the_inferred_graph(store: Store, bulk: bool) -> None:
    if bulk and isinstance(store, EmbeddedStore):
        store.bulk_min_chars = 0
    docs = fixture_docs()
    store.update(f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    other_before = _graph_triples(store, docs[1].graph_iri)
    marker = (URIRef("urn:x"), RDFS.label, Literal("new version"))
    moved = DocumentGraph(docs[0].doc_id, docs[0].graph_iri + "-v2", _ntriples(docs[0].doc_id, [marker], "f" * 64), "f" * 64)
    fresh = DocumentGraph("new.txt", "urn:graph:new", _ntriples("new.txt", [marker], "e" * 64), "e" * 64)
    store.replace_documents([moved, fresh])
    assert _graph_triples(store, docs[0].graph_iri) == set()
    assert marker in _graph_triples(store, moved.graph_iri)
    assert _graph_triples(store, INFERRED_GRAPH) == set()
    assert _graph_triples(store, docs[1].graph_iri) == other_before
    assert store.document_hashes() == {docs[0].doc_id: "f" * 64, docs[1].doc_id: docs[1].sha256,
                                       docs[2].doc_id: docs[2].sha256, "new.txt": "e" * 64}


def test_a_batch_in_another_layout_or_repeating_a_document_is_written_in_order(tmp_path: Path) -> None:
    marker = (URIRef("urn:x"), RDFS.label, Literal("v"))
    first = DocumentGraph("a.txt", "urn:graph:a", _ntriples("a.txt", [marker], "1" * 64), "1" * 64)
    second = DocumentGraph("a.txt", "urn:graph:a", _ntriples("a.txt", [], "2" * 64).rstrip("\n"), "2" * 64)
    with open_store(tmp_path / "store") as opened:
        opened.replace_documents([first, second])
        assert opened.document_hashes() == {"a.txt": "2" * 64}
        assert marker not in _graph_triples(opened, "urn:graph:a")


def test_a_batch_with_an_invalid_document_names_it_and_keeps_those_before_it(tmp_path: Path) -> None:
    good = DocumentGraph("good.txt", "urn:graph:good", _ntriples("good.txt", [], "1" * 64), "1" * 64)
    bad = DocumentGraph("bad.txt", "urn:graph:bad", "<urn:s> <urn:p> <not an iri> .\n" + _ntriples("bad.txt", [], "2" * 64), "2" * 64)
    with open_store(tmp_path / "store") as opened:
        assert isinstance(opened, EmbeddedStore)
        opened.bulk_min_chars = 0  # the bulk loader rejects the batch, then one at a time names it
        with pytest.raises(StoreError, match="bad.txt"):
            opened.replace_documents([good, bad])
        assert opened.document_hashes() == {"good.txt": "1" * 64}


def test_a_store_whose_creation_was_interrupted_is_created_afresh(tmp_path: Path) -> None:
    location = tmp_path / "store"
    scratch = tmp_path / ".store.creating"  # what a process killed while creating the store leaves
    scratch.mkdir()
    (scratch / "LOCK").write_text("")
    with open_store(location) as opened:
        load_fixture(opened)
    assert not scratch.exists()
    with open_store(location, read_only=True) as again:
        assert len(again.document_hashes()) == 3


def test_remove_document_drops_its_facts_and_the_entities_only_it_mentioned(store: Store) -> None:
    report = store.remove_document("003_cep.txt")
    assert set(report.entities_removed) == {str(e) for e in (EU, CEP, TM, PETROVA, CASPIAN_DAY)}
    assert report.entities_kept == 1  # the Baku Summit, also in 002_baku.txt
    assert report.triples_removed > 100
    assert "003_cep.txt" not in store.document_hashes()
    for gone in (EU, CEP, TM):
        assert not store.query("ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }", {"e": gone}).boolean
    assert store.query("ASK { ?e a env:Event }", {"e": SUMMIT}).boolean
    assert not store.query("ASK { ?s env:launchedAt ?o }").boolean


def test_remove_unknown_document_names_it(store: Store) -> None:
    with pytest.raises(InputError, match="nope.txt.*envgraph documents"):
        store.remove_document("nope.txt")


def test_writes_drop_the_stale_inferred_graph(store: Store) -> None:
    inferred = URIRef(INFERRED_GRAPH)
    store.update(f"INSERT DATA {{ GRAPH <{inferred}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    report = store.remove_document("001_caspian.txt")
    assert report.inferred_dropped
    assert not store.query("ASK { GRAPH g:inferred { ?s ?p ?o } }").boolean
    store.update(f"INSERT DATA {{ GRAPH <{inferred}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    doc = fixture_docs()[0]
    store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)
    assert not store.query("ASK { GRAPH g:inferred { ?s ?p ?o } }").boolean


def test_dataset_has_one_graph_per_document_and_a_union_view(store: Store) -> None:
    ds = store.dataset()
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {d.graph_iri for d in fixture_docs()}
    union = union_graph(ds)
    assert (GEF, RDF.type, ENV.Organisation) in union
    assert len(union) < sum(len(g) for g in ds.graphs())  # shared entity triples merge


def test_load_file_and_dump_round_trip(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "all.trig"
    store.dump(out, "trig")
    with open_store(tmp_path / "copy") as copy:
        count = copy.load_file(out)
        assert count == len(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert copy.document_hashes() == store.document_hashes()


def test_turtle_files_load_into_one_named_graph(tmp_path: Path) -> None:
    source = tmp_path / "extra.ttl"
    source.write_text("<urn:a> <urn:p> 'x' .\n", encoding="utf-8")
    with open_store(":memory:") as mem:
        assert mem.load_file(source) == 1
        rows = mem.query("SELECT ?g WHERE { GRAPH ?g { <urn:a> ?p ?o } }").rows
        assert rows == [(URIRef("https://w3id.org/envgraph/graph/import/extra.ttl"),)]
        mem.load_file(source, "turtle", graph="urn:graph:mine")
        assert mem.query("ASK { GRAPH <urn:graph:mine> { <urn:a> ?p ?o } }").boolean


def test_load_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with open_store(":memory:") as mem:
        with pytest.raises(InputError, match="bad.ttl"):
            mem.load_file(bad)
        with pytest.raises(InputError, match="no such file"):
            mem.load_file(tmp_path / "missing.ttl")
        with pytest.raises(InputError, match="suffix"):
            mem.load_file(bad.rename(tmp_path / "bad.weird"))


def test_open_store_default_location_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVGRAPH_STORE", str(tmp_path / "from-env"))
    with open_store() as opened:
        assert opened.location == str(tmp_path / "from-env")
    assert (tmp_path / "from-env").is_dir()


def test_read_only_store_refuses_writes_and_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "missing", read_only=True)
    with open_store(tmp_path / "s"):
        pass
    with open_store(tmp_path / "s", read_only=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            ro.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_document("x", "urn:g", [], "0" * 64)


# --- queries and results ------------------------------------------------------------------------


def test_query_default_graph_is_the_union(store: Store) -> None:
    result = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    assert (ENV.funds,) in result.rows and (ENV.heldIn,) in result.rows


def test_bindings_are_terms_and_strings_become_literals(store: Store) -> None:
    q = "SELECT ?e WHERE { ?e skos:prefLabel ?l }"
    assert store.query(q, {"l": Literal("Baku", lang="en")}).rows == [
        (URIRef("https://w3id.org/envgraph/entity/place/baku"),)
    ]
    assert store.query(q, {"l": "Baku"}).rows == []  # a plain string is not an @en literal
    assert store.query("SELECT ?l WHERE { ?e rdfs:label ?l }", {"?e": GEF}).rows == [
        (Literal("Global Environment Facility", lang="en"),)
    ] * 2  # the union is a multiset: GEF's label is in two document graphs


def test_query_rejects_bad_variable_names_and_bad_sparql(store: Store) -> None:
    with pytest.raises(QueryError, match="variable"):
        store.query("SELECT * WHERE { ?s ?p ?o }", {"a b": "x"})
    with pytest.raises(QueryError, match="invalid SPARQL"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="blank node"):
        store.query("SELECT * WHERE { ?s ?p ?o }", {"s": BNode()})
    with pytest.raises(QueryError, match="IRI"):
        store.query("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef('http://x"> } DROP ALL {')})


def test_query_result_formats(store: Store) -> None:
    result = store.query(
        "SELECT ?e ?l ?missing WHERE { ?e a env:Event ; rdfs:label ?l } ORDER BY ?l LIMIT 1"
    )
    assert result.vars == ["e", "l", "missing"]
    assert result.to_csv() == (
        "e,l,missing\nhttps://w3id.org/envgraph/entity/event/baku-summit-2026,Baku Summit,\n"
    )
    doc = json.loads(result.to_json())
    assert doc["head"]["vars"] == ["e", "l", "missing"]
    assert doc["results"]["bindings"][0]["l"] == {
        "type": "literal",
        "value": "Baku Summit",
        "xml:lang": "en",
    }
    frame = result.to_dataframe()
    assert list(frame.columns) == ["e", "l", "missing"]
    assert frame.iloc[0]["l"] == "Baku Summit"
    assert result.as_dicts()[0]["missing"] is None


def test_dataframe_converts_literals_to_python_values(store: Store) -> None:
    import datetime

    result = store.query("SELECT ?d WHERE { ?e env:startDate ?d } ORDER BY ?d")
    frame = result.to_dataframe()
    assert datetime.date(2026, 4, 22) in list(frame["d"])


def test_ask_and_construct_results(store: Store) -> None:
    ask = store.query("ASK { ?s env:funds ?o }")
    assert ask.kind == "ask" and ask.boolean is True
    assert ask.to_csv() == "boolean\ntrue\n"
    graph = store.query("CONSTRUCT { ?s env:funds ?o } WHERE { ?s env:funds ?o }")
    assert graph.kind == "graph" and graph.graph is not None
    assert (GEF, ENV.funds, URIRef("https://w3id.org/envgraph/entity/initiative/blueing-the-caspian-sea")) in graph.graph
    assert graph.vars == ["subject", "predicate", "object"] and len(graph.rows) == 2


def test_query_result_is_a_plain_dataclass() -> None:
    result = QueryResult(vars=["a"], rows=[(Literal(1),), (None,)])
    assert len(result) == 2
    assert result.column("a") == [Literal(1), None]


# --- locking and atomicity -------------------------------------------------------------------

_HOLD = textwrap.dedent(
    """
    import sys, time
    from envgraph.store import open_store
    store = open_store(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("open", flush=True)
    time.sleep(float(sys.argv[3]))
    store.close()
    """
)


@contextlib.contextmanager
def _hold(location: Path, mode: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the store open (``rw`` or ``ro``) for ``seconds``."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(location), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "open"
        yield process
    finally:
        if process.poll() is None and seconds > 5:
            process.kill()
        process.wait()
        process.stdout.close()


def test_a_second_writer_fails_fast_naming_the_pid(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with _hold(location, "rw", 30) as holder:
        started = time.monotonic()
        with pytest.raises(StoreError, match=rf"in use by another process \(pid {holder.pid}\)"):
            open_store(location)
        assert time.monotonic() - started < 2
        with pytest.raises(StoreError, match="writing"):
            open_store(location, read_only=True)


def test_a_writer_can_wait_for_the_lock(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with _hold(location, "rw", 1.0):
        with open_store(location, lock_timeout=20) as opened:
            assert opened.document_hashes() == {}


def test_the_lock_dies_with_the_process(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with _hold(location, "rw", 60) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        with open_store(location) as opened:  # no stale lock
            assert opened.document_hashes() == {}


def test_readers_share_the_store_and_keep_writers_out(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with open_store(location) as opened:
        load_fixture(opened)
    with _hold(location, "ro", 30):
        with open_store(location, read_only=True) as second:
            assert len(second.document_hashes()) == 3
        with pytest.raises(StoreError, match="open read-only by another process"):
            open_store(location)


_WRITER = textwrap.dedent(
    """
    import sys
    from rdflib import Literal, URIRef
    from envgraph.store import open_store
    store = open_store(sys.argv[1])
    n = int(sys.argv[2])
    version = 0
    print("ready", flush=True)
    while True:
        version += 1
        triples = [
            (URIRef(f"urn:s:{i}"), URIRef("urn:p:version"), Literal(version)) for i in range(n)
        ]
        store.replace_document("big.txt", "urn:graph:big", triples, f"{version:064d}")
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.7, 1.3])
def test_a_killed_build_leaves_the_document_fully_in_or_fully_out(
    tmp_path: Path, delay: float
) -> None:
    location = tmp_path / "store"
    n = 20000
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(location), str(n)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    with open_store(location) as opened:
        rows = opened.query(
            "SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH <urn:graph:big> { ?s <urn:p:version> ?v } } "
            "GROUP BY ?v"
        ).rows
        hashes = opened.document_hashes()
    if not rows:  # killed before the first transaction committed
        assert hashes == {}
        return
    assert len(rows) == 1, f"graph mixes versions: {rows}"
    version, count = rows[0]
    assert int(count) == n  # type: ignore[arg-type]
    assert hashes == {"big.txt": f"{int(version):064d}"}  # type: ignore[arg-type]


# --- endpoints and SPARQL text helpers ---------------------------------------------------------


def test_endpoints_for_an_oxigraph_server_and_for_explicit_endpoints() -> None:
    ox = Endpoints.from_url("http://127.0.0.1:7878")
    assert (ox.query, ox.update, ox.store, ox.union_param) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
        "union-default-graph",
    )
    prefixed = Endpoints.from_url("https://example.org/oxigraph/")
    assert prefixed.query == "https://example.org/oxigraph/query"
    fuseki = Endpoints.from_url(
        "http://h:3030/ds/sparql?update=http://h:3030/ds/update&store=http://h:3030/ds/data"
    )
    assert (fuseki.query, fuseki.update, fuseki.store, fuseki.union_param) == (
        "http://h:3030/ds/sparql",
        "http://h:3030/ds/update",
        "http://h:3030/ds/data",
        None,
    )
    plain = Endpoints.from_url("http://h/sparql")
    assert plain.update == "http://h/sparql" and plain.store is None
    assert isinstance(open_store("http://127.0.0.1:1"), RemoteStore)


def test_unreachable_server_is_a_store_error() -> None:
    from store_fixtures import free_port

    remote = open_store(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="cannot reach the SPARQL server"):
        remote.query("ASK { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
        ("SELECT * { ?s ?p ?o }", "SELECT * {"),
        ('PREFIX x: <http://a/b#c> SELECT ("{" AS ?x) WHERE { ?s ?p ?o }', 'AS ?x) WHERE {'),
        ("# { comment\nSELECT * WHERE { ?s ?p '{' }", "SELECT * WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
        ("ASK { ?s ?p ?o }", "ASK {"),
    ],
)
def test_where_brace_skips_strings_iris_comments_and_templates(query: str, expected: str) -> None:
    brace = where_brace(query)
    assert brace is not None
    assert query[: brace + 1].endswith(expected)


def test_where_brace_is_none_for_construct_where() -> None:
    assert where_brace("CONSTRUCT WHERE { ?s ?p ?o }") is None
    text = bind_with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef("urn:a")})
    assert text.endswith('VALUES (?s) { (<urn:a>) }')


def test_bind_with_values_puts_the_block_first_in_the_where_group() -> None:
    text = bind_with_values(
        "SELECT ?x WHERE { ?x ?p ?o }", {"o": Literal('a"}\n\\u0022', lang="en")}
    )
    assert text == 'SELECT ?x WHERE { VALUES (?o) { ("a\\"}\\n\\\\u0022"@en) }  ?x ?p ?o }'


def test_sparql_term_escapes_everything_and_refuses_invalid_terms() -> None:
    assert sparql_term(Literal('say "hi"\n')) == '"say \\"hi\\"\\n"'
    assert sparql_term(Literal("1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))) == (
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    assert sparql_term(Literal("x\x01")) == '"x\\u0001"'
    with pytest.raises(QueryError):
        sparql_term(URIRef("not an iri"))
    with pytest.raises(QueryError):
        sparql_term(URIRef("http://x/>"))


def test_curies_expand_and_compact() -> None:
    assert expand_curie("ent:organisation/gef") == str(GEF)
    assert expand_curie("<https://a.org/x>") == "https://a.org/x"
    assert expand_curie("https://a.org/x y") is None
    assert expand_curie("Global Environment Facility") is None
    assert compact_iri(str(ALIYEV)) == "ent:person/zhomart-aliyev"
    assert compact_iri(str(SKOS.prefLabel)) == "skos:prefLabel"
