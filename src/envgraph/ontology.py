"""Questions about the envgraph ontology: domains, ranges, allowed relations, labels.

The ontology (``ontology/envgraph.ttl``) is parsed once, on first use, into an immutable
:class:`OntologyIndex`; nothing is read at import time. The relation extractor calls
:func:`check_relation` for every candidate fact, so the allowed (subject type, property, object
type) combinations are precomputed into a frozen set and a check is a set lookup.

Terms are named by their local name in the env: namespace (``"funds"``, ``"Organisation"``); full
env: IRIs are accepted too. Classes outside env: (``nif:Sentence``, datatypes such as ``xsd:date``)
are reported as prefixed names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from envgraph.diskcache import fingerprint, load_or_build
from envgraph.errors import EnvgraphError, InputError
from envgraph.resources import ontology_path
from envgraph.settings import ONTOLOGY_NS
from envgraph.vocab import OWL, PREFIXES, RDF, RDFS

__all__ = [
    "OntologyIndex",
    "PropertyInfo",
    "UnknownTermError",
    "check_relation",
    "comments",
    "default_index",
    "domain_classes",
    "inverse_of",
    "labels",
    "load_index",
    "object_properties",
    "range_classes",
]

_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.ObjectProperty, "object"),
    (OWL.DatatypeProperty, "datatype"),
    (OWL.AnnotationProperty, "annotation"),
)


class UnknownTermError(EnvgraphError, ValueError):
    """A class or property name that the ontology does not define (usually a typo)."""


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """One env: property as the ontology declares it."""

    name: str
    kind: str  # "object", "datatype" or "annotation"
    domain: frozenset[str]  # classes (unions expanded); empty when the ontology gives no domain
    range: frozenset[str]  # classes or datatypes (unions expanded)
    inverse: str | None  # the property this one is declared owl:inverseOf, if any
    super_properties: frozenset[str]  # env: super-properties, transitively, excluding itself
    symmetric: bool
    transitive: bool


@dataclass(frozen=True, slots=True)
class OntologyIndex:
    """Everything the pipeline asks of the ontology, precomputed and read-only."""

    path: Path
    classes: frozenset[str]
    superclasses: Mapping[str, frozenset[str]]  # class -> its env: superclasses, reflexive
    properties: Mapping[str, PropertyInfo]
    allowed: frozenset[tuple[str, str, str]]  # (subject class, object property, object class)
    term_labels: Mapping[str, Mapping[str, str]]  # term -> language -> rdfs:label
    term_comments: Mapping[str, Mapping[str, str]]  # term -> language -> rdfs:comment

    def term(self, name: str) -> str:
        """The local name of an env: term given as local name or IRI; raises if it is unknown."""
        local = name[len(ONTOLOGY_NS) :] if name.startswith(ONTOLOGY_NS) else name
        if local not in self.classes and local not in self.properties:
            close = get_close_matches(local, [*self.classes, *self.properties], n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else "check the spelling"
            raise UnknownTermError(
                f"{self.path}: no class or property {name!r} in the envgraph ontology; {hint}"
            )
        return local

    def property(self, name: str) -> PropertyInfo:
        """The declaration of a property; raises :class:`UnknownTermError` if it is not one."""
        local = self.term(name)
        try:
            return self.properties[local]
        except KeyError:
            raise UnknownTermError(
                f"{self.path}: {name!r} is a class, not a property of the envgraph ontology"
            ) from None

    def check_relation(self, subject_type: str, prop: str, object_type: str) -> bool:
        """True when ``subject_type prop object_type`` fits domains, ranges and restrictions."""
        info = self.property(prop)
        if info.kind != "object":
            raise UnknownTermError(
                f"{self.path}: check_relation only checks object properties; {prop!r} is a "
                f"{info.kind} property"
            )
        subject_local = self.term(subject_type)
        object_local = self.term(object_type)
        return (subject_local, info.name, object_local) in self.allowed

    def object_properties(self, include_inverses: bool = False) -> list[str]:
        """The relations, sorted; inverses (fundedBy, ...) only when ``include_inverses``."""
        return sorted(
            name
            for name, info in self.properties.items()
            if info.kind == "object" and (include_inverses or info.inverse is None)
        )


def load_index(path: Path) -> OntologyIndex:
    """Parse the ontology at ``path`` and precompute its index (cached per resolved path)."""
    return _load_index(Path(path).resolve())


@lru_cache(maxsize=8)
def _load_index(path: Path) -> OntologyIndex:
    """The index, from the disk cache (envgraph.diskcache) when the ontology file and this
    module's code are those it was made from: parsing the Turtle with rdflib is most of the
    first extraction of a command-line run."""
    if not path.is_file():
        _parse(path)  # raises the error that says so
    key = fingerprint(Path(__file__).read_bytes(), path.read_bytes(), ONTOLOGY_NS, rdflib.__version__)
    parts = load_or_build("ontology-index", key, lambda: _index_parts(path), dict)
    return OntologyIndex(
        path=path,
        classes=parts["classes"],
        superclasses=MappingProxyType(parts["superclasses"]),
        properties=MappingProxyType(parts["properties"]),
        allowed=parts["allowed"],
        term_labels=MappingProxyType({t: MappingProxyType(v) for t, v in parts["term_labels"].items()}),
        term_comments=MappingProxyType({t: MappingProxyType(v) for t, v in parts["term_comments"].items()}),
    )


def _index_parts(path: Path) -> dict[str, Any]:
    """What the index holds, as plain picklable values."""
    graph = _parse(path)
    classes = frozenset(
        local for local in (_env_local(c) for c in graph.subjects(RDF.type, OWL.Class)) if local
    )
    superclasses = _superclasses(graph, classes)
    properties = _properties(graph)
    allowed = _allowed_relations(graph, classes, superclasses, properties)
    terms = classes | frozenset(properties)
    return {
        "classes": classes,
        "superclasses": dict(superclasses),
        "properties": dict(properties),
        "allowed": allowed,
        "term_labels": {t: dict(v) for t, v in _texts(graph, RDFS.label, terms).items()},
        "term_comments": {t: dict(v) for t, v in _texts(graph, RDFS.comment, terms).items()},
    }


@lru_cache(maxsize=1)
def default_index() -> OntologyIndex:
    """The index of the packaged ontology (``envgraph.resources.ontology_path()``)."""
    return load_index(ontology_path())


def domain_classes(prop_local_name: str) -> frozenset[str]:
    """The classes a property's subject may belong to (its rdfs:domain, unions expanded)."""
    return default_index().property(prop_local_name).domain


def range_classes(prop_local_name: str) -> frozenset[str]:
    """The classes (or, for datatype properties, datatypes such as ``xsd:date``) of its values."""
    return default_index().property(prop_local_name).range


def check_relation(subject_type: str, prop: str, object_type: str) -> bool:
    """True when an entity of ``subject_type`` may have ``prop`` to an entity of ``object_type``.

    Takes class and property local names (``"Organisation", "funds", "Initiative"``). Raises
    :class:`UnknownTermError` for a name the ontology does not define or a non-object property.
    """
    return default_index().check_relation(subject_type, prop, object_type)


def object_properties(include_inverses: bool = False) -> list[str]:
    """The 15 relations the pipeline extracts (plus their inverses when asked), sorted."""
    return default_index().object_properties(include_inverses)


def inverse_of(prop_local_name: str) -> str | None:
    """The inverse of a relation in either direction (``funds`` <-> ``fundedBy``); None if none.

    A symmetric property (``cooperatesWith``) is its own inverse.
    """
    index = default_index()
    info = index.property(prop_local_name)
    if info.inverse is not None:
        return info.inverse
    if info.symmetric:
        return info.name
    for other in index.properties.values():
        if other.inverse == info.name:
            return other.name
    return None


def labels(term_local_name: str) -> dict[str, str]:
    """The rdfs:label of a class or property by language tag (``{"en": "funds", "ru": ...}``)."""
    index = default_index()
    return dict(index.term_labels.get(index.term(term_local_name), {}))


def comments(term_local_name: str) -> dict[str, str]:
    """The rdfs:comment (definition) of a class or property by language tag."""
    index = default_index()
    return dict(index.term_comments.get(index.term(term_local_name), {}))


# --- building the index -------------------------------------------------------------------------


def _parse(path: Path) -> Graph:
    if not path.is_file():
        raise InputError(f"{path}: the ontology file does not exist; reinstall envgraph")
    try:
        return Graph().parse(path, format="turtle")
    except Exception as err:  # rdflib raises several unrelated types for syntax errors
        raise InputError(f"{path}: the ontology is not valid Turtle: {err}") from err


def _env_local(node: Node) -> str | None:
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(ONTOLOGY_NS):
        return text[len(ONTOLOGY_NS) :]
    return None


def _name(node: Node) -> str:
    """env: terms by local name, other IRIs as prefixed names where a prefix is known."""
    local = _env_local(node)
    if local is not None:
        return local
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and prefix != "env":
            return f"{prefix}:{text[len(namespace):]}"
    return text


def _expand(graph: Graph, node: Node) -> frozenset[str]:
    """A class expression as a set of named classes: named class, or owl:unionOf (recursively)."""
    if isinstance(node, URIRef):
        return frozenset({_name(node)})
    union = graph.value(node, OWL.unionOf)
    if isinstance(union, (BNode, URIRef)):
        members: set[str] = set()
        for member in Collection(graph, union):
            members |= _expand(graph, member)
        return frozenset(members)
    return frozenset()  # a restriction or other anonymous expression: not a named class


def _expand_all(graph: Graph, nodes: Iterable[Node]) -> frozenset[str]:
    """The classes allowed by several rdfs:domain (or rdfs:range) axioms: their intersection."""
    sets = [_expand(graph, node) for node in nodes]
    if not sets:
        return frozenset()
    result = sets[0]
    for other in sets[1:]:
        result &= other
    return result


def _superclasses(graph: Graph, classes: frozenset[str]) -> dict[str, frozenset[str]]:
    """Each env: class with all its env: superclasses (told rdfs:subClassOf, transitively)."""
    direct: dict[str, set[str]] = {c: set() for c in classes}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        sub_local, sup_local = _env_local(sub), _env_local(sup)
        if sub_local in direct and sup_local in direct:
            direct[sub_local].add(sup_local)
    closed: dict[str, frozenset[str]] = {}
    for cls in classes:
        seen = {cls}
        todo = [cls]
        while todo:
            for sup in direct[todo.pop()]:
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        closed[cls] = frozenset(seen)
    return closed


def _properties(graph: Graph) -> dict[str, PropertyInfo]:
    kinds: dict[str, str] = {}
    for rdf_type, kind in _KINDS:
        for subject in graph.subjects(RDF.type, rdf_type):
            local = _env_local(subject)
            if local is not None:
                kinds[local] = kind
    direct_supers: dict[str, set[str]] = {name: set() for name in kinds}
    for sub, sup in graph.subject_objects(RDFS.subPropertyOf):
        sub_local, sup_local = _env_local(sub), _env_local(sup)
        if sub_local in direct_supers and sup_local in kinds:
            direct_supers[sub_local].add(sup_local)
    result: dict[str, PropertyInfo] = {}
    for name, kind in kinds.items():
        iri = URIRef(ONTOLOGY_NS + name)
        supers: set[str] = set()
        todo = list(direct_supers[name])
        while todo:
            sup = todo.pop()
            if sup not in supers and sup != name:
                supers.add(sup)
                todo.extend(direct_supers[sup])
        inverse = graph.value(iri, OWL.inverseOf)
        result[name] = PropertyInfo(
            name=name,
            kind=kind,
            domain=_expand_all(graph, graph.objects(iri, RDFS.domain)),
            range=_expand_all(graph, graph.objects(iri, RDFS.range)),
            inverse=_env_local(inverse) if inverse is not None else None,
            super_properties=frozenset(supers),
            symmetric=(iri, RDF.type, OWL.SymmetricProperty) in graph,
            transitive=(iri, RDF.type, OWL.TransitiveProperty) in graph,
        )
    return result


def _all_values_from(graph: Graph) -> dict[tuple[str, str], frozenset[str]]:
    """(class, property) -> allowed value classes, from ``C ⊑ [owl:allValuesFrom D]`` axioms."""
    result: dict[tuple[str, str], frozenset[str]] = {}
    for cls, restriction in graph.subject_objects(RDFS.subClassOf):
        cls_local = _env_local(cls)
        prop = _env_local(graph.value(restriction, OWL.onProperty) or BNode())
        filler = graph.value(restriction, OWL.allValuesFrom)
        if cls_local is None or prop is None or filler is None:
            continue
        result[(cls_local, prop)] = _expand(graph, filler)
    return result


def _allowed_relations(
    graph: Graph,
    classes: frozenset[str],
    superclasses: Mapping[str, frozenset[str]],
    properties: Mapping[str, PropertyInfo],
) -> frozenset[tuple[str, str, str]]:
    """Every (subject class, object property, object class) that the axioms allow.

    A combination is allowed when the subject class falls under the domain of the property, of all
    its super-properties and the range of its inverse; the object class likewise under the ranges;
    and no ``owl:allValuesFrom`` restriction on either end (for the property or its inverse)
    excludes it. A property without any domain (or range) accepts every class at that end.
    """
    restrictions = _all_values_from(graph)

    def inverse_name(name: str) -> str | None:
        info = properties[name]
        if info.inverse is not None:
            return info.inverse
        if info.symmetric:
            return name
        return next((p.name for p in properties.values() if p.inverse == name), None)

    def fits(cls: str, allowed_classes: frozenset[str]) -> bool:
        return not allowed_classes or bool(superclasses[cls] & allowed_classes)

    def subject_constraints(name: str) -> list[frozenset[str]]:
        constraints = []
        for prop in (name, *properties[name].super_properties):
            constraints.append(properties[prop].domain)
            inverse = inverse_name(prop)
            if inverse is not None:
                constraints.append(properties[inverse].range)
        return constraints

    def object_constraints(name: str) -> list[frozenset[str]]:
        constraints = []
        for prop in (name, *properties[name].super_properties):
            constraints.append(properties[prop].range)
            inverse = inverse_name(prop)
            if inverse is not None:
                constraints.append(properties[inverse].domain)
        return constraints

    def restricted(cls: str, prop: str | None, other: str) -> bool:
        """True when a restriction on ``cls`` for ``prop`` forbids a value of class ``other``."""
        if prop is None:
            return False
        for sup in superclasses[cls]:
            fillers = restrictions.get((sup, prop))
            if fillers is not None and not superclasses[other] & fillers:
                return True
        return False

    allowed: set[tuple[str, str, str]] = set()
    for name, info in properties.items():
        if info.kind != "object":
            continue
        subject_ok = [c for c in classes if all(fits(c, k) for k in subject_constraints(name))]
        object_ok = [c for c in classes if all(fits(c, k) for k in object_constraints(name))]
        inverse = inverse_name(name)
        for s in subject_ok:
            for o in object_ok:
                if restricted(s, name, o) or restricted(o, inverse, s):
                    continue
                allowed.add((s, name, o))
    return frozenset(allowed)


def _texts(graph: Graph, predicate: URIRef, terms: frozenset[str]) -> dict[str, Mapping[str, str]]:
    """term -> language -> text for language-tagged literals of ``predicate``."""
    result: dict[str, Mapping[str, str]] = {}
    for term in sorted(terms):
        by_lang: dict[str, str] = {}
        for value in sorted(graph.objects(URIRef(ONTOLOGY_NS + term), predicate)):
            if isinstance(value, Literal) and value.language and value.language not in by_lang:
                by_lang[value.language] = str(value)
        result[term] = MappingProxyType(by_lang)
    return result
