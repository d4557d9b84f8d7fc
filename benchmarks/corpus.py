"""A seeded synthetic news corpus for the benchmarks, with the facts each document states.

``python -m benchmarks.corpus --docs N --seed S --out DIR [--lexicon-size M]`` writes

* ``DIR/texts/NNN/IIIIII_<lang>.txt`` — N documents of 1.5–4 KB in English, Russian,
  Azerbaijani, Kazakh (Cyrillic and Latin script) and Turkmen, 1,000 a folder. Each is a short
  news item (headline, dateline, paragraphs, closing line) built from the sentence templates in
  ``benchmarks/templates/<lang>.yaml`` (funding, leading, organising, hosting, participation,
  speeches with titles, dates in the language's format) filled with actors from envgraph's
  lexicon AND invented ones (ministries, funds, projects in quotes, persons with the region's
  surname endings), so that both lexicon matching and discovery run. About one document in
  seven has a paragraph in a second language.
* ``DIR/facts.jsonl`` — one JSON object a line for every fact a template states: ``doc``,
  ``subject``, ``property``, ``object`` (labels; for literals the value), plus the types and
  lexicon ids of both ends, so recall can be measured at any scale.
* ``DIR/corpus.json`` — what was generated (seed, sizes, languages, counts).
* with ``--lexicon-size M``: ``DIR/lexicon/`` — a copy of the packaged lexicon plus
  ``generated.yaml`` with invented but plausible entries, M entries in all (for
  ``envgraph build --lexicon DIR/lexicon``).

Document ``i`` depends only on the seed and ``i``: the first 1,000 documents of a 10,000-document
corpus are the 1,000-document corpus, and each ``texts/NNN`` folder is a slice of 1,000.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
DOCS_PER_FOLDER = 1000
GENERATOR_VERSION = 1
_SLOT_RE = re.compile(r"\{(g:[^}]*|[a-z_0-9]+)\}")
_MIN_BYTES = 1500
_MAX_BYTES = 4000


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentenceTemplate:
    """One sentence pattern and the facts it states (slot names or literal slots)."""

    kind: str
    text: str
    facts: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class LanguageTemplates:
    """Everything needed to write news items in one language (one templates/<code>.yaml)."""

    code: str  # file stem: en, ru, az, kk, kk_latn, tk
    language: str  # the language tag of the texts
    lexicon_lang: str  # which lexicon names to use (kk-Latn for Kazakh in Latin script)
    months: tuple[str, ...]
    date: str
    date_range: str
    datelines: tuple[str, ...]
    headlines: tuple[str, ...]
    closings: tuple[str, ...]
    fillers: tuple[str, ...]
    persons: Mapping[str, Any]
    positions: tuple[str, ...]
    invented: Mapping[str, Any]
    sentences: tuple[SentenceTemplate, ...]
    invented_only: frozenset[str] = frozenset()
    transliterate: Mapping[str, str] = field(default_factory=dict)

    def script(self, text: str) -> str:
        """``text`` in this language's script (Kazakh Latin: transliterated from Cyrillic)."""
        return transliterate(text, self.transliterate) if self.transliterate else text


def transliterate(text: str, table: Mapping[str, str]) -> str:
    """Letter-by-letter transliteration keeping the case of each letter."""
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in table:
            repl = table[low]
            out.append(repl[:1].upper() + repl[1:] if ch != low and repl else repl)
        else:
            out.append(ch)
    return "".join(out)


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a template file must be a YAML mapping")
    return data


def load_templates(folder: Path = TEMPLATES_DIR) -> dict[str, LanguageTemplates]:
    """Every language's templates, keyed by file stem (``kk_latn`` derives from ``kk``)."""
    raw = {p.stem: _read_yaml(p) for p in sorted(folder.glob("*.yaml"))
           if p.stem not in ("common", "lexicon")}
    out: dict[str, LanguageTemplates] = {}
    for code, data in raw.items():
        table: dict[str, str] = {}
        if "derive_from" in data:
            table = {str(k): str(v) for k, v in data["transliterate"].items()}
            base = raw[data["derive_from"]]
            derived = _map_strings({k: v for k, v in base.items() if k != "lexicon_lang"},
                                   lambda s: transliterate(s, table))
            data = {**derived, "language": data["language"], "lexicon_lang": data["lexicon_lang"]}
        sentences = tuple(
            SentenceTemplate(str(s["kind"]), str(s["text"]),
                             tuple(tuple(f) for f in s.get("facts", ())))  # type: ignore[misc]
            for s in data["sentences"]
        )
        out[code] = LanguageTemplates(
            code=code,
            language=str(data["language"]),
            lexicon_lang=str(data["lexicon_lang"]),
            months=tuple(data["months"]),
            date=str(data["date"]),
            date_range=str(data["date_range"]),
            datelines=tuple(data["datelines"]),
            headlines=tuple(data["headlines"]),
            closings=tuple(data["closings"]),
            fillers=tuple(data["fillers"]),
            persons=data["persons"],
            positions=tuple(data["positions"]),
            invented=data["invented"],
            sentences=sentences,
            invented_only=frozenset(data.get("invented_only", ())),
            transliterate=table,
        )
    return out


@dataclass(frozen=True, slots=True)
class CorpusSettings:
    """templates/common.yaml: lexicon ids by role, invented shares, language mix."""

    region_countries: tuple[str, ...]
    cities: tuple[str, ...]
    invented_share: Mapping[str, float]
    mixed_share: float
    languages: Mapping[str, float]


def load_settings(folder: Path = TEMPLATES_DIR) -> CorpusSettings:
    data = _read_yaml(folder / "common.yaml")
    return CorpusSettings(
        region_countries=tuple(data["region_countries"]),
        cities=tuple(data["cities"]),
        invented_share={str(k): float(v) for k, v in data["invented_share"].items()},
        mixed_share=float(data["mixed_share"]),
        languages={str(k): float(v) for k, v in data["languages"].items()},
    )


# --------------------------------------------------------------------------------------------
# Actors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor as one sentence writes it: ``surface`` in the text, ``label`` in the facts."""

    type: str
    label: str
    surface: str
    lexicon_id: str | None = None
    gender: str = "m"
    name: str = ""  # the bare name (projects: without quotes and head word)


@dataclass(frozen=True, slots=True)
class LexiconName:
    entry_id: str
    type: str
    label: str
    name: str
    abbr: str | None


@dataclass(frozen=True, slots=True)
class LexiconPools:
    """Lexicon entries that have a name in one language, grouped by the role they can play."""

    funders: tuple[LexiconName, ...]
    organisations: tuple[LexiconName, ...]
    with_abbr: tuple[LexiconName, ...]
    region_countries: tuple[LexiconName, ...]
    countries: tuple[LexiconName, ...]
    cities: tuple[LexiconName, ...]
    conventions: tuple[LexiconName, ...]
    initiatives: tuple[LexiconName, ...]
    events: tuple[LexiconName, ...]
    by_id: Mapping[str, LexiconName]


def _entry_name(entry: Any, lexicon_lang: str, table: Mapping[str, str]) -> str | None:
    names = entry.names.get(lexicon_lang)
    if names:
        return str(names[0])
    if lexicon_lang == "kk-Latn" and entry.names.get("kk"):
        return transliterate(str(entry.names["kk"][0]), table)
    return None


def _entry_abbr(entry: Any, lexicon_lang: str) -> str | None:
    abbrs = entry.abbr.get(lexicon_lang)
    return str(abbrs[0]) if abbrs else None


def lexicon_pools(entries: Mapping[str, Any], templates: LanguageTemplates,
                  settings: CorpusSettings) -> LexiconPools:
    """The lexicon's actors usable in ``templates``' language."""
    named: dict[str, LexiconName] = {}
    for entry_id, entry in sorted(entries.items()):
        name = _entry_name(entry, templates.lexicon_lang, templates.transliterate)
        if name:
            named[entry_id] = LexiconName(entry_id, entry.type, entry.label, name,
                                          _entry_abbr(entry, templates.lexicon_lang))

    def of_type(type_name: str) -> tuple[LexiconName, ...]:
        return tuple(n for n in named.values() if n.type == type_name)

    organisations = of_type("Organisation")
    funders = tuple(n for n in organisations
                    if entries[n.entry_id].country is None and any(entries[n.entry_id].abbr.values()))
    region = tuple(named[c] for c in settings.region_countries if c in named)
    return LexiconPools(
        funders=funders or organisations,
        organisations=organisations,
        with_abbr=tuple(n for n in organisations if n.abbr) or organisations,
        region_countries=region or of_type("Country"),
        countries=of_type("Country"),
        cities=tuple(named[c] for c in settings.cities if c in named) or of_type("Place"),
        conventions=of_type("Convention"),
        initiatives=of_type("Initiative"),
        events=of_type("Event"),
        by_id=named,
    )


def _fill_words(pattern: str, words: Mapping[str, Sequence[str]], rng: random.Random,
                extra: Mapping[str, str] | None = None) -> str:
    def pick(match: re.Match[str]) -> str:
        key = match.group(1)
        if extra and key in extra:
            return extra[key]
        return rng.choice(list(words[key]))

    return re.sub(r"\{([a-z_]+)\}", pick, pattern)


class ActorFactory:
    """Draws actors for one document: lexicon ones by role, invented ones from word lists."""

    def __init__(self, templates: LanguageTemplates, pools: LexiconPools,
                 settings: CorpusSettings, rng: random.Random) -> None:
        self.t = templates
        self.pools = pools
        self.settings = settings
        self.rng = rng

    def _invent(self, type_name: str) -> bool:
        if type_name in self.t.invented_only:
            return True
        return self.rng.random() < self.settings.invented_share.get(type_name, 0.0)

    def _lexicon(self, pool: Sequence[LexiconName], *, abbr_share: float = 0.0,
                 abbr_only: bool = False) -> Actor:
        n = self.rng.choice(list(pool))
        surface = n.name
        if n.abbr and (abbr_only or self.rng.random() < abbr_share):
            surface = n.abbr
        return Actor(n.type, n.label, surface, n.entry_id, name=n.name)

    def organisation(self, role: str) -> Actor:
        if role.endswith("_abbr"):
            return self._lexicon(self.pools.with_abbr, abbr_only=True)
        if not self._invent("Organisation"):
            pool = self.pools.funders if role.startswith("funder") else self.pools.organisations
            return self._lexicon(pool, abbr_share=0.2)
        inv = self.t.invented
        pattern = self.rng.choice(list(inv["organisation"]))
        extra: dict[str, str] = {}
        if "{country_name}" in pattern:
            countries = inv.get("ministry_countries") or {}
            if not countries:
                pattern = str(inv["organisation"][0])
            else:
                extra["country_name"] = str(countries[self.rng.choice(sorted(countries))])
        name = self.t.script(_fill_words(pattern, inv["organisation_words"], self.rng, extra))
        return Actor("Organisation", name.replace("«", "").replace("»", "").replace('"', ""), name,
                     name=name)

    def country(self) -> Actor:
        pool = self.pools.region_countries if self.rng.random() < 0.8 else self.pools.countries
        return self._lexicon(pool)

    def city(self) -> Actor:
        return self._lexicon(self.pools.cities)

    def convention(self) -> Actor:
        return self._lexicon(self.pools.conventions, abbr_share=0.2)

    def project(self, *, allow_lexicon: bool) -> Actor:
        if allow_lexicon and self.pools.initiatives and not self._invent("Initiative"):
            return self._lexicon(self.pools.initiatives)
        inv = self.t.invented
        name = self.t.script(_fill_words(self.rng.choice(list(inv["project"]["name"])),
                                         inv["project_words"], self.rng))
        name = name[:1].upper() + name[1:]
        form = self.t.script(self.rng.choice(list(inv["project"]["forms"])))
        return Actor("Initiative", name, form.replace("{name}", name), name=name)

    def event(self, *, allow_lexicon: bool) -> Actor:
        if allow_lexicon and self.pools.events and not self._invent("Event"):
            return self._lexicon(self.pools.events)
        inv = self.t.invented
        extra = {"year": str(self.rng.randint(2019, 2027))}
        name = self.t.script(_fill_words(self.rng.choice(list(inv["event"])), inv["event_words"],
                                         self.rng, extra))
        return Actor("Event", name, name, name=name)

    def person(self) -> Actor:
        p = self.t.persons
        gender = "f" if self.rng.random() < 0.4 else "m"
        first = self.rng.choice(list(p["first_f" if gender == "f" else "first_m"]))
        pattern = self.rng.choice(list(p["surnames_f" if gender == "f" else "surnames_m"]))
        surname = pattern.replace("{stem}", self.rng.choice(list(p["stems"])))
        name = self.t.script(f"{first} {surname}")
        return Actor("Person", name, name, gender=gender, name=name)


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownFact:
    """A fact a generated document states (the ground truth for recall)."""

    doc: str
    lang: str
    subject: str
    subject_type: str
    subject_id: str | None
    property: str
    object: str
    object_type: str  # an entity type, or "literal"
    object_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc, "lang": self.lang, "subject": self.subject,
            "subject_type": self.subject_type, "subject_id": self.subject_id,
            "property": self.property, "object": self.object, "object_type": self.object_type,
            "object_id": self.object_id,
        }


@dataclass(frozen=True, slots=True)
class DateValue:
    text: str
    start: str  # ISO date
    end: str | None = None


@dataclass(slots=True)
class GeneratedDocument:
    doc_id: str
    code: str
    text: str
    facts: list[KnownFact]


class DocumentWriter:
    """Writes one news item in one language, recording the facts its sentences state."""

    def __init__(self, doc_id: str, templates: LanguageTemplates, factory: ActorFactory,
                 rng: random.Random, year: int) -> None:
        self.doc_id = doc_id
        self.t = templates
        self.f = factory
        self.rng = rng
        self.year = year
        self.facts: list[KnownFact] = []
        self._seen: set[tuple[str, str, str]] = set()
        self.main_event = factory.event(allow_lexicon=True)
        self.main_project = factory.project(allow_lexicon=True)
        self.main_city = factory.city()
        self._about_main_event = False
        self.main_date = self.date()
        self.main_range = self.date_range()
        self._used_templates: set[str] = set()
        self._used_fillers: set[str] = set()

    def date(self) -> DateValue:
        month = self.rng.randint(1, 12)
        day = self.rng.randint(1, 27)
        text = self.t.script(self.t.date.format(day=day, month=self.t.months[month - 1],
                                                year=self.year))
        return DateValue(text, f"{self.year:04d}-{month:02d}-{day:02d}")

    def date_range(self) -> DateValue:
        month = self.rng.randint(1, 12)
        day = self.rng.randint(1, 25)
        end = day + self.rng.randint(1, 3)
        text = self.t.script(self.t.date_range.format(day=day, end_day=end,
                                                      month=self.t.months[month - 1], year=self.year))
        return DateValue(text, f"{self.year:04d}-{month:02d}-{day:02d}",
                         f"{self.year:04d}-{month:02d}-{end:02d}")

    def _slot(self, role: str, chosen: dict[str, Any], used: set[str]) -> Any:
        base = role[: -len("_abbr")] if role.endswith("_abbr") else role
        base = base.rstrip("0123456789")
        for _attempt in range(8):
            if role in ("main_event", "main_event_name"):
                value: Any = self.main_event
            elif role in ("main_project", "main_project_name"):
                value = self.main_project
            elif base in ("funder", "leader", "org"):
                value = self.f.organisation(role)
            elif base == "country":
                value = self.f.country()
            elif base == "city":
                value = self.main_city if self.rng.random() < 0.5 else self.f.city()
            elif base == "convention":
                value = self.f.convention()
            elif base == "project":
                value = self.f.project(allow_lexicon=False)
            elif base == "initiative":
                value = self.f.project(allow_lexicon=True)
            elif base == "event":
                value = self.f.event(allow_lexicon=True)
            elif base == "person":
                value = self.f.person()
            elif base == "position":
                value = self.t.script(self.rng.choice(list(self.t.positions)))
            elif base in ("date", "date_range"):
                # the document's main event has one date; other events get their own
                if self._about_main_event:
                    value = self.main_range if role == "date_range" else self.main_date
                else:
                    value = self.date_range() if role == "date_range" else self.date()
            else:
                raise ValueError(f"templates/{self.t.code}.yaml: unknown slot {{{role}}}")
            key = value.label if isinstance(value, Actor) else str(value)
            if not isinstance(value, Actor) or role.startswith("main_") or key not in used:
                used.add(key)
                return value
        return value

    def next_sentence(self) -> str:
        """A fact sentence (70%) or a filler, without repeating a filler or a sentence about
        the document's main event or project (which would contradict itself)."""
        if self.rng.random() < 0.3:
            fresh = [f for f in self.t.fillers if f not in self._used_fillers]
            if fresh:
                filler = self.rng.choice(fresh)
                self._used_fillers.add(filler)
                return filler
        fresh_templates = [s for s in self.t.sentences if s.text not in self._used_templates]
        template = self.rng.choice(fresh_templates or list(self.t.sentences))
        return self.sentence(template)

    def sentence(self, template: SentenceTemplate, *, with_facts: bool = True) -> str:
        if "{main_" in template.text and with_facts:
            self._used_templates.add(template.text)
        self._about_main_event = "{main_event}" in template.text
        chosen: dict[str, Any] = {}
        used: set[str] = {self.main_event.label, self.main_project.label}
        for match in _SLOT_RE.finditer(template.text):
            role = match.group(1)
            if not role.startswith("g:") and role not in chosen:
                chosen[role] = self._slot(role, chosen, used)
        gender = next((v.gender for v in chosen.values()
                       if isinstance(v, Actor) and v.type == "Person"), "m")

        def render(match: re.Match[str]) -> str:
            role = match.group(1)
            if role.startswith("g:"):
                masculine, _, feminine = role[2:].partition("|")
                return self.t.script(feminine if gender == "f" else masculine)
            value = chosen[role]
            if isinstance(value, Actor):
                return value.name if role.endswith("_name") else value.surface
            if isinstance(value, DateValue):
                return value.text
            return str(value)

        text = _SLOT_RE.sub(render, template.text)  # templates are already in the text's script
        if with_facts:
            for subject_role, prop, object_role in template.facts:
                self._fact(chosen, subject_role, prop, object_role)
        return text[:1].upper() + text[1:]

    def _fact(self, chosen: Mapping[str, Any], subject_role: str, prop: str, object_role: str) -> None:
        subject = chosen.get(subject_role) or (self.main_event if subject_role == "main_event"
                                               else self.main_project if subject_role == "main_project"
                                               else None)
        if not isinstance(subject, Actor):
            raise ValueError(f"templates/{self.t.code}.yaml: fact subject {subject_role!r} is not an actor")
        obj = chosen.get(object_role)
        if obj is None and object_role == "main_event":
            obj = self.main_event
        elif obj is None and object_role == "main_project":
            obj = self.main_project
        if object_role in ("date_start", "date_end"):
            dv = chosen.get("date_range")
            assert isinstance(dv, DateValue)
            value, obj_type, obj_id = (dv.start if object_role == "date_start" else dv.end or dv.start,
                                       "literal", None)
        elif isinstance(obj, DateValue):
            value, obj_type, obj_id = obj.start, "literal", None
        elif isinstance(obj, Actor):
            value, obj_type, obj_id = obj.label, obj.type, obj.lexicon_id
        elif isinstance(obj, str):
            value, obj_type, obj_id = obj, "literal", None
        else:
            raise ValueError(f"templates/{self.t.code}.yaml: fact object {object_role!r} has no value")
        key = (subject.label, prop, value)
        if key in self._seen:
            return
        self._seen.add(key)
        self.facts.append(KnownFact(self.doc_id, self.t.code, subject.label, subject.type,
                                    subject.lexicon_id, prop, value, obj_type, obj_id))

    def headline(self) -> str:
        template = SentenceTemplate("headline", self.rng.choice(list(self.t.headlines)), ())
        return self.sentence(template, with_facts=False)

    def dateline(self) -> str:
        pattern = self.rng.choice(list(self.t.datelines))
        return pattern.replace("{city}", self.main_city.surface).replace("{date}", self.date().text)


def _pick_language(rng: random.Random, shares: Mapping[str, float]) -> str:
    codes = sorted(shares)
    return rng.choices(codes, weights=[shares[c] for c in codes])[0]


class CorpusGenerator:
    """Generates document ``i`` of a corpus from ``seed`` alone (see the module docstring)."""

    def __init__(self, seed: int, lexicon_dir: Path | None = None,
                 templates_dir: Path = TEMPLATES_DIR) -> None:
        from envgraph.lexicon import load_entries
        from envgraph.resources import data_dir

        self.seed = seed
        self.templates = load_templates(templates_dir)
        self.settings = load_settings(templates_dir)
        entries = load_entries(lexicon_dir or data_dir("lexicon"))
        self.pools = {code: lexicon_pools(entries, t, self.settings) for code, t in self.templates.items()}

    def document(self, index: int) -> GeneratedDocument:
        rng = random.Random(f"{self.seed}:{index}")
        code = _pick_language(rng, self.settings.languages)
        doc_id = f"{index:06d}_{code}.txt"
        year = rng.randint(2019, 2027)
        writer = self._writer(doc_id, code, rng, year)
        target = rng.randint(_MIN_BYTES, _MAX_BYTES - 750)
        lines = [writer.headline(), ""]
        lead = writer.sentence(self._template(writer, rng, main_event=True))
        lines.append(f"{writer.dateline()} {lead}")
        size = sum(len(x.encode()) for x in lines)
        while size < target:
            paragraph = []
            for _ in range(rng.randint(2, 4)):
                paragraph.append(writer.next_sentence())
            text = " ".join(paragraph)
            lines += ["", text]
            size += len(text.encode()) + 1
        facts = list(writer.facts)
        if rng.random() < self.settings.mixed_share:
            other = _pick_language(rng, {c: s for c, s in self.settings.languages.items() if c != code})
            second = self._writer(doc_id, other, rng, year)
            standalone = [s for s in second.t.sentences
                          if not any("main_" in r for f in s.facts for r in (f[0], f[2]))]
            paragraph = [second.sentence(rng.choice(standalone)) for _ in range(rng.randint(1, 2))]
            lines += ["", " ".join(paragraph)]
            facts += second.facts
        lines += ["", rng.choice(list(writer.t.closings))]
        text = "\n".join(lines).rstrip() + "\n"
        return GeneratedDocument(doc_id, code, text, facts)

    def _writer(self, doc_id: str, code: str, rng: random.Random, year: int) -> DocumentWriter:
        t = self.templates[code]
        factory = ActorFactory(t, self.pools[code], self.settings, rng)
        return DocumentWriter(doc_id, t, factory, rng, year)

    @staticmethod
    def _template(writer: DocumentWriter, rng: random.Random, *, main_event: bool) -> SentenceTemplate:
        """A sentence that introduces the document's main event (its lead)."""
        leads = [s for s in writer.t.sentences if "{main_event}" in s.text] if main_event else []
        return rng.choice(leads or list(writer.t.sentences))

    def documents(self, start: int, stop: int) -> Iterator[GeneratedDocument]:
        for index in range(start, stop):
            yield self.document(index)


# --------------------------------------------------------------------------------------------
# Writing a corpus
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What :func:`write_corpus` wrote."""

    root: Path
    docs: int
    seed: int
    bytes: int
    facts: int
    languages: Mapping[str, int]
    folders: tuple[Path, ...]
    lexicon_dir: Path | None = None
    lexicon_entries: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "docs": self.docs, "seed": self.seed, "bytes": self.bytes, "facts": self.facts,
            "languages": dict(self.languages), "folders": [str(p) for p in self.folders],
            "lexicon_dir": str(self.lexicon_dir) if self.lexicon_dir else None,
            "lexicon_entries": self.lexicon_entries, "generator_version": GENERATOR_VERSION,
        }


def text_folders(root: Path, docs: int) -> list[Path]:
    """The ``texts/NNN`` folders that hold the first ``docs`` documents."""
    return [root / "texts" / f"{k:03d}" for k in range((docs + DOCS_PER_FOLDER - 1) // DOCS_PER_FOLDER)]


def write_corpus(out: Path, docs: int, seed: int, *, lexicon_size: int | None = None,
                 exact: bool = True) -> CorpusInfo:
    """Write ``docs`` documents, their facts and (optionally) a bigger lexicon under ``out``.

    Documents already on disk with the same seed are kept (generation is deterministic), so a
    10,000-document corpus extends a 1,000-document one in place. With ``exact=False`` a
    corpus bigger than ``docs`` is left as it is (the benchmarks read slices of it).
    """
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / "corpus.json"
    previous: dict[str, Any] = {}
    if meta_path.is_file():
        previous = json.loads(meta_path.read_text(encoding="utf-8"))
        if previous.get("seed") != seed or previous.get("generator_version") != GENERATOR_VERSION:
            shutil.rmtree(out / "texts", ignore_errors=True)
            (out / "facts.jsonl").unlink(missing_ok=True)
            previous = {}
    have = int(previous.get("docs", 0)) if (out / "facts.jsonl").is_file() else 0
    generator = CorpusGenerator(seed)
    languages: Counter[str] = Counter(previous.get("languages", {}))
    total_bytes = int(previous.get("bytes", 0))
    n_facts = int(previous.get("facts", 0))
    if docs < have and not exact:
        docs = have
    if docs < have:  # a smaller corpus than on disk: rewrite from scratch
        shutil.rmtree(out / "texts", ignore_errors=True)
        have, languages, total_bytes, n_facts = 0, Counter(), 0, 0
        (out / "facts.jsonl").unlink(missing_ok=True)
    mode = "a" if have else "w"
    with (out / "facts.jsonl").open(mode, encoding="utf-8") as facts_file:
        for doc in generator.documents(have, docs):
            index = int(doc.doc_id[:6])
            folder = out / "texts" / f"{index // DOCS_PER_FOLDER:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            data = doc.text.encode("utf-8")
            (folder / doc.doc_id).write_bytes(data)
            total_bytes += len(data)
            languages[doc.code] += 1
            for fact in doc.facts:
                facts_file.write(json.dumps(fact.as_json(), ensure_ascii=False) + "\n")
            n_facts += len(doc.facts)
    lexicon_dir = Path(previous["lexicon_dir"]) if previous.get("lexicon_dir") else None
    lexicon_entries = previous.get("lexicon_entries")
    if lexicon_size and lexicon_size != lexicon_entries:
        lexicon_dir = out / "lexicon"
        lexicon_entries = write_lexicon(lexicon_dir, lexicon_size, seed)
    info = CorpusInfo(out, docs, seed, total_bytes, n_facts, dict(sorted(languages.items())),
                      tuple(text_folders(out, docs)), lexicon_dir, lexicon_entries)
    meta_path.write_text(json.dumps(info.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return info


def read_facts(root: Path, docs: int | None = None) -> list[dict[str, Any]]:
    """The known facts of the first ``docs`` documents of a corpus written by write_corpus."""
    out = []
    with (root / "facts.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            fact = json.loads(line)
            if docs is None or int(fact["doc"][:6]) < docs:
                out.append(fact)
    return out


# --------------------------------------------------------------------------------------------
# A bigger lexicon
# --------------------------------------------------------------------------------------------


def _syllable_name(rng: random.Random, syllables: Sequence[str]) -> str:
    parts = [rng.choice(list(syllables)) for _ in range(rng.choice((2, 2, 3)))]
    word = "".join(parts)
    return word[:1].upper() + word[1:]


def _to_cyrillic(word: str, table: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    low = word.lower()
    while i < len(low):
        pair = low[i : i + 2]
        if pair in table:
            out.append(table[pair])
            i += 2
        else:
            out.append(table.get(low[i], low[i]))
            i += 1
    text = "".join(out)
    return text[:1].upper() + text[1:]


def generated_entries(count: int, seed: int, taken_ids: set[str],
                      templates_dir: Path = TEMPLATES_DIR) -> list[dict[str, Any]]:
    """``count`` invented lexicon entries (districts, departments, companies, NGOs, local
    projects and forums) with names in all five languages, ids not in ``taken_ids``."""
    spec = _read_yaml(templates_dir / "lexicon.yaml")
    rng = random.Random(f"lexicon:{seed}")
    kinds = spec["kinds"]
    types = sorted(kinds)
    weights = [float(kinds[t]["share"]) for t in types]
    cyr = {str(k): str(v) for k, v in spec["cyrillic"].items()}
    used_names: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    attempts = 0
    while len(out) < count:
        attempts += 1
        if attempts > count * 50:
            raise RuntimeError("cannot invent enough distinct lexicon names; add syllables to lexicon.yaml")
        type_name = rng.choices(types, weights=weights)[0]
        kind = kinds[type_name]
        latin = _syllable_name(rng, spec["syllables"])
        if (type_name, latin) in used_names:
            continue
        variant = rng.randrange(len(kind["names"]["en"])) if isinstance(kind["names"]["en"], list) else 0
        industry = {lang: rng.choice(words) for lang, words in kind.get("industry", {}).items()}
        names: dict[str, list[str]] = {}
        for lang, patterns in kind["names"].items():
            pattern = patterns[variant] if isinstance(patterns, list) else patterns
            base = _to_cyrillic(latin, cyr) if lang in ("ru", "kk") else latin
            text = pattern.replace("{Name}", base)
            text = (text.replace("{Industry}", industry.get("en", "")).replace("{IndustryRu}", industry.get("ru", ""))
                    .replace("{IndustryAz}", industry.get("az", "")).replace("{IndustryKk}", industry.get("kk", ""))
                    .replace("{IndustryTk}", industry.get("tk", "")))
            names[lang] = [text]
        entry_id = f"gen_{type_name.lower()}_{re.sub(r'[^a-z0-9]+', '_', names['en'][0].lower()).strip('_')}"
        if entry_id in taken_ids:
            continue
        taken_ids.add(entry_id)
        used_names.add((type_name, latin))
        out.append({"id": entry_id, "type": type_name, "label": names["en"][0], "names": names,
                    "note": "generated by benchmarks/corpus.py for the lexicon-size benchmark"})
    return out


def write_lexicon(folder: Path, size: int, seed: int) -> int:
    """A lexicon folder with the packaged lexicon and generated entries, ``size`` in all
    (at least the packaged ones). Returns the number of entries."""
    from envgraph.lexicon import load_entries
    from envgraph.resources import data_dir

    source = data_dir("lexicon")
    base = load_entries(source)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in source.glob("*.yaml"):
        shutil.copy2(path, folder / path.name)
    extra = generated_entries(max(0, size - len(base)), seed, set(base))
    with (folder / "generated.yaml").open("w", encoding="utf-8") as handle:
        handle.write("# Generated by benchmarks/corpus.py (invented entries for the lexicon-size benchmark).\n")
        yaml.safe_dump(extra, handle, allow_unicode=True, sort_keys=False, width=200)
    return len(load_entries(folder))


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--lexicon-size", type=int, default=None,
                        help="also write OUT/lexicon with this many entries (packaged + generated)")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    info = write_corpus(args.out, args.docs, args.seed, lexicon_size=args.lexicon_size)
    print(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
