"""The normaliser: what it repairs, and that every offset leads back to the raw text."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from envgraph.normalize import normalize


def _raw_of(raw: str, n, start: int, end: int) -> str:
    a, b = n.to_raw_span(start, end)
    return raw[a:b]


def test_joins_words_broken_across_lines_by_copy_paste() -> None:
    raw = "ICESCO-nun Baş direktoru Sa-\n\n\n\nlim bin Məhəmməd"
    n = normalize(raw)
    assert "Salim bin Məhəmməd" in n.text
    start = n.text.index("Salim")
    assert _raw_of(raw, n, start, start + len("Salim")) == "Sa-\n\n\n\nlim"


def test_keeps_a_real_hyphen_before_a_capital() -> None:
    assert normalize("Regner-\nBurke").text == "Regner-\nBurke"


def test_drops_soft_hyphens_zero_width_and_bidi_marks_and_keeps_offsets() -> None:
    raw = "Nazir\u00adliyi\u200b \u202eGEF\u202c"
    n = normalize(raw)
    assert n.text == "Nazirliyi GEF"
    start = n.text.index("GEF")
    assert _raw_of(raw, n, start, start + 3) == "GEF"


def test_maps_quotes_and_spaces_one_to_one() -> None:
    raw = "\u201cBlueing\u201d\u00a0\u00abX\u00bb \u201eY\u201c"
    n = normalize(raw)
    assert n.text == '"Blueing" «X» «Y"'
    assert len(n.text) == len(raw)


def test_drops_markdown_emphasis_and_stray_tags() -> None:
    raw = "**Mr. Zhomart Aliyev** <b>said</b>"
    n = normalize(raw)
    assert n.text == "Mr. Zhomart Aliyev said"
    start = n.text.index("Zhomart")
    assert _raw_of(raw, n, start, start + 7) == "Zhomart"


def test_composes_to_nfc() -> None:
    raw = "Қазақстан и\u0306 Ә"  # й written as и + combining breve
    n = normalize(raw)
    assert n.text == unicodedata.normalize("NFC", raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
@example("\u09dc")  # NFC rewrites it as two characters (found by CI)
@example("\u1100\u1161\u11a8!")  # Hangul jamo compose with each other, not as marks
def test_any_text_normalises_and_every_offset_indexes_the_raw_text(raw: str) -> None:
    n = normalize(raw)
    previous = 0
    for i in range(len(n.text)):
        a, b = n.to_raw_span(i, i + 1)
        assert 0 <= a <= b <= len(raw)
        assert a >= previous  # offsets never go backwards
        previous = a
