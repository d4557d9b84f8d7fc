"""The label of a discovered name: its citation form, not the inflected form the text used.

Turkic names end in their head word, and the head carries the sentence's case ending: "Bakı
Konqres Mərkəzində" (in the Baku Congress Centre), "Өңірлік климаттық саммитке" (to the regional
climate summit), "maslahatda" (at the conference). A label should say the name itself: "Bakı
Konqres Mərkəzi", "Өңірлік климаттық саммит", "maslahat". The ending is removed only from a
last word that begins with a head word of the language (its dictionary form, or the form its
final consonant takes before a vowel: nazirlik ~ nazirliy-): after the possessive the head
carries in a compound name (Mərkəzi-ndə → Mərkəzi), or right after the head itself
(sessiya-da → sessiya). A bare vowel after the head is never removed (Forum-u is the possessive
of "Nazirlər Forumu", not an ending). The endings are language data (``label_endings`` in
data/lang/cues/<lang>.yaml); a language without them keeps its labels as written.

Example:
    >>> from envgraph.langdata import load_language_data
    >>> data = load_language_data()
    >>> citation_form("Bakı Konqres Mərkəzində", "az", data)
    'Bakı Konqres Mərkəzi'
    >>> citation_form("Ministry of Ecology", "en", data)
    'Ministry of Ecology'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from envgraph.keys import lower
from envgraph.langdata import LanguageData


#: rules of envgraph.mentions whose names end in their head word, which carries the case ending
HEAD_NAMED_RULES = ("head:", "title:employer")


def unquoted(label: str) -> str:
    """A label without the quote marks a name read around its head may carry half of
    ('Yaşıl Xəzər" Regional Forumu'): balanced pairs inside stay."""
    label = label.strip(" *\"«»“”„")
    for opening, closing in (("«", "»"), ("“", "”")):
        if label.count(opening) != label.count(closing):
            label = label.replace(opening, "").replace(closing, "")
    if label.count('"') % 2:
        label = label.replace('"', "")
    return " ".join(label.split())


def preferred_label(surface: str, rule: str, lang: str, data: LanguageData) -> str:
    """How a discovered actor's name is written as its label in ``lang`` (skos:prefLabel), from
    the text of a mention found by ``rule``: a name read around its head word loses stray quote
    marks and its case ending; any other is the text as written, spaces collapsed."""
    text = " ".join(surface.split())
    if not rule.startswith(HEAD_NAMED_RULES):
        return text
    return citation_form(unquoted(text), lang, data)


@dataclass(frozen=True, slots=True)
class LabelEndings:
    """One language's head words and the endings a label drops after them."""

    heads: tuple[tuple[str, str], ...]  # (form in the word, dictionary form), longest first
    possessive: tuple[str, ...]  # the possessive a compound name's head carries (-sı, -ы)
    after_possessive: tuple[str, ...]  # case endings after that possessive (-ndə, -ның)
    plain: tuple[str, ...]  # case endings right after the head's dictionary form (-da, -ке)


@functools.lru_cache(maxsize=16)
def label_endings(lang: str, data: LanguageData) -> LabelEndings | None:
    """The label endings of ``lang`` (None when its cue file lists none)."""
    cues = data.cues.get(lang) or {}
    raw = cues.get("label_endings") or {}
    if not raw:
        return None
    heads: set[tuple[str, str]] = set()
    for words in (cues.get("heads") or {}).values():
        for word in words or []:
            head = lower(str(word))
            if len(head) < 3 or " " in head:
                continue
            heads.add((head, head))
            for dictionary_end, inflected_end in data.stemming.alternation_bases:
                if head.endswith(dictionary_end):
                    heads.add((head[: -len(dictionary_end)] + inflected_end, head))

    def longest_first(key: str) -> tuple[str, ...]:
        return tuple(sorted({lower(str(e)) for e in raw.get(key) or []}, key=len, reverse=True))

    return LabelEndings(heads=tuple(sorted(heads, key=lambda h: len(h[0]), reverse=True)),
                        possessive=longest_first("possessive"),
                        after_possessive=longest_first("after_possessive"),
                        plain=longest_first("plain"))


def citation_form(label: str, lang: str, data: LanguageData) -> str:
    """``label`` in its citation form: for a language whose cue file names a morphological
    analyser (``label_morphology``), the head noun and the adjectives before it in the
    nominative; else the case ending of its last word removed when that word is a head word of
    ``lang`` with an ending of the language's lists; otherwise ``label`` unchanged."""
    cues = data.cues.get(lang) or {}
    if cues.get("label_morphology") == "pymorphy3-ru":
        if _looks_nominative(lower(label.split(" ")[0]), cues):
            return label  # "Фонд …", "Министерство …", "Региональный …": no analyser needed
        return _russian_nominative(label)
    endings = label_endings(lang, data)
    words = label.split(" ")
    if endings is None or not words or not words[-1]:
        return label
    last = words[-1]
    folded = lower(last)
    if len(folded) != len(last):
        return label  # a letter whose lower case is longer: positions would not line up
    for form, dictionary in endings.heads:
        if not folded.startswith(form):
            continue
        rest = folded[len(form):]
        kept = _without_ending(rest, endings)
        if kept is None:
            continue
        if kept == 0 and form != dictionary:
            # "ministrlige": the head in its dictionary form again (ministrlik)
            cut = last[: len(form) - 1] + dictionary[-1]
        else:
            cut = last[: len(form) + kept]
        return " ".join([*words[:-1], cut])
    return label


def _without_ending(rest: str, endings: LabelEndings) -> int | None:
    """How much of ``rest`` (what follows a head word) to keep: the possessive before a case
    ending, nothing before a plain case ending; None when ``rest`` is no such ending."""
    if not rest:
        return None
    for possessive in endings.possessive:
        if rest.startswith(possessive) and rest[len(possessive):] in endings.after_possessive:
            return len(possessive)
    if rest in endings.plain:
        return 0
    return None


def _looks_nominative(word: str, cues: dict[str, Any]) -> bool:
    """Whether a name's first word ends the way a nominative does and no oblique case does (the
    longest matching ending decides: "Ассоциация" -ия, "Второго" -ого, "Министерством" -ом), so
    that most names need no morphological analyser, which takes 0.1 s to load."""
    endings = [(str(e), True) for e in cues.get("label_nominative_endings") or []]
    endings += [(str(e), False) for e in cues.get("label_oblique_endings") or []]
    matching = [(len(e), nominative) for e, nominative in endings if word.endswith(e)]
    if matching:
        return max(matching)[1]
    return bool(word) and word[-1] in str(cues.get("label_nominative_finals") or "")


@functools.lru_cache(maxsize=1)
def _russian_analyser() -> Any:
    """pymorphy3's Russian analyser (its dictionary ships in the pymorphy3-dicts-ru package),
    loaded once, on the first Russian name that needs it."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _russian_nominative(label: str) -> str:
    """A Russian name read in an oblique case, in the nominative: the head noun (its first noun)
    and the adjectives before it; the words after the head (genitive complements: "экологии
    Узбекистана") are the same in every case of the name. "Министерством экологии Узбекистана"
    → "Министерство экологии Узбекистана", "Ташкентского экологического форума" → "Ташкентский
    экологический форум". Unchanged when the name does not begin so, or is nominative already."""
    words = label.split(" ")
    morph = _russian_analyser()
    adjectives: list[Any] = []
    for index, word in enumerate(words):
        parses = morph.parse(word)
        noun = next((p for p in parses if p.tag.POS == "NOUN"), None)
        adjective = next((p for p in parses if p.tag.POS == "ADJF"), None)
        if noun is None or (adjective is not None and parses[0].tag.POS == "ADJF"):
            if adjective is None:
                return label  # a word that is neither: not a name of this shape
            adjectives.append(adjective)
            continue
        if noun.tag.case == "nomn":
            return label  # the name is in the nominative already (its likeliest reading)
        number = noun.tag.number or "sing"
        head = noun.inflect({"nomn", number})
        if head is None:
            return label
        out = [head.word]
        for adjective in adjectives:
            grammemes = {"nomn", number} | ({noun.tag.gender} if number == "sing" and noun.tag.gender else set())
            inflected = adjective.inflect(grammemes)
            if inflected is None:
                return label
            out.append(inflected.word)
        nominative = out[1:] + out[:1]  # the adjectives stand before the head
        originals = words[: index + 1]
        return " ".join([*(_same_case(new, old) for new, old in zip(nominative, originals)), *words[index + 1:]])
    return label


def _same_case(word: str, model: str) -> str:
    """``word`` written in the case of ``model`` (capitalised, all capitals or lower case)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
