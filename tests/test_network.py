"""The NetworkX projection and the analytics, on the contract-shaped fixture and at scale."""

from __future__ import annotations

import doctest
import itertools
import time

import networkx as nx
import pytest
from rdflib import Dataset, Graph

import envgraph.network as network
from envgraph.errors import QueryError
from envgraph.network import (
    Evidence,
    brokers,
    centrality,
    communities,
    connections,
    ego,
    funding_flows,
    pagerank,
    resolve_actor,
    to_networkx,
)
from view_fixtures import ENT, XSS_IRI, XSS_SCRIPT, fill_oxigraph, sample_dataset, synthetic_graph

GEF = str(ENT["organisation/gef"])
UNDP = str(ENT["organisation/undp"])
BLUE = str(ENT["initiative/blueing-the-caspian-sea"])
KZ = str(ENT["country/kz"])
AZ = str(ENT["country/az"])
COP = str(ENT["event/cop29"])


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return to_networkx(sample_dataset())


def test_docstring_examples_run() -> None:
    result = doctest.testmod(network, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


def test_nodes_carry_type_labels_in_every_language_and_iri(G: nx.MultiDiGraph) -> None:
    kz = G.nodes[KZ]
    assert kz["type"] == "Country"
    assert kz["iri"] == KZ
    assert kz["label"] == "Kazakhstan"
    assert kz["labels"] == {"az": "Qazaxıstan", "en": "Kazakhstan", "kk": "Қазақстан",
                            "ru": "Казахстан", "tk": "Gazagystan"}
    assert ("GEF", "en") in G.nodes[GEF]["alt_labels"]
    # document nodes, sentences and fact nodes are not entities
    assert all(n.startswith(str(ENT)) for n in G.nodes)


def test_edges_keyed_by_property_with_evidence(G: nx.MultiDiGraph) -> None:
    data = G.edges[GEF, BLUE, "funds"]
    assert data["relation"] == "funds"
    [ev] = data["evidence"]
    assert isinstance(ev, Evidence)
    assert ev.doc_id == "001_sample.txt"
    assert ev.sentence.startswith("Financed by the Global Environment Facility")
    assert ev.rule == "cue:funds:en:financed by"
    assert ev.confidence == pytest.approx(0.85)
    # the same statement read in two documents: two evidence entries on one edge
    assert G.has_edge(KZ, BLUE, "participatesIn")
    assert G.number_of_edges(KZ, BLUE) == 1


def test_literal_facts_become_node_attributes(G: nx.MultiDiGraph) -> None:
    [start] = G.nodes[COP]["attributes"]
    assert (start.property, start.value, start.datatype) == ("startDate", "2024-11-11", "date")
    assert start.evidence.doc_id == "002_sample.txt"


def test_language_choice_changes_label_with_fallback() -> None:
    ds = sample_dataset()
    H = to_networkx(ds, lang="kk")
    assert H.nodes[KZ]["label"] == "Қазақстан"
    assert H.nodes[UNDP]["label"] == "United Nations Development Programme"  # no kk label


def test_same_graph_from_rdflib_graph_and_oxigraph_store(G: nx.MultiDiGraph) -> None:
    ds = sample_dataset()
    flat = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        flat.add((s, p, o))
    from_store = to_networkx(fill_oxigraph(ds))
    from_flat = to_networkx(flat)
    for other in (from_store, from_flat):
        assert set(other.nodes) == set(G.nodes)
        assert set(other.edges(keys=True)) == set(G.edges(keys=True))
        assert other.edges[GEF, BLUE, "funds"]["evidence"] == G.edges[GEF, BLUE, "funds"]["evidence"]


def test_inferred_relations_left_out_unless_asked() -> None:
    ds = sample_dataset()
    inferred = ds.graph("https://w3id.org/envgraph/graph/inferred")
    from rdflib import URIRef

    inferred.add((URIRef(BLUE), URIRef("https://w3id.org/envgraph/ontology#fundedBy"), URIRef(GEF)))
    assert not to_networkx(ds).has_edge(BLUE, GEF)
    assert to_networkx(ds, include_inferred=True).has_edge(BLUE, GEF, "fundedBy")


def test_unknown_source_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="cannot read a graph"):
        to_networkx(42)


def test_resolve_actor_by_iri_curie_label_and_language(G: nx.MultiDiGraph) -> None:
    assert resolve_actor(G, GEF) == GEF
    assert resolve_actor(G, "ent:organisation/gef") == GEF
    assert resolve_actor(G, "Глобальный экологический фонд") == GEF
    assert resolve_actor(G, "gef") == GEF  # alt label, case-insensitive
    assert resolve_actor(G, "Azərbaycan") == AZ
    with pytest.raises(QueryError, match="no actor named"):
        resolve_actor(G, "Nonexistent Fund of Nowhere")
    with pytest.raises(QueryError, match="ambiguous"):
        resolve_actor(G, "a")


def test_centrality_ranks_the_hub_first(G: nx.MultiDiGraph) -> None:
    rows = centrality(G)
    assert rows[0].iri == BLUE
    assert rows[0].degree == 5
    assert {r.iri for r in rows} == set(G.nodes)
    assert sum(r.pagerank for r in rows) == pytest.approx(1.0, abs=1e-4)


def test_pagerank_matches_networkx_reference_on_a_directed_graph() -> None:
    D = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    M = nx.MultiDiGraph(D)
    ours = pagerank(M)
    # networkx's power iteration needs SciPy; compare with a plain dense computation instead
    nodes = list(D.nodes)
    n = len(nodes)
    rank = dict.fromkeys(nodes, 1 / n)
    for _ in range(500):
        dangling = sum(rank[u] for u in nodes if D.out_degree(u) == 0)
        rank = {v: 0.15 / n + 0.85 * (dangling / n + sum(rank[u] / D.out_degree(u)
                                                       for u in D.predecessors(v)))
                for v in nodes}
    assert all(ours[v] == pytest.approx(rank[v], abs=1e-6) for v in nodes)


def test_cross_group_betweenness_matches_brute_force() -> None:
    H = nx.Graph(nx.karate_club_graph())
    group = {n: H.nodes[n]["club"] for n in H}
    raw = network._cross_group_betweenness(H, group, list(H.nodes))
    expected = dict.fromkeys(H.nodes, 0.0)
    for s, t in itertools.combinations(H.nodes, 2):
        if group[s] == group[t]:
            continue
        paths = list(nx.all_shortest_paths(H, s, t))
        for path in paths:
            for v in path[1:-1]:
                expected[v] += 1 / len(paths)
    assert all(raw[v] / 2 == pytest.approx(expected[v]) for v in H.nodes)


def test_brokers_between_communities_and_countries(G: nx.MultiDiGraph) -> None:
    rows = brokers(G, by="community", top=None)
    assert rows[0].brokerage > 0
    assert all(0.0 <= r.brokerage <= 1.0 for r in rows)
    by_country = brokers(G, by="country", top=3)
    assert by_country[0].iri == BLUE  # the initiative both countries take part in
    assert by_country[0].group == ""  # tied between two countries: belongs to neither
    with pytest.raises(QueryError, match="unknown grouping"):
        brokers(G, by="colour")


def test_communities_partition_all_nodes_deterministically(G: nx.MultiDiGraph) -> None:
    first, second = communities(G), communities(G)
    assert first == second
    members = [m for c in first for m in c.members]
    assert sorted(members) == sorted(G.nodes)
    assert first[0].size >= first[-1].size


def test_funding_flows_follow_funder_initiative_leads_countries(G: nx.MultiDiGraph) -> None:
    flows = {f.funder: f for f in funding_flows(G)}
    assert set(flows) == {GEF, XSS_IRI}
    gef = flows[GEF]
    assert gef.initiative == BLUE
    assert gef.implementers == ("United Nations Development Programme",)
    assert gef.countries == ("Azerbaijan", "Kazakhstan")
    assert gef.evidence[0].doc_id == "001_sample.txt"
    assert flows[XSS_IRI].funder_label == XSS_SCRIPT  # analytics keep the raw text


def test_ego_network_radius(G: nx.MultiDiGraph) -> None:
    one = ego(G, "UNDP", 1)
    assert one.graph["center"] == UNDP
    assert BLUE in one and COP in one and GEF not in one
    two = ego(G, "UNDP", 2)
    assert GEF in two and KZ in two
    assert two.edges[GEF, BLUE, "funds"]["evidence"]  # attributes survive
    assert set(ego(G, UNDP, 0).nodes) == {UNDP}


def test_connections_give_paths_with_facts_in_their_direction(G: nx.MultiDiGraph) -> None:
    paths = connections(G, "Zhomart Aliyev", "Kazakhstan", k=3)
    assert paths[0].labels[0] == "Zhomart Aliyev" and paths[0].labels[-1] == "Kazakhstan"
    assert paths[0].length == 3
    assert [p.length for p in paths] == sorted(p.length for p in paths)
    first_step = paths[0].steps[0]
    assert (first_step.subject_label, first_step.relation) == ("Zhomart Aliyev", "worksFor")
    assert first_step.evidence[0].sentence.startswith("Zhomart Aliyev, UNDP programme officer")
    # the step into Kazakhstan keeps its real direction: Kazakhstan participatesIn the initiative
    last = [s for s in paths[0].steps if KZ in (s.subject, s.object)]
    assert all(s.subject == KZ for s in last)


def test_connections_none_between_disconnected_actors() -> None:
    ds = Dataset()
    H = to_networkx(ds)
    H.add_node("a", label="A", labels={}, type="Organisation")
    H.add_node("b", label="B", labels={}, type="Organisation")
    assert connections(H, "a", "b") == []


@pytest.mark.slow
def test_analytics_on_five_thousand_nodes_in_reasonable_time() -> None:
    big = synthetic_graph(5000)
    start = time.perf_counter()
    rows = centrality(big, top=10)
    cs = communities(big)
    br = brokers(big, top=10)
    elapsed = time.perf_counter() - start
    assert len(rows) == 10 and len(br) == 10
    assert 5 < len(cs) < 2500
    assert elapsed < 120, f"analytics on 5,000 nodes took {elapsed:.0f}s"


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    from envgraph.network import rdflib_to_oxigraph
    from envgraph.store import open_store

    path = tmp_path_factory.mktemp("cli") / "store"
    with open_store(path) as store:
        store.oxigraph.extend(rdflib_to_oxigraph(sample_dataset()))
    return str(path)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from envgraph.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_network_commands_as_json(store_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _err = run_cli(capsys, "network", "--store", store_dir, "centrality", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["iri"] == BLUE and rows[0]["degree"] == 5
    code, out, _err = run_cli(capsys, "network", "funding", "--store", store_dir, "-f", "json")
    flows = json.loads(out)
    gef = next(f for f in flows if f["funder"] == GEF)
    assert gef["countries"] == ["Azerbaijan", "Kazakhstan"]
    assert gef["evidence"][0]["document"] == "001_sample.txt"
    code, out, _err = run_cli(capsys, "network", "--store", store_dir, "--format", "json",
                              "path", "Zhomart Aliyev", "Kazakhstan", "-k", "1")
    [path] = json.loads(out)
    assert path["labels"][0] == "Zhomart Aliyev" and path["steps"][0]["relation"] == "worksFor"


def test_cli_network_tables_and_csv(store_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(capsys, "network", "--store", store_dir, "ego", "UNDP", "-f", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "subject,relation,object,documents,evidence"
    assert any(line.startswith("Zhomart Aliyev,worksFor,") for line in lines)
    code, out, _err = run_cli(capsys, "network", "--store", store_dir, "brokers", "--by", "country")
    assert code == 0 and "Brokers between countries" in out and "Blueing" in out
    code, out, _err = run_cli(capsys, "network", "--store", store_dir, "communities", "-l", "ru")
    assert code == 0 and "Голубой Каспий" in out
    # a label that looks like rich markup is printed as it is
    from envgraph.cli_views import Table, _emit

    _emit(Table("[red]t", ["label"], [["[bold]x[/bold] [/nope]"]], []), "table")
    assert "[bold]x[/bold] [/nope]" in capsys.readouterr().out
    code, _out, err = run_cli(capsys, "network", "--store", store_dir, "ego", "Nobody at all")
    assert code == 2 and "no actor named" in err
    code, _out, err = run_cli(capsys, "network", "--store", store_dir, "centrality", "-f", "xml")
    assert code == 2 and "unknown --format" in err


def test_cli_html_writes_one_file(store_dir: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "g.html"
    code, out, _err = run_cli(capsys, "html", "--store", store_dir, "-o", str(out_file), "--lang", "kk",
                              "--focus", "UNDP", "--depth", "1", "--types", "Organisation,Person",
                              "--relations", "worksFor", "--relations", "partnerOf")
    assert code == 0 and out_file.exists() and "wrote" in out
    page = out_file.read_text(encoding="utf-8")
    assert '"relations": [{"name": "partnerOf"' in page


def test_cli_serve_without_a_store_fails_clearly(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "serve", "--store", str(tmp_path / "none"), "--port", "0")
    assert code == 2 and "no store at" in err
