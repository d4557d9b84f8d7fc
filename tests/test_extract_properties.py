"""Property-based tests of the extractors: any Unicode text terminates, never raises, and every
mention's offsets index the original text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envgraph.model import Document
from envgraph.pipeline import extract

# words the extractors react to, mixed into random text so that the rules actually fire
_WORDS = ["Ministry", "of", "Ecology", "Fund", "GEF", "(GEF)", "«", "»", '"', "Nazirliyi", "министрлігі",
          "Министерство", "Forum", "Summit", "COP29", "Mr.", "М.", "Ошурбаев", "Қазақстанда", "Azerbaýjanyň",
          "financed by", "tərəfindən", "2026", "22", "апреля", "-\n\n", "\u00ad", "\u200b", "\u202e", "\n\n", ".",
          ",", "və", "и", "we", "https://x.org", "<b>", "**"]

texts = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=12)), max_size=60).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_extracts_without_error_and_offsets_index_the_raw_text(extractor, text: str) -> None:
    document = Document("p.txt", Path("p.txt"), text, text, "0", "utf-8")
    result = extract(document, extractor, extractor.resolver())
    for mention, _ in result.mentions:
        assert 0 <= mention.start <= mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
    for fact in [*result.relations, *result.attributes]:
        assert 0 <= fact.sentence[0] <= fact.sentence[1] <= len(text)
        assert 0.0 <= fact.confidence <= 1.0

