"""Translations of one unknown actor in a multilingual document, found through the people in it.

A press release in five languages names the UNOPS Programme Management Office five times, in
translations no lexicon holds ("Programme Management Office", "Proqram İdarəetmə Ofisi",
"Бағдарламаларды басқару кеңсесі", ...). The words share nothing, but the people do: the same
person, resolved across languages and scripts, works for each of them, one per language. So:
discovered organisations that one person works for, each named in a different language of the
same document, are one organisation.

The rule stays on the safe side: every organisation of a group is named in one language only, no
two in the same language (a person who works for two bodies in one language works for two
bodies), and lexicon actors are never merged (they already are one node).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from envgraph.model import Entity, Mention, Relation


def translation_groups(
    resolved: Sequence[tuple[Mention, str]], entities: dict[str, Entity], relations: Iterable[Relation]
) -> list[tuple[str, ...]]:
    """Groups of entity IRIs that name one organisation, each group in document order (the
    first IRI, named earliest, is the one the others merge into)."""
    languages: dict[str, set[str]] = defaultdict(set)
    first_seen: dict[str, int] = {}
    for mention, iri in resolved:
        if not mention.generic:
            languages[iri].add(mention.lang)
            first_seen.setdefault(iri, mention.norm_start)
    employers: dict[str, list[str]] = defaultdict(list)
    for relation in relations:
        entity = entities.get(relation.object)
        if (relation.predicate == "worksFor" and entity is not None and not entity.from_lexicon
                and entity.type == "Organisation" and relation.object not in employers[relation.subject]):
            employers[relation.subject].append(relation.object)
    parent: dict[str, str] = {}

    def root(iri: str) -> str:
        while parent.get(iri, iri) != iri:
            iri = parent[iri]
        return iri

    for person in sorted(employers):
        orgs = [o for o in employers[person] if len(languages.get(o, ())) == 1]
        if len(orgs) < 2 or len(orgs) != len(employers[person]):
            continue
        langs = [next(iter(languages[o])) for o in orgs]
        if len(set(langs)) != len(langs):
            continue  # two bodies named in one language are two bodies
        ordered = sorted(orgs, key=lambda o: first_seen.get(o, 0))
        target = root(ordered[0])
        for other in ordered[1:]:
            other_root = root(other)
            if other_root != target:
                first, second = sorted((target, other_root), key=lambda o: first_seen.get(o, 0))
                parent[second] = first
                target = first
    members: dict[str, list[str]] = defaultdict(list)
    for iri in sorted({*parent, *parent.values()}, key=lambda o: first_seen.get(o, 0)):
        members[root(iri)].append(iri)
    return sorted((tuple(group) for group in members.values() if len(group) > 1), key=lambda g: first_seen.get(g[0], 0))


def registry_keys(resolved: Sequence[tuple[Mention, str]], groups: Sequence[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """The groups as resolver registry keys ("Organisation|key"), one per IRI, so that another
    resolver (a parallel build's shared one) can make the same merges."""
    key_of: dict[str, str] = {}
    for mention, iri in resolved:
        key_of.setdefault(iri, f"{mention.type}|{mention.key}")
    return tuple(tuple(key_of[iri] for iri in group if iri in key_of) for group in groups)
