"""Event dates in every language's formats, ranges, and years inferred from the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgraph.dates import extract_dates
from envgraph.mentions import find_mentions
from envgraph.model import Document
from envgraph.textview import build_view


def _dates(text: str, extractor) -> dict[str, tuple[str, str, str]]:
    view = build_view(Document("t.txt", Path("t.txt"), text, text, "0", "utf-8"), extractor.data)
    mentions = find_mentions(view, extractor.lexicon, extractor.data)
    resolved, _ = extractor.resolver().resolve(mentions)
    return {a.predicate: (a.value, a.datatype, a.rule) for a in extract_dates(view, resolved, extractor.data)}


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("The Regional Ecological Summit opened in Astana on 22 April 2026.", "2026-04-22"),
        ("Regional Ekoloji Sammit 2026-cı il 22 aprel tarixində Astanada açıldı.", "2026-04-22"),
        ("Региональный экологический саммит открылся 22 апреля 2026 года в Астане.", "2026-04-22"),
        ("Өңірлік экологиялық саммит 2026 жылғы 22 сәуірде Астанада ашылды.", "2026-04-22"),
        ("Sebitleýin ekologiýa sammiti 2026-njy ýylyň 22-nji aprelinde Astanada açyldy.", "2026-04-22"),
    ],
)
def test_day_month_year_in_each_language(text: str, start: str, extractor) -> None:
    assert _dates(text, extractor)["startDate"][:2] == (start, "date")


def test_a_range_gives_start_and_end(extractor) -> None:
    text = "2025 jylǧy 13–15 mamyr aralyǧynda Aşhabad qalasynda Ortalyq Aziianyŋ 7-şı konferensiiasy ötıp jatyr."
    found = _dates(text, extractor)
    assert found["startDate"][0] == "2025-05-13"
    assert found["endDate"][0] == "2025-05-15"


def test_a_missing_year_is_inferred_from_the_document_and_said_so(extractor) -> None:
    text = "Report of 2024.\n\nNoyabrın 14-də Yaşıl Qabaqcıl İdarəetmə üzrə Nazirlər Forumu keçirilib."
    value, datatype, rule = _dates(text, extractor)["startDate"]
    assert (value, datatype) == ("2024-11-14", "date")
    assert rule == "date:year-inferred"


def test_a_year_next_to_an_event_gives_year_precision(extractor) -> None:
    text = "Вице-министрдің сөзінде 2026 жылы өтетін Өңірлік климаттық саммитке ерекше назар аударылды."
    assert _dates(text, extractor)["startDate"][:2] == ("2026", "gYear")


@pytest.mark.parametrize(("text", "start", "end"), [
    ("The Steppe Rangers Forum took place in Aktau from 6 to 8 November 2026.", "2026-11-06", "2026-11-08"),
    ("Форум степных егерей прошёл в Актау с 6 по 8 ноября 2026 года.", "2026-11-06", "2026-11-08"),
])
def test_a_range_written_with_words_gives_start_and_end(text: str, start: str, end: str, extractor) -> None:
    found = _dates(text, extractor)
    assert (found["startDate"][0], found["endDate"][0]) == (start, end)


def test_a_range_wins_over_the_datelines_day_and_start_and_end_come_from_one_expression(extractor) -> None:
    text = ("AKTAU, 9 November 2026 – The Steppe Rangers Forum was organised from 6 to 8 November 2026 "
            "by the Association of Caspian Rangers.")
    found = _dates(text, extractor)
    assert (found["startDate"][0], found["endDate"][0]) == ("2026-11-06", "2026-11-08")
