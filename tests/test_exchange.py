"""Exports load in their own readers and import back into an isomorphic graph."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from envgraph.errors import InputError
from envgraph.exchange import EXPORT_FORMATS, export, import_file, network_for_export
from envgraph.network import to_networkx
from envgraph.reason import materialise
from envgraph.store import Store, open_store, union_graph
from store_fixtures import load_fixture


@pytest.fixture(scope="module")
def store():
    with open_store(":memory:") as opened:
        load_fixture(opened)
        materialise(opened)  # exports carry g:inferred too
        yield opened


def assert_same_dataset(a: Dataset, b: Dataset) -> None:
    names_a = {g.identifier for g in a.graphs() if len(g)}
    names_b = {g.identifier for g in b.graphs() if len(g)}
    assert names_a == names_b
    for name in names_a:
        assert isomorphic(a.graph(name), b.graph(name)), name


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_round_trip(store: Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"export.{fmt}"
    export(store, fmt, path)
    with open_store(tmp_path / "fresh") as fresh:
        count = import_file(fresh, path)
        assert count == len(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert_same_dataset(store.dataset(), fresh.dataset())


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_load_in_rdflib(store: Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"export.{fmt}"
    export(store, fmt, path)
    parsed = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser internals
        parsed.parse(path, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert_same_dataset(store.dataset(), parsed)


def test_turtle_flattens_the_graphs_and_round_trips_on_the_union(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.ttl"
    export(store, "turtle", path)
    parsed = Graph().parse(path, format="turtle")
    assert isomorphic(parsed, union_graph(store.dataset()))
    with open_store(":memory:") as fresh:
        import_file(fresh, path)
        (graph,) = [g for g in fresh.dataset().graphs() if len(g)]
        assert str(graph.identifier) == "https://w3id.org/envgraph/graph/import/export.ttl"
        assert isomorphic(graph, parsed)


def test_jsonld_is_compacted_with_the_context(store: Store) -> None:
    buffer = io.BytesIO()
    export(store, "jsonld", buffer)
    doc = json.loads(buffer.getvalue())
    assert doc["@context"]["env"] == "https://w3id.org/envgraph/ontology#"
    text = buffer.getvalue().decode()
    assert '"funds"' in text  # a term of ontology/context.jsonld, not the full IRI
    assert "https://w3id.org/envgraph/ontology#funds" not in text.split('"@graph"', 1)[1]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networks_load_in_networkx_with_the_same_counts(store: Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"net.{fmt}"
    report = export(store, fmt, path)
    loaded = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    source = to_networkx(store)
    assert loaded.number_of_nodes() == source.number_of_nodes()
    assert loaded.number_of_edges() == source.number_of_edges() == report.rows
    gef = loaded.nodes["https://w3id.org/envgraph/entity/organisation/gef"]
    assert gef["label"] == "Global Environment Facility"
    assert gef["type"] == "Organisation"
    assert gef["label_ru"] == "Глобальный экологический фонд"
    summit = loaded.nodes["https://w3id.org/envgraph/entity/event/baku-summit-2026"]
    assert summit["startDate"] == "2026-04-22"


def test_network_attributes_are_scalars(store: Store) -> None:
    flat = network_for_export(store, lang="ru")
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())
    for _, _, data in flat.edges(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())
        assert data["evidence_count"] >= 1 and data["documents"]
    assert flat.nodes["https://w3id.org/envgraph/entity/country/kazakhstan"]["label"] == "Казахстан"


def test_csv_tables(store: Store, tmp_path: Path) -> None:
    report = export(store, "csv", tmp_path / "tables")
    entities_path, relations_path = report.files
    with open(entities_path, encoding="utf-8", newline="") as stream:
        entities = list(csv.DictReader(stream))
    with open(relations_path, encoding="utf-8", newline="") as stream:
        relations = list(csv.DictReader(stream))
    assert len(entities) == 15
    azerbaijan = next(e for e in entities if e["entity"].endswith("/country/azerbaijan"))
    assert azerbaijan["type"] == "Country" and azerbaijan["label"] == "Azerbaijan"
    assert "ru: Азербайджан" in azerbaijan["labels"]
    assert set(azerbaijan["documents"].split(" | ")) == {"001_caspian.txt", "002_baku.txt"}
    assert list(relations[0]) == [
        "subject",
        "subject_label",
        "predicate",
        "object",
        "object_label",
        "document",
        "sentence",
        "rule",
        "confidence",
    ]
    assert len(relations) == report.rows == 19  # one row per fact
    funds = [r for r in relations if r["predicate"] == "env:funds" and r["subject_label"] == "Global Environment Facility"]
    assert funds == [
        {
            "subject": "https://w3id.org/envgraph/entity/organisation/gef",
            "subject_label": "Global Environment Facility",
            "predicate": "env:funds",
            "object": "https://w3id.org/envgraph/entity/initiative/blueing-the-caspian-sea",
            "object_label": "Blueing the Caspian Sea",
            "document": "001_caspian.txt",
            "sentence": "Financed by the Global Environment Facility (GEF), the Blueing the Caspian "
            "Sea project is led by UNDP.",
            "rule": "cue:funds:en:financed by",
            "confidence": "0.85",
        }
    ]


def test_export_to_a_stream_and_to_a_folder(store: Store, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    export(store, "nquads", buffer)
    assert buffer.getvalue().count(b"\n") == len(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    report = export(store, "trig", tmp_path)
    assert report.files == (tmp_path / "envgraph.trig",)


def test_export_and_import_errors(store: Store, tmp_path: Path) -> None:
    assert set(EXPORT_FORMATS) == {"trig", "nquads", "turtle", "jsonld", "graphml", "gexf", "csv"}
    with pytest.raises(InputError, match="unknown export format"):
        export(store, "xlsx", tmp_path / "x")
    with pytest.raises(InputError, match="folder"):
        export(store, "csv", None)
    path = tmp_path / "net.graphml"
    export(store, "graphml", path)
    with pytest.raises(InputError, match="projections"):
        import_file(store, path)
    with pytest.raises(InputError, match="projections"):
        import_file(store, tmp_path / "x.trig", "csv")


def test_csv_lists_relations_that_have_no_fact_node(tmp_path: Path) -> None:
    with open_store(":memory:") as mem:
        load_fixture(mem)
        mem.update(
            "INSERT DATA { GRAPH <https://w3id.org/envgraph/graph/002_baku.txt> { "
            "<https://w3id.org/envgraph/entity/organisation/gef> env:cooperatesWith "
            "<https://w3id.org/envgraph/entity/organisation/european-union> } }"
        )
        report = export(mem, "csv", tmp_path)
    with open(report.files[1], encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["object_label"] == "European Union"]
    assert [(r["subject_label"], r["predicate"], r["document"], r["sentence"]) for r in rows] == [
        ("Global Environment Facility", "env:cooperatesWith", "002_baku.txt", "")
    ]
