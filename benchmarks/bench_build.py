"""Benchmark 1: build throughput end to end (files → RDF in the embedded store).

Each build is ``envgraph build FOLDERS --store NEW --no-progress --json`` in its own process, so
the wall time includes everything a user waits for (start-up, lexicon loading, reading,
extraction, writing) and the peak RSS is that process's own. The reference for the matching
stage is a raw pyahocorasick multi-pattern scan of the same files with every name and
abbreviation of the same lexicon (lower-cased text, lower-cased names), run in this process.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.context import Context, now
from benchmarks.corpus import read_facts
from benchmarks.measure import (
    Timing,
    envgraph_cli,
    fmt_ratio,
    python_child,
    run_child,
)
from benchmarks.report import Metric, Section, Table, Target

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class BuildRun:
    docs: int
    bytes: int
    seconds: float
    max_rss_mb: float
    extracted: int
    unchanged: int
    skipped: int
    facts: int
    cpu_seconds: float = 0.0  # user + system, of the build process and its workers

    @property
    def mb_per_s(self) -> float:
        return self.bytes / MB / self.seconds

    @property
    def core_seconds(self) -> float:
        """The cores' time the build took: its CPU time, or its wall time when it waited more
        than it computed (a single-threaded process uses one core for its whole wall time)."""
        return max(self.seconds, self.cpu_seconds)

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds

    @property
    def ms_per_doc(self) -> float:
        return self.seconds / self.docs * 1000


def cli_has_jobs() -> bool:
    """Whether this envgraph's ``build`` has a ``--jobs`` option."""
    result = run_child([*envgraph_cli(), "build", "--help"], timeout=60)
    return "--jobs" in result.stdout


def corpus_files(folders: Iterable[Path]) -> list[Path]:
    return sorted(p for folder in folders for p in folder.glob("*.txt"))


def corpus_bytes(files: Iterable[Path]) -> int:
    return sum(p.stat().st_size for p in files)


def run_build(folders: Sequence[Path], store: Path, *, lexicon: Path | None = None,
              timeout: float | None = None, fresh: bool = True,
              jobs: int | None = None) -> tuple[BuildRun | None, str]:
    """One ``envgraph build`` in a child process; (None, error text) if it failed."""
    if fresh:
        shutil.rmtree(store, ignore_errors=True)
        store.with_name(store.name + ".lock").unlink(missing_ok=True)
    cmd = [*envgraph_cli(), "build", *map(str, folders), "--store", str(store), "--no-progress", "--json"]
    if lexicon is not None:
        cmd += ["--lexicon", str(lexicon)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    result = run_child(cmd, timeout=timeout)
    if not result.ok:
        why = "timed out" if result.timed_out else f"exit code {result.returncode}"
        return None, f"{why}: {result.stderr.strip()[-500:]}"
    summary = json.loads(result.stdout)
    files = corpus_files(folders)
    return BuildRun(
        docs=len(files),
        bytes=corpus_bytes(files),
        seconds=result.seconds,
        max_rss_mb=result.max_rss_mb,
        extracted=int(summary["documents_extracted"]),
        unchanged=int(summary["documents_unchanged"]),
        skipped=int(summary["documents_skipped"]),
        facts=sum(int(v) for v in summary["facts_by_property"].values()),
        cpu_seconds=result.cpu_seconds,
    ), ""


# --------------------------------------------------------------------------------------------
# The reference: a raw multi-pattern scan
# --------------------------------------------------------------------------------------------


def lexicon_patterns(lexicon_dir: Path | None) -> list[str]:
    """Every name and abbreviation of the lexicon, lower-cased (the patterns a plain
    multi-pattern matcher would look for)."""
    from envgraph.lexicon import load_entries
    from envgraph.resources import data_dir

    entries = load_entries(lexicon_dir or data_dir("lexicon"))
    return sorted({text.lower() for e in entries.values() for text, _lang in e.all_labels()})


def aho_scan(files: Sequence[Path], patterns: Sequence[str]) -> tuple[float, float, int]:
    """(automaton build seconds, scan seconds, matches): read, decode, lower-case and scan."""
    import ahocorasick

    start = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for i, pattern in enumerate(patterns):
        automaton.add_word(pattern, i)
    automaton.make_automaton()
    built = time.perf_counter() - start
    start = time.perf_counter()
    matches = 0
    for path in files:
        text = path.read_bytes().decode("utf-8").lower()
        for _ in automaton.iter(text):
            matches += 1
    return built, time.perf_counter() - start, matches


# --------------------------------------------------------------------------------------------
# Recall of the known facts
# --------------------------------------------------------------------------------------------

_FACTS_QUERY = """
SELECT ?doc ?s ?p ?o WHERE {
  ?f a env:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?d .
  ?d dcterms:identifier ?doc .
}"""

_LABELS_QUERY = """
SELECT DISTINCT ?e ?l WHERE { ?e rdfs:label|skos:prefLabel|skos:altLabel ?l . FILTER(isIRI(?e)) }"""


def _norm(text: str) -> str:
    for ch in "\"«»“”'":
        text = text.replace(ch, "")
    return " ".join(text.lower().split())


def fact_recall(store_path: Path, facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The share of known facts found in the store: same document, same property, subject and
    object the same lexicon entity (by IRI) or, for invented actors, an entity whose label
    equals or contains the known label (case- and quote-insensitive); literals by value."""
    from envgraph.settings import ENTITY_BASE, ONTOLOGY_NS
    from envgraph.store import open_store

    with open_store(store_path, read_only=True) as store:
        found_rows = store.query(_FACTS_QUERY).rows
        label_rows = store.query(_LABELS_QUERY).rows
    labels: dict[str, set[str]] = defaultdict(set)
    for e, label in label_rows:
        labels[str(e)].add(_norm(str(label)))
    by_doc: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for doc, s, p, o in found_rows:
        by_doc[(str(doc), str(p)[len(ONTOLOGY_NS):])].append((str(s), str(o)))

    def same(iri: str, label: str, type_: str, entry_id: str | None) -> bool:
        if entry_id:
            return iri == f"{ENTITY_BASE}{type_.lower()}/{entry_id.replace('_', '-')}"
        if type_ == "literal":
            return iri == label
        want = _norm(label)
        return any(want == have or (want in have) or (have in want and len(have) >= 4)
                   for have in labels.get(iri, ()))

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    langs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fact in facts:
        candidates = by_doc.get((fact["doc"], fact["property"]), [])
        hit = any(same(s, fact["subject"], fact["subject_type"], fact["subject_id"])
                  and same(o, fact["object"], fact["object_type"], fact["object_id"])
                  for s, o in candidates)
        for bucket in (totals[fact["property"]], totals["all"], langs[fact["lang"]]):
            bucket[0] += int(hit)
            bucket[1] += 1
    return {"by_property": {k: v for k, v in sorted(totals.items())},
            "by_language": {k: v for k, v in sorted(langs.items())},
            "extracted_facts": len(found_rows)}


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildPlan:
    sizes: tuple[tuple[int, int], ...]  # (documents, runs)
    lexicon_docs: int
    lexicon_runs: int
    lexicon_size: int
    profile_docs: int
    timeout: float
    jobs_sizes: tuple[tuple[int, int], ...] = ()  # (documents, runs) with --jobs <cores>


FULL = BuildPlan(sizes=((1000, 2), (10000, 1)), lexicon_docs=500, lexicon_runs=2,
                 lexicon_size=10_000, profile_docs=200, timeout=1500, jobs_sizes=((1000, 2),))
QUICK = BuildPlan(sizes=((8, 1),), lexicon_docs=8, lexicon_runs=1,
                  lexicon_size=1_200, profile_docs=4, timeout=120)


def _summarise(runs: list[BuildRun]) -> dict[str, Any]:
    t = Timing(tuple(r.seconds for r in runs))
    return {"seconds": t.as_json(), "docs": runs[0].docs, "bytes": runs[0].bytes,
            "max_rss_mb": max(r.max_rss_mb for r in runs), "extracted": runs[0].extracted,
            "facts": runs[0].facts}


def run(ctx: Context) -> Section:
    """The build benchmark, with envgraph's cache (the compiled lexicon) in a folder of this run
    that starts empty, so that first builds and later ones are told apart."""
    import os

    from envgraph.settings import CACHE_ENV_VAR

    cache = ctx.work / "envgraph-cache"
    shutil.rmtree(cache, ignore_errors=True)
    previous = os.environ.get(CACHE_ENV_VAR)
    os.environ[CACHE_ENV_VAR] = str(cache)  # inherited by every child process
    try:
        return _run(ctx)
    finally:
        if previous is None:
            os.environ.pop(CACHE_ENV_VAR, None)
        else:
            os.environ[CACHE_ENV_VAR] = previous


def plan_for(ctx: Context) -> BuildPlan:
    """The plan of this run: quick or full, with the end-to-end sizes of ``--build-sizes`` if
    given. A build may take ``plan.timeout`` seconds or 0.25 s per document, whichever is more
    (100,000 documents take about an hour here)."""
    plan = QUICK if ctx.quick else FULL
    if ctx.build_sizes:
        largest = max(n for n, _ in ctx.build_sizes)
        plan = replace(plan, sizes=tuple(ctx.build_sizes), timeout=max(plan.timeout, 0.25 * largest))
    return plan


def _run(ctx: Context) -> Section:
    plan = plan_for(ctx)
    started = time.perf_counter()
    largest = max(n for n, _ in plan.sizes)
    ctx.log(f"build: generating the corpus ({largest} documents, lexicon {plan.lexicon_size})")
    info = ctx.corpus(largest, lexicon_size=plan.lexicon_size)
    assert info.lexicon_dir is not None
    stores = ctx.work / "build-stores"
    stores.mkdir(parents=True, exist_ok=True)

    runs: dict[int, list[BuildRun]] = {}
    failures: list[str] = []
    for docs, n_runs in plan.sizes:
        folders = ctx.folders(docs)
        for k in range(n_runs):
            ctx.log(f"build: {docs} documents, run {k + 1}/{n_runs}")
            result, error = run_build(folders, stores / f"docs-{docs}", timeout=plan.timeout)
            if result is None:
                failures.append(f"{docs} documents: {error}")
                break
            runs.setdefault(docs, []).append(result)
    # all cores, when the build can use them
    import os

    cores = os.cpu_count() or 1
    jobs_runs: dict[int, list[BuildRun]] = {}
    has_jobs = cli_has_jobs()
    if has_jobs:
        for docs, n_runs in plan.jobs_sizes:
            for k in range(n_runs):
                ctx.log(f"build: {docs} documents with --jobs {cores}, run {k + 1}/{n_runs}")
                result, error = run_build(ctx.folders(docs), stores / f"jobs-{docs}", timeout=plan.timeout,
                                          jobs=cores)
                if result is None:
                    failures.append(f"{docs} documents with --jobs {cores}: {error}")
                    break
                jobs_runs.setdefault(docs, []).append(result)
    small = min(n for n, _ in plan.sizes)
    ctx.shared["build_store_small"] = stores / f"docs-{small}"
    ctx.shared["build_folders_small"] = ctx.folders(small)

    # lexicon size
    lex_folders = ctx.folders(plan.lexicon_docs)
    base_lexicon_runs: list[BuildRun] = list(runs.get(plan.lexicon_docs, []))
    for k in range(len(base_lexicon_runs), plan.lexicon_runs):
        ctx.log(f"build: {plan.lexicon_docs} documents with the packaged lexicon, run {k + 1}")
        result, error = run_build(lex_folders, stores / "base-lexicon", timeout=plan.timeout)
        if result is None:
            failures.append(f"packaged lexicon, {plan.lexicon_docs} documents: {error}")
            break
        base_lexicon_runs.append(result)
    big_lexicon_runs: list[BuildRun] = []
    ctx.log(f"build: {plan.lexicon_docs} documents with the {info.lexicon_entries}-entry lexicon, first build (not cached)")
    big_cold, error = run_build(lex_folders, stores / "big-lexicon", lexicon=info.lexicon_dir, timeout=plan.timeout)
    if big_cold is None:
        failures.append(f"{info.lexicon_entries}-entry lexicon, first build: {error}")
    ctx.shared["build_big_lexicon_cold"] = big_cold
    for k in range(plan.lexicon_runs if big_cold is not None else 0):
        ctx.log(f"build: {plan.lexicon_docs} documents with the {info.lexicon_entries}-entry lexicon, run {k + 1}")
        result, error = run_build(lex_folders, stores / "big-lexicon", lexicon=info.lexicon_dir,
                                  timeout=plan.timeout)
        if result is None:
            failures.append(f"{info.lexicon_entries}-entry lexicon: {error}")
            break
        big_lexicon_runs.append(result)

    # the same documents extracted without a store: how much of the cost and memory is the store's
    ctx.log(f"build: extraction only (no store), {small} and {plan.lexicon_docs} documents")
    extract_only: dict[str, dict[str, Any]] = {}
    loader_nquads = ctx.work / "build-loader-reference.nq"
    for key, docs, lexicon in (("small", small, None), ("lexicon-base", plan.lexicon_docs, None),
                               ("lexicon-big", plan.lexicon_docs, info.lexicon_dir)):
        child, answer = python_child("extract_only", {"paths": [str(p) for p in ctx.folders(docs)],
                                                      "lexicon_dir": str(lexicon) if lexicon else None,
                                                      "nquads_out": str(loader_nquads) if key == "small" else None},
                                     timeout=plan.timeout)
        if answer is not None:
            extract_only[key] = {**answer, "max_rss_mb": child.max_rss_mb,
                                 "bytes": corpus_bytes(corpus_files(ctx.folders(docs)))}
        else:
            failures.append(f"extraction only ({key}): {child.stderr.strip()[-300:]}")
    # what the store is given, loaded by pyoxigraph's bulk loader alone: the floor of the store's cost
    if "small" in extract_only and loader_nquads.is_file():
        ctx.log(f"build: pyoxigraph's bulk loader alone on the N-Quads of {small} documents")
        loader_store = ctx.work / "build-loader-reference-store"
        shutil.rmtree(loader_store, ignore_errors=True)
        child, loaded = python_child("ox_bulk_load", {"store": str(loader_store), "nquads": str(loader_nquads)},
                                     timeout=plan.timeout)
        if loaded is not None:
            extract_only["small"]["loader"] = {**loaded, "nquads_bytes": loader_nquads.stat().st_size}
        shutil.rmtree(loader_store, ignore_errors=True)
    loader_nquads.unlink(missing_ok=True)
    ctx.shared["build_extract_only"] = extract_only

    # the reference scan
    from envgraph.lexicon import load_entries
    from envgraph.resources import data_dir

    base_entries = len(load_entries(data_dir("lexicon")))
    reference: dict[int, dict[str, Any]] = {}
    small_patterns = lexicon_patterns(None)
    for docs, _ in plan.sizes:
        files = corpus_files(ctx.folders(docs))
        scans = [aho_scan(files, small_patterns) for _ in range(3 if docs <= 1000 else 1)]
        t = Timing(tuple(s[1] for s in scans))
        reference[docs] = {"scan": t.as_json(), "automaton": scans[0][0], "matches": scans[0][2],
                           "mb_per_s": corpus_bytes(files) / MB / t.median, "patterns": len(small_patterns)}
    big_patterns = lexicon_patterns(info.lexicon_dir)
    lex_files = corpus_files(lex_folders)
    big_ref = Timing(tuple(aho_scan(lex_files, big_patterns)[1] for _ in range(3)))
    base_ref = Timing(tuple(aho_scan(lex_files, small_patterns)[1] for _ in range(3)))

    # where the time goes
    ctx.log(f"build: profiling {plan.profile_docs} documents")
    profile_folders = ctx.folders(plan.profile_docs)
    profile_files = corpus_files(profile_folders)
    child, profile = python_child("profile_build", {"paths": [str(p) for p in profile_folders], "top": 22},
                                  timeout=plan.timeout)
    profile_bytes = corpus_bytes(profile_files)

    # recall on the smallest full build
    recall: dict[str, Any] = {}
    if small in runs:
        ctx.log("build: recall of the known facts")
        recall = fact_recall(stores / f"docs-{small}", read_facts(ctx.work / "corpus", small))

    ctx.shared["build_jobs"] = (has_jobs, cores, jobs_runs)
    return _section(ctx, plan, runs, failures, base_lexicon_runs, big_lexicon_runs,
                    info.lexicon_entries or 0, base_entries, reference, base_ref, big_ref,
                    len(big_patterns), profile, profile_bytes, child.max_rss_mb, recall,
                    time.perf_counter() - started)


def _section(ctx: Context, plan: BuildPlan, runs: Mapping[int, list[BuildRun]], failures: list[str],
             base_runs: list[BuildRun], big_runs: list[BuildRun], big_entries: int, base_entries: int,
             reference: Mapping[int, Mapping[str, Any]], base_ref: Timing, big_ref: Timing, big_patterns: int,
             profile: Mapping[str, Any] | None, profile_bytes: int, profile_rss: float,
             recall: Mapping[str, Any], seconds: float) -> Section:
    rows = []
    metrics: dict[str, Metric] = {}
    for docs, rs in sorted(runs.items()):
        t = Timing(tuple(r.seconds for r in rs))
        r0 = rs[0]
        mbps = r0.bytes / MB / t.median
        cpu = Timing(tuple(r.cpu_seconds for r in rs)).median
        core = r0.bytes / MB / Timing(tuple(r.core_seconds for r in rs)).median
        ref = reference[docs]
        rows.append([f"{docs:,}", f"{r0.bytes / MB:.1f} MB", t.spread(), f"{mbps:.3f}",
                     f"{docs / t.median:.1f}", f"{t.median / docs * 1000:.1f}", f"{cpu:.1f} s", f"{core:.3f}",
                     f"{max(r.max_rss_mb for r in rs):,.0f} MB", f"{ref['mb_per_s']:.1f}",
                     fmt_ratio(mbps / ref["mb_per_s"])])
        metrics[f"MB/s at {docs} docs"] = Metric(mbps, "MB/s", "higher")
        metrics[f"MB/s per core at {docs} docs"] = Metric(core, "MB/s", "higher")
        metrics[f"ratio to pyahocorasick at {docs} docs"] = Metric(mbps / ref["mb_per_s"], "x", "higher")
        metrics[f"peak RSS at {docs} docs"] = Metric(max(r.max_rss_mb for r in rs), "MB", "lower")
    has_jobs, cores, jobs_runs = ctx.shared.get("build_jobs", (False, 1, {}))  # type: ignore[misc]
    for docs, rs in sorted(jobs_runs.items()):
        t = Timing(tuple(r.seconds for r in rs))
        r0 = rs[0]
        mbps = r0.bytes / MB / t.median
        ref = reference.get(docs)
        cpu = Timing(tuple(r.cpu_seconds for r in rs)).median
        core = r0.bytes / MB / Timing(tuple(r.core_seconds for r in rs)).median
        rows.append([f"{docs:,} (--jobs {cores})", f"{r0.bytes / MB:.1f} MB", t.spread(), f"{mbps:.3f}",
                     f"{docs / t.median:.1f}", f"{t.median / docs * 1000:.1f}", f"{cpu:.1f} s", f"{core:.3f}",
                     f"{max(r.max_rss_mb for r in rs):,.0f} MB (main process)",
                     f"{ref['mb_per_s']:.1f}" if ref else "–",
                     fmt_ratio(mbps / ref["mb_per_s"]) if ref else "–"])
        metrics[f"MB/s at {docs} docs, --jobs {cores}"] = Metric(mbps, "MB/s", "higher")
    tables = [Table(
        "Build end to end (one process: `envgraph build --json`), synthetic corpus",
        ["documents", "text", "wall time", "MB/s", "docs/s", "ms/doc", "CPU time", "MB/s per core", "peak RSS",
         "reference MB/s (pyahocorasick)", "envgraph / reference"],
        rows,
        "MB/s counts the bytes of the files on disk (UTF-8). CPU time is user + system time of the "
        "build process and of its workers (median); 'MB/s per core' divides the text by the larger "
        "of the wall time and the CPU time, i.e. by the core-seconds the build used: one process "
        "uses more than one core (the store is written from a background thread, and RocksDB "
        "compacts in its own threads). The reference scans the same files "
        f"for every name and abbreviation of the packaged lexicon ({reference[min(reference)]['patterns']:,} "
        "patterns) after lower-casing: it finds strings, not actors, so it bounds what the matching "
        "stage alone could reach.",
    )]
    targets: list[Target] = []
    sizes = sorted(runs)
    if sizes:
        best = Timing(tuple(r.seconds for r in runs[sizes[-1]]))
        mbps = runs[sizes[-1]][0].bytes / MB / best.median
        core = runs[sizes[-1]][0].bytes / MB / Timing(tuple(r.core_seconds for r in runs[sizes[-1]])).median
        targets.append(Target("throughput per core (single process)", ">= 1 MB/s",
                              f"{core:.3f} MB/s per core ({mbps:.3f} MB/s wall) at {sizes[-1]:,} documents",
                              core >= 1.0))
    if jobs_runs:
        docs = max(jobs_runs)
        t = Timing(tuple(r.seconds for r in jobs_runs[docs]))
        mbps = jobs_runs[docs][0].bytes / MB / t.median
        single = runs.get(docs)
        speedup = (Timing(tuple(r.seconds for r in single)).median / t.median) if single else None
        targets.append(Target(f"throughput with all cores (`--jobs {cores}`)", ">= 1 MB/s per core",
                              f"{mbps / cores:.3f} MB/s per core ({mbps:.3f} MB/s on {cores} cores) at "
                              f"{docs:,} documents" + (f"; {speedup:.2f}x the single process" if speedup else ""),
                              mbps / cores >= 1.0))
    else:
        targets.append(Target("throughput with all cores (`--jobs N`)", ">= 1 MB/s per core",
                              "`envgraph build` has no --jobs option" if not has_jobs else "not run at this size",
                              None))
    if len(sizes) >= 2:
        first, last = sizes[0], sizes[-1]
        per_first = Timing(tuple(r.seconds for r in runs[first])).median / first
        per_last = Timing(tuple(r.seconds for r in runs[last])).median / last
        growth = per_last / per_first
        metrics["per-document cost, largest / smallest"] = Metric(growth, "x", "lower")
        # measured at the sizes that ran; a miss at a smaller size is a miss (no extrapolation
        # either way: a pass below 100k says nothing about 100k)
        ran_100k = 100_000 in runs
        targets.append(Target(f"linear cost ({last:,} vs {first:,} documents)",
                              "per-document cost at 100k <= 1.2x that at 1k",
                              f"{growth:.2f}x at {last:,} vs {first:,}" + ("" if ran_100k else " (100k not run)"),
                              growth <= 1.2 if ran_100k or growth > 1.2 else None))
        peak = max(r.max_rss_mb for r in runs[last])
        targets.append(Target("memory flat (100k documents)", "<= 2 GiB resident",
                              f"{max(r.max_rss_mb for r in runs[first]):,.0f} MB at {first:,}, "
                              f"{peak:,.0f} MB at {last:,}" + ("" if ran_100k else " (100k not run)"),
                              peak <= 2048 if ran_100k or peak > 2048 else None))
    extract_only: Mapping[str, Mapping[str, Any]] = ctx.shared.get("build_extract_only", {})  # type: ignore[assignment]
    per_doc_slow: float | None = None
    if big_runs and base_runs:
        base = Timing(tuple(r.seconds for r in base_runs))
        big = Timing(tuple(r.seconds for r in big_runs))
        slow = big.median / base.median
        ref_base = base_ref.median
        xb, xg = extract_only.get("lexicon-base"), extract_only.get("lexicon-big")
        if xb and xg:
            per_doc_slow = xg["seconds"] / xb["seconds"]
        cold: BuildRun | None = ctx.shared.get("build_big_lexicon_cold")  # type: ignore[assignment]
        lexicon_rows = [
            ["packaged", f"{base_entries:,}", base.spread(), "1.00x",
             f"{xb['lexicon_load']:.1f} s" if xb else "–", f"{xb['seconds']:.1f} s" if xb else "–", "1.00x",
             f"{ref_base * 1000:.0f} ms", "1.00x"],
            ["packaged + generated", f"{big_entries:,}", big.spread(), f"{slow:.2f}x",
             f"{xg['lexicon_load']:.1f} s" if xg else "–", f"{xg['seconds']:.1f} s" if xg else "–",
             f"{per_doc_slow:.2f}x" if per_doc_slow else "–",
             f"{big_ref.median * 1000:.0f} ms ({big_patterns:,} patterns)",
             f"{big_ref.median / ref_base:.2f}x"]]
        if cold is not None:
            lexicon_rows.append(["packaged + generated, first build (lexicon not cached yet)", f"{big_entries:,}",
                                 f"{cold.seconds:.2f} s (1 run)", f"{cold.seconds / base.median:.2f}x",
                                 "", "", "", "", ""])
            metrics["lexicon slowdown, first build"] = Metric(cold.seconds / base.median, "x", "lower")
        tables.append(Table(
            f"Lexicon size ({big_runs[0].docs:,} documents)",
            ["lexicon", "entries", "build wall time", "slowdown", "lexicon load", "extraction only",
             "extraction slowdown", "pyahocorasick scan", "scan slowdown"],
            lexicon_rows,
            "The generated entries are invented districts, departments, companies, NGOs, projects "
            "and forums with names in five languages (benchmarks/templates/lexicon.yaml). 'Build "
            "wall time' is `envgraph build` end to end (it loads and indexes the lexicon once); "
            "envgraph keeps a lexicon's parsed entries in its cache folder (here one of this run, "
            "empty at the start), so the first build with a lexicon parses its YAML and later ones "
            "do not: the first row of the big lexicon is its builds after the first one, the last "
            "row the first one. 'lexicon load' and 'extraction only' come from one process that "
            "loads the (cached) lexicon, then extracts and serialises every document without a "
            "store (single runs).",
        ))
        metrics["lexicon slowdown"] = Metric(slow, "x", "lower")
        targets.append(Target("matching does not slow down with the lexicon",
                              f"{big_entries:,} entries <= 1.5x the {base_entries} entries",
                              f"{slow:.2f}x end to end on {big_runs[0].docs:,} documents"
                              + (f" ({cold.seconds / base.median:.2f}x for the first build, before the "
                                 "lexicon is cached)" if cold is not None else "")
                              + (f"; extraction alone, without the one-time lexicon load: {per_doc_slow:.2f}x"
                                 if per_doc_slow else ""), slow <= 1.5))
    notes = []
    if not has_jobs:
        notes.append("Single process only: `envgraph build` has no `--jobs N` option, so the "
                     "all-cores figure is not measured.")
    elif jobs_runs:
        notes.append(f"With --jobs the peak RSS column is that of the main process only (the "
                     f"{cores} extraction workers are its children). --jobs was measured at "
                     + ", ".join(f"{d:,}" for d in sorted(jobs_runs)) + " documents only (time budget).")
    if not ctx.quick and 100_000 not in runs:
        notes.append(
            "100,000 documents were NOT built in this run: at the measured rate a single run takes "
            "about an hour on this 2-core machine and its store 30+ GB of disk (`--build-sizes "
            f"1000:1,100000:1` builds it). What was measured: {', '.join(f'{n:,}' for n in sizes)} "
            "documents. Nothing is extrapolated."
        )
    notes += failures
    notes += _analysis(runs, sizes, extract_only, profile, profile_bytes, jobs_runs, per_doc_slow)
    if recall:
        by_prop = recall["by_property"]
        rows = [[k, f"{v[0]:,} / {v[1]:,}", f"{v[0] / v[1]:.2f}"] for k, v in by_prop.items() if k != "all"]
        rows.append(["all", f"{by_prop['all'][0]:,} / {by_prop['all'][1]:,}",
                     f"{by_prop['all'][0] / by_prop['all'][1]:.2f}"])
        lang_rows = [[k, f"{v[0]:,} / {v[1]:,}", f"{v[0] / v[1]:.2f}"] for k, v in recall["by_language"].items()]
        tables.append(Table(f"Recall of the known facts ({sizes[0]:,} documents)",
                            ["property", "found / stated", "recall"], rows,
                            "A known fact counts as found when the document's graph has a fact with "
                            "the same property whose subject and object are the stated lexicon "
                            "entities (by IRI) or, for invented actors, entities whose label equals "
                            "or contains the stated name. The extractor also states "
                            f"{recall['extracted_facts']:,} facts in all (precision is not measured here)."))
        tables.append(Table("Recall by language of the sentence", ["language", "found / stated", "recall"],
                            lang_rows))
        metrics["recall of known facts"] = Metric(by_prop["all"][0] / by_prop["all"][1], "", "higher")
    xs = extract_only.get("small")
    if xs and sizes and sizes[0] in runs:
        cli = Timing(tuple(r.seconds for r in runs[sizes[0]]))
        cli_rss = max(r.max_rss_mb for r in runs[sizes[0]])
        tables.append(Table(
            f"Build vs extraction alone ({xs['documents']:,} documents)",
            ["process", "time", "MB/s", "peak RSS"],
            [["`envgraph build` (CLI, on-disk store)", cli.spread(), f"{runs[sizes[0]][0].bytes / MB / cli.median:.3f}",
              f"{cli_rss:,.0f} MB"],
             ["extraction + N-Triples, no store (lexicon load excluded)", f"{xs['seconds']:.1f} s (1 run)",
              f"{xs['bytes'] / MB / xs['seconds']:.3f}", f"{xs['max_rss_mb']:,.0f} MB"],
             ["difference: start-up, lexicon load, reading the store, writing it",
              f"{cli.median - xs['seconds']:.1f} s", "", f"{cli_rss - xs['max_rss_mb']:+,.0f} MB"]],
            "The extraction-only process runs the same pipeline functions (envgraph.pipeline.extract "
            "and the N-Triples serialiser) over the same files in one process, without a store.",
        ))
        metrics["extraction-only MB/s"] = Metric(xs["bytes"] / MB / xs["seconds"], "MB/s", "higher")
    profile_text = ""
    if profile:
        stage_rows = [[s["stage"], f"{s['seconds']:.2f} s", f"{s['seconds'] / profile['seconds'] * 100:.0f}%"]
                      for s in profile["stages"]]
        match = next((s["seconds"] for s in profile["stages"] if "find_mentions" in s["stage"]), None)
        match_mbps = profile_bytes / MB / match if match else 0.0
        cpu_note = (f" CPU time of that build: {profile['cpu_seconds']:.2f} s for {profile['seconds']:.2f} s of "
                    "wall time (the store's bulk loader and RocksDB use threads of their own)."
                    if profile.get("cpu_seconds") else "")
        tables.append(Table(
            f"Where the time goes ({profile['documents']} documents, {profile_bytes / MB:.2f} MB, on-disk store)",
            ["stage", "time", "share"], stage_rows,
            f"Timers around each pipeline stage, no profiler running; the store is written in the "
            f"calling thread here, not in the background as `envgraph build` does, so that the "
            f"stages add up. Lexicon load: "
            f"{profile['lexicon_load']:.2f} s (once per build). The matching stage alone runs at "
            f"{match_mbps:.3f} MB/s. Peak RSS of that process: {profile_rss:,.0f} MB." + cpu_note,
        ))
        profile_text = ("cProfile of the same build, top functions by own time:\n\n" + profile["profile"])
        metrics["matching stage MB/s"] = Metric(match_mbps, "MB/s", "higher")
    summary = (
        "Synthetic news items (1.5–4 KB, six language variants, lexicon and invented actors; "
        "`python -m benchmarks.corpus`) built end to end with `envgraph build` in a child "
        "process: wall time, documents and MB per second, peak RSS of the build process. "
        "Reference in the same run: a raw pyahocorasick scan of the same files for the lexicon's names."
    )
    return Section(name="build", title="1. Build throughput", summary=summary, tables=tables,
                   targets=targets, notes=notes, metrics=metrics, profile=profile_text,
                   data={"runs": {str(k): [_run_json(r) for r in v] for k, v in runs.items()},
                         "base_lexicon_runs": [_run_json(r) for r in base_runs],
                         "big_lexicon_runs": [_run_json(r) for r in big_runs],
                         "big_lexicon_first_run": _run_json(cold) if (cold := ctx.shared.get("build_big_lexicon_cold")) else None,
                         "base_reference": base_ref.as_json(),
                         "reference": {str(k): dict(v) for k, v in reference.items()},
                         "big_reference": big_ref.as_json(), "recall": dict(recall),
                         "profile": dict(profile or {})},
                   seconds=seconds, quick=ctx.quick, measured_at=now())


def _analysis(runs: Mapping[int, list[BuildRun]], sizes: Sequence[int],
              extract_only: Mapping[str, Mapping[str, Any]], profile: Mapping[str, Any] | None,
              profile_bytes: int, jobs_runs: Mapping[int, list[BuildRun]],
              per_doc_slow: float | None) -> list[str]:
    """Where the build's time and memory go, from this run's figures, and what to change."""
    notes: list[str] = []
    xs = extract_only.get("small")
    if xs and sizes and sizes[0] in runs:
        cli = Timing(tuple(r.seconds for r in runs[sizes[0]])).median
        rest = cli - xs["seconds"] - xs["lexicon_load"]
        cli_rss = max(r.max_rss_mb for r in runs[sizes[0]])
        last_rss = max(r.max_rss_mb for r in runs[sizes[-1]])
        grows = len(sizes) > 1 and last_rss > 1.3 * cli_rss
        notes.append(
            f"Where the time goes: of the {cli:.0f} s `envgraph build` takes for {sizes[0]:,} documents, "
            f"extraction and serialisation are {xs['seconds']:.0f} s and loading the lexicon "
            f"{xs['lexicon_load']:.1f} s; the remaining {rest:.0f} s ({rest / cli * 100:.0f}%) are start-up, "
            "the on-disk store (waiting for the last batches of the background writer) and the "
            "summary index computed once at the end (see the stages below). "
            f"Memory: {cli_rss:,.0f} MB for the build against {xs['max_rss_mb']:,.0f} MB for extraction "
            "alone (the build holds up to three batches of N-Triples, ~16 MB each, and the bulk "
            "loader's buffers)"
            + (f", and the build's peak grows with the corpus ({last_rss:,.0f} MB at {sizes[-1]:,} "
               "documents): the growth is on the store's side, not the extractor's." if grows else ".")
            + " What may grow with the corpus: the resolver's registry of discovered actors (about "
            "1 KB per actor, 0.8-1.3 KB measured with tracemalloc: it must know every actor it has seen to "
            "merge mentions across documents) and RocksDB's open table readers (index blocks, "
            "in proportion to the store's size; pyoxigraph gives no option to bound them). The "
            "summary index is refreshed 1,000 entities per update, RocksDB's memtables are "
            "flushed every few MB of writes, and the writer hands freed memory back to the "
            "OS after each batch (docs/store.md)."
        )
    if jobs_runs and sizes:
        docs = max(jobs_runs)
        multi = Timing(tuple(r.seconds for r in jobs_runs[docs])).median
        single_runs = runs.get(docs)
        if single_runs:
            single = Timing(tuple(r.seconds for r in single_runs)).median
            busy = Timing(tuple(r.cpu_seconds for r in single_runs)).median / single
            notes.append(
                f"--jobs gives {single / multi:.2f}x the single process at {docs:,} documents. Workers "
                "extract; the main process links their entities to the shared registry, serialises "
                "and writes. The single process already keeps "
                f"{busy:.1f} cores busy on average (CPU time / wall time: the store is written from a "
                "background thread, and RocksDB compacts in its own threads), so on a 2-core machine "
                "more workers compete for the same cores (more cores were not measured here)."
            )
    loader = xs.get("loader") if xs else None
    if xs and loader and xs.get("ntriples_bytes") and loader.get("seconds"):
        expansion = xs["ntriples_bytes"] / xs["bytes"]
        loader_rate = xs["ntriples_bytes"] / MB / loader["seconds"]
        notes.append(
            f"What the store is given: {xs['ntriples_bytes'] / MB:,.0f} MB of N-Triples for "
            f"{xs['bytes'] / MB:,.1f} MB of text ({expansion:.0f}x; {loader['quads'] / max(xs['documents'], 1):,.0f} "
            "quads per document: each mention with its offsets, sentence, language, rule and "
            "confidence, each fact with its evidence, as the RDF contract has them). pyoxigraph's "
            f"bulk loader alone, on one file of those quads, took {loader['seconds']:.1f} s "
            f"({loader_rate:.1f} MB/s of N-Triples): loading alone bounds a build at "
            f"{loader_rate / expansion:.2f} MB/s of text, before any extraction, marking or "
            "summary index."
        )
    if profile:
        stages = sorted(profile["stages"], key=lambda st: -st["seconds"])
        top = ", ".join(f"{st['stage']} {st['seconds'] / (profile['seconds'] or 1) * 100:.0f}%" for st in stages[:4])
        alone = f"{xs['bytes'] / MB / xs['seconds']:.2f} MB/s" if xs else "far below 1 MB/s"
        notes.append(
            f"Without any store the pipeline still runs at {alone} on one core. The largest stages "
            f"of the profiled build (table above): {top}. Lexicon matching is "
            "mentions.match_lexicon / _match_alias / _joined: every token's first-word key is "
            "looked up and each candidate alias is compared word by word in Python. The store's "
            "share is pyoxigraph's bulk loader (parsing N-Quads, encoding terms, writing sorted "
            "files) on ~1,100 triples per news item: even at the loader's speed that alone bounds "
            "a build well below 1 MB/s of text per core."
        )
    xg = extract_only.get("lexicon-big")
    lexicon_cost = (f" Loading the big lexicon (cached) takes {xg['lexicon_load']:.1f} s, extracting "
                    f"{xg['documents']:,} documents with it {xg['seconds']:.1f} s.") if xg else ""
    notes.append(
        "What is left to change (src/, not done here): (1) lexicon matching: index names on their "
        "first two word keys (or a trie of word keys), so that a common first word (Ministry, "
        "Проект, Отдел) does not mean comparing hundreds of aliases word by word; (2) fewer "
        "triples per document would be the only large saving on the store's side (the RDF "
        "contract fixes them); (3) with more cores than here, more than one batch in the store "
        "at a time (the bulk loader parses a batch on one thread)."
        + lexicon_cost
        + (f" With the big lexicon the extraction itself is {per_doc_slow:.2f}x slower." if per_doc_slow else "")
    )
    return notes


def _run_json(run: BuildRun) -> dict[str, Any]:
    return {"docs": run.docs, "bytes": run.bytes, "seconds": run.seconds, "cpu_seconds": run.cpu_seconds,
            "max_rss_mb": run.max_rss_mb, "extracted": run.extracted, "unchanged": run.unchanged,
            "skipped": run.skipped, "facts": run.facts}
