"""The store commands of the CLI, against the embedded store and a real Oxigraph server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from envgraph.cli import main
from envgraph.queries import list_queries
from envgraph.store import open_store
from envgraph.vocab import RDFS
from store_fixtures import GEF, OxigraphServer, clear_store, graph_iri, load_fixture, oxigraph_binary

CASES: dict[str, list[list[str]]] = {
    "funders": [[], ["-p", "funder=GEF"]],
    "leaders": [[]],
    "partners": [["-p", "actor=UNDP"], ["--param", "actor=ent:country/azerbaijan"]],
    "events": [[], ["-p", "place=Azerbaijan", "-p", "from=2026"]],
    "people": [[]],
    "country-initiatives": [[], ["-p", "country=kazakhstan"]],
    "evidence": [[], ["-p", "predicate=funds"]],
    "cooccurrence": [[]],
    "entities": [[], ["-p", "class=Country"]],
    "summary": [[]],
}


@pytest.fixture()
def location(tmp_path: Path) -> str:
    where = tmp_path / "store"
    with open_store(where) as store:
        load_fixture(store)
    return str(where)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_without_arguments_lists_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query")
    assert code == 0
    for q in list_queries():
        assert f"{q.name}: {q.title}" in out
    assert "--param actor=" in out


def test_query_formats(capsys: pytest.CaptureFixture[str], location: str) -> None:
    code, out, _ = run(capsys, "query", "funders", "-f", "csv", "-s", location)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["funder", "funderLabel", "funded", "fundedLabel", "fundedType", "documents"]
    assert len(rows) == 3
    code, out, _ = run(capsys, "query", "funders", "--lang", "ru", "-f", "json", "-s", location)
    doc = json.loads(out)
    labels = {b["funderLabel"]["value"] for b in doc["results"]["bindings"]}
    assert "Глобальный экологический фонд" in labels
    code, out, err = run(capsys, "query", "people", "-s", location)
    assert code == 0 and "Zhomart Aliyev" in out and "ent:person/zhomart-aliyev" in out
    assert "2 row(s)" in err


def test_query_limit_keeps_the_first_rows(capsys: pytest.CaptureFixture[str], location: str) -> None:
    code, out, _ = run(capsys, "query", "entities", "-f", "csv", "-s", location)
    everything = list(csv.reader(io.StringIO(out)))
    assert len(everything) > 4
    code, out, err = run(capsys, "query", "entities", "-f", "csv", "--limit", "3", "-s", location)
    assert code == 0 and list(csv.reader(io.StringIO(out))) == everything[:4]
    assert f"first 3 of {len(everything) - 1} rows" in err
    code, out, err = run(capsys, "query", "entities", "-n", "2", "-s", location)
    assert code == 0 and f"{len(everything) - 1} row(s)" in err
    assert run(capsys, "query", "entities", "--limit", "-1", "-s", location)[0] != 0


def test_query_text_files_and_ask(capsys: pytest.CaptureFixture[str], location: str, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "query", "ASK { ?s env:funds ?o }", "-s", location)
    assert (code, out.strip()) == (0, "true")
    path = tmp_path / "mine.rq"
    path.write_text("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a env:Person }\n")
    code, out, _ = run(capsys, "query", str(path), "-f", "csv", "-s", location)
    assert (code, out) == (0, "n\n2\n")


def test_query_errors_exit_2(capsys: pytest.CaptureFixture[str], location: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "query", "partners", "-s", location)
    assert code == 2 and "needs --param actor" in err
    code, _, err = run(capsys, "query", "funders", "-p", "nokey", "-s", location)
    assert code == 2 and "KEY=VALUE" in err
    code, _, err = run(capsys, "query", "nope", "-s", location)
    assert code == 2 and "no named query 'nope'" in err
    code, _, err = run(capsys, "query", "summary", "-s", str(tmp_path / "none"))
    assert code == 2 and "no store at" in err
    code, _, err = run(capsys, "query", "summary", "-f", "xml", "-s", location)
    assert code == 2 and "--format" in err


def test_documents_remove_and_reason(capsys: pytest.CaptureFixture[str], location: str) -> None:
    code, out, _ = run(capsys, "documents", "-f", "json", "-s", location)
    assert code == 0 and [d["document"] for d in json.loads(out)] == [
        "001_caspian.txt",
        "002_baku.txt",
        "003_cep.txt",
    ]
    code, out, _ = run(capsys, "reason", "-s", location)
    assert code == 0 and "inferred triples (sparql" in out and "chain rules" in out
    fast = int(out.split()[0])
    code, out, _ = run(capsys, "reason", "--method", "owlrl", "-s", location)
    assert code == 0 and f"{fast} inferred triples (owlrl" in out
    code, out, _ = run(capsys, "remove", "003_cep.txt", "-s", location)
    assert code == 0
    assert "removed 003_cep.txt" in out and "ent:organisation/european-union" in out
    assert "run `envgraph reason`" in out
    code, _, err = run(capsys, "remove", "003_cep.txt", "-s", location)
    assert code == 2 and "not in the store" in err
    code, out, _ = run(capsys, "documents", "-f", "csv", "-s", location)
    assert out.count("\n") == 3  # header + two documents
    code, out, _ = run(capsys, "reason", "--drop", "-s", location)
    assert code == 0 and "dropped" in out


def test_validate_exit_codes(capsys: pytest.CaptureFixture[str], location: str) -> None:
    code, out, _ = run(capsys, "validate", "-s", location)
    assert code == 0 and "conforms" in out
    with open_store(location) as store:
        store.update(
            f"INSERT DATA {{ GRAPH <{graph_iri('002_baku.txt')}> {{ "
            f"<{GEF}> <{RDFS.label}> \"Another label\"@en }} }}"
        )
    code, out, err = run(capsys, "validate", "-s", location)
    assert code == 1
    assert "envsh:EntityShape" in out and "Global Environment Facility" in out
    assert "in: 001_caspian.txt, 002_baku.txt" in out
    assert "SHACL result" in err


def test_export_and_import(capsys: pytest.CaptureFixture[str], location: str, tmp_path: Path) -> None:
    for fmt, name in [("trig", "a.trig"), ("nquads", "a.nq"), ("jsonld", "a.jsonld"),
                      ("turtle", "a.ttl"), ("graphml", "a.graphml"), ("gexf", "a.gexf"),
                      ("csv", "tables")]:
        code, _, err = run(capsys, "export", "-f", fmt, "-o", str(tmp_path / name), "-s", location)
        assert code == 0 and "wrote" in err, fmt
    assert (tmp_path / "tables" / "relations.csv").is_file()
    code, out, _ = run(capsys, "export", "-f", "nquads", "-s", location)
    assert code == 0 and out.count("\n") > 500
    fresh = str(tmp_path / "fresh")
    code, out, _ = run(capsys, "import", str(tmp_path / "a.trig"), "-s", fresh)
    assert code == 0 and "imported" in out
    code, out, _ = run(capsys, "documents", "-f", "csv", "-s", fresh)
    assert out.count("\n") == 4
    code, _, err = run(capsys, "import", str(tmp_path / "a.graphml"), "-s", fresh)
    assert code == 2 and "projections" in err
    code, out, _ = run(capsys, "import", str(tmp_path / "a.ttl"), "--graph", "urn:graph:flat", "-s", fresh)
    assert code == 0
    with open_store(fresh, read_only=True) as store:
        assert store.query("ASK { GRAPH <urn:graph:flat> { ?s ?p ?o } }").boolean


def test_a_writer_blocks_a_second_writer(capsys: pytest.CaptureFixture[str], location: str) -> None:
    with open_store(location):
        code, _, err = run(capsys, "reason", "-s", location)
    assert code == 2 and "in use by this process" in err


@pytest.mark.server
@pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server is not installed")
def test_every_named_query_answers_the_same_on_both_backends(
    capsys: pytest.CaptureFixture[str], location: str, tmp_path: Path
) -> None:
    assert sorted(CASES) == sorted(q.name for q in list_queries())
    with OxigraphServer(str(tmp_path / "server")) as server:
        remote = open_store(server.url)
        clear_store(remote)
        load_fixture(remote)
        remote.refresh_index()  # as a build does at its end: `envgraph query` opens read-only
        for name, variants in CASES.items():
            for extra in variants:
                for lang in ("en", "ru"):
                    args = ["query", name, *extra, "--lang", lang, "-f", "csv"]
                    code_a, out_a, _ = run(capsys, *args, "-s", location)
                    code_b, out_b, _ = run(capsys, *args, "-s", server.url)
                    assert code_a == code_b == 0, (name, extra)
                    assert out_a == out_b, (name, extra, lang)
                    assert out_a.count("\n") >= 2, (name, extra)  # a header and rows
        code, out, _ = run(capsys, "reason", "-s", server.url)
        assert code == 0 and "inferred triples" in out
        code, out, _ = run(capsys, "validate", "-s", server.url)
        assert code == 0 and "conforms" in out
        code, out, _ = run(capsys, "documents", "-f", "csv", "-s", server.url)
        assert out.count("\n") == 4
        code, out, _ = run(capsys, "remove", "001_caspian.txt", "-s", server.url)
        assert code == 0 and "removed 001_caspian.txt" in out
        assert remote.query("ASK { ?s ?p ?o }", {"s": URIRef(str(GEF))}).boolean  # still in 002
        assert not remote.query(
            "ASK { ?s ?p ?o }", {"o": Literal("Blueing the Caspian Sea", lang="en")}
        ).boolean
