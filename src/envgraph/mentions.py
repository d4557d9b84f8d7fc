"""Find the spans of a document that name actors: lexicon matching plus discovery rules.

Two sources of candidates, then one selection:

* the lexicon: every token's stemmed key is looked up in the alias index, so inflected forms
  (Dünya Bankının, Всемирного банка, Қазақстанда) match their dictionary names, in any script;
* discovery, for actors no lexicon lists, driven by the cue words of data/lang/cues: names built
  around head words (Ministry, Nazirliyi, министрлігі, Summit, Forum ...), quoted names next to a
  type word («...» бастамасы, the "..." initiative), acronyms defined in parentheses, unknown
  acronyms, persons (titles, positions, initials, surname endings) and places (X şəhərində).

Selection keeps the longest candidates that do not overlap (the lexicon wins ties) and keeps
shorter candidates that lie wholly inside a kept one as *nested* mentions.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from envgraph.keys import SuffixChains, Token, WordIndex, lower, script_of, skeleton, stem, word_matches
from envgraph.langdata import LanguageData
from envgraph.labels import HEAD_NAMED_RULES, citation_form, unquoted
from envgraph.lexicon import Alias, Lexicon, suffix_chains
from envgraph.model import Mention
from envgraph.textview import URL_RE, TextView

_NAME_SEPARATOR_RE = re.compile(r"^(?: |-|'|/|&| & | / |\n)$")
_INFLECTION_TAIL_RE = re.compile(r"^[-'][^\W\d_]{1,7}\b")
_ORDINAL_RE = re.compile(r"^\d{1,3}$")
_ROMAN_RE = re.compile(r"^[IVXLC]+$")

TURKIC = frozenset({"az", "kk", "tk"})
_CLOSING = frozenset({'"', "»", "*", "**", '*"', '"*', "**\"", "\"**", "*»", "»*", "'"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed mention, in token indices of the view (``first``..``last`` inclusive)."""

    first: int
    last: int
    start: int  # normalised offsets
    end: int
    type: str
    rule: str
    confidence: float
    key: str
    label: str
    entry_ids: tuple[str, ...] = ()
    generic: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class CueTables:
    """Cue words of one language, indexed so that inflected occurrences are found."""

    heads: WordIndex  # -> entity type
    weak_heads: WordIndex  # heads that name something only capitalised or defined by an acronym
    head_words: frozenset[str]  # the head words in their dictionary form
    head_final: bool
    head_initial: bool
    connectors: frozenset[str]  # skeletons of function words allowed inside names
    barriers: frozenset[str]  # skeletons of words that end a name
    cue_barriers: frozenset[str]  # relation cue words: they end a name unless capitalised in it
    non_names: frozenset[str]
    quote_cues: WordIndex  # -> entity type
    honorifics_before: frozenset[str]
    honorifics_after: frozenset[str]
    positions: WordIndex  # -> True
    surname_suffixes: tuple[str, ...]
    place_after: WordIndex
    place_before: WordIndex  # one-word cues (город, inflected too)
    place_before_phrases: tuple[tuple[str, ...], ...]  # cues of several words, as skeletons ("city of")
    generic_plural: frozenset[str]
    org_markers: frozenset[str]
    modifier_endings: tuple[str, ...]
    complement_endings: tuple[str, ...]
    stop_left_at_heads: bool
    stop_right_at_heads: bool
    prepositions: frozenset[str]
    name_particles: frozenset[str]
    event_part_modifiers: frozenset[str]
    standalone_heads: frozenset[str]
    verb_endings: tuple[str, ...]
    topic_prepositions: frozenset[str]  # "Конвенция о ...": the topic of a treaty follows them
    government_words: frozenset[str]
    titles_precede_names: bool
    conjunctions: frozenset[str]
    light_verbs: frozenset[str]  # "idarə edir": a head word before one of these is a verb's noun
    not_heads: frozenset[str]  # words that read as an inflected head word but are other words (birlikdə)
    list_words: frozenset[str]
    genitive_endings: tuple[str, ...]  # a name in the genitive before a head word is its owner
    person_case_endings: tuple[str, ...]  # case endings a surname may carry, longest first
    locative_suffixes: tuple[str, ...]  # skeletons of the locative endings ("in X")

    def head_type(self, word_skeleton: str) -> str | None:
        found = self.heads.lookup(word_skeleton)
        return str(found[0]) if found else None

    def quote_type(self, word_skeleton: str) -> str | None:
        found = self.quote_cues.lookup(word_skeleton)
        return str(found[0]) if found else None


@functools.lru_cache(maxsize=32)
def cue_tables(lang: str, data: LanguageData) -> CueTables:
    """Cue tables for ``lang``, built once per language data object."""
    raw = data.cues.get(lang, {}) or {}
    chains = suffix_chains(data)

    def index(words: Iterable[str], payload: object = True) -> WordIndex:
        idx = WordIndex(data, chains)
        for word in words or []:
            parts = [skeleton(p, data) for p in str(word).split()]
            if parts:
                idx.add(parts[-1], payload, lang)
        return idx

    def typed_index(table: dict[str, list[str]]) -> WordIndex:
        idx = WordIndex(data, chains)
        for type_name, words in (table or {}).items():
            for word in words or []:
                parts = [skeleton(p, data) for p in str(word).split()]
                if parts:
                    idx.add(parts[-1], type_name, lang)
        return idx

    person = raw.get("person") or {}
    connectors = frozenset(skeleton(str(w), data) for w in raw.get("connectors") or [])
    stopwords = data.profiles[lang].stopwords if lang in data.profiles else frozenset()
    # tokens split at hyphens: "сондай-ақ" ends a name at its first part
    stop_keys = frozenset(skeleton(w.split("-")[0], data) for w in stopwords)
    extra_barriers = frozenset(skeleton(str(w), data) for w in raw.get("barriers") or [])
    # the words of relation cues (financed, tərəfindən, реализуется ...) never stand inside a
    # name; the nominal cues of what an initiative concerns (protection, restoration) may
    cue_words = frozenset(
        skeleton(word, data)
        for item in raw.get("relations") or []
        if item.get("property") not in ("concerns", "cooperatesWith")
        for cue in item.get("cues") or []
        for word in str(cue).split()
        if len(word) > 3
    )
    return CueTables(
        heads=typed_index(raw.get("heads") or {}),
        weak_heads=index(raw.get("weak_heads") or []),
        head_words=frozenset(skeleton(str(w), data) for ws in (raw.get("heads") or {}).values() for w in ws or []),
        head_final=bool(raw.get("head_final", True)),
        head_initial=bool(raw.get("head_initial", False)),
        connectors=connectors,
        barriers=(stop_keys - connectors) | extra_barriers,
        cue_barriers=cue_words - connectors,
        non_names=frozenset(str(w) for w in raw.get("non_names") or []),
        quote_cues=typed_index(raw.get("quote_cues") or {}),
        honorifics_before=frozenset(skeleton(str(w), data).rstrip(".") for w in person.get("honorifics_before") or []),
        honorifics_after=frozenset(skeleton(str(w), data) for w in person.get("honorifics_after") or []),
        positions=index(person.get("positions") or []),
        surname_suffixes=tuple(sorted({skeleton(str(x), data) for x in person.get("surname_suffixes") or []}, key=len, reverse=True)),
        place_after=index(raw.get("place_after") or []),
        place_before=index(w for w in raw.get("place_before") or [] if len(str(w).split()) == 1),
        place_before_phrases=tuple(tuple(skeleton(p, data) for p in str(w).split())
                                   for w in raw.get("place_before") or [] if len(str(w).split()) > 1),
        generic_plural=frozenset(skeleton(str(w), data) for w in raw.get("plural_suffixes") or []),
        org_markers=frozenset(str(w) for w in raw.get("org_markers") or []),
        modifier_endings=tuple(str(e) for e in raw.get("modifier_endings") or []),
        complement_endings=tuple(str(e) for e in raw.get("complement_endings") or []),
        stop_left_at_heads=bool(raw.get("stop_left_at_heads", False)),
        stop_right_at_heads=bool(raw.get("stop_right_at_heads", True)),
        prepositions=frozenset(skeleton(str(w), data) for w in raw.get("prepositions") or []),
        name_particles=frozenset(str(w) for w in person.get("name_particles") or []),
        event_part_modifiers=frozenset(skeleton(str(w), data) for w in raw.get("event_part_modifiers") or []),
        standalone_heads=frozenset(skeleton(str(w), data) for w in raw.get("standalone_heads") or []),
        verb_endings=tuple(str(e) for e in raw.get("verb_endings") or []),
        topic_prepositions=frozenset(skeleton(str(w), data) for w in raw.get("topic_prepositions") or []),
        government_words=frozenset(skeleton(str(w), data) for w in raw.get("government_words") or []),
        titles_precede_names=bool(raw.get("titles_precede_names", False)),
        conjunctions=frozenset(skeleton(str(w), data) for w in raw.get("conjunctions") or []),
        light_verbs=frozenset(skeleton(str(w), data) for w in raw.get("light_verbs") or []),
        not_heads=frozenset(skeleton(str(w), data) for w in raw.get("not_heads") or []),
        list_words=frozenset(lower(str(w)) for w in raw.get("list_words") or []),
        genitive_endings=tuple(lower(str(e)) for e in raw.get("genitive_endings") or []),
        locative_suffixes=tuple(skeleton(str(e), data) for e in raw.get("locative_suffixes") or []),
        person_case_endings=tuple(sorted((lower(str(e)) for e in person.get("case_endings") or []), key=len, reverse=True)),
    )


# ---------------------------------------------------------------------------------------------
# Lexicon matching


def _joined(view: TextView, i: int, j: int) -> bool:
    """True when tokens i and j=i+1 are separated only by what may sit inside a name."""
    gap = view.text[view.tokens[i].end : view.tokens[j].start]
    return _is_name_separator(gap) and view.sentence_of_token[i] == view.sentence_of_token[j]


@functools.lru_cache(maxsize=4096)  # a few gaps (" ", ", ", "-") are most of them: match each once
def _is_name_separator(gap: str) -> bool:
    return bool(_NAME_SEPARATOR_RE.match(gap))


def _extend_inflection(view: TextView, end: int) -> int:
    """Include a hyphenated or apostrophe case suffix: BMT-nin, COP29-da, UNEP'in."""
    match = _INFLECTION_TAIL_RE.match(view.text[end : end + 10])
    if match and match.group()[1:].islower():
        return end + match.end()
    return end


def match_lexicon(view: TextView, lexicon: Lexicon, data: LanguageData) -> list[Candidate]:
    """Every lexicon alias that occurs in the text, as candidates (overlaps allowed)."""
    out: list[Candidate] = []
    tokens = view.tokens
    n = len(tokens)
    for i, token in enumerate(tokens):
        # abbreviations: exact, or the same skeleton on an all-capitals token
        script = script_of(token.text)
        abbr_aliases = lexicon.abbreviations.get(token.text)
        if abbr_aliases is None and token.is_acronym:
            # the same letters in the other script: only Kazakh abbreviations (БҰҰ = BŪŪ)
            abbr_aliases = [a for a in lexicon.abbreviation_keys.get(view.skeletons[i], ()) if a.lang.startswith("kk")] or None
        if abbr_aliases:
            ids = tuple(dict.fromkeys(a.entry_id for a in abbr_aliases))
            first = lexicon.entries[ids[0]]
            end = _extend_inflection(view, token.end)
            out.append(Candidate(i, i, token.start, end, first.type, "lexicon:abbr", 0.9, first.id, first.label, ids))
        for alias in lexicon.first_words.lookup(view.skeletons[i]):
            assert isinstance(alias, Alias)
            if not alias.fits_script(script):
                continue
            last = _match_alias(view, i, alias, lexicon.chains, data.stemming.skippable)
            if last is None:
                continue
            length = last - i + 1
            if length == 1 and not token.is_capitalised:
                continue  # one lower-case word is a common noun, not a name
            if length == 1 and alias.is_abbreviation and not token.is_acronym:
                continue
            entry = lexicon.entries[alias.entry_id]
            end = _extend_inflection(view, tokens[last].end)
            confidence = 0.95 if length > 1 else 0.85
            rule = "lexicon:abbr" if alias.is_abbreviation else "lexicon"
            out.append(Candidate(i, last, token.start, end, entry.type, rule, confidence, entry.id, entry.label, (entry.id,)))
    return _merge_same_span(out)


def _match_alias(view: TextView, i: int, alias: Alias, chains: SuffixChains, skippable: frozenset[str]) -> int | None:
    """The last token of ``alias`` matched from token i, or None. One skippable word ("vice")
    may stand between the name's words."""
    k = i
    skipped = False
    for w, bases in enumerate(alias.words):
        if w > 0:
            if k + 1 >= len(view.tokens) or not _joined(view, k, k + 1):
                return None
            k += 1
            if not skipped and view.skeletons[k] in skippable and not word_matches(view.skeletons[k], bases, chains):
                if k + 1 >= len(view.tokens) or not _joined(view, k, k + 1):
                    return None
                k += 1
                skipped = True
            if not word_matches(view.skeletons[k], bases, chains):
                return None
    return k


def _merge_same_span(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates with the same span and type are one candidate with several entries."""
    merged: dict[tuple[int, int, str], Candidate] = {}
    for c in candidates:
        slot = (c.start, c.end, c.type)
        if slot in merged:
            prev = merged[slot]
            ids = tuple(dict.fromkeys(prev.entry_ids + c.entry_ids))
            merged[slot] = replace(prev, entry_ids=ids, confidence=max(prev.confidence, c.confidence) - (0.05 if len(ids) > len(prev.entry_ids) else 0))
        else:
            merged[slot] = c
    return list(merged.values())


# ---------------------------------------------------------------------------------------------
# Discovery


def _is_name_word(view: TextView, i: int, tables: CueTables) -> bool:
    token = view.tokens[i]
    return token.is_capitalised and token.text not in tables.non_names


def _phrase_key(view: TextView, first: int, last: int) -> str:
    return " ".join(view.keys[first : last + 1])


def _surface(view: TextView, first: int, last: int) -> str:
    return view.text[view.tokens[first].start : view.tokens[last].end]


def _is_named(view: TextView, first: int, last: int, head: int, tables: CueTables, lexical_tokens: set[int],
              type_name: str, body_tokens: frozenset[int] | set[int] = frozenset()) -> bool:
    """Whether the words around a head make a proper name: a capitalised word that is not just
    the first word of the sentence, nor (for events and conventions) a country or place name
    ("Қазақстан Республикасынан конференцияға" is "to the conference from Kazakhstan")."""
    if view.tokens[head].is_capitalised and view.tokens[head].text not in tables.non_names:
        if not (head == first and _sentence_initial(view, head)) or (tables.head_initial and last > head):
            return True
    if type_name in ("Initiative", "Event") and any(
            tables.head_type(view.skeletons[k]) == "Organisation" for k in range(first, head)):
        return False  # "Kanada ... İnkişaf Agentliyi layihəni": a body's name, then a common noun
    for k in range(first, last + 1):
        if k == head or not _is_name_word(view, k, tables) or view.skeletons[k] in tables.connectors:
            continue
        if k == first and _sentence_initial(view, k) and last - first <= 1:
            continue
        if type_name != "Organisation" and k in lexical_tokens:
            continue  # "Қазақстан Республикасынан конференцияға", "Xəzərin ... son onillikdə": no name
        if type_name in ("Initiative", "Event") and k in body_tokens:
            continue  # "the FAO project", "UNDP-nin layihəsi": a body's project, named elsewhere
        return True
    return False


def _sentence_initial(view: TextView, i: int) -> bool:
    s = view.sentence_of_token[i]
    return i == 0 or view.sentence_of_token[i - 1] != s


def discover_by_heads(
    view: TextView, data: LanguageData, blocked: set[int], convention_tokens: set[int], name_ends: set[int],
    lexical_tokens: set[int] | None = None, body_tokens: set[int] | None = None,
) -> list[Candidate]:
    """Names built around a head word: "... Nazirliyi", "Ministry of ...", "... Summit".

    ``blocked`` tokens (persons) never join a name; a name of an event or initiative stops at
    a convention it is about (Tərəflər Konfransı ... of the Convention), an organisation does not
    (Tehran Konvensiyasının Katibliyi)."""
    out: list[Candidate] = []
    lexical_tokens = lexical_tokens or set()
    body_tokens = body_tokens or set()
    n = len(view.tokens)
    for i in range(n):
        if i in blocked:
            continue
        lang = view.langs[i]
        tables = cue_tables(lang, data)
        type_name = tables.head_type(view.skeletons[i])
        if type_name is None and lang != "en" and view.tokens[i].is_capitalised:
            type_name = cue_tables("en", data).head_type(view.skeletons[i])
        if type_name is None:
            continue
        if not view.tokens[i].is_capitalised and tables.weak_heads.lookup(view.skeletons[i]) \
                and not _acronym_follows(view, i):
            continue  # "the main goal of the meeting": a common word unless "... goal (NCQG)"
        if view.skeletons[i] in tables.not_heads:
            continue
        if i + 1 < n and view.skeletons[i + 1] in tables.light_verbs and not view.tokens[i].is_capitalised:
            continue  # "layihəni idarə edir": the noun of a verb (to manage), not a body
        if lang in TURKIC and any(p in view.skeletons[i][3:] for p in tables.generic_plural):
            continue  # plural head: "müvafiq nazirliklərinin" are some ministries, not one
        stop = blocked | (convention_tokens if type_name != "Organisation" else set())
        # a name that an acronym in parentheses follows may run over more common words
        max_lower = _MAX_LOWER_WORDS_DEFINED if _acronym_follows(view, i) else _MAX_LOWER_WORDS
        first = _extend_left(view, i, tables, lang, stop, name_ends, data, max_lower)
        if (tables.head_final and first < i and _sentence_initial(view, first) and tables.head_type(view.skeletons[first])
                and view.tokens[first + 1].is_capitalised):
            first += 1  # "Layihə Almaniya Federal ... Nazirliyi tərəfindən": the project, then the body
        last = _extend_right(view, i, tables, lang, stop)
        # a lone head word capitalised only because it opens the sentence ("Саммитті ...", "Проект был
        # представлен ...") is the common noun: the summit, the project
        opening = first == last == i and _sentence_initial(view, i)
        named = not opening and _is_named(view, first, last, i, tables, lexical_tokens, type_name, body_tokens)
        if not named:
            if type_name in ("Initiative", "Organisation") and (opening or not view.tokens[i].is_capitalised):
                # "the project", "the FAO project", "head of the agency": resolved later to the
                # document's named initiative, or the named body with that head word. A body's
                # head word is a common noun too (idarə etmək, international community): only
                # in a person's title is it taken for a body ("Mərkəzin direktoru Leyla ...")
                if type_name == "Organisation" and not _in_persons_title(view, i, tables, blocked):
                    continue
                out.append(Candidate(i, i, view.tokens[i].start, _extend_inflection(view, view.tokens[i].end), type_name,
                                     f"head:{type_name}:generic", 0.35, f"generic:{view.skeletons[i][:5]}",
                                     view.tokens[i].text, generic=True))
                continue
            if type_name != "Event":
                continue
            # a common-noun event ("the forum", "beynəlxalq forum"): resolved later to a named one,
            # or, with a part modifier ("the opening ceremony"), a part of the main event
            first = _generic_modifiers(view, i, tables)
            if any(view.skeletons[k].startswith(data.other_event_words) for k in range(max(0, first - 1), i)):
                continue  # "следующее заседание", "the next session": another event than this one
            last = i
            if tables.head_initial and i + 1 < n and _joined(view, i, i + 1) \
                    and _starts_with_any(view.skeletons[i + 1], tables.event_part_modifiers):
                last = i + 1  # "церемония открытия": the kind of part follows the head
            part = any(_starts_with_any(view.skeletons[k], tables.event_part_modifiers) for k in range(first, last + 1) if k != i)
            rule = f"head:{type_name}:generic" + (":part-modifier" if part else "")
            out.append(Candidate(first, last, view.tokens[first].start, _extend_inflection(view, view.tokens[last].end), type_name,
                                 rule, 0.4, f"generic:{view.skeletons[i][:5]}", _surface(view, first, last), generic=True))
            continue
        if first == last:
            if not view.tokens[i].is_capitalised or len(view.tokens[i].text) < 3:
                continue
            if type_name != "Event" and not _starts_with_any(view.skeletons[i], tables.standalone_heads):
                continue  # a lone capitalised head word ("Bank", "Fund") names nothing
        end = _extend_inflection(view, view.tokens[last].end)
        confidence = 0.7 if last - first >= 1 else 0.5
        name_first, name_last = first, last
        if i == last and last > first and view.text[view.tokens[last - 1].end : view.tokens[i].start].strip(" ") in _CLOSING:
            name_last = last - 1  # «Blueing the Caspian Sea» initiative: the name is what is quoted
        type_name = _refine_type(view, first, last, type_name, tables)
        rule = f"head:{type_name}"
        if type_name == "Organisation" and _is_venue(view, i, last, lang, tables, data):
            type_name, rule = "Place", "head:Place:venue"
        out.append(Candidate(first, last, view.tokens[first].start, end, type_name, rule, confidence,
                             _phrase_key(view, name_first, name_last), unquoted(_surface(view, name_first, name_last))))
    return out


def _is_venue(view: TextView, head: int, last: int, lang: str, tables: CueTables, data: LanguageData) -> bool:
    """A body's name in the locative, in a sentence saying that something was held ("... Bakı
    Konqres Mərkəzində ... konfrans keçirilib"): the building, a place, not an actor. Only where
    a name ends in its head word and cases are suffixes (the Turkic languages)."""
    if not tables.head_final or head != last or not tables.locative_suffixes:
        return False
    word = view.skeletons[head]
    if not word.endswith(tables.locative_suffixes) or len(word) <= 5:
        return False
    s = view.sentence_of_token[head]
    rest = " " + " ".join(view.skeletons[k] for k in range(head + 1, min(len(view.tokens), head + 40))
                          if view.sentence_of_token[k] == s) + " "
    return any(f" {verb} " in rest for verb in _held_verbs(lang, data))


@functools.lru_cache(maxsize=16)
def _held_verbs(lang: str, data: LanguageData) -> tuple[str, ...]:
    """The verbs of taking place (cues: held_verbs), as skeletons (several words for some)."""
    return tuple(v for v in (skeleton(str(x), data) for x in (data.cues.get(lang) or {}).get("held_verbs") or []) if v)


def _in_persons_title(view: TextView, i: int, tables: CueTables, persons: set[int]) -> bool:
    """Whether token i stands in a title next to a person's name: a title word at most three
    words before or after it ("head of the agency", "Глава агентства", "Mərkəzin direktoru",
    "gaznanyň ýerine ýetiriji direktory"), and a person's name within six words, in the same
    sentence."""
    s = view.sentence_of_token[i]
    near = range(max(0, i - 3), min(len(view.tokens), i + 4))  # "gaznanyň ýerine ýetiriji direktory"
    if not any(k != i and view.sentence_of_token[k] == s and tables.positions.lookup(view.skeletons[k]) for k in near):
        return False
    return any(view.sentence_of_token[k] == s for k in persons if abs(k - i) <= 6)


def _refine_type(view: TextView, first: int, last: int, type_name: str, tables: CueTables) -> str:
    """The head of "Department on Coordination of ... Projects" is Department (the word before the
    first preposition, in head-initial names); a programme of the UN (UN Environment Programme,
    BMT-nin İnkişaf Proqramı) is a body."""
    if tables.stop_right_at_heads:
        for k in range(first + 1, last + 1):
            if view.skeletons[k] in tables.prepositions:
                head_type = tables.head_type(view.skeletons[k - 1])
                if head_type:
                    type_name = head_type
                break
    if type_name == "Initiative" and any(view.tokens[k].text in tables.org_markers for k in range(first, last + 1)):
        return "Organisation"
    return type_name


_MAX_NAME_TOKENS = 9
_MAX_LOWER_WORDS = 3
_MAX_LOWER_WORDS_DEFINED = 6


def _acronym_follows(view: TextView, i: int) -> bool:
    """Whether the word ending at token i is followed by an acronym in parentheses: "(NCQG)"."""
    if i + 1 >= len(view.tokens) or not view.tokens[i + 1].is_acronym:
        return False
    before = view.text[view.tokens[i].end : view.tokens[i + 1].start].strip()
    after = view.text[view.tokens[i + 1].end : view.tokens[i + 1].end + 16].lstrip(" +&")
    return before == "(" and after[:1] in (")", "-")


def _extend_left(view: TextView, head: int, tables: CueTables, lang: str, stop: set[int], name_ends: set[int],
                 data: LanguageData, max_lower: int = _MAX_LOWER_WORDS) -> int:
    """Modifiers before the head: capitalised words and connectors; in Turkic languages and Russian
    also up to ``max_lower`` lower-case words (three; six when an acronym in parentheses defines
    the name), trimmed back to the first capitalised one."""
    first = head
    lower_words = 0
    k = head - 1
    while k >= 0 and head - k < _MAX_NAME_TOKENS and k not in stop:
        if not _joined(view, k, k + 1):
            quoted = _quoted_before(view, k, first)
            others = [j for j in range(k + 1, head) if tables.head_type(view.skeletons[j])]
            if quoted is not None and not others:
                first = quoted  # «Астана» халықаралық ғылыми кешені: the quoted name is part of it
            break
        skel = view.skeletons[k]
        token = view.tokens[k]
        if skel in tables.barriers or (skel in tables.cue_barriers and not token.is_capitalised) \
                or (tables.titles_precede_names and skel in tables.positions and not tables.head_type(skel)):
            break  # "Deputy Head of ...": the title is not part of the name (Turkic: "Nazirlər Forumu" is)
        if skel in tables.connectors and k - 1 in name_ends:
            break  # "Dünya Bankı və ...": the connector joins two names
        if skel in tables.conjunctions and k > 0 and tables.head_type(view.skeletons[k - 1]) == tables.head_type(view.skeletons[head]):
            break  # "X Hökuməti və Y Hökuməti", "Дала кеңесі мен Арал ... желісі": two bodies of one kind
        if tables.head_initial and skel in tables.conjunctions and _body_before(view, k, tables):
            break  # "Ministry of Ecology and Natural Resources and [the Caspian ... Centre]": two bodies
        if tables.stop_left_at_heads and tables.head_type(skel):
            break
        if (lang in TURKIC and token.is_capitalised and tables.genitive_endings and tables.head_type(skel)
                and not lower(token.text).endswith(tables.genitive_endings) and k - 1 >= 0 and _joined(view, k - 1, k)
                and view.tokens[k - 1].is_capitalised and not _sentence_initial(view, k - 1)
                and view.tokens[k + 1].is_capitalised and not _without_possessive(skel, tables, data)):
            # "[Aral Galkynyş Gaznasy] Özbegistanyň ... ministrligi": a head with its possessive
            # but not in the genitive closes a name of its own ("Sähra Gorag Gullugy": bare, a modifier)
            break
        if token.is_capitalised or skel in tables.connectors or _ORDINAL_RE.match(token.text):
            first = k
        elif tables.modifier_endings and lower_words < max_lower:
            if not lower(token.text).endswith(tables.modifier_endings):
                break
            lower_words += 1
            first = k
        elif lang in TURKIC and lower_words < max_lower:
            lower_words += 1
            first = k
        else:
            break
        k -= 1
    # trim to start at a capitalised word; a sentence-initial common noun ("Layihəyə Otlaq
    # İdarəetməsi Nazirliyi ...", "Forumda Çöl ... İnstitutunun") is not part of the name
    while first < head:
        token = view.tokens[first]
        if token.is_capitalised and token.text not in tables.non_names:
            inflected_head = tables.head_type(view.skeletons[first]) and view.skeletons[first] not in tables.head_words
            # "Аймағымызда ... форумы": a sentence-initial word in the locative is the setting
            setting = (first not in name_ends and len(view.skeletons[first]) > 5
                       and view.skeletons[first].endswith(tables.locative_suffixes))
            if not (_sentence_initial(view, first) and (inflected_head or setting)):
                break
        first += 1
    return first


def _body_before(view: TextView, k: int, tables: CueTables) -> bool:
    """Whether the words before the conjunction at k run back to a body's head word (in
    languages that put it first): "Ministry of Ecology and Natural Resources | and ...", but not
    "Food | and Agriculture Organization"."""
    j = k - 1
    while j >= 0 and k - j <= 8 and _joined(view, j, j + 1):
        word = view.skeletons[j]
        if view.tokens[j].is_capitalised and tables.head_type(word) == "Organisation":
            return True
        if not (view.tokens[j].is_capitalised or word in tables.connectors or word in tables.conjunctions):
            return False
        j -= 1
    return False


def _quoted_before(view: TextView, k: int, first: int) -> int | None:
    """Token index where a quoted name ends at token k ("«Астана» ...") begins, if the words
    between it and the head continue right after the closing quote."""
    gap = view.text[view.tokens[k].end : view.tokens[k + 1].start]
    if gap not in ("» ", '" ') or k + 1 != first and first != k + 1:
        return None
    opening = view.text.rfind("«" if gap[0] == "»" else '"', max(0, view.tokens[k].start - 120), view.tokens[k].start)
    if opening < 0:
        return None
    inside = view.token_range(opening + 1, view.tokens[k].end)
    if not inside or len(inside) > 6 or not view.tokens[inside.start].is_capitalised:
        return None
    return inside.start


def _extend_right(view: TextView, head: int, tables: CueTables, lang: str, stop: set[int]) -> int:
    """Complements after the head: "of the Republic of Kazakhstan", "охраны окружающей среды"."""
    topic = _treaty_topic(view, head, tables, stop)
    if topic is not None:
        return topic
    if not tables.head_initial or (lang != "ru" and not view.tokens[head].is_capitalised):
        return head
    if not view.tokens[head].is_capitalised and tables.head_type(view.skeletons[head]) != "Organisation":
        return head  # "проектов Министерства ...": the complement names the ministry, not a project
    last = head
    k = head + 1
    n = len(view.tokens)
    saw_name = False
    lower_words = 0
    before_conjunction: int | None = None
    while k < n and k - head < _MAX_NAME_TOKENS and k not in stop and _joined(view, k - 1, k):
        skel = view.skeletons[k]
        token = view.tokens[k]
        if skel in tables.conjunctions and before_conjunction is None:
            before_conjunction = last
        # a plural head right after "and" ends this name ("… Environmental Cooperation and Projects")
        plural_tail = lang == "en" and view.skeletons[k - 1] in tables.conjunctions and skel.endswith("s")
        if tables.head_type(skel) and before_conjunction is not None and not plural_tail:
            last = before_conjunction  # "Steppe Council and the Aral Youth Network": a second name
            break
        if (skel in tables.barriers or (skel in tables.cue_barriers and not token.is_capitalised)) \
                and skel not in tables.connectors:
            break
        if (tables.stop_right_at_heads and tables.head_type(skel) and not plural_tail) or skel in tables.positions:
            break  # a later head word heads its own, longer name
        if token.is_capitalised and tables.head_type(skel) and view.skeletons[k - 1] in tables.connectors \
                and not plural_tail:
            break  # "Всемирный банк и Управление ООН ...": the connector starts another name
        if view.text[view.tokens[k - 1].end : token.start] == "-" and k - 1 == last:
            last = k  # a hyphenated word continues: Co-operation
        elif token.is_capitalised and token.text not in tables.non_names:
            last = k
            saw_name = True
        elif skel in tables.connectors:
            pass
        elif (
            tables.complement_endings
            and token.text.isalpha()
            and token.text.islower()
            and lower_words < 4
            and (lower(token.text).endswith(tables.complement_endings) or _hyphen_compound(view, k, tables))
            and not lower(token.text).endswith(tables.verb_endings)
        ):
            lower_words += 1
            last = k  # Russian genitive complements: Министерство охраны окружающей среды
        else:
            break
        k += 1
    return _before_second_name(view, head, last, tables, stop)


def _before_second_name(view: TextView, head: int, last: int, tables: CueTables, stop: set[int]) -> int:
    """A name read past a conjunction into a second body whose head word comes after the end
    ends before that conjunction: "Ministry of Ecology and Natural Resources [and the Caspian
    Marine Research Centre]" (the first "and" belongs to the name, the last opens another)."""
    n = len(view.tokens)
    for c in range(last, head, -1):
        if view.skeletons[c] not in tables.conjunctions:
            continue
        j = c + 1
        while j < n and not view.tokens[j].is_capitalised and len(view.tokens[j].text) <= 3 and j - c <= 2:
            j += 1  # "and the ..."
        run_end = j
        while run_end < n and run_end - j < 6 and view.tokens[run_end].is_capitalised and run_end not in stop \
                and _joined(view, run_end - 1, run_end):
            run_end += 1
        if run_end - 1 > last and any(tables.head_type(view.skeletons[t]) == "Organisation"
                                      for t in range(last + 1, run_end)):
            end = c - 1
            while end > head and view.skeletons[end] in tables.connectors:
                end -= 1
            return end
        break  # only the last conjunction can open a second name
    return last


def _hyphen_compound(view: TextView, k: int, tables: CueTables) -> bool:
    """The first half of a hyphenated adjective whose second half is a complement ("водно-болотных")."""
    return (k + 1 < len(view.tokens) and view.text[view.tokens[k].end : view.tokens[k + 1].start] == "-"
            and view.tokens[k + 1].text.islower() and lower(view.tokens[k + 1].text).endswith(tables.complement_endings))


def _treaty_topic(view: TextView, head: int, tables: CueTables, stop: set[int]) -> int | None:
    """The last token of a treaty's topic after its head: "Конвенцию [о снежном барсе]",
    "Соглашение [о сохранении ... тюленя]" (topic_prepositions, then up to six words that are
    no verbs); None when the head is no treaty word or no topic follows."""
    n = len(view.tokens)
    k = head + 1
    if (not tables.topic_prepositions or tables.head_type(view.skeletons[head]) != "Convention"
            or k >= n or view.skeletons[k] not in tables.topic_prepositions or not _joined(view, head, k)):
        return None
    last = None
    while k + 1 < n and k + 1 - head <= 7 and k + 1 not in stop and _joined(view, k, k + 1):
        token = view.tokens[k + 1]
        word = lower(token.text)
        if not token.text.isalpha() or word.endswith(tables.verb_endings) or view.skeletons[k + 1] in tables.barriers:
            break
        k += 1
        last = k
    return last


def _starts_with_any(word: str, stems: frozenset[str]) -> bool:
    """``word`` is one of ``stems`` or an inflected form of it (ikinci, açılış-ı)."""
    return any(word.startswith(stem) and len(word) - len(stem) <= 4 for stem in stems if len(stem) >= 3) or word in stems


def _generic_modifiers(view: TextView, head: int, tables: CueTables) -> int:
    first = head
    k = head - 1
    while k >= 0 and head - k <= 2 and _joined(view, k, k + 1):
        skel = view.skeletons[k]
        if skel in tables.barriers or skel in tables.connectors or not view.tokens[k].text.isalpha():
            break
        if view.tokens[k].is_capitalised and not _sentence_initial(view, k):
            break  # "Rəhimova açılış sessiyasında": a name before the common words is no modifier
        if tables.modifier_endings and not lower(view.tokens[k].text).endswith(tables.modifier_endings):
            break  # "состоялось заседание": a verb, not an adjective of the event
        first = k
        k -= 1
    return first


def discover_quoted(view: TextView, data: LanguageData) -> list[Candidate]:
    """Quoted names typed by a cue word next to them: «...» бастамасы, the "..." initiative."""
    out: list[Candidate] = []
    text = view.text
    for quote_start, inner_start, inner_end, quote_end in _quotations(text):
        inner = text[inner_start:inner_end].strip(" *")
        if not inner or not (inner[0].isupper() or inner[0].isdigit()):
            continue
        idx = view.token_range(inner_start, inner_end)
        lang = view.langs[idx.start] if idx else "en"
        tables = cue_tables(lang, data)
        # a treaty's name runs long ("... arasında ... haqqında Protokol"): its head ends the quote
        longest = 48 if idx and tables.head_type(view.skeletons[idx.stop - 1]) == "Convention" else 24
        if not idx or len(idx) > longest:
            continue
        after = view.token_range(quote_end, quote_end + 40)
        before = view.token_range(max(0, quote_start - 40), quote_start)
        cue_type = None
        for k in list(after)[:2] + list(reversed(before))[:2]:
            cue_type = tables.quote_type(view.skeletons[k]) or cue_tables("en", data).quote_type(view.skeletons[k])
            if cue_type:
                break
        if cue_type is None:
            last_inside = tables.head_type(view.skeletons[idx.stop - 1])
            if last_inside in ("Convention", "Initiative", "Event", "Organisation"):
                cue_type = last_inside  # "... haqqında Protokol", "... Forumu": the head is quoted too
        if cue_type is None and text[quote_end : quote_end + 1] == "-" and all(
            view.tokens[k].is_capitalised for k in idx
        ):
            cue_type = "Organisation"  # "Apolitical Group Limited"-in
        if cue_type is None:
            continue
        first, last = idx.start, idx.stop - 1
        out.append(Candidate(first, last, view.tokens[first].start, view.tokens[last].end, cue_type, f"quoted:{cue_type}", 0.75,
                             _phrase_key(view, first, last), _surface(view, first, last)))
    return out


_GUILLEMETS_RE = re.compile(r"«([^«»\n]{2,160})»")


def _quotations(text: str) -> list[tuple[int, int, int, int]]:
    """Quoted passages as (quote start, inner start, inner end, quote end): «...», and "..."
    read as an opening mark (after a space or punctuation, before a word) up to the next closing
    mark (after a word). Straight quotes cannot nest, so a quotation that contains a quoted name
    ("He said: "... the "X Convention" ...") is not paired with it: each opening mark is tried."""
    out = [(m.start(), m.start(1), m.end(1), m.end()) for m in _GUILLEMETS_RE.finditer(text)]
    marks = [i for i, c in enumerate(text) if c == '"']
    for n, i in enumerate(marks):
        opening = (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and not text[i + 1].isspace()
        if not opening:
            continue
        for j in marks[n + 1:]:
            if j - i > 400 or "\n" in text[i:j]:
                break
            if not text[j - 1].isspace() and (j + 1 >= len(text) or not text[j + 1].isalnum()):
                if j - i - 1 >= 2 and '"' not in text[i + 1 : j]:  # not a quotation around a quoted name
                    out.append((i, i + 1, j, j + 1))
                break
    return out


def discover_acronyms(view: TextView, lexicon: Lexicon, data: LanguageData, known: Sequence[Candidate]) -> list[Candidate]:
    """Acronyms: defined in parentheses after a name (linked to it), or unknown and standing alone."""
    out: list[Candidate] = []
    by_end = {c.end: c for c in sorted(known, key=lambda c: c.length)}
    text = view.text
    concepts = {m.group(1) for m in re.finditer(r"(?<![^\W\d_])[^\W\d_]{3,}\s*\((\w+)", text)  # starts at a word: faster, same matches
                if m.group(0).split("(")[0].strip().islower()}
    for i, token in enumerate(view.tokens):
        if not token.is_acronym or len(token.text) > 12 or _ROMAN_RE.match(token.text):
            continue
        if lexicon.abbreviations.get(token.text) or lexicon.abbreviation_keys.get(view.skeletons[i]):
            continue
        tables = cue_tables(view.langs[i], data)
        if token.text in tables.non_names or token.text in data.not_actor_codes or _line_is_upper(view, token.start):
            continue
        before = text[max(0, token.start - 3) : token.start]
        if before.endswith("(") or before.endswith("( "):
            paren = text.rfind("(", 0, token.start)
            head = by_end.get(_rstrip_pos(text, paren))
            if head is not None:
                end = _extend_inflection(view, token.end)
                out.append(Candidate(i, i, token.start, end, head.type, "acronym:defined", min(head.confidence, 0.85),
                                     head.key, head.label, head.entry_ids, head.generic))
                continue
        if token.text in concepts:
            continue  # "(ҰДАҮ)" after "ұлттық үлестер": an acronym of a concept, not of an actor
        if re.fullmatch(r"[A-ZА-ЯӘҒҚҢӨҰҮҺІ]{2,}-?\d{2,4}", token.text) or re.fullmatch(r"COP\d{1,2}", token.text):
            out.append(Candidate(i, i, token.start, _extend_inflection(view, token.end), "Event", "acronym:event", 0.6,
                                 view.skeletons[i], token.text))
            continue
        letters = sum(c.isalpha() for c in token.text)
        if letters >= 3:
            out.append(Candidate(i, i, token.start, _extend_inflection(view, token.end), "Organisation", "acronym:unknown", 0.4,
                                 view.skeletons[i], token.text))
    return out


def discover_url_projects(view: TextView, data: LanguageData, named: Sequence[Candidate]) -> list[Candidate]:
    """A project known only by its link: a paragraph that opens on "the project" (Layihənin
    məqsədi ..., The project aims ..., Проект направлен ...) without naming it and ends with a URL
    is about the initiative at that URL, which then names it. Initiatives named further on in the
    paragraph are its context ("... in the Eastern Partnership countries"), not its subject."""
    out: list[Candidate] = []
    starts = view.token_starts
    for para in view.paragraphs:
        links = list(URL_RE.finditer(view.text, para.start, para.end))
        match = links[-1] if links else None
        if match is None or view.text[match.end() : para.end].strip():
            continue  # no link, or one that does not end the paragraph
        first = bisect.bisect_left(starts, para.start)
        subject = [k for k in (first, first + 1) if k < len(view.tokens) and view.tokens[k].start < match.start()
                   and cue_tables(view.langs[k], data).head_type(view.skeletons[k]) == "Initiative"
                   and (k == first or view.tokens[first].text in cue_tables(view.langs[first], data).non_names)]
        # "Layihənin məqsədi", "The project aims": the first word, or the one after an article
        if not subject:
            continue
        if any(c.type == "Initiative" and c.first == subject[0] + 1 for c in named):
            continue  # "The project Saiga Corridor ...": a named project, the URL is its homepage
        url = match.group().rstrip()
        end = match.start() + len(url)
        last = bisect.bisect_left(starts, end) - 1
        key = "url:" + re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).rstrip("/")
        out.append(Candidate(bisect.bisect_left(starts, match.start()), last, match.start(), end, "Initiative",
                             "url:initiative", 0.5, key, key[4:]))
    return out


def _rstrip_pos(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in " \u2013\u2014-":
        pos -= 1
    return pos


def _line_is_upper(view: TextView, pos: int) -> bool:
    line_start = view.text.rfind("\n", 0, pos) + 1
    line_end = view.text.find("\n", pos)
    line = view.text[line_start : line_end if line_end >= 0 else len(view.text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def discover_persons(view: TextView, data: LanguageData, taken: Sequence[Candidate]) -> list[Candidate]:
    """Persons: runs of 2-4 capitalised words (or an initial and a surname) that carry a title,
    a position, or a surname ending."""
    out: list[Candidate] = []
    blocked = set()
    for c in taken:
        blocked.update(range(c.first, c.last + 1))
    tokens = view.tokens
    n = len(tokens)
    unproven: list[Candidate] = []
    i = 0
    while i < n:
        tables = cue_tables(view.langs[i], data)
        if i in blocked or not _person_word(view, i, tables):
            i += 1
            continue
        j = i
        while j + 1 < n and j + 1 - i < 5 and j + 1 not in blocked and _joined_person(view, j, j + 1):
            if _person_word(view, j + 1, tables):
                j += 1
            elif (view.tokens[j + 1].text in tables.name_particles and j + 2 < n and _person_word(view, j + 2, tables)
                  and _joined_person(view, j + 1, j + 2)):
                j += 2  # Salim bin Məhəmməd, Ahmed al-Malik
            elif (j + 2 < n and len(view.tokens[j + 1].text) == 1 and view.tokens[j + 1].text.isupper()
                  and view.text[view.tokens[j + 1].end : view.tokens[j + 2].start] in (". ", ".")
                  and _person_word(view, j + 2, tables)):
                j += 2  # a middle initial: Aigerim N. Seitkali
            else:
                break
        initial = _initial_before(view, i)
        words = j - i + 1
        # (a Turkic name's head carries the possessive: "Aral Dirçəliş Fondu"; a bare lower-case
        # head after the words is a noun of its own: "Баходир Турсунов қор ... бөледі")
        bare_head = (j + 1 < n and view.langs[j + 1] in TURKIC and not tokens[j + 1].is_capitalised
                     and _without_possessive(view.skeletons[j + 1], tables, data))
        if j + 1 < n and _joined(view, j, j + 1) and tables.head_type(view.skeletons[j + 1]) and not bare_head \
                and not (words >= 2 and lower(tokens[j].text).endswith(tables.genitive_endings)
                         and _person_evidence(view, i, j, tables, data, False)):
            i = j + 1
            continue  # "the Steppe Ecology Institute": the words name a body, not a person
            # (but "Leyla Əliyevanın təşəbbüsü" is a person's initiative: the name is in the genitive)
        if (words >= 4 and initial is None and j + 1 < n and tables.genitive_endings
                and lower(tokens[j].text).endswith(tables.genitive_endings) and view.skeletons[j + 1] in tables.positions
                and _person_evidence(view, i, j, tables, data, False) == "suffix"):
            i = j + 1
            continue  # "Qlobal Resurs Məlumat Bazasının direktoru": four words in the genitive before a title are its body
        if (view.text[tokens[j].end : tokens[j].end + 1] == "-" and j + 1 < n and not tokens[j + 1].is_capitalised
                and len(tokens[j].text) <= 3):
            i = j + 1
            continue  # "Economic Co-operation": a hyphenated word goes on, this is no name
        if words == 1 and initial is None and i > 0 and view.skeletons[i - 1].rstrip(".") in tables.honorifics_before \
                and _joined(view, i - 1, i) and len(tokens[i].text) > 3:
            surname = view.keys[i]
            out.append(Candidate(i, i, tokens[i].start, tokens[i].end, "Person", "person:title", 0.6,
                                 f"|{_phonetic(_surname_stem(surname, data), data)}", tokens[i].text))
            i += 1
            continue  # Ambassador Klimow, Ilçi Klimowyň: a title and a surname
        if words >= 2 or initial is not None:
            evidence = _person_evidence(view, i, j, tables, data, initial is not None)
            first_pos = initial if initial is not None else tokens[i].start
            surname = view.keys[j]
            given = view.skeletons[i] if initial is None and words >= 2 else ""
            key = (f"{_phonetic(given, data)[:1]}|{_phonetic(_surname_stem(surname, data), data)}"
                   if given or initial is not None else _phonetic(surname, data))
            if initial is not None:
                key = f"{_phonetic(skeleton(view.text[initial], data), data)[:1]}|{_phonetic(_surname_stem(surname, data), data)}"
            label = _nominative(view.text[first_pos : tokens[j].end], tables, data)
            if evidence:
                out.append(Candidate(i, j, first_pos, tokens[j].end, "Person", f"person:{evidence}", 0.7 if evidence != "suffix" else 0.6,
                                     key, label))
            elif words >= 2:
                unproven.append(Candidate(i, j, first_pos, tokens[j].end, "Person", "person:document", 0.55, key, label))
        i = j + 1
    # one person per discourse: a full name the document shows to be a person elsewhere (with a
    # title, in another language or script) is that person wherever it stands
    def spelled(c: Candidate) -> str:  # the name as written, folded, before any stemming
        return _phonetic(" ".join(view.skeletons[c.first : c.last + 1]), data)

    known = {c.key: c.key for c in out if "|" in c.key}
    known.update((spelled(c), c.key) for c in out if c.last > c.first)
    for c in unproven:
        key = known.get(c.key) or known.get(spelled(c))
        if key is not None:
            out.append(replace(c, key=key))  # keyed as the proven mention, so it resolves with it
    return out


def _without_possessive(word: str, tables: CueTables, data: LanguageData) -> bool:
    """A head word in its dictionary form or with a case ending only ("қор", "gaznanyň"), not
    with the possessive a Turkic name's head carries ("қоры", "gaznasynyň", "Fondu")."""
    possessive = data.stemming.possessive_endings
    readings = [word[len(head):] for head in tables.head_words if len(head) >= 3 and word.startswith(head)]
    if any(rest.startswith(possessive) for rest in readings):
        return False  # "Fondu" is fond + u, whatever other head word it also begins with
    return any(not rest or _case_endings(data)(rest) for rest in readings)


#: chains of the endings of every language, built once per language data object
_case_endings = functools.lru_cache(maxsize=8)(suffix_chains)


def _person_word(view: TextView, i: int, tables: CueTables) -> bool:
    token = view.tokens[i]
    text = token.text
    return (
        token.is_capitalised
        and not token.is_acronym
        and len(text) >= 2
        and text.isalpha() is True
        and text not in tables.non_names
        and view.skeletons[i] not in tables.heads
        and view.skeletons[i] not in tables.positions
        and view.skeletons[i] not in tables.honorifics_before
    )


def _joined_person(view: TextView, i: int, j: int) -> bool:
    gap = view.text[view.tokens[i].end : view.tokens[j].start]
    return gap in (" ", "-")


def _initial_before(view: TextView, i: int) -> int | None:
    """Offset of an initial right before token i ("M. Oşurbaev", "E.Qarabağlı")."""
    start = view.tokens[i].start
    window = view.text[max(0, start - 4) : start]
    match = re.search(r"(?:^|[\s(])([A-ZА-ЯƏÖÜÇŞĞİÁÄŇÝŽ])\.\s?$", window)
    if match is None:
        return None
    return max(0, start - 4) + match.start(1)


def _person_evidence(view: TextView, i: int, j: int, tables: CueTables, data: LanguageData, has_initial: bool) -> str | None:
    if has_initial:
        return "initial"
    # a title or position word close before, or an honorific right after
    for k in range(max(0, i - 4), i):
        if view.skeletons[k].rstrip(".") in tables.honorifics_before or view.skeletons[k] in tables.positions:
            return "title"
    # hyphenated honorifics (г-н, г-жа) are split into tokens: read them from the text
    before = skeleton(view.text[max(0, view.tokens[i].start - 12) : view.tokens[i].start], data).rstrip(" .")
    for honorific in tables.honorifics_before:
        if "-" in honorific and before.endswith(honorific) and not before[: -len(honorific)][-1:].isalpha():
            return "title"
    if j + 1 < len(view.tokens) and view.skeletons[j + 1] in tables.honorifics_after:
        return "title"
    gap = view.text[view.tokens[j].end : view.tokens[j].end + 4]
    if j + 1 < len(view.tokens) and gap.lstrip().startswith((",", "-", "\u2013", "\u2014")):
        after = range(j + 1, min(len(view.tokens), j + 4))
        if any(view.skeletons[k] in tables.positions for k in after):
            return "title"
    for k in (j, i):
        word = view.keys[k]
        raw = skeleton(lower(view.tokens[k].text), data)
        for suffix in tables.surname_suffixes:
            if (word.endswith(suffix) or raw.endswith(suffix)) and len(word) > len(suffix) + 2:
                return "suffix"
        # a key stemmed hard (Рахимова → rah): the word as written, with a surname ending of
        # three letters at least (-ova, -eva, -ina; "Milli" ends in -li like Qarabağlı)
        if len(word) + 2 < len(raw) and any(raw.endswith(suffix) and len(suffix) >= 3 and len(raw) > len(suffix) + 2
                                            for suffix in tables.surname_suffixes):
            return "suffix"
    return None


def _nominative(name: str, tables: CueTables, data: LanguageData) -> str:
    """The name with its surname out of the case it stands in, for the label: "Leyla Əliyevanın"
    -> "Leyla Əliyeva", "Шохратом Ходжаназаровым" -> "Шохратом Ходжаназаров" (only the
    surname: the remainder must still end like a surname; cues: person_case_endings)."""
    head, _, last = name.rpartition(" ")
    if not head:
        return name
    female = tuple(x for x in tables.surname_suffixes if len(x) >= 3 and x.endswith("a"))
    for ending in tables.person_case_endings:
        stripped = last[: -len(ending)]
        if len(ending) == 1 and female and skeleton(last, data).endswith(female):
            continue  # "Rəhimova" is a woman's surname in the nominative, not Rəhimov + a
        if last.lower().endswith(ending) and len(stripped) >= 4 \
                and skeleton(stripped, data).endswith(tables.surname_suffixes):
            return f"{head} {stripped}"
    return name


def _surname_stem(key: str, data: LanguageData) -> str:
    for ending in data.surname_case_endings:
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            return key[: -len(ending)]
    return key


def _phonetic(text: str, data: LanguageData) -> str:
    """A coarse spelling-independent key for personal names across scripts (data/lang/script.yaml)."""
    out = text
    for old, new in data.phonetic:
        out = out.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", out)


_DOMAIN_NAME_RE = re.compile(r"(?<![\w./@])([A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]{1,30})\.(kz|az|tm|ru|uz|kg|tj|tv|info|news|com|org|net)\b(?![./]\w)")


def discover_employers(view: TextView, data: LanguageData, taken: Sequence[Candidate]) -> list[Candidate]:
    """Turkic titles name their body in the genitive right before them: capitalised words ending
    in a genitive before a position word ("Cenevrə Qlobal Resurs Məlumat Bazasının direktoru",
    the director of ...) are a body, however its head word reads; a place may open its name."""
    out: list[Candidate] = []
    blocked = _tokens_of(c for c in taken if c.type not in ("Place", "Country"))
    places = _tokens_of(c for c in taken if c.type in ("Place", "Country"))
    for t in range(1, len(view.tokens)):
        lang = view.langs[t]
        if lang not in TURKIC or view.tokens[t].is_capitalised:
            continue
        tables = cue_tables(lang, data)
        last = t - 1
        # "Qazaxıstan, Türkmənistan və İranın nümayəndələri": the representatives of states
        if (view.skeletons[t] not in tables.positions or last in blocked or last in places or not tables.genitive_endings
                or not view.tokens[last].is_capitalised or view.text[view.tokens[last].end : view.tokens[t].start] != " "
                or not lower(view.tokens[last].text).endswith(tables.genitive_endings)):
            continue
        first = last
        k = last - 1
        while k >= 0 and last - k < 8 and k not in blocked and _joined(view, k, k + 1):
            token = view.tokens[k]
            if (not token.is_capitalised and view.skeletons[k] not in tables.connectors) \
                    or view.skeletons[k] in tables.conjunctions:
                break
            if token.is_capitalised:
                first = k
            k -= 1
        while first < last and (view.skeletons[first] in tables.connectors or view.tokens[first].text in tables.non_names
                                or _sentence_initial(view, first)):
            first += 1  # the sentence's first word is capitalised anyway
        if last - first < 1:
            continue  # one word in the genitive before a title is a surname or a place as often as a body
        out.append(Candidate(first, last, view.tokens[first].start, _extend_inflection(view, view.tokens[last].end),
                             "Organisation", "title:employer", 0.5, _phrase_key(view, first, last), _surface(view, first, last)))
    return out


def discover_outlets(view: TextView, taken: Sequence[Candidate]) -> list[Candidate]:
    """News outlets named by their web address, as the press cites them: Adyrna.kz, Day.Az, Trend.az."""
    out: list[Candidate] = []
    for match in _DOMAIN_NAME_RE.finditer(view.text):
        idx = view.token_range(match.start(), match.end())
        if not idx:
            continue
        label = match.group()
        out.append(Candidate(idx.start, idx.stop - 1, match.start(), match.end(), "Organisation", "outlet:domain", 0.6,
                             label.lower(), label))
    return out


def discover_places(view: TextView, data: LanguageData, taken: Sequence[Candidate]) -> list[Candidate]:
    """A capitalised word followed by a place word (Bakı şəhərində) or preceded by one (город Актау)."""
    out: list[Candidate] = []
    blocked = set()
    for c in taken:
        blocked.update(range(c.first, c.last + 1))
    for i, token in enumerate(view.tokens):
        if i in blocked or not token.is_capitalised or token.is_acronym:
            continue
        tables = cue_tables(view.langs[i], data)
        if token.text in tables.non_names:
            continue
        nxt = i + 1 < len(view.tokens) and view.skeletons[i + 1] in tables.place_after and _joined(view, i, i + 1)
        prv = i > 0 and _joined(view, i - 1, i) and (
            view.skeletons[i - 1] in tables.place_before
            # "city of X": every word of the cue, not just "of" ("Minister of Ecology" is no place)
            or any(i >= len(words) and tuple(view.skeletons[i - len(words) : i]) == words
                   for words in tables.place_before_phrases))
        if nxt or prv:
            out.append(Candidate(i, i, token.start, token.end, "Place", "place:cue", 0.6, view.keys[i], token.text))
    return out


# ---------------------------------------------------------------------------------------------
# Selection


class _Intervals:
    """Non-overlapping spans with their candidates, sorted by start: overlap queries in log time."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.items: list[tuple[int, int, Candidate]] = []

    def add(self, start: int, end: int, item: Candidate) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, item))

    def near(self, start: int, end: int, reach: int = 400) -> list[Candidate]:
        """Items overlapping [start, end), for spans that may nest (no ordering of ends assumed)."""
        lo = bisect.bisect_left(self.starts, start - reach)
        hi = bisect.bisect_left(self.starts, end)
        return [item for s, e, item in self.items[lo:hi] if s < end and start < e]

    def overlapping(self, start: int, end: int) -> list[Candidate]:
        i = bisect.bisect_left(self.starts, end)  # spans starting before ``end``
        out: list[Candidate] = []
        j = i - 1
        while j >= 0:
            s, e, item = self.items[j]
            if e > start:
                out.append(item)
            elif e <= start and s < start:
                break  # spans do not overlap each other, so earlier ones end earlier
            j -= 1
        return out


def select(candidates: Sequence[Candidate], parents: dict[str, set[str]] | None = None) -> list[tuple[Candidate, bool]]:
    """Longest non-overlapping candidates first (lexicon before discovery on equal length), plus
    the candidates strictly inside a kept one, flagged nested: every lexicon actor
    ("Kazakhstan" in "Ministry ... of Kazakhstan") and discovered actors of another type than the
    name around them."""
    parents = parents or {}
    ranked = sorted(candidates, key=lambda c: (-c.length, not c.entry_ids, -c.confidence, c.start))
    kept: list[Candidate] = []
    kept_spans = _Intervals()
    nested_spans = _Intervals()
    nested: list[Candidate] = []
    for c in ranked:
        overlapping = kept_spans.overlapping(c.start, c.end)
        if not overlapping:
            kept.append(c)
            kept_spans.add(c.start, c.end, c)
            continue
        inside = all(k.start <= c.start and c.end <= k.end and c.length < k.length for k in overlapping)
        if not inside:
            continue
        if not c.entry_ids:
            continue  # a shorter reading of a name, not a name of its own
        if c.type == "Place" and any(k.type not in ("Initiative", "Event", "Place") for k in overlapping):
            continue  # the city in a convention's or a body's name is not a mention of the city
        if c.type not in ("Country", "Place", "Convention", "Organisation"):
            continue
        if any(not (o.start <= c.start and c.end <= o.end) for o in nested_spans.near(c.start, c.end)):
            continue  # nested names may nest in each other, but not cut through each other
        if c.type == "Organisation" and any(k.entry_ids and k.type == "Organisation" for k in overlapping):
            # a body inside a known body's name is dropped ("İqtisadi Əməkdaşlıq Təşkilatı" in BSEC's
            # name), unless the lexicon says the outer body is part of it (a service under a ministry)
            if not any(set(c.entry_ids) & parents.get(e, set()) for k in overlapping for e in k.entry_ids):
                continue
        nested.append(c)
        nested_spans.add(c.start, c.end, c)
    result = [(c, False) for c in kept] + [(c, True) for c in nested]
    return sorted(result, key=lambda item: (item[0].start, -item[0].length))


def _clashes_with_lexicon(view: TextView, candidate: Candidate, lexical: Sequence[Candidate], starts: Sequence[int]) -> bool:
    """A discovered name that cuts through a lexicon name, or lies inside one, misreads it. One
    that contains lexicon names is fine (Ministry ... of Kazakhstan), unless it only adds a
    country, lower-case words or a head word to a known name of its own type (Қазақстан Жаһандық
    экологиялық қор, OAQÖK-2025 konferensiiasy, Астана қаласында): that is the known actor."""
    inner: list[Candidate] = []
    lo = bisect.bisect_left(starts, candidate.start - 400)
    hi = bisect.bisect_left(starts, candidate.end)
    for lex in lexical[lo:hi]:
        if candidate.start < lex.end and lex.start < candidate.end:
            contains = candidate.start <= lex.start and lex.end <= candidate.end and candidate.length > lex.length
            if not contains:
                return True
            inner.append(lex)
    same = [c for c in inner if c.type == candidate.type]
    if same:
        covered = {k for c in inner for k in range(c.first, c.last + 1)}
        extra = [k for k in range(candidate.first, candidate.last + 1) if k not in covered]
        if all(not view.tokens[k].is_capitalised or k == candidate.last for k in extra):
            return True
    return False


def _trim_to_lexicon(view: TextView, candidate: Candidate, lexical: Sequence[Candidate],
                     starts: Sequence[int], data: LanguageData) -> Candidate | None:
    """A name read around a head word that runs into a known name ends where the known one does:
    "[Nazirliyinin] Beynəlxalq ... şöbəsinin" starts after the ministry, which is a name of its own;
    "Министерства охраны окружающей среды [и РЭЦЦА]" ends before the conjunction that joins it to
    a known name."""
    lo = bisect.bisect_left(starts, candidate.start - 400)
    hi = bisect.bisect_left(starts, candidate.end)
    first, last = candidate.first, candidate.last
    conjunctions = cue_tables(view.langs[candidate.last], data).conjunctions
    for lex in lexical[lo:hi]:
        if lex.start < candidate.start < lex.end < candidate.end:  # the known name cuts in from the left
            first = max(first, lex.last + 1)
        if (candidate.type == "Place" and lex.type not in ("Place", "Country")
                and lex.start <= candidate.start and candidate.start < lex.end < candidate.end):
            first = max(first, lex.last + 1)  # "[BMT-nin İnkişaf Proqramı] Marı şəhərində": no body is in a place name
        if lex.first == candidate.first + 1 and _sentence_initial(view, candidate.first) and lex.type == candidate.type:
            # "Bunu [Ekologiya ... Nazirliyinin] ... şöbəsi": the sentence's first word, capitalised
            # only there, is not part of a unit named from a known body
            candidate = replace(candidate, first=lex.first, start=lex.start, key=_phrase_key(view, lex.first, candidate.last),
                                label=_surface(view, lex.first, candidate.last))
            first = max(first, lex.first)
        if (candidate.first + 1 < lex.first and lex.last >= candidate.last and lex.start < candidate.end
                and view.skeletons[lex.first - 1] in conjunctions):
            last = min(last, lex.first - 2)  # "X и РЭЦЦА": two names
    if last < candidate.last:
        candidate = replace(candidate, last=last, end=_extend_inflection(view, view.tokens[last].end),
                            key=_phrase_key(view, candidate.first, last), label=_surface(view, candidate.first, last))
    if first == candidate.first:
        return candidate
    while first <= candidate.last and not view.tokens[first].is_capitalised:
        first += 1
    if first > candidate.last or first == candidate.last and not view.tokens[first].is_capitalised:
        return None
    return replace(candidate, first=first, start=view.tokens[first].start,
                   key=_phrase_key(view, first, candidate.last), label=_surface(view, first, candidate.last))


def _long_forms(view: TextView, lexical: list[Candidate], discovered: Sequence[Candidate],
                data: LanguageData) -> list[Candidate]:
    """"İslam Ölkələrinin ... Mərkəzinin (SESRIC)": a discovered name right before a known
    acronym in parentheses is that acronym's long form, so it names the known actor."""
    out = list(lexical)
    by_end = {}
    for c in discovered:
        if not c.generic:
            by_end.setdefault(_rstrip_pos(view.text, c.end), []).append(c)
    for abbr in lexical:
        if abbr.rule != "lexicon:abbr":
            continue
        paren = view.text.rfind("(", max(0, abbr.start - 3), abbr.start)
        if paren < 0:
            continue
        long_forms = by_end.get(_rstrip_pos(view.text, paren), []) or _cut_long_forms(view, discovered, paren, data)
        for long_form in long_forms:
            out.append(replace(long_form, rule="lexicon:long-form", entry_ids=abbr.entry_ids, key=abbr.key,
                               label=abbr.label, type=abbr.type, confidence=0.85))
    return out


def _cut_long_forms(view: TextView, discovered: Sequence[Candidate], paren: int, data: LanguageData) -> list[Candidate]:
    """"Швейцарского агентства по развитию и сотрудничеству (SDC)": discovery stopped at the
    conjunction, but the known acronym says the name runs on to the parenthesis."""
    last = bisect.bisect_left(view.token_starts, paren) - 1
    out: list[Candidate] = []
    for c in discovered:
        if c.generic or not 0 < last - c.last <= 3:
            continue
        tables = cue_tables(view.langs[c.last], data)
        rest = range(c.last + 1, last + 1)
        # "... и сотрудничеству (SDC)", "... Diplomacy in Central Asia (UNRCCA)"
        if (view.skeletons[c.last + 1] in tables.conjunctions | tables.connectors | tables.barriers
                and all(_joined(view, k - 1, k) and not view.tokens[k].is_acronym for k in rest)):
            out.append(replace(c, last=last, end=view.tokens[last].end))
    return out


def _as_long_form(view: TextView, candidate: Candidate, long_forms: dict[tuple[str, str], Candidate]) -> Candidate:
    """"ABŞ-nyň Halkara Ösüş guramasy (USAID)" ... later "ABŞ-nyň Halkara Ösüş guramasynyň": the
    same words (any inflection) without the acronym name the same known actor."""
    if candidate.entry_ids or candidate.type == "Person":
        return candidate
    known = long_forms.get((candidate.type, _phrase_key(view, candidate.first, candidate.last)))
    if known is None:
        return candidate
    return replace(candidate, rule="lexicon:long-form", entry_ids=known.entry_ids, key=known.key, label=known.label,
                   confidence=0.8)


def _as_country(view: TextView, candidate: Candidate, lexical: Sequence[Candidate], data: LanguageData) -> Candidate:
    """"The US government", "Türkmenistanyň Hökümeti": a state's government acting is the state."""
    tables = cue_tables(view.langs[candidate.first], data)
    if candidate.type != "Organisation" or view.skeletons[candidate.last] not in tables.government_words:
        return candidate
    countries = [c for c in lexical if c.type == "Country" and candidate.first <= c.first and c.last < candidate.last]
    rest = [k for k in range(candidate.first, candidate.last)
            if not any(c.first <= k <= c.last for c in countries) and view.skeletons[k] not in tables.connectors]
    if len(countries) == 1 and not rest:
        country = countries[0]
        return replace(candidate, type="Country", rule="head:Country:government", entry_ids=country.entry_ids,
                       key=country.key, label=country.label)
    return candidate


def _tokens_of(candidates: Iterable[Candidate]) -> set[int]:
    out: set[int] = set()
    for c in candidates:
        out.update(range(c.first, c.last + 1))
    return out


def find_mentions(view: TextView, lexicon: Lexicon, data: LanguageData) -> list[Mention]:
    """All mentions of the document, with offsets into both the raw and the normalised text."""
    lexical = match_lexicon(view, lexicon, data)
    conventions = _tokens_of(c for c in lexical if c.type == "Convention")
    persons = discover_persons(view, data, lexical)
    name_ends = {c.last for c in lexical if c.type != "Convention"}
    heads = discover_by_heads(view, data, _tokens_of(persons), conventions, name_ends,
                              _tokens_of(c for c in lexical if c.type in ("Country", "Place")),
                              _tokens_of(c for c in lexical if c.type == "Organisation"))
    heads = [_as_country(view, c, lexical, data) for c in heads]
    quoted = discover_quoted(view, data)
    named = lexical + heads + quoted
    acronyms = discover_acronyms(view, lexicon, data, named)
    projects = discover_url_projects(view, data, named)
    places = discover_places(view, data, lexical + heads + quoted + persons)
    places += discover_employers(view, data, lexical + heads + quoted + persons)
    places += discover_outlets(view, lexical)
    lexical = sorted(_long_forms(view, lexical, heads + quoted, data), key=lambda c: c.start)
    starts = [c.start for c in lexical]
    trimmed = [_trim_to_lexicon(view, c, lexical, starts, data) for c in heads]
    discovered = [c for c in [c for c in trimmed if c is not None] + quoted + acronyms + projects + persons + places
                  if not _clashes_with_lexicon(view, c, lexical, starts)]
    # the long form of a known acronym, named again without it, is still the known actor
    long_forms = {(c.type, _phrase_key(view, c.first, c.last)): c for c in lexical if c.rule == "lexicon:long-form"}
    discovered = [_as_long_form(view, c, long_forms) for c in discovered]
    selected = select(lexical + discovered, lexicon.parents)
    doc = view.document
    mentions: list[Mention] = []
    for cand, is_nested in selected:
        raw_start, raw_end = view.norm.to_raw_span(cand.start, cand.end)
        lang = view.langs[cand.first] if view.tokens else "en"
        label = cand.label
        if not cand.entry_ids and cand.rule.startswith(HEAD_NAMED_RULES):
            label = citation_form(label, lang, data)  # "Bakı Konqres Mərkəzində" -> "... Mərkəzi"
        mentions.append(
            Mention(
                doc_id=doc.doc_id,
                start=raw_start,
                end=raw_end,
                text=doc.text[raw_start:raw_end],
                norm_start=cand.start,
                norm_end=cand.end,
                type=cand.type,
                lang=lang,
                rule=cand.rule,
                confidence=round(cand.confidence * (0.9 if is_nested else 1.0), 3),
                key=cand.key,
                label=label,
                entry_ids=cand.entry_ids,
                nested=is_nested,
                generic=cand.generic,
            )
        )
    return mentions


__all__ = ["Candidate", "find_mentions", "match_lexicon", "select", "cue_tables"]
