"""Normalise text for the extractors without losing the way back to the raw offsets.

What changes: Unicode NFC; soft hyphens, zero-width and bidirectional control characters are
dropped; words hyphenated across line breaks by copy-paste are joined ("Sa-\\n\\n\\n\\nlim" becomes
"Salim"); Markdown emphasis markers and stray tags are dropped; typographic quotes, apostrophes and
exotic spaces are mapped to a small canonical set. Every character of the normalised text keeps
the offset of the raw character it came from (:class:`OffsetMap`), so a mention found in the
normalised text is recorded with offsets into the document as read from disk.

Example:
    >>> n = normalize("Sa-\\n\\n\\n\\nlim bin \\u00abX\\u00bb")
    >>> n.text
    'Salim bin «X»'
    >>> n.to_raw_span(0, 5)
    (0, 9)
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# 1:1 replacements: offsets unchanged.
_CHAR_MAP = str.maketrans(
    {
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": "«",  # „ opens in ru/kk typography
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": "«",
        "\u00bb": "»",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u02bc": "'",
        "\u02bb": "'",
        "`": "'",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u3000": " ",
        "\u2011": "-",  # non-breaking hyphen
        "\u2010": "-",
        "\u2212": "-",
        "\t": " ",
    }
)

# Characters removed outright, Markdown emphasis, stray tags, and line-break hyphenation.
_EDIT_RE = re.compile(
    r"(?P<invisible>[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+)"
    r"|(?P<emphasis>\*{1,3}|(?<!\w)_{2}|_{2}(?!\w))"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,200})?/?>)"
    r"|(?P<hyphen>(?<=[^\W\d_])-[ \t]*(?:\r?\n[ \t]*)+(?=[^\W\d_]))"
)


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Piecewise-linear map from normalised offsets back to raw offsets.

    ``norm_starts[i]`` / ``raw_starts[i]``: from normalised offset ``norm_starts[i]`` on, the
    normalised text copies the raw text from ``raw_starts[i]`` on, until the next breakpoint.
    """

    norm_starts: tuple[int, ...]
    raw_starts: tuple[int, ...]
    raw_length: int

    def to_raw(self, pos: int) -> int:
        i = bisect.bisect_right(self.norm_starts, pos) - 1
        return min(self.raw_starts[i] + (pos - self.norm_starts[i]), self.raw_length)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    text: str
    offsets: OffsetMap

    def to_raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw (start, end) for the normalised span; ``end`` maps from the last character."""
        if end <= start:
            raw = self.offsets.to_raw(start)
            return raw, raw
        first = self.offsets.to_raw(start)
        # a character NFC added at the very end maps onto the last raw one, never past the text
        return first, max(first, min(self.offsets.to_raw(end - 1) + 1, self.offsets.raw_length))


class _Builder:
    """Accumulates output pieces and the breakpoints of the offset map."""

    def __init__(self, raw_length: int) -> None:
        self.pieces: list[str] = []
        self.norm_starts: list[int] = [0]
        self.raw_starts: list[int] = [0]
        self.length = 0
        self.raw_length = raw_length

    def copy(self, text: str, raw_start: int) -> None:
        if not text:
            return
        if self.raw_starts[-1] + (self.length - self.norm_starts[-1]) != raw_start:
            self._breakpoint(raw_start)
        self.pieces.append(text)
        self.length += len(text)

    def emit(self, text: str, raw_start: int) -> None:
        """Output ``text`` whose every character maps to ``raw_start`` (a replacement)."""
        for ch in text:
            self._breakpoint(raw_start)
            self.pieces.append(ch)
            self.length += 1
        # the next copied character re-anchors itself

    def _breakpoint(self, raw_start: int) -> None:
        if self.norm_starts[-1] == self.length:
            self.raw_starts[-1] = raw_start
        else:
            self.norm_starts.append(self.length)
            self.raw_starts.append(raw_start)

    def result(self) -> NormalizedText:
        return NormalizedText(
            "".join(self.pieces),
            OffsetMap(tuple(self.norm_starts), tuple(self.raw_starts), self.raw_length),
        )


def normalize(raw: str) -> NormalizedText:
    """Normalise ``raw`` (see the module docstring); never raises on any string."""
    mapped = raw.translate(_CHAR_MAP)
    builder = _Builder(len(raw))
    pos = 0
    for match in _EDIT_RE.finditer(mapped):
        if match.lastgroup == "hyphen" and not mapped[match.end()].islower():
            continue  # "Regner-\nBurke": a real hyphen at a line end
        builder.copy(mapped[pos : match.start()], pos)
        pos = match.end()
    builder.copy(mapped[pos:], pos)
    stage1 = builder.result()
    if unicodedata.is_normalized("NFC", stage1.text):
        return stage1
    return _compose(stage1)


_MAX_CLUSTER = 32  # longer runs that keep composing (pathological input) are cut


def _changed_clusters(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` that NFC changes, each as small as NFC allows: a character with the
    marks that follow it, or characters that compose with each other (Hangul jamo, Indic
    two-part vowels), or one character NFC rewrites on its own (U+09DC -> U+09A1 U+09BC)."""
    start = 0
    nfc = unicodedata.normalize
    for i in range(1, len(text) + 1):
        if i < len(text) and i - start < _MAX_CLUSTER and (
                unicodedata.combining(text[i]) or nfc("NFC", text[start : i + 1]) != nfc("NFC", text[start:i]) + nfc("NFC", text[i])):
            continue
        if not unicodedata.is_normalized("NFC", text[start:i]):
            yield start, i
        start = i


def _compose(stage1: NormalizedText) -> NormalizedText:
    """NFC, cluster by cluster, keeping every composed character on its cluster's raw offset."""
    text = stage1.text
    builder = _Builder(stage1.offsets.raw_length)
    pos = 0
    for start, end in _changed_clusters(text):
        _copy_mapped(builder, text, pos, start, stage1.offsets)
        builder.emit(unicodedata.normalize("NFC", text[start:end]), stage1.offsets.to_raw(start))
        pos = end
    _copy_mapped(builder, text, pos, len(text), stage1.offsets)
    result = builder.result()
    if not unicodedata.is_normalized("NFC", result.text):  # rare: compositions across clusters
        return NormalizedText(unicodedata.normalize("NFC", result.text), _lossy(result))
    return result


def _copy_mapped(builder: _Builder, text: str, start: int, end: int, offsets: OffsetMap) -> None:
    """Copy text[start:end] (stage-1 coordinates), splitting at stage-1 breakpoints."""
    cuts = [p for p in offsets.norm_starts if start < p < end]
    for a, b in zip([start, *cuts], [*cuts, end]):
        builder.copy(text[a:b], offsets.to_raw(a))


def _lossy(result: NormalizedText) -> OffsetMap:
    # Only reached for pathological input where NFC merges across our clusters: lengths may
    # shift by a few characters; offsets stay within the raw text.
    return result.offsets
