"""One document's extraction as RDF for its named graph (see docs/rdf-contract.md).

Pure: the same extraction always gives the same triples, so rebuilding a document is idempotent.
Two outputs of one writer: :func:`emit` gives rdflib triples (for the API and other stores),
:func:`emit_ntriples` the same triples as N-Triples text, which the build hands to the store
without building an rdflib object per term (the build's hot path).
"""

from __future__ import annotations

import bisect
import functools
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


def _document_iri(doc_id: str) -> str:
    return DOC_BASE + quote(doc_id, safe="/._-")


def document_iri(doc_id: str) -> URIRef:
    return URIRef(_document_iri(doc_id))


def graph_iri(doc_id: str) -> URIRef:
    return URIRef(GRAPH_BASE + quote(doc_id, safe="/._-"))


def span_iri(doc_id: str, start: int, end: int) -> URIRef:
    return URIRef(_span_iri(_document_iri(doc_id), start, end))


def fact_iri(doc_id: str, subject: str, predicate: str, obj: str) -> URIRef:
    return URIRef(_fact_iri(_document_iri(doc_id), subject, predicate, obj))


def _span_iri(doc: str, start: int, end: int) -> str:
    return f"{doc}#char={start},{end}"


def _fact_iri(doc: str, subject: str, predicate: str, obj: str) -> str:
    digest = hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]
    return f"{doc}#fact-{digest}"


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


_XSD_DECIMAL = str(XSD.decimal)
_XSD_NON_NEGATIVE = str(XSD.nonNegativeInteger)


@functools.lru_cache(maxsize=4096)  # a few hundred distinct values recur in every document
def _nt_confidence(value: float) -> str:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {value!r}")
    return f'"{Decimal(f"{value:.4f}").normalize()}"^^<{_XSD_DECIMAL}>'


def _nt_offset(value: int) -> str:
    if value < 0:
        raise ValueError(f"a character offset cannot be negative, got {value!r}")
    return f'"{value}"^^<{_XSD_NON_NEGATIVE}>'


class _NTriplesTerms(_Terms[str]):
    iri = staticmethod(lambda value: f"<{value}>")  # type: ignore[assignment]
    plain = staticmethod(lambda value: f'"{escape_string(value)}"')  # type: ignore[assignment]
    typed = staticmethod(lambda value, dt: f'"{escape_string(value)}"^^<{dt}>')  # type: ignore[assignment]
    tagged = staticmethod(lambda text, lang: f'"{escape_string(text)}"@{lang}')  # type: ignore[assignment]
    offset = staticmethod(_nt_offset)  # type: ignore[assignment]
    confidence = staticmethod(_nt_confidence)  # type: ignore[assignment]


# The vocabulary a document's graph uses, as IRI strings (each written once per document).
_VOCAB: dict[str, str] = {
    "type": str(RDF.type),
    "Document": str(ENV.Document),
    "Context": str(NIF.Context),
    "identifier": str(DCTERMS.identifier),
    "path": str(ENV.path),
    "sha256": str(ENV.sha256),
    "encoding": str(ENV.encoding),
    "format": str(DCTERMS["format"]),
    "language": str(DCTERMS.language),
    "anchorOf": str(NIF.anchorOf),
    "beginIndex": str(NIF.beginIndex),
    "endIndex": str(NIF.endIndex),
    "referenceContext": str(NIF.referenceContext),
    "Sentence": str(NIF.Sentence),
    "Phrase": str(NIF.Phrase),
    "taIdentRef": str(ITSRDF.taIdentRef),
    "rule": str(ENV.rule),
    "confidence": str(ENV.confidence),
    "sentence": str(NIF.sentence),
    "label": str(RDFS.label),
    "prefLabel": str(SKOS.prefLabel),
    "altLabel": str(SKOS.altLabel),
    "notation": str(SKOS.notation),
    "evidence": str(ENV.evidence),
    "Statement": str(RDF.Statement),
    "Fact": str(ENV.Fact),
    "subject": str(RDF.subject),
    "predicate": str(RDF.predicate),
    "object": str(RDF.object),
    "wasDerivedFrom": str(PROV.wasDerivedFrom),
    "cue": str(ENV.cue),
}


@functools.lru_cache(maxsize=256)
def _env(name: str) -> str:
    """An IRI of the envgraph ontology (a class or property name) as a string."""
    return str(ENV[name])


def emit(extraction: Extraction) -> list[Triple]:
    """All triples of the document's named graph, as rdflib terms."""
    return _write(extraction, _RdflibTerms())


def emit_ntriples(extraction: Extraction) -> str:
    """The same triples as :func:`emit`, as N-Triples text (one triple a line)."""
    return "".join([f"{s} {p} {o} .\n" for s, p, o in _write(extraction, _NTriplesTerms())])


def _write(extraction: Extraction, t: _Terms[T]) -> list[tuple[T, T, T]]:
    doc = extraction.document
    doc_base = _document_iri(doc.doc_id)
    v = {name: t.iri(iri) for name, iri in _VOCAB.items()}  # vocabulary terms, made once
    d = t.iri(doc_base)
    a = v["type"]
    offset, plain = t.offset, t.plain
    out: list[tuple[T, T, T]] = [
        (d, a, v["Document"]),
        (d, a, v["Context"]),
        (d, v["identifier"], plain(doc.doc_id)),
        (d, v["path"], plain(str(doc.path))),
        (d, v["sha256"], plain(doc.sha256)),
        (d, v["encoding"], plain(doc.encoding)),
        (d, v["format"], plain(doc.media_type)),
        (d, v["beginIndex"], offset(0)),
        (d, v["endIndex"], offset(len(doc.text))),
    ]
    language = v["language"]
    out += [(d, language, plain(lang)) for lang in extraction.languages]

    anchor, begin, end, context = v["anchorOf"], v["beginIndex"], v["endIndex"], v["referenceContext"]
    sentence_iris: dict[tuple[int, int], T] = {}
    sentence_langs = {(seg.start, seg.end): seg.lang for seg in extraction.sentences}
    languages: dict[str, T] = {}  # a handful of language codes, written once each

    def lang_term(code: str) -> T:
        term = languages.get(code)
        if term is None:
            term = languages[code] = plain(code)
        return term

    def sentence(span: tuple[int, int]) -> T:
        iri = sentence_iris.get(span)
        if iri is None:
            iri = t.iri(_span_iri(doc_base, *span))
            sentence_iris[span] = iri
            out.extend([
                (iri, a, v["Sentence"]),
                (iri, anchor, plain(doc.text[span[0] : span[1]])),
                (iri, begin, offset(span[0])),
                (iri, end, offset(span[1])),
                (iri, context, d),
            ])
            lang = sentence_langs.get(span)
            if lang:
                out.append((iri, language, lang_term(lang)))
        return iri

    phrase, ident, rule, confidence, in_sentence = (
        v["Phrase"], v["taIdentRef"], v["rule"], v["confidence"], v["sentence"]
    )
    rules: dict[str, T] = {}
    seen_phrases: set[tuple[int, int]] = set()
    spans = extraction.raw_sentence_spans
    starts = [span[0] for span in spans]
    for mention, entity_iri in extraction.mentions:
        if (mention.start, mention.end) in seen_phrases or mention.end <= mention.start:
            continue
        seen_phrases.add((mention.start, mention.end))
        p = t.iri(_span_iri(doc_base, mention.start, mention.end))
        rule_term = rules.get(mention.rule)
        if rule_term is None:
            rule_term = rules[mention.rule] = plain(mention.rule)
        out.extend([
            (p, a, phrase),
            (p, anchor, plain(mention.text)),
            (p, begin, offset(mention.start)),
            (p, end, offset(mention.end)),
            (p, context, d),
            (p, ident, t.iri(entity_iri)),
            (p, rule, rule_term),
            (p, confidence, t.confidence(mention.confidence)),
            (p, language, lang_term(mention.lang)),
        ])
        span = _containing(spans, mention.start, starts)
        if span is not None:
            out.append((p, in_sentence, sentence(span)))

    label, pref, alt, notation = v["label"], v["prefLabel"], v["altLabel"], v["notation"]
    for entity in extraction.entities.values():
        e = t.iri(entity.iri)
        out.append((e, a, t.iri(_env(entity.type))))
        out.append((e, label, plain(entity.label)))
        for lang, text in sorted(entity.pref_labels.items()):
            out.append((e, pref, t.tagged(text, lang)))
        for text, lang in sorted(entity.alt_labels):
            if text not in entity.pref_labels.values():
                out.append((e, alt, t.tagged(text, lang)))
        if not entity.from_lexicon and entity.key:
            out.append((e, notation, plain(f"{entity.type}|{entity.key}")))

    # one Fact node per fact, with every sentence that states it as evidence
    facts: dict[tuple[str, str, str], list[Relation | Attribute]] = {}
    for fact in [*extraction.relations, *extraction.attributes]:
        facts.setdefault((fact.subject, fact.predicate, _value(fact)), []).append(fact)
    evidence = v["evidence"]
    for group in facts.values():
        best = max(group, key=lambda f: f.confidence)
        f_iri = t.iri(_fact_iri(doc_base, best.subject, best.predicate, _value(best)))
        out += _fact(t, v, f_iri, d, best, sentence(best.sentence))
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


def _fact(t: _Terms[T], v: dict[str, T], f: T, d: T, fact: Relation | Attribute, evidence: T) -> list[tuple[T, T, T]]:
    s = t.iri(fact.subject)
    p = t.iri(_env(fact.predicate))
    if isinstance(fact, Relation):
        o = t.iri(fact.object)
    elif fact.datatype == "string":
        o = t.tagged(fact.value, fact.lang) if fact.lang else t.plain(fact.value)
    else:
        o = t.typed(fact.value, str(_DATATYPES[fact.datatype]))
    a = v["type"]
    triples = [
        (s, p, o),
        (f, a, v["Statement"]),
        (f, a, v["Fact"]),
        (f, v["subject"], s),
        (f, v["predicate"], p),
        (f, v["object"], o),
        (f, v["evidence"], evidence),
        (f, v["wasDerivedFrom"], d),
        (f, v["rule"], t.plain(fact.rule)),
        (f, v["confidence"], t.confidence(fact.confidence)),
    ]
    if fact.cue:
        triples.append((f, v["cue"], t.plain(fact.cue)))
    return triples


__all__ = ["emit", "emit_ntriples", "document_iri", "graph_iri", "span_iri", "fact_iri"]
