"""The remote backend against a real Oxigraph server started by the test: the same documents,
the same named-query rows, the same reasoning and exports as the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from envgraph.errors import InputError, QueryError, StoreError
from envgraph.exchange import export, import_file
from envgraph.queries import list_queries, run_query
from envgraph.reason import materialise
from envgraph.store import RemoteStore, Store, open_store
from store_fixtures import (
    CEP,
    EU,
    HOSTILE_VALUES,
    OxigraphServer,
    clear_store,
    fixture_docs,
    load_fixture,
    oxigraph_binary,
)

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server is not installed"),
]

# parameters tried on every named query, on both backends
PARAM_CASES: dict[str, list[dict[str, str]]] = {
    "funders": [{}, {"funder": "GEF"}, {"funded": "Caspian Environment Programme"}],
    "leaders": [{}, {"leader": "undp"}],
    "partners": [{"actor": "UNDP"}, {"actor": "ent:country/azerbaijan"}, {"actor": "nobody"}],
    "events": [{}, {"place": "Azerbaijan"}, {"from": "2025-06", "to": "2026-04"}],
    "people": [{}, {"organisation": "Ministry of Ecology"}],
    "country-initiatives": [{}, {"country": "Kazakhstan"}],
    "evidence": [{}, {"subject": "GEF", "predicate": "funds"}, {"object": "2026-04-22"}],
    "cooccurrence": [{}, {"actor": "EU"}],
    "entities": [{}, {"class": "Person"}],
    "summary": [{}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with OxigraphServer(str(tmp_path_factory.mktemp("oxigraph"))) as running:
        yield running


@pytest.fixture()
def remote(server: OxigraphServer):
    store = open_store(server.url)
    assert isinstance(store, RemoteStore)
    clear_store(store)
    load_fixture(store)
    yield store
    store.close()


@pytest.fixture()
def embedded():
    with open_store(":memory:") as store:
        load_fixture(store)
        yield store


def quads(store: Store) -> set[tuple]:
    return set(store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def test_documents_on_the_server(remote: Store, embedded: Store) -> None:
    assert remote.document_hashes() == embedded.document_hashes()
    some = sorted(embedded.document_hashes())[:2] + ["no-such-document.txt"]
    assert remote.document_hashes(some) == embedded.document_hashes(some) and len(remote.document_hashes(some)) == 2
    assert remote.documents() == embedded.documents()
    doc = fixture_docs()[0]
    remote.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)  # idempotent
    assert quads(remote) == quads(embedded)
    report = remote.remove_document("003_cep.txt")
    assert str(EU) in report.entities_removed and str(CEP) in report.entities_removed
    assert report == embedded.remove_document("003_cep.txt")
    assert quads(remote) == quads(embedded)


def test_dataset_is_the_same_on_both_backends(remote: Store, embedded: Store) -> None:
    a, b = remote.dataset(), embedded.dataset()
    names = {g.identifier for g in b.graphs() if len(g)}
    assert {g.identifier for g in a.graphs() if len(g)} == names
    for name in names:
        assert isomorphic(a.graph(name), b.graph(name))


def _cases() -> list[tuple[str, dict[str, str], str]]:
    names = [q.name for q in list_queries()]
    assert sorted(names) == sorted(PARAM_CASES), "add the new query to PARAM_CASES"
    return [
        (name, params, lang)
        for name in names
        for params in PARAM_CASES[name]
        for lang in ("en", "ru")
    ]


@pytest.mark.parametrize(("name", "params", "lang"), _cases())
def test_named_queries_give_the_same_rows(
    remote: Store, embedded: Store, name: str, params: dict[str, str], lang: str
) -> None:
    expected = run_query(embedded, name, params, lang=lang)
    got = run_query(remote, name, params, lang=lang)
    assert got.vars == expected.vars
    assert got.rows == expected.rows


def test_hostile_values_change_nothing_on_the_server(remote: Store) -> None:
    remote.refresh_index()  # the first named query on a writable store would compute it
    before = quads(remote)
    for query in list_queries():
        required = {p.name: "GEF" for p in query.params if not p.optional}
        for param in [p.name for p in query.params] + ["lang"]:
            for value in HOSTILE_VALUES:
                run_query(remote, query, {**required, param: value})
    assert quads(remote) == before


def test_raw_bindings_are_escaped_on_the_server(remote: Store) -> None:
    for value in HOSTILE_VALUES:
        result = remote.query("SELECT ?s WHERE { ?s rdfs:label ?l }", {"l": Literal(value)})
        assert result.rows == []
    assert remote.query("ASK { ?s ?p ?o }").boolean


def test_reasoning_on_the_server_matches_the_embedded_store(remote: Store, embedded: Store) -> None:
    a = materialise(remote, "sparql")
    b = materialise(embedded, "sparql")
    assert a.triples == b.triples > 100
    assert quads(remote) == quads(embedded)


def test_export_from_the_server_imports_into_an_embedded_store(remote: Store, tmp_path: Path) -> None:
    path = tmp_path / "remote.trig"
    export(remote, "trig", path)
    with open_store(tmp_path / "local") as local:
        import_file(local, path)
        assert quads(local) == quads(remote)
    clear_store(remote)
    import_file(remote, path)
    assert len(remote.document_hashes()) == 3


def test_server_errors(server: OxigraphServer, remote: Store) -> None:
    with pytest.raises(QueryError, match="rejected"):
        remote.query("SELEKT * WHERE { ?s ?p ?o }")
    read_only = open_store(server.url, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        read_only.update("DROP ALL")
    with pytest.raises(InputError):
        remote.remove_document("missing.txt")
    assert remote.query("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("urn:none")}).rows == []


def test_explicit_endpoints_without_graph_store_protocol(server: OxigraphServer, remote: Store) -> None:
    url = (
        f"{server.url}/query?update={server.url}/update&union=union-default-graph"
    )
    explicit = open_store(url)
    assert isinstance(explicit, RemoteStore) and explicit.endpoints.store is None
    assert explicit.document_hashes() == remote.document_hashes()
    a, b = explicit.dataset(), remote.dataset()  # SPARQL instead of GSP for the dump
    for graph in b.graphs():
        if len(graph):
            assert isomorphic(a.graph(graph.identifier), graph)


def test_the_web_app_caches_nothing_of_a_server_others_can_change(server: OxigraphServer,
                                                                  remote: Store) -> None:
    import http.client
    import json
    import threading
    import urllib.parse

    from envgraph.serve import ServeConfig, make_server

    app = make_server(ServeConfig(store=server.url, port=0, workers=1))
    thread = threading.Thread(target=app.serve_forever, daemon=True)
    thread.start()
    sparql = "SELECT ?c WHERE { ?c a env:Country }"

    def ask() -> tuple[str, int]:
        conn = http.client.HTTPConnection(*app.server_address[:2], timeout=30)
        try:
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": sparql}))
            response = conn.getresponse()
            rows = json.loads(response.read())["results"]["bindings"]
            return str(response.getheader("X-Envgraph-Cache")), len(rows)
        finally:
            conn.close()

    try:
        source, before = ask()
        remote.update("INSERT DATA { GRAPH <https://w3id.org/envgraph/graph/other-client> { "
                      "<https://w3id.org/envgraph/entity/country/uzbekistan> a env:Country } }")
        source_again, after = ask()
        assert (source, source_again) == ("computed", "computed")
        assert after == before + 1
    finally:
        app.shutdown()
        thread.join(timeout=5)
        app.close()
