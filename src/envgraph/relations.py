"""Relations between the actors of one document, sentence by sentence.

Two kinds of rules:

* cue rules, from the ``relations`` tables of data/lang/cues/<lang>.yaml: a cue phrase
  ("financed by", "tərəfindən maliyyələşdirilən", "под руководством") names a property and on
  which side of it the subject stands; the subject and object are the nearest mentions of the
  types the ontology allows on each side, extended over lists ("X, Y and Z"); an object the
  sentence lacks is taken from the document's focus (its main initiative or event), at a lower
  confidence;
* structural rules, the same in every language: a person next to an organisation works for it
  (with the position between them); an acronym's secretariat coordinates the convention in its
  name; a place in an initiative's name is what it concerns; "Astana, Kazakhstan" is a place in a
  country; an event and a place in the locative case in one sentence is where it was held.

Every relation is checked against the ontology's domains and ranges before it is kept, and
carries its rule, its cue and a confidence derived from how it was found.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from envgraph import ontology
from envgraph.keys import SuffixChains, WordIndex, lower, skeleton, word_matches
from envgraph.langdata import LanguageData
from envgraph.lexicon import Lexicon, suffix_chains
from envgraph.model import Attribute, Mention, Relation, Segment
from envgraph.resolve import document_focus, iri_entry
from envgraph.textview import URL_RE, TextView


@dataclass(frozen=True, slots=True)
class CueRule:
    property: str
    words: tuple[tuple[str, ...], ...]  # skeleton words of the cue phrase
    text: str
    subject_side: str  # "before" | "after"
    object_side: str  # "before" | "after" | "any"
    confidence: float
    subject_default: str | None  # "focus:Country" etc., when the sentence names no subject
    object_default: str | None  # "focus:Initiative" etc.
    all_subjects: bool  # lists: every listed actor is a subject
    every_subject: bool  # every actor of the subject's types on its side of the cue
    object_lists: bool  # every listed actor is an object ("cooperation with X, Y and Z")
    mutual: bool = False  # the actors listed on the subject side relate to each other ("X and Y signed ...")


@functools.lru_cache(maxsize=16)
def cue_index(lang: str, data: LanguageData) -> WordIndex:
    """The cue rules of ``lang`` (and English, which appears in every language's texts), found
    by their first word: one look-up per token."""
    index = WordIndex(data, suffix_chains(data))
    rules = cue_rules(lang, data) + (cue_rules("en", data) if lang != "en" else ())
    by_first: dict[str, list[CueRule]] = {}
    for rule in rules:
        by_first.setdefault(rule.words[0].rstrip("*"), []).append(rule)
    for first, group in by_first.items():
        index.add(first, tuple(sorted(group, key=lambda r: -len(r.words))))
    return index


@functools.lru_cache(maxsize=16)
def cue_rules(lang: str, data: LanguageData) -> tuple[CueRule, ...]:
    raw = (data.cues.get(lang) or {}).get("relations") or []
    rules: list[CueRule] = []
    for item in raw:
        for cue in item.get("cues") or []:
            words = tuple(skeleton(w, data) for w in str(cue).split())
            rules.append(
                CueRule(
                    property=str(item["property"]),
                    words=words,
                    text=str(cue),
                    subject_side=str(item.get("subject", "before")),
                    object_side=str(item.get("object", "any")),
                    confidence=float(item.get("confidence", 0.75)),
                    subject_default=item.get("subject_default"),
                    object_default=item.get("object_default"),
                    all_subjects=bool(item.get("lists", True)),
                    every_subject=str(item.get("subjects", "")) == "all",
                    object_lists=bool(item.get("object_lists", False)),
                    mutual=bool(item.get("mutual", False)),
                )
            )
    # longest cues first, so "under the leadership of" wins over "leadership"
    return tuple(sorted(rules, key=lambda r: -len(r.words)))


def _cue_matches(view: TextView, i: int, rule: CueRule, chains: SuffixChains) -> bool:
    for k, word in enumerate(rule.words):
        j = i + k
        if j >= len(view.tokens):
            return False
        if word.endswith("*"):
            if not view.skeletons[j].startswith(word[:-1]):
                return False
        elif not word_matches(view.skeletons[j], (word,), chains):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Placed:
    """A mention resolved to an entity, with its token span."""

    mention: Mention
    iri: str
    type: str
    first: int
    last: int


def extract_relations(
    view: TextView,
    resolved: list[tuple[Mention, str]],
    lexicon: Lexicon,
    data: LanguageData,
    chains: SuffixChains,
) -> list[Relation]:
    """All relations of the document (deduplicated: the best-supported evidence is kept)."""
    placed = _place(view, resolved)
    by_sentence: dict[int, list[Placed]] = {}
    for p in placed:
        s = view.sentence_of_token[p.first] if p.first < len(view.tokens) else -1
        by_sentence.setdefault(s, []).append(p)
    focus = {t: document_focus(resolved, t) for t in ("Initiative", "Event", "Country", "Organisation")}
    types = {iri: m.type for m, iri in resolved}
    found: list[Relation] = []
    standalone = {p.iri for p in placed if not p.mention.nested}  # named on their own somewhere
    for s_index, sentence in enumerate(view.sentences):
        members = sorted(by_sentence.get(s_index, []), key=lambda p: p.first)
        if not members:
            continue
        # the persons of the sentence before (in the same language), for "They took part in ..."
        previous = [p for p in by_sentence.get(s_index - 1, []) if p.type == "Person" and not p.mention.nested
                    and s_index > 0 and view.sentences[s_index - 1].lang == sentence.lang]
        found += _cue_relations(view, s_index, sentence, members, focus, types, data, chains, previous)
        found += _person_relations(view, s_index, sentence, members, data)
        found += _structural_relations(view, s_index, sentence, members, lexicon, data, standalone)
    found += _held_in(view, placed, focus, data)
    found += _event_parts(view, placed)
    return _dedupe(_through_parts(found))


def _held_in(view: TextView, placed: list[Placed], focus: dict[str, str | None], data: LanguageData) -> list[Relation]:
    """An event and a place in the locative in one sentence (Astanada keçirilən sammit, в Астане,
    in Geneva): the event was held there. Without an event in the sentence, a verb of taking
    place (keçirilib, өтіп жатыр, открылся) points to the document's main event."""
    out: list[Relation] = []
    by_sentence: dict[int, list[Placed]] = {}
    for p in placed:
        by_sentence.setdefault(view.sentence_of_token[p.first], []).append(p)
    for s, members in by_sentence.items():
        if s < 0:
            continue
        sentence = view.sentences[s]
        cues = data.cues.get(sentence.lang) or {}
        held = [skeleton(str(x), data) for x in cues.get("held_verbs") or []]
        events = [p for p in members if p.type == "Event" and not p.mention.nested]
        closest: dict[str, tuple[int, Relation]] = {}
        for place in members:
            if place.type not in ("Place", "Country") or place.mention.nested:
                continue
            if not _is_locative(view, place, data):
                continue
            if events:
                event = min(events, key=lambda e: min(abs(e.first - place.last), abs(place.first - e.last)))
                distance = min(abs(event.first - place.last), abs(place.first - event.last))
                candidate = _relation(view, s, sentence, event, "heldIn", place, "structure:locative", "", 0.6)
                # one place per event and sentence: the closest
                previous = closest.get(event.iri)
                if previous is None or distance < previous[0]:
                    closest[event.iri] = (distance, candidate)
            elif focus.get("Event"):
                words = " ".join(view.skeletons[k] for k in range(place.last + 1, min(len(view.tokens), place.last + 6)))
                if any(words.startswith(v) or f" {v}" in words for v in held):
                    out.append(_relation(view, s, sentence, focus["Event"], "heldIn", place,
                                         "structure:locative+held", "", 0.45))
        out += [rel for _, rel in closest.values()]
    return out


def _event_parts(view: TextView, placed: list[Placed]) -> list[Relation]:
    """A part of an event found by its common noun (the opening ceremony, the first session) is
    part of the named event before it in the document."""
    out: list[Relation] = []
    # a part's own title ("İlk sessiya "Ekoloji çağırışlar ..."") names the part, not a main event
    part_iris = {p.iri for p in placed if ":part" in p.mention.rule}
    named = [p for p in placed if p.type == "Event" and p.iri not in part_iris and not p.mention.nested]
    for part in placed:
        if ":part" not in part.mention.rule:
            continue
        before = [n for n in named if n.first < part.first and n.iri != part.iri]
        main = before[-1] if before else next((n for n in named if n.iri != part.iri), None)
        if main is None:
            continue
        s = view.sentence_of_token[part.first]
        if s < 0:
            continue
        out.append(_relation(view, s, view.sentences[s], part, "partOf", main, "structure:event-part", "", 0.55))
    return out


def _through_parts(relations: list[Relation]) -> list[Relation]:
    """Speaking at or taking part in a session is taking part in the event it belongs to."""
    parents: dict[str, list[Relation]] = {}
    for r in relations:
        if r.predicate == "partOf" and r.rule == "structure:event-part":
            parents.setdefault(r.subject, []).append(r)
    extra: list[Relation] = []
    for r in relations:
        if r.predicate in ("speaksAt", "participatesIn") and r.object in parents:
            for link in parents[r.object]:
                extra.append(Relation(r.subject, r.predicate, link.object, r.doc_id, r.sentence,
                                      r.rule + "+part-of", r.cue, round(r.confidence * 0.9, 3)))
    return relations + extra


def _place(view: TextView, resolved: list[tuple[Mention, str]]) -> list[Placed]:
    out: list[Placed] = []
    for mention, iri in resolved:
        idx = view.token_range(mention.norm_start, mention.norm_end)
        if not idx:
            continue
        out.append(Placed(mention, iri, mention.type, idx.start, idx.stop - 1))
    return out


def _allowed(subject_type: str, prop: str, object_type: str) -> bool:
    try:
        return ontology.check_relation(subject_type, prop, object_type)
    except KeyError:
        return False


def _relation(view: TextView, s_index: int, sentence: Segment, subj: Placed | str, prop: str, obj: Placed | str,
              rule: str, cue: str, confidence: float) -> Relation:
    subject_iri = subj.iri if isinstance(subj, Placed) else subj
    object_iri = obj.iri if isinstance(obj, Placed) else obj
    mention_conf = min(
        subj.mention.confidence if isinstance(subj, Placed) else 0.8,
        obj.mention.confidence if isinstance(obj, Placed) else 0.8,
    )
    raw = view.norm.to_raw_span(sentence.start, sentence.end)
    return Relation(subject_iri, prop, object_iri, view.document.doc_id, raw, rule, cue,
                    round(max(0.05, min(0.99, confidence * (0.5 + 0.5 * mention_conf))), 3))


def _cue_relations(view: TextView, s_index: int, sentence: Segment, members: list[Placed],
                   focus: dict[str, str | None], types: dict[str, str], data: LanguageData,
                   chains: SuffixChains, antecedents: list[Placed] | None = None) -> list[Relation]:
    out: list[Relation] = []
    token_ids = view.token_range(sentence.start, sentence.end)
    if not token_ids:
        return out
    index = cue_index(sentence.lang, data)
    covered: set[int] = set()
    inside = {k for p in members for k in range(p.first, p.last + 1)}
    for i in token_ids:
        if i in covered:
            continue
        groups = index.lookup(view.skeletons[i])
        candidates = sorted((r for g in groups for r in g), key=lambda r: -len(r.words))  # type: ignore[attr-defined]
        for rule in candidates:
            if not _cue_matches(view, i, rule, chains):
                continue
            cue_first, cue_last = i, i + len(rule.words) - 1
            if cue_first in inside and cue_last in inside and len(rule.words) == 1:
                continue  # the cue word is part of a name ("Fund" in "Global Environment Fund")
            covered.update(range(cue_first, cue_last + 1))
            cue_text = view.text[view.tokens[cue_first].start : view.tokens[cue_last].end]
            out += _apply_rule(view, s_index, sentence, members, rule, cue_first, cue_last, cue_text, focus, types, data,
                               antecedents or [])
            break
    return out


_SUBCLASSES = {"Agent": ("Organisation", "Person", "Country"), "Location": ("Country", "Place")}


def _concrete(classes: frozenset[str]) -> frozenset[str]:
    """The entity types a domain or range admits (Agent: organisations, persons, countries)."""
    out: set[str] = set()
    for c in classes:
        out.update(_SUBCLASSES.get(c, (c,)))
    return frozenset(out)


def _side(members: list[Placed], first: int, last: int, side: str) -> list[Placed]:
    if side == "before":
        return sorted((p for p in members if p.last < first), key=lambda p: first - p.last)
    if side == "after":
        return sorted((p for p in members if p.first > last), key=lambda p: p.first - last)
    return sorted((p for p in members if p.last < first or p.first > last),
                  key=lambda p: min(abs(first - p.last), abs(p.first - last)))


def _coordinated(view: TextView, start: Placed, pool: list[Placed], direction: str, data: LanguageData) -> list[Placed]:
    """``start`` and the mentions listed with it: "X, Y and Z", "X və Y", "X и Y"."""
    chain = [start]
    ordered = sorted(pool, key=lambda p: p.first)
    current = start
    while True:
        if direction == "after":
            nxt = [p for p in ordered if p.first > current.last and p.type == start.type and not p.mention.nested]
            if not nxt:
                break
            candidate = nxt[0]
            gap = view.text[view.tokens[current.last].end : view.tokens[candidate.first].start]
        else:
            prv = [p for p in ordered if p.last < current.first and p.type == start.type and not p.mention.nested]
            if not prv:
                break
            candidate = prv[-1]
            gap = view.text[view.tokens[candidate.last].end : view.tokens[current.first].start]
        if not _is_list_gap(gap, data):
            break
        chain.append(candidate)
        current = candidate
    return chain


def _is_list_gap(gap: str, data: LanguageData) -> bool:
    """Only list punctuation (quotes and emphasis marks too), a conjunction or a list word of some language between two names:
    "X, the Y and Z", "X, Y və Z", "X мен Y" (cue files: conjunctions, list_words)."""
    words = [w for w in re.split(r"[\s,;()«»\"“”„*]+", lower(gap)) if w]
    if not words:
        return True
    joiners = _list_joiners(data)
    rest = [w for w in words if w not in joiners]
    if not rest or " ".join(words) in joiners:
        return True
    # "X и (международный) фонд «Y»": after the conjunction, the word that says what the quoted
    # name is (a quote cue of some language), with at most one word before it
    return (len(rest) <= 2 and words[0] in joiners and words[-1] == rest[-1]
            and gap.rstrip().endswith(("«", '"', "“", "„")) and _is_quote_cue(rest[-1], data))


@functools.lru_cache(maxsize=1024)
def _is_quote_cue(word: str, data: LanguageData) -> bool:
    from envgraph.mentions import cue_tables

    key = skeleton(word, data)
    return any(cue_tables(lang, data).quote_type(key) for lang in data.profiles)


@functools.lru_cache(maxsize=4)
def _list_joiners(data: LanguageData) -> frozenset[str]:
    from envgraph.mentions import cue_tables

    out: set[str] = set()
    for lang in data.profiles:
        tables = cue_tables(lang, data)
        out |= {lower(w) for w in (data.cues.get(lang) or {}).get("conjunctions") or []}
        out |= tables.list_words
    return frozenset(out)


def _is_locative(view: TextView, p: Placed, data: LanguageData) -> bool:
    """A place named as a setting ("in Azerbaijan", "Türkmənistanda", "в Казахстане"): the
    where of a sentence, never its agent."""
    lang = view.langs[p.first]
    cues = data.cues.get(lang) or {}
    suffixes = _locative_suffixes(lang, data)
    last_word = view.skeletons[p.last]
    if suffixes and last_word.endswith(suffixes) and len(last_word) > 5:
        return True
    prepositions = {skeleton(str(x), data) for x in cues.get("locative_before") or []}
    if p.first > 0 and view.skeletons[p.first - 1] in prepositions:
        return True
    # "в столице Узбекистана", "in the capital of Uzbekistan", "Özbegistanyň paýtagtynda": the seat
    # named between the preposition and the place, or after the place in the locative
    settings = tuple(skeleton(str(x), data) for x in cues.get("setting_words") or [])
    if not settings:
        return False
    before = [view.skeletons[k] for k in range(max(0, p.first - 4), p.first)]
    for k, word in enumerate(before):
        if word in settings and any(w in prepositions for w in before[max(0, k - 2) : k]):
            return True
    if p.last + 1 < len(view.tokens) and suffixes:
        after = view.skeletons[p.last + 1]
        return after.startswith(settings) and after.endswith(suffixes)
    return False


def _settings(view: TextView, top: list[Placed], data: LanguageData) -> set[int]:
    """Ids of the places and countries named as a setting: in the locative, or listed with one
    that is (Turkic marks only the last of a list: "Azərbaycan, Qazaxıstan və Türkmənistanda")."""
    out: set[int] = set()
    for p in top:
        if p.type in ("Country", "Place") and _is_locative(view, p, data):
            out.update(id(q) for q in _coordinated(view, p, top, "before", data))
    return out


@functools.lru_cache(maxsize=16)
def _subject_pronouns(lang: str, data: LanguageData) -> tuple[frozenset[str], frozenset[str]]:
    """Skeletons of the plural and singular subject pronouns of ``lang`` (cues: subject_pronouns)."""
    pronouns = (data.cues.get(lang) or {}).get("subject_pronouns") or {}
    return (frozenset(skeleton(str(w), data) for w in pronouns.get("plural") or []),
            frozenset(skeleton(str(w), data) for w in pronouns.get("singular") or []))


@functools.lru_cache(maxsize=16)
def _locative_suffixes(lang: str, data: LanguageData) -> tuple[str, ...]:
    return tuple(skeleton(str(x), data) for x in (data.cues.get(lang) or {}).get("locative_suffixes") or [])


def _pronoun_subjects(view: TextView, sentence: Segment, cue_first: int, antecedents: list[Placed],
                      data: LanguageData) -> list[Placed]:
    """"В ходе визита они приняли участие в ...": a personal pronoun before the cue, and no
    actor there, stands for the persons of the sentence before (all of them for "they", the
    last one for "he"/"she"); the pronouns are listed per language (cues: subject_pronouns)."""
    if not antecedents:
        return []
    plural, singular = _subject_pronouns(sentence.lang, data)
    words = {view.skeletons[k] for k in view.token_range(sentence.start, view.tokens[cue_first].start)}
    if words & plural:
        return list(antecedents)
    if words & singular:
        return [antecedents[-1]]
    return []


def _in_aside(view: TextView, p: Placed, cue_first: int, lang: str, data: LanguageData) -> bool:
    """Whether ``p`` stands in an aside set off by commas right before the verb, one that opens
    with a word of accompaniment ("X, in cooperation with Y, organised ...": Y is not the
    subject); the openers are language data (cues: aside_openers)."""
    openers = _aside_openers(lang, data)
    if not openers:
        return False
    between = view.text[view.tokens[p.last].end : view.tokens[cue_first].start]
    if between.strip() != ",":
        return False
    opening = view.text[: view.tokens[p.first].start].rfind(",")
    if opening < 0 or view.sentence_at(opening) != view.sentence_of_token[p.first]:
        return False
    words = lower(view.text[opening + 1 : view.tokens[p.first].start]).split()
    return bool(words) and words[0] in openers


@functools.lru_cache(maxsize=16)
def _aside_openers(lang: str, data: LanguageData) -> frozenset[str]:
    return frozenset(lower(str(w)) for w in (data.cues.get(lang) or {}).get("aside_openers") or [])


@functools.lru_cache(maxsize=16)
def _instrumental_endings(lang: str, data: LanguageData) -> tuple[str, ...]:
    return tuple(lower(str(e)) for e in (data.cues.get(lang) or {}).get("instrumental_endings") or [])


def _in_instrumental(view: TextView, p: Placed, data: LanguageData) -> bool:
    """Whether a name stands in the instrumental case (its first word ends so: "Исламским банком
    развития"): the agent of a passive participle ("финансируемый ..."), not the subject of the
    verb after it ("..., финансируемый Исламским банком, реализует Министерство")."""
    endings = _instrumental_endings(view.langs[p.first], data)
    return bool(endings) and lower(view.tokens[p.first].text).endswith(endings)


def _apply_rule(view: TextView, s_index: int, sentence: Segment, members: list[Placed], rule: CueRule,
                cue_first: int, cue_last: int, cue_text: str, focus: dict[str, str | None],
                types: dict[str, str], data: LanguageData, antecedents: list[Placed]) -> list[Relation]:
    prop = rule.property
    domain = _concrete(ontology.domain_classes(prop))
    range_ = _concrete(ontology.range_classes(prop))
    top = [p for p in members if not p.mention.nested or p.type in ("Country",)]
    settings = _settings(view, top, data)
    subjects_pool = [] if rule.subject_side == "none" else [
        p for p in _side(top, cue_first, cue_last, rule.subject_side)
        if p.type in domain and id(p) not in settings
        and not (rule.subject_side == "before" and p.last < cue_first and _in_instrumental(view, p, data))
        and not (rule.subject_side == "before" and _in_aside(view, p, cue_first, sentence.lang, data))
    ]
    object_side = rule.object_side
    if (not subjects_pool and rule.subject_side == "before" and object_side == "after"
            and (data.cues.get(sentence.lang) or {}).get("verb_subject_inversion")):
        # "Проект ..., финансируемый X, реализует Министерство": object first, subject after the verb
        inverted = [p for p in _side(top, cue_first, cue_last, "after")
                    if p.type in domain and id(p) not in settings and not _in_instrumental(view, p, data)]
        if inverted and any(p.type in range_ for p in _side(top, cue_first, cue_last, "before")):
            subjects_pool, object_side = inverted[:1], "before"
    objects_pool = [p for p in _side(top, cue_first, cue_last, object_side) if p.type in range_]
    subjects: list[Placed | str] = []
    if subjects_pool and rule.every_subject:
        subjects = list(subjects_pool)
    elif subjects_pool:
        first_subject = subjects_pool[0]
        direction = "after" if rule.subject_side == "after" else "before"
        subjects = list(_coordinated(view, first_subject, top, direction, data)) if rule.all_subjects else [first_subject]
    elif rule.subject_side == "before" and (stand_ins := [
            p for p in _pronoun_subjects(view, sentence, cue_first, antecedents, data) if p.type in domain]):
        subjects = list(stand_ins)
    elif rule.subject_default and rule.subject_default.startswith("focus:"):
        f = focus.get(rule.subject_default.split(":", 1)[1])
        if f:
            subjects = [f]
    if any(isinstance(x, Placed) and x.type == "Person" for x in subjects):
        subjects = _without_title_bodies(view, subjects, sentence.lang, data)
    if rule.mutual:  # "X and Y signed a memorandum": each listed party with each other
        parties = [p for p in subjects if isinstance(p, Placed)]
        return [_relation(view, s_index, sentence, a, prop, b, f"cue:{prop}:{sentence.lang}:{rule.text}", cue_text,
                          rule.confidence)
                for k, a in enumerate(parties) for b in parties[k + 1:]
                if a.iri != b.iri and _allowed(a.type, prop, b.type)]
    objects: list[Placed | str] = []
    distance_penalty = 1.0
    objects_pool = [o for o in objects_pool if all(not isinstance(s, Placed) or o.iri != s.iri for s in subjects)]
    if objects_pool:
        if rule.object_lists:
            direction = "after" if objects_pool[0].first > cue_last else "before"
            objects = list(_coordinated(view, objects_pool[0], top, direction, data))
        else:
            objects = [objects_pool[0]]
        gap = min(abs(cue_first - objects_pool[0].last), abs(objects_pool[0].first - cue_last))
        distance_penalty = max(0.6, 1 - 0.02 * gap)
    elif rule.object_default and rule.object_default.startswith("focus:"):
        f = focus.get(rule.object_default.split(":", 1)[1])
        if f:
            objects = [f]
            distance_penalty = 0.6
    out: list[Relation] = []
    for subj in subjects:
        for obj in objects:
            s_iri = subj.iri if isinstance(subj, Placed) else subj
            o_iri = obj.iri if isinstance(obj, Placed) else obj
            if s_iri == o_iri:
                continue
            s_type = subj.type if isinstance(subj, Placed) else types.get(s_iri, "")
            o_type = obj.type if isinstance(obj, Placed) else types.get(o_iri, "")
            if not _allowed(s_type, prop, o_type):
                continue
            out.append(_relation(view, s_index, sentence, subj, prop, obj, f"cue:{prop}:{sentence.lang}:{rule.text}",
                                 cue_text, rule.confidence * distance_penalty))
    return out


def _person_relations(view: TextView, s_index: int, sentence: Segment, members: list[Placed],
                      data: LanguageData) -> list[Relation]:
    """A person named next to an organisation works for it: "X, Head of Y", "Y-nin rəisi X".
    Each language says on which side the organisation usually stands (``person_organisation_side``);
    the other side is taken only when that one has none."""
    out: list[Relation] = []
    persons = [p for p in members if p.type == "Person"]
    orgs = [p for p in members if p.type == "Organisation"]
    preferred = str((data.cues.get(sentence.lang) or {}).get("person_organisation_side", "after"))
    for person in persons:
        others = [p for p in persons if p is not person]
        near: list[tuple[int, Placed]] = []
        for org in orgs:
            if org.last < person.first:
                distance = person.first - org.last
                between = (org.last, person.first)
            else:
                distance = org.first - person.last
                between = (person.last, org.first)
            if distance > 14 or any(between[0] < o.first < between[1] for o in others):
                continue
            near.append((distance, org))
        if not near:
            owner = _possessive_employer(view, person, orgs, sentence.lang, data)
            if owner is not None:  # "The Alliance will fund ..., its executive director X said"
                out.append(_relation(view, s_index, sentence, person, "worksFor", owner,
                                     "structure:possessive-employer", "", 0.6))
            continue
        titled = [(d, o) for d, o in near if _title_apposition(view, o, person, sentence.lang, data)]
        if titled:  # "the Minister of Ecology of Kazakhstan, Yerlan Nyssanbayev, met ...": the title's body
            near = titled
        on_side = [(d, o) for d, o in near if (o.first > person.last) == (preferred == "after")]
        # the other side only when close ("X, Director of Y" in a language that names Y first),
        # or when a title right after the name opens a phrase ending at it ("X, советник ... МИД")
        near = on_side or [(d, o) for d, o in near
                           if (d <= 5 and not _list_between(view, o, person, sentence.lang, data))
                           or _appositive(view, person, o, data)]
        if not near:
            continue
        near.sort(key=lambda d: d[0])
        best_distance, best = near[0]
        chosen = [best] + [o for d, o in near[1:3] if d <= best_distance + 8 and o.iri != best.iri]
        if best.mention.rule == "title:employer":
            chosen = [best]  # the title names the employer itself ("... Bazasının direktoru X")
        for org in chosen:
            distance = min(abs(org.first - person.last), abs(person.first - org.last))
            confidence = max(0.5, 0.85 - 0.02 * distance)
            out.append(_relation(view, s_index, sentence, person, "worksFor", org, "structure:person-organisation", "", confidence))
    return out


def _without_title_bodies(view: TextView, subjects: list[Placed | str], lang: str,
                          data: LanguageData) -> list[Placed | str]:
    """Listed subjects without the bodies and states that only stand in a person's title: in
    "Türkmenistanyň Daşary işler ministriniň orunbasary Maral Annaýewa we … gatnaşdylar" the
    person took part, not the ministry or the country her title names."""
    persons = [x for x in subjects if isinstance(x, Placed) and x.type == "Person"]
    conjunctions = {lower(str(w)) for w in (data.cues.get(lang) or {}).get("conjunctions") or []}

    def in_title(x: Placed) -> bool:
        for p in persons:
            gap = lower(view.text[view.tokens[x.last].end : view.tokens[p.first].start])
            if 0 < p.first - x.last <= 6 and not re.search(r"[,;]", gap) and not conjunctions & set(gap.split()):
                return True  # "X-in … müavini Name": no comma or conjunction between them
        return False

    return [x for x in subjects if not (isinstance(x, Placed) and x.type in ("Organisation", "Country") and in_title(x))]


def _list_between(view: TextView, a: Placed, b: Placed, lang: str, data: LanguageData) -> bool:
    """Whether a list goes on from person ``b`` to body ``a``: a semicolon between them, a comma
    and a conjunction of the language ("… from the German Water Partnership, and Mr. Aziz
    Karimov": the body belongs to the previous item), or a conjunction before a body named
    after the person ("… direktoru Yucin Six və … BMT-nin …": the next item). A conjunction alone
    before the person may be inside a title ("FAO land and water officer X")."""
    first, second = (a, b) if a.last < b.first else (b, a)
    gap = lower(view.text[view.tokens[first.last].end : view.tokens[second.first].start])
    if ";" in gap:
        return True
    conjunctions = {lower(str(w)) for w in (data.cues.get(lang) or {}).get("conjunctions") or []}
    joined = bool(conjunctions & set(re.split(r"[\s,;]+", gap)))
    return joined and ("," in gap or a.first > b.last)


def _title_apposition(view: TextView, org: Placed, person: Placed, lang: str, data: LanguageData) -> bool:
    """Whether the organisation is named by the person's title right before the name, set off by
    a comma: "the Minister of Ecology of Kazakhstan, Yerlan Nyssanbayev" (the ministry matched
    from "Minister", a title word)."""
    from envgraph.mentions import cue_tables

    if org.last >= person.first or view.text[view.tokens[org.last].end : view.tokens[person.first].start].strip() != ",":
        return False
    return bool(cue_tables(lang, data).positions.lookup(view.skeletons[org.first]))


def _possessive_employer(view: TextView, person: Placed, orgs: list[Placed], lang: str,
                         data: LanguageData) -> Placed | None:
    """The organisation a possessive before the person's title stands for: "The Nordic Water
    Alliance will fund ..., its executive director Ingrid Halvorsen said" (the first organisation
    of the sentence before it). The possessives are language data (cues: employer_possessives);
    the words between the possessive and the name must hold a title word."""
    k = _possessive_before_title(view, person, lang, data)
    if k is None:
        return None
    before = [o for o in orgs if o.last < k and view.sentence_of_token[o.first] == view.sentence_of_token[k]]
    return before[0] if before else None


def _possessive_before_title(view: TextView, person: Placed, lang: str, data: LanguageData) -> int | None:
    """The token of a possessive (cues: employer_possessives) opening the title right before the
    person's name ("its executive director Ingrid Halvorsen"), or None."""
    from envgraph.mentions import cue_tables

    possessives = {lower(str(w)) for w in (data.cues.get(lang) or {}).get("employer_possessives") or []}
    if not possessives:
        return None
    titles = cue_tables(lang, data).positions
    k = person.first - 1
    titled = False
    while k >= 0 and person.first - k <= 4 and not view.tokens[k].is_capitalised:
        if lower(view.tokens[k].text) in possessives:
            return k if titled else None
        titled = titled or bool(titles.lookup(view.skeletons[k]))
        k -= 1
    return None


def _appositive(view: TextView, person: Placed, org: Placed, data: LanguageData) -> bool:
    """Whether the organisation ends a title phrase set off right after the person's name:
    "Махтумкули Акмурадов, советник по вопросам ... МИД страны"."""
    from envgraph.mentions import cue_tables

    after = person.last + 1
    if org.first <= after or after >= len(view.tokens):
        return False
    gap = view.text[view.tokens[person.last].end : view.tokens[after].start].strip()
    return gap in (",", "–", "—", "-") and view.skeletons[after] in cue_tables(view.langs[after], data).positions


def _structural_relations(view: TextView, s_index: int, sentence: Segment, members: list[Placed],
                          lexicon: Lexicon, data: LanguageData, standalone: set[str]) -> list[Relation]:
    from envgraph.mentions import cue_tables

    out: list[Relation] = []
    top = [p for p in members if not p.mention.nested]
    for outer in top:
        inner = [p for p in members if p.mention.nested and outer.first <= p.first and p.last <= outer.last and p.iri != outer.iri]
        # only the longest of nested names: "Asia" inside "Central Asia" inside the name is no place of its own
        inner = [p for p in inner if not any(q is not p and q.first <= p.first and p.last <= q.last
                                             and (q.first, q.last) != (p.first, p.last) and q.type == p.type
                                             for q in inner)]
        for p in inner:
            # the convention in a secretariat's name; the place in an initiative's name
            if outer.type == "Organisation" and p.type == "Convention":
                out.append(_relation(view, s_index, sentence, outer, "coordinates", p, "structure:name", "", 0.7))
            elif outer.type in ("Initiative", "Event", "Convention") and p.type == "Place":
                out.append(_relation(view, s_index, sentence, outer, "concerns", p, "structure:name", "", 0.65))
            # the states a treaty is made between: "Agreement between the Government of X and ..."
            elif outer.type == "Convention" and p.type == "Country" and not _owner_in_name(view, p, inner, data):
                out.append(_relation(view, s_index, sentence, p, "partyTo", outer, "structure:name", "", 0.6))
            # an unknown unit named from its body: "Nazirliyinin Beynəlxalq əməkdaşlıq şöbəsi",
            # "UNEP Office for ...", "Отдел ... Министерства ...": a part of it
            elif (outer.type == p.type == "Organisation" and outer.mention.rule.startswith("head:")
                  and (p.first == outer.first or p.last == outer.last)):
                out.append(_relation(view, s_index, sentence, outer, "partOf", p, "structure:name", "", 0.65))
    for i, b in enumerate(top):
        # "BMT-nin Ətraf Mühit Proqramının (UNEP) Cenevrə ... Bazasının direktoru": a body named
        # by a title right after a body in the genitive (and its acronym) is a unit of it
        if b.mention.rule != "title:employer" or i == 0:
            continue
        a = top[i - 2] if i >= 2 and top[i - 2].iri == top[i - 1].iri else top[i - 1]
        gap = view.text[view.tokens[a.last].end : view.tokens[b.first].start].strip()
        if (a.type == "Organisation" and a.iri != b.iri and _in_genitive(view, a, data)
                and (gap == "" or re.fullmatch(r"\(\s*[^()\s]{2,12}\s*\)", gap))):
            out.append(_relation(view, s_index, sentence, b, "partOf", a, "structure:genitive-unit", "", 0.6))
    def listed(x: Placed, y: Placed) -> bool:  # "..., Орта Азия, Ресей, АҚШ ...": a list of places
        between = view.text[view.tokens[x.last].end : view.tokens[y.first].start].strip()
        conjunctions = cue_tables(view.langs[y.first], data).conjunctions
        return y.type in ("Country", "Place") and (between == "," or skeleton(between, data) in conjunctions)

    for k, (a, b) in enumerate(zip(top, top[1:])):
        gap = view.text[view.tokens[a.last].end : view.tokens[b.first].start].strip()
        in_list = (k + 2 < len(top) and listed(b, top[k + 2])) or (k > 0 and a.type == "Place" and listed(top[k - 1], a)
                                                                    and top[k - 1].type == "Country")
        # "Astana, Kazakhstan" / "Астане (Казахстан)"
        if a.type == "Place" and b.type in ("Country", "Place") and gap in (",", "(", ",(") and a.iri != b.iri \
                and not (gap == "," and in_list):
            out.append(_relation(view, s_index, sentence, a, "locatedIn", b, "structure:place-country", gap, 0.7))
        # "Qazaxıstanın Astanada", "Қазақстандағы Астана"
        if a.type == "Country" and b.type == "Place" and gap == "":
            out.append(_relation(view, s_index, sentence, b, "locatedIn", a, "structure:country-place", "", 0.6))
    # lexicon knowledge of a place's country, when the sentence names that country too
    countries = {e.country: iri for iri, e in ((p.iri, lexicon.entries.get(iri_entry(lexicon, p.iri) or ""))
                                               for p in members if p.type == "Country") if e and e.country}
    for a in top:
        entry_id = iri_entry(lexicon, a.iri) if a.type == "Place" else None
        country = lexicon.entries[entry_id].country if entry_id else None
        state = next((b for b in members if b.type == "Country" and country and countries.get(country) == b.iri), None)
        if state is not None:
            out.append(_relation(view, s_index, sentence, a, "locatedIn", state, "lexicon:country", "", 0.7))
    # lexicon knowledge of a body's parent, when both are named in one sentence (the parent
    # as a body of its own, not only as words of the child's name)
    for a in top:
        entry_id = iri_entry(lexicon, a.iri)
        parent = lexicon.entries[entry_id].part_of if entry_id else None
        if parent:
            for b in members:
                close = b.first - a.last <= 4 if b.first > a.last else a.first - b.last <= 4
                if close and iri_entry(lexicon, b.iri) == parent \
                        and (b.iri in standalone or _names_parent(view, a, b, data)):
                    out.append(_relation(view, s_index, sentence, a, "partOf", b, "lexicon:part_of", "", 0.8))
                    break
    return out


def _owner_in_name(view: TextView, state: Placed, inner: list[Placed], data: LanguageData) -> bool:
    """Whether a state inside a treaty's name only owns one of the signatories: it lies inside
    the name of a body, or stands in the genitive ("Qazaxıstanın Su Nazirliyi ilə ..."): the
    ministries sign, not the state."""
    if any(q.type == "Organisation" and q.first <= state.first and state.last <= q.last for q in inner):
        return True
    return _in_genitive(view, state, data)


def _in_genitive(view: TextView, mention: Placed, data: LanguageData) -> bool:
    """Whether the word ending a mention carries a genitive ending of its language (BMT-nin)."""
    from envgraph.mentions import cue_tables

    end = view.tokens[mention.last].end
    word_end = min((i for i in (view.text.find(c, end) for c in " \n\t") if i >= 0), default=len(view.text))
    word = lower(view.text[view.tokens[mention.first].start : word_end]).rstrip(".,;:\"»")
    endings = cue_tables(view.langs[mention.last], data).genitive_endings
    return bool(endings) and word.endswith(endings) and len(word) > max(len(e) for e in endings)


def _names_parent(view: TextView, child: Placed, parent: Placed, data: LanguageData) -> bool:
    """Whether the sentence names the parent body itself, not only a word of the child's name:
    apart from it, as the owner in the genitive ("BMT-nin Ətraf Mühit Proqramı"), or as the
    complement that ends it ("Программа развития ООН"); "United Nations" at the start of
    "United Nations Development Programme" is a part of that name, no mention of the UN (a
    document that names the UN elsewhere on its own still gets the relation: the caller checks)."""
    if not (child.first <= parent.first and parent.last <= child.last):
        return True
    if parent.last == child.last and parent.first > child.first:
        return True
    return _in_genitive(view, parent, data)


def _dedupe(relations: list[Relation]) -> list[Relation]:
    """One relation per fact and evidence sentence (the best-supported one): a fact stated in
    several sentences keeps each of them as evidence."""
    best: dict[tuple[str, str, str, tuple[int, int]], Relation] = {}
    for r in relations:
        key = (r.subject, r.predicate, r.object, r.sentence)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r.sentence, r.predicate, r.subject, r.object))


def extract_positions(view: TextView, resolved: list[tuple[Mention, str]], relations: list[Relation],
                      data: LanguageData) -> list[Attribute]:
    """A person's position: the words between the person and the organisation they work for,
    when they hold a title word (Head, müavini, орынбасары ...)."""
    from envgraph.mentions import cue_tables

    out: list[Attribute] = []
    placed = {(p.iri, p.first): p for p in _place(view, resolved)}
    by_iri: dict[str, list[Placed]] = {}
    for p in placed.values():
        by_iri.setdefault(p.iri, []).append(p)
    for rel in relations:
        if rel.predicate == "worksFor" and rel.rule == "structure:possessive-employer":
            # "its executive director X": the title between the possessive and the name
            for person in by_iri.get(rel.subject, []):
                k = _possessive_before_title(view, person, view.langs[person.first], data)
                if k is None:
                    continue
                s = view.sentence_of_token[person.first]
                phrase = " ".join(view.text[view.tokens[k].end : view.tokens[person.first].start].strip(" ,-–—:*\n").split())
                raw = view.norm.to_raw_span(view.sentences[s].start, view.sentences[s].end)
                out.append(Attribute(rel.subject, "position", phrase, "string", view.document.doc_id, raw,
                                     "structure:position", "", 0.6, person.mention.lang))
                break
            continue
        if rel.predicate != "worksFor" or not rel.rule.startswith("structure:person"):
            continue
        for person in by_iri.get(rel.subject, []):
            for org in by_iri.get(rel.object, []):
                s = view.sentence_of_token[person.first]
                if s != view.sentence_of_token[org.first] or s < 0:
                    continue
                if org.first > person.last:
                    span = (view.tokens[person.last].end, view.tokens[org.last].end)
                else:
                    span = (view.tokens[org.first].start, view.tokens[person.first].start)
                phrase = view.text[span[0] : span[1]].strip(" ,-–—:*\n")
                phrase = " ".join(phrase.split())
                if not phrase or len(phrase) > 160:
                    continue
                titles = cue_tables(view.langs[person.first], data).positions
                if not any(view.skeletons[k] in titles for k in view.token_range(*span)):
                    continue  # "©UNOPS/Mynbaev Ernar": no title between them
                raw = view.norm.to_raw_span(view.sentences[s].start, view.sentences[s].end)
                out.append(Attribute(rel.subject, "position", phrase, "string", view.document.doc_id, raw,
                                     "structure:position", "", 0.6, person.mention.lang))
                break
            break
    seen: set[tuple[str, str]] = set()
    unique: list[Attribute] = []
    for a in out:
        if (a.subject, a.value) not in seen:
            seen.add((a.subject, a.value))
            unique.append(a)
    return unique




def extract_homepages(view: TextView, resolved: list[tuple[Mention, str]]) -> list[Attribute]:
    """A URL given in a paragraph is the homepage of the organisation or initiative the paragraph
    is about (its first named one): "About UNOPS ... Read more: www.unops.org"; a URL that is itself
    the mention of a project (see mentions.discover_url_projects) is that project's homepage."""
    out: list[Attribute] = []
    placed = sorted(
        ((m, iri) for m, iri in resolved if m.type in ("Organisation", "Initiative", "Event") and not m.nested and not m.generic),
        key=lambda mi: mi[0].norm_start,
    )
    seen: set[str] = set()
    para_starts = [p.start for p in view.paragraphs]
    mention_starts = [m.norm_start for m, _ in placed]
    for match in URL_RE.finditer(view.text):
        url = match.group()
        if not url.startswith("http"):
            url = "http://" + url  # "www.unops.org": a homepage is an http(s) URL
        p_index = bisect.bisect_right(para_starts, match.start()) - 1
        if p_index < 0 or match.start() >= view.paragraphs[p_index].end:
            continue
        para = view.paragraphs[p_index]
        lo = bisect.bisect_left(mention_starts, para.start)
        hi = bisect.bisect_left(mention_starts, match.start())
        candidates = placed[lo:hi]
        named_by_url = [(m, i) for m, i in placed[hi:hi + 1] if m.norm_start == match.start()]
        if named_by_url:
            candidates = named_by_url  # a project known by its link: the link is its homepage
        if not candidates:
            continue
        mention, iri = candidates[0]
        if iri in seen:
            continue
        seen.add(iri)
        s = view.sentence_at(match.start())
        span = view.sentences[s] if s >= 0 else para
        raw = view.norm.to_raw_span(span.start, span.end)
        out.append(Attribute(iri, "homepage", url, "anyURI", view.document.doc_id, raw, "structure:homepage", url, 0.6))
    return out
