"""The named query library: documentation headers, expected rows on the fixture graph, labels in
the user's language, label resolution, and parameters that cannot break anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import URIRef

from envgraph.errors import QueryError
from envgraph.queries import (
    check_library,
    list_queries,
    load_query,
    param_values,
    parse_query_text,
    resolve_label,
    resolve_query,
    run_query,
)
from envgraph.sparqlutil import compact_iri
from envgraph.store import QueryResult, Store, open_store
from store_fixtures import GEF, HOSTILE_VALUES, UNDP, load_fixture

NAMES = [
    "cooccurrence",
    "country-initiatives",
    "entities",
    "events",
    "evidence",
    "funders",
    "leaders",
    "partners",
    "people",
    "summary",
]


@pytest.fixture(scope="module")
def store():
    with open_store(":memory:") as opened:
        load_fixture(opened)
        yield opened


def table(result: QueryResult) -> list[tuple[str, ...]]:
    """Rows as strings: IRIs compacted, unbound as ''."""
    return [
        tuple("" if v is None else compact_iri(str(v)) if isinstance(v, URIRef) else str(v) for v in row)
        for row in result.rows
    ]


def fingerprint(store: Store) -> str:
    """A hash of every quad in the store, to show nothing changed."""
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    lines = sorted(" ".join(str(t) for t in row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- the library -----------------------------------------------------------------------------


def test_every_query_is_documented_and_uses_its_parameters() -> None:
    queries = list_queries()
    assert [q.name for q in queries] == NAMES
    assert check_library(queries) == []
    for q in queries:
        assert q.title and q.description and q.text.lstrip().startswith("# title:")


def test_header_parsing() -> None:
    q = parse_query_text(
        "# title: T\n# description: first line\n#   second line\n"
        "# param actor: who (type: iri)\n# param from: since (type: date, optional)\n"
        "SELECT * WHERE { ?actor ?p ?from }\n",
        name="t",
    )
    assert q.title == "T"
    assert q.description == "first line second line"
    assert [(p.name, p.type, p.optional) for p in q.params] == [
        ("actor", "iri", False),
        ("from", "date", True),
    ]
    with pytest.raises(QueryError, match="unknown type"):
        parse_query_text("# param x: y (type: number)\nSELECT * {}", name="bad")
    with pytest.raises(QueryError, match="malformed parameter"):
        parse_query_text("# param x y\nSELECT * {}", name="bad")


def test_resolve_query_accepts_names_files_and_text(tmp_path: Path) -> None:
    assert resolve_query("funders").name == "funders"
    path = tmp_path / "mine.rq"
    path.write_text("# title: Mine\n# description: d\nSELECT ?s WHERE { ?s a env:Person }\n")
    assert resolve_query(str(path)).title == "Mine"
    assert resolve_query("SELECT * WHERE { ?s ?p ?o }").name == "inline"
    with pytest.raises(QueryError, match="known queries: cooccurrence"):
        load_query("nope")
    with pytest.raises(QueryError, match="no such query file"):
        resolve_query(str(tmp_path / "missing.rq"))


# --- expected rows on the fixture ------------------------------------------------------------


def test_funders(store: Store) -> None:
    assert table(run_query(store, "funders")) == [
        (
            "ent:organisation/european-union",
            "European Union",
            "ent:initiative/caspian-environment-programme",
            "Caspian Environment Programme",
            "Initiative",
            "1",
        ),
        (
            "ent:organisation/gef",
            "Global Environment Facility",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
            "Initiative",
            "1",
        ),
    ]
    assert [r[0] for r in table(run_query(store, "funders", {"funder": "GEF"}))] == [
        "ent:organisation/gef"
    ]


def test_leaders(store: Store) -> None:
    assert table(run_query(store, "leaders")) == [
        (
            "ent:organisation/undp",
            "United Nations Development Programme",
            "Organisation",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
            "Initiative",
            "1",
        )
    ]
    assert run_query(store, "leaders", {"initiative": "Caspian Environment Programme"}).rows == []


def test_partners(store: Store) -> None:
    rows = table(run_query(store, "partners", {"actor": "UNDP"}))
    assert rows == [
        (
            "ent:country/azerbaijan",
            "Azerbaijan",
            "Country",
            "sharedInitiative",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
        ),
        (
            "ent:organisation/gef",
            "Global Environment Facility",
            "Organisation",
            "cooperatesWith",
            "env:cooperatesWith",
            "",
        ),
        (
            "ent:organisation/gef",
            "Global Environment Facility",
            "Organisation",
            "sharedInitiative",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
        ),
        (
            "ent:country/kazakhstan",
            "Kazakhstan",
            "Country",
            "sharedInitiative",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
        ),
    ]
    # cooperation is found from either side, and events count as shared too
    assert ("ent:organisation/undp", "cooperatesWith") in {
        (r[0], r[3]) for r in table(run_query(store, "partners", {"actor": str(GEF)}))
    }
    assert ("ent:person/zhomart-aliyev", "sharedEvent") in {
        (r[0], r[3]) for r in table(run_query(store, "partners", {"actor": "ent:country/azerbaijan"}))
    }


def test_events_by_place_and_date(store: Store) -> None:
    summit = (
        "ent:event/baku-summit-2026",
        "Baku Summit",
        "2026-04-22",
        "2026-04-23",
        "ent:place/baku",
        "Baku",
    )
    day = ("ent:event/caspian-day-2025", "Caspian Day", "2025", "2025", "", "")
    assert table(run_query(store, "events")) == [day, summit]
    assert table(run_query(store, "events", {"place": "Azerbaijan"})) == [summit]  # Baku lies in it
    assert table(run_query(store, "events", {"place": "Baku"})) == [summit]
    assert table(run_query(store, "events", {"from": "2025-06"})) == [day, summit]  # year precision
    assert table(run_query(store, "events", {"from": "2026-04-23"})) == [summit]
    assert table(run_query(store, "events", {"from": "2026-04-24"})) == []
    assert table(run_query(store, "events", {"to": "2025-12-31"})) == [day]
    assert table(run_query(store, "events", {"from": "2026", "to": "2026"})) == [summit]


def test_an_event_dated_by_several_documents_spans_all_their_dates() -> None:
    with open_store(":memory:") as store:
        load_fixture(store)
        store.update(
            "INSERT DATA { GRAPH <https://w3id.org/envgraph/graph/later-report> { "
            "<https://w3id.org/envgraph/entity/event/baku-summit-2026> a env:Event ; "
            'env:startDate "2026-04-20"^^xsd:date ; env:endDate "2026-05-10"^^xsd:date } }'
        )
        rows = {r[0]: r[2:4] for r in table(run_query(store, "events"))}
        assert rows["ent:event/baku-summit-2026"] == ("2026-04-20", "2026-05-10")
        # the span is compared with the range: only the later report reaches into May
        hits = table(run_query(store, "events", {"from": "2026-05-01"}))
        assert [r[0] for r in hits] == ["ent:event/baku-summit-2026"]
        assert table(run_query(store, "events", {"from": "2026-05-11"})) == []


def test_people(store: Store) -> None:
    assert table(run_query(store, "people")) == [
        ("ent:person/anna-petrova", "Anna Petrova", "", "", ""),
        (
            "ent:person/zhomart-aliyev",
            "Zhomart Aliyev",
            "Minister of Ecology",
            "ent:organisation/ministry-of-ecology",
            "Ministry of Ecology",
        ),
    ]
    assert [r[0] for r in table(run_query(store, "people", {"organisation": "ministry of ecology"}))] == [
        "ent:person/zhomart-aliyev"
    ]


def test_country_initiatives(store: Store) -> None:
    assert table(run_query(store, "country-initiatives")) == [
        (
            "ent:country/azerbaijan",
            "Azerbaijan",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
            "participatesIn",
            "Global Environment Facility",
        ),
        (
            "ent:country/kazakhstan",
            "Kazakhstan",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
            "participatesIn",
            "Global Environment Facility",
        ),
        (
            "ent:country/turkmenistan",
            "Turkmenistan",
            "ent:initiative/caspian-environment-programme",
            "Caspian Environment Programme",
            "participatesIn",
            "European Union",
        ),
    ]
    assert len(run_query(store, "country-initiatives", {"country": "kazakhstan"}).rows) == 1


def test_evidence(store: Store) -> None:
    rows = table(
        run_query(store, "evidence", {"subject": "GEF", "predicate": "funds"})
    )
    assert rows == [
        (
            "doc:001_caspian.txt#fact-1",
            "ent:organisation/gef",
            "Global Environment Facility",
            "env:funds",
            "ent:initiative/blueing-the-caspian-sea",
            "Blueing the Caspian Sea",
            "001_caspian.txt",
            "doc:001_caspian.txt#char=0,102",
            "Financed by the Global Environment Facility (GEF), the Blueing the Caspian Sea "
            "project is led by UNDP.",
            "cue:funds:en:financed by",
            "Financed by",
            "0.85",
        )
    ]
    dated = table(run_query(store, "evidence", {"object": "2026-04-22"}))
    assert [(r[1], r[3], r[4], r[6]) for r in dated] == [
        ("ent:event/baku-summit-2026", "env:startDate", "2026-04-22", "002_baku.txt")
    ]
    assert len(run_query(store, "evidence").rows) == 19  # every fact of the fixture


def test_cooccurrence(store: Store) -> None:
    rows = table(run_query(store, "cooccurrence"))
    assert len(rows) == 7  # 6 pairs among GEF, UNDP, KZ, AZ on Blueing + EU/TM on the CEP
    assert all(r[4] == "1" for r in rows)
    pairs = {frozenset((r[0], r[2])) for r in rows}
    assert frozenset(("ent:organisation/european-union", "ent:country/turkmenistan")) in pairs
    assert frozenset(("ent:organisation/gef", "ent:organisation/undp")) in pairs
    mine = table(run_query(store, "cooccurrence", {"actor": "EU"}))
    assert [(r[0], r[2], r[5]) for r in mine] == [
        ("ent:country/turkmenistan", "ent:organisation/european-union", "Caspian Environment Programme")
    ]


def test_entities(store: Store) -> None:
    rows = table(run_query(store, "entities"))
    assert len(rows) == 15
    assert ("ent:country/azerbaijan", "Country", "Azerbaijan", "2") in rows
    assert ("ent:person/anna-petrova", "Person", "Anna Petrova", "1") in rows
    people = table(run_query(store, "entities", {"class": "Person"}))
    assert [r[0] for r in people] == ["ent:person/anna-petrova", "ent:person/zhomart-aliyev"]
    assert table(run_query(store, "entities", {"class": "env:Person"})) == people


def test_summary(store: Store) -> None:
    rows = {(r[0], r[1]): int(r[2]) for r in table(run_query(store, "summary"))}
    assert rows[("type", "Organisation")] == 4
    assert rows[("type", "Country")] == 3
    assert rows[("type", "Document")] == 3
    assert rows[("type", "Fact")] == 19
    assert rows[("property", "funds")] == 2
    assert rows[("property", "participatesIn")] == 3
    assert rows[("property", "startDate")] == 2


# --- labels in the user's language -----------------------------------------------------------


def test_lang_picks_russian_labels_and_falls_back_to_english(store: Store) -> None:
    rows = table(run_query(store, "funders", lang="ru"))
    assert [(r[1], r[3]) for r in rows] == [
        ("European Union", "Caspian Environment Programme"),  # no Russian label: English
        ("Глобальный экологический фонд", "Blueing the Caspian Sea"),
    ]
    kk = {r[0]: r[2] for r in table(run_query(store, "entities", {"class": "Country"}, lang="kk"))}
    assert kk["ent:country/kazakhstan"] == "Қазақстан"
    assert kk["ent:country/azerbaijan"] == "Azerbaijan"
    assert run_query(store, "people", {"lang": "ru"}).rows[1][1].language == "ru"  # type: ignore[union-attr]


def test_lang_falls_back_to_rdfs_label_without_preflabels() -> None:
    with open_store(":memory:") as mem:
        mem.update(
            "INSERT DATA { GRAPH <urn:g> { <https://w3id.org/envgraph/entity/organisation/x> "
            'a env:Organisation ; rdfs:label "Only Label" ; '
            "env:funds <https://w3id.org/envgraph/entity/initiative/y> } }"
        )
        rows = table(run_query(mem, "funders", lang="ru"))
        assert rows[0][1] == "Only Label"
        assert rows[0][3] == "https://w3id.org/envgraph/entity/initiative/y"  # no label: the IRI


# --- parameters ------------------------------------------------------------------------------


def test_labels_resolve_case_insensitively_on_pref_alt_and_rdfs_labels(store: Store) -> None:
    assert resolve_label(store, "gef") == [GEF]
    assert resolve_label(store, "ГЭФ") == [GEF]
    assert resolve_label(store, "UNITED NATIONS DEVELOPMENT PROGRAMME") == [UNDP]
    assert resolve_label(store, "nobody") == []


def test_an_ambiguous_label_runs_the_query_for_each_match() -> None:
    with open_store(":memory:") as mem:
        load_fixture(mem)
        mem.update(
            "INSERT DATA { GRAPH <urn:g> { <https://w3id.org/envgraph/entity/organisation/eu2> "
            'a env:Organisation ; skos:altLabel "GEF"@en ; '
            "env:funds <https://w3id.org/envgraph/entity/initiative/caspian-environment-programme> } }"
        )
        funders = {r[0] for r in table(run_query(mem, "funders", {"funder": "gef"}))}
        assert funders == {"ent:organisation/gef", "ent:organisation/eu2"}


def test_param_value_types(store: Store) -> None:
    funds = load_query("evidence").param("predicate")
    assert param_values(store, funds, "funds") == [URIRef("https://w3id.org/envgraph/ontology#funds")]
    assert param_values(store, funds, "env:leads") == [URIRef("https://w3id.org/envgraph/ontology#leads")]
    actor = load_query("partners").param("actor")
    assert param_values(store, actor, "ent:organisation/gef") == [GEF]
    assert param_values(store, actor, f"<{GEF}>") == [GEF]
    assert [str(v) for v in param_values(store, actor, "Nobody Known")] == ["Nobody Known"]


def test_unknown_and_missing_parameters_are_errors(store: Store) -> None:
    with pytest.raises(QueryError, match="has no parameter colour"):
        run_query(store, "funders", {"colour": "red"})
    with pytest.raises(QueryError, match="needs --param actor"):
        run_query(store, "partners")


def test_an_unknown_label_gives_no_rows(store: Store) -> None:
    assert run_query(store, "partners", {"actor": "Nobody Known"}).rows == []


def test_ad_hoc_queries_bind_lang_only_when_used(store: Store) -> None:
    result = run_query(store, "SELECT ?s WHERE { ?s a env:Convention }", lang="ru")
    assert result.vars == ["s"]
    labelled = run_query(
        store,
        "SELECT ?l WHERE { ?s a env:Convention ; skos:prefLabel ?l FILTER(LANG(?l) = ?lang) }",
        lang="ru",
    )
    assert table(labelled) == [("Тегеранская конвенция",)]


def _all_parameter_cases() -> list[tuple[str, str]]:
    cases = [(q.name, p.name) for q in list_queries() for p in q.params]
    return cases + [(q.name, "lang") for q in list_queries()]


@pytest.mark.parametrize(("name", "param"), _all_parameter_cases())
def test_hostile_values_change_nothing_and_raise_nothing(store: Store, name: str, param: str) -> None:
    before = fingerprint(store)
    query = load_query(name)
    required = {p.name: "GEF" for p in query.params if not p.optional and p.name != param}
    for value in HOSTILE_VALUES:
        result = run_query(store, query, {**required, param: value})
        assert isinstance(result, QueryResult)
    assert fingerprint(store) == before


def _replicated_store(copies: int) -> Store:
    """The fixture's documents copied ``copies`` times under new document names: the same
    entities, labels and relations repeated in many graphs, as in a real archive."""
    from rdflib import Literal as Lit

    from envgraph.settings import DOC_BASE
    from store_fixtures import fixture_docs

    def rename(term, i):  # type: ignore[no-untyped-def]
        if isinstance(term, URIRef) and str(term).startswith(DOC_BASE):
            return URIRef(DOC_BASE + f"c{i}-" + str(term)[len(DOC_BASE):])
        if isinstance(term, Lit) and str(term).endswith(".txt"):
            return Lit(f"c{i}-{term}")
        return term

    mem = open_store(":memory:")
    for i in range(copies):
        for doc in fixture_docs():
            triples = [(rename(s, i), p, rename(o, i)) for s, p, o in doc.triples]
            mem.replace_document(f"c{i}-{doc.doc_id}", f"{doc.graph_iri}-{i}", triples, doc.sha256)
    return mem


@pytest.mark.slow
def test_named_queries_stay_fast_when_entities_repeat_across_many_documents(store: Store) -> None:
    import time

    big = _replicated_store(60)  # 180 documents; joins over the multiset union would explode
    try:
        assert len(big.document_hashes()) == 180
        for query in list_queries():
            params = {p.name: "GEF" for p in query.params if not p.optional}
            started = time.monotonic()
            result = run_query(big, query, params, lang="ru")
            elapsed = time.monotonic() - started
            assert elapsed < 10, f"{query.name} took {elapsed:.1f} s"
            small = run_query(store, query, params, lang="ru")
            if query.name not in ("evidence", "summary", "entities", "funders", "leaders"):
                assert result.rows == small.rows, query.name  # copies change nothing
        funders = table(run_query(big, "funders"))
        assert [r[-1] for r in funders] == ["60", "60"]  # but the documents are counted
    finally:
        big.close()
