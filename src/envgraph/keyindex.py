"""What a build needs to know about the actors already in the store, looked up per key.

A discovered actor carries ``skos:notation "Type|key"`` in every document graph that mentions
it (docs/rdf-contract.md). A build used to read every such key of the store before extracting
anything, so adding one file cost O(store). :class:`StoreKeys` answers the resolver's questions
one key at a time instead (each an index look-up in the store, whatever its size):

* which IRI a key names (the last of the store's rows, as the full read kept it),
* which keys an IRI carries (is an IRI already taken?),
* an actor's stored ``rdfs:label`` and ``skos:prefLabel`` per language,
* the person keys with a given initial, for the fuzzy surname match: these come from a small
  index graph, ``g:keys``, one triple per distinct person key, because no look-up by exact value
  can find "similar" surnames. The embedded store adds a document's person keys to it whenever
  it writes the document (:func:`person_keys_in`), before the document itself, so the index may
  hold keys the store no longer has (removed documents) but never lacks one; a key is always
  checked against the document graphs before it is used. Writes the store cannot follow
  (loading a file, a SPARQL update that names ``skos:notation`` or LOADs data) drop the index,
  and the next build makes it again with one read of the store (:func:`ensure_index`).

The index graph holds no entity IRIs and no ``env:`` terms (subjects and predicates are in the
``g:keys`` namespace, objects are plain literals), so queries over entities never meet it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import Literal, URIRef

from envgraph.settings import KEY_INDEX_GRAPH
from envgraph.sparqlutil import escape_string

if TYPE_CHECKING:  # pragma: no cover
    from envgraph.store import Store

NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
PERSON_PREFIX = "Person|"
INDEX_VERSION = "1"
_KEY = KEY_INDEX_GRAPH + "#personKey"
_VERSION = KEY_INDEX_GRAPH + "#version"
_NOTATION_LINE = re.compile(r'<' + re.escape(NOTATION) + r'> "(Person\|(?:[^"\\]|\\.)*)"')
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def person_initial(key: str) -> str:
    """The block of a person key: ``"Person|a|aliev"`` -> ``"a"`` (the resolver compares
    surnames only between keys with the same initial)."""
    return key[len(PERSON_PREFIX):].partition("|")[0]


def _block_iri(initial: str) -> str:
    return f"{KEY_INDEX_GRAPH}#block-{quote(initial, safe='')}"


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE_RE.sub(one, text)


def person_keys_in(triples: str | Iterable[tuple[object, object, object]]) -> set[str]:
    """The person keys (``skos:notation "Person|…"``) among a document's triples, given as
    N-Triples text or as (subject, predicate, object) terms."""
    if isinstance(triples, str):
        if PERSON_PREFIX not in triples:
            return set()
        return {_unescape(m.group(1)) for m in _NOTATION_LINE.finditer(triples)}
    return {
        str(o) for _, p, o in triples
        if str(p) == NOTATION and isinstance(o, Literal) and str(o).startswith(PERSON_PREFIX)
    }


def index_ntriples(keys: Iterable[str]) -> str:
    """The triples of the index graph that list ``keys`` (N-Triples, one per key)."""
    return "".join(
        f'<{_block_iri(person_initial(k))}> <{_KEY}> "{escape_string(k)}" .\n' for k in sorted(set(keys))
    )


def has_index(store: Store) -> bool:
    """Whether the store has a complete person-key index of the current version."""
    answer = store.query(f'ASK {{ GRAPH <{KEY_INDEX_GRAPH}> {{ <{KEY_INDEX_GRAPH}> <{_VERSION}> "{INDEX_VERSION}" }} }}')
    return bool(answer.boolean)


def ensure_index(store: Store) -> bool:
    """Make the index if the store has none (one read of every key: once, after a store was
    made by an older version, loaded from a file or changed by a SPARQL update). Returns
    whether it had to be made."""
    if has_index(store):
        return False
    rows = store.query(
        f'SELECT DISTINCT ?k WHERE {{ ?e <{NOTATION}> ?k FILTER(STRSTARTS(STR(?k), "{PERSON_PREFIX}")) }}'
    ).rows
    keys = {str(r[0]) for r in rows if r[0] is not None}
    store.update(
        f"DROP SILENT GRAPH <{KEY_INDEX_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{KEY_INDEX_GRAPH}> {{\n{index_ntriples(keys)}"
        f'<{KEY_INDEX_GRAPH}> <{_VERSION}> "{INDEX_VERSION}" .\n}} }}'
    )
    return True


def has_keys(store: Store) -> bool:
    """Whether any actor in the store has a registry key (``skos:notation``): False for a new
    store, whose first build then needs no look-ups."""
    return bool(store.query(f"ASK {{ ?e <{NOTATION}> ?k }}").boolean)


_MAY_ADD_KEYS = re.compile(r"[:#]notation\b|\bLOAD\b", re.IGNORECASE)
_STRINGS = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
                      re.DOTALL)


def update_may_add_keys(sparql: str) -> bool:
    """Whether a SPARQL update may add a discovered actor's key that the index would miss: it
    names ``skos:notation`` (as a prefixed name or the full IRI) or LOADs a document; words in
    its string literals do not count. Deletions never make the index wrong (keys are checked
    before use)."""
    return bool(_MAY_ADD_KEYS.search(_STRINGS.sub('""', sparql)))


def drop_index_update() -> str:
    """The update operation that drops the index (the next build makes it again)."""
    return f"DROP SILENT GRAPH <{KEY_INDEX_GRAPH}>"


@dataclass
class StoreKeys:
    """The resolver's per-key questions, answered by look-ups in ``store`` (see the module
    docstring). Person keys per initial are read from the index once per build."""

    store: Store
    _blocks: dict[str, list[str]] = field(default_factory=dict)

    def iri(self, registry_key: str) -> str | None:
        """The IRI the store gives ``Type|key``: of several, the last in the store's order
        (the one a full read of the keys, in a dictionary, ended with)."""
        rows = self.store.query(f"SELECT DISTINCT ?e WHERE {{ ?e <{NOTATION}> ?k }}", {"k": registry_key}).rows
        return str(rows[-1][0]) if rows else None

    def keys_of(self, iri: str) -> list[str]:
        """The keys the store has for ``iri``."""
        rows = self.store.query(f"SELECT DISTINCT ?k WHERE {{ ?e <{NOTATION}> ?k }}", {"e": URIRef(iri)}).rows
        return [str(r[0]) for r in rows if r[0] is not None]

    def labels(self, iri: str) -> tuple[str | None, dict[str, str]]:
        """The actor's stored rdfs:label and its skos:prefLabel per language tag."""
        subject = {"e": URIRef(iri)}
        label_rows = self.store.query(
            "SELECT ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1", subject).rows
        label = str(label_rows[0][0]) if label_rows and label_rows[0][0] is not None else None
        prefs: dict[str, str] = {}
        for (pref,) in self.store.query(
                "SELECT DISTINCT ?p WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?p }", subject).rows:
            language = getattr(pref, "language", None)
            if pref is not None and language:
                prefs.setdefault(language, str(pref))
        return label, prefs

    def person_keys(self, initial: str) -> list[str]:
        """Every person key with this initial in the index (some may be gone from the store)."""
        keys = self._blocks.get(initial)
        if keys is None:
            rows = self.store.query(
                f"SELECT ?k WHERE {{ GRAPH <{KEY_INDEX_GRAPH}> {{ ?b <{_KEY}> ?k }} }}",
                {"b": URIRef(_block_iri(initial))},
            ).rows
            keys = self._blocks[initial] = sorted(str(r[0]) for r in rows if r[0] is not None)
        return keys

    def in_store_order(self, keys: Sequence[str]) -> list[str]:
        """``keys`` in the order the store lists keys (a full read of the store's keys met them
        in this order), for a tie of several stored actors that match one new name.

        An on-disk store lists keys in the order of their encoding, whatever else it holds, so
        the keys alone are written to a scratch store of the same kind and read back (a tenth of
        a second, whatever the store's size). An in-memory store lists them in an order of its
        own: it is asked directly, with one read of all its keys."""
        if getattr(self.store, "oxigraph", None) is not None and self.store.location != ":memory:":
            return _encoding_order(keys)
        wanted = sorted(set(keys))
        listed = ", ".join(f'"{escape_string(k)}"' for k in wanted)
        # a filter, not a join with the values: the store still scans its keys in its own order
        rows = self.store.query(f"SELECT DISTINCT ?k WHERE {{ ?e <{NOTATION}> ?k FILTER(?k IN ({listed})) }}").rows
        ordered = [str(r[0]) for r in rows if r[0] is not None]
        return ordered + [k for k in wanted if k not in set(ordered)]

    def document_keys(self, doc_id: str) -> list[str]:
        """The keys in the stored graph(s) of ``doc_id`` (read before the document is replaced,
        so that what it said stays known to this build)."""
        rows = self.store.query(
            "SELECT DISTINCT ?k WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/identifier> ?id . "
            f"?e <{NOTATION}> ?k }} FILTER(?g != <{KEY_INDEX_GRAPH}>) }}",
            {"id": Literal(doc_id)},
        ).rows
        return [str(r[0]) for r in rows if r[0] is not None]


def _encoding_order(keys: Sequence[str]) -> list[str]:
    """The order in which an on-disk pyoxigraph store lists these keys as objects of one
    predicate: that of a scratch store holding nothing else (the same index, the same encoding)."""
    import gc
    import tempfile

    import pyoxigraph as ox

    predicate, graph = ox.NamedNode(NOTATION), ox.NamedNode(KEY_INDEX_GRAPH + "#order")
    with tempfile.TemporaryDirectory(prefix="envgraph-order-") as folder:
        scratch = ox.Store(folder)
        scratch.extend([ox.Quad(ox.NamedNode(f"{KEY_INDEX_GRAPH}#k{n}"), predicate, ox.Literal(k), graph)
                        for n, k in enumerate(dict.fromkeys(keys))])
        ordered = [str(q.object.value) for q in scratch.quads_for_pattern(None, predicate, None, None)]
        del scratch
        gc.collect()  # close RocksDB before its folder goes
    return list(dict.fromkeys(ordered))
