"""One document prepared for the extractors: normalised text, lines, sentences, tokens and keys.

Built once per document and shared, read-only, by the mention, relation and date extractors, so
that tokenising and stemming happen once.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from envgraph.keys import Token, skeleton, stem, tokenize
from envgraph.langdata import LanguageData
from envgraph.model import Document, Segment
from envgraph.normalize import NormalizedText, normalize
from envgraph.segment import paragraphs, sentences


# a web address in running text, without trailing punctuation ("... see www.unops.org.")
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'»)\]]+[^\s<>\"'»)\].,;:]")

@dataclass(frozen=True, slots=True)
class TextView:
    document: Document
    norm: NormalizedText
    paragraphs: list[Segment]
    sentences: list[Segment]
    tokens: list[Token]
    keys: list[str]  # stemmed key of each token, in the language of its paragraph
    skeletons: list[str]  # unstemmed folded form of each token
    langs: list[str]  # language of each token's paragraph
    sentence_of_token: list[int]  # index into sentences, -1 if none
    token_starts: list[int]
    sentence_starts: list[int]

    @property
    def text(self) -> str:
        return self.norm.text

    def token_range(self, start: int, end: int) -> range:
        """Indices of the tokens inside the normalised span [start, end)."""
        lo = bisect.bisect_left(self.token_starts, start)
        hi = bisect.bisect_left(self.token_starts, end)
        while hi > lo and self.tokens[hi - 1].end > end:
            hi -= 1
        return range(lo, hi)

    def sentence_at(self, pos: int) -> int:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        if i >= 0 and self.sentences[i].start <= pos < self.sentences[i].end:
            return i
        return -1


def build_view(document: Document, data: LanguageData) -> TextView:
    norm = normalize(document.content)
    text = norm.text
    paras = paragraphs(text, data)
    sents = sentences(text, paras, data)
    tokens = tokenize(text)
    para_starts = [p.start for p in paras]
    sent_starts = [s.start for s in sents]
    langs: list[str] = []
    keys: list[str] = []
    skels: list[str] = []
    sentence_of: list[int] = []
    folded: dict[tuple[str, str], tuple[str, str]] = {}  # words recur: fold and stem each once
    for token in tokens:
        p = bisect.bisect_right(para_starts, token.start) - 1
        lang = paras[p].lang if p >= 0 else "en"
        hit = folded.get((token.text, lang))
        if hit is None:
            skel = skeleton(token.text, data)
            hit = folded[(token.text, lang)] = (skel, stem(skel, lang, data))
        langs.append(lang)
        skels.append(hit[0])
        keys.append(hit[1])
        s = bisect.bisect_right(sent_starts, token.start) - 1
        sentence_of.append(s if s >= 0 and token.start < sents[s].end else -1)
    return TextView(
        document, norm, paras, sents, tokens, keys, skels, langs, sentence_of,
        [t.start for t in tokens], sent_starts,
    )
