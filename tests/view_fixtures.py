"""Hand-made graphs for the view tests (network, render, serve, browser).

``sample_dataset()`` follows docs/rdf-contract.md exactly: one named graph per document, entities
with ``skos:prefLabel`` in several languages, facts as ``rdf:Statement``/``env:Fact`` nodes with
``env:evidence`` sentences and ``prov:wasDerivedFrom`` documents. One organisation carries the usual
XSS payloads in its labels, its homepage and its evidence, so every view is tested against them.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from envgraph.network import rdflib_to_oxigraph

ENV = Namespace("https://w3id.org/envgraph/ontology#")
ENT = Namespace("https://w3id.org/envgraph/entity/")
DOC = Namespace("https://w3id.org/envgraph/doc/")
G = Namespace("https://w3id.org/envgraph/graph/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")

XSS_SCRIPT = "<script>window.__xss=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss=2\">"
XSS_SVG = "\"><svg onload=\"window.__xss=3\">"
XSS_JS_URL = "javascript:window.__xss=4"
XSS_CLOSE = "</script><script>window.__xss=5</script>"
XSS_PAYLOADS = (XSS_SCRIPT, XSS_IMG, XSS_SVG, XSS_JS_URL, XSS_CLOSE)

XSS_IRI = str(ENT["organisation/xss-test"])


@dataclass
class FixtureBuilder:
    """Writes contract-shaped RDF into a Dataset, one named graph per document."""

    ds: Dataset = field(default_factory=Dataset)
    _texts: dict[str, list[str]] = field(default_factory=dict)

    def document(self, doc_id: str, languages: tuple[str, ...] = ("en",)) -> URIRef:
        doc = DOC[doc_id]
        g = self.ds.graph(G[doc_id])
        g.add((doc, RDF.type, ENV.Document))
        g.add((doc, RDF.type, NIF.Context))
        g.add((doc, DCTERMS.identifier, Literal(doc_id)))
        g.add((doc, ENV.path, Literal(f"data/corpus/{doc_id}")))
        g.add((doc, ENV.sha256, Literal(hashlib.sha256(doc_id.encode()).hexdigest())))
        g.add((doc, ENV.encoding, Literal("utf-8")))
        for lang in languages:
            g.add((doc, DCTERMS.language, Literal(lang)))
        g.add((doc, NIF.beginIndex, Literal(0)))
        g.add((doc, NIF.endIndex, Literal(10_000)))
        self._texts.setdefault(doc_id, [])
        return doc

    def entity(
        self,
        doc_id: str,
        path: str,
        type_: str,
        labels: dict[str, str],
        alt: tuple[tuple[str, str], ...] = (),
    ) -> URIRef:
        e = ENT[path]
        g = self.ds.graph(G[doc_id])
        g.add((e, RDF.type, ENV[type_]))
        for lang, text in labels.items():
            g.add((e, SKOS.prefLabel, Literal(text, lang=lang)))
        for text, lang in alt:
            g.add((e, SKOS.altLabel, Literal(text, lang=lang)))
        canonical = labels.get("en") or next(iter(labels.values()))
        g.add((e, RDFS.label, Literal(canonical, lang="en" if "en" in labels else None)))
        return e

    def _sentence(self, doc_id: str, text: str, lang: str) -> URIRef:
        offsets = self._texts[doc_id]
        begin = sum(len(t) + 1 for t in offsets)
        offsets.append(text)
        end = begin + len(text)
        s = URIRef(f"{DOC[doc_id]}#char={begin},{end}")
        g = self.ds.graph(G[doc_id])
        g.add((s, RDF.type, NIF.Sentence))
        g.add((s, NIF.anchorOf, Literal(text)))
        g.add((s, NIF.beginIndex, Literal(begin)))
        g.add((s, NIF.endIndex, Literal(end)))
        g.add((s, NIF.referenceContext, DOC[doc_id]))
        g.add((s, DCTERMS.language, Literal(lang)))
        return s

    def fact(
        self,
        doc_id: str,
        subject: URIRef,
        prop: str,
        obj: URIRef | Literal,
        sentence: str,
        *,
        lang: str = "en",
        rule: str = "cue:test",
        cue: str = "",
        confidence: float = 0.8,
    ) -> URIRef:
        g = self.ds.graph(G[doc_id])
        g.add((subject, ENV[prop], obj))
        sent = self._sentence(doc_id, sentence, lang)
        digest = hashlib.sha1(f"{subject}|{prop}|{obj}|{sent}".encode()).hexdigest()[:12]
        f = URIRef(f"{DOC[doc_id]}#fact-{digest}")
        g.add((f, RDF.type, RDF.Statement))
        g.add((f, RDF.type, ENV.Fact))
        g.add((f, RDF.subject, subject))
        g.add((f, RDF.predicate, ENV[prop]))
        g.add((f, RDF.object, obj))
        g.add((f, ENV.evidence, sent))
        g.add((f, PROV.wasDerivedFrom, DOC[doc_id]))
        g.add((f, ENV.rule, Literal(rule)))
        g.add((f, ENV.cue, Literal(cue or prop)))
        g.add((f, ENV.confidence, Literal(confidence, datatype=XSD.decimal)))
        return f


def sample_dataset() -> Dataset:
    """A small archive: two documents, eight actors, funding and participation, XSS payloads."""
    b = FixtureBuilder()
    d1, d2 = "001_sample.txt", "002_sample.txt"
    b.document(d1, ("en", "ru"))
    b.document(d2, ("en", "kk", "az"))
    gef = b.entity(
        d1,
        "organisation/gef",
        "Organisation",
        {"en": "Global Environment Facility", "ru": "Глобальный экологический фонд",
         "kk": "Жаһандық экологиялық қор"},
        alt=(("GEF", "en"), ("ГЭФ", "ru")),
    )
    b.entity(d2, "organisation/gef", "Organisation", {"en": "Global Environment Facility"})
    undp = b.entity(
        d1,
        "organisation/undp",
        "Organisation",
        {"en": "United Nations Development Programme", "ru": "Программа развития ООН",
         "az": "BMT-nin İnkişaf Proqramı"},
        alt=(("UNDP", "en"),),
    )
    blue = b.entity(
        d1,
        "initiative/blueing-the-caspian-sea",
        "Initiative",
        {"en": "Blueing the Caspian Sea", "ru": "Голубой Каспий"},
    )
    kz = b.entity(
        d1,
        "country/kz",
        "Country",
        {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан", "az": "Qazaxıstan",
         "tk": "Gazagystan"},
    )
    az = b.entity(
        d2,
        "country/az",
        "Country",
        {"en": "Azerbaijan", "ru": "Азербайджан", "kk": "Әзірбайжан", "az": "Azərbaycan",
         "tk": "Azerbaýjan"},
    )
    conv = b.entity(
        d2,
        "convention/tehran-convention",
        "Convention",
        {"en": "Tehran Convention", "ru": "Тегеранская конвенция"},
    )
    person = b.entity(
        d1, "person/zhomart-aliyev", "Person", {"en": "Zhomart Aliyev", "ru": "Жомарт Алиев"}
    )
    cop = b.entity(d2, "event/cop29", "Event", {"en": "COP29", "az": "COP29"})
    baku = b.entity(d2, "place/baku", "Place", {"en": "Baku", "ru": "Баку", "az": "Bakı"})
    xss = b.entity(
        d2,
        "organisation/xss-test",
        "Organisation",
        {"en": XSS_SCRIPT, "ru": XSS_IMG, "kk": XSS_SVG, "az": XSS_CLOSE},
        alt=((XSS_JS_URL, "en"),),
    )

    b.fact(d1, gef, "funds", blue,
           "Financed by the Global Environment Facility (GEF), the project Blueing the Caspian Sea starts.",
           rule="cue:funds:en:financed by", cue="Financed by", confidence=0.85)
    b.fact(d1, undp, "leads", blue,
           "The project is implemented by UNDP together with national partners.",
           rule="cue:leads:en:implemented by", cue="implemented by", confidence=0.8)
    b.fact(d1, kz, "participatesIn", blue,
           "Проект охватывает Казахстан и Азербайджан.", lang="ru",
           rule="cue:participatesIn:ru:охватывает", cue="охватывает", confidence=0.7)
    b.fact(d2, az, "participatesIn", blue,
           "Layihə Azərbaycanda həyata keçirilir.", lang="az",
           rule="cue:participatesIn:az", cue="həyata keçirilir", confidence=0.7)
    b.fact(d1, person, "worksFor", undp,
           "Zhomart Aliyev, UNDP programme officer, said the work will take three years.",
           rule="pattern:person-position", confidence=0.75)
    b.fact(d2, kz, "partyTo", conv,
           "Kazakhstan and Azerbaijan are parties to the Tehran Convention.",
           rule="cue:partyTo:en:parties to", confidence=0.9)
    b.fact(d2, az, "partyTo", conv,
           "Kazakhstan and Azerbaijan are parties to the Tehran Convention.",
           rule="cue:partyTo:en:parties to", confidence=0.9)
    b.fact(d2, cop, "locatedIn", baku, "COP29 took place in Baku in November 2024.",
           rule="cue:locatedIn:en:took place in", confidence=0.8)
    b.fact(d2, baku, "locatedIn", az, "Baku, the capital of Azerbaijan, hosted COP29.",
           rule="pattern:capital", confidence=0.8)
    b.fact(d2, undp, "participatesIn", cop,
           "UNDP took part in COP29 in Baku.", rule="cue:participatesIn:en:took part", confidence=0.7)
    b.fact(d2, xss, "funds", blue, f"The fund {XSS_SCRIPT} {XSS_CLOSE} finances the project.",
           rule=XSS_IMG, cue=XSS_SVG, confidence=0.6)
    b.fact(d2, xss, "partnerOf", undp, f"{XSS_IMG} partners with UNDP {XSS_SVG}.",
           rule="cue:partnerOf", confidence=0.6)
    # literal-valued facts (attributes)
    b.fact(d2, cop, "startDate", Literal("2024-11-11", datatype=XSD.date),
           "COP29 opened on 11 November 2024.", rule="pattern:date", confidence=0.9)
    b.fact(d1, person, "position", Literal("programme officer", lang="en"),
           "Zhomart Aliyev, UNDP programme officer, said the work will take three years.",
           rule="pattern:person-position", confidence=0.75)
    b.fact(d2, xss, "homepage", Literal(XSS_JS_URL, datatype=XSD.anyURI),
           f"Its site is {XSS_JS_URL}.", rule="pattern:url", confidence=0.5)
    return b.ds


def fill_oxigraph(ds: Dataset, path: Path | None = None) -> ox.Store:
    """A pyoxigraph store (on disk when ``path`` is given) holding the dataset's quads."""
    memory = rdflib_to_oxigraph(ds)
    if path is None:
        return memory
    store = ox.Store(str(path))
    store.extend(memory)
    store.flush()
    return store


TYPES = ("Organisation", "Initiative", "Convention", "Event", "Person", "Country", "Place")
RELATIONS = ("funds", "leads", "participatesIn", "partnerOf", "memberOf", "locatedIn", "partyTo")


def synthetic_graph(n_nodes: int, *, seed: int = 7, avg_degree: float = 2.5) -> nx.MultiDiGraph:
    """A random clustered graph in the shape ``to_networkx`` returns (for the scale tests).

    Nodes fall into ~sqrt(n)/2 clusters; most edges stay inside a cluster so the graph has
    community structure like a real archive (projects, their partners, their countries).
    """
    rng = random.Random(seed)
    G_ = nx.MultiDiGraph()
    clusters = max(1, int(n_nodes**0.5 / 2))
    members: list[list[str]] = [[] for _ in range(clusters)]
    for i in range(n_nodes):
        type_ = TYPES[rng.randrange(len(TYPES))] if i >= 20 else ("Country" if i < 8 else "Organisation")
        iri = f"{ENT}{type_.lower()}/synthetic-{i}"
        label = f"{type_} {i}"
        G_.add_node(
            iri,
            iri=iri,
            type=type_,
            label=label,
            labels={"en": label, "ru": f"{label} (ru)", "kk": f"{label} (kk)"},
        )
        members[i % clusters].append(iri)
    nodes = list(G_.nodes)
    n_edges = int(n_nodes * avg_degree / 2)
    for k in range(n_edges):
        group = members[rng.randrange(clusters)]
        a = rng.choice(group)
        b = rng.choice(group) if rng.random() < 0.9 else rng.choice(nodes)
        if a == b:
            continue
        rel = RELATIONS[k % len(RELATIONS)]
        G_.add_edge(
            a, b, key=rel, relation=rel, iri=str(ENV[rel]),
            evidence=[(f"doc-{k % 50}.txt", f"Sentence {k} about {rel}.", "synthetic", 0.5)],
        )
    return G_


def html_elements(page: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of an HTML page as (tag, attributes), as a browser's parser sees them."""
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, {k: v or "" for k, v in attrs}))

    Collector(convert_charrefs=True).feed(page)
    return found


def assert_no_markup_injected(page: str, *, scripts_allowed: int = 0) -> None:
    """No element or attribute came from the texts: no event handler, no script, image or svg
    element beyond the page's own, no javascript: link."""
    elements = html_elements(page)
    tags = [tag for tag, _attrs in elements]
    assert tags.count("script") <= scripts_allowed, tags.count("script")
    assert "img" not in tags and "svg" not in tags and "iframe" not in tags
    for tag, attrs in elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), (tag, attrs)
