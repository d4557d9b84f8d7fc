"""The lexicon of known actors (data/lexicon/*.yaml): loading, validation and the alias index.

Each entry has an id, a type, a canonical English label, names and abbreviations per language
(see data/lexicon/README.md). The :class:`AliasIndex` maps stemmed word keys to entries, so that
matching a text is one dictionary look-up per token whatever the size of the lexicon.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envgraph.diskcache import fingerprint, load_or_build, stable_text
from envgraph.errors import LexiconError
from envgraph.keys import SuffixChains, WordIndex, script_of, skeleton, word_bases
from envgraph.langdata import DataLoader, LanguageData
from envgraph.model import ENTITY_TYPES, LANGUAGES
from envgraph.resources import data_dir

NAME_LANGS: tuple[str, ...] = (*LANGUAGES, "kk-Latn")
_ENTRY_FIELDS = {"id", "type", "label", "names", "abbr", "part_of", "country", "note", "homepage"}
_ID_RE = re.compile(r"^[a-z0-9_]+$")
_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    id: str
    type: str
    label: str
    names: dict[str, tuple[str, ...]]
    abbr: dict[str, tuple[str, ...]]
    part_of: str | None = None
    country: str | None = None
    source: str = ""  # file:line, for error messages

    def all_labels(self) -> list[tuple[str, str]]:
        """(text, language) of every name and abbreviation."""
        out = [(name, lang) for lang, names in self.names.items() for name in names]
        out += [(a, lang) for lang, abbrs in self.abbr.items() for a in abbrs]
        return out


@dataclass(frozen=True, slots=True)
class Alias:
    """One name of an entry: the possible bases of each of its words (see keys.word_bases)."""

    words: tuple[tuple[str, ...], ...]
    entry_id: str
    text: str
    lang: str
    is_abbreviation: bool
    script: str = "Latn"

    def fits_script(self, token_script: str) -> bool:
        """A name matches text in its own script; Kazakh names also in the other one (Kazakh is
        written in both, and the skeleton folds them together)."""
        return self.script == token_script or self.lang.startswith("kk")


@dataclass(slots=True)
class Lexicon:
    entries: dict[str, LexiconEntry]
    first_words: WordIndex  # first word of every name -> Alias
    chains: SuffixChains
    abbreviations: dict[str, list[Alias]] = field(default_factory=dict)  # exact surface -> aliases
    abbreviation_keys: dict[str, list[Alias]] = field(default_factory=dict)  # skeleton -> aliases
    max_alias_tokens: int = 1
    # (label without its country, ISO code) -> entry: the same kind of body in each state
    siblings: dict[tuple[str, str], str] = field(default_factory=dict)
    parents: dict[str, set[str]] = field(default_factory=dict)  # entry id -> every body it is part of

    def __len__(self) -> int:
        return len(self.entries)


class _LineLoader(DataLoader):  # type: ignore[misc, valid-type]
    """A YAML loader that records the line of every mapping (for error messages). It parses
    with libyaml when PyYAML has it (the same documents, several times faster: the lexicon
    is read on every start of the command line), and reads only true/false as booleans
    (envgraph.langdata.DataLoader)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _as_tuple_map(value: Any, path: Path, line: int, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LexiconError(path, line, f"'{what}' must map language codes to lists of strings")
    out: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if lang == "__line__":
            continue
        if lang not in NAME_LANGS:
            hint = difflib.get_close_matches(str(lang), NAME_LANGS, n=1, cutoff=0.4)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise LexiconError(path, line, f"unknown language '{lang}' in {what}{suggestion}")
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise LexiconError(path, line, f"{what}.{lang} must be a list of non-empty strings")
        out[str(lang)] = tuple(i.strip() for i in items)
    return out


def _parse_entry(raw: Any, path: Path) -> LexiconEntry:
    if not isinstance(raw, dict):
        raise LexiconError(path, None, "every lexicon entry must be a mapping")
    line = int(raw.get("__line__", 0)) or None
    unknown = set(raw) - _ENTRY_FIELDS - {"__line__"}
    if unknown:
        field_name = sorted(unknown)[0]
        hint = difflib.get_close_matches(field_name, sorted(_ENTRY_FIELDS), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise LexiconError(path, line, f"unknown field '{field_name}'{suggestion}")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        raise LexiconError(path, line, f"id must match [a-z0-9_]+, got {entry_id!r}")
    entry_type = raw.get("type")
    if entry_type not in ENTITY_TYPES:
        hint = difflib.get_close_matches(str(entry_type), ENTITY_TYPES, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise LexiconError(path, line, f"entry '{entry_id}': unknown type {entry_type!r}{suggestion}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise LexiconError(path, line, f"entry '{entry_id}' needs a label (its canonical English name)")
    names = _as_tuple_map(raw.get("names"), path, line or 0, "names")
    abbr = _as_tuple_map(raw.get("abbr"), path, line or 0, "abbr")
    return LexiconEntry(
        id=entry_id,
        type=entry_type,
        label=label.strip(),
        names=names,
        abbr=abbr,
        part_of=raw.get("part_of"),
        country=raw.get("country"),
        source=f"{path}:{line}",
    )


def load_entries(folder: Path) -> dict[str, LexiconEntry]:
    """Read and validate every ``*.yaml`` in ``folder``; ids must be unique across files."""
    entries: dict[str, LexiconEntry] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise LexiconError(folder, None, "no lexicon files (*.yaml) found")
    for path in files:
        try:
            with path.open(encoding="utf-8") as handle:
                raw = yaml.load(handle, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise LexiconError(path, mark.line + 1 if mark else None, f"invalid YAML: {err}") from err
        if raw is None:
            continue
        if not isinstance(raw, list):
            raise LexiconError(path, None, "a lexicon file must be a YAML list of entries")
        for item in raw:
            entry = _parse_entry(item, path)
            if entry.id in entries:
                raise LexiconError(path, item.get("__line__"), f"duplicate id '{entry.id}' (first in {entries[entry.id].source})")
            entries[entry.id] = entry
    for entry in entries.values():
        if entry.part_of and entry.part_of not in entries:
            raise LexiconError(entry.source.rsplit(":", 1)[0], None, f"entry '{entry.id}': part_of '{entry.part_of}' is not a lexicon id")
    return entries


_COUNTRY_TAIL_RE = re.compile(r"\s+(?:of|under)\s+(?:the\s+)?(?:Republic\s+of\s+)?[A-Z][\w' -]+$")


def sibling_key(label: str) -> str:
    """An English label without its state: "Ministry of Ecology and Natural Resources of the
    Republic of Azerbaijan" -> "ministry of ecology and natural resources"."""
    return _COUNTRY_TAIL_RE.sub("", label).strip().lower()


def suffix_chains(data: LanguageData) -> SuffixChains:
    """Every known ending of every language: a name may be inflected in any paragraph."""
    return SuffixChains(frozenset(s for group in data.stemming.suffixes.values() for s in group))


def build_index(entries: dict[str, LexiconEntry], data: LanguageData) -> Lexicon:
    """Index the first word of every name; the others are checked on a hit."""
    chains = suffix_chains(data)
    lexicon = Lexicon(entries=entries, first_words=WordIndex(data, chains, equivalents=True), chains=chains)
    abbreviations: dict[str, list[Alias]] = defaultdict(list)
    abbreviation_keys: dict[str, list[Alias]] = defaultdict(list)
    seen: set[tuple[tuple[str, ...], str, str, bool]] = set()
    bases_of: dict[str, tuple[str, ...]] = {}
    for entry in entries.values():
        phrases = [(name, lang, False) for lang, names in entry.names.items() for name in names]
        if "en" not in entry.names:
            phrases.append((entry.label, "en", False))
        for lang, abbrs in entry.abbr.items():
            for abbr in abbrs:
                if not abbr.strip().isalnum():  # UN-Habitat, CACCC-2025, UN ESCAP: word by word
                    phrases.append((abbr, lang, True))
                else:
                    alias = Alias(((skeleton(abbr, data),),), entry.id, abbr, lang, True, script_of(abbr))
                    abbreviations[abbr].append(alias)
                    abbreviation_keys[alias.words[0][0]].append(alias)
        for text, lang, is_abbr in phrases:
            words = tuple(skeleton(w, data) for w in _WORD_RE.findall(text))
            script = script_of(text)
            seen_key = (words, entry.id, script, lang.startswith("kk"))  # a Kazakh name also serves the other script
            if not words or seen_key in seen:
                continue
            seen.add(seen_key)
            bases = tuple(bases_of.setdefault(f"{lang}:{w}", word_bases(w, data, lang, equivalents=True)) for w in words)
            alias = Alias(bases, entry.id, text, lang, is_abbr, script_of(text))
            lexicon.first_words.add(words[0], alias, lang)
            lexicon.max_alias_tokens = max(lexicon.max_alias_tokens, len(words))
    countries = {e.country for e in entries.values() if e.type == "Country" and e.country}
    for entry in entries.values():
        if entry.type == "Organisation" and entry.country in countries:
            lexicon.siblings.setdefault((sibling_key(entry.label), entry.country), entry.id)
    for entry in entries.values():
        chain: set[str] = set()
        parent = entry.part_of
        while parent and parent not in chain:
            chain.add(parent)
            parent = entries[parent].part_of
        if chain:
            lexicon.parents[entry.id] = chain
    lexicon.abbreviations = dict(abbreviations)
    lexicon.abbreviation_keys = dict(abbreviation_keys)
    return lexicon


# the modules whose code shapes the index: a change to any of them is a new cache key
_INDEX_CODE = ("lexicon.py", "keys.py", "langdata.py", "model.py")


@functools.lru_cache(maxsize=4)
def _load_cached(folder: Path, data: LanguageData) -> Lexicon:
    """The index of ``folder``, from the disk cache when the lexicon files, the language data
    and the indexing code are those it was made from (see envgraph.diskcache)."""
    here = Path(__file__).parent
    files = sorted(folder.glob("*.yaml"))
    key = fingerprint(
        *(here.joinpath(name).read_bytes() for name in _INDEX_CODE),
        stable_text(data),
        *(part for path in files for part in (path.name, path.read_bytes())),
    )
    return load_or_build("lexicon", key, lambda: build_index(load_entries(folder), data), Lexicon,
                         externals={"language-data": data})


def load_lexicon(data: LanguageData, folder: Path | None = None) -> Lexicon:
    """The indexed lexicon of ``folder`` (default: the packaged data/lexicon), cached."""
    return _load_cached((folder or data_dir("lexicon")).resolve(), data)
