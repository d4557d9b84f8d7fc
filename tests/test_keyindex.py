"""The person-key index and the per-key look-ups a build makes in the store
(envgraph.keyindex): what the embedded store keeps in g:keys, what drops it, what remakes it,
and that queries over entities never see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from envgraph.keyindex import StoreKeys, ensure_index, has_index, person_keys_in
from envgraph.queries import list_queries, run_query
from envgraph.settings import KEY_INDEX_GRAPH
from envgraph.store import open_store
from envgraph.vocab import DCTERMS, RDFS, SKOS

ENT = "https://w3id.org/envgraph/entity/"


def _doc(doc_id: str, people: dict[str, str]) -> list[tuple[URIRef, URIRef, Literal | URIRef]]:
    """A minimal document graph naming discovered persons: {IRI local name: key}."""
    doc = URIRef(f"https://w3id.org/envgraph/doc/{doc_id}")
    triples: list[tuple[URIRef, URIRef, Literal | URIRef]] = [(doc, DCTERMS.identifier, Literal(doc_id))]
    for local, key in people.items():
        person = URIRef(f"{ENT}person/{local}")
        triples += [(person, SKOS.notation, Literal(f"Person|{key}")), (person, RDFS.label, Literal(local))]
    return triples


def _write(store, doc_id: str, people: dict[str, str]) -> None:
    store.replace_document(doc_id, f"https://w3id.org/envgraph/graph/{doc_id}", _doc(doc_id, people), "0" * 64)


def test_person_keys_are_read_from_ntriples_text_and_from_terms() -> None:
    text = (
        '<https://w3id.org/envgraph/entity/person/a> <http://www.w3.org/2004/02/skos/core#notation> "Person|d|kopbaev" .\n'
        '<https://w3id.org/envgraph/entity/person/b> <http://www.w3.org/2004/02/skos/core#notation> "Person|o|o\\"neil" .\n'
        '<https://w3id.org/envgraph/entity/organisation/c> <http://www.w3.org/2004/02/skos/core#notation> "Organisation|fund" .\n'
    )
    assert person_keys_in(text) == {"Person|d|kopbaev", 'Person|o|o"neil'}
    assert person_keys_in(_doc("x.txt", {"a": "d|kopbaev"})) == {"Person|d|kopbaev"}


def test_writing_a_document_adds_its_person_keys_and_removing_it_leaves_no_answer() -> None:
    with open_store(":memory:") as store:
        ensure_index(store)
        _write(store, "one.txt", {"daniyar-kopbayev": "d|kopbaev"})
        _write(store, "two.txt", {"aida-nurova": "a|nurova", "dana-kim": "d|kim"})
        keys = StoreKeys(store)
        assert keys.person_keys("d") == ["Person|d|kim", "Person|d|kopbaev"]
        assert keys.iri("Person|d|kopbaev") == f"{ENT}person/daniyar-kopbayev"
        assert keys.keys_of(f"{ENT}person/aida-nurova") == ["Person|a|nurova"]
        assert keys.labels(f"{ENT}person/aida-nurova") == ("aida-nurova", {})
        store.remove_document("one.txt")
        # the index may keep a key the store no longer has; the look-up by key tells
        assert "Person|d|kopbaev" in StoreKeys(store).person_keys("d")
        assert StoreKeys(store).iri("Person|d|kopbaev") is None
        assert has_index(store)


def test_an_update_naming_skos_notation_or_a_loaded_file_drops_the_index(tmp_path: Path) -> None:
    with open_store(":memory:") as store:
        ensure_index(store)
        store.update("DROP SILENT GRAPH g:inferred")
        assert has_index(store)  # the reasoner's writes leave it alone
        store.update('INSERT DATA { GRAPH <urn:g> { <urn:p> skos:notation "Person|x|new" } }')
        assert not has_index(store)
        assert ensure_index(store) is True  # made again, with the key the update added
        assert StoreKeys(store).person_keys("x") == ["Person|x|new"]
        source = tmp_path / "more.ttl"
        source.write_text('<urn:q> <http://www.w3.org/2004/02/skos/core#notation> "Person|y|other" .\n', encoding="utf-8")
        store.load_file(source)
        assert not has_index(store)
        ensure_index(store)
        assert StoreKeys(store).person_keys("y") == ["Person|y|other"]
        assert ensure_index(store) is False
        # a dump of another store brings that store's index: it does not stand for this one
        other = tmp_path / "other.trig"
        with open_store(":memory:") as elsewhere:
            ensure_index(elsewhere)
            elsewhere.dump(other, "trig")
        store.load_file(other)
        assert not has_index(store)


def test_the_index_is_not_seen_by_queries_over_entities(built_store: Path, tmp_path: Path) -> None:
    """The named queries give the same answers with the index graph as without it."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built_store, copy)
    queries = [q for q in list_queries() if all(p.optional for p in q.params)]

    def answers(store) -> dict[str, list[str]]:
        return {q.name: sorted(map(str, run_query(store, q).rows)) for q in queries}

    with open_store(str(copy)) as store:
        assert has_index(store)
        with_index = answers(store)
        store.update(f"DROP GRAPH <{KEY_INDEX_GRAPH}>")
        assert not has_index(store)
        without = answers(store)
    assert with_index == without
    assert len(queries) >= 5 and all(with_index[q.name] for q in queries if q.name in ("summary", "people"))


@pytest.mark.parametrize("initial", ["d", "ä", "x y"])
def test_blocks_are_kept_apart_by_initial(initial: str) -> None:
    with open_store(":memory:") as store:
        ensure_index(store)
        _write(store, "one.txt", {"p1": f"{initial}|surname", "p2": "z|surname"})
        assert StoreKeys(store).person_keys(initial) == [f"Person|{initial}|surname"]


def test_keys_come_back_in_the_order_the_store_lists_them() -> None:
    with open_store(":memory:") as store:
        _write(store, "one.txt", {f"p{n}": f"a|{name}" for n, name in enumerate(["karimova", "aliev", 'o"neil', "berdyev"])})
        listed = [str(r[0]) for r in store.query("SELECT DISTINCT ?k WHERE { ?e skos:notation ?k }").rows]
        chosen = ["Person|a|berdyev", 'Person|a|o"neil', "Person|a|aliev", "Person|a|missing"]
        expected = [k for k in listed if k in chosen] + ["Person|a|missing"]
        assert StoreKeys(store).in_store_order(chosen) == expected


def test_an_on_disk_store_orders_tied_keys_as_its_full_read_does(tmp_path: Path) -> None:
    """Short and long keys (the store encodes them differently: inline, or by a hash)."""
    names = ["aliev", "alieva", "abdurahmanova", "abdurakhmanov", "akhmetzhanovich", "aliyev", "ab", "o'neil"]
    with open_store(tmp_path / "store") as store:
        _write(store, "one.txt", {f"p{n}": f"a|{name}" for n, name in enumerate(names)})
        listed = [str(r[0]) for r in store.query("SELECT DISTINCT ?k WHERE { ?e skos:notation ?k }").rows]
        chosen = [f"Person|a|{name}" for name in reversed(names)]
        assert StoreKeys(store).in_store_order(chosen) == [k for k in listed if k in chosen]


@pytest.mark.parametrize(("update", "drops"), [
    ('INSERT DATA { GRAPH <urn:g> { <urn:a> skos:notation "Person|a|b" } }', True),
    ('INSERT DATA { <urn:a> <http://www.w3.org/2004/02/skos/core#notation> "x" }', True),
    ("PREFIX s: <http://www.w3.org/2004/02/skos/core#> INSERT { ?a s:notation ?k } WHERE { ?a <urn:p> ?k }", True),
    ("LOAD <http://example.org/data.ttl> INTO GRAPH <urn:g>", True),
    ("DROP SILENT GRAPH g:inferred", False),
    ('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:says> "Person|l|load", """skos:notation""" } }', False),
])
def test_which_updates_drop_the_index(update: str, drops: bool) -> None:
    from envgraph.keyindex import update_may_add_keys

    assert update_may_add_keys(update) is drops
    with open_store(":memory:") as store:
        ensure_index(store)
        if not update.startswith("LOAD"):  # no network here: the rule is checked above
            store.update(update)
            assert has_index(store) is not drops
