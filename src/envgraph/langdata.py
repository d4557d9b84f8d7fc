"""Language knowledge loaded from data/lang: one typed object, built once per data folder.

The files (see data/lang/README.md): ``script.yaml`` (Cyrillic→Latin and diacritic folding),
``stemming.yaml`` (suffixes per language), ``<lang>.yaml`` (stop words, months, abbreviations) and
``cues/<lang>.yaml`` (words that signal organisations, events, persons and relations). Nothing is
read at import time; :func:`load_language_data` caches per folder.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envgraph.errors import LexiconError
from envgraph.model import LANGUAGES
from envgraph.resources import data_dir


@dataclass(frozen=True, slots=True)
class Stemming:
    """Suffix stripping for keys, and the endings and alternations inflection may add."""

    min_stem: int
    max_rounds: int
    suffixes: dict[str, tuple[str, ...]]  # lang -> suffixes, longest first
    final_alternations: tuple[tuple[str, str], ...]
    equivalents: dict[str, str]  # word -> canonical word of its equivalence group
    word_groups: tuple[frozenset[str], ...] = ()  # words that stand for one another in names
    alternation_bases: tuple[tuple[str, str], ...] = ()  # (dictionary ending, inflected ending)
    replacing_languages: frozenset[str] = frozenset()  # inflection replaces the ending (ru)
    skippable: frozenset[str] = frozenset()  # skeletons of words a known name may contain
    possessive_languages: frozenset[str] = frozenset()
    possessive_endings: tuple[str, ...] = ()
    spelling_variants: tuple[tuple[str, str], ...] = ()  # (in a base, also written): ekologiia ~ ekologia


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    code: str
    scripts: tuple[str, ...]
    stopwords: frozenset[str]
    marker_chars: str
    months: dict[str, int]  # month stem (lower case) -> 1..12
    abbreviations: frozenset[str]
    shared_marker_chars: str = ""  # letters of this language that a few others share (weaker evidence)


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: loaded once, cached
class LanguageData:
    fold_table: dict[int, str]  # for str.translate: lower-case char -> skeleton
    stemming: Stemming
    profiles: dict[str, LanguageProfile]
    cues: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang -> cue tables
    event_part_kinds: tuple[tuple[str, str], ...] = ()  # (word start, kind), longest first
    other_event_words: tuple[str, ...] = ()  # word starts that make "the next meeting" another event
    phonetic: tuple[tuple[str, str], ...] = ()  # rewrites for spelling-independent name keys
    surname_case_endings: tuple[str, ...] = ()
    not_actor_codes: frozenset[str] = frozenset()  # upper-case codes that name no actor (codes.yaml)


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
_BOOL = "tag:yaml.org,2002:bool"


class DataLoader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe YAML loader for envgraph's data files, with one change: only true and false
    are booleans. YAML 1.1 also reads on, off, yes, no, y and n as booleans, which turned the
    English word "on" in a list of connectors into True and "No." among abbreviations into
    False; in word lists every word is a word."""


DataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _SAFE_LOADER.yaml_implicit_resolvers.items()
}
DataLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=DataLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise LexiconError(path, None if line is None else line + 1, f"invalid YAML: {err}") from err
    except OSError as err:
        raise LexiconError(path, None, f"cannot read language data: {err}") from err


def _require(mapping: Any, key: str, path: Path) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise LexiconError(path, None, f"missing key '{key}'")
    return mapping[key]


@functools.lru_cache(maxsize=8)
def load_language_data(folder: Path | None = None) -> LanguageData:
    """Load and validate every language file in ``folder`` (default: the packaged data/lang)."""
    folder = folder or data_dir("lang")
    script = _read_yaml(folder / "script.yaml")
    fold: dict[int, str] = {}
    for table in ("cyrillic", "latin_fold"):
        for src, dst in (_require(script, table, folder / "script.yaml") or {}).items():
            fold[ord(str(src))] = str(dst)

    stem_path = folder / "stemming.yaml"
    stem = _read_yaml(stem_path)
    sets = _require(stem, "suffix_sets", stem_path)
    suffixes: dict[str, tuple[str, ...]] = {}
    for lang, set_names in _require(stem, "languages", stem_path).items():
        merged: set[str] = set()
        for name in set_names:
            if name not in sets:
                raise LexiconError(stem_path, None, f"language {lang} uses unknown suffix set '{name}'")
            merged.update(str(s) for s in sets[name])
        suffixes[str(lang)] = tuple(sorted(merged, key=lambda s: (-len(s), s)))
    equivalents: dict[str, str] = {}
    groups = [frozenset(str(m) for m in group) for group in stem.get("equivalent_words", []) or []]
    for group_list in stem.get("equivalent_words", []) or []:
        for member in group_list:
            equivalents[str(member)] = str(group_list[0])
    stemming = Stemming(
        min_stem=int(stem.get("min_stem", 3)),
        max_rounds=int(stem.get("max_rounds", 3)),
        suffixes=suffixes,
        final_alternations=tuple(
            sorted(((str(k), str(v)) for k, v in (stem.get("final_alternations") or {}).items()),
                   key=lambda kv: -len(kv[0]))
        ),
        equivalents=equivalents,
        word_groups=tuple(groups),
        alternation_bases=tuple((str(a), str(b)) for a, b in stem.get("base_alternations") or []),
        replacing_languages=frozenset(str(x) for x in stem.get("replacing_languages") or []),
        skippable=frozenset(str(x).lower().translate(fold) for x in stem.get("skippable_in_names") or []),
        possessive_languages=frozenset(str(x) for x in stem.get("possessive_languages") or []),
        possessive_endings=tuple(sorted((str(x) for x in stem.get("possessive_endings") or []), key=len, reverse=True)),
        spelling_variants=tuple((str(a), str(b)) for a, b in stem.get("spelling_variants") or []),
    )

    profiles: dict[str, LanguageProfile] = {}
    cues: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        path = folder / f"{lang}.yaml"
        raw = _read_yaml(path)
        profiles[lang] = LanguageProfile(
            code=lang,
            scripts=tuple(_require(raw, "scripts", path)),
            stopwords=frozenset(str(w).lower() for w in raw.get("stopwords", []) or []),
            marker_chars=str(raw.get("marker_chars", "") or ""),
            months={str(k).lower(): int(v) for k, v in (raw.get("months") or {}).items()},
            abbreviations=frozenset(str(a) for a in raw.get("abbreviations", []) or []),
            shared_marker_chars=str(raw.get("shared_marker_chars", "") or ""),
        )
        cue_path = folder / "cues" / f"{lang}.yaml"
        cues[lang] = _read_yaml(cue_path) or {} if cue_path.exists() else {}
    kinds: list[tuple[str, str]] = []
    events_path = folder / "events.yaml"
    events = (_read_yaml(events_path) or {}) if events_path.exists() else {}
    for kind, words in (events.get("event_part_kinds") or {}).items():
        kinds += [(str(w).lower().translate(fold), str(kind)) for w in words or []]
    other_events = tuple(str(w).lower().translate(fold) for w in events.get("other_event_words") or [])
    codes_path = folder / "codes.yaml"
    codes = (_read_yaml(codes_path) or {}) if codes_path.exists() else {}
    not_actor_codes = frozenset(str(c) for group in codes.get("not_actors") or [] for c in group or [])
    return LanguageData(fold_table=fold, stemming=stemming, profiles=profiles, cues=cues,
                        not_actor_codes=not_actor_codes,
                        event_part_kinds=tuple(sorted(kinds, key=lambda kw: -len(kw[0]))),
                        other_event_words=other_events,
                        phonetic=tuple((str(a), str(b)) for a, b in script.get("phonetic") or []),
                        surname_case_endings=tuple(str(e) for e in script.get("surname_case_endings") or []))
