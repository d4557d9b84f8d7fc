"""The in-memory rule engine: each rule kind, chains of them, and the semi-naive work list
against a naive fixpoint (every rule over every pair of triples, round after round)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from envgraph.closure import RuleIndex, entail

A = "a"  # rdf:type
RULES = RuleIndex(
    type_=A,
    superproperties={"leads": ("participatesIn",), "subOrg": ("partOf",)},
    inverses={"partOf": ("hasPart",), "hasPart": ("partOf",), "participatesIn": ("hasParticipant",)},
    symmetric=frozenset({"cooperatesWith"}),
    transitive=frozenset({"partOf", "hasPart"}),
    superclasses={"Country": ("Agent",), "Event": ("Thing",), "Meeting": ("Event", "Thing")},
    domains={"leads": ("Agent",), "cooperatesWith": ("Agent",)},
    ranges={"participatesIn": ("Activity",)},
    avf_by_class={"Event": (("partOf", "Event"),)},
    avf_by_property={"partOf": (("Event", "Event"),)},
)


def naive(rules: RuleIndex[str], asserted: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The same rules, applied to all the triples until a round adds nothing."""
    known = set(asserted)
    while True:
        new: set[tuple[str, str, str]] = set()
        for s, p, o in known:
            if p == rules.type_:
                new.update((s, p, d) for d in rules.superclasses.get(o, ()))
                continue
            new.update((s, q, o) for q in rules.superproperties.get(p, ()))
            new.update((o, q, s) for q in rules.inverses.get(p, ()))
            if p in rules.symmetric:
                new.add((o, p, s))
            new.update((s, rules.type_, c) for c in rules.domains.get(p, ()))
            new.update((o, rules.type_, c) for c in rules.ranges.get(p, ()))
        for (x, p, y), (y2, q, z) in itertools.product(known, known):
            if p == q and p in rules.transitive and y == y2:
                new.add((x, p, z))
            if p == rules.type_ and y2 == x:
                for prop, d in rules.avf_by_class.get(y, ()):
                    if prop == q:
                        new.add((z, rules.type_, d))
        if new <= known:
            return known - asserted
        known |= new


def test_each_rule_kind() -> None:
    derived = set(
        entail(
            RULES,
            [
                ("undp", "leads", "blueing"),
                ("gef", "cooperatesWith", "undp"),
                ("kz", A, "Country"),
                ("day", "partOf", "summit"),
                ("session", "partOf", "day"),
                ("session", A, "Meeting"),
            ],
        )
    )
    assert {
        ("undp", "participatesIn", "blueing"),  # super-property
        ("blueing", "hasParticipant", "undp"),  # inverse of the super-property
        ("undp", A, "Agent"),  # domain
        ("blueing", A, "Activity"),  # range of the super-property
        ("undp", "cooperatesWith", "gef"),  # symmetric
        ("gef", A, "Agent"),
        ("kz", A, "Agent"),  # class hierarchy
        ("session", "partOf", "summit"),  # transitive
        ("summit", "hasPart", "session"),  # inverse, then transitive
        ("session", A, "Event"),
        ("day", A, "Event"),  # allValuesFrom through Meeting ⊑ Event
        ("summit", A, "Event"),  # … and along the chain
        ("summit", A, "Thing"),
    } <= derived


def test_asserted_triples_are_not_derived_and_nothing_twice() -> None:
    asserted = [("x", "leads", "y"), ("x", "participatesIn", "y"), ("x", "leads", "y")]
    derived = entail(RULES, asserted)
    assert ("x", "participatesIn", "y") not in derived
    assert len(derived) == len(set(derived))
    assert entail(RULES, []) == []


def test_the_derivation_order_does_not_matter() -> None:
    asserted = [("a", "partOf", "b"), ("b", "partOf", "c"), ("c", "partOf", "d"), ("a", A, "Event")]
    forward = set(entail(RULES, asserted))
    backward = set(entail(RULES, list(reversed(asserted))))
    assert forward == backward == naive(RULES, set(asserted))
    assert ("a", "partOf", "d") in forward and ("d", A, "Event") in forward


NODES = st.sampled_from(["n0", "n1", "n2", "n3", "n4"])
PROPERTIES = st.sampled_from(
    ["leads", "subOrg", "partOf", "hasPart", "participatesIn", "cooperatesWith", "other"]
)
CLASSES = st.sampled_from(["Country", "Event", "Meeting", "Agent", "Other"])
TRIPLES = st.one_of(
    st.tuples(NODES, PROPERTIES, NODES),
    st.tuples(NODES, st.just(A), CLASSES),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TRIPLES, max_size=12))
def test_semi_naive_equals_naive_fixpoint(asserted: list[tuple[str, str, str]]) -> None:
    derived = entail(RULES, asserted)
    assert set(derived) == naive(RULES, set(asserted))
    assert len(derived) == len(set(derived))


def test_rule_index_lists_the_terms_rules_read_and_write() -> None:
    assert {"leads", "participatesIn", "hasParticipant", "cooperatesWith", "partOf"} <= RULES.properties()
    assert "other" not in RULES.properties()
    assert {"Country", "Agent", "Activity", "Meeting", "Event", "Thing"} == RULES.classes()
