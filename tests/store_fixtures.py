"""A small hand-made graph that follows docs/rdf-contract.md, for the store, query, reasoning,
validation and exchange tests.

Three documents:

* ``001_caspian.txt`` (en): GEF funds Blueing the Caspian Sea; UNDP leads it; Kazakhstan and
  Azerbaijan take part in it.
* ``002_baku.txt`` (ru/en): the Baku Summit (22-23 April 2026) is held in Baku, which lies in
  Azerbaijan; Azerbaijan hosts it; Zhomart Aliyev, Minister of Ecology, works for the Ministry of
  Ecology and speaks at it; UNDP cooperates with GEF; Kazakhstan is party to the Tehran
  Convention.
* ``003_cep.txt`` (en): the European Union funds the Caspian Environment Programme (only this
  document mentions the EU, the programme and Turkmenistan), Turkmenistan takes part in it, and
  it was launched at the Baku Summit; Anna Petrova (no employer known) spoke at Caspian Day
  (2025, no venue known).

Entity triples (type and labels) are repeated in every document graph that mentions the entity,
as the contract says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from envgraph.settings import DOC_BASE, GRAPH_BASE
from envgraph.vocab import DCTERMS, ENT, ENV, ITSRDF, NIF, PROV, RDF, RDFS, SKOS, XSD

Triple = tuple[Node, Node, Node]

GEF = ENT["organisation/gef"]
UNDP = ENT["organisation/undp"]
EU = ENT["organisation/european-union"]
MINISTRY = ENT["organisation/ministry-of-ecology"]
BLUEING = ENT["initiative/blueing-the-caspian-sea"]
CEP = ENT["initiative/caspian-environment-programme"]
KZ = ENT["country/kazakhstan"]
AZ = ENT["country/azerbaijan"]
TM = ENT["country/turkmenistan"]
BAKU = ENT["place/baku"]
SUMMIT = ENT["event/baku-summit-2026"]
ALIYEV = ENT["person/zhomart-aliyev"]
TEHRAN = ENT["convention/tehran-convention"]
PETROVA = ENT["person/anna-petrova"]
CASPIAN_DAY = ENT["event/caspian-day-2025"]

# iri -> (type, {lang: prefLabel}, [(altLabel, lang)])
ENTITIES: dict[URIRef, tuple[str, dict[str, str], list[tuple[str, str]]]] = {
    GEF: (
        "Organisation",
        {"en": "Global Environment Facility", "ru": "Глобальный экологический фонд"},
        [("GEF", "en"), ("ГЭФ", "ru")],
    ),
    UNDP: (
        "Organisation",
        {"en": "United Nations Development Programme", "ru": "Программа развития ООН"},
        [("UNDP", "en"), ("ПРООН", "ru")],
    ),
    EU: ("Organisation", {"en": "European Union"}, [("EU", "en")]),
    MINISTRY: (
        "Organisation",
        {"en": "Ministry of Ecology", "ru": "Министерство экологии"},
        [],
    ),
    BLUEING: ("Initiative", {"en": "Blueing the Caspian Sea"}, []),
    CEP: ("Initiative", {"en": "Caspian Environment Programme"}, [("CEP", "en")]),
    KZ: ("Country", {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"}, []),
    AZ: ("Country", {"en": "Azerbaijan", "ru": "Азербайджан", "az": "Azərbaycan"}, []),
    TM: ("Country", {"en": "Turkmenistan"}, []),
    BAKU: ("Place", {"en": "Baku", "ru": "Баку"}, []),
    SUMMIT: ("Event", {"en": "Baku Summit", "ru": "Бакинский саммит"}, []),
    ALIYEV: ("Person", {"en": "Zhomart Aliyev", "ru": "Жомарт Алиев"}, []),
    TEHRAN: ("Convention", {"en": "Tehran Convention", "ru": "Тегеранская конвенция"}, []),
    PETROVA: ("Person", {"en": "Anna Petrova"}, []),
    CASPIAN_DAY: ("Event", {"en": "Caspian Day"}, []),
}


@dataclass(frozen=True, slots=True)
class FixtureDoc:
    """One document of the fixture: what ``Store.replace_document`` takes."""

    doc_id: str
    graph_iri: str
    triples: list[Triple]
    sha256: str
    text: str


def graph_iri(doc_id: str) -> str:
    return GRAPH_BASE + quote(doc_id, safe="")


def _doc_iri(doc_id: str) -> URIRef:
    return URIRef(DOC_BASE + quote(doc_id, safe=""))


class _DocBuilder:
    """Writes one document's triples the way the contract describes them."""

    def __init__(self, doc_id: str, text: str, languages: list[str]) -> None:
        self.doc_id = doc_id
        self.text = text
        self.doc = _doc_iri(doc_id)
        self.sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.triples: list[Triple] = []
        add = self.triples.append
        add((self.doc, RDF.type, ENV.Document))
        add((self.doc, RDF.type, NIF.Context))
        add((self.doc, DCTERMS.identifier, Literal(doc_id)))
        add((self.doc, ENV.path, Literal(f"data/corpus/{doc_id}")))
        add((self.doc, ENV.sha256, Literal(self.sha)))
        add((self.doc, ENV.encoding, Literal("utf-8")))
        for lang in languages:
            add((self.doc, DCTERMS.language, Literal(lang)))
        add((self.doc, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
        add((self.doc, NIF.endIndex, Literal(len(text), datatype=XSD.nonNegativeInteger)))
        self._entities: set[URIRef] = set()
        self._facts = 0

    def _span(self, start: int, end: int) -> URIRef:
        return URIRef(f"{self.doc}#char={start},{end}")

    def sentence(self, sentence_text: str, lang: str = "en") -> URIRef:
        start = self.text.index(sentence_text)
        end = start + len(sentence_text)
        node = self._span(start, end)
        add = self.triples.append
        add((node, RDF.type, NIF.Sentence))
        add((node, NIF.anchorOf, Literal(sentence_text)))
        add((node, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
        add((node, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
        add((node, NIF.referenceContext, self.doc))
        add((node, DCTERMS.language, Literal(lang)))
        return node

    def mention(self, sentence: URIRef, surface: str, entity: URIRef, lang: str = "en") -> None:
        base = int(str(sentence).rsplit("=", 1)[1].split(",")[0])
        start = self.text.index(surface, base)
        end = start + len(surface)
        node = self._span(start, end)
        add = self.triples.append
        add((node, RDF.type, NIF.Phrase))
        add((node, NIF.anchorOf, Literal(surface)))
        add((node, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
        add((node, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
        add((node, NIF.referenceContext, self.doc))
        add((node, NIF.sentence, sentence))
        add((node, ITSRDF.taIdentRef, entity))
        add((node, ENV.rule, Literal("lexicon")))
        add((node, ENV.confidence, Literal("0.95", datatype=XSD.decimal)))
        add((node, DCTERMS.language, Literal(lang)))
        self.entity(entity)

    def entity(self, iri: URIRef) -> None:
        if iri in self._entities:
            return
        self._entities.add(iri)
        kind, prefs, alts = ENTITIES[iri]
        add = self.triples.append
        add((iri, RDF.type, ENV[kind]))
        for lang, label in prefs.items():
            add((iri, SKOS.prefLabel, Literal(label, lang=lang)))
        for label, lang in alts:
            add((iri, SKOS.altLabel, Literal(label, lang=lang)))
        add((iri, RDFS.label, Literal(prefs["en"], lang="en")))

    def fact(
        self,
        sentence: URIRef,
        subject: URIRef,
        predicate: URIRef,
        obj: Node,
        cue: str,
        confidence: str = "0.85",
    ) -> None:
        self._facts += 1
        node = URIRef(f"{self.doc}#fact-{self._facts}")
        add = self.triples.append
        add((subject, predicate, obj))
        add((node, RDF.type, RDF.Statement))
        add((node, RDF.type, ENV.Fact))
        add((node, RDF.subject, subject))
        add((node, RDF.predicate, predicate))
        add((node, RDF.object, obj))
        add((node, ENV.evidence, sentence))
        add((node, PROV.wasDerivedFrom, self.doc))
        rule_name = str(predicate).rsplit("#", 1)[1]
        add((node, ENV.rule, Literal(f"cue:{rule_name}:en:{cue.lower()}")))
        add((node, ENV.cue, Literal(cue)))
        add((node, ENV.confidence, Literal(confidence, datatype=XSD.decimal)))

    def build(self) -> FixtureDoc:
        return FixtureDoc(self.doc_id, graph_iri(self.doc_id), self.triples, self.sha, self.text)


def _doc1() -> FixtureDoc:
    s1 = (
        "Financed by the Global Environment Facility (GEF), the Blueing the Caspian Sea project "
        "is led by UNDP."
    )
    s2 = "Kazakhstan and Azerbaijan take part in the project."
    b = _DocBuilder("001_caspian.txt", f"{s1} {s2}\n", ["en"])
    one = b.sentence(s1)
    b.mention(one, "Global Environment Facility", GEF)
    b.mention(one, "GEF", GEF)
    b.mention(one, "Blueing the Caspian Sea", BLUEING)
    b.mention(one, "UNDP", UNDP)
    two = b.sentence(s2)
    b.mention(two, "Kazakhstan", KZ)
    b.mention(two, "Azerbaijan", AZ)
    b.fact(one, GEF, ENV.funds, BLUEING, "Financed by")
    b.fact(one, UNDP, ENV.leads, BLUEING, "is led by")
    b.fact(two, KZ, ENV.participatesIn, BLUEING, "take part in")
    b.fact(two, AZ, ENV.participatesIn, BLUEING, "take part in")
    return b.build()


def _doc2() -> FixtureDoc:
    s1 = "Бакинский саммит пройдёт в Баку 22–23 апреля 2026 года по приглашению Азербайджана."
    s2 = "Zhomart Aliyev, Minister of Ecology at the Ministry of Ecology, will speak at the Baku Summit."
    s3 = "UNDP cooperates with the GEF, and Kazakhstan has ratified the Tehran Convention."
    b = _DocBuilder("002_baku.txt", f"{s1}\n{s2} {s3}\n", ["ru", "en"])
    one = b.sentence(s1, "ru")
    b.mention(one, "Бакинский саммит", SUMMIT, "ru")
    b.mention(one, "Баку", BAKU, "ru")
    b.mention(one, "Азербайджана", AZ, "ru")
    two = b.sentence(s2)
    b.mention(two, "Zhomart Aliyev", ALIYEV)
    b.mention(two, "Ministry of Ecology", MINISTRY)
    b.mention(two, "Baku Summit", SUMMIT)
    three = b.sentence(s3)
    b.mention(three, "UNDP", UNDP)
    b.mention(three, "GEF", GEF)
    b.mention(three, "Kazakhstan", KZ)
    b.mention(three, "Tehran Convention", TEHRAN)
    b.fact(one, SUMMIT, ENV.heldIn, BAKU, "пройдёт в")
    b.fact(one, AZ, ENV.hosts, SUMMIT, "по приглашению")
    b.fact(one, SUMMIT, ENV.startDate, Literal("2026-04-22", datatype=XSD.date), "22–23 апреля")
    b.fact(one, SUMMIT, ENV.endDate, Literal("2026-04-23", datatype=XSD.date), "22–23 апреля")
    b.fact(two, ALIYEV, ENV.worksFor, MINISTRY, "Minister of")
    b.fact(two, ALIYEV, ENV.position, Literal("Minister of Ecology", lang="en"), "Minister of")
    b.fact(two, ALIYEV, ENV.speaksAt, SUMMIT, "will speak at")
    b.fact(three, UNDP, ENV.cooperatesWith, GEF, "cooperates with")
    b.fact(three, KZ, ENV.partyTo, TEHRAN, "has ratified")
    # Baku lies in Azerbaijan (background knowledge stated in the same sentence's context)
    b.fact(one, BAKU, ENV.locatedIn, AZ, "в Баку")
    return b.build()


def _doc3() -> FixtureDoc:
    s1 = (
        "The European Union funds the Caspian Environment Programme, and Turkmenistan takes "
        "part in it."
    )
    s2 = "The programme was launched at the Baku Summit in 2026."
    s3 = "Anna Petrova spoke at Caspian Day in 2025."
    b = _DocBuilder("003_cep.txt", f"{s1} {s2} {s3}\n", ["en"])
    one = b.sentence(s1)
    b.mention(one, "European Union", EU)
    b.mention(one, "Caspian Environment Programme", CEP)
    b.mention(one, "Turkmenistan", TM)
    two = b.sentence(s2)
    b.mention(two, "Baku Summit", SUMMIT)
    b.fact(one, EU, ENV.funds, CEP, "funds")
    b.fact(one, TM, ENV.participatesIn, CEP, "takes part in")
    b.fact(two, CEP, ENV.launchedAt, SUMMIT, "was launched at")
    three = b.sentence(s3)
    b.mention(three, "Anna Petrova", PETROVA)
    b.mention(three, "Caspian Day", CASPIAN_DAY)
    b.fact(three, PETROVA, ENV.speaksAt, CASPIAN_DAY, "spoke at")
    b.fact(three, CASPIAN_DAY, ENV.startDate, Literal("2025", datatype=XSD.gYear), "in 2025")
    return b.build()


def fixture_docs() -> list[FixtureDoc]:
    """The three documents, in id order."""
    return [_doc1(), _doc2(), _doc3()]


def load_fixture(store: object) -> list[FixtureDoc]:
    """Put the fixture into an envgraph store (via ``replace_document``)."""
    docs = fixture_docs()
    for doc in docs:
        store.replace_document(doc.doc_id, doc.graph_iri, doc.triples, doc.sha256)  # type: ignore[attr-defined]
    return docs


def fixture_dataset() -> Dataset:
    """The fixture as an rdflib Dataset (one graph per document)."""
    ds = Dataset(default_union=True)
    for doc in fixture_docs():
        g = ds.graph(URIRef(doc.graph_iri))
        for triple in doc.triples:
            g.add(triple)
    return ds


# --- an Oxigraph server for the remote-store tests ---------------------------------------------


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` executable of the venv (the PyPI package ships one), else on PATH."""
    import shutil
    import sys
    from pathlib import Path

    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("oxigraph")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` on a free local port, with its data in ``location``; a context
    manager that waits until the server answers and stops it on exit."""

    def __init__(self, location: str, timeout: float = 30.0) -> None:
        self.location = location
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: object = None

    def __enter__(self) -> "OxigraphServer":
        import subprocess
        import time
        import urllib.request

        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("the oxigraph server binary is not installed (pip install oxigraph)")
        self._process = subprocess.Popen(
            [binary, "serve", "--location", self.location, "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                query = urllib.request.Request(
                    self.url + "/query",
                    data=b"ASK { ?s ?p ?o }",
                    headers={"Content-Type": "application/sparql-query"},
                )
                with urllib.request.urlopen(query, timeout=2):
                    return self
            except OSError:
                if self._process.poll() is not None:  # type: ignore[attr-defined]
                    err = self._process.stderr.read().decode(errors="replace")  # type: ignore[attr-defined]
                    raise RuntimeError(f"oxigraph server exited: {err}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oxigraph server did not answer on {self.url}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        import subprocess

        process = self._process
        if process is None:
            return
        process.terminate()  # type: ignore[attr-defined]
        try:
            process.wait(timeout=10)  # type: ignore[attr-defined]
        except subprocess.TimeoutExpired:
            process.kill()  # type: ignore[attr-defined]
            process.wait()  # type: ignore[attr-defined]
        process.stderr.close()  # type: ignore[attr-defined]
        self._process = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def clear_store(store: object) -> None:
    """Empty a store (all graphs), for tests that share one server."""
    store.update("DROP SILENT ALL")  # type: ignore[attr-defined]


#: Values that try to break out of a bound parameter.
HOSTILE_VALUES: tuple[str, ...] = (
    "'",
    '"',
    '"""',
    "'''",
    "{",
    "}",
    "} ; DROP ALL ; {",
    '"} ; DROP ALL ; {"',
    "'} ; DROP ALL ; {'",
    '""" } ; DROP ALL ; { """',
    "<http://x> } DROP ALL {",
    "ent:x> } ; DROP ALL ; { <",
    "http://example.org/a\"} ; DROP ALL ; {",
    "http://example.org/ok",
    "line one\nline two",
    "\\u0022",
    "\\u0022 } ; DROP ALL ; { \\u0022",
    "\\",
    "# comment } ; DROP ALL",
    "?lang",
    "$lang) } ; DROP ALL ; {",
    '"@en',
    "^^xsd:string",
    "",
    "  ",
    "GEF",
    "x" * 5000,
)
