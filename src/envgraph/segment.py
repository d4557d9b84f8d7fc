"""Paragraphs and sentences of a normalised text, with the language of each.

Language identification is by evidence from data/lang: letters that only some of the five
languages use (ə, ң, ň, ŋ ...) and function words. A line with too little evidence (a date, a
name, a heading) takes the language of its paragraph, or of its neighbours.

Example:
    >>> from envgraph.langdata import load_language_data
    >>> data = load_language_data()
    >>> identify_language("Qazaxıstan Respublikasının ekologiya və təbii sərvətlər naziri", data)
    ('az', 'Latn')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from envgraph.keys import lower
from envgraph.langdata import LanguageData
from envgraph.model import Segment

_LINE_RE = re.compile(r"[^\n]+")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u0259\u018f]")

MIN_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    lang: str | None
    script: str
    evidence: int


def _guess(text: str, data: LanguageData) -> LanguageGuess:
    cyrillic = len(_CYRILLIC_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    if cyrillic == 0 and latin == 0:
        return LanguageGuess(None, "Latn", 0)
    script = "Cyrl" if cyrillic > latin else "Latn"
    lowered = lower(text)
    words = Counter(_WORD_RE.findall(lowered))
    scores: dict[str, int] = {}
    for code, profile in data.profiles.items():
        if script not in profile.scripts:
            continue
        marker_hits = sum(lowered.count(ch) for ch in profile.marker_chars) if profile.marker_chars else 0
        shared_hits = sum(lowered.count(ch) for ch in profile.shared_marker_chars)
        word_hits = sum(n for w, n in words.items() if w in profile.stopwords)
        scores[code] = 3 * marker_hits + 2 * word_hits + shared_hits
    if not scores:
        return LanguageGuess(None, script, 0)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, best_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if best_score == 0:
        return LanguageGuess(None, script, 0)
    return LanguageGuess(best, script, best_score - second)


def identify_language(text: str, data: LanguageData) -> tuple[str | None, str]:
    """The language and script of a piece of text (None when there is no evidence)."""
    guess = _guess(text, data)
    return guess.lang, guess.script


def paragraphs(text: str, data: LanguageData) -> list[Segment]:
    """Non-empty lines of ``text`` with a language each (smoothed over weak evidence)."""
    lines = [(m.start(), m.end()) for m in _LINE_RE.finditer(text) if m.group().strip()]
    guesses = [_guess(text[s:e], data) for s, e in lines]
    langs: list[str | None] = [g.lang if g.evidence >= MIN_EVIDENCE else None for g in guesses]
    # weak lines (a date, a name, a heading) inherit from the nearest confident line, the one
    # before first: headings and captions belong to the section they sit in; never from a
    # language that is not written in the weak line's script (a Russian line after Azerbaijani)
    confident = [i for i, g in enumerate(guesses) if g.evidence >= MIN_EVIDENCE]
    for i, lang in enumerate(langs):
        if lang is not None:
            continue
        writable = [j for j in confident if guesses[i].script in data.profiles[str(guesses[j].lang)].scripts]
        before = [j for j in writable if j < i]
        after = [j for j in writable if j > i]
        source = before[-1] if before else (after[0] if after else None)
        fallback = "ru" if guesses[i].script == "Cyrl" else "en"
        langs[i] = guesses[source].lang if source is not None else (guesses[i].lang or fallback)
    return [
        Segment(s, e, lang or "en", guesses[i].script)
        for i, ((s, e), lang) in enumerate(zip(lines, langs))
    ]


_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"»')\]]*(?=\s+[\"«'(\[*]?[^\W_a-zа-яё])|[.!?…]+[\"»')\]]*$")


def sentences(text: str, paras: list[Segment], data: LanguageData) -> list[Segment]:
    """Sentences inside each paragraph; a paragraph that ends mid-sentence (a comma, a lower-case
    word) continues into the next one, as copy-paste often breaks sentences across lines."""
    result: list[Segment] = []
    pending: Segment | None = None
    for para in paras:
        start = para.start
        for match in _SENTENCE_END_RE.finditer(text, para.start, para.end):
            if _is_abbreviation(text, para.start, match.start(), para.lang, data):
                continue
            end = match.end()
            result.append(_join(pending, Segment(start, end, para.lang, para.script)))
            pending = None
            start = _skip_space(text, end, para.end)
        if start < para.end:
            tail = Segment(start, para.end, para.lang, para.script)
            if _continues(text, tail, para.end):
                pending = _join(pending, tail)
            else:
                result.append(_join(pending, tail))
                pending = None
    if pending is not None:
        result.append(pending)
    return result


def _join(first: Segment | None, second: Segment) -> Segment:
    if first is None:
        return second
    return Segment(first.start, second.end, first.lang, first.script)


def _skip_space(text: str, pos: int, limit: int) -> int:
    while pos < limit and text[pos].isspace():
        pos += 1
    return pos


def _continues(text: str, segment: Segment, end: int) -> bool:
    tail = text[segment.start : end].rstrip()
    nxt = text[end : end + 200].lstrip()
    return tail.endswith(",") and bool(nxt) and not nxt.startswith(("-", "•"))


def _is_abbreviation(text: str, floor: int, dot: int, lang: str, data: LanguageData) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation or an initial (M. Oşurbaev)."""
    if text[dot] != ".":
        return False
    begin = dot
    while begin > floor and (text[begin - 1].isalpha() or text[begin - 1] in ".-"):
        begin -= 1
    word = text[begin:dot]
    if len(word) == 1 and word.isupper():
        return True  # an initial
    profile = data.profiles.get(lang)
    known = profile.abbreviations if profile else frozenset()
    return word in known or word.lower() in known or word.rstrip(".") in known
