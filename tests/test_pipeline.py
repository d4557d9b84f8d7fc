"""The sample corpus end to end: build, the graph's contract, idempotence, identity across
languages, SHACL conformance, OWL RL consistency, and the quality floors against the gold."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from envgraph import settings
from envgraph.index import index_state
from envgraph.errors import StoreError
from envgraph.evaluate import evaluate, load_gold, predicted_from_store
from envgraph.pipeline import build
from envgraph.read import read_document
from envgraph.store import open_store

# Measured on data/corpus against data/gold (envgraph evaluate): entity F1 0.980, relation F1
# 0.793, gold actors that are exactly one node 0.969 (93 of 96). The floors are the issue's.
ENTITY_F1_FLOOR = 0.90
RELATION_F1_FLOOR = 0.75
SINGLE_NODE_FLOOR = 0.95


@pytest.fixture(scope="module")
def evaluation(built_store: Path, gold_dir: Path, corpus_dir: Path):
    gold = load_gold(gold_dir)
    with open_store(str(built_store), read_only=True) as store:
        predicted = [
            predicted_from_store(store, g.document, read_document(corpus_dir / g.document).document.text)  # type: ignore[union-attr]
            for g in gold
        ]
    return evaluate(gold, predicted)


def test_quality_floors_on_the_sample_corpus(evaluation) -> None:
    assert evaluation.entities.f1 >= ENTITY_F1_FLOOR, evaluation.entities
    assert evaluation.relations.f1 >= RELATION_F1_FLOOR, evaluation.relations
    assert evaluation.single_node_share >= SINGLE_NODE_FLOOR, evaluation.split_actors


KEY_ACTORS = {
    "initiative/blueing-the-caspian-sea": {"en", "az", "kk", "ru", "tk"},
    "organisation/gef": {"en", "az", "kk", "ru", "tk"},
    "organisation/tehran-convention-secretariat": {"en", "az", "kk", "ru", "tk"},
    "event/cop29": {"en"},
    "country/kazakhstan": {"en", "az", "kk", "ru", "tk"},
    "organisation/kz-menr": {"en", "ru", "kk"},
}


def test_key_actors_are_one_node_with_labels_in_their_languages(built_store: Path) -> None:
    with open_store(str(built_store), read_only=True) as store:
        for local, langs in KEY_ACTORS.items():
            iri = URIRef("https://w3id.org/envgraph/entity/" + local)
            rows = store.query(
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "SELECT DISTINCT ?label WHERE { ?e skos:prefLabel|skos:altLabel ?label }",
                {"e": iri},
            ).rows
            found = {row[0].language for row in rows if isinstance(row[0], Literal)}
            assert langs <= found, (local, found)
        docs = store.query(
            "PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#> PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
            "SELECT (COUNT(DISTINCT ?doc) AS ?n) WHERE { ?m itsrdf:taIdentRef ?e ; nif:referenceContext ?doc }",
            {"e": URIRef("https://w3id.org/envgraph/entity/event/cop29")},
        ).rows
        assert int(docs[0][0]) == 3  # COP29 is named in three documents, and is one node


def test_every_mention_points_into_the_file_as_read(built_store: Path, corpus_dir: Path) -> None:
    with open_store(str(built_store), read_only=True) as store:
        rows = store.query(
            "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            "SELECT ?id ?anchor ?b ?e WHERE { ?m a nif:Phrase ; nif:anchorOf ?anchor ; nif:beginIndex ?b ; "
            "nif:endIndex ?e ; nif:referenceContext ?d . ?d dcterms:identifier ?id }"
        ).rows
    texts = {p.name: read_document(p).document.text for p in corpus_dir.glob("*.txt")}  # type: ignore[union-attr]
    assert len(rows) > 500
    for doc_id, anchor, begin, end in rows:
        assert texts[str(doc_id)][int(begin) : int(end)] == str(anchor)


def test_the_fact_behind_a_relation_names_its_sentence_and_rule(built_store: Path) -> None:
    query = """
    PREFIX env: <https://w3id.org/envgraph/ontology#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT DISTINCT ?sentence ?rule WHERE {
      ?f rdf:subject ?s ; rdf:predicate env:funds ; rdf:object ?o ; env:evidence ?ev ;
         env:rule ?rule ; prov:wasDerivedFrom ?doc .
      ?ev nif:anchorOf ?sentence .
    }"""
    with open_store(str(built_store), read_only=True) as store:
        rows = store.query(query, {
            "s": URIRef("https://w3id.org/envgraph/entity/organisation/gef"),
            "o": URIRef("https://w3id.org/envgraph/entity/initiative/blueing-the-caspian-sea"),
        }).rows
    sentences = {str(r[0]) for r in rows}
    assert any("Financed by the Global Environment Facility" in s for s in sentences)
    assert any("tarapyndan maliýeleşdirilýän" in s for s in sentences)
    assert all(str(r[1]).startswith("cue:funds:") for r in rows)


def test_building_again_changes_nothing(built_store: Path, corpus_dir: Path, tmp_path: Path) -> None:
    location = tmp_path / "again"
    first = build([corpus_dir], str(location))
    with open_store(str(location), read_only=True) as store:
        before = sorted(map(tuple, store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows))
    second = build([corpus_dir], str(location))
    forced = build([corpus_dir], str(location), force=True)
    with open_store(str(location), read_only=True) as store:
        after = sorted(map(tuple, store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows))
    assert first.documents == 5 and second.documents == 0 and second.unchanged == 5
    assert forced.documents == 5
    assert before == after  # same IRIs, same triples: extraction is deterministic


def test_adding_a_document_renames_no_existing_node(corpus_dir: Path, tmp_path: Path) -> None:
    location = tmp_path / "grow"
    names = sorted(p.name for p in corpus_dir.glob("*.txt"))
    part = tmp_path / "part"
    part.mkdir()
    for name in names[1:]:
        (part / name).write_text((corpus_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    build([part], str(location))
    entities = "SELECT DISTINCT ?e WHERE { ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?e }"
    with open_store(str(location), read_only=True) as store:
        before = {str(r[0]) for r in store.query(entities).rows}
    (part / names[0]).write_text((corpus_dir / names[0]).read_text(encoding="utf-8"), encoding="utf-8")
    build([part], str(location))
    with open_store(str(location), read_only=True) as store:
        after = {str(r[0]) for r in store.query(entities).rows}
    assert before <= after


def test_the_built_graph_conforms_to_the_shapes(built_store: Path) -> None:
    from envgraph.validate import validate

    with open_store(str(built_store), read_only=True) as store:
        report = validate(store)
    assert report.conforms, report


@pytest.mark.slow
def test_ontology_and_graph_pass_an_owlrl_closure_without_inconsistency(built_store: Path) -> None:
    import owlrl
    from rdflib import Graph, Namespace

    from envgraph.resources import ontology_path

    err = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
    graph = Graph()
    graph.parse(ontology_path())
    with open_store(str(built_store), read_only=True) as store:
        for named in store.dataset().graphs():
            for triple in named:
                graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    owl_nothing = URIRef("http://www.w3.org/2002/07/owl#Nothing")
    errors = list(graph.objects(None, err.error))
    assert not errors, errors[:5]
    assert not list(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), owl_nothing))


@pytest.mark.slow
def test_a_parallel_build_gives_the_same_graph_as_a_serial_one(built_store: Path, corpus_dir: Path, tmp_path: Path) -> None:
    location = tmp_path / "parallel"
    report = build([corpus_dir], str(location), jobs=2)
    assert report.documents == 5
    query = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    with open_store(str(location), read_only=True) as store:
        parallel = sorted(map(tuple, store.query(query).rows))
    with open_store(str(built_store), read_only=True) as store:
        serial = sorted(map(tuple, store.query(query).rows))
    assert parallel == serial


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.5, 3.0])
def test_a_build_killed_mid_way_leaves_whole_documents_and_the_next_build_completes_it(
    corpus_dir: Path, tmp_path: Path, delay: float
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):
        for source in sorted(corpus_dir.glob("*.txt")):
            (corpus / f"{i:02d}_{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    reference = tmp_path / "reference"
    build([corpus], str(reference))
    # document graphs (g:keys, the store's person-key index, is bookkeeping, not a document)
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != g:keys) } GROUP BY ?g"
    with open_store(str(reference), read_only=True) as store:
        complete = {str(g): int(n) for g, n in store.query(count).rows}

    location = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "envgraph", "build", str(corpus), "--store", str(location),
                                "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial: dict[str, int] = {}
    index_fresh = False
    if location.exists():  # killed before the store was created: nothing is in, which is valid
        try:
            with open_store(str(location), read_only=True) as store:
                partial = {str(g): int(n) for g, n in store.query(count).rows}
                index_fresh = index_state(store).fresh
        except StoreError as err:  # killed while RocksDB created the store: nothing is in either
            assert "killed while it created the store" in str(err)
    for graph, n in partial.items():
        if graph == settings.INDEX_GRAPH:
            # the summary index is derived and written a chunk of entities at a time: killed
            # half-way, it must say so (never fresh), and the next build completes it
            if n != complete[graph]:
                assert not index_fresh, f"a half-written index ({n} of {complete[graph]}) reads as fresh"
            continue
        assert n == complete[graph], f"{graph} is half written: {n} of {complete[graph]} triples"
    report = build([corpus], str(location))
    documents = [g for g in complete if g != settings.INDEX_GRAPH]  # g:index is no document
    assert report.documents + report.unchanged == len(documents) == len(complete) - 1
    with open_store(str(location), read_only=True) as store:
        assert {str(g): int(n) for g, n in store.query(count).rows} == complete


@pytest.mark.slow
def test_extraction_does_not_depend_on_the_hash_seed(corpus_dir: Path) -> None:
    import subprocess
    import sys

    code = (
        "import hashlib, sys\n"
        "from envgraph.pipeline import extract_corpus\n"
        "from envgraph.emit import emit_ntriples\n"
        "h = hashlib.sha1()\n"
        "for e in extract_corpus([sys.argv[1]]): h.update(emit_ntriples(e).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "5"):
        env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, str(corpus_dir)], capture_output=True, text=True, env=env, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_a_document_added_later_keeps_the_labels_already_stored(corpus_dir: Path, tmp_path: Path) -> None:
    """An actor discovered in a later document under another surface form keeps the label it
    was first written with, so the store still has one rdfs:label per actor (SHACL)."""
    from envgraph.validate import validate

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "one.txt").write_text('Çöl Bərpası Fondu tərəfindən maliyyələşdirilən "Saiqa Dəhlizi" layihəsi başlayıb.',
                                   encoding="utf-8")
    (second / "two.txt").write_text("Forumda Çöl Bərpası Fondunun nümayəndələri iştirak ediblər.", encoding="utf-8")
    location = str(tmp_path / "store")
    build([first], location)
    build([second], location)
    with open_store(location, read_only=True) as store:
        labels = store.query(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?e (COUNT(DISTINCT ?l) AS ?n) WHERE { ?e rdfs:label ?l } GROUP BY ?e HAVING (COUNT(DISTINCT ?l) > 1)"
        ).rows
        assert labels == []
        assert validate(store).conforms


# --- adding documents to a store: the same IRIs as a resolver seeded with the whole store ------


def _texts_for_incremental_builds(corpus_dir: Path, folder: Path) -> list[Path]:
    """The sample corpus, the invented-actors story in five languages, some synthetic news
    items (persons, funds and projects recur between them), and last an invented office named
    in English, then in Russian, then in a document that gives both as translations of each
    other (envgraph.align merges the stored actors), then in Russian again, as files in
    ``folder``."""
    import sys

    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:  # benchmarks/ lives at the repository root, next to tests/
        sys.path.insert(0, root)
    from benchmarks.corpus import CorpusGenerator
    from test_align import TWO_LANGUAGES
    from test_unseen_actors import STORIES

    folder.mkdir()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))}
    texts.update({f"story-{lang}.txt": text for lang, text in STORIES.items()})
    generator = CorpusGenerator(3)
    texts.update({(d := generator.document(i)).doc_id: d.text for i in range(12)})
    texts.update({
        "office-1-en.txt": "Mr. Daniyar Kopbayev, Head of the Steppe Monitoring Office, spoke at the forum in Aktau.",
        "office-2-ru.txt": "Руководитель Отдела мониторинга степей Данияр Копбаев выступил на форуме в Актау.",
        "office-3-contacts.txt": TWO_LANGUAGES,
        "office-4-ru.txt": "Отдел мониторинга степей опубликовал отчёт о сайгаках.",
    })
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def _all_quads(location: Path) -> set[tuple[str, ...]]:
    from envgraph.settings import KEY_INDEX_GRAPH

    with open_store(str(location), read_only=True) as store:
        rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    return {tuple(map(str, r)) for r in rows if str(r[3]) != KEY_INDEX_GRAPH}


@pytest.mark.slow
def test_documents_added_build_by_build_get_the_iris_a_seeded_resolver_gives(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build asks the store one key at a time; the result must be exactly that of the
    resolver seeded with every key of the store (the way builds worked before), through many
    small builds, changed documents, a forced rebuild and a dropped person-key index."""
    from envgraph import pipeline

    paths = _texts_for_incremental_builds(corpus_dir, tmp_path / "texts")
    batches = [paths[0:1], paths[1:3], paths[3:4], paths[4:9], paths[9:10], paths[10:16], paths[16:22],
               paths[22:23], paths[23:24], paths[24:]]
    changed = [paths[2], paths[12], paths[15]]
    originals = {p: p.read_text(encoding="utf-8") for p in paths}
    extractor = pipeline.Extractor.load()

    def history(location: Path) -> set[tuple[str, ...]]:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        for number, batch in enumerate(batches):
            report = build(batch, str(location), extractor=extractor)
            assert report.documents == len(batch)
            if number == 3:  # an update that may add keys drops the index; the next build remakes it
                with open_store(str(location)) as store:
                    store.update('DELETE DATA { GRAPH <urn:x> { <urn:x> skos:notation "x" } }')
        for path in changed:  # the same paragraphs in another order: re-extracted, replaced
            path.write_text("\n\n".join(reversed(originals[path].split("\n\n"))) + "\n", encoding="utf-8")
        assert build(changed, str(location), extractor=extractor).documents == len(changed)
        assert build(paths[:6], str(location), extractor=extractor, force=True).documents == 6
        return _all_quads(location)

    lazy = history(tmp_path / "lazy")
    monkeypatch.setattr(pipeline, "store_resolver",
                        lambda extractor, store: (pipeline.seeded_resolver(extractor, store), None))
    seeded = history(tmp_path / "seeded")
    assert lazy == seeded
    assert len(lazy) > 10_000
    # the office named in Russian after the translations were found is the English one's node
    office = {(g.rsplit("/", 1)[1], o) for _, p, o, g in lazy
              if p.endswith("#taIdentRef") and "monitoring" in o}
    assert ("office-4-ru.txt", "https://w3id.org/envgraph/entity/organisation/steppe-monitoring-office") in office


def test_a_first_build_asks_the_store_nothing_and_later_builds_ask_it(corpus_dir: Path, tmp_path: Path) -> None:
    """A new store names no actor, so the resolver of its first build has no key source (no
    look-ups); once documents are in, a build resolves against the store's keys."""
    from envgraph import pipeline
    from envgraph.keyindex import StoreKeys

    extractor = pipeline.Extractor.load()
    with open_store(str(tmp_path / "store")) as store:
        resolver, keys = pipeline.store_resolver(extractor, store)
        assert keys is None and resolver.source is None
        build([sorted(corpus_dir.glob("*.txt"))[0]], store, extractor=extractor)
        resolver, keys = pipeline.store_resolver(extractor, store)
        assert isinstance(keys, StoreKeys) and resolver.source is keys


def test_an_actor_first_seen_in_an_earlier_build_keeps_its_iri_in_other_languages_and_scripts(
    tmp_path: Path,
) -> None:
    """Daniyar Kopbayev, written in Latin script (en, az, tk) and in Kazakh Cyrillic, each
    story added by a build of its own: one node, the IRI of the first build."""
    from test_unseen_actors import STORIES

    location = str(tmp_path / "store")
    for lang in ("en", "az", "kk", "tk"):
        folder = tmp_path / lang
        folder.mkdir()
        (folder / f"story-{lang}.txt").write_text(STORIES[lang], encoding="utf-8")
        build([folder], location)
    with open_store(location, read_only=True) as store:
        rows = store.query(
            "SELECT DISTINCT ?g ?e WHERE { GRAPH ?g { ?e a env:Person ; rdfs:label ?l } }").rows
    people = {str(g).rsplit("/", 1)[1]: str(e) for g, e in rows}
    assert set(people) == {"story-en.txt", "story-az.txt", "story-kk.txt", "story-tk.txt"}
    assert set(people.values()) == {"https://w3id.org/envgraph/entity/person/daniyar-kopbayev"}
