"""Resolve mentions to entities: one node per real-world actor across documents, languages,
scripts and inflections.

* A lexicon mention resolves to its entry; a short name shared by several entries (two
  countries' ministries) is decided by the countries mentioned around it.
* A discovered mention resolves by its normalised key (stems in Latin skeleton), so the same
  name inflected elsewhere meets it; an acronym defined in parentheses joins its long form,
  in this document and in later ones.
* A person resolves by a spelling-independent key of initial and surname, so Zhomart Aliyev,
  Жомарт Алиев and Ж. Алиев meet.
* A common-noun event ("the forum", "sessiyada") joins the nearest named event of the same kind
  in the document.

IRIs are deterministic: a lexicon entry's IRI comes from its id; a discovered actor's from the
first label it was seen with, and it keeps that IRI for good: what earlier builds stored is
known to the resolver, so adding a document renames nothing. Either it is seeded with every key
of the store (``known_keys``), or it asks a :class:`KeySource` one key at a time when a document
meets a name (the build does this, so that adding a file costs the same whatever the store's
size). Both give the same IRIs: the source answers as the store was when the build began.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from rapidfuzz import fuzz

from envgraph.keys import skeleton, slug, stem
from envgraph.labels import preferred_label
from envgraph.langdata import LanguageData
from envgraph.lexicon import Lexicon, sibling_key
from envgraph.model import Entity, Mention
from envgraph.settings import ENTITY_BASE


def entity_iri(type_name: str, local: str) -> str:
    return f"{ENTITY_BASE}{type_name.lower()}/{local}"


def lexicon_iri(lexicon: Lexicon, entry_id: str) -> str:
    entry = lexicon.entries[entry_id]
    return entity_iri(entry.type, entry_id.replace("_", "-"))


class KeySource(Protocol):
    """What earlier builds stored, asked one key at a time (see envgraph.keyindex.StoreKeys)."""

    def iri(self, registry_key: str) -> str | None:
        """The IRI stored for ``Type|key``, if any."""

    def keys_of(self, iri: str) -> list[str]:
        """The keys stored for ``iri``."""

    def labels(self, iri: str) -> tuple[str | None, dict[str, str]]:
        """The stored rdfs:label and prefLabel per language of ``iri``."""

    def person_keys(self, initial: str) -> list[str]:
        """Every stored ``Person|initial|…`` key (it may also list keys no longer stored)."""

    def in_store_order(self, keys: Sequence[str]) -> list[str]:
        """``keys`` in the order in which the store lists keys."""


@dataclass
class Resolver:
    """Cross-document state: which key names which IRI. Seed ``known_keys`` from the store, or
    give a ``source`` to look keys up in it as they are met.

    With a source, ``known_keys`` holds the keys this resolver registered itself and ``stored``
    what the source answered (``None``: not stored). Keys are looked up in ``known_keys`` first,
    then in the store, exactly as in a resolver seeded with the store's keys (whose registry
    holds the store's keys, in the store's order, before its own). The source must answer as
    the store was when this resolver started: :meth:`resolve` therefore looks up every key a
    document will write before it is written (see :meth:`remember`)."""

    lexicon: Lexicon
    data: LanguageData
    known_keys: dict[str, str] = field(default_factory=dict)  # "Type|key" -> IRI
    acronyms: dict[str, str] = field(default_factory=dict)  # "ACRONYM" -> IRI
    used_iris: set[str] = field(default_factory=set)
    # a discovered actor keeps the labels it was first seen with, in every document graph
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> rdfs:label
    pref_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> lang -> label
    source: KeySource | None = None
    stored: dict[str, str | None] = field(default_factory=dict)  # "Type|key" -> stored IRI
    merged: dict[str, str] = field(default_factory=dict)  # stored IRI -> IRI it was unified with

    # the registry's person keys by initial, in registry order: _person_iri looks them up
    # instead of scanning every key (the registry grows with the corpus)
    _persons: dict[str, list[tuple[str, str]]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.used_iris.update(self.known_keys.values())
        for key, iri in self.known_keys.items():
            if key.startswith("Person|"):
                self._index_person(key, iri)

    def _index_person(self, registry_key: str, iri: str) -> None:
        initial, _, surname = registry_key[len("Person|"):].partition("|")
        self._persons.setdefault(initial, []).append((surname, iri))

    def _register_person(self, registry_key: str, iri: str) -> None:
        """Add a person key to the registry (and to the index) unless it is there already."""
        if registry_key not in self.known_keys:
            self.known_keys[registry_key] = iri
            self._index_person(registry_key, iri)

    # -- public -------------------------------------------------------------------------------

    def resolve(self, mentions: list[Mention]) -> tuple[list[tuple[Mention, str]], dict[str, Entity]]:
        """Entity IRI for every mention of one document, and the entities with their labels."""
        mentions = self._link_generic_events(mentions)
        mentions = self._titles_of_parts(mentions)
        country_context = self._country_context(mentions)
        resolved: list[tuple[Mention, str]] = []
        entities: dict[str, Entity] = {}
        persons: list[tuple[Mention, str]] = []
        for mention in mentions:
            if mention.entry_ids:
                iri = lexicon_iri(self.lexicon, self._choose_entry(mention, country_context))
            elif mention.type == "Person":
                iri = self._person_iri(mention, persons)
                persons.append((mention, iri))
            else:
                iri = self._discovered_iri(mention)
            resolved.append((mention, iri))
            self._add_labels(entities, iri, mention)
        # the graph will carry each discovered actor's key: know what the store said about
        # them before it is written (an acronym's key is not always registered)
        self.remember(f"{e.type}|{e.key}" for e in entities.values() if not e.from_lexicon and e.key)
        return resolved, entities

    def unify(self, groups: Sequence[Sequence[str]]) -> None:
        """Make each group of registry keys ("Organisation|key") name one actor: the IRI of the
        group's first key. Used for translations found after resolution (envgraph.align).

        Stored keys take part as in a resolver seeded with them: a stored key whose actor is
        merged names the group's IRI from now on (``merged``, applied to the store's answers)."""
        for group in groups:
            iris = [iri for iri in map(self._known, group) if iri is not None]
            if len(iris) < 2:
                continue
            target, merged = iris[0], set(iris[1:]) - {iris[0]}
            for key, iri in self.known_keys.items():
                if iri in merged:
                    self.known_keys[key] = target
            for acronym, iri in self.acronyms.items():
                if iri in merged:
                    self.acronyms[acronym] = target
            if self.source is not None:
                self.merged.update(dict.fromkeys(merged, target))
            for initial, entries in self._persons.items():
                self._persons[initial] = [(surname, target if iri in merged else iri) for surname, iri in entries]

    def remember(self, keys: Iterable[str]) -> None:
        """Look ``keys`` up in the store now, before a write changes what it says about them
        (the keys of a document about to be replaced, or about to be written)."""
        if self.source is None:
            return
        for key in keys:
            if key not in self.known_keys:
                self._stored_raw(key)

    def keys(self) -> dict[str, str]:
        """The key registry, to be stored with the graph (env:key)."""
        return dict(self.known_keys)

    # -- what the store knows -----------------------------------------------------------------

    def _known(self, key: str) -> str | None:
        """The IRI of a registry key: registered here, else stored."""
        iri = self.known_keys.get(key)
        if iri is None and self.source is not None:
            return self._stored_iri(key)
        return iri

    def _stored_iri(self, key: str) -> str | None:
        """The IRI a stored key names now: as stored, unless :meth:`unify` merged that actor."""
        iri = self._stored_raw(key)
        seen: set[str] = set()
        while iri in self.merged and iri not in seen:
            seen.add(iri)
            iri = self.merged[iri]
        return iri

    def _stored_raw(self, key: str) -> str | None:
        """The IRI the store gives ``key`` (asked once, then remembered)."""
        if key in self.stored:
            return self.stored[key]
        assert self.source is not None
        iri = self.stored[key] = self.source.iri(key)
        if iri is not None and iri not in self.used_iris:
            # as seeded: a stored actor's IRI is taken, and it keeps its stored labels
            self.used_iris.add(iri)
            label, prefs = self.source.labels(iri)
            if label is not None:
                self.labels.setdefault(iri, label)
            for language, text in prefs.items():
                self.pref_labels.setdefault(iri, {}).setdefault(language, text)
        return iri

    def _taken(self, iri: str) -> bool:
        """Whether ``iri`` already names an actor (here, or stored under one of its keys)."""
        if iri in self.used_iris:
            return True
        if self.source is None:
            return False
        return any(k not in self.known_keys and self._stored_raw(k) == iri for k in self.source.keys_of(iri))

    def _stored_person(self, initial: str, surname: str) -> str | None:
        """The stored person whose key has this initial and a surname close to ``surname``; of
        several, the first in the store's order (as a seeded registry would meet them)."""
        if self.source is None:
            return None
        hits: list[tuple[str, str]] = []
        for key in self.source.person_keys(initial):
            if key in self.known_keys:
                continue  # registered by this resolver, not stored before it started
            o_initial, _, o_surname = key[len("Person|"):].partition("|")
            if initial == o_initial and fuzz.ratio(surname, o_surname) >= 88:
                iri = self._stored_iri(key)
                if iri is not None:
                    hits.append((key, iri))
        if len({iri for _, iri in hits}) > 1:
            order = {k: n for n, k in enumerate(self.source.in_store_order([k for k, _ in hits]))}
            hits.sort(key=lambda hit: order[hit[0]])
        return hits[0][1] if hits else None

    # -- lexicon ------------------------------------------------------------------------------

    def _country_context(self, mentions: list[Mention]) -> list[tuple[int, str]]:
        """(position, ISO code) of every country mentioned, for disambiguation."""
        out: list[tuple[int, str]] = []
        for m in mentions:
            for entry_id in m.entry_ids[:1]:
                entry = self.lexicon.entries[entry_id]
                if entry.type == "Country" and entry.country:
                    out.append((m.norm_start, entry.country))
        return out

    def _choose_entry(self, mention: Mention, context: list[tuple[int, str]]) -> str:
        if len(mention.entry_ids) == 1:
            entry = self.lexicon.entries[mention.entry_ids[0]]
            # "Әзербайжан Республикасы Экология ... министрлігі": a bare name the lexicon gives
            # to one state's ministry, right after another state's name, is that state's ministry
            before = [code for pos, code in context if 0 < mention.norm_start - pos <= 40]
            if entry.country and before and before[-1] != entry.country:
                sibling = self.lexicon.siblings.get((sibling_key(entry.label), before[-1]))
                if sibling:
                    return sibling
            return mention.entry_ids[0]
        codes = {self.lexicon.entries[e].country for e in mention.entry_ids}
        if context and codes - {None}:
            nearest = sorted(context, key=lambda pc: abs(pc[0] - mention.norm_start))
            for _, code in nearest[:6]:
                for entry_id in mention.entry_ids:
                    if self.lexicon.entries[entry_id].country == code:
                        return entry_id
        return mention.entry_ids[0]

    # -- discovered actors --------------------------------------------------------------------

    def _discovered_iri(self, mention: Mention) -> str:
        if mention.rule.startswith("acronym") and mention.text.split("-")[0].isupper():
            acronym = mention.text.split("-")[0].split("'")[0]
            if mention.rule == "acronym:unknown" and acronym in self.acronyms:
                return self.acronyms[acronym]
        registry_key = f"{mention.type}|{mention.key}"
        iri = self._known(registry_key)
        if iri is None:
            iri = self._new_iri(mention.type, mention.label or mention.text)
            self.known_keys[registry_key] = iri
        if mention.rule == "acronym:defined":
            self.acronyms[mention.text.split("-")[0].split("'")[0]] = iri
        return iri

    def _new_iri(self, type_name: str, label: str) -> str:
        base = slug(label, self.data)[:80].strip("-") or "x"
        iri = entity_iri(type_name, base)
        n = 2
        while self._taken(iri):
            iri = entity_iri(type_name, f"{base}-{n}")
            n += 1
        self.used_iris.add(iri)
        return iri

    def _person_iri(self, mention: Mention, seen: list[tuple[Mention, str]]) -> str:
        initial, _, surname = mention.key.partition("|")
        for other, iri in seen:
            o_initial, _, o_surname = other.key.partition("|")
            compatible = not initial or not o_initial or initial == o_initial
            close = fuzz.ratio(surname, o_surname) >= 80 or (
                # Regner-Burke / Регнер-Бёрк: the same given name makes a looser surname enough
                initial and initial == o_initial and fuzz.ratio(_given(mention, self.data), _given(other, self.data)) >= 80
                and fuzz.ratio(surname, o_surname) >= 70
            )
            if compatible and close:
                if self._known(f"Person|{mention.key}") is None:
                    self._register_person(f"Person|{mention.key}", iri)
                return iri
        registry_key = f"Person|{mention.key}"
        known = self._known(registry_key)
        if known is not None:
            return known
        # a close surname with the same initial: stored keys first, then this resolver's own
        stored = self._stored_person(initial, surname)
        if stored is not None:
            self._register_person(registry_key, stored)
            return stored
        for o_surname, iri in self._persons.get(initial, ()):
            if fuzz.ratio(surname, o_surname) >= 88:
                self._register_person(registry_key, iri)
                return iri
        iri = self._new_iri("Person", mention.label or mention.text)
        self._register_person(registry_key, iri)
        return iri

    def _link_generic_events(self, mentions: list[Mention]) -> list[Mention]:
        """Resolve common-noun events. "the forum" joins the named event of the same kind (the
        nearest before it, else the next); "the opening ceremony", "the first session" with no
        named event of their kind become events of their own (parts of the main event, see
        relations); a bare "the session" then joins the last of those."""
        named = [m for m in mentions if m.type == "Event" and not m.generic and not m.nested]
        initiatives = [m for m in mentions if m.type == "Initiative" and not m.generic and not m.nested]
        bodies = [m for m in mentions if m.type == "Organisation" and not m.generic and not m.nested]
        last_part: dict[str, Mention] = {}
        out: list[Mention] = []
        for m in mentions:
            if not m.generic or not m.key.startswith("generic:"):
                out.append(m)  # a name, or a common noun already linked (re-resolution)
                continue
            if m.type == "Organisation":
                # "head of the agency", "фонда", "Mərkəzin": the last named body before it with
                # that head word; else no actor (a body nobody named)
                # the head word's stem, at most four letters ("Qordyñ" -> qor, "агентства" -> agen)
                head = stem(skeleton(m.text.split("-")[0], self.data), m.lang, self.data)[:4] or m.key.split(":", 1)[1][:4]
                same = [n for n in bodies if n.norm_start < m.norm_start
                        and any(w.startswith(head) for w in (*n.key.split(), *skeleton(n.text, self.data).split()))]
                if same:
                    out.append(replace(m, key=same[-1].key, entry_ids=same[-1].entry_ids, label=same[-1].label,
                                       confidence=0.4))
                continue
            if m.type == "Initiative":
                # "the project": the named initiative before it, else the first after; else no actor
                before = [n for n in initiatives if n.norm_start < m.norm_start]
                target_i = before[-1] if before else (initiatives[0] if initiatives else None)
                if target_i is not None:
                    out.append(replace(m, key=target_i.key, entry_ids=target_i.entry_ids, label=target_i.label,
                                       confidence=0.4))
                continue
            head = m.key.split(":", 1)[1][:4]
            same_head = [n for n in named if any(w.startswith(head) for w in n.key.split())]
            before = [n for n in same_head if n.norm_start < m.norm_start]
            target = before[-1] if before else (same_head[0] if same_head else None)
            kind = self._part_kind(m.label)
            if target is None and (m.rule.endswith(":part-modifier") or kind):
                # a part of the main event: keyed by that event and the kind of part, so the same
                # session named in several languages or scripts is one event
                earlier = [n for n in named if n.norm_start < m.norm_start]
                main = earlier[-1] if earlier else (named[0] if named else None)
                what = kind or " ".join(skeleton(w, self.data) for w in m.label.split())
                key = f"part:{main.key if main else m.doc_id}#{what}"
                part = replace(m, key=key, generic=False, rule=m.rule.replace(":generic", ":part"), confidence=0.5)
                last_part[head] = part
                out.append(part)
                continue
            if target is None:
                target = last_part.get(head)
            if target is None:
                earlier = [n for n in named if n.norm_start < m.norm_start]
                target = earlier[-1] if earlier else (named[0] if named else None)
            if target is None:
                out.append(replace(m, key=f"{m.doc_id}#{m.key}"))
            else:
                out.append(replace(m, key=target.key, entry_ids=target.entry_ids, label=target.label,
                                   confidence=min(m.confidence, 0.5)))
        return out

    @staticmethod
    def _titles_of_parts(mentions: list[Mention]) -> list[Mention]:
        """"İlk sessiya "Ekoloji çağırışlara ..." mövzusunda": a quoted event title right after an
        event part is that part's title, not another event."""
        out: list[Mention] = []
        previous: Mention | None = None
        for m in mentions:
            if (previous is not None and m.type == "Event" and m.rule.startswith("quoted:")
                    and previous.type == "Event" and ":part" in previous.rule
                    and 0 <= m.norm_start - previous.norm_end <= 6):
                m = replace(m, key=previous.key, label=previous.label)
            out.append(m)
            if not m.nested:
                previous = m
        return out

    def _part_kind(self, label: str) -> str | None:
        """The kind of an event part ("opening", "first" ...) from the words of its label."""
        folded = " " + skeleton(label, self.data)
        for start, kind in self.data.event_part_kinds:
            if f" {start}" in folded:
                return kind
        return None

    # -- labels -------------------------------------------------------------------------------

    def _add_labels(self, entities: dict[str, Entity], iri: str, mention: Mention) -> None:
        entity = entities.get(iri)
        if entity is None:
            if mention.entry_ids:
                entry = self.lexicon.entries[iri_entry(self.lexicon, iri) or mention.entry_ids[0]]
                entity = Entity(iri=iri, type=entry.type, label=entry.label, key=entry.id, from_lexicon=True)
                for lang, names in entry.names.items():
                    entity.pref_labels.setdefault(lang.split("-")[0] if lang != "kk-Latn" else "kk-Latn", names[0])
                entity.pref_labels.setdefault("en", entry.label)
                for lang, abbrs in entry.abbr.items():
                    for abbr in abbrs:
                        entity.alt_labels.add((abbr, lang))
            else:
                label = self.labels.setdefault(iri, " ".join((mention.label or mention.text).split()))
                entity = Entity(iri=iri, type=mention.type, label=label, key=mention.key)
                entity.pref_labels.update(self.pref_labels.get(iri, {}))
            entities[iri] = entity
        surface = " ".join(mention.text.split())
        if not mention.generic and surface and surface not in entity.pref_labels.values():
            entity.alt_labels.add((surface, mention.lang))
        if not entity.from_lexicon and mention.lang not in entity.pref_labels and not mention.generic:
            preferred = preferred_label(mention.text, mention.rule, mention.lang, self.data) or surface
            entity.pref_labels[mention.lang] = self.pref_labels.setdefault(iri, {}).setdefault(mention.lang, preferred)
        if not entity.pref_labels:
            entity.pref_labels[mention.lang] = self.pref_labels.setdefault(iri, {}).setdefault(mention.lang, entity.label)


def _given(mention: Mention, data: LanguageData) -> str:
    """The first word of a person's name, folded for comparison across scripts."""
    from envgraph.mentions import _phonetic

    first = mention.label.split()[0] if mention.label.split() else ""
    return _phonetic(skeleton(first.lower().replace("x", "ks"), data), data)


def iri_entry(lexicon: Lexicon, iri: str) -> str | None:
    local = iri.rsplit("/", 1)[-1].replace("-", "_")
    return local if local in lexicon.entries else None


def document_focus(resolved: list[tuple[Mention, str]], type_name: str) -> str | None:
    """The most mentioned entity of a type in a document (ties: the first mentioned)."""
    counts = Counter(iri for m, iri in resolved if m.type == type_name and not m.nested)
    if not counts:
        return None
    best = max(counts.values())
    for m, iri in resolved:
        if m.type == type_name and counts.get(iri) == best:
            return iri
    return None
