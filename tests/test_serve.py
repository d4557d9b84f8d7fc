"""The web app over real HTTP: SPARQL protocol, limits, read-only, escaping, injection."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import markupsafe
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from envgraph.network import rdflib_to_oxigraph
from envgraph.queries import load_query, run_query
from envgraph.serve import EnvgraphServer, ServeConfig, make_server
from envgraph.store import open_store
from view_fixtures import (
    ENT,
    XSS_IRI,
    XSS_JS_URL,
    XSS_PAYLOADS,
    assert_no_markup_injected,
    sample_dataset,
)

pytestmark = pytest.mark.server

INJECTIONS = (
    '"} ; DROP ALL ; {',
    "'} ; DROP ALL ; {",
    '") } DELETE WHERE { ?s ?p ?o } #',
    "\\\" . } DROP ALL #",
    "?q } UNION { ?e ?p ?label",
    "\u0000\u2028",
    "<script>",
)


def build_store(path: Path) -> Path:
    with open_store(path) as store:
        store.oxigraph.extend(rdflib_to_oxigraph(sample_dataset()))
    return path


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "store")


def start(config: ServeConfig) -> tuple[EnvgraphServer, threading.Thread]:
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[EnvgraphServer]:
    srv, thread = start(ServeConfig(store=str(store_dir), port=0, timeout=3.0, max_rows=40,
                                    max_body=20_000, workers=2))
    yield srv
    srv.shutdown()
    thread.join(timeout=5)
    srv.close()


def request(server: EnvgraphServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def get(server: EnvgraphServer, path: str, **params: str) -> tuple[int, dict[str, str], str]:
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    status, headers, body = request(server, "GET", path + query)
    return status, headers, body.decode("utf-8")


def store_rows(store_dir: Path, sparql: str) -> set[tuple[str, ...]]:
    # the server's workers hold shared read locks: a read-only open alongside them is fine
    with open_store(store_dir, read_only=True) as store:
        result = store.query(sparql)
        return {tuple("" if v is None else str(v) for v in row) for row in result.rows}


def wrapper(server: EnvgraphServer, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


COUNTRIES = """SELECT ?c ?label WHERE { ?c a env:Country ; skos:prefLabel ?label }"""


# --- the SPARQL protocol ---------------------------------------------------------------------


def test_sparqlwrapper_json_gives_the_rows_of_the_store(server: EnvgraphServer, store_dir: Path) -> None:
    result = wrapper(server, COUNTRIES, JSON).query().convert()
    rows = {(b["c"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]}
    assert rows == store_rows(store_dir, COUNTRIES)
    assert len(rows) == 10
    langs = {b["label"].get("xml:lang") for b in result["results"]["bindings"]}
    assert langs == {"en", "ru", "kk", "az", "tk"}


def test_named_query_over_http_matches_envgraph_query(server: EnvgraphServer, store_dir: Path) -> None:
    named = load_query("summary")
    with open_store(store_dir, read_only=True) as store:
        expected = {tuple(str(v) for v in row) for row in run_query(store, named).rows}
    result = wrapper(server, named.text, JSON).query().convert()
    got = {tuple(b[v]["value"] for v in result["head"]["vars"]) for b in result["results"]["bindings"]}
    assert got == expected and got


def test_sparqlwrapper_xml_csv_and_post(server: EnvgraphServer, store_dir: Path) -> None:
    expected = store_rows(store_dir, COUNTRIES)
    xml = wrapper(server, COUNTRIES, XML).query().convert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    xml_rows = set()
    for result in xml.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.nodeValue
                  for b in result.getElementsByTagName("binding")}
        xml_rows.add((values["c"], values["label"]))
    assert xml_rows == expected, ns
    csv_text = wrapper(server, COUNTRIES, CSV).query().convert().decode("utf-8")
    lines = csv_text.strip().split("\r\n")
    assert lines[0] == "c,label" and len(lines) == 1 + len(expected)
    client = wrapper(server, COUNTRIES, JSON)
    client.setMethod("POST")
    posted = client.query().convert()
    assert len(posted["results"]["bindings"]) == len(expected)


def test_post_sparql_query_body_and_accept_negotiation(server: EnvgraphServer) -> None:
    status, headers, body = request(server, "POST", "/sparql", COUNTRIES.encode(),
                                    {"Content-Type": "application/sparql-query",
                                     "Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<sparql" in body
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": "ASK { ?s a env:Country }"}), headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_construct_returns_turtle(server: EnvgraphServer) -> None:
    query = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a env:Country ; skos:prefLabel ?l }"
    data = wrapper(server, query, TURTLE).query().convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) == 10
    status, headers, _body = request(server, "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": query}), headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")


def test_invalid_query_is_a_400_with_a_message(server: EnvgraphServer) -> None:
    status, _h, body = get(server, "/sparql", query="SELECT WHERE {")
    assert status == 400 and "invalid SPARQL" in body
    status, _h, body = get(server, "/sparql", query="SELECT * WHERE { ?s ?p ?o }", format="yaml")
    assert status == 406


def test_results_are_capped(server: EnvgraphServer) -> None:
    status, headers, body = get(server, "/sparql", query="SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 40
    assert headers["x-envgraph-truncated"] == "true"
    status, headers, body = get(server, "/sparql", query="SELECT * WHERE { ?s a env:Country }")
    assert "x-envgraph-truncated" not in headers


def test_a_repeated_query_is_answered_from_the_cache(server: EnvgraphServer) -> None:
    sparql = "SELECT ?c WHERE { ?c a env:Convention } # cache test"
    status, headers, first = get(server, "/sparql", query=sparql)
    assert status == 200 and headers["x-envgraph-cache"] == "computed"
    status, headers, again = get(server, "/sparql", query=sparql)
    assert status == 200 and headers["x-envgraph-cache"] == "hit" and again == first
    # another result format is another answer
    status, headers, _csv = get(server, "/sparql", query=sparql, format="csv")
    assert status == 200 and headers["x-envgraph-cache"] == "computed"


def test_status_reports_the_workers_and_the_cache(server: EnvgraphServer) -> None:
    get(server, "/sparql", query="ASK { ?s a env:Country }")
    before = json.loads(get(server, "/status")[2])
    get(server, "/sparql", query="ASK { ?s a env:Country }")
    after = json.loads(get(server, "/status")[2])
    assert after["store"] == "read-only" and after["workers"] == 2
    assert after["cache"]["hits"] == before["cache"]["hits"] + 1
    assert 0 < after["cache"]["bytes"] <= after["cache"]["max_bytes"]


def test_concurrent_identical_queries_share_one_worker_run(server: EnvgraphServer) -> None:
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } # shared"
    sources: list[str] = []
    lock = threading.Lock()

    def ask() -> None:
        status, headers, _body = get(server, "/sparql", query=sparql)
        with lock:
            sources.append(f"{status} {headers.get('x-envgraph-cache')}")

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(sources) == 12 and all(s.startswith("200 ") for s in sources), sources
    assert sources.count("200 computed") == 1


# --- read-only, limits, timeout ----------------------------------------------------------------


@pytest.mark.parametrize("how", ["sparql-update", "form", "get"])
def test_updates_are_refused_with_403(server: EnvgraphServer, store_dir: Path, how: str) -> None:
    update = "DROP ALL"
    if how == "sparql-update":
        status, _h, body = request(server, "POST", "/sparql", update.encode(),
                                   {"Content-Type": "application/sparql-update"})
    elif how == "form":
        status, _h, body = request(server, "POST", "/sparql",
                                   urllib.parse.urlencode({"update": update}).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, _h, raw = get(server, "/sparql", update=update)
        body = raw.encode()
    assert status == 403
    assert b"read-only" in body
    assert store_rows(store_dir, COUNTRIES)  # nothing was dropped


def test_a_query_cannot_smuggle_an_update(server: EnvgraphServer) -> None:
    status, _h, _b = get(server, "/sparql", query="DROP ALL")
    assert status == 400


def test_big_body_is_refused_with_413_without_reading_it(server: EnvgraphServer) -> None:
    body = b"query=" + b"x" * 50_000
    status, _h, text = request(server, "POST", "/sparql", body,
                               {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and b"over the limit" in text
    status, _h, _t = request(server, "POST", "/sparql", b"SELECT * {}",
                             {"Content-Type": "application/json"})
    assert status == 415


def test_slow_query_times_out_and_the_server_recovers(server: EnvgraphServer) -> None:
    cross_join = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    restarts = server.pool.restarts
    start_time = time.monotonic()
    status, _h, body = get(server, "/sparql", query=cross_join)
    elapsed = time.monotonic() - start_time
    assert status == 503 and "cancelled" in body
    assert elapsed < 3.0 + 2.0, f"the timeout answered after {elapsed:.1f}s"
    assert server.pool.restarts == restarts + 1
    # the killed worker is replaced: queries keep working, and twice in a row
    for _ in range(2):
        status, _h, body = get(server, "/sparql", query="ASK { ?s ?p ?o }")
        assert status == 200
    deadline = time.monotonic() + 30
    while server.pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.pool._idle.qsize() == 2


def test_foreign_host_header_is_refused(server: EnvgraphServer) -> None:
    status, _h, _b = request(server, "GET", "/", headers={"Host": "evil.example:80"})
    assert status == 400


# --- pages ---------------------------------------------------------------------------------


def _assert_payloads_are_text(page: str) -> None:
    for payload in XSS_PAYLOADS:
        if "<" in payload or ">" in payload or '"' in payload:
            assert payload not in page, payload
    assert_no_markup_injected(page)


def test_entity_page_shows_labels_facts_evidence_and_neighbours(server: EnvgraphServer) -> None:
    status, headers, page = get(server, "/entity", iri=str(ENT["organisation/undp"]), lang="ru")
    assert status == 200
    assert "script-src" not in headers["content-security-policy"]  # pages run no script at all
    assert "<h1>Программа развития ООН</h1>" in page
    assert "BMT-nin İnkişaf Proqramı" in page  # every language listed
    assert "The project is implemented by UNDP together with national partners." in page
    assert "001_sample.txt" in page and "cue:leads:en:implemented by" in page
    assert 'href="/entity?iri=https%3A%2F%2Fw3id.org%2Fenvgraph%2Fentity%2Finitiative%2Fblueing-the-caspian-sea&amp;lang=ru"' in page
    status, _h, page = get(server, "/entity/organisation/undp")
    assert status == 200 and "<h1>United Nations Development Programme</h1>" in page


def test_entity_page_escapes_every_payload(server: EnvgraphServer) -> None:
    for lang in ("en", "ru", "kk", "az"):
        status, _h, page = get(server, "/entity", iri=XSS_IRI, lang=lang)
        assert status == 200
        _assert_payloads_are_text(page)
        assert "&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;" in page
    assert XSS_JS_URL in page  # shown as text, not as a link


def test_entity_errors(server: EnvgraphServer) -> None:
    assert get(server, "/entity", iri=str(ENT["organisation/nobody"]))[0] == 404
    assert get(server, "/entity", iri="not an iri <script>")[0] == 400
    status, _h, page = get(server, "/entity", iri="x:<script>alert(1)</script>")
    assert status == 400 and "<script>alert" not in page
    assert get(server, "/nowhere")[0] == 404


def test_search_finds_labels_in_any_language(server: EnvgraphServer) -> None:
    status, _h, page = get(server, "/search", q="қазақ")
    assert status == 200 and "country%2Fkz" in page
    status, _h, page = get(server, "/search", q="<script>")
    assert status == 200 and "organisation%2Fxss-test" in page
    _assert_payloads_are_text(page)


@pytest.mark.parametrize("attack", INJECTIONS)
def test_search_injection_is_only_a_search_string(server: EnvgraphServer, store_dir: Path,
                                                  attack: str) -> None:
    before = store_rows(store_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    status, _h, page = get(server, "/search", q=attack)
    assert status == 200
    assert "0 actors" in page or "organisation%2Fxss-test" in page
    assert_no_markup_injected(page)
    assert store_rows(store_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


def test_index_and_graph_pages(server: EnvgraphServer) -> None:
    status, _h, page = get(server, "/")
    assert status == 200 and "2 documents" in page and "Organisation" in page
    status, headers, page = get(server, "/graph", lang="kk")
    assert status == 200
    csp = headers["content-security-policy"]
    assert csp.count("'sha256-") == 2 and "unsafe-inline" not in csp.split("style-src")[0]
    assert '"entityLink": "/entity?iri="' in page
    status, _h, page = get(server, "/graph", focus="UNDP", depth="1")
    assert status == 200 and "envgraph · United Nations Development Programme" in page
    status, _h, page = get(server, "/graph", focus="<img src=x onerror=alert(1)>")
    assert status == 400 and "<img src=x" not in page


# --- named queries -------------------------------------------------------------------------------


def test_named_queries_are_listed_with_their_titles(server: EnvgraphServer) -> None:
    status, _h, page = get(server, "/queries")
    assert status == 200
    assert 'href="/queries/funders?lang=en"' in page and "Funders" in page
    assert 'href="/queries/partners?lang=en"' in page


def test_a_named_query_page_shows_the_rows_of_envgraph_query(server: EnvgraphServer,
                                                             store_dir: Path) -> None:
    with open_store(store_dir, read_only=True) as store:
        expected = run_query(store, load_query("funders"), lang="ru")
    status, headers, page = get(server, "/queries/funders", lang="ru")
    assert status == 200 and headers["x-envgraph-cache"] in ("computed", "hit")
    assert f"of {len(expected.rows)}" in page and len(expected.rows) > 0
    for row in expected.rows:
        for value in row:
            if value is not None:
                assert str(markupsafe.escape(str(value).removeprefix(str(ENT)))) in page
    status, headers, body = get(server, "/queries/funders", lang="ru", format="csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert 'filename="funders.csv"' in headers["content-disposition"]
    assert len(body.strip().splitlines()) == len(expected.rows) + 1


def test_named_query_answers_come_in_pages(tmp_path: Path, store_dir: Path) -> None:
    srv, thread = start(ServeConfig(store=str(store_dir), port=0, workers=1, page_rows=3))
    try:
        with open_store(store_dir, read_only=True) as store:
            total = len(run_query(store, load_query("entities")).rows)
        assert total > 6
        status, _h, page1 = get(srv, "/queries/entities")
        assert status == 200 and f"Rows 1–3 of {total}" in page1 and "next →" in page1
        status, _h, page2 = get(srv, "/queries/entities", page="2")
        assert f"Rows 4–6 of {total}" in page2 and "← previous" in page2
        last = -(-total // 3)
        status, _h, beyond = get(srv, "/queries/entities", page="999")
        assert status == 200 and f"page {last} of {last}" in beyond and "next →" not in beyond
        assert get(srv, "/queries/entities", page="two")[0] == 400
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        srv.close()


def test_named_query_parameters_from_the_form(server: EnvgraphServer) -> None:
    status, _h, page = get(server, "/queries/partners")  # a required parameter is missing
    assert status == 200 and "Give actor to run this query" in page
    assert get(server, "/queries/partners", format="csv")[0] == 400
    status, _h, page = get(server, "/queries/partners", actor="UNDP")
    assert status == 200 and "of " in page and "organisation/gef" in page
    assert get(server, "/queries/no-such-query")[0] == 400
    assert get(server, "/queries/funders", format="yaml")[0] == 400


@pytest.mark.parametrize("attack", INJECTIONS)
def test_named_query_parameters_are_only_values(server: EnvgraphServer, store_dir: Path,
                                                attack: str) -> None:
    before = store_rows(store_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    status, _h, page = get(server, "/queries/partners", actor=attack)
    assert status in (200, 400)
    assert_no_markup_injected(page)
    status, _h, page = get(server, "/queries/funders", funder=attack)
    assert status in (200, 400)
    assert_no_markup_injected(page)
    assert store_rows(store_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


def test_named_query_pages_escape_every_payload(server: EnvgraphServer) -> None:
    for lang in ("en", "ru", "kk", "az"):
        status, _h, page = get(server, "/queries/entities", lang=lang)
        assert status == 200
        _assert_payloads_are_text(page)
    status, _h, page = get(server, "/queries/evidence")
    assert status == 200
    _assert_payloads_are_text(page)


# --- updates when allowed ------------------------------------------------------------------------


def test_updates_allowed_only_with_the_flag(tmp_path: Path) -> None:
    store_dir = build_store(tmp_path / "rw")
    srv, thread = start(ServeConfig(store=str(store_dir), port=0, allow_updates=True, timeout=5))
    try:
        update = ('INSERT DATA { GRAPH <https://w3id.org/envgraph/graph/x> { '
                  '<https://w3id.org/envgraph/entity/country/tm> a env:Country } }')
        status, _h, _b = request(srv, "POST", "/sparql", update.encode(),
                                 {"Content-Type": "application/sparql-update"})
        assert status == 204
        status, _h, body = get(srv, "/sparql", query="SELECT ?c WHERE { ?c a env:Country }")
        assert len(json.loads(body)["results"]["bindings"]) == 3
        # the next update clears the answers cached before it
        status, _h, _b = request(srv, "POST", "/sparql", update.replace("tm", "uz").encode(),
                                 {"Content-Type": "application/sparql-update"})
        assert status == 204
        status, headers, body = get(srv, "/sparql", query="SELECT ?c WHERE { ?c a env:Country }")
        assert headers["x-envgraph-cache"] == "computed"
        assert len(json.loads(body)["results"]["bindings"]) == 4
        assert get(srv, "/sparql", update=update)[0] == 405  # never by GET
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        srv.close()


def test_missing_store_fails_fast_with_a_clear_error(tmp_path: Path) -> None:
    from envgraph.errors import StoreError

    with pytest.raises(StoreError, match="no store at"):
        make_server(ServeConfig(store=str(tmp_path / "absent"), port=0, workers=1))
