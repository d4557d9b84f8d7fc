"""Tokens and matching keys: the common ground where scripts, cases and inflections meet.

A token's *skeleton* is its lower-case form folded to plain Latin (Қазақстан → qazaqstan,
Qazaqstan → qazaqstan); its *stem* strips the case and possessive suffixes of its language
(qazaqstanda → qazaqstan, vsemirnogo → vsemirn). Lexicon names and text tokens are compared on
stems, so that Dünya Bankının matches the lexicon's Dünya Bankı.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from envgraph.langdata import LanguageData

_TOKEN_RE = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*\.?", re.UNICODE)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def script_of(text: str) -> str:
    """"Cyrl" if the first letter is Cyrillic, else "Latn"."""
    for ch in text:
        if ch.isalpha():
            return "Cyrl" if "\u0400" <= ch <= "\u04ff" else "Latn"
    return "Latn"


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # offsets into the normalised text
    end: int
    text: str

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_acronym(self) -> bool:
        """Two or more letters, all upper case (digits allowed): GEF, ЮНЕП, COP29, BMT."""
        return _is_acronym(self.text)


@functools.lru_cache(maxsize=65536)
def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words (letters and digits) of ``text[start:end]``; punctuation is not a token."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text, start, end)]


def lower(text: str) -> str:
    """Lower case that keeps Turkic dotted capital I as one letter (İ → i, not i + dot)."""
    return text.replace("İ", "i").replace("I\u0307", "i").lower()


def skeleton(text: str, data: LanguageData) -> str:
    """Lower-case Latin folding of ``text`` (any script)."""
    return lower(text).translate(data.fold_table)


@functools.lru_cache(maxsize=262144)
def stem(word_skeleton: str, lang: str, data: LanguageData) -> str:
    """Strip ``lang``'s suffixes from a skeleton word; stable for words already stemmed.
    Cached: the same words recur across a corpus."""
    rules = data.stemming
    suffixes = rules.suffixes.get(lang, ())
    word = word_skeleton
    if not word.isalpha():
        return rules.equivalents.get(word, word)
    for _ in range(rules.max_rounds):
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= rules.min_stem:
                word = word[: -len(suffix)]
                break
        else:
            break
    for old, new in rules.final_alternations:
        if word.endswith(old):
            word = word[: -len(old)] + new
            break
    return rules.equivalents.get(word, word)


def token_key(token_text: str, lang: str, data: LanguageData) -> str:
    return stem(skeleton(token_text, data), lang, data)


def phrase_keys(phrase: str, lang: str, data: LanguageData) -> tuple[str, ...]:
    """Stemmed keys of every word of ``phrase``."""
    return tuple(token_key(m.group(), lang, data) for m in _WORD_RE.finditer(phrase))


def slug(text: str, data: LanguageData) -> str:
    """An ASCII slug for IRIs: ``Blueing the Caspian Sea`` → ``blueing-the-caspian-sea``,
    ``Жомарт Алиев`` → ``jomart-aliev`` (Cyrillic transliterated, accents dropped)."""
    cyrillic_only = {k: v for k, v in data.fold_table.items() if 0x0400 <= k <= 0x04FF}
    folded = unicodedata.normalize("NFKD", lower(text).translate(cyrillic_only).replace("ə", "a").replace("ı", "i"))
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-") or "x"


#: marks a base that is a stem whose ending was cut off (Russian всемирный → vsemirn): such a
#: stem takes exactly one ending, not a chain of them
CUT = "\x00"


class SuffixChains:
    """Decides whether a string is a chain of up to ``max_parts`` known suffixes ("larinin" =
    lar + i + nin). Memoised: the same endings recur on every page."""

    def __init__(self, suffixes: frozenset[str], max_parts: int = 3, max_length: int = 12) -> None:
        self.suffixes = suffixes
        self.max_parts = max_parts
        self.max_length = max_length
        self._memo: dict[str, bool] = {"": True}

    def __call__(self, rest: str) -> bool:
        hit = self._memo.get(rest)
        if hit is None:
            hit = len(rest) <= self.max_length and self._split(rest, self.max_parts)
            self._memo[rest] = hit
        return hit

    def _split(self, rest: str, parts: int) -> bool:
        if not rest:
            return True
        if parts == 0:
            return False
        return any(rest.startswith(s) and self._split(rest[len(s):], parts - 1) for s in self.suffixes)


def word_bases(
    word_skeleton: str, data: LanguageData, lang: str | None = None, *, equivalents: bool = False
) -> tuple[str, ...]:
    """The forms an inflected occurrence of a dictionary word may start with: the word itself,
    the word without one ending of its language ``lang`` (Fondu → fond, всемирный → vsemirn; all
    languages when None), and the Turkic k ~ g/y alternation (nazirlik → nazirliy-i)."""
    rules = data.stemming
    out = {word_skeleton}
    # Only languages whose inflection replaces a word's ending (Russian всемирный → всемирного)
    # need it cut; Turkic endings add to the dictionary form (Bankı → Bankının).
    groups = [rules.suffixes.get(lang, ())] if lang in rules.replacing_languages else []
    for suffixes in groups:
        for suffix in suffixes:
            if word_skeleton.endswith(suffix) and len(word_skeleton) - len(suffix) >= max(rules.min_stem, 3):
                out.add(word_skeleton[: -len(suffix)] + CUT)
    if lang in rules.possessive_languages:
        for ending in rules.possessive_endings:
            if word_skeleton.endswith(ending) and len(word_skeleton) - len(ending) >= 4:
                bare = word_skeleton[: -len(ending)]
                out.add(bare)
                for dictionary_end, inflected_end in rules.alternation_bases:
                    if bare.endswith(inflected_end):
                        out.add(bare[: -len(inflected_end)] + dictionary_end)  # nazirliy -> nazirlik
                break
    if equivalents:
        for group in rules.word_groups:
            if out & group:
                out |= group
    for base in list(out):
        for old, new in rules.alternation_bases:
            if base.endswith(old):
                out.add(base[: -len(old)] + new)
    for base in list(out):
        for written, also in rules.spelling_variants:
            if written in base:
                out.add(base.replace(written, also))  # Экология (ekologiia) is Ekologia in kk Latin
    return tuple(sorted(out, key=len, reverse=True))


def word_matches(text_skeleton: str, bases: tuple[str, ...], chains: SuffixChains) -> bool:
    """True when the text word is one of ``bases`` followed by a chain of case endings (one
    ending only after a stem whose own ending was cut off: see :data:`CUT`)."""
    for base in bases:
        cut = base.endswith(CUT)
        if cut:
            base = base[:-1]
        if text_skeleton.startswith(base):
            rest = text_skeleton[len(base):]
            # a short word takes one ending at most: qor (fund) + ğau is not a form of qor; so
            # does a cut stem: turs (Турция) + un + ov is no form of Turkey but a surname
            if chains(rest) if len(base) > 3 and not cut else (not rest or rest in chains.suffixes):
                return True
    return False


class WordIndex:
    """Dictionary words (with payloads) found from inflected text words in constant time: words are
    bucketed by the first four letters of each base, and candidates verified by suffix chains."""

    PREFIX = 4

    def __init__(self, data: LanguageData, chains: SuffixChains, *, equivalents: bool = False) -> None:
        self.data = data
        self.chains = chains
        self.equivalents = equivalents
        self._buckets: dict[str, list[tuple[tuple[str, ...], object]]] = {}
        self._memo: dict[str, list[object]] = {}  # text words recur: look each up once

    def add(
        self, word_skeleton: str, payload: object, lang: str | None = None, *, bases: tuple[str, ...] | None = None
    ) -> None:
        """Index ``payload`` under the word; ``bases`` are its :func:`word_bases` when the caller
        has them already (same ``lang`` and ``equivalents``)."""
        self._memo.clear()
        if bases is None:
            bases = word_bases(word_skeleton, self.data, lang, equivalents=self.equivalents)
        seen: set[str] = set()
        for base in bases:
            key = base.rstrip(CUT)[: self.PREFIX]
            if key in seen:
                continue
            seen.add(key)
            self._buckets.setdefault(key, []).append((bases, payload))

    def lookup(self, text_skeleton: str) -> list[object]:
        hit = self._memo.get(text_skeleton)
        if hit is not None:
            return hit
        found = self._lookup(text_skeleton)
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[text_skeleton] = found
        return found

    def _lookup(self, text_skeleton: str) -> list[object]:
        found: list[object] = []
        if not text_skeleton:
            return found
        seen: set[int] = set()
        prefix = text_skeleton[: self.PREFIX]
        for key in (prefix, prefix[:-1]) if len(prefix) == self.PREFIX else (prefix,):
            for bases, payload in self._buckets.get(key, ()):  # noqa: B007
                if id(payload) not in seen and word_matches(text_skeleton, bases, self.chains):
                    seen.add(id(payload))
                    found.append(payload)
        return found

    def __contains__(self, text_skeleton: str) -> bool:
        return bool(self.lookup(text_skeleton))
