"""Benchmark tasks that run in a child process (``python -m benchmarks.worker REQUEST.json``).

A child process gives each measurement its own peak memory figure and lets the runner kill a
reference that does not finish (rdflib and owlrl cannot be interrupted in-process). Each task
writes its answer as JSON; tasks that run many steps rewrite the answer after every step, so a
killed child still leaves what it measured.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any


def _write(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------------------------
# build: where the time goes
# --------------------------------------------------------------------------------------------

_STAGES: tuple[tuple[str, str], ...] = (  # names envgraph.pipeline imports; missing ones are skipped
    ("envgraph.pipeline", "build_view"),
    ("envgraph.pipeline", "find_mentions"),
    ("envgraph.pipeline", "extract_relations"),
    ("envgraph.pipeline", "extract_dates"),
    ("envgraph.pipeline", "extract_positions"),
    ("envgraph.pipeline", "extract_homepages"),
    ("envgraph.pipeline", "emit"),
    ("envgraph.pipeline", "emit_ntriples"),
)

_STAGE_NAMES = {
    "build_view": "normalise + segment + language id (build_view)",
    "find_mentions": "lexicon matching + discovery (find_mentions)",
    "resolve": "resolution (Resolver.resolve)",
    "extract_relations": "relations (extract_relations)",
    "extract_dates": "dates (extract_dates)",
    "extract_positions": "positions (extract_positions)",
    "extract_homepages": "homepages (extract_homepages)",
    "emit": "RDF triples (emit)",
    "emit_ntriples": "RDF as N-Triples (emit_ntriples)",
    "replace_document": "store write (replace_document)",
    "replace_documents": "store write, batches of whole documents (replace_documents)",
    "refresh_index": "summary index, computed once at the end (refresh_index)",
}


def _timed(fn: Callable[..., Any], name: str, totals: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def task_profile_build(args: Mapping[str, Any], answer: Path) -> None:
    """Build ``paths`` into a fresh on-disk store twice: once with a timer around each stage
    (no profiler overhead), once under cProfile; report both. The store is written in the
    calling thread here (the build normally writes from a background thread), so that the
    stages add up and the profiler sees the writes."""
    import functools
    import importlib
    import tempfile

    import envgraph.pipeline as pipeline
    from envgraph.pipeline import Extractor, build
    from envgraph.resolve import Resolver
    from envgraph.store import open_store

    scratch = Path(tempfile.mkdtemp(prefix="envgraph-profile-"))
    writer = getattr(pipeline, "GraphWriter", None)
    if writer is not None:
        pipeline.GraphWriter = functools.partial(writer, background=False)  # type: ignore[attr-defined]

    paths = [Path(p) for p in args["paths"]]
    started = time.perf_counter()
    extractor = Extractor.load(lexicon_dir=Path(args["lexicon_dir"]) if args.get("lexicon_dir") else None)
    load_seconds = time.perf_counter() - started

    totals: dict[str, float] = {}
    originals: list[tuple[Any, str, Any]] = []
    for module_name, attr in _STAGES:
        module = importlib.import_module(module_name)
        fn = getattr(module, attr, None)
        if fn is None:
            continue
        originals.append((module, attr, fn))
        setattr(module, attr, _timed(fn, attr, totals))
    resolve = Resolver.resolve
    originals.append((Resolver, "resolve", resolve))
    Resolver.resolve = _timed(resolve, "resolve", totals)  # type: ignore[method-assign]
    store = open_store(scratch / "timed")
    for method in ("replace_document", "replace_documents", "refresh_index"):
        if hasattr(store, method):
            setattr(store, method, _timed(getattr(store, method), method, totals))
    start = time.perf_counter()
    cpu_start = time.process_time()
    report = build(paths, store, extractor=extractor)
    store.close()  # flushes what RocksDB still holds
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    for owner, attr, fn in originals:
        setattr(owner, attr, fn)

    profiler = cProfile.Profile()
    store = open_store(scratch / "profiled")
    profiler.enable()
    build(paths, store, extractor=extractor)
    profiler.disable()
    store.close()
    if writer is not None:
        pipeline.GraphWriter = writer  # type: ignore[attr-defined]
    shutil.rmtree(scratch, ignore_errors=True)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(int(args.get("top", 25)))
    text = buffer.getvalue()
    # keep the table, drop pstats' preamble
    table = text[text.find("   ncalls"):] if "   ncalls" in text else text
    rest = total - sum(totals.values())
    stages = [{"stage": _STAGE_NAMES.get(k, k), "seconds": v} for k, v in
              sorted(totals.items(), key=lambda kv: -kv[1])]
    stages.append({"stage": "reading files, hashing, bookkeeping, closing the store (the rest)", "seconds": rest})
    _write(answer, {"documents": report.documents, "seconds": total, "cpu_seconds": cpu,
                    "lexicon_load": load_seconds, "stages": stages, "profile": table})


# --------------------------------------------------------------------------------------------
# named queries on rdflib and on the embedded store
# --------------------------------------------------------------------------------------------


class RdflibStore:
    """Just enough of envgraph's Store protocol (``query``) over an rdflib Dataset, so the
    named queries run exactly as envgraph runs them (same text, same bindings)."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Any:
        from envgraph.sparqlutil import bind_with_values, check_variable, prefix_block, to_node
        from envgraph.store import QueryResult

        bound = {check_variable(k): to_node(v) for k, v in (bindings or {}).items()}
        result = self.dataset.query(prefix_block() + bind_with_values(sparql, bound))
        if result.type == "ASK":
            return QueryResult(vars=[], rows=[], kind="ask", boolean=bool(result.askAnswer))
        names = [str(v) for v in result.vars]
        return QueryResult(vars=names, rows=[tuple(row) for row in result])


def _run_named(store: Any, specs: list[dict[str, Any]], runs: int, budget: float,
               answer: Path, header: dict[str, Any], warmup: bool = False) -> None:
    """Time each query spec (a named query, or inline SPARQL under ``sparql``) with
    :func:`envgraph.queries.run_query`, as ``envgraph query`` runs it; the answer is rewritten
    after every query so that a killed child leaves the ones it finished."""
    from envgraph.queries import load_query, parse_query_text, run_query

    done: list[dict[str, Any]] = []
    for spec in specs:
        named = (parse_query_text(spec["sparql"], name=spec["label"]) if spec.get("sparql")
                 else load_query(spec["query"]))
        _write(answer, {**header, "queries": done, "running": spec["label"], "since": time.time()})
        if warmup:
            start = time.perf_counter()
            run_query(store, named, spec.get("params") or {})
            _write(answer, {**header, "queries": done, "running": spec["label"], "since": time.time(),
                            "warm": time.perf_counter() - start})
        times: list[float] = []
        rows = 0
        spent = 0.0
        for _ in range(runs):
            start = time.perf_counter()
            result = run_query(store, named, spec.get("params") or {})
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            rows = len(result.rows)
            spent += elapsed
            if spent >= budget:
                break
        done.append({"label": spec["label"], "times": times, "rows": rows})
        _write(answer, {**header, "queries": done})
    _write(answer, {**header, "queries": done, "complete": True})


def task_rdflib_queries(args: Mapping[str, Any], answer: Path) -> None:
    """Load N-Quads files (the graph, and the summary index the pyoxigraph store computed for
    it, so both engines answer the same queries over the same data) into an rdflib Dataset
    (union default graph) and time the named queries on it."""
    import rdflib

    start = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    files = args["nquads"] if isinstance(args["nquads"], list) else [args["nquads"]]
    for path in files:
        dataset.parse(path, format="nquads")
    load = time.perf_counter() - start
    header = {"load_seconds": load, "quads": len(dataset)}
    _write(answer, {**header, "queries": []})
    _run_named(RdflibStore(dataset), list(args["queries"]), int(args["runs"]),
               float(args["budget"]), answer, header)


def task_oxigraph_queries(args: Mapping[str, Any], answer: Path) -> None:
    """Open the embedded store read-only and time the named queries on it (after one
    untimed warm-up run each, so that RocksDB's caches are warm as in a long-running app)."""
    from envgraph.store import open_store

    with open_store(args["store"], read_only=True) as store:
        header = {"load_seconds": 0.0}
        _run_named(store, list(args["queries"]), int(args["runs"]), float(args["budget"]),
                   answer, header, warmup=True)


def task_ox_bulk_load(args: Mapping[str, Any], answer: Path) -> None:
    """Bulk-load an N-Quads file into a new on-disk pyoxigraph store."""
    import pyoxigraph as ox

    start = time.perf_counter()
    store = ox.Store(args["store"])
    store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - start
    _write(answer, {"seconds": seconds, "quads": len(store)})


class _ChunkStream(io.RawIOBase):
    """A readable byte stream over an iterator of byte strings (no copy of the whole)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not len(self._rest):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._rest = memoryview(chunk)
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def task_ox_replicate_load(args: Mapping[str, Any], answer: Path) -> None:
    """Bulk-load the first ``documents`` document graphs of the replicas of a saved graph
    factory (benchmarks.graphs) into a new on-disk store, streamed: no N-Quads file is written,
    so stores far larger than the free disk's share for a temporary file can be made."""
    import pyoxigraph as ox

    from benchmarks.graphs import read_chunks, replicas

    chunks = read_chunks(Path(args["chunks"]))
    target = int(args["documents"])
    counted = {"quads": 0}

    def pieces() -> Iterator[bytes]:
        for number, (text, n) in enumerate(replicas(chunks, distinct_keys=bool(args.get("distinct_keys")))):
            if number >= target:
                return
            counted["quads"] += n
            yield text.encode("utf-8")

    start = time.perf_counter()
    store = ox.Store(args["store"])
    store.bulk_load(io.BufferedReader(_ChunkStream(pieces()), buffer_size=1 << 20), format=ox.RdfFormat.N_QUADS)
    store.flush()
    _write(answer, {"seconds": time.perf_counter() - start, "quads": counted["quads"], "documents": target})


def task_reindex(args: Mapping[str, Any], answer: Path) -> None:
    """Compute the summary index of a store that was bulk-loaded without envgraph (what
    ``envgraph reindex`` does), and write the index graph as N-Quads for the rdflib side."""
    import pyoxigraph as ox

    from envgraph.settings import INDEX_GRAPH
    from envgraph.store import open_store

    start = time.perf_counter()
    with open_store(args["store"]) as store:
        report = store.refresh_index(full=True)
        seconds = time.perf_counter() - start
        quads = 0
        if args.get("index_nquads"):
            native = store.oxigraph
            index = list(native.quads_for_pattern(None, None, None, ox.NamedNode(INDEX_GRAPH)))
            quads = len(index)
            with open(args["index_nquads"], "wb") as out:
                ox.serialize(index, out, ox.RdfFormat.N_QUADS)
    _write(answer, {"seconds": seconds, "entities": report.entities, "index_quads": quads})


# --------------------------------------------------------------------------------------------
# reasoning
# --------------------------------------------------------------------------------------------


def task_owlrl(args: Mapping[str, Any], answer: Path) -> None:
    """envgraph's reference path (owlrl's OWL 2 RL closure, filtered) over an N-Quads file;
    writes the entailments as N-Triples so the runner can compare them with the fast path."""
    import rdflib

    from envgraph.reason import entailments_owlrl, load_ontology

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(args["nquads"], format="nquads")
    ontology = load_ontology()
    _write(answer, {"loaded": True})
    start = time.perf_counter()
    triples = entailments_owlrl(dataset, ontology)
    seconds = time.perf_counter() - start
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    graph.serialize(args["out"], format="nt", encoding="utf-8")
    _write(answer, {"loaded": True, "seconds": seconds, "entailments": len(triples)})


def task_sparql_reason(args: Mapping[str, Any], answer: Path) -> None:
    """envgraph's fast path (read the premises once, chain in memory, write g:inferred) on an
    on-disk store; writes g:inferred as N-Triples, and the seconds of each phase. With
    ``profile`` set, also a cProfile of the run: the functions with the most own time."""
    import cProfile
    import pstats

    import pyoxigraph as ox

    from envgraph.reason import drop_inferred, load_ontology, materialise
    from envgraph.settings import INFERRED_GRAPH
    from envgraph.store import open_store

    ontology = load_ontology()
    profiler = cProfile.Profile() if args.get("profile") else None
    with open_store(args["store"]) as store:
        if profiler:
            drop_inferred(store)  # an earlier run's g:inferred: its removal is not profiled
            profiler.enable()
        report = materialise(store, "sparql", ontology)
        if profiler:
            profiler.disable()
        quads = store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        with open(args["out"], "wb") as handle:
            ox.serialize(triples, handle, ox.RdfFormat.N_TRIPLES)
    out: dict[str, Any] = {"seconds": report.seconds, "entailments": report.triples,
                           "phases": [{"step": k, "seconds": v} for k, v in report.phases]}
    if profiler:
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        rows = sorted(((v[2], v[3], v[1], f"{Path(k[0]).name}:{k[1]}({k[2]})") for k, v in stats.items()),
                      reverse=True)
        out["profile"] = [{"function": name, "own": own, "cumulative": cum, "calls": calls}
                          for own, cum, calls, name in rows[:12]]
    _write(answer, out)


def task_extract_only(args: Mapping[str, Any], answer: Path) -> None:
    """Extract (and serialise) every document without writing to any store, timing the
    lexicon load and the extraction separately: what the build costs without its store."""
    import envgraph.pipeline as pipeline
    from envgraph.read import iter_documents

    start = time.perf_counter()
    extractor = pipeline.Extractor.load(lexicon_dir=Path(args["lexicon_dir"]) if args.get("lexicon_dir") else None)
    load = time.perf_counter() - start
    resolver = extractor.resolver()
    serialise = getattr(pipeline, "emit_ntriples", None) or getattr(pipeline, "emit", None)
    documents = 0
    ntriples_bytes = 0
    writing = 0.0
    out = open(args["nquads_out"], "w", encoding="utf-8") if args.get("nquads_out") else None  # noqa: SIM115
    start = time.perf_counter()
    for result in iter_documents([Path(p) for p in args["paths"]]):
        if result.document is None:
            continue
        extraction = pipeline.extract(result.document, extractor, resolver)
        text = serialise(extraction) if serialise is not None else None
        documents += 1
        if isinstance(text, str):
            aside = time.perf_counter()  # counting and writing out are not the pipeline's time
            ntriples_bytes += len(text.encode("utf-8"))
            if out is not None:  # what the store would load, as N-Quads
                out.write(text.replace(" .\n", f" <{pipeline.graph_iri(result.document.doc_id)}> .\n"))
            writing += time.perf_counter() - aside
    seconds = time.perf_counter() - start - writing
    if out is not None:
        out.close()
    _write(answer, {"documents": documents, "lexicon_load": load, "seconds": seconds,
                    "ntriples_bytes": ntriples_bytes})


def task_incremental(args: Mapping[str, Any], answer: Path) -> None:
    """Add documents one at a time to an existing store through the API (extractor loaded
    once, not timed), timing each addition; before them, the one-off making of the person-key
    index (a store loaded from a file has none) and, with ``reference_reads``, the two reads of
    the whole store that builds made first before they looked keys up one at a time."""
    from envgraph.keyindex import ensure_index
    from envgraph.pipeline import Extractor, build, known_entity_keys
    from envgraph.store import open_store

    extractor = Extractor.load()
    out: dict[str, Any] = {"adds": []}
    with open_store(args["store"]) as store:
        if args.get("reference_reads"):
            start = time.perf_counter()
            hashes = store.document_hashes()
            out["document_hashes_seconds"] = time.perf_counter() - start
            out["documents_in_store"] = len(hashes)
            start = time.perf_counter()
            keys = known_entity_keys(store)
            out["known_entity_keys_seconds"] = time.perf_counter() - start
            out["known_entity_keys"] = len(keys)
            _write(answer, out)
        start = time.perf_counter()
        out["index_made"] = ensure_index(store)
        out["index_seconds"] = time.perf_counter() - start
        _write(answer, out)
        for path in args["files"]:
            start = time.perf_counter()
            report = build([Path(path)], store, extractor=extractor)
            out["adds"].append({"seconds": time.perf_counter() - start, "extracted": report.documents})
            _write(answer, out)
    _write(answer, out)


def task_remove_documents(args: Mapping[str, Any], answer: Path) -> None:
    """Remove documents from a store (to give it back as it was after a benchmark's adds)."""
    from envgraph.store import open_store

    removed = 0
    with open_store(args["store"]) as store:
        present = store.document_hashes(args["doc_ids"])
        for doc_id in present:
            store.remove_document(doc_id)
            removed += 1
    _write(answer, {"removed": removed})


def task_html_page(args: Mapping[str, Any], answer: Path) -> None:
    """Open one page in a fresh headless Chromium and time its drawing (benchmark 5)."""
    from benchmarks.bench_html import measure_in_browser

    _write(answer, measure_in_browser(args["url"], float(args["cap"]), drill_down=bool(args["drill_down"])))


TASKS: dict[str, Callable[[Mapping[str, Any], Path], None]] = {
    "html_page": task_html_page,
    "incremental": task_incremental,
    "ox_replicate_load": task_ox_replicate_load,
    "remove_documents": task_remove_documents,
    "extract_only": task_extract_only,
    "profile_build": task_profile_build,
    "rdflib_queries": task_rdflib_queries,
    "oxigraph_queries": task_oxigraph_queries,
    "ox_bulk_load": task_ox_bulk_load,
    "reindex": task_reindex,
    "owlrl": task_owlrl,
    "sparql_reason": task_sparql_reason,
}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m benchmarks.worker REQUEST.json", file=sys.stderr)
        return 2
    request = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    TASKS[request["task"]](request["args"], Path(request["answer"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
