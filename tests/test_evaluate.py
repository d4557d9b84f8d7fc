"""The scorer: entities by overlapping spans and type, relations by property and both ends."""

from __future__ import annotations

from envgraph.evaluate import GoldDocument, GoldEntity, PredictedDocument, score_document

TEXT = "The Steppe Fund and Kazakhstan cooperate; the Steppe Fund funds the Dune Project."
FUND, KZ, PROJECT = "urn:x:fund", "urn:x:kz", "urn:x:project"


def gold(*relations: tuple[str, str, str]) -> GoldDocument:
    entities = {
        "fund": GoldEntity("fund", "Organisation", "Steppe Fund", ("Steppe Fund",)),
        "kz": GoldEntity("kz", "Country", "Kazakhstan", ("Kazakhstan",)),
        "project": GoldEntity("project", "Initiative", "Dune Project", ("Dune Project",)),
    }
    return GoldDocument("d.txt", ("en",), entities, frozenset(relations), frozenset())


def predicted(*relations: tuple[str, str, str]) -> PredictedDocument:
    def spans(needle: str) -> list[tuple[int, int]]:
        start = TEXT.index(needle)
        return [(start, start + len(needle))]

    types = {FUND: "Organisation", KZ: "Country", PROJECT: "Initiative"}
    found = {FUND: spans("Steppe Fund"), KZ: spans("Kazakhstan"), PROJECT: spans("Dune Project")}
    return PredictedDocument("d.txt", TEXT, types, found, frozenset(relations), frozenset())


def test_a_symmetric_relation_matches_in_either_direction() -> None:
    score, _ = score_document(gold(("fund", "cooperatesWith", "kz")), predicted((KZ, "cooperatesWith", FUND)))
    assert (score.relations.tp_gold, score.relations.tp_pred) == (1, 1)
    assert score.missed_relations == [] and score.spurious_relations == []


def test_a_directed_relation_does_not_match_the_wrong_way_round() -> None:
    score, _ = score_document(gold(("fund", "funds", "project")), predicted((PROJECT, "funds", FUND)))
    assert (score.relations.tp_gold, score.relations.tp_pred) == (0, 0)
    assert score.missed_relations == [("fund", "funds", "project")]


def test_entities_match_by_overlapping_span_and_type() -> None:
    score, alignment = score_document(gold(), predicted())
    assert alignment["fund"] == {FUND} and alignment["project"] == {PROJECT}
    assert (score.entities.tp_gold, score.entities.n_gold) == (3, 3)
