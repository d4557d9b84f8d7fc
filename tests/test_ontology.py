"""The ontology, its SHACL shapes, the JSON-LD context and the envgraph.ontology API."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import owlrl
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from envgraph import ontology
from envgraph.resources import ontology_dir, ontology_path, shapes_path
from envgraph.vocab import DCTERMS, ENV, FOAF, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

LANGUAGES = ("en", "ru", "az", "kk", "tk")
RELATIONS = (
    "funds",
    "leads",
    "organises",
    "hosts",
    "participatesIn",
    "speaksAt",
    "partOf",
    "launchedAt",
    "heldIn",
    "worksFor",
    "partyTo",
    "coordinates",
    "cooperatesWith",
    "concerns",
    "locatedIn",
)
INVERSES = {
    "fundedBy": "funds",
    "ledBy": "leads",
    "organisedBy": "organises",
    "hostedBy": "hosts",
    "hasParticipant": "participatesIn",
    "hasSpeaker": "speaksAt",
    "hasPart": "partOf",
    "hasLaunched": "launchedAt",
    "venueOf": "heldIn",
    "employs": "worksFor",
    "hasParty": "partyTo",
    "coordinatedBy": "coordinates",
    "concernedBy": "concerns",
    "contains": "locatedIn",
}
# owlrl writes each inconsistency it finds as  [] a err:ErrorMessage ; err:error "message" .
OWLRL_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

PREFIXES = """
@prefix env: <https://w3id.org/envgraph/ontology#> .
@prefix ent: <https://w3id.org/envgraph/entity/> .
@prefix doc: <https://w3id.org/envgraph/doc/> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# A small graph shaped exactly as docs/rdf-contract.md describes: a document, a sentence, a
# mention, entities of most types, an organisation funding an initiative, a person speaking at an
# event, and a fact node with its provenance.
GOOD_DATA = (
    PREFIXES
    + """
doc:001.txt a env:Document, nif:Context ;
    dcterms:identifier "001.txt" ;
    env:path "data/corpus/001.txt" ;
    env:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    env:encoding "utf-8" ;
    dcterms:language "en", "ru" ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "300"^^xsd:nonNegativeInteger .

<https://w3id.org/envgraph/doc/001.txt#char=0,80> a nif:Sentence ;
    nif:anchorOf "Financed by the Global Environment Facility (GEF), the Blueing the Caspian Sea ..." ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "80"^^xsd:nonNegativeInteger ;
    nif:referenceContext doc:001.txt ;
    dcterms:language "en" .

<https://w3id.org/envgraph/doc/001.txt#char=16,43> a nif:Phrase ;
    nif:anchorOf "Global Environment Facility" ;
    nif:beginIndex "16"^^xsd:nonNegativeInteger ; nif:endIndex "43"^^xsd:nonNegativeInteger ;
    nif:referenceContext doc:001.txt ;
    nif:sentence <https://w3id.org/envgraph/doc/001.txt#char=0,80> ;
    itsrdf:taIdentRef ent:organisation\\/gef ;
    env:rule "lexicon" ; env:confidence 0.95 ;
    dcterms:language "en" .

ent:organisation\\/gef a env:Organisation ;
    skos:prefLabel "Global Environment Facility"@en, "Глобальный экологический фонд"@ru ;
    skos:altLabel "GEF"@en, "ГЭФ"@ru ;
    rdfs:label "Global Environment Facility"@en ;
    env:homepage "https://www.thegef.org"^^xsd:anyURI .
ent:organisation\\/unep a env:Organisation ;
    skos:prefLabel "UN Environment Programme"@en ; rdfs:label "UN Environment Programme"@en .
ent:initiative\\/blueing-the-caspian-sea a env:Initiative ;
    skos:prefLabel "Blueing the Caspian Sea"@en ; rdfs:label "Blueing the Caspian Sea"@en ;
    env:startDate "2026"^^xsd:gYear .
ent:event\\/regional-ecological-summit a env:Event ;
    skos:prefLabel "Regional Ecological Summit"@en ; rdfs:label "Regional Ecological Summit"@en ;
    env:startDate "2026-04-22"^^xsd:date ; env:endDate "2026-04"^^xsd:gYearMonth .
ent:event\\/summit-opening a env:Event ;
    skos:prefLabel "Opening session"@en ; rdfs:label "Opening session"@en .
ent:person\\/zhomart-aliyev a env:Person ;
    skos:prefLabel "Zhomart Aliyev"@en, "Жомарт Алиев"@ru ; rdfs:label "Zhomart Aliyev"@en ;
    env:position "Minister of Ecology"@en .
ent:country\\/kz a env:Country ;
    skos:prefLabel "Kazakhstan"@en, "Қазақстан"@kk ; rdfs:label "Kazakhstan"@en .
ent:place\\/astana a env:Place ; skos:prefLabel "Astana"@en ; rdfs:label "Astana"@en .
ent:place\\/caspian-sea a env:Place ; skos:prefLabel "Caspian Sea"@en ; rdfs:label "Caspian Sea"@en .
ent:convention\\/tehran-convention a env:Convention ;
    skos:prefLabel "Tehran Convention"@en ; rdfs:label "Tehran Convention"@en .

ent:organisation\\/gef env:funds ent:initiative\\/blueing-the-caspian-sea .
ent:organisation\\/unep env:leads ent:initiative\\/blueing-the-caspian-sea ;
    env:coordinates ent:convention\\/tehran-convention ;
    env:cooperatesWith ent:country\\/kz .
ent:person\\/zhomart-aliyev env:speaksAt ent:event\\/regional-ecological-summit ;
    env:worksFor ent:organisation\\/unep .
ent:initiative\\/blueing-the-caspian-sea env:launchedAt ent:event\\/regional-ecological-summit ;
    env:concerns ent:place\\/caspian-sea .
ent:event\\/summit-opening env:partOf ent:event\\/regional-ecological-summit .
ent:event\\/regional-ecological-summit env:heldIn ent:place\\/astana .
ent:place\\/astana env:locatedIn ent:country\\/kz .
ent:country\\/kz env:hosts ent:event\\/regional-ecological-summit ;
    env:partyTo ent:convention\\/tehran-convention .

<https://w3id.org/envgraph/doc/001.txt#fact-1> a rdf:Statement, env:Fact ;
    rdf:subject ent:organisation\\/gef ;
    rdf:predicate env:funds ;
    rdf:object ent:initiative\\/blueing-the-caspian-sea ;
    env:evidence <https://w3id.org/envgraph/doc/001.txt#char=0,80> ;
    prov:wasDerivedFrom doc:001.txt ;
    env:rule "cue:funds:en:financed by" ;
    env:cue "Financed by" ;
    env:confidence 0.85 .

<https://w3id.org/envgraph/doc/001.txt#fact-2> a rdf:Statement, env:Fact ;
    rdf:subject ent:event\\/regional-ecological-summit ;
    rdf:predicate env:startDate ;
    rdf:object "2026-04-22"^^xsd:date ;
    env:evidence <https://w3id.org/envgraph/doc/001.txt#char=0,80> ;
    prov:wasDerivedFrom doc:001.txt ;
    env:rule "date:en" ;
    env:confidence 0.7 .
"""
)

ENT = Namespace("https://w3id.org/envgraph/entity/")
PERSON = ENT["person/p"]
EVENT = ENT["event/e"]
PHRASE = URIRef("https://w3id.org/envgraph/doc/002.txt#char=5,9")
FACT = URIRef("https://w3id.org/envgraph/doc/002.txt#fact-1")

# Each violation below is one the shapes must catch.
BAD_DATA = (
    PREFIXES
    + """
doc:002.txt a env:Document ;
    dcterms:identifier "002.txt" ;
    env:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .
ent:person\\/p a env:Person ; skos:prefLabel "P"@en ; rdfs:label "P"@en .
ent:event\\/e a env:Event ; skos:prefLabel "E"@en ; rdfs:label "E"@en ;
    env:startDate "April 2026" .
ent:organisation\\/o a env:Organisation ; skos:prefLabel "O"@en, "O2"@en ; rdfs:label "O"@en .
ent:person\\/p env:funds ent:event\\/e .
ent:event\\/e env:partOf ent:organisation\\/o .
<https://w3id.org/envgraph/doc/002.txt#char=5,9> a nif:Phrase ;
    nif:beginIndex "9"^^xsd:nonNegativeInteger ; nif:endIndex "5"^^xsd:nonNegativeInteger ;
    nif:referenceContext doc:002.txt ;
    itsrdf:taIdentRef ent:person\\/p ;
    env:confidence 1.5 .
<https://w3id.org/envgraph/doc/002.txt#fact-1> a env:Fact ;
    rdf:subject ent:person\\/p ; rdf:predicate env:leads ; rdf:object ent:event\\/e ;
    prov:wasDerivedFrom doc:002.txt ;
    env:confidence 0.5 .
"""
)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def env_terms(graph: Graph, kind: URIRef) -> set[str]:
    ns = str(ENV)
    return {str(s)[len(ns) :] for s in graph.subjects(RDF.type, kind) if str(s).startswith(ns)}


def closure_problems(graph: Graph) -> list[str]:
    """Run the OWL 2 RL closure and return every inconsistency it reports."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    problems = [str(message) for message in graph.objects(None, OWLRL_ERR.error)]
    problems += [f"{s} is a member of owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    problems += [
        f"{c} is unsatisfiable"
        for c in graph.subjects(RDFS.subClassOf, OWL.Nothing)
        if c != OWL.Nothing and not isinstance(c, BNode)
    ]
    return problems


def validate(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    return bool(conforms), report


def results(report: Graph) -> list[tuple[URIRef, URIRef | None, str]]:
    """(focus node, result path, message) of every validation result."""
    return [
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


# --- the ontology itself ------------------------------------------------------------------------


def test_ontology_header(onto: Graph) -> None:
    header = URIRef("https://w3id.org/envgraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    assert onto.value(header, OWL.versionInfo) is not None
    assert onto.value(header, DCTERMS.license) is not None
    assert {lit.language for lit in onto.objects(header, DCTERMS.title)} == set(LANGUAGES)
    assert not list(onto.objects(None, OWL.imports)), "the ontology must stay self-contained"


def test_classes(onto: Graph) -> None:
    assert env_terms(onto, OWL.Class) == {
        "Agent", "Organisation", "Person", "Country", "Location", "Place",
        "Initiative", "Convention", "Event", "Document", "Fact",
    }  # fmt: skip
    assert (ENV.Fact, RDFS.subClassOf, RDF.Statement) in onto
    for actor in ("Organisation", "Person", "Country"):
        assert (ENV[actor], RDFS.subClassOf, ENV.Agent) in onto
    for location in ("Country", "Place"):
        assert (ENV[location], RDFS.subClassOf, ENV.Location) in onto


def test_exactly_the_fifteen_relations_and_their_inverses(onto: Graph) -> None:
    assert env_terms(onto, OWL.ObjectProperty) == set(RELATIONS) | set(INVERSES)
    assert ontology.object_properties() == sorted(RELATIONS)
    assert ontology.object_properties(include_inverses=True) == sorted([*RELATIONS, *INVERSES])
    for inverse, relation in INVERSES.items():
        assert (ENV[inverse], OWL.inverseOf, ENV[relation]) in onto
        assert ontology.inverse_of(relation) == inverse
        assert ontology.inverse_of(inverse) == relation


def test_datatype_and_provenance_properties(onto: Graph) -> None:
    assert env_terms(onto, OWL.DatatypeProperty) == {"startDate", "endDate", "position", "homepage"}
    assert env_terms(onto, OWL.AnnotationProperty) == {
        "path", "sha256", "encoding", "rule", "cue", "confidence", "evidence",
    }  # fmt: skip
    assert ontology.range_classes("startDate") == {"xsd:date", "xsd:gYearMonth", "xsd:gYear"}
    assert ontology.range_classes("homepage") == {"xsd:anyURI"}
    assert ontology.range_classes("evidence") == {"nif:Sentence"}
    assert ontology.domain_classes("evidence") == {"Fact"}


def test_every_term_has_label_and_comment_in_five_languages(onto: Graph) -> None:
    terms = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        terms |= env_terms(onto, kind)
    assert len(terms) == 51
    missing = []
    for term in sorted(terms):
        for predicate in (RDFS.label, RDFS.comment):
            langs = [lit.language for lit in onto.objects(ENV[term], predicate)]
            if sorted(langs) != sorted(LANGUAGES):  # exactly one per language
                missing.append(f"{term} {predicate}: {sorted(filter(None, langs))}")
    assert not missing
    assert ontology.labels("Organisation") == {
        "en": "Organisation",
        "ru": "Организация",
        "az": "Təşkilat",
        "kk": "Ұйым",
        "tk": "Gurama",
    }
    assert set(ontology.comments("funds")) == set(LANGUAGES)


def test_labels_use_the_right_scripts(onto: Graph) -> None:
    """ru and kk are Cyrillic; az and tk are Latin, each with its own letters."""
    cyrillic = {chr(c) for c in range(0x0400, 0x0500)}
    for lit in onto.objects(None, RDFS.label):
        if not isinstance(lit, Literal) or lit.language not in LANGUAGES:
            continue
        has_cyrillic = bool(set(str(lit)) & cyrillic)
        if lit.language in ("az", "tk", "en"):
            assert not has_cyrillic, f"{lit!r} mixes in Cyrillic letters"
    kazakh_letters = set("әғқңөұүһі")
    kk_text = "".join(str(lit) for lit in onto.objects(None, RDFS.comment) if lit.language == "kk")
    assert kazakh_letters & set(kk_text.lower())
    tk_text = "".join(str(lit) for lit in onto.objects(None, RDFS.comment) if lit.language == "tk")
    assert set("ýňäöüçş") <= set(tk_text.lower())
    assert not set("ıə") & set(tk_text.lower()), "Turkmen has no ı or ə (those are Azerbaijani)"


def test_property_characteristics_and_hierarchy(onto: Graph) -> None:
    assert (ENV.cooperatesWith, RDF.type, OWL.SymmetricProperty) in onto
    for sub in ("leads", "speaksAt", "organises", "hosts"):
        assert (ENV[sub], RDFS.subPropertyOf, ENV.participatesIn) in onto
    for sub in ("ledBy", "hasSpeaker", "organisedBy", "hostedBy"):
        assert (ENV[sub], RDFS.subPropertyOf, ENV.hasParticipant) in onto
    for transitive in ("partOf", "hasPart", "locatedIn", "contains"):
        assert (ENV[transitive], RDF.type, OWL.TransitiveProperty) in onto


def test_polymorphic_properties_use_unions_not_single_classes() -> None:
    assert ontology.domain_classes("partOf") == {"Event", "Initiative", "Organisation"}
    assert ontology.range_classes("partOf") == {"Event", "Initiative", "Organisation"}
    assert ontology.domain_classes("leads") == {"Organisation", "Country", "Person"}
    assert ontology.range_classes("heldIn") == {"Place", "Country"}
    assert ontology.domain_classes("concerns") == {"Initiative", "Event", "Convention"}


def test_alignment_with_standard_vocabularies(onto: Graph) -> None:
    expected = [
        (ENV.Organisation, RDFS.subClassOf, ORG.Organization),
        (ENV.Organisation, RDFS.subClassOf, SCHEMA.Organization),
        (ENV.Organisation, RDFS.subClassOf, FOAF.Organization),
        (ENV.Person, RDFS.subClassOf, SCHEMA.Person),
        (ENV.Person, RDFS.subClassOf, FOAF.Person),
        (ENV.Event, RDFS.subClassOf, SCHEMA.Event),
        (ENV.Country, RDFS.subClassOf, SCHEMA.Country),
        (ENV.Place, RDFS.subClassOf, SCHEMA.Place),
        (ENV.Agent, RDFS.subClassOf, PROV.Agent),
        (ENV.Document, RDFS.subClassOf, PROV.Entity),
        (ENV.fundedBy, RDFS.subPropertyOf, SCHEMA.funder),
        (ENV.organisedBy, RDFS.subPropertyOf, SCHEMA.organizer),
        (ENV.heldIn, RDFS.subPropertyOf, SCHEMA.location),
        (ENV.worksFor, RDFS.subPropertyOf, SCHEMA.worksFor),
        (ENV.worksFor, RDFS.subPropertyOf, ORG.memberOf),
        (ENV.startDate, RDFS.subPropertyOf, SCHEMA.startDate),
        (ENV.endDate, RDFS.subPropertyOf, SCHEMA.endDate),
        (ENV.position, RDFS.subPropertyOf, SCHEMA.jobTitle),
        (ENV.homepage, RDFS.subPropertyOf, SCHEMA.url),
    ]
    assert [t for t in expected if t not in onto] == []
    # schema:funder points from the funded thing to the funder: only the inverse may align.
    assert (ENV.funds, RDFS.subPropertyOf, SCHEMA.funder) not in onto
    # foaf:homepage is an object property; the datatype property env:homepage must not use it.
    assert (ENV.homepage, RDFS.subPropertyOf, FOAF.homepage) not in onto


def test_external_terms_are_declared_for_punning_checks(onto: Graph) -> None:
    """Every non-env term used in an alignment axiom is declared with its OWL kind."""
    undeclared = []
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for subject, target in onto.subject_objects(predicate):
            if isinstance(target, URIRef) and not str(target).startswith((str(ENV), str(RDF))):
                if not set(onto.objects(target, RDF.type)):
                    undeclared.append(f"{subject} -> {target}")
    assert undeclared == []


# --- reasoning ----------------------------------------------------------------------------------


def test_owlrl_closure_of_the_ontology_alone_is_consistent(onto: Graph) -> None:
    graph = Graph() + onto
    assert closure_problems(graph) == []


def test_owlrl_closure_of_ontology_and_good_data_is_consistent_and_useful(onto: Graph) -> None:
    graph = Graph().parse(data=GOOD_DATA, format="turtle") + onto
    assert closure_problems(graph) == []
    gef, unep = ENT["organisation/gef"], ENT["organisation/unep"]
    initiative = ENT["initiative/blueing-the-caspian-sea"]
    summit = ENT["event/regional-ecological-summit"]
    speaker = ENT["person/zhomart-aliyev"]
    assert (initiative, ENV.fundedBy, gef) in graph
    assert (initiative, SCHEMA.funder, gef) in graph
    assert (unep, ENV.participatesIn, initiative) in graph  # leads ⊑ participatesIn
    assert (initiative, ENV.hasParticipant, unep) in graph  # ... and the inverse
    assert (summit, ENV.hasSpeaker, speaker) in graph
    assert (ENT["country/kz"], ENV.cooperatesWith, unep) in graph  # symmetric
    assert (ENT["event/summit-opening"], ENV.partOf, summit) in graph
    assert (summit, ENV.heldIn, ENT["place/astana"]) in graph
    assert (ENT["country/kz"], ENV.contains, ENT["place/astana"]) in graph
    # unions in domains/ranges do not assign a wrong specific class
    assert (unep, RDF.type, ENV.Person) not in graph
    assert (initiative, RDF.type, ENV.Event) not in graph
    assert (speaker, RDF.type, ENV.Agent) in graph


def test_owlrl_reports_a_person_who_funds(onto: Graph) -> None:
    graph = Graph().parse(data=BAD_DATA, format="turtle") + onto
    problems = closure_problems(graph)
    assert any("Organisation" in p and "Person" in p and str(PERSON) in p for p in problems)
    # an Event that is partOf an Organisation breaks the partOf restriction
    assert any("Event" in p and str(EVENT) in p for p in problems)


# --- SHACL --------------------------------------------------------------------------------------


def test_good_graph_conforms(shapes: Graph) -> None:
    conforms, report = validate(Graph().parse(data=GOOD_DATA, format="turtle"), shapes)
    assert conforms, results(report)


def test_good_graph_conforms_when_built_with_rdflib_helpers(shapes: Graph) -> None:
    """Confidences and offsets written with vocab's helpers pass pyshacl in memory."""
    from envgraph.vocab import NIF, confidence_literal, offset_literal

    graph = Graph().parse(data=GOOD_DATA, format="turtle")
    phrase = URIRef("https://w3id.org/envgraph/doc/001.txt#char=16,43")
    graph.set((phrase, ENV.confidence, confidence_literal(0.95)))
    graph.set((phrase, NIF.beginIndex, offset_literal(16)))
    conforms, report = validate(graph, shapes)
    assert conforms, results(report)


def test_bad_graph_fails_and_names_the_focus_nodes(shapes: Graph) -> None:
    conforms, report = validate(Graph().parse(data=BAD_DATA, format="turtle"), shapes)
    assert not conforms
    found = results(report)
    focus = {(node, path) for node, path, _ in found}
    nif = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    assert (PERSON, None) in focus  # a Person as subject of env:funds
    assert (PHRASE, nif.anchorOf) in focus  # a Phrase without nif:anchorOf
    assert (PHRASE, nif.beginIndex) in focus  # begin after end
    assert (PHRASE, ENV.confidence) in focus  # confidence 1.5
    assert (EVENT, ENV.startDate) in focus  # "April 2026" is no date
    assert (EVENT, None) in focus  # Event partOf Organisation
    assert (ENT["organisation/o"], SKOS.prefLabel) in focus
    assert (FACT, ENV.evidence) in focus  # no evidence sentence
    assert (FACT, RDF.subject) in focus  # describes a triple that is not asserted
    messages = " ".join(message for _, _, message in found)
    assert "The subject of env:funds must be an Organisation." in messages
    assert "nif:anchorOf" in messages


@pytest.mark.parametrize(
    ("triple", "message"),
    [
        ("ent:organisation\\/gef env:funds ent:place\\/astana .", "object of env:funds"),
        ("ent:place\\/astana env:speaksAt ent:event\\/summit-opening .", "subject of env:speaksAt"),
        ("ent:event\\/summit-opening env:heldIn ent:organisation\\/gef .", "object of env:heldIn"),
        ("ent:person\\/zhomart-aliyev env:partyTo ent:place\\/astana .", "subject of env:partyTo"),
        ("ent:organisation\\/gef env:cooperatesWith ent:place\\/astana .", "object of env:cooperatesWith"),
        ("ent:place\\/astana env:locatedIn ent:organisation\\/gef .", "object of env:locatedIn"),
        ("ent:organisation\\/gef env:position \"Director\"@en .", "subject of env:position"),
        ("ent:organisation\\/gef env:homepage \"javascript:x\"^^xsd:anyURI .", "env:homepage"),
    ],
)
def test_relation_shapes_reject_wrong_classes(shapes: Graph, triple: str, message: str) -> None:
    graph = Graph().parse(data=GOOD_DATA + triple, format="turtle")
    conforms, report = validate(graph, shapes)
    assert not conforms
    assert any(message in text for _, _, text in results(report))


def test_shapes_cover_every_relation(shapes: Graph) -> None:
    targeted = {str(o)[len(str(ENV)) :] for o in shapes.objects(None, SH.targetSubjectsOf)}
    assert set(RELATIONS) | {"startDate", "endDate", "position", "homepage"} <= targeted
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        property_shapes = shapes.objects(shape, SH.property)
        has_message = shapes.value(shape, SH.message) is not None or any(
            shapes.value(prop, SH.message) is not None for prop in property_shapes
        )
        assert has_message, f"{shape} has no sh:message"


# --- the Python API -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "prop", "obj", "allowed"),
    [
        ("Organisation", "funds", "Initiative", True),
        ("Organisation", "funds", "Event", True),
        ("Person", "funds", "Initiative", False),
        ("Organisation", "funds", "Place", False),
        ("Person", "speaksAt", "Event", True),
        ("Organisation", "speaksAt", "Event", False),
        ("Country", "leads", "Initiative", True),
        ("Event", "partOf", "Event", True),
        ("Organisation", "partOf", "Organisation", True),
        ("Event", "partOf", "Organisation", False),
        ("Initiative", "partOf", "Event", False),
        ("Event", "heldIn", "Country", True),
        ("Event", "heldIn", "Organisation", False),
        ("Place", "locatedIn", "Country", True),
        ("Country", "locatedIn", "Place", False),
        ("Person", "cooperatesWith", "Country", True),
        ("Initiative", "cooperatesWith", "Organisation", False),
        ("Initiative", "fundedBy", "Organisation", True),
        ("Event", "hasPart", "Initiative", False),
        ("Country", "partyTo", "Convention", True),
        ("Organisation", "coordinates", "Convention", True),
        ("Convention", "concerns", "Place", True),
        ("Convention", "concerns", "Country", False),
    ],
)
def test_check_relation(subject: str, prop: str, obj: str, allowed: bool) -> None:
    assert ontology.check_relation(subject, prop, obj) is allowed


def test_check_relation_accepts_iris_and_rejects_unknown_terms() -> None:
    assert ontology.check_relation(str(ENV.Organisation), str(ENV.funds), str(ENV.Event))
    with pytest.raises(ontology.UnknownTermError, match="did you mean funds"):
        ontology.check_relation("Organisation", "fund", "Event")
    with pytest.raises(ontology.UnknownTermError, match="Organisation"):
        ontology.check_relation("Organization", "funds", "Event")
    with pytest.raises(ontology.UnknownTermError, match="datatype property"):
        ontology.check_relation("Event", "startDate", "Event")


def test_check_relation_agrees_with_the_shapes(shapes: Graph) -> None:
    """For all 15 relations and all pairs of entity types, SHACL accepts exactly what
    check_relation allows. Each combination gets its own subject node, so one validation run
    tells which combinations failed (the focus node of every relation violation is the subject).
    """
    leaf = ("Organisation", "Person", "Country", "Place", "Initiative", "Convention", "Event")
    graph = Graph()
    combinations = {}
    for prop in RELATIONS:
        for s in leaf:
            for o in leaf:
                subject, obj = ENT[f"s/{prop}/{s}/{o}"], ENT[f"o/{prop}/{s}/{o}"]
                for node, cls in ((subject, s), (obj, o)):
                    graph.add((node, RDF.type, ENV[cls]))
                    graph.add((node, RDFS.label, Literal(cls, lang="en")))
                    graph.add((node, SKOS.prefLabel, Literal(cls, lang="en")))
                graph.add((subject, ENV[prop], obj))
                combinations[subject] = (s, prop, o)
    _, report = validate(graph, shapes)
    rejected = {focus for focus, _, _ in results(report)}
    assert rejected <= set(combinations)
    disagreements = [
        combo
        for subject, combo in combinations.items()
        if (subject not in rejected) != ontology.check_relation(*combo)
    ]
    assert disagreements == []
    assert 0 < len(rejected) < len(combinations)


def test_index_is_cached_and_frozen() -> None:
    first = ontology.default_index()
    assert ontology.default_index() is first
    assert ontology.load_index(ontology_path()) is first
    with pytest.raises(TypeError):
        first.properties["funds"] = first.properties["leads"]  # type: ignore[index]


def test_missing_or_broken_ontology_is_reported(tmp_path: Path) -> None:
    from envgraph.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        ontology.load_index(tmp_path / "nothing.ttl")
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix env: <x#> . env:a env:b", encoding="utf-8")
    with pytest.raises(InputError, match="not valid Turtle"):
        ontology.load_index(broken)


# --- JSON-LD context ----------------------------------------------------------------------------


def test_jsonld_context_round_trips_and_names_every_env_term(onto: Graph) -> None:
    context_text = (ontology_dir() / "context.jsonld").read_text(encoding="utf-8")
    context = json.loads(context_text)["@context"]
    prefixes = "env ent doc nif itsrdf skos dcterms prov rdfs xsd schema org foaf".split()
    assert [p for p in prefixes if p not in context] == []
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for term in env_terms(onto, kind):
            entry = context[term]
            iri = entry["@id"] if isinstance(entry, dict) else entry
            assert iri == f"env:{term}"
            if kind == OWL.ObjectProperty:
                assert entry["@type"] == "@id"
    graph = Graph().parse(data=GOOD_DATA, format="turtle")
    graph.add((ENT["organisation/gef"], SKOS.altLabel, Literal("Global Env Facility", lang="en")))
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    assert '"funds"' in text and '"prefLabel"' in text
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = Graph().parse(data=text, format="json-ld")
    assert isomorphic(parsed, graph)
