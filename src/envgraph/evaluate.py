"""Measure extraction against gold annotations (the format of data/gold/README.md).

Kept apart from the pipeline: it reads the graph that was built (or an in-memory extraction),
never the other way round, and the extractor never reads the gold.

* Entities: a gold entity and a predicted one match when they have the same type and one of
  the predicted mention spans overlaps an occurrence of one of the gold mention strings.
  Precision counts the predicted entities that match a gold one, recall the gold entities
  matched by a predicted one.
* Relations: a predicted (s, p, o) matches a gold one with the same property whose subject and
  object match s and o as entities (either way round for a symmetric property: cooperatesWith).
* Attributes (startDate, endDate, position, homepage): as relations, with the literal compared
  after light normalisation (case, spaces, URL scheme).
* Identity: the share of gold actors (a gold key, across all documents) that came out as
  exactly one node.

All figures are micro-averaged over documents.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from envgraph.errors import InputError
from envgraph.model import Extraction


@dataclass(frozen=True, slots=True)
class GoldEntity:
    key: str
    type: str
    label: str
    mentions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoldDocument:
    document: str
    languages: tuple[str, ...]
    entities: dict[str, GoldEntity]
    relations: frozenset[tuple[str, str, str]]
    attributes: frozenset[tuple[str, str, str]]


@dataclass(frozen=True, slots=True)
class PredictedDocument:
    document: str
    text: str
    entity_types: dict[str, str]  # IRI -> type
    spans: dict[str, list[tuple[int, int]]]  # IRI -> mention spans (raw offsets)
    relations: frozenset[tuple[str, str, str]]
    attributes: frozenset[tuple[str, str, str]]


@dataclass(slots=True)
class Counts:
    tp_pred: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    n_gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_pred += other.tp_pred
        self.n_pred += other.n_pred
        self.tp_gold += other.tp_gold
        self.n_gold += other.n_gold

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class DocumentScore:
    document: str
    languages: tuple[str, ...]
    entities: Counts
    relations: Counts
    attributes: Counts
    missed_entities: list[str] = field(default_factory=list)
    spurious_entities: list[str] = field(default_factory=list)
    missed_relations: list[tuple[str, str, str]] = field(default_factory=list)
    spurious_relations: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Evaluation:
    documents: list[DocumentScore]
    entities: Counts
    relations: Counts
    attributes: Counts
    single_node_share: float
    gold_actors: int
    split_actors: list[str]

    def by_language(self) -> dict[str, tuple[Counts, Counts]]:
        """Entity and relation counts per language (a document counts for each of its languages)."""
        out: dict[str, tuple[Counts, Counts]] = {}
        for doc in self.documents:
            for lang in doc.languages:
                ent, rel = out.setdefault(lang, (Counts(), Counts()))
                ent.add(doc.entities)
                rel.add(doc.relations)
        return out


def load_gold(folder: Path) -> list[GoldDocument]:
    """Every ``*.yaml`` gold file in ``folder``."""
    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        raise InputError(f"{folder}: no gold files (*.yaml) found")
    out: list[GoldDocument] = []
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            raise InputError(f"{path}: cannot read gold annotations: {err}") from err
        entities = {
            e["key"]: GoldEntity(e["key"], e["type"], e.get("label", e["key"]), tuple(str(m) for m in e.get("mentions") or []))
            for e in raw.get("entities") or []
        }
        relations = frozenset(tuple(r) for r in raw.get("relations") or [])
        attributes = frozenset((a[0], a[1], str(a[2])) for a in raw.get("attributes") or [])
        out.append(GoldDocument(raw["document"], tuple(raw.get("languages") or ()), entities, relations, attributes))  # type: ignore[arg-type]
    return out


def predicted_from_extraction(extraction: Extraction) -> PredictedDocument:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    types: dict[str, str] = {}
    for mention, iri in extraction.mentions:
        spans[iri].append((mention.start, mention.end))
        types[iri] = mention.type
    return PredictedDocument(
        extraction.document.doc_id,
        extraction.document.text,
        types,
        dict(spans),
        frozenset((r.subject, r.predicate, r.object) for r in extraction.relations),
        frozenset((a.subject, a.predicate, a.value) for a in extraction.attributes),
    )


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]


def _overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)


def _norm_value(value: str) -> str:
    v = value.strip().lower().rstrip("/")
    v = re.sub(r"^https?://", "", v)
    return " ".join(v.split())


def _gold_spans(gold: GoldDocument, text: str) -> dict[str, list[tuple[int, int]]]:
    """Occurrences of each gold entity's mention strings, leaving out those that lie inside a
    longer occurrence of another entity's mention ("BMT" inside "BMT-nin Ətraf Mühit Proqramı"
    belongs to UNEP, not to the UN)."""
    per_mention = {(k, m): _occurrences(text, m) for k, e in gold.entities.items() for m in e.mentions}
    everything = [(s, k) for (k, _), ss in per_mention.items() for s in ss]
    out: dict[str, list[tuple[int, int]]] = {k: [] for k in gold.entities}
    for (key, _), ss in per_mention.items():
        free = [
            s for s in ss
            if not any(o != key and o_s[0] <= s[0] and s[1] <= o_s[1] and (o_s[1] - o_s[0]) > (s[1] - s[0])
                       for o_s, o in everything)
        ]
        # a mention the annotator listed that only ever occurs inside a longer one still counts
        out[key] += free or ss
    return out


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / (max(a[1], b[1]) - min(a[0], b[0])) if inter > 0 else 0.0


def _align(gold: GoldDocument, pred: PredictedDocument,
           gold_spans: dict[str, list[tuple[int, int]]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Two alignments gold key -> predicted IRIs.

    *loose*: every predicted entity of the same type whose mention overlaps one of the gold
    entity's mentions (what precision, recall and relations are scored on).
    *strict* (for identity: is a gold actor exactly one node?): each occurrence of a gold mention
    goes to the same-type predicted mention that overlaps it best (intersection over union, at
    least 0.5, the usual threshold), so a short gold mention inside a long predicted one ("BMT" in "BMT-nin Asiya ...
    Komissiyası") does not tie the UN to the commission; a gold entity that no occurrence aligns
    that way keeps its loose alignment."""
    by_type: dict[str, list[tuple[tuple[int, int], str]]] = {}
    for iri, spans in pred.spans.items():
        for span in spans:
            by_type.setdefault(pred.entity_types.get(iri, ""), []).append((span, iri))
    strict: dict[str, set[str]] = {k: set() for k in gold.entities}
    loose: dict[str, set[str]] = {k: set() for k in gold.entities}
    for key, entity in gold.entities.items():
        candidates = by_type.get(entity.type, [])
        for g in gold_spans[key]:
            scored = [(_iou(g, span), iri) for span, iri in candidates if span[0] < g[1] and g[0] < span[1]]
            if not scored:
                continue
            loose[key].update(iri for _, iri in scored)
            best = max(scored)
            if best[0] >= 0.5:
                strict[key].add(best[1])
        if not strict[key]:
            strict[key] = set(loose[key])
    return loose, strict


def _symmetric(prop: str) -> bool:
    """Whether the ontology declares the relation symmetric (its own inverse)."""
    from envgraph import ontology

    try:
        return ontology.inverse_of(prop) == prop
    except ontology.UnknownTermError:  # a gold file may use a property the ontology lacks
        return False


def score_document(gold: GoldDocument, pred: PredictedDocument) -> tuple[DocumentScore, dict[str, set[str]]]:
    """Scores of one document and the strict alignment gold key -> predicted IRIs (identity)."""
    gold_spans = _gold_spans(gold, pred.text)
    loose, strict = _align(gold, pred, gold_spans)
    alignment = loose
    matched_pred = {iri for iris in alignment.values() for iri in iris}
    entities = Counts(len(matched_pred), len(pred.spans), sum(1 for v in alignment.values() if v), len(gold.entities))

    def rel_match(g: tuple[str, str, str], p: tuple[str, str, str]) -> bool:
        if g[1] != p[1]:
            return False
        if p[0] in alignment.get(g[0], ()) and p[2] in alignment.get(g[2], ()):
            return True
        # a symmetric property (cooperatesWith) states the same fact in either direction
        return _symmetric(g[1]) and p[2] in alignment.get(g[0], ()) and p[0] in alignment.get(g[2], ())

    rel_tp_gold = [g for g in gold.relations if any(rel_match(g, p) for p in pred.relations)]
    rel_tp_pred = [p for p in pred.relations if any(rel_match(g, p) for g in gold.relations)]
    relations = Counts(len(rel_tp_pred), len(pred.relations), len(rel_tp_gold), len(gold.relations))

    def att_match(g: tuple[str, str, str], p: tuple[str, str, str]) -> bool:
        return g[1] == p[1] and p[0] in alignment.get(g[0], ()) and _norm_value(g[2]) == _norm_value(p[2])

    att_tp_gold = [g for g in gold.attributes if any(att_match(g, p) for p in pred.attributes)]
    att_tp_pred = [p for p in pred.attributes if any(att_match(g, p) for g in gold.attributes)]
    attributes = Counts(len(att_tp_pred), len(pred.attributes), len(att_tp_gold), len(gold.attributes))

    score = DocumentScore(gold.document, gold.languages, entities, relations, attributes)
    score.missed_entities = sorted(k for k, v in alignment.items() if not v)
    score.spurious_entities = sorted(iri for iri in pred.spans if iri not in matched_pred)
    score.missed_relations = sorted(g for g in gold.relations if g not in rel_tp_gold)
    score.spurious_relations = sorted(p for p in pred.relations if p not in rel_tp_pred)
    return score, strict


def evaluate(gold_docs: Iterable[GoldDocument], predicted: Iterable[PredictedDocument]) -> Evaluation:
    by_name = {p.document: p for p in predicted}
    docs: list[DocumentScore] = []
    totals = (Counts(), Counts(), Counts())
    actor_nodes: dict[str, set[str]] = defaultdict(set)
    for gold in gold_docs:
        pred = by_name.get(gold.document)
        if pred is None:
            raise InputError(
                f"document {gold.document} of the gold is not in the graph; build it first "
                "(envgraph build FOLDER) or pass --texts FOLDER"
            )
        score, alignment = score_document(gold, pred)
        docs.append(score)
        for total, part in zip(totals, (score.entities, score.relations, score.attributes)):
            total.add(part)
        for key, iris in alignment.items():
            # one actor across documents: same key, type and label (keys are local to a file)
            entity = gold.entities[key]
            actor = f"{key} ({entity.label})"
            actor_nodes[actor] |= iris
            actor_nodes.setdefault(actor, set())
    single = [k for k, iris in actor_nodes.items() if len(iris) == 1]
    split = sorted(k for k, iris in actor_nodes.items() if len(iris) != 1)
    share = len(single) / len(actor_nodes) if actor_nodes else 0.0
    return Evaluation(docs, *totals, share, len(actor_nodes), split)


# -- predicted documents from a store ------------------------------------------------------------

_MENTIONS_QUERY = """
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX env: <https://w3id.org/envgraph/ontology#>
SELECT ?entity ?type ?begin ?end WHERE {
  GRAPH ?g {
    ?doc dcterms:identifier ?id .
    ?phrase nif:referenceContext ?doc ; nif:beginIndex ?begin ; nif:endIndex ?end ; itsrdf:taIdentRef ?entity .
    ?entity a ?type .
  }
  FILTER(STRSTARTS(STR(?type), STR(env:)))
}
"""

_FACTS_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX env: <https://w3id.org/envgraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?p ?o WHERE {
  GRAPH ?g {
    ?doc dcterms:identifier ?id .
    ?fact a env:Fact ; prov:wasDerivedFrom ?doc ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  }
}
"""

_ATTRIBUTES = frozenset({"startDate", "endDate", "position", "homepage"})


def predicted_from_store(store: object, doc_id: str, text: str) -> PredictedDocument:
    """The graph's view of one document (``store`` is an envgraph Store)."""
    from rdflib import Literal

    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    types: dict[str, str] = {}
    for entity, type_, begin, end in store.query(_MENTIONS_QUERY, {"id": Literal(doc_id)}).rows:  # type: ignore[attr-defined]
        iri = str(entity)
        spans[iri].append((int(begin), int(end)))
        types[iri] = str(type_).rsplit("#", 1)[-1]
    relations: set[tuple[str, str, str]] = set()
    attributes: set[tuple[str, str, str]] = set()
    for s, p, o in store.query(_FACTS_QUERY, {"id": Literal(doc_id)}).rows:  # type: ignore[attr-defined]
        prop = str(p).rsplit("#", 1)[-1]
        if prop in _ATTRIBUTES:
            attributes.add((str(s), prop, str(o)))
        else:
            relations.add((str(s), prop, str(o)))
    return PredictedDocument(doc_id, text, types, dict(spans), frozenset(relations), frozenset(attributes))
