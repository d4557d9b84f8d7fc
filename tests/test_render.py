"""The HTML graph: one offline file, data escaped, filters' data present, scale handled."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import networkx as nx
import pytest

from envgraph.errors import InputError
from envgraph.network import to_networkx
from envgraph.render import (
    PHYSICS_MAX_NODES,
    graph_payload,
    json_for_script,
    layout_graph,
    render_html,
    select_subgraph,
)
from view_fixtures import (
    ENT,
    XSS_CLOSE,
    XSS_IMG,
    XSS_PAYLOADS,
    XSS_SCRIPT,
    XSS_SVG,
    assert_no_markup_injected,
    sample_dataset,
    synthetic_graph,
)

UNDP = str(ENT["organisation/undp"])


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return to_networkx(sample_dataset())


@pytest.fixture(scope="module")
def page(G: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = render_html(G, tmp_path_factory.mktemp("html") / "graph.html")
    return path.read_text(encoding="utf-8")


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="envgraph-data">(.*?)</script>', page, re.S)
    assert match, "the data block is missing"
    return json.loads(match.group(1))


def test_page_is_self_contained_offline(page: str) -> None:
    # no external script, stylesheet, image or frame: everything is inline
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?\s*(https?:)?//",
                         page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "vis.Network" in page or "Network" in page
    assert len(re.findall(r"^<script\b", page, re.M)) == 3  # data, vis-network, ours
    assert "sourceMappingURL" not in page


def test_no_payload_appears_unescaped_anywhere_in_the_page(page: str) -> None:
    for payload in XSS_PAYLOADS:
        if "<" in payload or ">" in payload:
            assert payload not in page, payload
    # exactly three script elements open and close: no label closed or opened one
    assert len(re.findall(r"^<script\b", page, re.M)) == 3
    assert len(re.findall(r"</script", page, re.I)) == 3
    assert "\u2028" not in page and "\u2029" not in page
    assert_no_markup_injected(page, scripts_allowed=3)


def test_payloads_survive_as_data(page: str) -> None:
    data = _data(page)
    xss = next(n for n in data["nodes"] if n["iri"].endswith("xss-test"))
    assert xss["labels"]["en"] == XSS_SCRIPT
    assert xss["labels"]["ru"] == XSS_IMG
    assert xss["labels"]["kk"] == XSS_SVG
    assert xss["labels"]["az"] == XSS_CLOSE
    # pyvis's title string is HTML-escaped as well
    assert "<" not in xss["title"] and "&lt;script&gt;" in xss["title"]
    evidence = [ev for e in data["edges"] for ev in e["evidence"] if XSS_CLOSE in ev[1]]
    assert evidence


def test_json_for_script_escapes_everything_that_could_end_a_script() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028\u2029 >"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_payload_has_legend_languages_positions_and_evidence(G: nx.MultiDiGraph) -> None:
    data = graph_payload(G, lang="ru")
    assert {t["name"] for t in data["types"]} == {"Organisation", "Initiative", "Country", "Person",
                                                  "Event", "Place", "Convention"}
    assert len({t["color"] for t in data["types"]}) == len(data["types"])
    assert len({t["shape"] for t in data["types"]}) == len(data["types"])
    assert {r["name"] for r in data["relations"]} >= {"funds", "leads", "participatesIn"}
    assert data["languages"][:5] == ["en", "ru", "az", "kk", "tk"]
    undp = next(n for n in data["nodes"] if n["iri"] == UNDP)
    assert undp["label"] == "Программа развития ООН"
    assert undp["labels"]["az"] == "BMT-nin İnkişaf Proqramı"
    assert isinstance(undp["x"], float) and isinstance(undp["size"], float)
    funds = next(e for e in data["edges"] if e["relation"] == "funds")
    assert funds["arrows"] == "to" and funds["label"] == "funds"
    doc, sentence, rule, confidence = funds["evidence"][0]
    assert doc.endswith(".txt") and sentence and rule and 0 < confidence <= 1
    assert data["options"]["physics"]["enabled"] is True  # small: settles, then the page stops it
    assert data["aggregate"] is None


def test_node_size_follows_importance(G: nx.MultiDiGraph) -> None:
    data = graph_payload(G)
    sizes = {n["iri"].rsplit("/", 1)[1]: n["size"] for n in data["nodes"]}
    assert sizes["blueing-the-caspian-sea"] == max(sizes.values())


def test_focus_depth_types_and_relations_select_the_subgraph(G: nx.MultiDiGraph) -> None:
    one = select_subgraph(G, focus="UNDP", depth=1)
    assert one.graph["center"] == UNDP
    assert len(one) < len(G)
    countries = select_subgraph(G, types=["Country", "Initiative"])
    assert {d["type"] for _n, d in countries.nodes(data=True)} == {"Country", "Initiative"}
    funds = select_subgraph(G, relations=["funds"])
    assert {k for *_e, k in funds.edges(keys=True)} == {"funds"}
    assert all(funds.degree(n) > 0 for n in funds)
    with pytest.raises(InputError, match="types in the graph"):
        select_subgraph(G, types=["Spaceship"])
    with pytest.raises(InputError, match="relations in the graph"):
        select_subgraph(G, relations=["eats"])


def test_render_with_focus_marks_the_centre(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    page = render_html(G, tmp_path / "ego.html", focus="UNDP", depth=1, lang="az").read_text()
    data = _data(page)
    centre = next(n for n in data["nodes"] if n["id"] == data["center"])
    assert centre["iri"] == UNDP and centre["borderWidth"] == 4
    assert centre["label"] == "BMT-nin İnkişaf Proqramı"
    assert "envgraph · BMT" in data["title"]


def test_render_from_a_source_and_unknown_language(tmp_path: Path) -> None:
    path = render_html(sample_dataset(), tmp_path / "x" / "g.html")
    assert path.exists()
    with pytest.raises(InputError, match="unknown display language"):
        render_html(sample_dataset(), tmp_path / "y.html", lang="fr")


def test_layout_is_deterministic_and_spreads_nodes(G: nx.MultiDiGraph) -> None:
    a, b = layout_graph(G), layout_graph(G)
    assert a.positions == b.positions
    points = list(a.positions.values())
    closest = min(((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
                  for i, (x1, y1) in enumerate(points) for (x2, y2) in points[i + 1:])
    assert closest > 10


@pytest.mark.slow
def test_five_thousand_nodes_aggregate_with_precomputed_layout(tmp_path: Path) -> None:
    big = synthetic_graph(5000)
    start = time.perf_counter()
    path = render_html(big, tmp_path / "big.html")
    elapsed = time.perf_counter() - start
    data = _data(path.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 5000
    assert data["options"]["physics"]["enabled"] is False
    agg = data["aggregate"]
    assert agg is not None and 5 < len(agg["groups"]) < 300
    assert sum(g["size"] for g in agg["groups"]) == 5000
    assert set(agg["memberGroup"]) == {n["id"] for n in data["nodes"]}
    assert elapsed < 60, f"rendering 5,000 nodes took {elapsed:.0f}s"
    # nodes of one community sit together: their mean distance is far below the graph's span
    xs = [n["x"] for n in data["nodes"]]
    span = max(xs) - min(xs)
    first = [n for n in data["nodes"] if n["community"] == 0]
    cx = sum(n["x"] for n in first) / len(first)
    assert sum(abs(n["x"] - cx) for n in first) / len(first) < span / 8


def test_medium_graph_is_drawn_whole_without_physics(tmp_path: Path) -> None:
    mid = synthetic_graph(PHYSICS_MAX_NODES + 100, seed=3)
    data = _data(render_html(mid, tmp_path / "mid.html").read_text(encoding="utf-8"))
    assert data["aggregate"] is None
    assert data["options"]["physics"]["enabled"] is False


def test_docstring_examples_run() -> None:
    import doctest

    import envgraph.render as render

    result = doctest.testmod(render)
    assert result.attempted >= 1 and result.failed == 0
