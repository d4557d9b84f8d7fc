"""Export the graph to other tools, and import an export back.

Formats:

* ``trig``, ``nquads`` — the whole dataset, one named graph per document plus ``g:inferred``.
  Import gives back an isomorphic dataset.
* ``jsonld`` — the whole dataset as JSON-LD, compacted with ontology/context.jsonld (embedded in
  the file, so readers need no network). Round trip as TriG.
* ``turtle`` — the union of all graphs *flattened*: Turtle has no named graphs, so which document
  said what is lost (the fact nodes still name their documents with prov:wasDerivedFrom).
  Import puts it into one graph (``g:import/<file name>`` unless ``--graph`` says otherwise).
* ``graphml``, ``gexf`` — the entity network (network.to_networkx) for Gephi, Cytoscape, yEd:
  nodes with ``label``, ``type``, ``iri``, ``label_<lang>`` per language, ``alt_labels`` and one
  attribute per literal property; edges with ``relation``, ``iri``, ``evidence_count``,
  ``documents``, ``confidence`` (the highest) and ``rules``. GraphML and GEXF cannot hold lists or
  dictionaries, so those are flattened into ``"; "``-joined strings or one attribute per key.
* ``csv`` — a folder with ``entities.csv`` and ``relations.csv`` (one row per fact, with its
  evidence) for spreadsheets.

Not importable: graphml, gexf, csv (they are projections, not the graph).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rdflib import Dataset, URIRef

from envgraph import resources
from envgraph.errors import InputError, StoreError
from envgraph.sparqlutil import DEFAULT_PREFIXES, compact_iri
from envgraph.store import RDF_FORMATS, Store, rdf_format

EXPORT_FORMATS: tuple[str, ...] = ("trig", "nquads", "turtle", "jsonld", "graphml", "gexf", "csv")
IMPORT_FORMATS: tuple[str, ...] = tuple(RDF_FORMATS)
_SUFFIX = {
    "trig": ".trig",
    "nquads": ".nq",
    "turtle": ".ttl",
    "jsonld": ".jsonld",
    "graphml": ".graphml",
    "gexf": ".gexf",
}


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What ``export`` wrote."""

    format: str
    files: tuple[Path, ...]
    rows: int = 0  # CSV relation rows, network edges, or quads written


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context: ontology/context.jsonld's ``@context`` if it exists, else the
    contract's prefixes."""
    path = resources.ontology_dir() / "context.jsonld"
    if path.is_file():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"{path}: not a readable JSON-LD context: {err}") from err
        context = doc.get("@context", doc) if isinstance(doc, dict) else doc
        if isinstance(context, dict):
            return context
        raise InputError(f"{path}: expected an object under @context")
    return dict(DEFAULT_PREFIXES)


def _serialize_jsonld(dataset: Dataset, stream: IO[bytes]) -> None:
    context = jsonld_context()
    with warnings.catch_warnings():
        # rdflib's JSON-LD serializer calls its own deprecated Dataset.contexts()
        warnings.simplefilter("ignore", DeprecationWarning)
        text = dataset.serialize(format="json-ld", context=context, auto_compact=True)
    stream.write(text.encode("utf-8"))


def export(
    store: Store,
    fmt: str,
    destination: Path | str | IO[bytes] | None = None,
    *,
    lang: str = "en",
) -> ExportReport:
    """Write the store in ``fmt``. ``destination`` is a file (a folder for csv), a binary
    stream, or None for standard output (not for csv)."""
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "csv":
        if destination is None or not isinstance(destination, (str, Path)):
            raise InputError("csv export writes a folder: give it with -o FOLDER")
        return export_csv(store, Path(destination), lang=lang)
    if isinstance(destination, (str, Path)):
        path = Path(destination)
        if path.is_dir():
            path = path / f"envgraph{_SUFFIX[fmt]}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as stream:
                rows = _export_stream(store, fmt, stream, lang)
        except OSError as err:
            raise StoreError(f"cannot write {path}: {err}") from err
        return ExportReport(fmt, (path,), rows)
    stream = destination if destination is not None else sys.stdout.buffer
    rows = _export_stream(store, fmt, stream, lang)
    stream.flush()
    return ExportReport(fmt, (), rows)


def _export_stream(store: Store, fmt: str, stream: IO[bytes], lang: str) -> int:
    if fmt in ("trig", "nquads", "turtle"):
        store.dump(stream, fmt)
        return 0
    if fmt == "jsonld":
        dataset = store.dataset()
        _serialize_jsonld(dataset, stream)
        return 0
    graph = network_for_export(store, lang=lang)
    import networkx as nx

    if fmt == "graphml":
        nx.write_graphml(graph, stream, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(graph, stream, encoding="utf-8", prettyprint=True)
    return graph.number_of_edges()


# --- networks ---------------------------------------------------------------------------------


def _flat(value: Any) -> str | int | float | bool | None:
    """A value GraphML/GEXF can store: scalars stay, everything else becomes a string."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(_flat(v)) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _flat(dataclasses.asdict(value))
    return str(value)


def _node_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "labels" and isinstance(value, Mapping):
            for tag, label in value.items():
                out[f"label_{tag}"] = str(label)
        elif key == "alt_labels" and isinstance(value, (list, tuple, set)):
            out["alt_labels"] = "; ".join(
                f"{item[0]}@{item[1]}" if isinstance(item, tuple) and len(item) == 2 else str(item)
                for item in value
            )
        elif key == "attributes" and isinstance(value, (list, tuple)):
            grouped: dict[str, list[str]] = {}
            for item in value:
                prop = getattr(item, "property", None)
                val = getattr(item, "value", None)
                if prop and val is not None:
                    grouped.setdefault(str(prop), []).append(str(val))
            for prop, values in grouped.items():
                out[prop] = "; ".join(sorted(set(values)))
        else:
            flat = _flat(value)
            if flat is not None:
                out[key] = flat
    return out


def _edge_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "evidence" and isinstance(value, (list, tuple)):
            out["evidence_count"] = len(value)
            out["documents"] = "; ".join(sorted({str(getattr(e, "doc_id", "")) for e in value}))
            out["rules"] = "; ".join(sorted({str(getattr(e, "rule", "")) for e in value}))
            confidences = [
                float(c) for e in value if (c := getattr(e, "confidence", None)) is not None
            ]
            if confidences:
                out["confidence"] = max(confidences)
        else:
            flat = _flat(value)
            if flat is not None:
                out[key] = flat
    return out


def network_for_export(store: Store, *, lang: str = "en") -> Any:
    """The entity network with every attribute flattened to a GraphML/GEXF-storable scalar."""
    try:
        from envgraph.network import to_networkx
    except ImportError as err:  # pragma: no cover - network.py ships with the package
        raise InputError("GraphML/GEXF export needs envgraph.network") from err
    import networkx as nx

    source = to_networkx(store, lang=lang)
    flat = nx.MultiDiGraph()
    for node, data in source.nodes(data=True):
        flat.add_node(node, **_node_attributes(data))
    for u, v, key, data in source.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **_edge_attributes(data))
    return flat


# --- CSV --------------------------------------------------------------------------------------

# The default graph is a multiset union (a triple in 200 documents matches 200 times): every
# pattern that repeats across documents is deduplicated in its own sub-query (see funders.rq).
_ENTITIES_QUERY = """
SELECT ?entity (MIN(?typeName) AS ?type) (MIN(?labelL) AS ?label) (MIN(?prefs) AS ?labels)
       (MIN(?alts) AS ?altLabels) (MIN(?docs) AS ?documents)
WHERE {
  {
    SELECT ?entity ?class (GROUP_CONCAT(DISTINCT ?docId; separator=" | ") AS ?docs) WHERE {
      VALUES ?class { env:Organisation env:Initiative env:Convention env:Event env:Person
                      env:Country env:Place }
      GRAPH ?g { ?entity a ?class }
      FILTER(?g != g:inferred && ?g != g:index)
      OPTIONAL { GRAPH ?g { ?doc dcterms:identifier ?docId ; env:sha256 ?sha } }
    }
    GROUP BY ?entity ?class
  }
  BIND(STRAFTER(STR(?class), "#") AS ?typeName)
  OPTIONAL {
    SELECT ?entity (GROUP_CONCAT(DISTINCT ?pref; separator=" | ") AS ?prefs) WHERE {
      ?entity skos:prefLabel ?p . BIND(CONCAT(LANG(?p), ": ", STR(?p)) AS ?pref)
    }
    GROUP BY ?entity
  }
  OPTIONAL {
    SELECT ?entity (GROUP_CONCAT(DISTINCT ?alt; separator=" | ") AS ?alts) WHERE {
      ?entity skos:altLabel ?a . BIND(CONCAT(LANG(?a), ": ", STR(?a)) AS ?alt)
    }
    GROUP BY ?entity
  }
  OPTIONAL { { SELECT DISTINCT ?entity ?l1 WHERE { ?entity skos:prefLabel ?l1 } }
             FILTER(LANGMATCHES(LANG(?l1), ?lang)) }
  OPTIONAL { { SELECT DISTINCT ?entity ?l2 WHERE { ?entity skos:prefLabel ?l2 .
                                                   FILTER(LANGMATCHES(LANG(?l2), "en")) } } }
  OPTIONAL { { SELECT DISTINCT ?entity ?l3 WHERE { ?entity rdfs:label ?l3 } } }
  BIND(STR(COALESCE(?l1, ?l2, ?l3, STR(?entity))) AS ?labelL)
}
GROUP BY ?entity
ORDER BY ?type ?label ?entity
"""

_RELATIONS_QUERY = """
SELECT ?subject (MIN(?sL) AS ?subjectLabel) ?predicate ?object (MIN(?oL) AS ?objectLabel)
       ?document ?sentence ?rule ?confidence
WHERE {
  {
    ?fact a env:Fact ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
    OPTIONAL { ?fact prov:wasDerivedFrom ?doc . OPTIONAL { ?doc dcterms:identifier ?docId } }
    BIND(COALESCE(STR(?docId), STR(?doc)) AS ?document)
    OPTIONAL { ?fact env:evidence ?s . ?s nif:anchorOf ?sentence }
    OPTIONAL { ?fact env:rule ?rule }
    OPTIONAL { ?fact env:confidence ?confidence }
  } UNION {
    # relations asserted without a fact node (hand-made or imported graphs)
    {
      SELECT DISTINCT ?g ?subject ?predicate ?object WHERE {
        GRAPH ?g { ?subject ?predicate ?object }
        FILTER(?g != g:inferred && ?g != g:index && isIRI(?object))
        FILTER(STRSTARTS(STR(?predicate), STR(env:)) && STRSTARTS(STR(?subject), STR(ent:)))
      }
    }
    MINUS {
      SELECT DISTINCT ?subject ?predicate ?object WHERE {
        ?anyFact rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object
      }
    }
    OPTIONAL { GRAPH ?g { ?doc dcterms:identifier ?docId ; env:sha256 ?sha } }
    BIND(STR(?docId) AS ?document)
  }
  OPTIONAL { { SELECT DISTINCT ?subject ?s1 WHERE { ?subject skos:prefLabel ?s1 } }
             FILTER(LANGMATCHES(LANG(?s1), ?lang)) }
  OPTIONAL { { SELECT DISTINCT ?subject ?s2 WHERE { ?subject skos:prefLabel ?s2 .
                                                    FILTER(LANGMATCHES(LANG(?s2), "en")) } } }
  OPTIONAL { { SELECT DISTINCT ?subject ?s3 WHERE { ?subject rdfs:label ?s3 } } }
  BIND(STR(COALESCE(?s1, ?s2, ?s3, STR(?subject))) AS ?sL)
  OPTIONAL { { SELECT DISTINCT ?object ?o1 WHERE { ?object skos:prefLabel ?o1 } }
             FILTER(LANGMATCHES(LANG(?o1), ?lang)) }
  OPTIONAL { { SELECT DISTINCT ?object ?o2 WHERE { ?object skos:prefLabel ?o2 .
                                                   FILTER(LANGMATCHES(LANG(?o2), "en")) } } }
  OPTIONAL { { SELECT DISTINCT ?object ?o3 WHERE { ?object rdfs:label ?o3 } } }
  BIND(STR(COALESCE(?o1, ?o2, ?o3, STR(?object))) AS ?oL)
}
GROUP BY ?subject ?predicate ?object ?document ?sentence ?rule ?confidence
ORDER BY ?subjectLabel ?predicate ?objectLabel ?document ?sentence
"""

ENTITY_COLUMNS = ("entity", "type", "label", "labels", "alt_labels", "documents")
RELATION_COLUMNS = (
    "subject",
    "subject_label",
    "predicate",
    "object",
    "object_label",
    "document",
    "sentence",
    "rule",
    "confidence",
)


def export_csv(store: Store, folder: Path, *, lang: str = "en") -> ExportReport:
    """Write ``entities.csv`` and ``relations.csv`` into ``folder``. Predicates are written as
    prefixed names (``env:funds``); attribute rows (dates, positions) have a literal object."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create the folder {folder}: {err}") from err
    from rdflib import Literal

    bound = {"lang": Literal(lang)}
    entities = store.query(_ENTITIES_QUERY, bound)
    relations = store.query(_RELATIONS_QUERY, bound)
    entities_path = folder / "entities.csv"
    relations_path = folder / "relations.csv"

    def cell(value: object) -> str:
        return "" if value is None else str(value)

    with open(entities_path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(ENTITY_COLUMNS)
        writer.writerows([cell(v) for v in row] for row in entities.rows)
    with open(relations_path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(RELATION_COLUMNS)
        for row in relations.rows:
            cells = [cell(v) for v in row]
            predicate = row[2]
            if isinstance(predicate, URIRef):
                cells[2] = compact_iri(str(predicate))
            writer.writerow(cells)
    return ExportReport("csv", (entities_path, relations_path), len(relations.rows))


# --- import -----------------------------------------------------------------------------------


def import_file(
    store: Store, path: Path | str, fmt: str | None = None, *, graph: str | None = None
) -> int:
    """Load an RDF export into the store; named graphs in the file replace those in the store.
    Returns the number of quads read."""
    source = Path(path)
    if fmt and fmt.lower() in ("graphml", "gexf", "csv"):
        raise InputError(
            f"cannot import {source} as {fmt}: GraphML, GEXF and CSV are projections of the graph; "
            "import a TriG, N-Quads, JSON-LD or Turtle export instead"
        )
    if fmt is None and source.suffix.lower() in (".graphml", ".gexf", ".csv"):
        raise InputError(
            f"cannot import {source}: GraphML, GEXF and CSV are projections of the graph; "
            "import a TriG, N-Quads, JSON-LD or Turtle export instead"
        )
    info = rdf_format(fmt, source)
    return store.load_file(source, info.name, graph=graph)
