"""Labels of discovered names: the citation form, not the case the sentence put the head in."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgraph.labels import citation_form, preferred_label, unquoted
from envgraph.langdata import load_language_data
from envgraph.model import Document
from envgraph.pipeline import Extractor, extract

DATA = load_language_data()


@pytest.mark.parametrize(("label", "lang", "expected"), [
    # after the possessive of a compound name: the possessive stays
    ("Bakı Konqres Mərkəzində", "az", "Bakı Konqres Mərkəzi"),
    ("Balıqçılıq və Akvakultura Mərkəzinin", "az", "Balıqçılıq və Akvakultura Mərkəzi"),
    ("Bakı Olimpiya Stadionunda", "az", "Bakı Olimpiya Stadionu"),
    ("Dala su qorynyñ", "kk", "Dala su qory"),
    ("Дала су қорының", "kk", "Дала су қоры"),
    ("Çöl suw merkeziniň", "tk", "Çöl suw merkezi"),
    # the head's final consonant as it is before a vowel (nazirlik ~ nazirliy-)
    ("Otlaq İdarəetməsi Nazirliyinin", "az", "Otlaq İdarəetməsi Nazirliyi"),
    # right after the head's dictionary form: the bare head
    ("olunmuş xüsusi sessiyada", "az", "olunmuş xüsusi sessiya"),
    ("Өңірлік климаттық саммитке", "kk", "Өңірлік климаттық саммит"),
    ("Парламенттің", "kk", "Парламент"),
    ("maslahatda", "tk", "maslahat"),
    # already the citation form, or not a head word at the end: unchanged
    ("Yaşıl Qabaqcıl İdarəetmə üzrə Nazirlər Forumu", "az", "Yaşıl Qabaqcıl İdarəetmə üzrə Nazirlər Forumu"),
    ("Дала су қоры", "kk", "Дала су қоры"),
    ("Forumlarda", "az", "Forumlarda"),
    ("Cenevrə Qlobal Resurs Məlumat Bazasının", "az", "Cenevrə Qlobal Resurs Məlumat Bazasının"),
    # Russian: the head noun and the adjectives before it in the nominative (pymorphy3)
    ("Ассоциацией каспийских егерей", "ru", "Ассоциация каспийских егерей"),
    ("Министерством экологии Узбекистана", "ru", "Министерство экологии Узбекистана"),
    ("Второго Центральноазиатского саммита", "ru", "Второй Центральноазиатский саммит"),
    ("Агентства водных ресурсов Мангистау", "ru", "Агентство водных ресурсов Мангистау"),
    ("Фонд восстановления степей", "ru", "Фонд восстановления степей"),
    # a language with neither keeps the text
    ("Ministry of Ecology", "en", "Ministry of Ecology"),
])
def test_citation_form_drops_the_case_ending_of_a_head_word(label: str, lang: str, expected: str) -> None:
    assert citation_form(label, lang, DATA) == expected


def test_a_bare_vowel_after_the_head_is_the_possessive_and_stays() -> None:
    assert citation_form("Xəzər Forumu", "az", DATA) == "Xəzər Forumu"
    assert citation_form("Дала қоры", "kk", DATA) == "Дала қоры"


def test_the_preferred_label_of_a_head_named_mention_loses_stray_quotes_and_its_case() -> None:
    assert preferred_label('Астана» халықаралық ғылыми кешенінде', "head:Organisation", "kk", DATA) == \
        "Астана халықаралық ғылыми кешені"
    # a person's or a quoted name's text is kept as written (spaces collapsed)
    assert preferred_label("Leyla  Əliyevanın", "person:suffix", "az", DATA) == "Leyla Əliyevanın"
    # half a pair of quote marks goes; a whole pair inside the name stays
    assert unquoted("Таза Ертіс» қоғамдық бірлестігі") == "Таза Ертіс қоғамдық бірлестігі"
    assert unquoted("Павлодар «Таза Ертіс» қоғамдық бірлестігі") == "Павлодар «Таза Ертіс» қоғамдық бірлестігі"


def test_an_invented_body_named_in_the_locative_gets_its_name_as_label() -> None:
    text = ("Bakı, 20 may 2026. Abşeron Su Mərkəzinin direktoru Leyla Məmmədova bildirib ki, layihənin təqdimatı "
            "Bakıda keçirilən Xəzər Su Həftəsində olub. Abşeron Su Mərkəzi layihəyə rəhbərlik edir.")
    extractor = Extractor.load()
    result = extract(Document("az.txt", Path("az.txt"), text, text, "0", "utf-8"), extractor, extractor.resolver())
    by_type = {(e.type, e.label, e.pref_labels.get("az")) for e in result.entities.values() if not e.from_lexicon}
    assert ("Event", "Xəzər Su Həftəsi", "Xəzər Su Həftəsi") in by_type, by_type
    assert ("Organisation", "Abşeron Su Mərkəzi", "Abşeron Su Mərkəzi") in by_type, by_type
    # the inflected forms stay findable as alternative labels
    week = next(e for e in result.entities.values() if e.label == "Xəzər Su Həftəsi")
    assert ("Xəzər Su Həftəsində", "az") in week.alt_labels


def test_a_name_that_looks_nominative_needs_no_analyser() -> None:
    from envgraph import labels

    labels._russian_analyser.cache_clear()
    for name in ("Фонд восстановления степей", "Министерство экологии", "Ассоциация егерей", "Каспийский форум"):
        assert citation_form(name, "ru", DATA) == name
    assert labels._russian_analyser.cache_info().currsize == 0  # 0.1 s saved on a command's start
    assert citation_form("Фонда восстановления степей", "ru", DATA) == "Фонд восстановления степей"
