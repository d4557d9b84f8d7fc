"""Event dates in every language's formats, as startDate/endDate attributes.

A date is a month name (data/lang/<lang>.yaml ``months``, matched on the word's beginning so
that inflected forms count: апреля, сәуірде, apreli), a day or a day range next to it, and a
year near it; a date in a sentence goes to the event named in that sentence. A year the
sentence lacks is inferred from the document (the year most often written in it) and the fact
says so in its rule, at a lower confidence. A bare year next to an event (2026 жылы өтетін
саммит) or inside its name (OAQÖK-2025) gives a year-precision date.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from envgraph.keys import lower
from envgraph.langdata import LanguageData
from envgraph.model import Attribute, Mention
from envgraph.textview import TextView

_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")
# a day or a range of days before the month: "6", "6–8", "6-8-də", "from 6 to 8", "с 6 по 8"
_DAY_RANGE_RE = re.compile(r"(?<![\d.])(\d{1,2})(?:(?:\s*[-–—]\s*|\s+(?:to|till|until|and|по|до|и)\s+)(\d{1,2}))?"
                           r"(?:-?[^\W\d_]{0,4})?$")
_DAY_AFTER_RE = re.compile(r"^\s*(\d{1,2})(?:\s*[-–—]\s*(\d{1,2}))?(?!\d)")
_ISO_RE = re.compile(r"(?<!\d)(20\d\d|19\d\d)-(\d\d)-(\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int  # normalised offsets of the expression
    end: int
    year: int | None
    month: int | None
    day: int | None
    end_day: int | None


@functools.lru_cache(maxsize=65536)
def _month_of(word: str, lang: str, data: LanguageData) -> int | None:
    lowered = lower(word)
    months = data.profiles[lang].months if lang in data.profiles else {}
    best: tuple[int, int] | None = None
    for stem, number in months.items():
        if lowered.startswith(stem) and len(lowered) - len(stem) <= 4 and (best is None or len(stem) > best[0]):
            if len(stem) < 3 and lowered != stem and not lowered.startswith(stem + "я"):
                continue  # "ма" only as мая/май
            best = (len(stem), number)
    return best[1] if best else None


def find_dates(view: TextView, data: LanguageData) -> list[FoundDate]:
    """Every day-precision (or month-precision) date written in the text."""
    out: list[FoundDate] = []
    text = view.text
    for i, token in enumerate(view.tokens):
        if not token.text.isalpha():
            continue
        month = _month_of(token.text, view.langs[i], data)
        if month is None:
            continue
        before = text[max(0, token.start - 16) : token.start]
        after = text[token.end : token.end + 16]
        day = end_day = None
        start, end = token.start, token.end
        m = _DAY_RANGE_RE.search(before.rstrip(" ,-"))
        if m:
            day, end_day = int(m.group(1)), int(m.group(2)) if m.group(2) else None
            start = token.start - (len(before) - m.start()) - (len(before) - len(before.rstrip(" ,-")))
        else:
            m2 = _DAY_AFTER_RE.match(after)
            if m2:
                day, end_day = int(m2.group(1)), int(m2.group(2)) if m2.group(2) else None
                end = token.end + m2.end()
        if day is not None and not 1 <= day <= 31:
            day = end_day = None
        if end_day is not None and not (day is not None and day < end_day <= 31):
            end_day = None
        s = view.sentence_at(token.start)
        lo, hi = (view.sentences[s].start, view.sentences[s].end) if s >= 0 else (0, len(text))
        window = text[max(lo, token.start - 30) : min(hi, token.end + 30)]
        years = _YEAR_RE.findall(window)
        year = int(years[0]) if years else None
        if day is None and year is None:
            continue  # "May" alone is not a date
        out.append(FoundDate(max(0, start), end, year, month, day, end_day))
    for m in _ISO_RE.finditer(text):
        out.append(FoundDate(m.start(), m.end(), int(m.group(1)), int(m.group(2)), int(m.group(3)), None))
    return out


def document_year(view: TextView) -> int | None:
    counts = Counter(int(y) for y in _YEAR_RE.findall(view.text))
    return counts.most_common(1)[0][0] if counts else None


def _iso(year: int, month: int | None, day: int | None) -> tuple[str, str]:
    if month is None:
        return f"{year:04d}", "gYear"
    if day is None:
        return f"{year:04d}-{month:02d}", "gYearMonth"
    return f"{year:04d}-{month:02d}-{day:02d}", "date"


def extract_dates(view: TextView, resolved: list[tuple[Mention, str]], data: LanguageData) -> list[Attribute]:
    """startDate/endDate of the events named in the sentences that carry a date."""
    events = [(m, iri) for m, iri in resolved if m.type == "Event"]
    out: list[Attribute] = []
    fallback_year = document_year(view)
    for found in find_dates(view, data):
        s = view.sentence_at(found.start)
        if s < 0:
            continue
        sentence = view.sentences[s]
        in_sentence = [(m, iri) for m, iri in events if sentence.start <= m.norm_start < sentence.end]
        if not in_sentence:
            continue
        mention, iri = min(in_sentence, key=lambda mi: abs(mi[0].norm_start - found.start))
        year, rule, confidence = found.year, "date", 0.8
        if year is None:
            year, rule, confidence = fallback_year, "date:year-inferred", 0.5
        if year is None:
            continue
        raw = view.norm.to_raw_span(sentence.start, sentence.end)
        value, datatype = _iso(year, found.month, found.day)
        cue = view.text[found.start : found.end]
        out.append(Attribute(iri, "startDate", value, datatype, view.document.doc_id, raw, rule, cue, confidence))
        if found.end_day:
            value, datatype = _iso(year, found.month, found.end_day)
            out.append(Attribute(iri, "endDate", value, datatype, view.document.doc_id, raw, rule, cue, confidence))
    out += _year_dates(view, resolved, {a.subject for a in out if a.predicate == "startDate"})
    return _best_per_subject(out)


def _year_dates(view: TextView, resolved: list[tuple[Mention, str]], dated: set[str]) -> list[Attribute]:
    """Year precision: a year inside an event's name, or written right before it."""
    out: list[Attribute] = []
    for mention, iri in resolved:
        if mention.type != "Event" or iri in dated:
            continue
        name = view.text[mention.norm_start : mention.norm_end]
        before = view.text[max(0, mention.norm_start - 40) : mention.norm_start]
        years = _YEAR_RE.findall(name) or _YEAR_RE.findall(before[-25:])
        if not years:
            continue
        s = view.sentence_at(mention.norm_start)
        sentence = view.sentences[s] if s >= 0 else None
        raw = view.norm.to_raw_span(sentence.start, sentence.end) if sentence else (mention.start, mention.end)
        out.append(Attribute(iri, "startDate", years[-1], "gYear", view.document.doc_id, raw, "date:year", years[-1], 0.6))
    return out


def _best_per_subject(attributes: list[Attribute]) -> list[Attribute]:
    """One startDate and, with it, the endDate of the same expression, per event: the most
    precise, then a range of days before a single day (a dateline's day of publication beside
    "from 6 to 8 November"), then the most confident; the first written of equals."""
    precision = {"date": 3, "gYearMonth": 2, "gYear": 1}
    ends = {(a.subject, a.cue, a.sentence): a for a in attributes if a.predicate == "endDate"}
    best: dict[str, Attribute] = {}
    for a in attributes:
        if a.predicate != "startDate":
            continue
        rank = (precision[a.datatype], (a.subject, a.cue, a.sentence) in ends, a.confidence)
        current = best.get(a.subject)
        if current is None or rank > (precision[current.datatype], (current.subject, current.cue, current.sentence) in ends,
                                       current.confidence):
            best[a.subject] = a
    out: list[Attribute] = []
    for start in best.values():
        out.append(start)
        end = ends.get((start.subject, start.cue, start.sentence))
        if end is not None:
            out.append(end)
    return out
