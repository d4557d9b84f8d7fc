"""The interactive HTML graph: one self-contained page that works offline.

``render_html`` projects the store (or takes a NetworkX graph from :mod:`envgraph.network`),
lays it out, assembles the vis-network nodes and edges with pyvis and writes ONE HTML file with
vis-network's JavaScript and CSS inline (vendored in the pyvis package; no CDN), our own script
(``static/graph.js``) and the graph data.

Safety, stated once: every string from the texts reaches the page only as data. The data goes
into ``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as
``\\u003c`` …, so no label can close the script element; our script reads it with ``JSON.parse``
and builds tooltips and the side panel with ``textContent``, never ``innerHTML``. The ``title``
strings pyvis carries are additionally ``html.escape``-d (a fallback that is never rendered as
markup).

Scale: positions are precomputed (communities laid out side by side, each with a force layout),
physics is off, so the page is usable at once. Above ``max_nodes`` the page opens on an
aggregated view (one node per community, sized by its members) and drills down on click.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from envgraph.errors import InputError
from envgraph.model import LANGUAGES
from envgraph.network import (
    community_partition,
    ego,
    importance,
    pick_label,
    resolve_actor,
    to_networkx,
)


@dataclass(frozen=True, slots=True)
class TypeStyle:
    """How nodes of one entity type are drawn."""

    color: str
    shape: str


TYPE_STYLES: Mapping[str, TypeStyle] = {
    "Organisation": TypeStyle("#4e79a7", "dot"),
    "Initiative": TypeStyle("#f28e2b", "diamond"),
    "Convention": TypeStyle("#76b7b2", "square"),
    "Event": TypeStyle("#e15759", "star"),
    "Person": TypeStyle("#59a14f", "triangle"),
    "Country": TypeStyle("#edc948", "hexagon"),
    "Place": TypeStyle("#b07aa1", "triangleDown"),
}
OTHER_STYLE = TypeStyle("#9c9c9c", "dot")

RELATION_PALETTE: Sequence[str] = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)

DEFAULT_MAX_NODES = 3000
PHYSICS_MAX_NODES = 400  # up to this many nodes the page settles the layout with physics
_NODE_SPACING = 90.0  # pixels between neighbouring nodes in the precomputed layout
_SMALL_GROUP = 3  # communities smaller than this share one "other actors" group in the overview


# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def json_for_script(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: it cannot end the element or open a
    comment, whatever strings it holds (``</script>``, ``<!--``, U+2028).

    Examples:
        >>> json_for_script({"label": "</script><b>&"})
        '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return _SCRIPT_ESCAPE_RE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


def _force_layout(n: int, edges: np.ndarray, *, seed: int, iterations: int = 80,
                  sample: int = 600) -> np.ndarray:
    """Fruchterman-Reingold in the unit square; repulsion against a random sample of at most
    ``sample`` nodes per step, so the cost grows linearly with the number of nodes."""
    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) * 0.5 + rng.normal(0, 0.02, (n, 2))
    k = 1.0 / math.sqrt(n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        if n <= sample:
            others = pos
            factor = 1.0
        else:
            others = pos[rng.choice(n, sample, replace=False)]
            factor = n / sample
        delta = pos[:, None, :] - others[None, :, :]
        dist2 = np.maximum((delta**2).sum(axis=-1), 1e-4)
        disp = (delta * (k * k / dist2)[..., None]).sum(axis=1) * factor
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            length = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
            pull = d * (length / k)[:, None]
            np.add.at(disp, edges[:, 0], -pull)
            np.add.at(disp, edges[:, 1], pull)
        disp -= pos * (0.05 * k * n)  # weak gravity keeps stray parts near the middle
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-6)
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature -= cooling
    return pos


def _separate(centres: np.ndarray, radii: np.ndarray, *, gap: float, rounds: int = 200) -> np.ndarray:
    """Push circles apart until none overlap (centres move, radii stay)."""
    pos = centres.copy()
    if len(pos) < 2:
        return pos
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        need = radii[:, None] + radii[None, :] + gap
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(need - dist, 0, None)
        if not overlap.any():
            break
        safe = np.where(np.isfinite(dist) & (dist > 1e-9), dist, 1.0)
        direction = delta / safe[..., None]
        # coincident centres: push along a fixed diagonal
        direction[dist <= 1e-9] = np.array([0.7071, 0.7071])
        pos += (direction * (overlap / 2)[..., None]).sum(axis=1) * 0.5
    return pos


@dataclass(frozen=True, slots=True)
class Layout:
    """Node positions in pixels, each node's community, and the communities' centres."""

    positions: Mapping[Hashable, tuple[float, float]]
    community: Mapping[Hashable, int]
    centres: Sequence[tuple[float, float]]
    sizes: Sequence[int]


def layout_graph(G: nx.MultiDiGraph, *, seed: int = 42, spacing: float = _NODE_SPACING) -> Layout:
    """Positions for every node: communities laid out by a force layout of the community graph,
    pushed apart so they do not overlap, each community's members by their own force layout
    inside a disc whose area grows with its size. Isolated actors go in a grid below.

    Deterministic for a given graph and seed.
    """
    connected = [n for n in G.nodes if G.degree(n) > 0 and
                 any(u != v for u, v in list(G.in_edges(n)) + list(G.out_edges(n)))]
    isolated = sorted((n for n in G.nodes if n not in set(connected)), key=str)
    parts = community_partition(G.subgraph(connected), seed=seed) if connected else []
    community: dict[Hashable, int] = {}
    for i, part in enumerate(parts):
        for n in part:
            community[n] = i
    positions: dict[Hashable, tuple[float, float]] = {}
    centres: list[tuple[float, float]] = []
    sizes = [len(p) for p in parts]
    if parts:
        radii = np.array([spacing * 0.75 * math.sqrt(s) + spacing * 0.3 for s in sizes])
        links: Counter[tuple[int, int]] = Counter()
        for u, v in G.edges():
            cu, cv = community.get(u), community.get(v)
            if cu is not None and cv is not None and cu != cv:
                links[(min(cu, cv), max(cu, cv))] += 1
        meta_edges = np.array(sorted(links), dtype=int).reshape(-1, 2)
        meta = _force_layout(len(parts), meta_edges, seed=seed, iterations=120)
        span = np.abs(meta).max() or 1.0
        meta = meta / span * math.sqrt(float((radii**2).sum())) * 0.5
        meta = _separate(meta, radii, gap=spacing * 0.4, rounds=500)
        for i, part in enumerate(parts):
            members = sorted(part, key=str)
            index = {m: j for j, m in enumerate(members)}
            edges = np.array(sorted({(index[u], index[v]) for u, v in G.subgraph(members).edges()
                                     if u != v}), dtype=int).reshape(-1, 2)
            if len(members) < 500:  # networkx's dense Fruchterman-Reingold (NumPy only)
                sub = nx.Graph()
                sub.add_nodes_from(range(len(members)))
                sub.add_edges_from(map(tuple, edges))
                spread = nx.spring_layout(sub, seed=seed + i, iterations=150, method="force")
                local = np.array([spread[j] for j in range(len(members))], dtype=float)
            else:
                local = _force_layout(len(members), edges, seed=seed + i)
            local -= local.mean(axis=0) if len(local) else 0
            dist = np.linalg.norm(local, axis=1)
            # scale by the 85th percentile so a few outliers do not squeeze the core together,
            # then pull the outliers back inside the community's disc
            reach = float(np.percentile(dist, 85)) if len(local) > 1 else 1.0
            local = local / (reach or 1.0) * (radii[i] - spacing * 0.3) * 0.9
            dist = np.linalg.norm(local, axis=1)
            limit = radii[i] - spacing * 0.2
            over = dist > limit
            local[over] *= (limit / dist[over])[:, None]
            cx, cy = meta[i]
            centres.append((float(cx), float(cy)))
            for m, (x, y) in zip(members, local):
                positions[m] = (float(cx + x), float(cy + y))
    if isolated:
        xs = [p[0] for p in positions.values()] or [0.0]
        ys = [p[1] for p in positions.values()] or [0.0]
        cols = max(1, int(math.sqrt(len(isolated)) * 1.6))
        left = min(xs)
        top = max(ys) + spacing * 2
        for j, n in enumerate(isolated):
            positions[n] = (left + (j % cols) * spacing * 1.9, top + (j // cols) * spacing * 0.8)
            community[n] = -1
    return Layout(positions, community, centres, sizes)


# --------------------------------------------------------------------------------------------
# Selecting what to draw
# --------------------------------------------------------------------------------------------


def select_subgraph(
    G: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    depth: int = 2,
    types: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The part of G to draw: the ego network of ``focus`` (``depth`` links), only nodes of
    ``types``, only edges of ``relations`` (nodes left without any edge by the relation filter
    are dropped, except the focus)."""
    H = ego(G, focus, depth) if focus else G
    center = H.graph.get("center") if focus else None
    if types:
        wanted = set(types)
        unknown = wanted - {str(d.get("type")) for _n, d in G.nodes(data=True)}
        if unknown == wanted:
            raise InputError(f"no actor has the type(s) {', '.join(sorted(unknown))}; "
                             f"types in the graph: {', '.join(sorted(_types(G)))}")
        H = H.subgraph([n for n, d in H.nodes(data=True)
                        if d.get("type") in wanted or n == center])
    if relations:
        wanted_rel = set(relations)
        if not wanted_rel & {k for _u, _v, k in G.edges(keys=True)}:
            raise InputError(f"no relation named {', '.join(sorted(wanted_rel))}; relations in "
                             f"the graph: {', '.join(sorted({k for *_e, k in G.edges(keys=True)}))}")
        kept = nx.MultiDiGraph()
        kept.graph.update(H.graph)
        for u, v, k, d in H.edges(keys=True, data=True):
            if k in wanted_rel:
                kept.add_edge(u, v, key=k, **d)
        keep_nodes = set(kept.nodes) | ({center} if center else set())
        kept.add_nodes_from((n, H.nodes[n]) for n in keep_nodes)
        H = kept
    if H is not G and nx.is_frozen(H):  # a subgraph view: make it a graph of its own
        H = H.copy()
    if center:
        H.graph["center"] = center
    return H


def _types(G: nx.MultiDiGraph) -> set[str]:
    return {str(d.get("type", "")) for _n, d in G.nodes(data=True)}


# --------------------------------------------------------------------------------------------
# The page's data
# --------------------------------------------------------------------------------------------


def type_style(type_: str) -> TypeStyle:
    return TYPE_STYLES.get(type_, OTHER_STYLE)


def relation_colors(relations: Iterable[str]) -> dict[str, str]:
    """A colour for each relation, by its place in the sorted list (stable across pages with
    the same relations)."""
    return {r: RELATION_PALETTE[i % len(RELATION_PALETTE)] for i, r in enumerate(sorted(set(relations)))}


def _plain_title(label: str, type_: str, labels: Mapping[str, str]) -> str:
    lines = [label, type_] + [f"{lang}: {text}" for lang, text in sorted(labels.items())]
    return html.escape("\n".join(lines))


def _evidence_rows(evidence: Iterable[Any]) -> list[list[Any]]:
    return [[str(e[0]), str(e[1]), str(e[2]), None if e[3] is None else float(e[3])]
            for e in evidence]


def graph_payload(
    G: nx.MultiDiGraph,
    *,
    lang: str = "en",
    title: str = "envgraph",
    max_nodes: int = DEFAULT_MAX_NODES,
    seed: int = 42,
    entity_link: str | None = None,
) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data: vis nodes and edges (assembled with pyvis),
    every label per language, the evidence, the legend, and the aggregated view when the graph
    has more than ``max_nodes`` nodes. ``entity_link`` is a URL prefix (``/entity?iri=``) for
    links from the side panel when the page is served by ``envgraph serve``."""
    from pyvis.network import Network

    if lang not in LANGUAGES:
        raise InputError(f"unknown display language {lang!r}; use one of {', '.join(LANGUAGES)}")
    layout = layout_graph(G, seed=seed)
    weight = importance(G)
    ids = {n: f"n{i}" for i, n in enumerate(sorted(G.nodes, key=str))}
    rel_colors = relation_colors(k for _u, _v, k in G.edges(keys=True))
    center = G.graph.get("center")

    net = Network(directed=True)
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        labels = {str(k): str(v) for k, v in dict(d.get("labels", {})).items()}
        type_ = str(d.get("type", "Entity"))
        style = type_style(type_)
        default = str(d.get("label", "")) or str(n)
        label = pick_label(labels, lang, default) if labels else default
        x, y = layout.positions.get(n, (0.0, 0.0))
        net.add_node(
            ids[n],
            label=label,
            shape=style.shape,
            color=style.color,
            size=round(10 + 28 * weight.get(n, 0.0), 1),
            x=round(x, 1),
            y=round(y, 1),
            title=_plain_title(label, type_, labels),
            borderWidth=4 if n == center else 1,
            iri=str(d.get("iri", n)),
            type=type_,
            labels=labels,
            fallback=default,
            alt=[[str(t), str(tag)] for t, tag in d.get("alt_labels", ())],
            attributes=[[a.property, a.value, a.evidence.doc_id, a.evidence.sentence]
                        for a in d.get("attributes", ())],
            community=layout.community.get(n, -1),
        )
    for i, (u, v, k, d) in enumerate(sorted(G.edges(keys=True, data=True),
                                            key=lambda e: (str(e[0]), str(e[1]), e[2]))):
        color = rel_colors[k]
        evidence = _evidence_rows(d.get("evidence", ()))
        net.add_edge(
            ids[u],
            ids[v],
            id=f"e{i}",
            label=k,
            relation=k,
            color={"color": color, "highlight": color, "hover": color, "opacity": 0.85},
            title=html.escape(f"{k} ({len(evidence)} fact{'s' if len(evidence) != 1 else ''})"),
            evidence=evidence,
        )

    big = G.number_of_nodes() > max_nodes
    options = {
        "autoResize": True,
        # small graphs: settle the precomputed layout with a short, bounded simulation that the
        # page switches off when it is done; large graphs keep the precomputed positions
        "physics": ({"enabled": True, "solver": "barnesHut",
                     "barnesHut": {"gravitationalConstant": -6000, "springLength": 120,
                                   "springConstant": 0.04, "avoidOverlap": 0.4,
                                   "centralGravity": 0.9, "damping": 0.4},
                     "stabilization": {"enabled": True, "iterations": 400, "fit": True},
                     "minVelocity": 1.0}
                    if G.number_of_nodes() <= PHYSICS_MAX_NODES else {"enabled": False}),
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": G.number_of_edges() > 800,
            "hideEdgesOnZoom": G.number_of_edges() > 2000,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
        },
        "nodes": {
            "font": {"size": 18, "face": "system-ui, sans-serif", "strokeWidth": 4,
                     "strokeColor": "#ffffff", "color": "#1d1d1d"},
            "borderWidth": 1,
            "scaling": {"label": {"drawThreshold": 4}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "smooth": False if G.number_of_edges() > 1500 else {"type": "continuous", "roundness": 0.2},
            "font": {"size": 11, "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff",
                     "align": "middle"},
            "width": 1.4,
            "selectionWidth": 2.5,
        },
    }
    net.set_options(json.dumps(options))
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()

    types = Counter(str(d.get("type", "Entity")) for _n, d in G.nodes(data=True))
    relations = Counter(k for _u, _v, k in G.edges(keys=True))
    languages = sorted({tag for _n, d in G.nodes(data=True) for tag in d.get("labels", {})}
                       | set(LANGUAGES), key=lambda t: (t not in LANGUAGES,
                                                        LANGUAGES.index(t) if t in LANGUAGES else 0, t))
    return {
        "title": title,
        "lang": lang,
        "languages": [t for t in languages if t in LANGUAGES],
        "types": [{"name": t, "color": type_style(t).color, "shape": type_style(t).shape,
                   "count": c} for t, c in sorted(types.items())],
        "relations": [{"name": r, "color": rel_colors[r], "count": c}
                      for r, c in sorted(relations.items())],
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options_json),
        "center": ids.get(center) if center else None,
        "aggregate": _aggregate(G, layout, ids, nodes) if big else None,
        "entityLink": entity_link,
    }


def _aggregate(G: nx.MultiDiGraph, layout: Layout, ids: Mapping[Hashable, str],
               nodes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The overview of a large graph: one node per community (small ones and isolated actors
    pooled into one group), links counting the relations between communities."""
    weight = importance(G)
    group_of: dict[Hashable, int] = {}
    members: dict[int, list[Hashable]] = defaultdict(list)
    pooled = -1
    for n, c in layout.community.items():
        small = c < 0 or layout.sizes[c] < _SMALL_GROUP
        g = pooled if small else c
        group_of[n] = g
        members[g].append(n)
    groups = []
    order = sorted(members, key=lambda g: (-len(members[g]), g))
    largest = max(len(m) for m in members.values())
    centres = []
    radii = []
    for g in order:
        ms = sorted(members[g], key=lambda n: (-weight.get(n, 0.0), str(n)))
        type_counts = Counter(str(G.nodes[n].get("type", "Entity")) for n in ms)
        main_type = type_counts.most_common(1)[0][0]
        size = 14 + 46 * math.sqrt(len(ms) / largest)
        if g >= 0:
            cx, cy = layout.centres[g]
        else:
            xs = [layout.positions[n] for n in ms]
            cx, cy = (float(np.mean([p[0] for p in xs])), float(max(p[1] for p in xs)))
        centres.append((cx, cy))
        radii.append(size + 70)
        groups.append({
            "id": f"c{g}" if g >= 0 else "c-other",
            "community": g,
            "size": len(ms),
            "top": [ids[n] for n in ms[:3]],
            "types": dict(type_counts.most_common()),
            "color": type_style(main_type).color,
            "radius": round(size, 1),
            "pooled": g < 0,
        })
    pos = np.array(centres)
    pos = pos / (np.abs(pos).max() or 1.0) * 150 * math.sqrt(len(groups))
    pos = _separate(pos, np.array(radii), gap=20)
    for group, (x, y) in zip(groups, pos):
        group["x"], group["y"] = round(float(x), 1), round(float(y), 1)
    links: Counter[tuple[str, str]] = Counter()
    gid = {g["community"]: g["id"] for g in groups}
    for u, v in G.edges():
        a, b = gid[group_of[u]], gid[group_of[v]]
        if a != b:
            links[(min(a, b), max(a, b))] += 1
    return {
        "groups": groups,
        "links": [{"from": a, "to": b, "count": c} for (a, b), c in sorted(links.items())],
        "memberGroup": {ids[n]: gid[g] for n, g in group_of.items()},
    }


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def _vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS as shipped inside the pyvis package."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib"
    candidates = sorted(lib.glob("vis-*/vis-network.min.js"), reverse=True)
    if not candidates:
        raise InputError(f"vis-network is missing from the pyvis package at {lib}; reinstall pyvis")
    js_path = candidates[0]
    js = re.sub(r"//# sourceMappingURL=\S*", "", js_path.read_text(encoding="utf-8"))
    css = re.sub(r"/\*# sourceMappingURL=\S*\s*\*/", "",
                 (js_path.parent / "vis-network.css").read_text(encoding="utf-8"))
    return js, css


def _own_asset(name: str) -> str:
    return resources.files("envgraph").joinpath("static", name).read_text(encoding="utf-8")


def _inline_safe(code: str, what: str) -> str:
    if re.search(r"</(script|style)", code, re.IGNORECASE):
        raise InputError(f"{what} contains a closing tag and cannot be inlined")
    return code


def html_document(payload: Mapping[str, Any]) -> str:
    """The complete page for a payload from :func:`graph_payload`."""
    import jinja2
    from markupsafe import Markup

    vis_js, vis_css = _vis_assets()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("envgraph", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("graph.html")
    return template.render(
        title=str(payload.get("title", "envgraph")),
        lang=str(payload.get("lang", "en")),
        vis_css=Markup(_inline_safe(vis_css, "vis-network.css")),
        vis_js=Markup(_inline_safe(vis_js, "vis-network.min.js")),
        own_css=Markup(_inline_safe(_own_asset("graph.css"), "graph.css")),
        own_js=Markup(_inline_safe(_own_asset("graph.js"), "graph.js")),
        data=Markup(json_for_script(payload)),
    )


def render_html(
    graph_or_source: nx.MultiDiGraph | Any,
    path: Path | str,
    *,
    lang: str = "en",
    focus: str | None = None,
    depth: int = 2,
    types: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    title: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    entity_link: str | None = None,
) -> Path:
    """Write the interactive graph to ``path`` as one self-contained HTML file; returns the path.

    ``graph_or_source`` is a graph from :func:`envgraph.network.to_networkx` or anything it
    accepts (an envgraph Store, an rdflib Dataset). ``focus``/``depth`` draw an actor's ego
    network; ``types`` and ``relations`` keep only those node types and relations.
    """
    G = graph_or_source if isinstance(graph_or_source, nx.MultiDiGraph) else to_networkx(
        graph_or_source, lang=lang)
    H = select_subgraph(G, focus=focus, depth=depth, types=types, relations=relations)
    if title is None:
        title = "envgraph"
        if focus:
            d = H.nodes[resolve_actor(G, focus)]
            title += " · " + pick_label(dict(d.get("labels", {})), lang, str(d.get("label", focus)))
    payload = graph_payload(H, lang=lang, title=title, max_nodes=max_nodes, entity_link=entity_link)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_document(payload), encoding="utf-8")
    return out


def show(
    graph_or_source: nx.MultiDiGraph | Any,
    *,
    height: int = 650,
    lang: str = "en",
    focus: str | None = None,
    depth: int = 2,
    types: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Any:
    """The interactive graph inline in Jupyter: the same self-contained page, in an iframe.

    The page goes into the iframe's ``srcdoc`` attribute, HTML-escaped, so it runs in its own
    document (no CDN, works offline, cannot touch the notebook). Returns an
    ``IPython.display.HTML`` object; the last expression of a cell displays it.
    """
    from IPython.display import HTML

    G = graph_or_source if isinstance(graph_or_source, nx.MultiDiGraph) else to_networkx(
        graph_or_source, lang=lang)
    H = select_subgraph(G, focus=focus, depth=depth, types=types, relations=relations)
    title = "envgraph"
    if focus:
        d = H.nodes[H.graph["center"]]
        title += " · " + pick_label(dict(d.get("labels", {})), lang, str(d.get("label", focus)))
    page = html_document(graph_payload(H, lang=lang, title=title, max_nodes=max_nodes))
    return HTML(
        f'<div class="envgraph"><iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
        'sandbox="allow-scripts"></iframe></div>'
    )
