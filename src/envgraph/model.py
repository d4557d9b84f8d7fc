"""The pipeline's data: small frozen dataclasses passed from stage to stage.

Offsets (``start``, ``end``) always index the document text as read from disk (decoded, before
normalisation), so that every fact in the graph can be traced to the exact characters it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ENTITY_TYPES: tuple[str, ...] = (
    "Organisation",
    "Initiative",
    "Convention",
    "Event",
    "Person",
    "Country",
    "Place",
)

LANGUAGES: tuple[str, ...] = ("en", "ru", "az", "kk", "tk")


@dataclass(frozen=True, slots=True)
class Document:
    """One source file, decoded.

    ``text`` is the decoded file content (for HTML: the decoded markup). ``content`` is what the
    extractors read: for plain text the same string, for HTML the visible text with markup blanked
    out by spaces so that offsets into ``content`` are offsets into ``text``.
    """

    doc_id: str  # the file name, e.g. "001_ab64be821029c731.txt"
    path: Path
    text: str
    content: str
    sha256: str
    encoding: str
    media_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A file that could not be read, or was read with a caveat (``skipped`` says which)."""

    path: Path
    reason: str
    skipped: bool = True


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph or a sentence, with the language identified for it."""

    start: int
    end: int
    lang: str
    script: str = "Latn"  # "Latn" or "Cyrl"


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the document that names an actor.

    ``start``/``end`` index the document as read; ``norm_start``/``norm_end`` the normalised text
    the extractors work on. ``entry_ids`` are the lexicon entries the span may name (several when
    a short name is shared, e.g. two countries' ministries); empty for discovered actors.
    """

    doc_id: str
    start: int
    end: int
    text: str  # the raw text of the span, as it appears in the document
    norm_start: int
    norm_end: int
    type: str  # one of ENTITY_TYPES
    lang: str
    rule: str  # "lexicon", "acronym", "head:Organisation", "person:title", ...
    confidence: float
    key: str  # lexicon id, or a normalised key for discovered actors
    label: str = ""  # canonical label: the lexicon's, or the surface form
    entry_ids: tuple[str, ...] = ()
    nested: bool = False  # inside a longer mention ("Kazakhstan" in "Ministry ... of Kazakhstan")
    generic: bool = False  # a common-noun reference ("the forum") to be resolved to a named one

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def from_lexicon(self) -> bool:
        return bool(self.entry_ids)


@dataclass(slots=True)
class Entity:
    """One real-world actor: the node all its mentions resolve to."""

    iri: str
    type: str
    label: str  # canonical (English where known)
    pref_labels: dict[str, str] = field(default_factory=dict)  # lang -> label
    alt_labels: set[tuple[str, str]] = field(default_factory=set)  # (text, lang)
    key: str = ""
    from_lexicon: bool = False


@dataclass(frozen=True, slots=True)
class Relation:
    """A fact: subject, ontology property (local name), object, with its evidence."""

    subject: str  # entity IRI
    predicate: str  # local name in the envgraph ontology, e.g. "funds"
    object: str  # entity IRI
    doc_id: str
    sentence: tuple[int, int]
    rule: str
    cue: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Attribute:
    """A literal-valued fact: startDate, endDate, position, homepage."""

    subject: str  # entity IRI
    predicate: str
    value: str
    datatype: str  # "date", "gYearMonth", "gYear", "string", "anyURI"
    doc_id: str
    sentence: tuple[int, int]
    rule: str
    cue: str
    confidence: float
    lang: str | None = None


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one document, ready to be written as RDF."""

    document: Document
    languages: list[str]
    sentences: list[Segment]  # raw offsets
    mentions: list[tuple[Mention, str]]  # (mention, entity IRI)
    entities: dict[str, Entity]
    relations: list[Relation]
    attributes: list[Attribute]
    # registry keys of the actors merged as translations of one another (envgraph.align)
    aligned: tuple[tuple[str, ...], ...] = ()

    @property
    def raw_sentence_spans(self) -> list[tuple[int, int]]:
        """Sentence spans in the raw text, in order (sentences never overlap)."""
        return [(s.start, s.end) for s in self.sentences]


@dataclass(slots=True)
class BuildReport:
    """What a build did: the summary printed at its end."""

    documents: int = 0
    unchanged: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    relations_by_property: dict[str, int] = field(default_factory=dict)
    mentions: int = 0
    skipped: list[ReadProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
