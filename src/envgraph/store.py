"""The graph store: one narrow protocol, two backends.

* :class:`EmbeddedStore` — pyoxigraph (RocksDB) on disk, created on first use; ``":memory:"``
  gives a throw-away in-memory store (tests, notebooks).
* :class:`RemoteStore` — any SPARQL 1.1 server over HTTP (Oxigraph, Fuseki, GraphDB, Virtuoso,
  QLever), tested against Oxigraph.

Choose with :func:`open_store`: a path (or ``None`` for :func:`settings.default_store_location`)
opens the embedded store, an ``http(s)://`` URL the remote one.

Design choices, stated once:

* Every document lives in its own named graph (see docs/rdf-contract.md). The query default graph
  is the *union* of all graphs (pyoxigraph ``use_default_graph_as_union``; for an Oxigraph server
  its ``union-default-graph`` parameter; other servers must be configured so, see
  :class:`RemoteStore`).
* A document is replaced by ONE SPARQL update (delete its old graph, drop ``g:inferred``, insert
  the new triples). Both pyoxigraph and Oxigraph run an update request as one transaction, so a
  crash leaves the document fully in or fully out. The inferred graph is dropped with it because
  entailments of the old triples would otherwise linger: run ``envgraph reason`` after a build.
* Bookkeeping: the document node in the document's own graph carries ``dcterms:identifier`` (the
  doc id) and ``env:sha256``, exactly as the contract describes it. :meth:`replace_document` makes
  sure these two triples are there, and :meth:`document_hashes` reads them back.
* Bindings are bound by a ``VALUES`` block placed first in the WHERE group, every value
  serialised as an escaped RDF term (:func:`sparqlutil.sparql_term`), on both backends. Not with
  pyoxigraph's ``substitutions=``: pyoxigraph 0.5 refuses to substitute a variable that is not in
  the SELECT projection, and one mechanism gives the same semantics on both backends.
* Query rows are tuples of rdflib terms (``URIRef``, ``Literal``, ``BNode``) or ``None`` for
  unbound variables: lossless, and ``.toPython()`` is one call away. ``to_dataframe`` converts to
  Python values.
* Concurrency (embedded): a writer holds an exclusive ``flock`` on ``<store>.lock`` next to the
  store directory; read-only opens hold a shared one. The kernel releases flocks when a process
  dies, so a killed build never leaves a stale lock. pyoxigraph's ``Store.read_only`` lets any
  number of processes read while nobody writes; reading while another process writes is undefined
  behaviour in RocksDB, which is why readers and a writer exclude each other. A read-only store
  sees the data as of the moment it was opened.
"""

from __future__ import annotations

import csv
import fcntl
import io
import itertools
import re
import json
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal as TypingLiteral, Protocol, Self, runtime_checkable
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from envgraph import index as summary
from envgraph import keyindex, settings
from envgraph.errors import InputError, QueryError, StoreError
from envgraph.vocab import DCTERMS, ENV
from envgraph.sparqlutil import (
    DEFAULT_PREFIXES,
    bind_with_values,
    check_variable,
    from_ox,
    is_valid_iri,
    json_term,
    prefix_block,
    sparql_term,
    to_node,
    to_ox,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, Node | None]

ENV_SHA256 = ENV.sha256
INFERRED = URIRef(settings.INFERRED_GRAPH)
INDEX = URIRef(settings.INDEX_GRAPH)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MEMORY = ":memory:"


# --- formats ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RdfFormatInfo:
    """One RDF serialisation: its pyoxigraph format, media type and whether it holds graphs."""

    name: str
    ox_format: ox.RdfFormat
    datasets: bool
    suffixes: tuple[str, ...]


RDF_FORMATS: dict[str, RdfFormatInfo] = {
    "trig": RdfFormatInfo("trig", ox.RdfFormat.TRIG, True, (".trig",)),
    "nquads": RdfFormatInfo("nquads", ox.RdfFormat.N_QUADS, True, (".nq", ".nquads")),
    "turtle": RdfFormatInfo("turtle", ox.RdfFormat.TURTLE, False, (".ttl", ".turtle")),
    "ntriples": RdfFormatInfo("ntriples", ox.RdfFormat.N_TRIPLES, False, (".nt",)),
    "jsonld": RdfFormatInfo("jsonld", ox.RdfFormat.JSON_LD, True, (".jsonld", ".json")),
    "rdfxml": RdfFormatInfo("rdfxml", ox.RdfFormat.RDF_XML, False, (".rdf", ".owl", ".xml")),
}


def rdf_format(name: str | None, path: Path | str | None = None) -> RdfFormatInfo:
    """Look up a format by name (``trig``, ``nquads``, …) or, when ``name`` is None, by suffix."""
    if name:
        key = name.lower().replace("-", "").replace("_", "")
        aliases = {"ttl": "turtle", "nq": "nquads", "nt": "ntriples", "json": "jsonld", "xml": "rdfxml"}
        key = aliases.get(key, key)
        if key in RDF_FORMATS:
            return RDF_FORMATS[key]
        raise InputError(f"unknown RDF format {name!r}; use one of {', '.join(RDF_FORMATS)}")
    if path is not None:
        suffix = Path(path).suffix.lower()
        for info in RDF_FORMATS.values():
            if suffix in info.suffixes:
                return info
        raise InputError(f"cannot tell the RDF format of {path} from its suffix; pass --format")
    raise InputError("no RDF format given")


# --- results ---------------------------------------------------------------------------------


def _plain(node: Node | None) -> str:
    """A term as a table cell: IRIs and literals as their text, unbound as empty."""
    return "" if node is None else str(node)


def _python(node: Node | None) -> object:
    if node is None:
        return None
    if isinstance(node, Literal):
        value = node.toPython()
        return str(node) if isinstance(value, Literal) else value
    return str(node)


_json_term = json_term  # one serialisation of terms, shared with the other result writers


@dataclass(slots=True)
class QueryResult:
    """The answer to a query.

    ``kind`` is ``"select"`` (``vars`` and ``rows``), ``"ask"`` (``boolean``) or ``"graph"``
    (CONSTRUCT/DESCRIBE: ``graph``, and ``rows`` as subject/predicate/object tuples). Rows hold
    rdflib terms, ``None`` where a variable is unbound.
    """

    vars: list[str]
    rows: list[tuple[Node | None, ...]]
    kind: TypingLiteral["select", "ask", "graph"] = "select"
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def as_dicts(self) -> list[dict[str, Node | None]]:
        """Rows as ``{var: term}`` dictionaries."""
        return [dict(zip(self.vars, row)) for row in self.rows]

    def column(self, var: str) -> list[Node | None]:
        """All values of one variable, in row order."""
        index = self.vars.index(var)
        return [row[index] for row in self.rows]

    def to_dataframe(self) -> pandas.DataFrame:
        """A pandas DataFrame: IRIs as strings, literals as Python values (dates as ``date``…)."""
        try:
            import pandas
        except ImportError as err:  # pragma: no cover - pandas is a dev dependency
            raise QueryError(
                "to_dataframe() needs pandas: pip install 'envgraph[pandas]'"
            ) from err
        return pandas.DataFrame(
            [[_python(v) for v in row] for row in self.rows], columns=list(self.vars)
        )

    def to_csv(self, output: IO[str] | None = None) -> str:
        """CSV with a header row (the SPARQL 1.1 CSV results format: values as plain text)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if self.kind == "ask":
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
        else:
            writer.writerow(self.vars)
            writer.writerows([_plain(v) for v in row] for row in self.rows)
        text = buffer.getvalue()
        if output is not None:
            output.write(text)
        return text

    def to_json(self) -> str:
        """The SPARQL 1.1 Query Results JSON format (readable by any SPARQL client)."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)})
        bindings = [
            {var: _json_term(v) for var, v in zip(self.vars, row) if v is not None}
            for row in self.rows
        ]
        return json.dumps(
            {"head": {"vars": self.vars}, "results": {"bindings": bindings}}, ensure_ascii=False
        )


@dataclass(frozen=True, slots=True)
class RemovalReport:
    """What ``remove_document`` dropped."""

    doc_id: str
    graphs: tuple[str, ...]
    triples_removed: int
    entities_removed: tuple[str, ...]  # entities no other graph mentions any more
    entities_kept: int  # entities the document mentioned that other documents still mention
    inferred_dropped: bool


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One document in the store: its id, graph, content hash and size."""

    doc_id: str
    graph_iri: str
    sha256: str
    triples: int


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    """One document's named graph as the build writes it (:meth:`Store.replace_documents`).

    ``ntriples`` is N-Triples text as :func:`envgraph.emit.emit_ntriples` writes it: one triple a
    line, every line ending in `` .\n``, including the document's ``dcterms:identifier`` and
    ``env:sha256``."""

    doc_id: str
    graph_iri: str
    ntriples: str
    sha256: str


# --- the protocol ----------------------------------------------------------------------------


@runtime_checkable
class Store(Protocol):
    """What the rest of envgraph needs from a store. Both backends implement exactly this."""

    location: str
    read_only: bool

    def replace_document(
        self, doc_id: str, graph_iri: str, triples: Iterable[Triple] | str, sha256: str
    ) -> None: ...

    def replace_documents(self, documents: Sequence[DocumentGraph]) -> None: ...

    def remove_document(self, doc_id: str) -> RemovalReport: ...

    def refresh_index(self, *, full: bool = False) -> summary.IndexReport: ...

    def document_hashes(self, doc_ids: Iterable[str] | None = None) -> dict[str, str]: ...

    def documents(self) -> list[DocumentInfo]: ...

    def query(
        self, sparql: str, bindings: Mapping[str, Node | str] | None = None
    ) -> QueryResult: ...

    def update(self, sparql: str) -> None: ...

    def dataset(self) -> Dataset: ...

    def load_file(
        self, path: Path | str, format: str | None = None, *, graph: str | None = None
    ) -> int: ...

    def dump(self, output: Path | str | IO[bytes], format: str = "trig") -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


# --- shared SPARQL logic ---------------------------------------------------------------------

_HASHES_QUERY = """
SELECT ?id ?sha ?g WHERE {
  GRAPH ?g { ?doc dcterms:identifier ?id ; env:sha256 ?sha }
  FILTER(?g != g:inferred)
}"""

_HASHES_OF_QUERY = """
SELECT ?id ?sha WHERE {{
  {values}
  GRAPH ?g {{ ?doc dcterms:identifier ?id ; env:sha256 ?sha }}
  FILTER(?g != g:inferred)
}}"""

_GRAPHS_OF_DOC = """
SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?doc dcterms:identifier ?id ; env:sha256 ?sha }
  FILTER(?g != g:inferred)
}"""

_COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


_DERIVED_RE = re.compile(
    r"\bg:(inferred|index)\b|" + re.escape(settings.INFERRED_GRAPH) + "|" + re.escape(settings.INDEX_GRAPH)
)


def _entity_filter() -> str:
    return f'FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{settings.ENTITY_BASE}"))'


class _SparqlStore:
    """Logic both backends share; each implements the hooks ``_run_query``, ``_run_update``,
    ``_quads`` and ``close`` (abstract here: they raise NotImplementedError)."""

    location: str
    read_only: bool

    # backend hooks -----------------------------------------------------------------------
    def _run_query(self, sparql: str, bindings: Mapping[str, Node]) -> QueryResult:
        raise NotImplementedError

    def _run_update(self, sparql: str) -> None:
        raise NotImplementedError

    def _quads(self) -> Iterator[Quad]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Write to disk what the store holds in memory (a no-op here; see EmbeddedStore)."""

    # public API ---------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Node | str] | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all graphs. ``bindings`` maps variable names
        to values (rdflib terms; a plain ``str`` becomes an ``xsd:string`` literal); they are
        bound as terms, never pasted. The contract's prefixes (env:, ent:, skos:, …) are
        predeclared."""
        bound = {check_variable(k): to_node(v) for k, v in (bindings or {}).items()}
        return self._run_query(sparql, bound)

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update (one transaction). The contract's prefixes are predeclared.

        An update that names ``g:inferred`` or ``g:index`` is taken to maintain those derived
        graphs (as envgraph's reasoner and index do); any other may have changed document
        graphs behind the summary index's back, so it marks the index stale in the same
        transaction, and the next refresh (``close()``, a named query on a writable store,
        ``envgraph reindex``) rebuilds it. An update that may add discovered actors' keys (it
        names ``skos:notation`` or LOADs data) also drops the person-key index, in the same
        transaction; the next build makes it again (see :mod:`envgraph.keyindex`)."""
        self._check_writable()
        text = prefix_block() + sparql
        if not _DERIVED_RE.search(sparql):
            text = text.rstrip().rstrip(";") + " ;\n" + summary.STALE_SPARQL
        if keyindex.update_may_add_keys(sparql):
            text = text.rstrip().rstrip(";") + " ;\n" + keyindex.drop_index_update()
        self._run_update(text)

    def refresh_index(self, *, full: bool = False) -> summary.IndexReport:
        """Bring the summary index ``g:index`` up to date (see :mod:`envgraph.index`):
        recompute the entities that writes marked pending, or everything when ``full`` or when
        the store has no index of this version yet."""
        self._check_writable()
        return summary.refresh_index(self, full=full)

    def _refresh_before_close(self) -> None:
        """A writer leaves a fresh index behind: refresh it if writes left entities pending."""
        if self.read_only:
            return
        try:
            if not summary.index_state(self).fresh:
                summary.refresh_index(self)
        except (StoreError, QueryError) as err:  # the store stays usable: queries ask for a reindex
            import logging

            logging.getLogger(__name__).warning("could not refresh the summary index: %s", err)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"store {self.location} is open read-only; this needs write access")

    def replace_document(
        self, doc_id: str, graph_iri: str, triples: Iterable[Triple] | str, sha256: str
    ) -> None:
        """Replace the document's named graph by ``triples`` in one transaction.

        ``triples`` may also be N-Triples text (the build's fast path, from
        :func:`envgraph.emit.emit_ntriples`), which must include the document's
        ``dcterms:identifier`` and ``env:sha256``.

        Any graph holding an older version of ``doc_id`` (found by its bookkeeping triples) and
        ``g:inferred`` are dropped in the same update, which also marks the entities of the old
        and the new version pending in the summary index (:mod:`envgraph.index`); the index is
        brought up to date by :meth:`refresh_index` (a build, ``close()`` and the named queries
        call it).
        """
        self._check_writable()
        graph = URIRef(graph_iri)
        id_term = sparql_term(Literal(doc_id))
        g = sparql_term(graph)
        if isinstance(triples, str):
            lines = triples  # N-Triples text from emit_ntriples, which carries id and hash
        else:
            body = _with_bookkeeping(doc_id, list(triples), sha256)
            lines = "\n".join(
                f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in body
            )
        self._run_update(
            prefix_block()
            + summary.mark_document_sparql(id_term)
            + f" ;\n{summary.mark_graph_sparql(g)} ;\n"
            + "DELETE { GRAPH ?old { ?s ?p ?o } } WHERE {\n"
            + f"  GRAPH ?old {{ ?d dcterms:identifier {id_term} ; env:sha256 ?h . ?s ?p ?o }}\n"
            + "  FILTER(?old != g:inferred && ?old != g:index)\n} ;\n"
            + f"DROP SILENT GRAPH {g} ;\nDROP SILENT GRAPH g:inferred ;\n"
            + f"INSERT DATA {{ GRAPH {g} {{\n{lines}\n}} }} ;\n"
            + summary.mark_added_sparql(g)
        )

    def replace_documents(self, documents: Sequence[DocumentGraph]) -> None:
        """Replace several documents, in order. After a crash each of them is fully in or
        fully out. Here one :meth:`replace_document` (one transaction) each; the embedded store
        writes a whole batch at once."""
        for doc in documents:
            self.replace_document(doc.doc_id, doc.graph_iri, doc.ntriples, doc.sha256)

    def document_hashes(self, doc_ids: Iterable[str] | None = None) -> dict[str, str]:
        """``{doc_id: sha256}`` for every document in the store, or only for ``doc_ids`` (those
        not in the store are left out). Given ids are looked up by value, so the cost follows
        their number, not the store's size: a build asks only for the files it reads."""
        if doc_ids is None:
            return {str(r[0]): str(r[1]) for r in self.query(_HASHES_QUERY).rows}
        ids = list(dict.fromkeys(doc_ids))
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            values = "VALUES ?id { " + " ".join(sparql_term(Literal(i)) for i in ids[start : start + 500]) + " }"
            rows = self.query(_HASHES_OF_QUERY.format(values=values)).rows
            out.update((str(r[0]), str(r[1])) for r in rows)
        return out

    def documents(self) -> list[DocumentInfo]:
        """Every document with its graph, hash and number of triples, sorted by id."""
        counts = {str(r[0]): int(r[1]) for r in self.query(_COUNT_PER_GRAPH).rows}  # type: ignore[arg-type]
        out = [
            DocumentInfo(str(r[0]), str(r[2]), str(r[1]), counts.get(str(r[2]), 0))
            for r in self.query(_HASHES_QUERY).rows
        ]
        return sorted(out, key=lambda d: d.doc_id)

    def remove_document(self, doc_id: str) -> RemovalReport:
        """Drop the document's graph (and ``g:inferred``, now stale).

        Entities exist only through the triples of document graphs, so an entity that no other
        document mentions disappears with the graph (and from the summary index, refreshed
        here); the report lists them.
        """
        self._check_writable()
        graphs = [
            r[0] for r in self.query(_GRAPHS_OF_DOC, {"id": Literal(doc_id)}).rows if r[0] is not None
        ]
        if not graphs:
            raise InputError(
                f"document {doc_id!r} is not in the store {self.location}; "
                "`envgraph documents` lists the documents it holds"
            )
        values = "VALUES ?g { " + " ".join(sparql_term(g) for g in graphs) + " }"
        count = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}")
        triples_removed = int(count.rows[0][0]) if count.rows else 0  # type: ignore[arg-type]
        mentioned = {
            r[0]
            for r in self.query(
                f"SELECT DISTINCT ?e WHERE {{ {values} GRAPH ?g {{ {{ ?e ?p ?o }} UNION "
                f"{{ ?s ?p ?e }} }} {_entity_filter()} }}"
            ).rows
        }
        had_inferred = bool(self.query("ASK { GRAPH g:inferred { ?s ?p ?o } }").boolean)
        marks = [summary.mark_graph_sparql(sparql_term(g)) for g in graphs]
        drops = [f"DROP GRAPH {sparql_term(g)}" for g in graphs]
        self._run_update(prefix_block() + " ;\n".join([*marks, *drops, "DROP SILENT GRAPH g:inferred"]))
        summary.refresh_if_indexed(self)
        still = _still_mentioned(self, sorted(mentioned, key=str))
        gone = tuple(sorted(str(e) for e in mentioned if e not in still))
        return RemovalReport(
            doc_id=doc_id,
            graphs=tuple(str(g) for g in graphs),
            triples_removed=triples_removed,
            entities_removed=gone,
            entities_kept=len(mentioned) - len(gone),
            inferred_dropped=had_inferred,
        )

    def dataset(self) -> Dataset:
        """A copy of everything as an in-memory rdflib Dataset (one graph per named graph;
        ``default_union`` on), without the summary index ``g:index`` (derived data). A snapshot:
        changing it does not change the store."""
        ds = Dataset(default_union=True)
        graphs: dict[Node, Graph] = {}
        for s, p, o, g in self._quads():
            if g == INDEX:
                continue  # derived: recomputed wherever the data goes
            if g is None:
                ds.default_graph.add((s, p, o))
                continue
            target = graphs.get(g)
            if target is None:
                target = graphs[g] = ds.graph(g)  # type: ignore[arg-type]
            target.add((s, p, o))
        return ds

    def load_file(
        self, path: Path | str, format: str | None = None, *, graph: str | None = None
    ) -> int:
        """Load an RDF file, replacing each named graph the file contains (one transaction).

        Triples outside named graphs (Turtle, N-Triples, RDF/XML files, or a TriG default graph)
        go to ``graph``, by default ``g:import/<file name>``. A summary index in the file
        (``g:index``) is ignored: the store's own is refreshed for the graphs loaded. Returns the
        number of quads loaded.
        """
        self._check_writable()
        source = Path(path)
        if not source.is_file():
            raise InputError(f"no such file: {source}")
        info = rdf_format(format, source)
        target = URIRef(graph or settings.GRAPH_BASE + "import/" + quote(source.name, safe=""))
        try:
            parsed = list(ox.parse(path=str(source), format=info.ox_format))
        except (SyntaxError, ValueError, OSError) as err:
            raise InputError(f"{source}: cannot parse as {info.name}: {err}") from err
        by_graph: dict[Node, list[Triple]] = {}
        skipped = 0
        for quad in parsed:
            g = (
                target
                if isinstance(quad.graph_name, ox.DefaultGraph)
                else from_ox(quad.graph_name)
            )
            if g == INDEX:
                skipped += 1  # derived data of another store: recomputed below
                continue
            by_graph.setdefault(g, []).append(
                (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
            )
        marks = [summary.mark_graph_sparql(sparql_term(g)) for g in by_graph]
        parts = [*marks, *(f"DROP SILENT GRAPH {sparql_term(g)}" for g in by_graph)]
        for g, triples in by_graph.items():
            lines = "\n".join(
                f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in triples
            )
            parts.append(f"INSERT DATA {{ GRAPH {sparql_term(g)} {{\n{lines}\n}} }}")
        parts.extend(marks)
        # the file may bring keys of discovered actors (or a person-key index of another store):
        # drop the key index, last, rather than let it miss them; the next build makes it again
        parts.append(keyindex.drop_index_update())
        if by_graph:
            self._run_update(prefix_block() + " ;\n".join(parts))
            summary.refresh_if_indexed(self)
        return len(parsed) - skipped

    def dump(self, output: Path | str | IO[bytes], format: str = "trig") -> None:
        """Write the store. Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs;
        triple formats (Turtle, N-Triples, RDF/XML) write the union of all graphs, flattened.
        The summary index (``g:index``, derived data) is not written."""
        info = rdf_format(format)
        if info.datasets:
            quads: Iterable[ox.Quad] = (
                ox.Quad(
                    to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph() if g is None else to_ox(g)
                )
                for s, p, o, g in self._quads()
                if g != INDEX
            )
            data: Iterable[ox.Quad] | Iterable[ox.Triple] = list(quads)
        else:
            data = sorted(
                {
                    ox.Triple(to_ox(s), to_ox(p), to_ox(o))
                    for s, p, o, g in self._quads()
                    if g != INDEX
                },
                key=str,
            )
        prefixes = _dump_prefixes(info.name)
        try:
            if isinstance(output, (str, Path)):
                Path(output).parent.mkdir(parents=True, exist_ok=True)
                with open(output, "wb") as stream:
                    ox.serialize(data, stream, info.ox_format, prefixes=prefixes)
            else:
                ox.serialize(data, output, info.ox_format, prefixes=prefixes)
        except OSError as err:
            raise StoreError(f"cannot write {output}: {err}") from err

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _dump_prefixes(format_name: str) -> dict[str, str] | None:
    """Prefixes for TriG/Turtle output. doc:, ent: and g: are left out: their local names would
    need backslash escapes (#, =, /), so those IRIs are clearer written whole."""
    if format_name not in ("trig", "turtle"):
        return None
    return {k: v for k, v in DEFAULT_PREFIXES.items() if k not in ("doc", "ent", "g", "idx")}


def _with_bookkeeping(doc_id: str, triples: list[Triple], sha256: str) -> list[Triple]:
    """Make sure the document node says ``dcterms:identifier doc_id`` and ``env:sha256 sha256``
    (and only that hash); create a minimal document node if the triples have none."""
    doc_nodes = {
        s
        for s, p, o in triples
        if p == DCTERMS.identifier and isinstance(o, Literal) and str(o) == doc_id
    }
    if not doc_nodes:
        doc = URIRef(settings.DOC_BASE + quote(doc_id, safe=""))
        doc_nodes = {doc}
        triples = [*triples, (doc, DCTERMS.identifier, Literal(doc_id))]
    kept = [t for t in triples if not (t[1] == ENV_SHA256 and t[0] in doc_nodes)]
    return kept + [(d, ENV_SHA256, Literal(sha256)) for d in sorted(doc_nodes, key=str)]


def _still_mentioned(store: _SparqlStore, entities: Sequence[Node]) -> set[Node]:
    """The subset of ``entities`` that some graph still mentions."""
    found: set[Node] = set()
    for start in range(0, len(entities), 500):
        chunk = entities[start : start + 500]
        values = "VALUES ?e { " + " ".join(sparql_term(e) for e in chunk) + " }"
        rows = store.query(
            f"SELECT DISTINCT ?e WHERE {{ {values} GRAPH ?g {{ {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} }}"
            f" FILTER(?g != {sparql_term(INDEX)}) }}"
        ).rows
        found.update(r[0] for r in rows if r[0] is not None)
    return found


def union_graph(dataset: Dataset, *, include_inferred: bool = True) -> Graph:
    """All triples of a dataset in one rdflib Graph (the 'default graph as union' view)."""
    out = Graph()
    for name, prefix in DEFAULT_PREFIXES.items():
        out.bind(name, prefix)
    for graph in dataset.graphs():
        if not include_inferred and graph.identifier == INFERRED:
            continue
        for triple in graph:
            out.add(triple)
    return out


# --- embedded backend ------------------------------------------------------------------------


class _FileLock:
    """An ``flock`` on ``path``: exclusive for a writer (which records its pid), shared for
    readers. Released explicitly or by the kernel when the process dies."""

    def __init__(self, path: Path, *, exclusive: bool, timeout: float, store: str) -> None:
        self.path = path
        self._exclusive = exclusive
        self._handle: IO[str] | None = None
        self._acquire(exclusive, timeout, store)

    def _acquire(self, exclusive: bool, timeout: float, store: str) -> None:
        try:
            handle = open(self.path, "a+", encoding="utf-8")
        except OSError:
            if exclusive:
                raise StoreError(f"cannot create the lock file {self.path} for store {store}")
            return  # a read-only location: readers proceed without a lock
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip()
                    handle.close()
                    raise StoreError(_busy_message(store, holder, exclusive)) from None
                time.sleep(0.1)
        if exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            if self._exclusive:
                self._handle.seek(0)
                self._handle.truncate()  # no stale pid for the next reader to report
                self._handle.flush()
        finally:
            self._handle.close()  # closing the file releases the flock
            self._handle = None


def _busy_message(store: str, holder: str, exclusive: bool) -> str:
    if holder.isdigit():
        who = "this process" if int(holder) == os.getpid() else "another process"
        return (
            f"store {store} is in use by {who} (pid {holder}), which is writing to it; "
            "wait for it to finish, or use another --store"
        )
    if exclusive:
        return (
            f"store {store} is open read-only by another process; "
            "close it (queries, the web app) before writing"
        )
    return f"store {store} is in use by another process"


#: batches of fewer characters of N-Triples are written as one transaction per document
_BULK_MIN_CHARS = 512 * 2**10
_FLUSH_EVERY = 8 * 2**20  # characters of N-Triples written between two flushes
# Triples a bulk load may carry: pyoxigraph's loader ingests up to 1,000,000 quads in one atomic
# step and splits bigger inputs; a batch stays well below, so that a document is never split.
_BULK_MAX_LINES = 400_000


def _one_triple_a_line(ntriples: str) -> bool:
    """True for N-Triples text whose every line ends in `` .\n`` (as emit_ntriples writes it):
    then appending the graph name to each line turns it into N-Quads."""
    return ntriples.endswith(" .\n") and ntriples.count("\n") == ntriples.count(" .\n")


def _chunks(docs: Sequence[DocumentGraph], max_lines: int) -> Iterator[list[DocumentGraph]]:
    """Consecutive runs of whole documents of at most ``max_lines`` triples (at least one)."""
    chunk: list[DocumentGraph] = []
    lines = 0
    for doc in docs:
        n = doc.ntriples.count("\n")
        if chunk and lines + n > max_lines:
            yield chunk
            chunk, lines = [], 0
        chunk.append(doc)
        lines += n
    if chunk:
        yield chunk


def _create_store(path: Path) -> None:
    """Create an empty store at ``path`` in one step. RocksDB writes a new database as several
    files, and a process killed half-way leaves a folder no later open accepts; so the store is
    made in a scratch folder beside it and renamed into place. The caller holds the store's
    exclusive lock, so a scratch folder left by a killed process can be cleared."""
    scratch = path.with_name(f".{path.name}.creating")
    shutil.rmtree(scratch, ignore_errors=True)
    created = ox.Store(str(scratch))
    created.flush()
    del created  # closes the database
    os.rename(scratch, path)


class EmbeddedStore(_SparqlStore):
    """pyoxigraph on disk (or in memory for ``":memory:"``)."""

    #: :meth:`replace_documents` writes smaller batches (characters of N-Triples) as one
    #: transaction per document rather than through the bulk loader
    bulk_min_chars: int = _BULK_MIN_CHARS

    def __init__(
        self, location: Path | str, *, read_only: bool = False, lock_timeout: float = 0.0
    ) -> None:
        self.location = str(location)
        self.read_only = read_only
        self._lock: _FileLock | None = None
        self._unflushed = 0
        if self.location == MEMORY:
            self._store: ox.Store | None = ox.Store()
            return
        path = Path(location)
        lock_path = path.with_name(path.name + ".lock")
        if read_only:
            if not path.is_dir():
                raise StoreError(
                    f"no store at {path}; build one first (`envgraph build FOLDER`) "
                    "or point --store / $ENVGRAPH_STORE at an existing store"
                )
            self._lock = _FileLock(lock_path, exclusive=False, timeout=lock_timeout, store=str(path))
        else:
            if path.exists() and not path.is_dir():
                raise StoreError(f"store location {path} exists and is not a directory")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"cannot create the store folder {path.parent}: {err}") from err
            self._lock = _FileLock(lock_path, exclusive=True, timeout=lock_timeout, store=str(path))
            if not path.exists():
                try:
                    _create_store(path)
                except (OSError, RuntimeError) as err:
                    self._release_lock()
                    raise StoreError(f"cannot create a store at {path}: {err}") from err
        try:
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except (OSError, RuntimeError) as err:  # RuntimeError: pyoxigraph's word for a damaged store
            self._release_lock()
            raise StoreError(f"cannot open the store at {path}: {err}") from err
        except RuntimeError as err:  # RocksDB: e.g. column families missing
            self._release_lock()
            hint = (" (a process was killed while it created the store: open it for writing once, "
                    "e.g. with `envgraph build`, to finish it)" if read_only and "not found" in str(err) else "")
            raise StoreError(f"cannot open the store at {path}: {err}{hint}") from err

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph Store (for oxrdflib or bulk operations)."""
        if self._store is None:
            raise StoreError(f"store {self.location} is closed")
        return self._store

    def _run_query(self, sparql: str, bindings: Mapping[str, Node]) -> QueryResult:
        store = self.oxigraph
        try:
            answer = store.query(
                bind_with_values(sparql, bindings),
                prefixes=DEFAULT_PREFIXES,
                use_default_graph_as_union=True,
            )
            return _result_from_ox(answer)
        except SyntaxError as err:
            raise QueryError(f"invalid SPARQL: {err}") from err
        except OSError as err:
            raise StoreError(f"store {self.location}: {err}") from err

    def replace_document(
        self, doc_id: str, graph_iri: str, triples: Iterable[Triple] | str, sha256: str
    ) -> None:
        """As :meth:`_SparqlStore.replace_document`; N-Triples text takes the native path: the
        old graphs are dropped, then the text is loaded in one transaction. A crash between the
        two leaves the document fully out (and the next build puts it back), never half in.

        The document's person keys go to the person-key index first (see
        :mod:`envgraph.keyindex`), so the index never lacks a key the store has."""
        self._check_writable()
        if not isinstance(triples, str):
            triples = list(triples)
            self._index_person_keys(keyindex.person_keys_in(triples))
            super().replace_document(doc_id, graph_iri, triples, sha256)
            return
        self._index_person_keys(keyindex.person_keys_in(triples))
        old = self.query(
            prefix_block() + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d dcterms:identifier ?id ; env:sha256 ?h } }",
            {"id": Literal(doc_id)},
        ).rows
        try:
            # the entities of the old version are marked pending before it goes, those of the
            # new one after it is in: a crash in between leaves marks, never a stale index
            summary.mark_graphs(self, [*(g for (g,) in old if g is not None), graph_iri])
            for (g,) in old:
                self.oxigraph.remove_graph(ox.NamedNode(str(g)))
            self.oxigraph.remove_graph(ox.NamedNode(settings.INFERRED_GRAPH))
            self.oxigraph.remove_graph(ox.NamedNode(graph_iri))
            self.oxigraph.load(triples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
            summary.mark_added(self, [graph_iri])
            # RocksDB keeps what was written in memory until it flushes; flushing every few MB
            # keeps a long build's memory flat (measured: +130 MB per 100 documents without)
            self._unflushed += len(triples)
            if self._unflushed > _FLUSH_EVERY:
                self.oxigraph.flush()
                self._unflushed = 0
        except SyntaxError as err:
            raise StoreError(f"store {self.location}: invalid triples for {doc_id}: {err}") from err
        except OSError as err:
            raise StoreError(f"store {self.location}: {err}") from err

    def replace_documents(self, documents: Sequence[DocumentGraph]) -> None:
        """As :meth:`_SparqlStore.replace_documents`, written as a batch: the graphs of older
        versions of these documents (and ``g:inferred``) are removed, then all the new graphs
        are loaded by ONE call to pyoxigraph's bulk loader, which parses the text in Rust and
        writes sorted files that RocksDB ingests in one atomic step (one
        ``IngestExternalFiles`` over every index, below the loader's chunk of 1M quads). A
        crash therefore leaves each document of the batch fully in or fully out, as
        :meth:`replace_document` does, at about half its cost per triple and without filling
        RocksDB's memtables. Text not in the one-triple-a-line form, repeated documents, or a
        batch the loader rejects go one document at a time through :meth:`replace_document`,
        which raises for the document at fault; so does a small batch (under 512 KiB of
        N-Triples, a few documents), for which the loader's fixed cost outweighs its speed."""
        self._check_writable()
        docs = list(documents)
        if not docs:
            return
        distinct = len({d.doc_id for d in docs}) == len(docs) == len({d.graph_iri for d in docs})
        if sum(len(d.ntriples) for d in docs) < self.bulk_min_chars:
            # the bulk loader costs ~0.1 s a call whatever its size (sorted files for each of the
            # store's indexes); a few documents (an incremental add) are cheaper as transactions
            super().replace_documents(docs)
            return
        if not distinct or not all(_one_triple_a_line(d.ntriples) and is_valid_iri(d.graph_iri) for d in docs):
            super().replace_documents(docs)
            return
        store = self.oxigraph
        for chunk in _chunks(docs, _BULK_MAX_LINES):
            # the person keys first, so the index never lacks a key the store has
            self._index_person_keys(set().union(*(keyindex.person_keys_in(d.ntriples) for d in chunk)))
            ids = " ".join(sparql_term(Literal(d.doc_id)) for d in chunk)
            old = self.query(
                prefix_block() + "SELECT DISTINCT ?g WHERE { VALUES ?id { " + ids + " } "
                "GRAPH ?g { ?d dcterms:identifier ?id ; env:sha256 ?h } }"
            ).rows
            graphs = {str(g) for (g,) in old} | {d.graph_iri for d in chunk} | {settings.INFERRED_GRAPH}
            text = "".join(d.ntriples.replace(" .\n", f" <{d.graph_iri}> .\n") for d in chunk)
            try:
                # the summary index: the old versions' entities marked pending before they go,
                # the new ones' after they are in (a crash in between leaves marks, never a stale index)
                summary.mark_graphs(self, [*(g for (g,) in old if g is not None), *(d.graph_iri for d in chunk)])
                for graph in sorted(graphs):
                    store.remove_graph(ox.NamedNode(graph))
                store.bulk_load(text, format=ox.RdfFormat.N_QUADS)
                summary.mark_added(self, [d.graph_iri for d in chunk])
            except SyntaxError:  # nothing was loaded: write one by one, to name the document at fault
                super().replace_documents(chunk)
            except OSError as err:
                raise StoreError(f"store {self.location}: {err}") from err
            # the bulk load bypasses the memtables, but the person keys, the removals and the
            # index marks of a batch go through them: flushed every few MB of batches, so they
            # never pile up (a small batch, such as one added document, then costs no flush)
            self._unflushed += len(text)
            if self._unflushed > _FLUSH_EVERY:
                self.flush()
                self._unflushed = 0

    def flush(self) -> None:
        """Write RocksDB's memtables to disk. Writes outside the bulk loader (SPARQL updates,
        ``load``, removals) stay in memory until a memtable fills (128 MB for each of the
        store's 12 column families), so a long build or a large index refresh would otherwise
        grow by hundreds of MB; they call this every few MB."""
        if self.read_only:
            return
        try:
            self.oxigraph.flush()
        except OSError as err:
            raise StoreError(f"store {self.location}: {err}") from err

    def _index_person_keys(self, keys: set[str]) -> None:
        if not keys:
            return
        try:
            self.oxigraph.load(keyindex.index_ntriples(keys), format=ox.RdfFormat.N_TRIPLES,
                               to_graph=ox.NamedNode(settings.KEY_INDEX_GRAPH))
        except OSError as err:
            raise StoreError(f"store {self.location}: {err}") from err

    def _run_update(self, sparql: str) -> None:
        self._check_writable()
        try:
            self.oxigraph.update(sparql)
        except SyntaxError as err:
            raise QueryError(f"invalid SPARQL update: {err}") from err
        except (OSError, ValueError) as err:
            raise StoreError(f"store {self.location} refused the update: {err}") from err

    def _quads(self) -> Iterator[Quad]:
        for quad in self.oxigraph.quads_for_pattern(None, None, None, None):
            g = None if isinstance(quad.graph_name, ox.DefaultGraph) else from_ox(quad.graph_name)
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), g

    def dump(self, output: Path | str | IO[bytes], format: str = "trig") -> None:
        """As :meth:`_SparqlStore.dump`; TriG and N-Quads are written by pyoxigraph directly
        (no conversion through rdflib terms), which is several times faster."""
        info = rdf_format(format)
        if info.name not in ("trig", "nquads"):
            super().dump(output, format)
            return
        prefixes = _dump_prefixes(info.name)
        native = self.oxigraph
        index = ox.NamedNode(settings.INDEX_GRAPH)
        # every graph but the summary index (derived data), graph by graph, still without
        # converting a single term through rdflib
        graphs = [g for g in native.named_graphs() if g != index]
        quads = itertools.chain(
            native.quads_for_pattern(None, None, None, ox.DefaultGraph()),
            *(native.quads_for_pattern(None, None, None, g) for g in graphs),
        )
        try:
            if isinstance(output, (str, Path)):
                Path(output).parent.mkdir(parents=True, exist_ok=True)
                with open(output, "wb") as stream:
                    ox.serialize(quads, stream, info.ox_format, prefixes=prefixes)
            else:
                ox.serialize(quads, output, info.ox_format, prefixes=prefixes)
        except OSError as err:
            raise StoreError(f"cannot write {output}: {err}") from err

    def close(self) -> None:
        """Refresh the summary index if writes left it pending, and release the store and its
        lock (the same path can then be reopened). No flush: every committed write is in
        RocksDB's write-ahead log, and what its memtables still hold (under the few MB after
        which the big writers flush, see :meth:`flush`) is read back at the next open; a
        flush here would cost a small write such as one added document ~0.05 s."""
        if self._store is not None:
            self._refresh_before_close()
            self._store = None
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _result_from_ox(answer: Any) -> QueryResult:
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        # one rdflib term per distinct value: labels, predicates and documents repeat across
        # rows, and building rdflib terms is the slow part of reading a large answer
        memo: dict[Any, Node] = {}

        def convert(term: Any) -> Node | None:
            if term is None:
                return None
            node = memo.get(term)
            if node is None:
                node = memo[term] = from_ox(term)
            return node

        # a solution iterates its values in the order of the variables (faster than by name)
        rows = [tuple(map(convert, solution)) for solution in answer]
        return QueryResult(vars=names, rows=rows)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(vars=[], rows=[], kind="ask", boolean=bool(answer))
    graph = Graph()
    for triple in answer:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return _graph_result(graph)


def _graph_result(graph: Graph) -> QueryResult:
    rows: list[tuple[Node | None, ...]] = sorted(graph, key=lambda t: tuple(str(x) for x in t))
    return QueryResult(vars=["subject", "predicate", "object"], rows=rows, kind="graph", graph=graph)


# --- remote backend --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a SPARQL server answers. ``union_param`` is the URL parameter that makes the
    default graph the union of all graphs (Oxigraph: ``union-default-graph``), or None when the
    server is configured to do so itself."""

    query: str
    update: str
    store: str | None
    union_param: str | None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str) -> Endpoints:
        """Oxigraph layout for a bare server URL (``http://host:7878`` or one ending in ``/``):
        ``/query``, ``/update``, ``/store``. Any other path is taken as the query endpoint
        itself (``http://host:3030/ds/sparql``); its URL parameters ``update=``, ``store=`` and
        ``union=`` name the update endpoint (default: the same URL), the Graph Store endpoint
        (default: none, SPARQL is used instead) and the union parameter (default: none)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"not a SPARQL server URL: {url!r}")
        params = dict(urllib.parse.parse_qsl(parts.query))
        if parts.path in ("", "/") or parts.path.endswith("/"):
            base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
            return cls(
                query=params.get("query", base + "/query"),
                update=params.get("update", base + "/update"),
                store=params.get("store", base + "/store"),
                union_param=params.get("union", "union-default-graph") or None,
            )
        endpoint = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return cls(
            query=endpoint,
            update=params.get("update", endpoint),
            store=params.get("store"),
            union_param=params.get("union") or None,
        )


class RemoteStore(_SparqlStore):
    """A SPARQL 1.1 server over HTTP.

    Queries are POSTed as ``application/sparql-query``; bindings become a ``VALUES`` block at
    the start of the WHERE group, every value serialised as an escaped RDF term. The union
    default graph: for an Oxigraph server, the ``union-default-graph`` URL parameter; for other
    servers configure it on the server (Fuseki: ``tdb2:unionDefaultGraph true``; GraphDB and
    Virtuoso query all graphs by default). Updates are one request each, which the server runs
    as one transaction (Oxigraph does; check yours). Whole-dataset reads and file loads use the
    Graph Store Protocol when a store endpoint is known, plain SPARQL otherwise.
    """

    def __init__(self, url: str, *, read_only: bool = False, timeout: float = 60.0) -> None:
        self.location = url
        self.read_only = read_only
        self.endpoints = Endpoints.from_url(url)
        self.timeout = timeout

    def _request(
        self, url: str, body: bytes | None, content_type: str | None, accept: str, method: str = "POST"
    ) -> tuple[str, bytes]:
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        request.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace").strip()[:500]
            if err.code in (400, 422):
                raise QueryError(f"the server at {url} rejected the request: {detail}") from err
            raise StoreError(f"SPARQL server {url} answered {err.code}: {detail}") from err
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StoreError(
                f"cannot reach the SPARQL server at {url}: {reason}; is it running?"
            ) from err

    def _run_query(self, sparql: str, bindings: Mapping[str, Node]) -> QueryResult:
        text = prefix_block() + bind_with_values(sparql, bindings)
        url = self.endpoints.query
        if self.endpoints.union_param:
            url += ("&" if "?" in url else "?") + urllib.parse.quote(self.endpoints.union_param)
        content_type, payload = self._request(
            url,
            text.encode("utf-8"),
            "application/sparql-query; charset=utf-8",
            "application/sparql-results+json, application/n-triples;q=0.9",
        )
        if "json" in content_type:
            return _result_from_json(json.loads(payload.decode("utf-8")))
        graph = Graph()
        graph.parse(data=payload.decode("utf-8"), format="nt")
        return _graph_result(graph)

    def _run_update(self, sparql: str) -> None:
        self._check_writable()
        self._request(
            self.endpoints.update,
            sparql.encode("utf-8"),
            "application/sparql-update; charset=utf-8",
            "*/*",
        )

    def _quads(self) -> Iterator[Quad]:
        if self.endpoints.store:
            _, payload = self._request(self.endpoints.store, None, None, "application/n-quads", "GET")
            for quad in ox.parse(payload, format=ox.RdfFormat.N_QUADS):
                g = (
                    None
                    if isinstance(quad.graph_name, ox.DefaultGraph)
                    else from_ox(quad.graph_name)
                )
                yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), g
            return
        # Without the Graph Store Protocol: named graphs by SPARQL (default graph not exported).
        for s, p, o, g in self._run_query(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {}
        ).rows:
            assert s is not None and p is not None and o is not None
            yield s, p, o, g

    def close(self) -> None:
        """Refresh the summary index if writes left it pending; nothing else to release (every
        request is its own connection)."""
        self._refresh_before_close()


def _term_from_json(cell: Mapping[str, Any]) -> Node:
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in cell:
            return Literal(value, lang=cell["xml:lang"])
        datatype = cell.get("datatype")
        if datatype and datatype != _XSD_STRING:
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise QueryError(f"unsupported term in the server's answer: {cell!r}")


def _result_from_json(doc: Mapping[str, Any]) -> QueryResult:
    if "boolean" in doc:
        return QueryResult(vars=[], rows=[], kind="ask", boolean=bool(doc["boolean"]))
    names: list[str] = list(doc.get("head", {}).get("vars", []))
    rows = [
        tuple(_term_from_json(b[n]) if n in b else None for n in names)
        for b in doc.get("results", {}).get("bindings", [])
    ]
    return QueryResult(vars=names, rows=rows)


# --- opening ---------------------------------------------------------------------------------


def is_remote(location: str | Path | None) -> bool:
    """True for an ``http(s)://`` location."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def open_store(
    location: str | Path | None = None, *, read_only: bool = False, lock_timeout: float = 0.0
) -> EmbeddedStore | RemoteStore:
    """Open the store at ``location``.

    ``None`` → :func:`settings.default_store_location` (``$ENVGRAPH_STORE`` or
    ``./envgraph-store``); an ``http(s)://`` URL → :class:`RemoteStore`; ``":memory:"`` → a
    temporary in-memory store; any other path → :class:`EmbeddedStore`, created on first
    read-write open. ``lock_timeout`` (seconds) makes a writer wait for another writer instead
    of failing at once.
    """
    where = settings.default_store_location() if location is None else location
    if is_remote(where):
        return RemoteStore(str(where), read_only=read_only)
    return EmbeddedStore(where, read_only=read_only, lock_timeout=lock_timeout)
