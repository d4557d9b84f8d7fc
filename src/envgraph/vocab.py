"""RDF namespaces used by envgraph, with ``ENV`` as a closed namespace of the ontology's terms.

``ENV`` lists every term defined in ``ontology/envgraph.ttl``: a typo such as ``ENV.fund`` raises
``AttributeError`` instead of silently minting a new IRI. The class body is generated from the
ontology by :func:`generate_env_namespace_source`, and ``tests/test_vocab.py`` checks that the two
have not drifted apart. Regenerate it after changing the ontology with::

    python -m envgraph.vocab > /tmp/env.py   # then paste the class over the one below

Nothing is read at import time; only the generator parses the ontology, when it is called.
"""

from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
)

from envgraph.settings import DOC_BASE, ENTITY_BASE, GRAPH_BASE, INDEX_NS, ONTOLOGY_NS

__all__ = [
    "DCTERMS",
    "DOC",
    "ENT",
    "ENV",
    "FOAF",
    "GRAPH",
    "ITSRDF",
    "NIF",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "XSD",
    "confidence_literal",
    "generate_env_namespace_source",
    "offset_literal",
    "sparql_prefixes",
    "turtle_prefixes",
]

SCHEMA = SDO  # schema.org, https form, as rdflib ships it

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")

ENT = Namespace(ENTITY_BASE)
DOC = Namespace(DOC_BASE)
GRAPH = Namespace(GRAPH_BASE)


# --- generated from ontology/envgraph.ttl by generate_env_namespace_source(); do not edit ---
class ENV(DefinedNamespace):
    """The envgraph ontology (https://w3id.org/envgraph/ontology#): every class and property."""

    _fail = True
    _NS = Namespace("https://w3id.org/envgraph/ontology#")

    # classes
    Agent: URIRef
    Convention: URIRef
    Country: URIRef
    Document: URIRef
    Event: URIRef
    Fact: URIRef
    Initiative: URIRef
    Location: URIRef
    Organisation: URIRef
    Person: URIRef
    Place: URIRef

    # object properties
    concernedBy: URIRef
    concerns: URIRef
    contains: URIRef
    cooperatesWith: URIRef
    coordinatedBy: URIRef
    coordinates: URIRef
    employs: URIRef
    fundedBy: URIRef
    funds: URIRef
    hasLaunched: URIRef
    hasPart: URIRef
    hasParticipant: URIRef
    hasParty: URIRef
    hasSpeaker: URIRef
    heldIn: URIRef
    hostedBy: URIRef
    hosts: URIRef
    launchedAt: URIRef
    leads: URIRef
    ledBy: URIRef
    locatedIn: URIRef
    organisedBy: URIRef
    organises: URIRef
    participatesIn: URIRef
    partOf: URIRef
    partyTo: URIRef
    speaksAt: URIRef
    venueOf: URIRef
    worksFor: URIRef

    # datatype properties
    endDate: URIRef
    homepage: URIRef
    position: URIRef
    startDate: URIRef

    # annotation properties (provenance)
    confidence: URIRef
    cue: URIRef
    encoding: URIRef
    evidence: URIRef
    path: URIRef
    rule: URIRef
    sha256: URIRef
# --- end of generated code ---


PREFIXES: dict[str, str] = {
    "env": ONTOLOGY_NS,
    "ent": ENTITY_BASE,
    "doc": DOC_BASE,
    "g": GRAPH_BASE,
    "idx": INDEX_NS,
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
}
"""Prefix -> namespace IRI for SPARQL and Turtle headers (the prefixes of the RDF contract)."""


def sparql_prefixes() -> str:
    """``PREFIX p: <iri>`` lines for every entry of :data:`PREFIXES`, to prepend to a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def turtle_prefixes() -> str:
    """``@prefix p: <iri> .`` lines for every entry of :data:`PREFIXES`."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


def confidence_literal(value: float) -> Literal:
    """An ``env:confidence`` value as the contract wants it: ``xsd:decimal``, 4 places, in [0, 1].

    ``Literal(0.85, datatype=XSD.decimal)`` would keep a Python float inside, which pyshacl rejects
    as not a decimal when validating an in-memory graph; this builds a real ``Decimal``.
    """
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {value!r}")
    return Literal(Decimal(f"{value:.4f}").normalize(), datatype=XSD.decimal)


def offset_literal(value: int) -> Literal:
    """A NIF offset (``nif:beginIndex``/``nif:endIndex``) as ``xsd:nonNegativeInteger``."""
    if value < 0:
        raise ValueError(f"a character offset cannot be negative, got {value!r}")
    return Literal(value, datatype=XSD.nonNegativeInteger)


# The groups of the generated class, in order: (comment, rdf:type of the terms).
_TERM_GROUPS: tuple[tuple[str, URIRef], ...] = (
    ("classes", OWL.Class),
    ("object properties", OWL.ObjectProperty),
    ("datatype properties", OWL.DatatypeProperty),
    ("annotation properties (provenance)", OWL.AnnotationProperty),
)


def ontology_terms(ontology_path: Path) -> dict[str, list[str]]:
    """The local names of the env: terms declared in the ontology, sorted, by group comment.

    A term is any IRI in the env: namespace typed with one of the four OWL kinds; terms of other
    namespaces (the minimal declarations of schema.org, FOAF, ...) are left out.
    """
    graph = Graph().parse(ontology_path, format="turtle")
    groups: dict[str, list[str]] = {}
    for comment, kind in _TERM_GROUPS:
        names = {
            str(subject)[len(ONTOLOGY_NS) :]
            for subject in graph.subjects(RDF.type, kind)
            if isinstance(subject, URIRef) and str(subject).startswith(ONTOLOGY_NS)
        }
        groups[comment] = sorted(names, key=lambda name: (name.lower(), name))
    return groups


def generate_env_namespace_source(ontology_path: Path) -> str:
    """The Python source of the ``ENV`` class above, generated from the ontology file.

    The output is byte-for-byte what ``vocab.py`` must contain between the "generated" markers, so
    that a test can compare the two.
    """
    lines = [
        "class ENV(DefinedNamespace):",
        f'    """The envgraph ontology ({ONTOLOGY_NS}): every class and property."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{ONTOLOGY_NS}")',
    ]
    for comment, names in ontology_terms(ontology_path).items():
        if not names:
            continue
        lines.append("")
        lines.append(f"    # {comment}")
        lines.extend(f"    {name}: URIRef" for name in names)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    from envgraph.resources import ontology_path

    print(generate_env_namespace_source(ontology_path()), end="")
