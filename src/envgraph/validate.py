"""SHACL validation of the graph (pyshacl) with a report people can act on.

What is validated: the union of the document graphs (``g:inferred`` left out: entailments such
as types from domains would hide the very errors the shapes look for), with the ontology mixed
in as pyshacl's ``ont_graph`` so ``sh:class`` sees the class hierarchy. The shapes
(ontology/shapes.ttl) use a SPARQL-based target, so SHACL Advanced Features are switched on.

The report groups the results by shape; each result names the focus entity (with its label), the
rule (``sh:message``, else the constraint and path) and the document(s) whose graph holds the
offending triples — looked up in the named graphs, so the fix can start at the source text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from envgraph import resources
from envgraph.errors import InputError
from envgraph.settings import INFERRED_GRAPH
from envgraph.sparqlutil import DEFAULT_PREFIXES, compact_iri
from envgraph.store import Store
from envgraph.vocab import DCTERMS, ENV, RDF, RDFS, SKOS

INFERRED = URIRef(INFERRED_GRAPH)
ENV_SHA256 = ENV.sha256
_SHAPE_PREFIXES = {**DEFAULT_PREFIXES, "envsh": "https://w3id.org/envgraph/shapes#"}


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result, resolved to things a person recognises."""

    shape: str  # the node shape (compact IRI), or the property shape if it stands alone
    severity: str  # Violation, Warning, Info
    focus: str  # IRI (or blank node id) of the focus node
    focus_label: str
    path: str  # compact IRI of sh:resultPath, or ""
    value: str  # the offending value, or ""
    message: str  # sh:resultMessage, else a description of the constraint
    documents: tuple[str, ...]  # doc ids (or graph IRIs) holding the offending triples


@dataclass(slots=True)
class ValidationReport:
    """The outcome of :func:`validate`."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0

    def by_shape(self) -> dict[str, list[Violation]]:
        groups: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[v.shape].append(v)
        return dict(sorted(groups.items()))

    def format(self, limit_per_shape: int = 20) -> str:
        """The readable report: one block per shape, one line per result."""
        if self.conforms:
            return f"The graph conforms to the SHACL shapes ({self.triples} triples checked)."
        lines = [
            f"{len(self.violations)} SHACL result(s) in {len(self.by_shape())} shape(s) "
            f"({self.triples} triples checked):"
        ]
        for shape, items in self.by_shape().items():
            lines.append("")
            lines.append(f"{shape} — {len(items)} result(s)")
            for v in items[:limit_per_shape]:
                where = ", ".join(v.documents) if v.documents else "no document graph"
                path = f" [{v.path}]" if v.path else ""
                value = f" value {v.value}" if v.value and v.value != v.focus else ""
                lines.append(
                    f"  {v.severity}: {v.focus_label} <{v.focus}>{path}{value}\n"
                    f"    rule: {v.message}\n"
                    f"    in: {where}"
                )
            if len(items) > limit_per_shape:
                lines.append(f"  … and {len(items) - limit_per_shape} more")
        return "\n".join(lines)


def _document_ids(dataset: Dataset) -> dict[Node, str]:
    """graph IRI → doc id, from the bookkeeping triples (dcterms:identifier + env:sha256)."""
    out: dict[Node, str] = {}
    for graph in dataset.graphs():
        for doc in graph.subjects(ENV_SHA256, None):
            ident = graph.value(doc, DCTERMS.identifier)
            if ident is not None:
                out[graph.identifier] = str(ident)
    return out


def _label(data: Graph, node: Node) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label):
        labels = sorted(data.objects(node, predicate), key=lambda l: (getattr(l, "language", "") != "en", str(l)))
        if labels:
            return str(labels[0])
    return compact_iri(str(node), _SHAPE_PREFIXES) if isinstance(node, URIRef) else str(node)


def _parent_shape(shapes: Graph, shape: Node) -> Node:
    """The nearest named shape: the shape itself if it has an IRI, else the shape that contains
    it (through sh:property, sh:or lists, …)."""
    seen: set[Node] = set()
    current = shape
    while not isinstance(current, URIRef):
        seen.add(current)
        parents = [p for p in shapes.subjects(None, current) if p not in seen]
        if not parents:
            return current
        named = [p for p in parents if isinstance(p, URIRef)]
        current = named[0] if named else parents[0]
    return current


def _graphs_holding(
    dataset: Dataset, focus: Node, path: Node | None, value: Node | None
) -> list[Node]:
    """The named graphs that hold the offending triple, else those that describe the focus."""
    graphs = [g for g in dataset.graphs() if g.identifier != INFERRED]
    if isinstance(path, URIRef):
        if value is not None:
            hits = [g.identifier for g in graphs if (focus, path, value) in g]
            if hits:
                return hits
        hits = [g.identifier for g in graphs if (focus, path, None) in g]
        if hits:
            return hits
    return [g.identifier for g in graphs if (focus, None, None) in g]


def validate(
    source: Store | Dataset,
    *,
    shapes: Path | str | Graph | None = None,
    ontology: Path | str | Graph | None = None,
) -> ValidationReport:
    """Validate the document graphs of ``source`` (a store or a Dataset) against the shapes."""
    import pyshacl

    dataset = source if isinstance(source, Dataset) else source.dataset()
    shapes_graph = _graph(shapes, resources.shapes_path(), "shapes")
    onto_graph = _graph(ontology, resources.ontology_path(), "ontology")
    data = Graph()
    for graph in dataset.graphs():
        if graph.identifier == INFERRED:
            continue
        for triple in graph:
            data.add(triple)
    conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=onto_graph,
        inference="none",
        advanced=True,
        abort_on_first=False,
        allow_warnings=True,
    )
    report = ValidationReport(conforms=bool(conforms), triples=len(data))
    if conforms:
        return report
    doc_ids = _document_ids(dataset)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        source_shape = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        component = results.value(result, SH.sourceConstraintComponent)
        if focus is None:
            continue
        shape = _parent_shape(shapes_graph, source_shape) if source_shape is not None else None
        message = (
            messages[0]
            if messages
            else f"{compact_iri(str(component), {'sh': str(SH)})} failed"
        )
        documents = tuple(
            sorted({doc_ids.get(g, str(g)) for g in _graphs_holding(dataset, focus, path, value)})
        )
        report.violations.append(
            Violation(
                shape=_shape_name(shape),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                focus_label=_label(data, focus),
                path=compact_iri(str(path), _SHAPE_PREFIXES) if isinstance(path, URIRef) else "",
                value=_show(value),
                message=message,
                documents=documents,
            )
        )
    report.violations.sort(key=lambda v: (v.shape, v.focus_label, v.path, v.message, v.value))
    return report


def _shape_name(shape: Node | None) -> str:
    if shape is None:
        return "(unknown shape)"
    if isinstance(shape, URIRef):
        return compact_iri(str(shape), _SHAPE_PREFIXES)
    return f"(anonymous shape {shape})"


def _show(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Literal):
        return repr(str(value)) if not value.datatype else f"{str(value)!r}^^{compact_iri(str(value.datatype))}"
    return str(value)


def _graph(given: Path | str | Graph | None, default: Path, what: str) -> Graph:
    if isinstance(given, Graph):
        return given
    path = Path(given) if given else default
    if not path.is_file():
        raise InputError(f"{what} file not found: {path}")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # rdflib parsers raise assorted errors
        raise InputError(f"{path}: cannot parse the {what}: {err}") from err
    return graph


def documents_of(report: ValidationReport) -> Iterable[str]:
    """Every document named in the report, once."""
    return sorted({d for v in report.violations for d in v.documents})
