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
    """``label`` with the case ending of its last word removed when that word is a head word
    of ``lang`` with an ending of the language's lists; otherwise ``label`` unchanged."""
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
