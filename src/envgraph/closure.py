"""Forward chaining of the reasoner's rules over a set of triples, in memory.

Pure functions over any hashable terms (envgraph.reason interns RDF terms to ints first): no
store, no I/O. The rules are the ones :mod:`envgraph.reason` reads from the ontology:

* ``s p o``, ``p ⊑ q``  ⇒ ``s q o``            (super-properties, closed transitively)
* ``s p o``, ``p ≡ q⁻`` ⇒ ``o q s``            (inverses)
* ``s p o``, ``p`` symmetric ⇒ ``o p s``
* ``x p y``, ``y p z``, ``p`` transitive ⇒ ``x p z``
* ``x a C``, ``C ⊑ D``  ⇒ ``x a D``            (class hierarchy, closed transitively)
* ``s p o``, ``p`` has domain ``C`` ⇒ ``s a C``; range ``C`` ⇒ ``o a C``
* ``x a C``, ``C ⊑ ∀p.D``, ``x p y`` ⇒ ``y a D``

Like owlrl, the rules fire on generalised triples (a literal may end up as a subject on the way,
e.g. through an inverse); the caller filters the conclusions it keeps.

Evaluation is semi-naive: every triple, asserted or derived, goes through the rules exactly
once, and the two-premise rules (transitivity, ``allValuesFrom``) join it only with the triples
processed before it, through indexes built on the way. The result is the least fixpoint, reached
in one pass over a work list instead of repeated rounds over all the data.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)
Fact = tuple[T, T, T]


@dataclass(frozen=True, slots=True)
class RuleIndex(Generic[T]):
    """The rules, indexed by the premise term that triggers them."""

    type_: T  # rdf:type
    superproperties: Mapping[T, tuple[T, ...]]  # p → every q with p ⊑ q
    inverses: Mapping[T, tuple[T, ...]]  # p → every q with s p o ⇒ o q s
    symmetric: frozenset[T]
    transitive: frozenset[T]
    superclasses: Mapping[T, tuple[T, ...]]  # C → every D with C ⊑ D
    domains: Mapping[T, tuple[T, ...]]  # p → classes of its subjects
    ranges: Mapping[T, tuple[T, ...]]  # p → classes of its objects
    avf_by_class: Mapping[T, tuple[tuple[T, T], ...]]  # C → (p, D) for C ⊑ ∀p.D
    avf_by_property: Mapping[T, tuple[tuple[T, T], ...]]  # p → (C, D) for C ⊑ ∀p.D

    def properties(self) -> frozenset[T]:
        """Every property a rule reads or writes (premises and conclusions)."""
        out: set[T] = set(self.symmetric) | set(self.transitive)
        for table in (self.superproperties, self.inverses):
            for p, qs in table.items():
                out.add(p)
                out.update(qs)
        out.update(self.domains)
        out.update(self.ranges)
        out.update(self.avf_by_property)
        return frozenset(out)

    def classes(self) -> frozenset[T]:
        """Every class a rule reads or writes (premises and conclusions)."""
        out: set[T] = set()
        for c, ds in self.superclasses.items():
            out.add(c)
            out.update(ds)
        for table in (self.domains, self.ranges):
            for cs in table.values():
                out.update(cs)
        for c, pairs in self.avf_by_class.items():
            out.add(c)
            out.update(d for _, d in pairs)
        return frozenset(out)


def entail(rules: RuleIndex[T], asserted: Iterable[Fact[T]]) -> list[Fact[T]]:
    """The triples the rules derive from ``asserted`` that are not in it (in derivation
    order; each once)."""
    type_ = rules.type_
    superproperties, inverses = rules.superproperties, rules.inverses
    symmetric, transitive = rules.symmetric, rules.transitive
    superclasses, domains, ranges = rules.superclasses, rules.domains, rules.ranges
    avf_by_class, avf_by_property = rules.avf_by_class, rules.avf_by_property
    # objects of each property that a join needs (transitive or allValuesFrom): p → s → {o}
    joined = transitive | frozenset(avf_by_property)
    objects: dict[T, dict[T, set[T]]] = {p: {} for p in joined}
    subjects: dict[T, dict[T, set[T]]] = {p: {} for p in transitive}  # p → o → {s}
    typed: dict[T, set[T]] = {}  # x → classes C of x with some C ⊑ ∀p.D

    known: set[Fact[T]] = set(asserted)
    queue: list[Fact[T]] = list(known)
    derived: list[Fact[T]] = []

    def add(fact: Fact[T]) -> None:
        if fact not in known:
            known.add(fact)
            derived.append(fact)
            queue.append(fact)

    while queue:
        s, p, o = queue.pop()
        if p == type_:
            for d in superclasses.get(o, ()):
                add((s, type_, d))
            restrictions = avf_by_class.get(o)
            if restrictions:
                typed.setdefault(s, set()).add(o)
                for q, d in restrictions:
                    for y in objects[q].get(s, ()):
                        add((y, type_, d))
            continue
        for q in superproperties.get(p, ()):
            add((s, q, o))
        for q in inverses.get(p, ()):
            add((o, q, s))
        if p in symmetric:
            add((o, p, s))
        for c in domains.get(p, ()):
            add((s, type_, c))
        for c in ranges.get(p, ()):
            add((o, type_, c))
        if p in joined:
            objects[p].setdefault(s, set()).add(o)
            if p in transitive:
                subjects[p].setdefault(o, set()).add(s)
                for z in objects[p].get(o, ()):
                    add((s, p, z))
                for w in subjects[p].get(s, ()):
                    add((w, p, o))
            restrictions = avf_by_property.get(p)
            if restrictions:
                classes = typed.get(s)
                if classes:
                    for c, d in restrictions:
                        if c in classes:
                            add((o, type_, d))
    return derived
