"""Benchmark 4: incremental build — adding one document to a large store, and rebuilding an
unchanged corpus (which must do no extraction: content hashes).

The stores: for each size in ``ENVGRAPH_BENCH_INCREMENTAL_DOCS`` (default ``1000,10000``
documents; quick: 20 and 60), a store of that many document graphs made of replicas of a
200-document slice of the corpus as envgraph builds it, with the discovered actors' keys
distinct per replica (:mod:`benchmarks.graphs`, ``distinct_keys``): the shape of a store
envgraph builds, where one key names one actor, and where new documents meet the actors of the
first replica. The graphs are streamed into the store (no N-Quads file, so a 100,000-document
store needs only the store's own disk space) and the store is kept in the work folder for the
next run with the same base graphs (the documents the benchmark adds are removed again).

On each store, new synthetic documents are added one at a time:

* through the API with the extractor already loaded (the cost of the operation itself), after
  the one-off making of the person-key index (a store loaded from a file has none) and two reads
  of the whole store that builds used to make before extracting anything (for reference);
* with the command a user runs, ``envgraph build FILE --store``, in a child process (start-up
  and lexicon loading included), and the same command on a file already in the store (nothing
  extracted: what start-up and the hash look-up cost).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_build import corpus_files, run_build
from benchmarks.context import Context, now
from benchmarks.corpus import CorpusGenerator
from benchmarks.graphs import graph_factory
from benchmarks.measure import Timing, envgraph_cli, python_child, run_child
from benchmarks.report import Metric, Section, Table, Target

NEW_DOC_BASE = 900_000  # indices of the added documents: far beyond any corpus size used here
SIZES_ENV = "ENVGRAPH_BENCH_INCREMENTAL_DOCS"
BUILT_ENV = "ENVGRAPH_BENCH_INCREMENTAL_BUILT"
STORE_VERSION = 1  # of the way stores are made here: a new value makes them again


def store_sizes(ctx: Context) -> list[int]:
    """Documents per store, smallest first: ``$ENVGRAPH_BENCH_INCREMENTAL_DOCS`` or the defaults."""
    value = os.environ.get(SIZES_ENV, "").strip()
    if value:
        return sorted({int(part.replace("_", "")) for part in value.split(",") if part.strip()})
    return [20, 60] if ctx.quick else [1_000, 10_000]


def _store(ctx: Context, documents: int) -> tuple[Path, dict[str, Any]]:
    """A store of ``documents`` document graphs with distinct keys (made, or kept from an
    earlier run with the same base graphs), and what it holds."""
    factory = graph_factory(ctx, 4 if ctx.quick else 200)
    work = ctx.work / "incremental"
    work.mkdir(parents=True, exist_ok=True)
    chunks = work / "base-graphs.jsonl"
    factory.save(chunks)
    digest = hashlib.sha256(chunks.read_bytes()).hexdigest()
    store = work / f"store-{documents}"
    marker = work / f"store-{documents}.json"
    wanted = {"version": STORE_VERSION, "documents": documents, "base": digest}
    if store.is_dir() and marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        if {k: info.get(k) for k in wanted} == wanted:
            return store, info
    shutil.rmtree(store, ignore_errors=True)
    marker.unlink(missing_ok=True)
    ctx.log(f"incremental: loading a store of {documents:,} documents (distinct keys per replica)")
    child, answer = python_child("ox_replicate_load", {"chunks": str(chunks), "documents": documents,
                                                       "distinct_keys": True, "store": str(store)},
                                 timeout=4 * 3600)
    if answer is None:
        raise RuntimeError(f"cannot load the store of {documents} documents: {child.stderr[-400:]}")
    info = {**wanted, "quads": int(answer["quads"]), "load_seconds": float(answer["seconds"]),
            "disk_mb": sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20}
    marker.write_text(json.dumps(info), encoding="utf-8")
    return store, info


def _new_documents(ctx: Context, count: int) -> list[Path]:
    folder = ctx.work / "incremental" / "new"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    generator = CorpusGenerator(ctx.seed)
    out = []
    for i in range(count):
        doc = generator.document(NEW_DOC_BASE + i)
        path = folder / doc.doc_id
        path.write_text(doc.text, encoding="utf-8")
        out.append(path)
    return out


def _cli_build(path: Path, store: Path) -> dict[str, Any]:
    result = run_child([*envgraph_cli(), "build", str(path), "--store", str(store), "--no-progress", "--json"],
                       timeout=900)
    summary = json.loads(result.stdout) if result.ok else {}
    return {"seconds": result.seconds, "max_rss_mb": result.max_rss_mb,
            "extracted": summary.get("documents_extracted"), "unchanged": summary.get("documents_unchanged"),
            "error": "" if result.ok else result.stderr[-300:]}


def built_stores() -> list[Path]:
    """Stores made by `envgraph build` to measure as well (``$ENVGRAPH_BENCH_INCREMENTAL_BUILT``,
    comma-separated folders, e.g. the build benchmark's 100,000-document store)."""
    value = os.environ.get(BUILT_ENV, "").strip()
    return [Path(part.strip()) for part in value.split(",") if part.strip()]


def _built_info(store: Path) -> dict[str, Any]:
    if not store.is_dir():
        raise RuntimeError(f"{BUILT_ENV}: no store at {store}")
    return {"built": True, "quads": None,
            "disk_mb": sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20}


def _measure_store(ctx: Context, documents: int | None, new_docs: list[Path], runs: int,
                   built: Path | None = None) -> dict[str, Any]:
    """Add each new document to a store: a replicated one of ``documents`` documents, or the
    store ``built`` by `envgraph build` (its documents counted here); then remove them again."""
    if built is None:
        assert documents is not None
        store, info = _store(ctx, documents)
    else:
        store, info = built, _built_info(built)
    api_docs, cli_docs = new_docs[:runs], new_docs[runs:2 * runs]
    ctx.log(f"incremental: adding 1 document to {'the store ' + str(built) if built else f'a store of {documents:,} documents'}"
            f" through the API ({runs} runs)")
    child, api = python_child("incremental", {"store": str(store), "files": [str(p) for p in api_docs],
                                              "reference_reads": True}, timeout=3600)
    api = api or {"error": child.stderr[-300:]}
    if documents is None:
        documents = int(api.get("documents_in_store", 0))
    ctx.log(f"incremental: adding 1 document to a store of {documents:,} documents with `envgraph build` ({runs} runs)")
    cli = [_cli_build(path, store) for path in cli_docs]
    unchanged = [_cli_build(path, store) for path in api_docs[:runs]]
    python_child("remove_documents", {"store": str(store), "doc_ids": [p.name for p in new_docs]}, timeout=900)
    return {"documents": documents, "store": info, "api": api, "cli": cli, "cli_unchanged": unchanged}


def compile_envgraph() -> None:
    """Compile envgraph's modules to bytecode, as pip does for an installed package. An
    editable install writes it on first import, unless PYTHONDONTWRITEBYTECODE is set (as on
    these machines): every command would then compile ~15,000 lines again (~0.1 s)."""
    import compileall

    import envgraph

    compileall.compile_dir(str(Path(envgraph.__file__).parent), quiet=1)


def run(ctx: Context) -> Section:
    started = time.perf_counter()
    compile_envgraph()
    runs = 1 if ctx.quick else 3
    sizes = store_sizes(ctx)
    new_docs = _new_documents(ctx, 2 * runs)
    stores = [_measure_store(ctx, documents, new_docs, runs) for documents in sizes]
    stores += [_measure_store(ctx, None, new_docs, runs, built=path) for path in built_stores()]
    stores.sort(key=lambda s: s["documents"])  # the largest decides the verdict

    ctx.log("incremental: rebuilding an unchanged corpus")
    small_store = ctx.shared.get("build_store_small")
    folders = ctx.shared.get("build_folders_small")
    if not (isinstance(small_store, Path) and small_store.is_dir() and isinstance(folders, list)):
        docs = 4 if ctx.quick else 200
        ctx.corpus(docs if ctx.quick else 1000)
        folders = ctx.folders(docs)
        small_store = ctx.work / "incremental" / "unchanged-store"
        first, error = run_build(folders, small_store)
        if first is None:
            raise RuntimeError(f"cannot build the corpus to rebuild: {error}")
    again, error = run_build(folders, small_store, fresh=False)
    if again is None:
        raise RuntimeError(f"the unchanged rebuild failed: {error}")
    return _section(ctx, stores, again, len(corpus_files(folders)), time.perf_counter() - started)


def _timing(rows: list[dict[str, Any]]) -> Timing | None:
    seconds = tuple(r["seconds"] for r in rows if r.get("seconds") is not None and not r.get("error"))
    return Timing(seconds) if seconds else None


def _size(mb: float) -> str:
    return f"{mb / 1024:,.1f} GB" if mb >= 1024 else f"{mb:,.0f} MB"


def _spread(timing: Timing | None) -> str:
    return timing.spread() if timing else "failed"


def _section(ctx: Context, stores: list[dict[str, Any]], again: Any, corpus_docs: int, seconds: float) -> Section:
    rows = []
    for s in stores:
        api, info = s["api"], s["store"]
        api_t, cli_t, start_t = _timing(api.get("adds", [])), _timing(s["cli"]), _timing(s["cli_unchanged"])
        index = f"{api.get('index_seconds', 0):.2f} s" + ("" if api.get("index_made") else " (had one)")
        rows.append([
            f"{s['documents']:,}" + (" (built)" if info.get("built") else ""),
            "—" if info.get("quads") is None else f"{info['quads']:,}", _size(info.get("disk_mb", 0)),
            _spread(api_t), _spread(cli_t),
            f"{max((c['max_rss_mb'] for c in s['cli']), default=0):,.0f} MB",
            _spread(start_t), index,
            f"{api.get('document_hashes_seconds', 0):.2f} s", f"{api.get('known_entity_keys_seconds', 0):.2f} s",
        ])
    tables = [Table(
        "Adding one new document to a store",
        ["documents", "quads", "store on disk", "API add", "CLI add", "CLI peak RSS", "CLI, file unchanged",
         "person-key index made (once)", "reading every hash (old)", "reading every key (old)"],
        rows,
        "Each add is a different new synthetic document (a median over the runs, with the range). "
        "API: `build([NEW.txt], store, extractor=loaded)`. CLI: `envgraph build NEW.txt --store S "
        "--no-progress --json` in a child process, everything included; 'file unchanged' is the same "
        "command on a file the store already has (start-up, lexicon, one hash look-up, nothing extracted). "
        "'(built)': a store made by `envgraph build` from the synthetic corpus (its quads not "
        "counted: a scan of the whole store); the others are replicas of built document graphs, "
        "loaded in bulk with distinct keys per replica. "
        "The index is made once for a store that has none (loaded from a file, made by an older "
        "version, or after a SPARQL update naming skos:notation); the last two columns are the reads "
        "of the whole store a build made before extracting anything until now, timed once for reference.",
    ), Table(
        "Rebuilding an unchanged corpus",
        ["documents", "time", "extracted", "unchanged", "peak RSS"],
        [[f"{corpus_docs:,}", f"{again.seconds:.1f} s", str(again.extracted), str(again.unchanged),
          f"{again.max_rss_mb:,.0f} MB"]],
        "The same folders built again into the same store: the summary of `envgraph build --json` "
        "reports every document as unchanged (same sha256 as stored) and none extracted.",
    )]
    largest = stores[-1]
    api_t, cli_t = _timing(largest["api"].get("adds", [])), _timing(largest["cli"])
    metrics = {"unchanged rebuild": Metric(again.seconds, "s", "lower")}
    if cli_t:
        metrics["add 1 document (CLI)"] = Metric(cli_t.median, "s", "lower")
    if api_t:
        metrics["add 1 document (API)"] = Metric(api_t.median, "s", "lower")
    docs = largest["documents"]
    at_100k = docs >= 100_000
    targets = []
    for how, timing in (("API", api_t), ("CLI", cli_t)):
        if timing is None:
            continue
        where = f"{timing.median:.2f} s on {docs:,} documents" + ("" if at_100k else " (no 100k-document store measured)")
        verdict = (timing.median < 1.0) if at_100k or timing.median >= 1.0 else None
        targets.append(Target(f"add 1 document to a 100k-document store ({how})", "< 1 s", where, verdict))
    targets.append(Target("unchanged corpus: no extraction", "0 documents extracted",
                          f"{again.extracted} extracted, {again.unchanged} unchanged of {corpus_docs:,}",
                          again.extracted == 0 and again.unchanged == corpus_docs))
    notes = [
        "A build looks up the stored hash of each file it reads and resolves names against the "
        "store one key at a time (envgraph.keyindex), so adding a file costs what the file costs: "
        "compare the API column across store sizes. The IRIs are those a resolver seeded with every "
        "key of the store gives (tests/test_pipeline.py checks it build by build).",
        "The CLI column is mostly start-up: Python, imports (rdflib, typer and the pydantic it "
        "builds its parameters with), the lexicon (read from the disk cache after the first run, "
        "see envgraph.diskcache), the ontology index, opening the store; the 'file unchanged' "
        "column is that fixed part. envgraph's own modules are compiled to bytecode before the "
        "runs, as pip does for an installed package (these machines set PYTHONDONTWRITEBYTECODE, "
        "so an editable install would compile them again on every command).",
        f"Sizes: set {SIZES_ENV}=1000,10000,100000 for other store sizes (a 100,000-document store "
        "takes about 35 GB of disk and 15–30 minutes to load here; it is kept for later runs); "
        f"{BUILT_ENV}=STORE[,STORE] measures stores made by `envgraph build` as well (such as the "
        "build benchmark's `--build-sizes …,100000:1` store under WORK/build-stores).",
    ]
    summary = ("One new synthetic document added to stores of several sizes, by the CLI and through "
               "the API; then an unchanged corpus rebuilt into its own store.")
    return Section(name="incremental", title="4. Incremental build", summary=summary, tables=tables,
                   targets=targets, notes=notes, metrics=metrics,
                   data={"stores": stores,
                         "unchanged": {"seconds": again.seconds, "extracted": again.extracted,
                                       "unchanged": again.unchanged, "documents": corpus_docs}},
                   seconds=seconds, quick=ctx.quick, measured_at=now())
