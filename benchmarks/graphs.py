"""Contract-shaped graphs of any size, made of envgraph's own output.

A slice of the synthetic corpus is built with ``envgraph build``; its quads are grouped by
document graph and become a template in which every document id (in IRIs and literals) and
every discovered actor's IRI carries a replica tag. A graph of N quads is whole document graphs
of successive replicas until N is reached: new documents, sentences and facts in every replica,
discovered actors renamed per replica (the archive grows new people and projects), lexicon
actors shared by all (the same countries and agencies recur, as in a real archive).

By default a renamed actor keeps its key (``skos:notation``), so every replica's actor shares
it: fine for queries, but not the store envgraph builds, where one key names one actor. With
``distinct_keys`` the keys are renamed too, except in the first replica, which stays the base
corpus as built: new documents then meet their actors once, under their own keys
(the incremental benchmark adds documents to such a store).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.context import Context
from envgraph.settings import KEY_INDEX_GRAPH

_DOC_ID_RE = re.compile(r"(\d{6}_[a-z_]+\.txt)")
_ENTITY_RE = re.compile(r"<(https://w3id\.org/envgraph/entity/[^>]+)>")
_PLACEHOLDER = "@@"
_KEY_PLACEHOLDER = "@@K"  # at the end of a discovered actor's key
_NOTATION_RE = re.compile(r'(<http://www\.w3\.org/2004/02/skos/core#notation> "(?:[^"\\]|\\.)*)"')


def discovered_entities(store_path: Path) -> set[str]:
    """Actors found by discovery (they carry skos:notation), as opposed to lexicon actors."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    rows = store.query("SELECT DISTINCT ?e WHERE { ?e <http://www.w3.org/2004/02/skos/core#notation> ?k }",
                       use_default_graph_as_union=True)
    return {row[0].value for row in rows}


def tag_line(line: str, discovered: set[str]) -> str:
    """One N-Quads line with the replica placeholder before document ids and after discovered
    actors' IRIs."""
    line = _DOC_ID_RE.sub(_PLACEHOLDER + r"-\1", line)
    line = _NOTATION_RE.sub(r'\1' + _KEY_PLACEHOLDER + '"', line)

    def rename(match: re.Match[str]) -> str:
        iri = match.group(1)
        return f"<{iri}-{_PLACEHOLDER}>" if iri in discovered else match.group(0)

    return _ENTITY_RE.sub(rename, line)


@dataclass(frozen=True, slots=True)
class GraphFactory:
    """Document graphs of a built corpus slice, ready to be replicated."""

    chunks: tuple[tuple[str, int], ...]  # (tagged N-Quads of one named graph, quads)
    documents: int

    @property
    def quads(self) -> int:
        return sum(n for _, n in self.chunks)

    def _pieces(self, target: int) -> Iterator[tuple[str, int]]:
        written = 0
        for text, n in replicas(self.chunks):
            if written >= target:
                return
            yield text, n
            written += n

    def write(self, target: int, out: Path) -> int:
        """Write at least ``target`` quads (whole document graphs) as N-Quads; returns how many."""
        total = 0
        with out.open("w", encoding="utf-8") as handle:
            for text, n in self._pieces(target):
                handle.write(text)
                total += n
        return total

    def save(self, out: Path) -> None:
        """The tagged document graphs as JSON lines, for :func:`replicas` in another process."""
        with out.open("w", encoding="utf-8") as handle:
            for text, n in self.chunks:
                handle.write(json.dumps({"text": text, "quads": n}, ensure_ascii=False) + "\n")

    def documents_in(self, quads: int) -> int:
        """How many documents a graph of ``quads`` quads written by :meth:`write` holds."""
        return round(quads / self.quads * self.documents)


def read_chunks(path: Path) -> tuple[tuple[str, int], ...]:
    """The document graphs written by :meth:`GraphFactory.save`."""
    with path.open(encoding="utf-8") as handle:
        return tuple((row["text"], int(row["quads"])) for row in map(json.loads, handle))


def replicas(chunks: Sequence[tuple[str, int]], *, distinct_keys: bool = False) -> Iterator[tuple[str, int]]:
    """Document graphs (N-Quads text, quads) of replica 0, 1, 2, … of ``chunks``, endlessly."""
    replica = 0
    while True:
        keys = "" if not distinct_keys or replica == 0 else f" r{replica}"
        for text, n in chunks:
            yield text.replace(_KEY_PLACEHOLDER, keys).replace(_PLACEHOLDER, f"r{replica}"), n
        replica += 1


def graph_factory(ctx: Context, docs: int) -> GraphFactory:
    """Build the first ``docs`` documents (once per run) and make a factory of their graphs."""
    key = f"graph_factory_{docs}"
    cached = ctx.shared.get(key)
    if isinstance(cached, GraphFactory):
        return cached
    import pyoxigraph as ox

    from benchmarks.bench_build import run_build

    ctx.corpus(docs if docs % 1000 == 0 or ctx.quick else 1000)
    store_path = ctx.work / f"base-{docs}"
    built, error = run_build(ctx.folders(docs), store_path)
    if built is None:
        raise RuntimeError(f"cannot build the base graph of {docs} documents: {error}")
    discovered = discovered_entities(store_path)
    store = ox.Store.read_only(str(store_path))
    by_graph: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == KEY_INDEX_GRAPH:
            continue  # the person-key index is the store's bookkeeping, not a document
        line = ox.serialize([quad], format=ox.RdfFormat.N_QUADS).decode("utf-8")
        if _PLACEHOLDER in line:
            raise ValueError("the base graph contains '@@'; choose another placeholder")
        by_graph.setdefault(str(quad.graph_name), []).append(tag_line(line, discovered))
    chunks = tuple(("".join(lines), len(lines)) for _g, lines in sorted(by_graph.items()))
    factory = GraphFactory(chunks, built.docs)
    ctx.shared[key] = factory
    return factory
