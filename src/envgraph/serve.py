"""The local web app: a SPARQL 1.1 Protocol endpoint, entity pages, search and the graph.

Design, stated once:

* Standard library only (``ThreadingHTTPServer``); pages are Jinja2 templates with autoescape on,
  and carry a Content-Security-Policy that allows no script at all (the graph page allows exactly
  its own two inline scripts, by hash).
* Every store access runs in a pool of worker *processes*, each holding the store open
  read-only. pyoxigraph cannot interrupt a running query, so a query past the timeout is
  cancelled by killing its worker (a fresh one is started in the background) and answered with
  503; no request can hang a worker forever. The HTTP threads never touch the store.
* Read-only unless started with ``allow_updates``: SPARQL updates are refused with 403. With
  updates allowed, one worker holds the store read-write and serves everything.
* Request bodies are limited (413), results capped at ``max_rows`` (the response then carries
  ``X-Envgraph-Truncated: true``), and user input reaches SPARQL only as bound values.
* Binds to 127.0.0.1 unless told otherwise; on a loopback address, requests whose ``Host`` is
  not a loopback name are refused (DNS rebinding).
* Answers are cached (:mod:`envgraph.answercache`, ``cache_mb``): an embedded store is a
  read-only snapshot while served, so an answer stays true until the server stops (an update,
  with ``allow_updates``, clears the cache); a remote store may change, so nothing is kept. Concurrent requests for the same uncached answer share
  one computation. ``X-Envgraph-Cache`` says ``hit``, ``computed`` or ``shared``.
* The named queries of the library have pages (``/queries``, ``/queries/NAME``): a form for
  their parameters, the answer page by page, and the whole answer as CSV or JSON.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import logging
import multiprocessing
import queue
import re
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any
from xml.sax.saxutils import escape as xml_escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from envgraph.answercache import AnswerCache
from envgraph.sparqlutil import json_term
from envgraph.errors import EnvgraphError, QueryError, StoreError
from envgraph.model import LANGUAGES
from envgraph.settings import DOC_BASE, ENTITY_BASE, ONTOLOGY_NS

log = logging.getLogger(__name__)

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"

_SELECT_FORMATS = {SPARQL_JSON: "json", SPARQL_XML: "xml", CSV: "csv", TSV: "tsv"}
_GRAPH_FORMATS = {TURTLE: "turtle", NTRIPLES: "nt", RDFXML: "rdfxml"}
_MEDIA_ALIASES = {
    "application/json": SPARQL_JSON,
    "text/javascript": SPARQL_JSON,
    "application/javascript": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    "application/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "text/n3": TURTLE,
    "text/plain": NTRIPLES,
}
_FORMAT_PARAMS = {
    "json": SPARQL_JSON, "srj": SPARQL_JSON, "xml": SPARQL_XML, "srx": SPARQL_XML,
    "csv": CSV, "tsv": TSV, "turtle": TURTLE, "ttl": TURTLE, "n3": TURTLE,
    "nt": NTRIPLES, "ntriples": NTRIPLES, "n-triples": NTRIPLES, "rdf": RDFXML,
    "rdfxml": RDFXML, "rdf+xml": RDFXML,
}

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
             "base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """How ``envgraph serve`` runs."""

    store: str
    host: str = "127.0.0.1"
    port: int = 8000
    allow_updates: bool = False
    timeout: float = 10.0  # seconds a query may run before it is cancelled
    max_rows: int = 10_000  # result rows (or triples) returned at most
    max_body: int = 1_000_000  # bytes of request body accepted
    workers: int = 2
    graph_timeout: float = 120.0  # building the interactive graph of a whole archive
    cache_mb: int = 128  # answers kept in memory (0: none)
    page_rows: int = 100  # rows per page of a named query


# --------------------------------------------------------------------------------------------
# Result serialisation (runs in the worker, so its time counts against the timeout)
# --------------------------------------------------------------------------------------------


_json_term = json_term  # one serialisation of terms, shared with the other result writers


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return xml_escape(_XML_INVALID.sub("\ufffd", text))


def _xml_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<uri>{_xml_text(str(node))}</uri>"
    if isinstance(node, BNode):
        return f"<bnode>{_xml_text(str(node))}</bnode>"
    assert isinstance(node, Literal)
    attrs = ""
    if node.language:
        attrs = f" xml:lang={quoteattr(node.language)}"
    elif node.datatype is not None:
        attrs = f" datatype={quoteattr(str(node.datatype))}"
    return f"<literal{attrs}>{_xml_text(str(node))}</literal>"


def _csv_cell(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _tsv_cell(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return node.n3()
    return node.n3() if isinstance(node, (URIRef, BNode)) else str(node)


def serialize_select(vars_: Sequence[str], rows: Sequence[Sequence[Node | None]], media: str) -> bytes:
    """SELECT results in one of the SPARQL 1.1 result formats (JSON, XML, CSV, TSV)."""
    if media == SPARQL_JSON:
        bindings = [{v: _json_term(t) for v, t in zip(vars_, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": list(vars_)}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media == SPARQL_XML:
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in vars_]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(vars_, row) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>")
        return "\n".join(out).encode("utf-8")
    if media == CSV:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(vars_)
        writer.writerows([_csv_cell(t) for t in row] for row in rows)
        return buf.getvalue().encode("utf-8")
    if media == TSV:
        lines = ["\t".join("?" + v for v in vars_)]
        lines += ["\t".join(_tsv_cell(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"no SELECT result format {media}")


def serialize_ask(value: bool, media: str) -> bytes:
    """ASK results (JSON, XML; CSV/TSV as one cell)."""
    if media == SPARQL_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if media == SPARQL_XML:
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/'
                f'sparql-results#"><head/><boolean>{str(value).lower()}</boolean></sparql>'
                ).encode("utf-8")
    return f"_askResult\r\n{str(value).lower()}\r\n".encode()


# --------------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProtocolAnswer:
    """What the worker returns for a /sparql request."""

    status: int
    media: str
    body: bytes
    truncated: bool = False


def _pick(accept: Sequence[str], offered: Mapping[str, str], default: str) -> str | None:
    for media in accept:
        if media == "*/*" or media.endswith("/*"):
            return default
        if media in offered:
            return media
    return None if accept else default


def _protocol_query(store: Any, sparql: str, accept: Sequence[str], max_rows: int) -> ProtocolAnswer:
    """Run a query for the SPARQL endpoint; the result format follows ``accept`` (media types
    in order of preference) and the kind of query."""
    import pyoxigraph as ox

    from envgraph.sparqlutil import DEFAULT_PREFIXES, from_ox

    native = getattr(store, "oxigraph", None)
    if isinstance(native, ox.Store):
        try:
            answer = native.query(sparql, prefixes=DEFAULT_PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise QueryError(f"invalid SPARQL: {err}") from err
        if isinstance(answer, ox.QueryBoolean):
            kind, boolean, vars_, rows, triples = "ask", bool(answer), [], [], []
        elif isinstance(answer, ox.QuerySolutions):
            kind, boolean = "select", None
            vars_ = [v.value for v in answer.variables]
            rows, triples = [], []
            for solution in answer:
                if len(rows) > max_rows:
                    break
                rows.append(tuple(None if solution[v] is None else from_ox(solution[v])
                                  for v in vars_))
        else:
            kind, boolean, vars_, rows = "graph", None, [], []
            triples = []
            for triple in answer:
                if len(triples) > max_rows:
                    break
                triples.append(triple)
    else:  # a remote store: its own client returns full results
        result = store.query(sparql)
        kind, boolean, vars_ = result.kind, result.boolean, list(result.vars)
        rows = list(result.rows[: max_rows + 1])
        triples = [ox.Triple(*(ox.NamedNode(str(t)) if isinstance(t, URIRef) else
                               ox.BlankNode(str(t)) if isinstance(t, BNode) else
                               ox.Literal(str(t), language=t.language) if t.language else
                               ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
                               if t.datatype else ox.Literal(str(t)) for t in row))
                   for row in rows] if kind == "graph" else []

    if kind == "graph":
        media = _pick(accept, _GRAPH_FORMATS, TURTLE)
        if media is None:
            return ProtocolAnswer(406, "text/plain", b"CONSTRUCT/DESCRIBE results are available "
                                  b"as text/turtle, application/n-triples or application/rdf+xml")
        truncated = len(triples) > max_rows
        fmt = {TURTLE: ox.RdfFormat.TURTLE, NTRIPLES: ox.RdfFormat.N_TRIPLES,
               RDFXML: ox.RdfFormat.RDF_XML}[media]
        body = ox.serialize(triples[:max_rows], format=fmt,
                            prefixes=DEFAULT_PREFIXES if fmt != ox.RdfFormat.N_TRIPLES else None)
        return ProtocolAnswer(200, media, body or b"", truncated)
    media = _pick(accept, _SELECT_FORMATS, SPARQL_JSON)
    if media is None:
        return ProtocolAnswer(406, "text/plain", b"SELECT/ASK results are available as "
                              b"application/sparql-results+json, application/sparql-results+xml, "
                              b"text/csv or text/tab-separated-values")
    if kind == "ask":
        return ProtocolAnswer(200, media, serialize_ask(bool(boolean), media))
    truncated = len(rows) > max_rows
    return ProtocolAnswer(200, media, serialize_select(vars_, rows[:max_rows], media), truncated)


def _worker_main(conn: Connection, location: str, writable: bool) -> None:
    """A worker process: open the store, then answer requests until told to stop."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: worker: %(message)s")
    from envgraph.store import open_store

    try:
        store = open_store(location, read_only=not writable)
    except EnvgraphError as err:
        conn.send(("fatal", str(err)))
        return
    except Exception as err:  # noqa: BLE001 - reported to the parent, which stops
        conn.send(("fatal", f"cannot open the store at {location}: {err}"))
        return
    conn.send(("ready", None))
    graphs: dict[str, Any] = {}  # the store is a snapshot while open: projections can be kept
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        if request is None:
            break
        try:
            conn.send(("ok", _handle(store, request, graphs)))
        except EnvgraphError as err:
            conn.send(("error", (400 if isinstance(err, QueryError) else 500, str(err))))
        except SyntaxError as err:
            conn.send(("error", (400, f"invalid SPARQL: {err}")))
        except Exception as err:  # noqa: BLE001 - one bad request must not kill the worker
            log.error("request failed: %s", "".join(traceback.format_exception(err)))
            conn.send(("error", (500, f"internal error: {type(err).__name__}")))
    store.close()


def _handle(store: Any, request: tuple[Any, ...], graphs: dict[str, Any]) -> Any:
    kind = request[0]
    if kind == "protocol":
        _kind, sparql, accept, max_rows = request
        return _protocol_query(store, sparql, list(accept), max_rows)
    if kind == "select":
        _kind, sparql, bindings, max_rows = request
        result = store.query(sparql, dict(bindings))
        return list(result.vars), list(result.rows[:max_rows])
    if kind == "named":
        from envgraph.queries import load_query, run_query

        _kind, name, params, lang, max_rows = request
        result = run_query(store, load_query(name), dict(params), lang=lang)
        return list(result.vars), list(result.rows[:max_rows]), len(result.rows)
    if kind == "update":
        store.update(request[1])
        return None
    if kind == "graph":
        from envgraph.network import to_networkx
        from envgraph.render import graph_payload, html_document, select_subgraph

        _kind, lang, focus, depth, types, relations = request
        if lang not in graphs:
            graphs[lang] = to_networkx(store, lang=lang)
        H = select_subgraph(graphs[lang], focus=focus, depth=depth, types=types or None,
                            relations=relations or None)
        title = "envgraph"
        if focus:
            title += " · " + str(H.nodes[H.graph["center"]].get("label", ""))
        payload = graph_payload(H, lang=lang, title=title, entity_link="/entity?iri=")
        return html_document(payload)
    if kind == "sleep":  # for tests of the timeout machinery
        time.sleep(float(request[1]))
        return None
    raise QueryError(f"unknown worker request {kind!r}")


class QueryTimeout(EnvgraphError):
    """A query ran past the time limit and was cancelled."""


class ServerBusy(EnvgraphError):
    """No worker became free in time."""


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


@dataclass(slots=True)
class WorkerPool:
    """Worker processes holding the store open; a request past its timeout kills its worker."""

    location: str
    size: int
    writable: bool = False
    startup_timeout: float = 60.0
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue)
    _all: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    restarts: int = 0

    def start(self) -> None:
        """Start the workers and wait until each has opened the store (fails fast if not)."""
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            self._await_ready(worker)
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child, self.location, self.writable),
                              daemon=True, name="envgraph-serve-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(id(worker))
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self.startup_timeout):
            self._kill(worker)
            raise StoreError(f"a worker could not open the store at {self.location} "
                             f"within {self.startup_timeout:.0f}s")
        try:
            status, message = worker.conn.recv()
        except (EOFError, OSError):
            status, message = "fatal", (f"a worker process died while opening the store at "
                                        f"{self.location} (exit code {worker.process.exitcode})")
        if status != "ready":
            self._kill(worker)
            raise StoreError(str(message))

    def _replace(self) -> None:
        """Start a fresh worker in the background (after one was killed)."""

        def start() -> None:
            try:
                worker = self._spawn()
                self._await_ready(worker)
            except EnvgraphError as err:
                log.error("could not restart a worker: %s", err)
                return
            if self._closed:
                self._kill(worker)
            else:
                self._idle.put(worker)

        self.restarts += 1
        threading.Thread(target=start, daemon=True, name="envgraph-worker-restart").start()

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(id(worker))
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def run(self, request: tuple[Any, ...], timeout: float) -> Any:
        """Send a request to a free worker and wait at most ``timeout`` seconds for the answer
        (the wait for a free worker counts too). Raises QueryTimeout, ServerBusy, or the
        error the worker reported (as QueryError/StoreError)."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServerBusy(f"all {self.size} workers stayed busy for {timeout:.0f}s") from None
        remaining = max(0.05, deadline - time.monotonic())
        try:
            worker.conn.send(request)
            if not worker.conn.poll(remaining):
                self._kill(worker)
                self._replace()
                raise QueryTimeout(f"the query ran longer than {timeout:g}s and was cancelled")
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as err:
            self._kill(worker)
            self._replace()
            raise StoreError(f"a worker died while answering: {err}") from err
        self._idle.put(worker)
        if status == "ok":
            return payload
        code, message = payload
        raise (QueryError(message) if code == 400 else StoreError(message))

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.process.join(timeout=2)
            self._kill(worker)


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------

_Q_LABELS = """
SELECT ?kind ?label WHERE {
  { ?e skos:prefLabel ?label . BIND("pref" AS ?kind) }
  UNION { ?e skos:altLabel ?label . BIND("alt" AS ?kind) }
  UNION { ?e rdfs:label ?label . BIND("rdfs" AS ?kind) }
}"""

_Q_TYPES = "SELECT DISTINCT ?type WHERE { ?e a ?type }"

_Q_FACTS = """
SELECT ?f ?s ?p ?o ?text ?doc ?docid ?rule ?conf WHERE {
  { ?f rdf:subject ?e } UNION { ?f rdf:object ?e }
  ?f a env:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?f prov:wasDerivedFrom ?doc . OPTIONAL { ?doc dcterms:identifier ?docid } }
  OPTIONAL { ?f env:evidence ?sent . OPTIONAL { ?sent nif:anchorOf ?text } }
  OPTIONAL { ?f env:rule ?rule }
  OPTIONAL { ?f env:confidence ?conf }
} ORDER BY ?p ?s ?o ?docid"""

_Q_LINKS = f"""
SELECT DISTINCT ?dir ?p ?n WHERE {{
  {{ ?e ?p ?n . BIND("out" AS ?dir) }} UNION {{ ?n ?p ?e . BIND("in" AS ?dir) }}
  FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{ENTITY_BASE}") && STRSTARTS(STR(?p), "{ONTOLOGY_NS}"))
}}"""

_Q_NEIGHBOUR_LABELS = f"""
SELECT DISTINCT ?n ?label WHERE {{
  {{ ?e ?p ?n }} UNION {{ ?n ?p ?e }}
  FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{ENTITY_BASE}"))
  {{ ?n skos:prefLabel ?label }} UNION {{ ?n rdfs:label ?label }}
}}"""

_Q_SEARCH = f"""
SELECT ?e (SAMPLE(?t) AS ?type) (MIN(STR(?label)) AS ?match) WHERE {{
  ?e skos:prefLabel|skos:altLabel|rdfs:label ?label .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{ENTITY_BASE}"))
  FILTER(CONTAINS(LCASE(STR(?label)), LCASE(STR(?q))))
  OPTIONAL {{ ?e a ?t . FILTER(STRSTARTS(STR(?t), "{ONTOLOGY_NS}")) }}
}} GROUP BY ?e ORDER BY ?match LIMIT 200"""

_Q_SUMMARY = f"""
SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  ?e a ?type .
  FILTER(STRSTARTS(STR(?e), "{ENTITY_BASE}") && STRSTARTS(STR(?type), "{ONTOLOGY_NS}"))
}} GROUP BY ?type ORDER BY DESC(?n)"""

_Q_DOCUMENTS = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a env:Document }"

_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _entity_href(iri: str, lang: str | None = None) -> str:
    query = {"iri": iri}
    if lang and lang != "en":
        query["lang"] = lang
    return "/entity?" + urllib.parse.urlencode(query)


def _choose(labels: Mapping[str, str], lang: str, fallback: str) -> str:
    from envgraph.network import pick_label

    return pick_label(labels, lang, fallback) if labels else fallback


@dataclass(frozen=True, slots=True)
class FactView:
    """A fact as the entity page shows it."""

    subject: str
    subject_label: str
    relation: str
    object: str
    object_label: str
    object_is_entity: bool
    object_is_link: bool  # a homepage with an http(s) URL: shown as a link
    sentence: str
    doc_id: str
    rule: str
    confidence: str


def _templates() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("envgraph", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


# --------------------------------------------------------------------------------------------
# The HTTP server
# --------------------------------------------------------------------------------------------


class EnvgraphServer(ThreadingHTTPServer):
    """The HTTP server with its config, worker pool, templates and graph cache."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # connections waiting to be accepted (the default 5 refuses bursts)

    def __init__(self, config: ServeConfig, pool: WorkerPool) -> None:
        self.config = config
        self.pool = pool
        self.templates = _templates()
        from envgraph.store import is_remote

        # a remote server may change under us: only the embedded store is a fixed snapshot
        budget = 0 if is_remote(config.store) else config.cache_mb * 2**20
        self.answers: AnswerCache[Any] = AnswerCache(budget, answer_size)
        self.started = time.monotonic()
        super().__init__((config.host, config.port), _Handler)

    def ask(self, request: tuple[Any, ...], timeout: float) -> tuple[Any, str]:
        """A worker's answer to ``request`` (hashable), from the cache when it holds one;
        returns the answer and where it came from (hit, computed, shared)."""
        return self.answers.get_or_compute(request, lambda: self.pool.run(request, timeout))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}"

    def loopback_only(self) -> bool:
        return str(self.config.host) in _LOOPBACK_NAMES or str(self.config.host).startswith("127.")

    def close(self) -> None:
        """Stop serving and stop the workers."""
        self.server_close()
        self.pool.close()


def answer_size(answer: Any) -> int:
    """Approximate bytes an answer holds in memory (for the cache budget)."""
    if isinstance(answer, ProtocolAnswer):
        return len(answer.body) + 200
    if isinstance(answer, str):  # a graph page
        return 2 * len(answer) + 200
    if isinstance(answer, tuple) and answer and isinstance(answer[0], list):  # vars, rows[, total]
        rows = answer[1]
        return 200 + sum(100 + sum(80 + len(t) for t in row if t is not None) for row in rows)
    return 1_000


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server: EnvgraphServer
    server_version = "envgraph"
    sys_version = ""

    def version_string(self) -> str:
        return "envgraph"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request

    # --- plumbing -------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, media: str, body: bytes, headers: Mapping[str, str] | None = None,
              *, csp: str | None = _PAGE_CSP) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if (media.startswith("text/") or "json" in media
                                        or "xml" in media) else ""
        self.send_header("Content-Type", media + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self, status: int, template: str, **context: Any) -> None:
        body = self.server.templates.get_template(template).render(
            languages=LANGUAGES, lang=context.pop("lang", "en"), **context)
        self._send(status, "text/html", body.encode("utf-8"))

    def _error(self, status: int, message: str) -> None:
        if self.path.startswith("/sparql"):
            self._send(status, "text/plain", (message + "\n").encode("utf-8"))
        else:
            self._page(status, "error.html", code=status,
                       reason=HTTPStatus(status).phrase, message=message)

    def _check_host(self) -> None:
        if not self.server.loopback_only():
            return
        host = (self.headers.get("Host") or "").strip()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name.lower() not in _LOOPBACK_NAMES:
            raise _HttpError(400, "this server answers only requests addressed to localhost")

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _HttpError(411, "send the request body with a Content-Length")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise _HttpError(411, "a POST needs a Content-Length")
        try:
            length = int(length_text)
        except ValueError:
            raise _HttpError(400, "bad Content-Length") from None
        if length < 0:
            raise _HttpError(400, "bad Content-Length")
        if length > self.server.config.max_body:
            self.close_connection = True  # do not read it
            raise _HttpError(413, f"request body of {length} bytes is over the limit of "
                                  f"{self.server.config.max_body} bytes")
        return self.rfile.read(length)

    def _dispatch(self, method: str) -> None:
        try:
            self._check_host()
            parts = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            route = parts.path.rstrip("/") or "/"
            if route == "/sparql":
                self._sparql(method, params)
            elif method == "POST":
                raise _HttpError(405, "only /sparql accepts POST")
            elif route == "/":
                self._index(params)
            elif route == "/search":
                self._search(params)
            elif route == "/entity":
                self._entity(params)
            elif route.startswith("/entity/"):
                self._entity({"iri": [ENTITY_BASE + urllib.parse.unquote(route[len("/entity/"):])],
                              **params})
            elif route == "/graph":
                self._graph(params)
            elif route == "/status":
                self._status()
            elif route == "/queries":
                self._queries(params)
            elif route.startswith("/queries/"):
                self._named(urllib.parse.unquote(route[len("/queries/"):]), params)
            else:
                raise _HttpError(404, f"no page at {parts.path}")
        except _HttpError as err:
            self._error(err.status, err.message)
        except QueryTimeout as err:
            self._error(503, str(err))
        except ServerBusy as err:
            self._error(503, str(err))
        except QueryError as err:
            self._error(400, str(err))
        except EnvgraphError as err:
            self._error(500, str(err))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _first(self, params: Mapping[str, list[str]], name: str, default: str = "") -> str:
        values = params.get(name)
        return values[0] if values else default

    def _lang(self, params: Mapping[str, list[str]]) -> str:
        lang = self._first(params, "lang", "en")
        return lang if lang in LANGUAGES else "en"

    def _select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[dict[str, Node | None]]:
        cfg = self.server.config
        request = ("select", sparql, tuple(sorted((bindings or {}).items())), cfg.max_rows)
        (vars_, rows), _source = self.server.ask(request, cfg.timeout)
        return [dict(zip(vars_, row, strict=True)) for row in rows]

    # --- SPARQL protocol --------------------------------------------------------------------
    def _accept(self, params: Mapping[str, list[str]]) -> list[str]:
        for name in ("format", "output", "results"):
            value = self._first(params, name).strip().lower()
            if value:
                media = _FORMAT_PARAMS.get(value) or _MEDIA_ALIASES.get(value, value)
                return [media]
        ranked: list[tuple[float, int, str]] = []
        for i, item in enumerate((self.headers.get("Accept") or "").split(",")):
            pieces = [p.strip() for p in item.split(";")]
            media = pieces[0].lower()
            if not media:
                continue
            q = 1.0
            for p in pieces[1:]:
                if p.startswith("q="):
                    try:
                        q = float(p[2:])
                    except ValueError:
                        q = 0.0
            if q > 0:
                ranked.append((-q, i, _MEDIA_ALIASES.get(media, media)))
        return [media for _q, _i, media in sorted(ranked)]

    def _sparql(self, method: str, params: dict[str, list[str]]) -> None:
        cfg = self.server.config
        query = self._first(params, "query") or None
        update = self._first(params, "update") or None
        if method == "POST":
            body = self._body()
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                params = {**params, **form}
                query = self._first(form, "query") or query
                update = self._first(form, "update") or update
            elif media == "application/sparql-query":
                query = body.decode("utf-8", "replace")
            elif media == "application/sparql-update":
                update = body.decode("utf-8", "replace")
            else:
                raise _HttpError(415, "POST a form (application/x-www-form-urlencoded), "
                                      "application/sparql-query or application/sparql-update")
        if update is not None:
            if not cfg.allow_updates:
                raise _HttpError(403, "this endpoint is read-only: updates are refused "
                                      "(start `envgraph serve --allow-updates` to allow them)")
            if method != "POST":
                raise _HttpError(405, "send updates with POST")
            try:
                self.server.pool.run(("update", update), cfg.timeout)
            finally:  # even a failed or cancelled update may have changed something
                self.server.answers.clear()
            self._send(204, "text/plain", b"")
            return
        if query is None:
            self._page(200, "sparql.html", max_rows=cfg.max_rows, timeout=cfg.timeout)
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise _HttpError(400, "default-graph-uri and named-graph-uri are not supported: the "
                                  "default graph is the union of all graphs; use GRAPH/FROM")
        answer, source = self.server.ask(
            ("protocol", query, tuple(self._accept(params)), cfg.max_rows), cfg.timeout)
        headers = {"Vary": "Accept", "X-Envgraph-Cache": source}
        if answer.truncated:
            headers["X-Envgraph-Truncated"] = "true"
            headers["X-Envgraph-Max-Rows"] = str(cfg.max_rows)
        self._send(answer.status, answer.media, answer.body, headers)

    # --- pages --------------------------------------------------------------------------------
    def _index(self, params: dict[str, list[str]]) -> None:
        counts = [(_local(str(r["type"])), int(str(r["n"]))) for r in self._select(_Q_SUMMARY)]
        docs = self._select(_Q_DOCUMENTS)
        n_docs = int(str(docs[0]["n"])) if docs and docs[0]["n"] is not None else 0
        self._page(200, "index.html", counts=counts, documents=n_docs, lang=self._lang(params),
                   query="")

    def _search(self, params: dict[str, list[str]]) -> None:
        lang = self._lang(params)
        text = self._first(params, "q").strip()
        if len(text) > 200:
            raise _HttpError(400, "search text is limited to 200 characters")
        results = []
        if text:
            for row in self._select(_Q_SEARCH, {"q": Literal(text)}):
                iri = str(row["e"])
                results.append({
                    "href": _entity_href(iri, lang),
                    "label": str(row["match"] or _local(iri)),
                    "type": _local(str(row["type"])) if row["type"] is not None else "",
                    "iri": iri,
                })
        self._page(200, "search.html", query=text, results=results, lang=lang)

    def _entity(self, params: Mapping[str, list[str]]) -> None:
        from envgraph.sparqlutil import is_valid_iri

        lang = self._lang(params)
        iri = self._first(params, "iri").strip()
        if not iri:
            raise _HttpError(400, "give the entity as /entity?iri=…")
        if not is_valid_iri(iri):
            raise _HttpError(400, "not a valid IRI")
        e = {"e": URIRef(iri)}
        pref: dict[str, str] = {}
        alt: list[tuple[str, str]] = []
        canonical = ""
        for row in self._select(_Q_LABELS, e):
            label = row["label"]
            if not isinstance(label, Literal):
                continue
            tag = label.language or ""
            if str(row["kind"]) == "pref":
                pref.setdefault(tag, str(label))
            elif str(row["kind"]) == "alt":
                alt.append((str(label), tag))
            else:
                canonical = canonical or str(label)
        types = sorted(_local(str(r["type"])) for r in self._select(_Q_TYPES, e))
        neighbour_labels: dict[str, dict[str, str]] = {}
        for row in self._select(_Q_NEIGHBOUR_LABELS, e):
            label = row["label"]
            if isinstance(label, Literal):
                neighbour_labels.setdefault(str(row["n"]), {}).setdefault(label.language or "", str(label))

        def name(node: str) -> str:
            if node == iri:
                return _choose(pref, lang, canonical or _local(iri))
            labels = neighbour_labels.get(node, {})
            return _choose({k: v for k, v in labels.items() if k}, lang, labels.get("", _local(node)))

        facts: list[FactView] = []
        with_evidence: set[tuple[str, str, str]] = set()
        for row in self._select(_Q_FACTS, e):
            s, p, o = str(row["s"]), str(row["p"]), row["o"]
            relation = _local(p)
            is_entity = isinstance(o, URIRef) and str(o).startswith(ENTITY_BASE)
            value = str(o)
            with_evidence.add((s, relation, value))
            doc_id = str(row["docid"]) if row["docid"] is not None else (
                str(row["doc"])[len(DOC_BASE):] if row["doc"] is not None else "")
            conf = row["conf"]
            facts.append(FactView(
                subject=s, subject_label=name(s), relation=relation, object=value,
                object_label=name(value) if is_entity else value, object_is_entity=is_entity,
                object_is_link=(not is_entity and relation == "homepage"
                                and bool(_SAFE_LINK.match(value))),
                sentence=str(row["text"]) if row["text"] is not None else "",
                doc_id=doc_id, rule=str(row["rule"]) if row["rule"] is not None else "",
                confidence=f"{float(str(conf)):.2f}" if conf is not None else "",
            ))
        links = []
        for row in self._select(_Q_LINKS, e):
            n, relation = str(row["n"]), _local(str(row["p"]))
            out = str(row["dir"]) == "out"
            key = (iri, relation, n) if out else (n, relation, iri)
            links.append({"out": out, "relation": relation, "iri": n, "label": name(n),
                          "href": _entity_href(n, lang), "evidence": key in with_evidence})
        links.sort(key=lambda link: (link["relation"], link["label"]))
        if not (pref or alt or canonical or types or facts or links):
            raise _HttpError(404, "no entity with this IRI in the store")
        title = name(iri)
        self._page(200, "entity.html", iri=iri, title=title, types=types,
                   labels=sorted(pref.items()), alt=sorted(alt), facts=facts, links=links,
                   href=lambda node: _entity_href(node, lang), lang=lang, query="",
                   graph_href="/graph?" + urllib.parse.urlencode(
                       {"focus": iri, "depth": "2", "lang": lang}),
                   lang_href=lambda tag: _entity_href(iri, tag))

    def _graph(self, params: dict[str, list[str]]) -> None:
        cfg = self.server.config
        lang = self._lang(params)
        focus = self._first(params, "focus").strip() or None
        try:
            depth = max(0, min(int(self._first(params, "depth", "2")), 5))
        except ValueError:
            raise _HttpError(400, "depth must be a number from 0 to 5") from None
        types = tuple(sorted(t for v in params.get("types", []) for t in v.split(",") if t))
        relations = tuple(sorted(r for v in params.get("relations", []) for r in v.split(",") if r))
        request = ("graph", lang, focus, depth, types, relations)
        page, source = self.server.ask(request, max(cfg.graph_timeout, cfg.timeout))
        self._send(200, "text/html", page.encode("utf-8"), {"X-Envgraph-Cache": source},
                   csp=graph_csp(page))


    def _status(self) -> None:
        """Health and counters as JSON: for monitoring and the load benchmark."""
        server = self.server
        stats = server.answers.stats()
        body = {
            "store": "read-write" if server.config.allow_updates else "read-only",
            "uptime_seconds": round(time.monotonic() - server.started, 1),
            "workers": server.pool.size, "worker_restarts": server.pool.restarts,
            "cache": {"hits": stats.hits, "computed": stats.misses, "shared": stats.shared,
                      "evictions": stats.evictions, "entries": stats.entries,
                      "bytes": stats.bytes, "max_bytes": stats.max_bytes},
        }
        self._send(200, "application/json", json.dumps(body).encode("utf-8"))

    # --- named queries ------------------------------------------------------------------------
    def _queries(self, params: dict[str, list[str]]) -> None:
        from envgraph.queries import list_queries

        self._page(200, "queries.html", queries=list_queries(), lang=self._lang(params), query="")

    def _named(self, name: str, params: dict[str, list[str]]) -> None:
        from envgraph.queries import load_query

        cfg = self.server.config
        named = load_query(name)  # QueryError (400) for a name that is not in the library
        lang = self._lang(params)
        values = {p.name: self._first(params, p.name).strip() for p in named.params}
        given = tuple(sorted((k, v) for k, v in values.items() if v))
        missing = [p for p in named.params if not p.optional and not values[p.name]]
        fmt = self._first(params, "format").strip().lower()
        if missing:
            if fmt:
                raise _HttpError(400, f"query {name!r} needs the parameter {missing[0].name}")
            self._page(200, "query.html", named=named, values=values, lang=lang, query="",
                       answer=None, missing=[p.name for p in missing])
            return
        (vars_, rows, total), source = self.server.ask(("named", name, given, lang, cfg.max_rows),
                                                      cfg.timeout)
        headers = {"X-Envgraph-Cache": source}
        if total > len(rows):
            headers.update({"X-Envgraph-Truncated": "true", "X-Envgraph-Max-Rows": str(cfg.max_rows)})
        if fmt:
            media = _FORMAT_PARAMS.get(fmt)
            if media not in _SELECT_FORMATS:
                raise _HttpError(400, "format is one of json, csv, tsv, xml")
            headers["Content-Disposition"] = f'attachment; filename="{name}.{_SELECT_FORMATS[media]}"'
            self._send(200, media, serialize_select(vars_, rows, media), headers)
            return
        try:
            page = max(1, int(self._first(params, "page", "1")))
        except ValueError:
            raise _HttpError(400, "page must be a number") from None
        pages = max(1, -(-len(rows) // cfg.page_rows))
        page = min(page, pages)
        shown = rows[(page - 1) * cfg.page_rows: page * cfg.page_rows]

        def link(**extra: str) -> str:
            return f"/queries/{urllib.parse.quote(name)}?" + urllib.parse.urlencode(
                {**dict(given), "lang": lang, **extra})

        body = self.server.templates.get_template("query.html").render(
            languages=LANGUAGES, lang=lang, query="", named=named, values=values, missing=[],
            answer={"vars": vars_, "rows": [[_cell(t, lang) for t in row] for row in shown],
                    "total": total, "kept": len(rows), "first": (page - 1) * cfg.page_rows + 1,
                    "page": page, "pages": pages,
                    "prev": link(page=str(page - 1)) if page > 1 else None,
                    "next": link(page=str(page + 1)) if page < pages else None,
                    "downloads": {f: link(format=f) for f in ("csv", "json")}})
        self._send(200, "text/html", body.encode("utf-8"), headers)


def _cell(node: Node | None, lang: str) -> dict[str, str | None]:
    """How a value of a named query's answer is shown: entities link to their page."""
    if node is None:
        return {"text": "", "href": None}
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(ENTITY_BASE):
        return {"text": text[len(ENTITY_BASE):], "href": _entity_href(text, lang)}
    return {"text": text, "href": None}


_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def graph_csp(page: str) -> str:
    """A Content-Security-Policy for a page from :func:`envgraph.render.html_document` that runs
    exactly its own inline scripts (by hash) and nothing else."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"
        for code in _SCRIPT_RE.findall(page)
    )
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def make_server(config: ServeConfig) -> EnvgraphServer:
    """Start the workers (each opens the store) and bind the server; call ``serve_forever``."""
    if config.max_rows < 1 or config.timeout <= 0 or config.max_body < 1 or config.page_rows < 1:
        raise QueryError("max-rows, timeout, page rows and the body limit must be positive")
    if config.cache_mb < 0:
        raise QueryError("the cache size cannot be negative (0 turns the cache off)")
    workers = 1 if config.allow_updates else max(1, config.workers)
    pool = WorkerPool(config.store, workers, writable=config.allow_updates)
    pool.start()
    try:
        return EnvgraphServer(config, pool)
    except OSError as err:
        pool.close()
        raise StoreError(f"cannot listen on {config.host}:{config.port}: {err}") from err


def serve(config: ServeConfig, *, announce: Callable[[str], None] = print) -> None:
    """Run the web app until interrupted."""
    server = make_server(config)
    announce(f"envgraph serving {config.store} at {server.url}/ "
             f"({'read-write' if config.allow_updates else 'read-only'}; "
             f"timeout {config.timeout:g}s, at most {config.max_rows} rows); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


__all__ = [
    "EnvgraphServer", "ProtocolAnswer", "QueryTimeout", "ServeConfig", "ServerBusy", "WorkerPool",
    "graph_csp", "make_server", "serialize_ask", "serialize_select", "serve",
]
