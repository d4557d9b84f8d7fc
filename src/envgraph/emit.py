"""One document's extraction as RDF for its named graph (see docs/rdf-contract.md).

Pure: the same extraction always gives the same triples, so rebuilding a document is idempotent.
Two outputs of one writer: :func:`emit` gives rdflib triples (for the API and other stores),
:func:`emit_ntriples` the same triples as N-Triples text, which the build hands to the store
without building an rdflib object per term (the build's hot path).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Generic, TypeVar
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.term import Node

from envgraph.model import Attribute, Extraction, Relation
from envgraph.settings import DOC_BASE, GRAPH_BASE
from envgraph.sparqlutil import escape_string
from envgraph.vocab import DCTERMS, ENV, ITSRDF, NIF, PROV, RDF, RDFS, SKOS, XSD, confidence_literal, offset_literal

Triple = tuple[Node, Node, Node]
T = TypeVar("T")

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


class _Terms(Generic[T]):
    """How terms are written: rdflib objects or N-Triples text."""

    iri: Callable[[str], T]
    plain: Callable[[str], T]
    typed: Callable[[str, str], T]  # lexical form, datatype IRI
    tagged: Callable[[str, str], T]  # text, language tag
    offset: Callable[[int], T]
    confidence: Callable[[float], T]


class _RdflibTerms(_Terms[Node]):
    iri = staticmethod(URIRef)  # type: ignore[assignment]
    plain = staticmethod(Literal)  # type: ignore[assignment]
    typed = staticmethod(lambda value, dt: Literal(value, datatype=URIRef(dt)))  # type: ignore[assignment]
    tagged = staticmethod(lambda text, lang: Literal(text, lang=lang))  # type: ignore[assignment]
    offset = staticmethod(offset_literal)  # type: ignore[assignment]
    confidence = staticmethod(confidence_literal)  # type: ignore[assignment]


def _nt_confidence(value: float) -> str:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {value!r}")
    return f'"{Decimal(f"{value:.4f}").normalize()}"^^<{XSD.decimal}>'


def _nt_offset(value: int) -> str:
    if value < 0:
        raise ValueError(f"a character offset cannot be negative, got {value!r}")
    return f'"{value}"^^<{XSD.nonNegativeInteger}>'


class _NTriplesTerms(_Terms[str]):
    iri = staticmethod(lambda value: f"<{value}>")  # type: ignore[assignment]
    plain = staticmethod(lambda value: f'"{escape_string(value)}"')  # type: ignore[assignment]
    typed = staticmethod(lambda value, dt: f'"{escape_string(value)}"^^<{dt}>')  # type: ignore[assignment]
    tagged = staticmethod(lambda text, lang: f'"{escape_string(text)}"@{lang}')  # type: ignore[assignment]
    offset = staticmethod(_nt_offset)  # type: ignore[assignment]
    confidence = staticmethod(_nt_confidence)  # type: ignore[assignment]


def emit(extraction: Extraction) -> list[Triple]:
    """All triples of the document's named graph, as rdflib terms."""
    return _write(extraction, _RdflibTerms())


def emit_ntriples(extraction: Extraction) -> str:
    """The same triples as :func:`emit`, as N-Triples text (one triple a line)."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in _write(extraction, _NTriplesTerms()))


def _write(extraction: Extraction, t: _Terms[T]) -> list[tuple[T, T, T]]:
    doc = extraction.document
    d = t.iri(str(document_iri(doc.doc_id)))
    a = t.iri(str(RDF.type))
    out: list[tuple[T, T, T]] = [
        (d, a, t.iri(str(ENV.Document))),
        (d, a, t.iri(str(NIF.Context))),
        (d, t.iri(str(DCTERMS.identifier)), t.plain(doc.doc_id)),
        (d, t.iri(str(ENV.path)), t.plain(str(doc.path))),
        (d, t.iri(str(ENV.sha256)), t.plain(doc.sha256)),
        (d, t.iri(str(ENV.encoding)), t.plain(doc.encoding)),
        (d, t.iri(str(DCTERMS["format"])), t.plain(doc.media_type)),
        (d, t.iri(str(NIF.beginIndex)), t.offset(0)),
        (d, t.iri(str(NIF.endIndex)), t.offset(len(doc.text))),
    ]
    language = t.iri(str(DCTERMS.language))
    out += [(d, language, t.plain(lang)) for lang in extraction.languages]

    anchor, begin, end, context = (t.iri(str(x)) for x in (NIF.anchorOf, NIF.beginIndex, NIF.endIndex, NIF.referenceContext))
    sentence_iris: dict[tuple[int, int], T] = {}
    sentence_langs = {(seg.start, seg.end): seg.lang for seg in extraction.sentences}

    def sentence(span: tuple[int, int]) -> T:
        iri = sentence_iris.get(span)
        if iri is None:
            iri = t.iri(str(span_iri(doc.doc_id, *span)))
            sentence_iris[span] = iri
            out.extend([
                (iri, a, t.iri(str(NIF.Sentence))),
                (iri, anchor, t.plain(doc.text[span[0] : span[1]])),
                (iri, begin, t.offset(span[0])),
                (iri, end, t.offset(span[1])),
                (iri, context, d),
            ])
            lang = sentence_langs.get(span)
            if lang:
                out.append((iri, language, t.plain(lang)))
        return iri

    phrase, ident, rule, confidence, in_sentence = (
        t.iri(str(x)) for x in (NIF.Phrase, ITSRDF.taIdentRef, ENV.rule, ENV.confidence, NIF.sentence)
    )
    seen_phrases: set[tuple[int, int]] = set()
    spans = extraction.raw_sentence_spans
    starts = [span[0] for span in spans]
    for mention, entity_iri in extraction.mentions:
        if (mention.start, mention.end) in seen_phrases or mention.end <= mention.start:
            continue
        seen_phrases.add((mention.start, mention.end))
        p = t.iri(str(span_iri(doc.doc_id, mention.start, mention.end)))
        out.extend([
            (p, a, phrase),
            (p, anchor, t.plain(mention.text)),
            (p, begin, t.offset(mention.start)),
            (p, end, t.offset(mention.end)),
            (p, context, d),
            (p, ident, t.iri(entity_iri)),
            (p, rule, t.plain(mention.rule)),
            (p, confidence, t.confidence(mention.confidence)),
            (p, language, t.plain(mention.lang)),
        ])
        span = _containing(spans, mention.start, starts)
        if span is not None:
            out.append((p, in_sentence, sentence(span)))

    label, pref, alt, notation = (t.iri(str(x)) for x in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.notation))
    for entity in extraction.entities.values():
        e = t.iri(entity.iri)
        out.append((e, a, t.iri(str(ENV[entity.type]))))
        out.append((e, label, t.plain(entity.label)))
        for lang, text in sorted(entity.pref_labels.items()):
            out.append((e, pref, t.tagged(text, lang)))
        for text, lang in sorted(entity.alt_labels):
            if text not in entity.pref_labels.values():
                out.append((e, alt, t.tagged(text, lang)))
        if not entity.from_lexicon and entity.key:
            out.append((e, notation, t.plain(f"{entity.type}|{entity.key}")))

    # one Fact node per fact, with every sentence that states it as evidence
    facts: dict[tuple[str, str, str], list[Relation | Attribute]] = {}
    for fact in [*extraction.relations, *extraction.attributes]:
        facts.setdefault((fact.subject, fact.predicate, _value(fact)), []).append(fact)
    evidence = t.iri(str(ENV.evidence))
    for group in facts.values():
        best = max(group, key=lambda f: f.confidence)
        out += _fact(t, doc.doc_id, d, best, sentence(best.sentence))
        f_iri = t.iri(str(fact_iri(doc.doc_id, best.subject, best.predicate, _value(best))))
        for other in group:
            if other.sentence != best.sentence:
                out.append((f_iri, evidence, sentence(other.sentence)))
    return list(dict.fromkeys(out))


def _value(fact: Relation | Attribute) -> str:
    return fact.object if isinstance(fact, Relation) else fact.value


def _containing(spans: list[tuple[int, int]], raw_pos: int, starts: list[int]) -> tuple[int, int] | None:
    i = bisect.bisect_right(starts, raw_pos) - 1
    if i >= 0:
        span = spans[i]
        if span[0] <= raw_pos < span[1]:
            return span
    return None


def _fact(t: _Terms[T], doc_id: str, d: T, fact: Relation | Attribute, evidence: T) -> list[tuple[T, T, T]]:
    s = t.iri(fact.subject)
    p = t.iri(str(ENV[fact.predicate]))
    if isinstance(fact, Relation):
        o = t.iri(fact.object)
    elif fact.datatype == "string":
        o = t.tagged(fact.value, fact.lang) if fact.lang else t.plain(fact.value)
    else:
        o = t.typed(fact.value, str(_DATATYPES[fact.datatype]))
    f = t.iri(str(fact_iri(doc_id, fact.subject, fact.predicate, _value(fact))))
    a = t.iri(str(RDF.type))
    triples = [
        (s, p, o),
        (f, a, t.iri(str(RDF.Statement))),
        (f, a, t.iri(str(ENV.Fact))),
        (f, t.iri(str(RDF.subject)), s),
        (f, t.iri(str(RDF.predicate)), p),
        (f, t.iri(str(RDF.object)), o),
        (f, t.iri(str(ENV.evidence)), evidence),
        (f, t.iri(str(PROV.wasDerivedFrom)), d),
        (f, t.iri(str(ENV.rule)), t.plain(fact.rule)),
        (f, t.iri(str(ENV.confidence)), t.confidence(fact.confidence)),
    ]
    if fact.cue:
        triples.append((f, t.iri(str(ENV.cue)), t.plain(fact.cue)))
    return triples


__all__ = ["emit", "emit_ntriples", "document_iri", "graph_iri", "span_iri", "fact_iri"]
