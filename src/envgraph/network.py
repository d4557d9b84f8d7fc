"""The knowledge graph as a NetworkX graph, and the network analytics users ask for.

``to_networkx`` projects the RDF graph (docs/rdf-contract.md) onto a ``nx.MultiDiGraph``: one node
per entity (attributes ``type``, ``label``, ``labels`` {lang: label}, ``alt_labels``, ``iri``,
``attributes``) and one edge per asserted relation, keyed by the property's local name, with the
facts behind it in ``evidence`` (a list of :class:`Evidence`: document id, sentence, rule,
confidence). The analytics below are plain functions of that graph so they work on any graph of
that shape (a whole archive, an ego network, a synthetic test graph).

Nothing here builds SPARQL from user input: the projection queries are constants, and actors
named by users are resolved against the NetworkX graph.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import networkx as nx

from envgraph.errors import QueryError
from envgraph.model import ENTITY_TYPES
from envgraph.settings import DOC_BASE, ENTITY_BASE, INFERRED_GRAPH, ONTOLOGY_NS

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

# Relations the funding-flow analysis follows (local names in the envgraph ontology).
FUNDS = "funds"
LEADS = "leads"
PARTICIPATES_IN = "participatesIn"
COUNTRY_TYPE = "Country"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DEFAULT_GRAPH_HOME = "urn:x-envgraph:default-graph"  # where rdflib default-graph triples go

_PREFIXES = f"""
PREFIX env: <{ONTOLOGY_NS}>
PREFIX rdf: <{_RDF}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""

_Q_TYPES = _PREFIXES + f"""
SELECT DISTINCT ?e ?type WHERE {{
  ?e a ?type .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{ENTITY_BASE}") && STRSTARTS(STR(?type), "{ONTOLOGY_NS}"))
}}"""

_Q_LABELS = _PREFIXES + f"""
SELECT DISTINCT ?e ?kind ?label WHERE {{
  {{ ?e skos:prefLabel ?label . BIND("pref" AS ?kind) }}
  UNION {{ ?e skos:altLabel ?label . BIND("alt" AS ?kind) }}
  UNION {{ ?e rdfs:label ?label . BIND("rdfs" AS ?kind) }}
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{ENTITY_BASE}"))
}}"""

_RELATION_FILTER = (
    f'isIRI(?o) && STRSTARTS(STR(?s), "{ENTITY_BASE}") && STRSTARTS(STR(?o), "{ENTITY_BASE}")'
    f' && STRSTARTS(STR(?p), "{ONTOLOGY_NS}")'
)

_Q_RELATIONS_ASSERTED = _PREFIXES + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{INFERRED_GRAPH}> && {_RELATION_FILTER})
}}"""

_Q_RELATIONS_ALL = _PREFIXES + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER({_RELATION_FILTER})
}}"""

_Q_FACTS = _PREFIXES + """
SELECT ?f ?s ?p ?o ?doc ?docid ?text ?rule ?conf WHERE {
  ?f a env:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?f prov:wasDerivedFrom ?doc . OPTIONAL { ?doc dcterms:identifier ?docid } }
  OPTIONAL { ?f env:evidence ?sent . OPTIONAL { ?sent nif:anchorOf ?text } }
  OPTIONAL { ?f env:rule ?rule }
  OPTIONAL { ?f env:confidence ?conf }
}"""


class Evidence(NamedTuple):
    """One fact behind an edge or attribute: where it was read and how sure the extractor was."""

    doc_id: str
    sentence: str
    rule: str
    confidence: float | None


@dataclass(frozen=True, slots=True)
class AttributeFact:
    """A literal-valued fact about an entity (startDate, position, homepage, ...)."""

    property: str
    value: str
    datatype: str
    lang: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class _Lit:
    """A literal, independent of the RDF library it came from."""

    value: str
    lang: str | None = None
    datatype: str | None = None


_Term = str | _Lit | None


# --------------------------------------------------------------------------------------------
# Reading the RDF source
# --------------------------------------------------------------------------------------------


def _norm(term: Any) -> _Term:
    """An IRI as ``str``, a literal as ``_Lit``; works for rdflib, pyoxigraph and plain values."""
    if term is None:
        return None
    cls = type(term).__name__
    if cls in ("NamedNode", "URIRef"):
        return str(term.value) if cls == "NamedNode" else str(term)
    if cls == "Literal":
        if hasattr(term, "datatype") and hasattr(term, "language"):
            lang = term.language or None
            datatype = term.datatype
            dt = (datatype.value if hasattr(datatype, "value") and not isinstance(datatype, str)
                  else (str(datatype) if datatype is not None else None))
            value = term.value if isinstance(getattr(term, "value", None), str) else str(term)
            return _Lit(str(value), lang, dt)
    if cls in ("BlankNode", "BNode"):
        return "_:" + str(getattr(term, "value", term))
    if isinstance(term, (int, float)):
        return _Lit(str(term))
    return str(term)


def _ox_term(term: Any) -> Any:
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot copy the RDF term {term!r} into a pyoxigraph store")


def rdflib_to_oxigraph(graph: rdflib.Graph) -> pyoxigraph.Store:
    """Copy an rdflib Graph or Dataset into a new in-memory pyoxigraph store.

    Named graphs stay named graphs. Triples of a default graph (a plain Graph, or a Dataset's
    default graph) are put into the named graph ``urn:x-envgraph:default-graph``, so that every
    asserted triple can be read with ``GRAPH ?g`` and ``g:inferred`` still be told apart.
    """
    import pyoxigraph as ox
    import rdflib

    store = ox.Store()
    home = ox.NamedNode(_DEFAULT_GRAPH_HOME)
    if isinstance(graph, rdflib.Dataset):
        quads = []
        for s, p, o, ctx in graph.quads((None, None, None, None)):
            name = getattr(ctx, "identifier", ctx)
            g = (home if name is None or name == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
                 else _ox_term(name))
            quads.append(ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), g))
        store.extend(quads)
    else:
        store.extend(ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), home) for s, p, o in graph)
    return store


def _select_function(source: Any) -> Callable[[str], list[dict[str, _Term]]]:
    """A function running a constant SELECT over the union of all graphs of ``source``."""
    import pyoxigraph as ox
    import rdflib

    if isinstance(source, rdflib.Graph):
        source = rdflib_to_oxigraph(source)
    elif isinstance(getattr(source, "oxigraph", None), ox.Store):
        source = source.oxigraph  # an embedded envgraph store: read its pyoxigraph store directly
    if isinstance(source, ox.Store):
        store = source

        def select_ox(sparql: str) -> list[dict[str, _Term]]:
            result = store.query(sparql, use_default_graph_as_union=True)
            names = [v.value for v in result.variables]
            return [{n: _norm(sol[n]) for n in names} for sol in result]

        return select_ox
    if hasattr(source, "query"):  # envgraph.store.Store: default graph = union of named graphs

        def select_store(sparql: str) -> list[dict[str, _Term]]:
            result = source.query(sparql, {})
            names = [str(getattr(v, "value", v)).lstrip("?") for v in result.vars]
            return [dict(zip(names, (_norm(t) for t in row), strict=True)) for row in result.rows]

        return select_store
    raise QueryError(
        f"cannot read a graph from {type(source).__name__}: give an rdflib Graph or Dataset, "
        "a pyoxigraph Store or an envgraph Store (envgraph.store.open_store)"
    )


def local_name(iri: str) -> str:
    """The part of an IRI after the last ``#`` or ``/``.

    Examples:
        >>> local_name("https://w3id.org/envgraph/ontology#funds")
        'funds'
    """
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def _doc_id(doc: _Term, docid: _Term) -> str:
    if isinstance(docid, _Lit):
        return docid.value
    if isinstance(doc, str):
        return doc[len(DOC_BASE):] if doc.startswith(DOC_BASE) else doc
    return ""


def _confidence(term: _Term) -> float | None:
    if isinstance(term, _Lit):
        try:
            return float(term.value)
        except ValueError:
            return None
    return None


def pick_label(labels: Mapping[str, str], lang: str, fallback: str = "") -> str:
    """The label to show for ``lang``: exact tag, then a tag of the same language
    (``kk-Latn`` for ``kk``), then English, then ``fallback``, then any label.

    Examples:
        >>> pick_label({"en": "Kazakhstan", "kk": "Қазақстан"}, "kk")
        'Қазақстан'
        >>> pick_label({"en": "Kazakhstan"}, "tk")
        'Kazakhstan'
    """
    if lang in labels:
        return labels[lang]
    base = lang.split("-")[0].lower()
    for tag, text in sorted(labels.items()):
        if tag.split("-")[0].lower() == base:
            return text
    if fallback:
        return fallback
    if "en" in labels:
        return labels["en"]
    return next(iter(sorted(labels.items())), ("", ""))[1]


def _entity_type(types: Iterable[str]) -> str:
    """The most specific entity type known to the pipeline, else the first ontology class."""
    names = sorted(local_name(t) for t in types)
    for known in ENTITY_TYPES:
        if known in names:
            return known
    return names[0] if names else "Entity"


def to_networkx(
    source: rdflib.Graph | rdflib.Dataset | Any,
    *,
    lang: str = "en",
    include_inferred: bool = False,
) -> nx.MultiDiGraph:
    """Project the RDF graph onto a MultiDiGraph: entities as nodes, relations as edges.

    ``source`` is an rdflib Graph or Dataset, a pyoxigraph Store, or an envgraph Store. Node
    ``label`` is the label in ``lang`` (falling back to English and ``rdfs:label``); ``labels``
    keeps every ``skos:prefLabel`` by language tag. Edges are keyed by the property's local name
    (``funds``) and carry ``evidence``: one :class:`Evidence` per fact node behind the relation.
    Relations only inferred by the reasoner (in ``g:inferred``) are left out unless
    ``include_inferred``; they have no evidence of their own.

    Examples:
        >>> G = example_graph()
        >>> G.nodes["https://w3id.org/envgraph/entity/organisation/gef"]["label"]
        'Global Environment Facility'
        >>> edge = G.edges["https://w3id.org/envgraph/entity/organisation/gef",
        ...                "https://w3id.org/envgraph/entity/initiative/blueing-the-caspian-sea",
        ...                "funds"]
        >>> edge["evidence"][0].doc_id
        '001_example.txt'
    """
    select = _select_function(source)
    types: dict[str, set[str]] = defaultdict(set)
    for row in select(_Q_TYPES):
        e, t = row["e"], row["type"]
        if isinstance(e, str) and isinstance(t, str):
            types[e].add(t)

    pref: dict[str, dict[str, str]] = defaultdict(dict)
    alt: dict[str, set[tuple[str, str]]] = defaultdict(set)
    canonical: dict[str, str] = {}
    for row in select(_Q_LABELS):
        e, kind, label = row["e"], row["kind"], row["label"]
        if not isinstance(e, str) or not isinstance(label, _Lit) or not isinstance(kind, _Lit):
            continue
        tag = (label.lang or "").lower() or "und"
        if kind.value == "pref":
            # at most one prefLabel a language; keep the smallest for a stable result
            current = pref[e].get(tag)
            pref[e][tag] = label.value if current is None else min(current, label.value)
        elif kind.value == "alt":
            alt[e].add((label.value, tag))
        else:
            current = canonical.get(e)
            canonical[e] = label.value if current is None else min(current, label.value)

    relations = [
        (row["s"], row["p"], row["o"])
        for row in select(_Q_RELATIONS_ALL if include_inferred else _Q_RELATIONS_ASSERTED)
    ]

    evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    attributes: dict[str, list[AttributeFact]] = defaultdict(list)
    for row in select(_Q_FACTS):
        s, p, o = row["s"], row["p"], row["o"]
        if not isinstance(s, str) or not isinstance(p, str):
            continue
        text = row["text"].value if isinstance(row["text"], _Lit) else ""
        rule = row["rule"].value if isinstance(row["rule"], _Lit) else ""
        ev = Evidence(_doc_id(row["doc"], row["docid"]), text, rule, _confidence(row["conf"]))
        if isinstance(o, _Lit):
            attributes[s].append(AttributeFact(local_name(p), o.value, local_name(o.datatype or ""),
                                               o.lang, ev))
        elif isinstance(o, str) and o.startswith(ENTITY_BASE) and s.startswith(ENTITY_BASE):
            evidence[(s, p, o)].append(ev)
            relations.append((s, p, o))

    G = nx.MultiDiGraph(lang=lang)
    entities = set(types) | set(pref) | set(canonical)
    for s, _p, o in relations:
        entities.update((s, o))  # type: ignore[arg-type]
    for iri in sorted(e for e in entities if isinstance(e, str) and e.startswith(ENTITY_BASE)):
        labels = dict(sorted(pref.get(iri, {}).items()))
        fallback = canonical.get(iri, "")
        if not labels and fallback:
            labels = {"en": fallback}
        G.add_node(
            iri,
            iri=iri,
            type=_entity_type(types.get(iri, ())),
            label=pick_label(labels, lang, "") or fallback or local_name(iri),
            labels=labels,
            alt_labels=sorted(alt.get(iri, ())),
            attributes=sorted(attributes.get(iri, ()), key=lambda a: (a.property, a.value)),
        )
    for s, p, o in sorted(set(relations)):  # type: ignore[type-var]
        key = local_name(p)  # type: ignore[arg-type]
        evs = sorted(set(evidence.get((s, p, o), ())),  # type: ignore[arg-type]
                     key=lambda e: (e.doc_id, e.sentence, e.rule))
        G.add_edge(s, o, key=key, relation=key, iri=p, evidence=evs)
    return G


def example_graph(lang: str = "en") -> nx.MultiDiGraph:
    """A tiny contract-shaped graph used in the docstring examples and for trying the API.

    GEF funds an initiative that UNDP leads and two countries take part in; a person works for
    UNDP; both countries are parties to a convention.

    Examples:
        >>> G = example_graph()
        >>> G.number_of_nodes(), G.number_of_edges()
        (7, 7)
    """
    import rdflib
    from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

    env = rdflib.Namespace(ONTOLOGY_NS)
    ent = rdflib.Namespace(ENTITY_BASE)
    ds = rdflib.Dataset()
    doc_id = "001_example.txt"
    doc = rdflib.URIRef(DOC_BASE + doc_id)
    g = ds.graph(rdflib.URIRef("https://w3id.org/envgraph/graph/" + doc_id))
    g.add((doc, RDF.type, env.Document))
    g.add((doc, DCTERMS.identifier, rdflib.Literal(doc_id)))
    actors = {
        "organisation/gef": ("Organisation", {"en": "Global Environment Facility",
                                              "ru": "Глобальный экологический фонд"}),
        "organisation/undp": ("Organisation", {"en": "UNDP", "ru": "ПРООН"}),
        "initiative/blueing-the-caspian-sea": ("Initiative", {"en": "Blueing the Caspian Sea"}),
        "country/kz": ("Country", {"en": "Kazakhstan", "kk": "Қазақстан"}),
        "country/az": ("Country", {"en": "Azerbaijan", "az": "Azərbaycan"}),
        "person/zhomart-aliyev": ("Person", {"en": "Zhomart Aliyev"}),
        "convention/tehran-convention": ("Convention", {"en": "Tehran Convention"}),
    }
    for path, (type_, labels) in actors.items():
        g.add((ent[path], RDF.type, env[type_]))
        g.add((ent[path], RDFS.label, rdflib.Literal(labels["en"], lang="en")))
        for tag, text in labels.items():
            g.add((ent[path], SKOS.prefLabel, rdflib.Literal(text, lang=tag)))
    facts = [
        ("organisation/gef", "funds", "initiative/blueing-the-caspian-sea",
         "Financed by the Global Environment Facility, Blueing the Caspian Sea starts."),
        ("organisation/undp", "leads", "initiative/blueing-the-caspian-sea",
         "The project is implemented by UNDP."),
        ("country/kz", "participatesIn", "initiative/blueing-the-caspian-sea",
         "It covers Kazakhstan and Azerbaijan."),
        ("country/az", "participatesIn", "initiative/blueing-the-caspian-sea",
         "It covers Kazakhstan and Azerbaijan."),
        ("person/zhomart-aliyev", "worksFor", "organisation/undp", "Zhomart Aliyev of UNDP said."),
        ("country/kz", "partyTo", "convention/tehran-convention", "Both are parties to it."),
        ("country/az", "partyTo", "convention/tehran-convention", "Both are parties to it."),
    ]
    for i, (s, p, o, text) in enumerate(facts):
        sent = rdflib.URIRef(f"{doc}#char={i * 100},{i * 100 + len(text)}")
        fact = rdflib.URIRef(f"{doc}#fact-{i}")
        g.add((ent[s], env[p], ent[o]))
        g.add((sent, rdflib.URIRef(
            "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"),
            rdflib.Literal(text)))
        for pred, obj in ((RDF.type, RDF.Statement), (RDF.type, env.Fact), (RDF.subject, ent[s]),
                          (RDF.predicate, env[p]), (RDF.object, ent[o]), (env.evidence, sent),
                          (PROV.wasDerivedFrom, doc), (env.rule, rdflib.Literal("example")),
                          (env.confidence, rdflib.Literal(0.9))):
            g.add((fact, pred, obj))
    return to_networkx(ds, lang=lang)


# --------------------------------------------------------------------------------------------
# Resolving actors named by users
# --------------------------------------------------------------------------------------------


def _names(G: nx.MultiDiGraph, node: Hashable) -> set[str]:
    data = G.nodes[node]
    names = {str(data.get("label", ""))}
    names.update(data.get("labels", {}).values())
    names.update(text for text, _tag in data.get("alt_labels", ()))
    return {n.casefold() for n in names if n}


def resolve_actor(G: nx.MultiDiGraph, actor: str) -> str:
    """The node an actor names: an IRI, ``ent:type/slug``, a label in any language, or an
    unambiguous part of one. Raises QueryError naming close candidates when it cannot decide.

    Examples:
        >>> G = example_graph()
        >>> resolve_actor(G, "Қазақстан")
        'https://w3id.org/envgraph/entity/country/kz'
        >>> resolve_actor(G, "ent:organisation/gef")
        'https://w3id.org/envgraph/entity/organisation/gef'
    """
    actor = actor.strip()
    if actor in G:
        return actor
    if actor.startswith("ent:") and ENTITY_BASE + actor[4:] in G:
        return ENTITY_BASE + actor[4:]
    if ENTITY_BASE + actor in G:
        return ENTITY_BASE + actor
    wanted = actor.casefold()
    exact = sorted(n for n in G.nodes if wanted in _names(G, n))
    if len(exact) == 1:
        return exact[0]
    partial = exact or sorted(n for n in G.nodes if any(wanted in name for name in _names(G, n)))
    if len(partial) == 1:
        return partial[0]
    if partial:
        shown = ", ".join(f"{G.nodes[n]['label']} <{n}>" for n in partial[:5])
        raise QueryError(f"actor {actor!r} is ambiguous: it matches {shown}; give the IRI")
    from rapidfuzz import process

    choices = {n: G.nodes[n].get("label", "") for n in G.nodes}
    close = process.extract(actor, choices, limit=3)
    hint = ", ".join(f"{label!r}" for label, _score, _key in close) or "none"
    raise QueryError(f"no actor named {actor!r} in the graph; closest labels: {hint}")


# --------------------------------------------------------------------------------------------
# Analytics
# --------------------------------------------------------------------------------------------


def simple_undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph behind G; ``weight`` counts the relations between two nodes."""
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v in G.edges():
        if u == v:
            continue
        if H.has_edge(u, v):
            H[u][v]["weight"] += 1
        else:
            H.add_edge(u, v, weight=1)
    return H


def pagerank(G: nx.MultiDiGraph, *, alpha: float = 0.85, tol: float = 1e-10,
             max_iter: int = 200) -> dict[Hashable, float]:
    """PageRank over the directed relations (parallel relations count once), by power iteration.

    Pure Python so that it needs no SciPy; returns scores that sum to 1.

    Examples:
        >>> pr = pagerank(example_graph())
        >>> max(pr, key=pr.get).rsplit("/", 1)[1]
        'blueing-the-caspian-sea'
    """
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    out: dict[Hashable, set[Hashable]] = {u: set() for u in nodes}
    for u, v in G.edges():
        if u != v:
            out[u].add(v)
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in nodes if not out[u]) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u in nodes:
            if out[u]:
                share = alpha * rank[u] / len(out[u])
                for v in out[u]:
                    new[v] += share
        err = sum(abs(new[u] - rank[u]) for u in nodes)
        rank = new
        if err < n * tol:
            break
    return rank


@dataclass(frozen=True, slots=True)
class CentralityRow:
    """How central one actor is: degree (distinct neighbours), betweenness, PageRank."""

    iri: str
    label: str
    type: str
    degree: int
    betweenness: float
    pagerank: float


def _betweenness(H: nx.Graph, seed: int) -> dict[Hashable, float]:
    # exact up to 1,000 nodes, sampled sources above (seeded: the same graph gives the same scores)
    k = None if H.number_of_nodes() <= 1000 else 300
    return nx.betweenness_centrality(H, k=k, seed=seed, normalized=True)


def centrality(G: nx.MultiDiGraph, *, top: int | None = None, seed: int = 42) -> list[CentralityRow]:
    """The most central actors, sorted by PageRank, then degree, then label.

    Degree counts distinct neighbours; betweenness is computed on the undirected graph (sampled
    with a fixed seed above 1,000 nodes); PageRank follows the relations' direction.

    Examples:
        >>> rows = centrality(example_graph(), top=2)
        >>> [(r.label, r.degree) for r in rows]
        [('Blueing the Caspian Sea', 4), ('Tehran Convention', 2)]
    """
    H = simple_undirected(G)
    pr = pagerank(G)
    bc = _betweenness(H, seed)
    rows = [
        CentralityRow(str(n), str(d.get("label", "")), str(d.get("type", "")), H.degree(n),
                      round(bc.get(n, 0.0), 6), round(pr.get(n, 0.0), 6))
        for n, d in G.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r.pagerank, -r.degree, r.label))
    return rows[:top] if top is not None else rows


@dataclass(frozen=True, slots=True)
class Community:
    """A group of actors more densely linked to each other than to the rest."""

    id: int
    size: int
    members: tuple[str, ...]  # IRIs, most connected first
    labels: tuple[str, ...]  # their labels, same order
    types: Mapping[str, int]


def community_partition(G: nx.MultiDiGraph, *, seed: int = 42) -> list[set[Hashable]]:
    """Louvain communities of the undirected graph (seeded), largest first."""
    H = simple_undirected(G)
    if H.number_of_nodes() == 0:
        return []
    if H.number_of_edges() == 0:
        parts = [{n} for n in H.nodes]
    else:
        parts = [set(c) for c in nx.community.louvain_communities(H, weight="weight", seed=seed)]
    return sorted(parts, key=lambda c: (-len(c), min(str(n) for n in c)))


def communities(G: nx.MultiDiGraph, *, seed: int = 42) -> list[Community]:
    """Communities (Louvain modularity, seeded), largest first; members by degree.

    Examples:
        >>> cs = communities(example_graph())
        >>> sum(c.size for c in cs) == example_graph().number_of_nodes()
        True
    """
    H = simple_undirected(G)
    result = []
    for i, part in enumerate(community_partition(G, seed=seed)):
        members = sorted(part, key=lambda n: (-H.degree(n), str(G.nodes[n].get("label", ""))))
        result.append(Community(
            id=i,
            size=len(members),
            members=tuple(str(m) for m in members),
            labels=tuple(str(G.nodes[m].get("label", "")) for m in members),
            types=dict(Counter(str(G.nodes[m].get("type", "")) for m in members).most_common()),
        ))
    return result


def country_groups(G: nx.MultiDiGraph) -> dict[Hashable, Hashable]:
    """Each actor's country: itself for a Country, else the Country it is most often linked to.

    Actors with no link to any country, or linked equally to several, are left out.
    """
    groups: dict[Hashable, Hashable] = {}
    for n, d in G.nodes(data=True):
        if d.get("type") == COUNTRY_TYPE:
            groups[n] = n
            continue
        links: Counter[Hashable] = Counter()
        for _u, v in G.out_edges(n):
            if G.nodes[v].get("type") == COUNTRY_TYPE:
                links[v] += 1
        for u, _v in G.in_edges(n):
            if G.nodes[u].get("type") == COUNTRY_TYPE:
                links[u] += 1
        ranked = links.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            groups[n] = ranked[0][0]  # an actor tied between countries belongs to none
    return groups


def _cross_group_betweenness(H: nx.Graph, group: Mapping[Hashable, Hashable],
                             sources: Sequence[Hashable]) -> dict[Hashable, float]:
    """Brandes' betweenness counting only shortest paths whose ends lie in different groups."""
    score: dict[Hashable, float] = dict.fromkeys(H.nodes, 0.0)
    for s in sources:
        gs = group.get(s)
        if gs is None:
            continue
        order: list[Hashable] = []
        preds: dict[Hashable, list[Hashable]] = {s: []}
        sigma: dict[Hashable, float] = {s: 1.0}
        dist: dict[Hashable, int] = {s: 0}
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            for w in H[v]:
                if w not in dist:
                    dist[w] = dist[v] + 1
                    sigma[w] = 0.0
                    preds[w] = []
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = dict.fromkeys(order, 0.0)
        for w in reversed(order):
            gw = group.get(w)
            target = 1.0 if (gw is not None and gw != gs) else 0.0
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (target + delta[w])
            if w != s:
                score[w] += delta[w]
    return score


@dataclass(frozen=True, slots=True)
class BrokerRow:
    """An actor on the shortest paths between actors of different groups."""

    iri: str
    label: str
    type: str
    group: str  # the actor's own group (community number or country label), "" if none
    groups_linked: int  # distinct groups among its neighbours
    brokerage: float  # share of cross-group shortest paths that pass through it


def brokers(G: nx.MultiDiGraph, *, by: str = "community", top: int | None = 20,
            seed: int = 42) -> list[BrokerRow]:
    """Actors that broker between communities (``by="community"``) or countries (``"country"``).

    Brokerage is betweenness restricted to pairs of actors in different groups, normalised by the
    number of such pairs; sampled with a fixed seed above 1,000 nodes.

    Examples:
        >>> rows = brokers(example_graph(), by="country")
        >>> rows[0].label
        'Blueing the Caspian Sea'
    """
    if by not in ("community", "country"):
        raise QueryError(f"brokers: unknown grouping {by!r}; use 'community' or 'country'")
    H = simple_undirected(G)
    if by == "community":
        group: dict[Hashable, Hashable] = {}
        for i, part in enumerate(community_partition(G, seed=seed)):
            for n in part:
                group[n] = i
    else:
        group = country_groups(G)
    sources = [n for n in H.nodes if n in group]
    scale = 1.0
    if len(sources) > 1000:
        rng = random.Random(seed)
        k = 300
        scale = len(sources) / k
        sources = rng.sample(sorted(sources, key=str), k)
    raw = _cross_group_betweenness(H, group, sources)
    sizes = Counter(group.values())
    grouped = sum(sizes.values())
    pairs = (grouped * grouped - sum(c * c for c in sizes.values())) / 2  # unordered cross pairs
    norm = 1.0 / pairs if pairs else 0.0
    rows = []
    for n, d in G.nodes(data=True):
        own = group.get(n)
        own_label = ("" if own is None else
                     str(G.nodes[own].get("label", own)) if own in G else str(own))
        linked = len({group[m] for m in H[n] if m in group} - ({own} if own is not None else set()))
        rows.append(BrokerRow(str(n), str(d.get("label", "")), str(d.get("type", "")), own_label,
                              linked, round(raw[n] * scale / 2 * norm, 6)))
    rows.sort(key=lambda r: (-r.brokerage, -r.groups_linked, r.label))
    return rows[:top] if top is not None else rows


@dataclass(frozen=True, slots=True)
class FundingFlow:
    """Money followed through the graph: funder → initiative → implementers → countries."""

    funder: str
    funder_label: str
    initiative: str
    initiative_label: str
    implementers: tuple[str, ...]  # labels of organisations that lead the initiative
    countries: tuple[str, ...]  # labels of countries taking part in it
    evidence: tuple[Evidence, ...]  # the facts behind "funder funds initiative"


def funding_flows(G: nx.MultiDiGraph) -> list[FundingFlow]:
    """Every ``funds`` relation, with the organisations that lead (implement) the funded
    initiative and the countries that take part in it or lead it.

    Examples:
        >>> [(f.funder_label, f.initiative_label, f.implementers, f.countries)
        ...  for f in funding_flows(example_graph())]
        [('Global Environment Facility', 'Blueing the Caspian Sea', ('UNDP',), ('Azerbaijan', 'Kazakhstan'))]
    """

    def label(n: Hashable) -> str:
        return str(G.nodes[n].get("label", n))

    flows = []
    for funder, initiative, key, data in G.edges(keys=True, data=True):
        if key != FUNDS:
            continue
        leaders = {u for u, _v, k in G.in_edges(initiative, keys=True) if k == LEADS}
        leads = {u for u in leaders if G.nodes[u].get("type") != COUNTRY_TYPE}
        countries = {u for u, _v, k in G.in_edges(initiative, keys=True)
                     if k in (PARTICIPATES_IN, LEADS) and G.nodes[u].get("type") == COUNTRY_TYPE}
        countries |= {v for _u, v, k in G.out_edges(initiative, keys=True)
                      if G.nodes[v].get("type") == COUNTRY_TYPE}
        flows.append(FundingFlow(
            str(funder), label(funder), str(initiative), label(initiative),
            tuple(sorted(label(n) for n in leads)),
            tuple(sorted(label(n) for n in countries)),
            tuple(data.get("evidence", ())),
        ))
    flows.sort(key=lambda f: (f.funder_label, f.initiative_label))
    return flows


def ego(G: nx.MultiDiGraph, actor: str, radius: int = 1) -> nx.MultiDiGraph:
    """The actor's ego network: every actor within ``radius`` links, in either direction, and
    all relations among them (a copy, with all node and edge attributes).

    Examples:
        >>> H = ego(example_graph(), "UNDP", 1)
        >>> sorted(H.nodes[n]["label"] for n in H)
        ['Blueing the Caspian Sea', 'UNDP', 'Zhomart Aliyev']
    """
    center = resolve_actor(G, actor)
    if radius < 0:
        raise QueryError(f"ego: radius must be 0 or more, not {radius}")
    keep = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), center,
                                                 cutoff=radius)
    H = G.subgraph(keep).copy()
    H.graph["center"] = center
    return H


@dataclass(frozen=True, slots=True)
class Step:
    """One relation on a path, in its real direction, with its evidence."""

    subject: str
    subject_label: str
    relation: str
    object: str
    object_label: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Connection:
    """One shortest path between two actors; ``steps`` are the facts linking each pair."""

    nodes: tuple[str, ...]
    labels: tuple[str, ...]
    steps: tuple[Step, ...] = field(default=())

    @property
    def length(self) -> int:
        return len(self.nodes) - 1


def connections(G: nx.MultiDiGraph, a: str, b: str, k: int = 3) -> list[Connection]:
    """How A is connected to B: up to ``k`` shortest simple paths (ignoring direction), each with
    every relation between consecutive actors and the evidence for it.

    Examples:
        >>> [c.labels for c in connections(example_graph(), "Zhomart Aliyev", "Kazakhstan", k=1)]
        [('Zhomart Aliyev', 'UNDP', 'Blueing the Caspian Sea', 'Kazakhstan')]
    """
    source, target = resolve_actor(G, a), resolve_actor(G, b)
    if k < 1:
        raise QueryError(f"connections: k must be 1 or more, not {k}")
    H = simple_undirected(G)
    result: list[Connection] = []
    try:
        for path in nx.shortest_simple_paths(H, source, target):
            steps = []
            for u, v in zip(path, path[1:]):
                for s, o in ((u, v), (v, u)):
                    for _s, _o, key, data in G.edges(s, keys=True, data=True):
                        if _o == o:
                            steps.append(Step(str(s), str(G.nodes[s].get("label", s)), key, str(o),
                                              str(G.nodes[o].get("label", o)),
                                              tuple(data.get("evidence", ()))))
            result.append(Connection(tuple(str(n) for n in path),
                                     tuple(str(G.nodes[n].get("label", n)) for n in path),
                                     tuple(steps)))
            if len(result) >= k:
                break
    except nx.NetworkXNoPath:
        return []
    return result


def ego_facts(H: nx.MultiDiGraph) -> Iterator[Step]:
    """Every relation of a (sub)graph as a :class:`Step`, sorted by subject, relation, object."""
    for s, o, key, data in sorted(H.edges(keys=True, data=True), key=lambda e: (
            str(H.nodes[e[0]].get("label", "")), e[2], str(H.nodes[e[1]].get("label", "")))):
        yield Step(str(s), str(H.nodes[s].get("label", s)), key, str(o),
                   str(H.nodes[o].get("label", o)), tuple(data.get("evidence", ())))


def importance(G: nx.MultiDiGraph) -> dict[Hashable, float]:
    """A node's importance for drawing, scaled to 0..1: PageRank mixed with degree."""
    if G.number_of_nodes() == 0:
        return {}
    pr = pagerank(G)
    deg = {n: G.degree(n) for n in G.nodes}
    top_pr = max(pr.values()) or 1.0
    top_deg = max(deg.values()) or 1
    return {n: 0.5 * pr[n] / top_pr + 0.5 * math.sqrt(deg[n] / top_deg) for n in G.nodes}
