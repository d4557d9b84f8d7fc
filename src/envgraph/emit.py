"""One document's extraction as RDF triples for its named graph (see docs/rdf-contract.md).

Pure: the same extraction always gives the same triples, so rebuilding a document is idempotent.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from envgraph.model import Attribute, Extraction, Relation
from envgraph.settings import DOC_BASE, GRAPH_BASE
from envgraph.vocab import DCTERMS, ENV, ITSRDF, NIF, PROV, RDF, RDFS, SKOS, XSD, confidence_literal, offset_literal

Triple = tuple[Node, Node, Node]

_DATATYPES = {
    "date": XSD.date,
    "gYearMonth": XSD.gYearMonth,
    "gYear": XSD.gYear,
    "anyURI": XSD.anyURI,
}


def document_iri(doc_id: str) -> URIRef:
    return URIRef(DOC_BASE + quote(doc_id, safe="/._-"))


def graph_iri(doc_id: str) -> URIRef:
    return URIRef(GRAPH_BASE + quote(doc_id, safe="/._-"))


def span_iri(doc_id: str, start: int, end: int) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}#char={start},{end}")


def fact_iri(doc_id: str, subject: str, predicate: str, obj: str) -> URIRef:
    digest = hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]
    return URIRef(f"{document_iri(doc_id)}#fact-{digest}")


def emit(extraction: Extraction) -> list[Triple]:
    """All triples of the document's named graph."""
    doc = extraction.document
    d = document_iri(doc.doc_id)
    out: list[Triple] = [
        (d, RDF.type, ENV.Document),
        (d, RDF.type, NIF.Context),
        (d, DCTERMS.identifier, Literal(doc.doc_id)),
        (d, ENV.path, Literal(str(doc.path))),
        (d, ENV.sha256, Literal(doc.sha256)),
        (d, ENV.encoding, Literal(doc.encoding)),
        (d, DCTERMS["format"], Literal(doc.media_type)),
        (d, NIF.beginIndex, offset_literal(0)),
        (d, NIF.endIndex, offset_literal(len(doc.text))),
    ]
    out += [(d, DCTERMS.language, Literal(lang)) for lang in extraction.languages]

    sentence_iris: dict[tuple[int, int], URIRef] = {}

    def sentence(span: tuple[int, int], lang: str | None = None) -> URIRef:
        iri = sentence_iris.get(span)
        if iri is None:
            iri = span_iri(doc.doc_id, *span)
            sentence_iris[span] = iri
            out.extend([
                (iri, RDF.type, NIF.Sentence),
                (iri, NIF.anchorOf, Literal(doc.text[span[0] : span[1]])),
                (iri, NIF.beginIndex, offset_literal(span[0])),
                (iri, NIF.endIndex, offset_literal(span[1])),
                (iri, NIF.referenceContext, d),
            ])
            if lang:
                out.append((iri, DCTERMS.language, Literal(lang)))
        return iri

    sentence_langs = {}
    for seg in extraction.sentences:
        sentence_langs[(seg.start, seg.end)] = seg.lang

    seen_phrases: set[tuple[int, int]] = set()
    for mention, entity_iri in extraction.mentions:
        if (mention.start, mention.end) in seen_phrases or mention.end <= mention.start:
            continue
        seen_phrases.add((mention.start, mention.end))
        p = span_iri(doc.doc_id, mention.start, mention.end)
        out.extend([
            (p, RDF.type, NIF.Phrase),
            (p, NIF.anchorOf, Literal(mention.text)),
            (p, NIF.beginIndex, offset_literal(mention.start)),
            (p, NIF.endIndex, offset_literal(mention.end)),
            (p, NIF.referenceContext, d),
            (p, ITSRDF.taIdentRef, URIRef(entity_iri)),
            (p, ENV.rule, Literal(mention.rule)),
            (p, ENV.confidence, confidence_literal(mention.confidence)),
            (p, DCTERMS.language, Literal(mention.lang)),
        ])
        span = _containing(extraction, mention.start)
        if span is not None:
            out.append((p, NIF.sentence, sentence(span, sentence_langs.get(span))))

    for entity in extraction.entities.values():
        e = URIRef(entity.iri)
        out.append((e, RDF.type, ENV[entity.type]))
        out.append((e, RDFS.label, Literal(entity.label)))
        for lang, label in sorted(entity.pref_labels.items()):
            out.append((e, SKOS.prefLabel, Literal(label, lang=lang)))
        for text, lang in sorted(entity.alt_labels):
            if text not in entity.pref_labels.values():
                out.append((e, SKOS.altLabel, Literal(text, lang=lang)))
        if not entity.from_lexicon and entity.key:
            out.append((e, SKOS.notation, Literal(f"{entity.type}|{entity.key}")))

    # one Fact node per fact, with every sentence that states it as evidence
    facts: dict[tuple[str, str, str], list[Relation | Attribute]] = {}
    for fact in [*extraction.relations, *extraction.attributes]:
        value = fact.object if isinstance(fact, Relation) else fact.value
        facts.setdefault((fact.subject, fact.predicate, value), []).append(fact)
    for group in facts.values():
        best = max(group, key=lambda f: f.confidence)
        out += _fact(doc.doc_id, d, best, sentence(best.sentence))
        f_iri = fact_iri(doc.doc_id, best.subject, best.predicate, group_value(best))
        for other in group:
            if other.sentence != best.sentence:
                out.append((f_iri, ENV.evidence, sentence(other.sentence)))
    return list(dict.fromkeys(out))


def group_value(fact: Relation | Attribute) -> str:
    return fact.object if isinstance(fact, Relation) else fact.value


def _containing(extraction: Extraction, raw_pos: int) -> tuple[int, int] | None:
    for span in extraction.raw_sentence_spans:
        if span[0] <= raw_pos < span[1]:
            return span
    return None


def _fact(doc_id: str, d: URIRef, fact: Relation | Attribute, evidence: URIRef) -> list[Triple]:
    s = URIRef(fact.subject)
    p = ENV[fact.predicate]
    if isinstance(fact, Relation):
        o: Node = URIRef(fact.object)
        value = fact.object
    else:
        if fact.datatype == "string":
            o = Literal(fact.value, lang=fact.lang) if fact.lang else Literal(fact.value)
        else:
            o = Literal(fact.value, datatype=_DATATYPES[fact.datatype])
        value = fact.value
    f = fact_iri(doc_id, fact.subject, fact.predicate, value)
    triples: list[Triple] = [
        (s, p, o),
        (f, RDF.type, RDF.Statement),
        (f, RDF.type, ENV.Fact),
        (f, RDF.subject, s),
        (f, RDF.predicate, p),
        (f, RDF.object, o),
        (f, ENV.evidence, evidence),
        (f, PROV.wasDerivedFrom, d),
        (f, ENV.rule, Literal(fact.rule)),
        (f, ENV.confidence, confidence_literal(fact.confidence)),
    ]
    if fact.cue:
        triples.append((f, ENV.cue, Literal(fact.cue)))
    return triples


__all__ = ["emit", "document_iri", "graph_iri", "span_iri", "fact_iri", "BNode"]
