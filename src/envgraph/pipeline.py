"""The build: read → normalise → segment → mentions → resolve → relations → emit → store.

:func:`extract` runs the extraction stages on one document (pure but for the resolver's
cross-document registry); :func:`build` streams a folder through them into a store, one
document at a time, so memory stays flat whatever the corpus size. A file that cannot be read
is reported and skipped; a document whose content hash is already in the store is not
extracted again.

Adding documents to a large store costs what the new documents cost, not what the store holds:
the build looks up the stored hash of each file it reads, and resolves names against the store
one key at a time (:class:`envgraph.keyindex.StoreKeys`), with the IRIs a resolver seeded with
every stored key would give (:func:`seeded_resolver`, still used for remote stores).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from envgraph.align import registry_keys, translation_groups
from envgraph.dates import extract_dates
from envgraph.emit import emit_ntriples, graph_iri
from envgraph.keyindex import StoreKeys, ensure_index, has_keys
from envgraph.langdata import LanguageData, load_language_data
from envgraph.lexicon import Lexicon, load_lexicon, suffix_chains
from envgraph.mentions import find_mentions
from envgraph.model import BuildReport, Document, Extraction, ReadProblem, Segment
from envgraph.read import DEFAULT_MAX_BYTES, iter_documents
from envgraph.relations import extract_homepages, extract_positions, extract_relations
from envgraph.resolve import KeySource, Resolver
from envgraph.store import DocumentGraph, EmbeddedStore, Store, open_store
from envgraph.textview import build_view
from envgraph.writer import GraphWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extractor:
    """What extraction needs, loaded once: language data and the lexicon."""

    data: LanguageData
    lexicon: Lexicon

    @classmethod
    def load(cls, lexicon_dir: Path | None = None, lang_dir: Path | None = None) -> Extractor:
        data = load_language_data(lang_dir)
        return cls(data=data, lexicon=load_lexicon(data, lexicon_dir))

    def resolver(self, known_keys: dict[str, str] | None = None, source: KeySource | None = None) -> Resolver:
        return Resolver(self.lexicon, self.data, known_keys=dict(known_keys or {}), source=source)


def extract(document: Document, extractor: Extractor, resolver: Resolver) -> Extraction:
    """Everything one document says: mentions, entities, relations and attributes."""
    view = build_view(document, extractor.data)
    mentions = find_mentions(view, extractor.lexicon, extractor.data)
    resolved, entities = resolver.resolve(mentions)
    chains = suffix_chains(extractor.data)
    relations = extract_relations(view, resolved, extractor.lexicon, extractor.data, chains)
    aligned = registry_keys(resolved, translation_groups(resolved, entities, relations))
    if aligned:
        # one unknown body named in several languages: resolve again with the translations merged
        resolver.unify(aligned)
        resolved, entities = resolver.resolve(mentions)
        relations = extract_relations(view, resolved, extractor.lexicon, extractor.data, chains)
    attributes = extract_dates(view, resolved, extractor.data)
    attributes += extract_positions(view, resolved, relations, extractor.data)
    attributes += extract_homepages(view, resolved)
    # only facts about entities that are in this document's graph
    relations = [r for r in relations if r.subject in entities and r.object in entities]
    attributes = [a for a in attributes if a.subject in entities]
    languages = sorted({p.lang for p in view.paragraphs})
    raw_sentences = [
        Segment(*view.norm.to_raw_span(s.start, s.end), s.lang, s.script) for s in view.sentences
    ]
    return Extraction(document, languages, raw_sentences, resolved, entities, relations, attributes, aligned)


def relink(extraction: Extraction, resolver: Resolver) -> Extraction:
    """Give an extraction made with a worker's own resolver the IRIs of ``resolver``.

    Workers of a parallel build resolve each document on its own; the main process runs the
    shared resolver over the same mentions in document order and renames the entities, so a
    parallel build gives exactly the IRIs of a serial one."""
    mentions = [m for m, _ in extraction.mentions]
    resolved, entities = resolver.resolve(mentions)
    if extraction.aligned:
        resolver.unify(extraction.aligned)  # the worker's merges, as a serial build makes them
        resolved, entities = resolver.resolve(mentions)
    if len(resolved) != len(extraction.mentions):
        raise ValueError("re-resolution changed the number of mentions")
    mapping = {local: final for (_, local), (_, final) in zip(extraction.mentions, resolved)}
    relations = list({
        (r.subject, r.predicate, r.object, r.sentence): r
        for r in (replace(r, subject=mapping.get(r.subject, r.subject), object=mapping.get(r.object, r.object))
                  for r in extraction.relations)
        if r.subject != r.object
    }.values())
    attributes = [replace(a, subject=mapping.get(a.subject, a.subject)) for a in extraction.attributes]
    relations = [r for r in relations if r.subject in entities and r.object in entities]
    attributes = [a for a in attributes if a.subject in entities]
    return replace(extraction, mentions=resolved, entities=entities, relations=relations, attributes=attributes)


_WORKER: dict[str, Extractor] = {}


def _init_worker(lexicon_dir: Path | None, lang_dir: Path | None) -> None:
    _WORKER["extractor"] = Extractor.load(lexicon_dir, lang_dir)


def _extract_in_worker(document: Document) -> Extraction:
    extractor = _WORKER["extractor"]
    return extract(document, extractor, extractor.resolver())


ProgressCallback = Callable[[str], None]


def build(
    paths: Sequence[Path | str],
    store: Store | str | Path | None = None,
    *,
    extractor: Extractor | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    force: bool = False,
    on_document: ProgressCallback | None = None,
    jobs: int = 1,
    lexicon_dir: Path | None = None,
) -> BuildReport:
    """Extract every document under ``paths`` into ``store`` and report what was done.

    ``store`` is an open Store, or a location for :func:`envgraph.store.open_store`.
    Unchanged documents (same sha256 as stored) are skipped unless ``force``. With ``jobs`` > 1,
    documents are extracted by that many worker processes (a bounded number in flight, so memory
    stays flat); the store is written by this process, in document order, with the same IRIs as
    a serial build. Graphs are written in batches by a background thread (see
    :mod:`envgraph.writer`): when this returns, everything is in the store.
    """
    extractor = extractor or Extractor.load(lexicon_dir)
    report = BuildReport()
    own_store = not hasattr(store, "replace_document")
    target: Store = open_store(store) if own_store else store  # type: ignore[arg-type]
    try:
        resolver, keys = store_resolver(extractor, target)
        stored: dict[str, str | None] = {}  # doc id -> hash in the store when the build began

        def stored_hash(doc_id: str) -> str | None:
            if doc_id not in stored:
                stored[doc_id] = target.document_hashes([doc_id]).get(doc_id)
            return stored[doc_id]

        entity_types: dict[str, str] = {}
        def pending() -> Iterator[Document]:
            for result in iter_documents(paths, max_bytes=max_bytes):
                if result.document is None:
                    report.skipped.extend(p for p in result.problems if p.skipped)
                    for problem in result.problems:
                        log.warning("%s: %s", problem.path, problem.reason)
                    continue
                for warning in result.warnings:
                    report.warnings.append(f"{warning.path}: {warning.reason}")
                    log.warning("%s: %s", warning.path, warning.reason)
                document = result.document
                if on_document:
                    on_document(document.doc_id)
                if not force and stored_hash(document.doc_id) == document.sha256:
                    report.unchanged += 1
                    continue
                yield document

        with GraphWriter(target) as writer:
            for document, extraction in _extractions(pending(), extractor, resolver, jobs, lexicon_dir):
                try:
                    if isinstance(extraction, BaseException):
                        raise extraction
                    triples = emit_ntriples(extraction)
                except (ValueError, RecursionError, MemoryError) as err:  # never lose the rest of the build
                    problem = ReadProblem(document.path, f"extraction failed: {err}")
                    report.skipped.append(problem)
                    log.warning("%s: %s", document.path, problem.reason)
                    continue
                if keys is not None and stored_hash(document.doc_id) is not None:
                    resolver.remember(keys.document_keys(document.doc_id))  # what the old version said
                writer.add(DocumentGraph(document.doc_id, str(graph_iri(document.doc_id)), triples, document.sha256))
                _count(report, extraction, entity_types)
        for type_name in entity_types.values():
            report.entities_by_type[type_name] = report.entities_by_type.get(type_name, 0) + 1
        if report.documents:
            target.refresh_index()  # once per build: the summary index of every document written
    finally:
        if own_store:
            target.close()
    return report


def _extractions(
    documents: Iterator[Document], extractor: Extractor, resolver: Resolver, jobs: int, lexicon_dir: Path | None
) -> Iterator[tuple[Document, Extraction | BaseException]]:
    """Extractions in document order: here, or in ``jobs`` worker processes."""
    if jobs <= 1:
        for document in documents:
            try:
                yield document, extract(document, extractor, resolver)
            except (ValueError, RecursionError, MemoryError) as err:
                yield document, err
        return
    import concurrent.futures as cf
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                initargs=(lexicon_dir, None)) as pool:
        window: list[tuple[Document, cf.Future[Extraction]]] = []
        for document in documents:
            window.append((document, pool.submit(_extract_in_worker, document)))
            if len(window) >= 4 * jobs:  # bounded: memory stays flat on any corpus size
                yield _collect(window.pop(0), resolver)
        while window:
            yield _collect(window.pop(0), resolver)


def _collect(item: tuple[Document, object], resolver: Resolver) -> tuple[Document, Extraction | BaseException]:
    document, future = item
    try:
        return document, relink(future.result(), resolver)  # type: ignore[attr-defined]
    except (ValueError, RecursionError, MemoryError) as err:
        return document, err


def _count(report: BuildReport, extraction: Extraction, entity_types: dict[str, str]) -> None:
    report.documents += 1
    for lang in extraction.languages:
        report.languages[lang] = report.languages.get(lang, 0) + 1
    report.mentions += len(extraction.mentions)
    for entity in extraction.entities.values():
        entity_types[entity.iri] = entity.type
    unique_relations = {(r.subject, r.predicate, r.object) for r in extraction.relations}
    for prop, n in Counter(p for _, p, _ in unique_relations).items():
        report.relations_by_property[prop] = report.relations_by_property.get(prop, 0) + n
    unique_attributes = {(a.subject, a.predicate, a.value) for a in extraction.attributes}
    for prop, n in Counter(p for _, p, _ in unique_attributes).items():
        report.relations_by_property[prop] = report.relations_by_property.get(prop, 0) + n


_KEYS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?key ?entity ?label WHERE { ?entity skos:notation ?key . OPTIONAL { ?entity rdfs:label ?label } }
"""

_PREF_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?pref WHERE { ?entity skos:notation ?key ; skos:prefLabel ?pref }
"""


def known_entity_keys(store: Store) -> dict[str, str]:
    """The discovered actors already in the store, so that new documents reuse their IRIs."""
    return {key: iri for key, (iri, _) in _stored_actors(store).items()}


def _stored_actors(store: Store) -> dict[str, tuple[str, str | None]]:
    try:
        result = store.query(_KEYS_QUERY)
    except Exception as err:  # an empty or remote store without the data: start afresh
        log.debug("no entity keys in the store: %s", err)
        return {}
    return {str(r[0]): (str(r[1]), None if r[2] is None else str(r[2])) for r in result.rows if r[0] is not None}


def store_resolver(extractor: Extractor, store: Store) -> tuple[Resolver, StoreKeys | None]:
    """The resolver a build into ``store`` uses, and its key source if it has one.

    An embedded store is asked one key at a time as documents meet names (its person-key
    index is made first if it has none), so the cost of a build follows the new documents, not
    the store. A remote server is read once, whole (:func:`seeded_resolver`): other clients may
    write to it, which the person-key index cannot follow. A store that names no actor yet (a
    first build) has nothing to ask: its resolver asks nothing (what the build itself writes,
    its registry knows), which spares every new actor two look-ups."""
    if isinstance(store, EmbeddedStore) and not store.read_only:
        ensure_index(store)
        if not has_keys(store):
            return extractor.resolver(), None
        keys = StoreKeys(store)
        return extractor.resolver(source=keys), keys
    return seeded_resolver(extractor, store), None


def seeded_resolver(extractor: Extractor, store: Store) -> Resolver:
    """A resolver that knows the discovered actors already in the store: their IRIs and the
    labels they were written with, so a new document reuses both (one rdfs:label and one
    prefLabel per language per actor, whatever the order documents arrive in)."""
    actors = _stored_actors(store)
    resolver = extractor.resolver({key: iri for key, (iri, _) in actors.items()})
    for iri, label in actors.values():
        if label is not None:
            resolver.labels.setdefault(iri, label)
    try:
        for entity, pref in store.query(_PREF_QUERY).rows:
            language = getattr(pref, "language", None)
            if entity is not None and language:
                resolver.pref_labels.setdefault(str(entity), {}).setdefault(language, str(pref))
    except Exception as err:
        log.debug("no preferred labels in the store: %s", err)
    return resolver


def extract_corpus(paths: Iterable[Path | str], extractor: Extractor | None = None) -> list[Extraction]:
    """Extract a corpus in memory (for evaluation and notebooks), without a store."""
    extractor = extractor or Extractor.load()
    resolver = extractor.resolver()
    out: list[Extraction] = []
    for result in iter_documents(list(paths)):
        if result.document is not None:
            out.append(extract(result.document, extractor, resolver))
    return out
