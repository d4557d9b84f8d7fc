"""Benchmark 2: the store at 1M and 10M triples, and every named query on it, against rdflib.

The graphs are shaped like the contract because they ARE envgraph output: a base corpus slice
is built with ``envgraph build``, dumped as N-Quads, and replicated with renamed document ids
(so every replica is new documents, named graphs, sentences and facts) and renamed discovered
actors (so the number of actors grows with the archive), while lexicon actors stay shared, as
in a real archive. Loading: pyoxigraph's bulk loader into an on-disk store, and rdflib's
N-Quads parser into an in-memory Dataset with the union default graph. Queries run through
envgraph's own :func:`envgraph.queries.run_query` on both, each in a child process that is
killed when a run exceeds the cap.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.context import Context, now
from benchmarks.graphs import graph_factory
from benchmarks.measure import Timing, fmt_ratio, python_child
from benchmarks.report import Metric, Section, Table, Target

HUB = "https://w3id.org/envgraph/entity/country/kazakhstan"

# Aggregating queries of the same shape as the named ones, without their label look-ups: they
# compare the two engines where both finish, and (funders with 0, 1, 2 label OPTIONALs) show
# where the named queries' time goes.
DIAGNOSTICS: tuple[tuple[str, str], ...] = (
    ("diag: funders, no labels", """
SELECT ?funder ?funded (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  ?funder env:funds ?funded .
  OPTIONAL { ?fact rdf:subject ?funder ; rdf:predicate env:funds ; rdf:object ?funded ;
                   prov:wasDerivedFrom ?doc . }
} GROUP BY ?funder ?funded"""),
    ("diag: funders + 1 label OPTIONAL", """
SELECT ?funder (MIN(?f1) AS ?label) ?funded (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  ?funder env:funds ?funded .
  OPTIONAL { ?fact rdf:subject ?funder ; rdf:predicate env:funds ; rdf:object ?funded ;
                   prov:wasDerivedFrom ?doc . }
  OPTIONAL { ?funder skos:prefLabel ?f1 . FILTER(LANGMATCHES(LANG(?f1), "en")) }
} GROUP BY ?funder ?funded"""),
    ("diag: funders + 2 label OPTIONALs", """
SELECT ?funder (MIN(?f1) AS ?label) (MIN(?f3) AS ?label3) ?funded (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  ?funder env:funds ?funded .
  OPTIONAL { ?fact rdf:subject ?funder ; rdf:predicate env:funds ; rdf:object ?funded ;
                   prov:wasDerivedFrom ?doc . }
  OPTIONAL { ?funder skos:prefLabel ?f1 . FILTER(LANGMATCHES(LANG(?f1), "en")) }
  OPTIONAL { ?funder rdfs:label ?f3 }
} GROUP BY ?funder ?funded"""),
    ("diag: one label sub-query (DISTINCT over every prefLabel)", """
SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?e ?l WHERE { ?e skos:prefLabel ?l } } }"""),
    ("diag: people without the employer labels", """
SELECT ?person (MIN(?personL) AS ?personLabel) (MIN(?positionL) AS ?position) ?employer
WHERE {
  { SELECT DISTINCT ?person WHERE { ?person a env:Person } }
  OPTIONAL { { SELECT DISTINCT ?person ?employer WHERE { ?person env:worksFor ?employer } } }
  OPTIONAL { { SELECT DISTINCT ?person ?q3 WHERE { ?person env:position ?q3 } } }
  BIND(?q3 AS ?positionL)
  OPTIONAL { { SELECT DISTINCT ?person ?p1 WHERE { ?person skos:prefLabel ?p1 } }
             FILTER(LANGMATCHES(LANG(?p1), "en")) }
  OPTIONAL { { SELECT DISTINCT ?person ?p3 WHERE { ?person rdfs:label ?p3 } } }
  BIND(COALESCE(?p1, ?p3, STR(?person)) AS ?personL)
}
GROUP BY ?person ?employer"""),
    ("diag: entities per type", """
SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
  GRAPH ?g { ?e a ?type } FILTER(STRSTARTS(STR(?e), STR(ent:)))
} GROUP BY ?type"""),
    ("diag: documents per language", """
SELECT ?lang (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a env:Document ; dcterms:language ?lang }
GROUP BY ?lang"""),
)


@dataclass(frozen=True, slots=True)
class StorePlan:
    base_docs: int
    sizes: tuple[int, ...]
    rdflib_sizes: tuple[int, ...]
    runs: int
    cap: float  # seconds a single query run may take before it counts as not finished
    rdflib_runs: int
    rdflib_cap: float
    rdflib_total: float = 1500.0  # seconds for all rdflib queries (each stuck query costs a reload)
    one_child: bool = False  # all pyoxigraph queries in one process (quick runs)
    rdflib_diagnostics_only: bool = False


FULL = StorePlan(base_docs=200, sizes=(1_000_000, 10_000_000), rdflib_sizes=(1_000_000,), runs=5,
                 cap=10.0, rdflib_runs=3, rdflib_cap=60.0)
QUICK = StorePlan(base_docs=4, sizes=(15_000,), rdflib_sizes=(15_000,), runs=2, cap=20.0,
                  rdflib_runs=1, rdflib_cap=10.0, one_child=True, rdflib_diagnostics_only=True)


def named_specs() -> list[dict[str, Any]]:
    """Every named query, with the parameters it needs (partners: the hub country)."""
    from envgraph.queries import list_queries

    specs = []
    for q in list_queries():
        params = {p.name: HUB for p in q.params if not p.optional}
        specs.append({"label": q.name, "query": q.name, "params": params})
    return specs


_LABEL_SUBQUERY_RE = re.compile(
    r"  OPTIONAL \{ \{ SELECT DISTINCT \?\w+ \?\w+ WHERE \{ \?\w+ (?:skos:prefLabel|rdfs:label) [^\n]*\n"
    r"(?:[^\n]*FILTER[^\n]*\} \} \}\n|[^\n]*\}\n)?")


def without_label_lookups(text: str) -> tuple[str, int]:
    """A named query's text without its label sub-query OPTIONALs (the labels then fall back to
    the IRI), and how many were removed (0 when the query is written differently)."""
    found = _LABEL_SUBQUERY_RE.findall(text)
    return _LABEL_SUBQUERY_RE.sub("", text), len(found)


def diagnostic_specs() -> list[dict[str, Any]]:
    from envgraph.queries import load_query

    specs = [{"label": label, "sparql": text, "params": {}} for label, text in DIAGNOSTICS]
    stripped, removed = without_label_lookups(load_query("funders").text)
    if removed:
        specs.insert(0, {"label": f"diag: funders without its {removed} label sub-queries",
                         "sparql": stripped, "params": {}})
    return specs


# --------------------------------------------------------------------------------------------
# Graphs
# --------------------------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------------------------
# Running the queries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryTiming:
    label: str
    timing: Timing | None  # None: did not finish
    rows: int
    note: str = ""

    @property
    def finished(self) -> bool:
        return self.timing is not None


def ox_queries(store: Path, specs: Sequence[Mapping[str, Any]], runs: int, cap: float,
               log: Any, *, one_child: bool = False) -> dict[str, QueryTiming]:
    """Each query in its own child (warm-up run, then up to ``runs`` timed runs within ``cap``
    seconds); a child still running after its cap is killed and the query reported as not
    finished. ``one_child``: all queries in one child (quick runs; no per-query cap)."""
    out: dict[str, QueryTiming] = {}
    if one_child:
        child, answer = python_child("oxigraph_queries",
                                     {"store": str(store), "queries": [dict(s) for s in specs],
                                      "runs": runs, "budget": cap}, timeout=len(specs) * cap)
        for q in (answer or {}).get("queries", []):
            out[q["label"]] = QueryTiming(q["label"], Timing(tuple(q["times"])), int(q["rows"]))
        for spec in specs:
            out.setdefault(spec["label"], QueryTiming(spec["label"], None, 0, "did not finish"))
        return out
    for spec in specs:
        child, answer = python_child("oxigraph_queries",
                                     {"store": str(store), "queries": [dict(spec)], "runs": runs,
                                      "budget": cap}, timeout=3 * cap + 15,
                                     watch=lambda a, t: t > cap + 8 and not (a or {}).get("warm"))
        done = (answer or {}).get("queries", [])
        if done:
            q = done[0]
            out[spec["label"]] = QueryTiming(spec["label"], Timing(tuple(q["times"])), int(q["rows"]))
        else:
            why = f"did not finish in {cap:.0f} s" if child.timed_out else f"failed: {child.stderr.strip()[-300:]}"
            out[spec["label"]] = QueryTiming(spec["label"], None, 0, why)
        log(f"store:   {spec['label']}: " + (out[spec["label"]].timing.spread()  # type: ignore[union-attr]
                                              if out[spec["label"]].finished else out[spec["label"]].note))
    return out


def rdflib_queries(nquads: Path | list[Path], specs: Sequence[Mapping[str, Any]], runs: int, cap: float,
                   log: Any, total: float = 600.0) -> tuple[dict[str, QueryTiming], dict[str, Any]]:
    """Load into rdflib once and run the specs one after the other; when a query runs past its
    cap the child is killed, the query reported as not finished, and a new child continues with
    the rest (paying the load again), until ``total`` seconds have been spent."""
    out: dict[str, QueryTiming] = {}
    load: dict[str, Any] = {}
    remaining = list(specs)
    started = time.perf_counter()
    while remaining:
        if time.perf_counter() - started > total:
            for s in remaining:
                out[s["label"]] = QueryTiming(s["label"], None, 0, f"not run: rdflib time budget ({total:.0f} s) used up")
            break
        load_cap = 600.0

        def stuck(a: Any, elapsed: float) -> bool:
            if time.perf_counter() - started > total:
                return True  # the budget is used up: what finished so far is kept
            if not a or "since" not in a:
                return elapsed > load_cap
            return time.time() - a["since"] > 2 * cap + 5

        files = [str(p) for p in nquads] if isinstance(nquads, list) else str(nquads)
        child, answer = python_child("rdflib_queries",
                                     {"nquads": files, "queries": remaining, "runs": runs,
                                      "budget": cap},
                                     timeout=load_cap + len(remaining) * (2 * cap + 10), watch=stuck)
        answer = answer or {}
        if not load and "load_seconds" in answer:
            load = {"seconds": answer["load_seconds"], "quads": answer.get("quads"),
                    "max_rss_mb": child.max_rss_mb}
        load["max_rss_mb"] = max(load.get("max_rss_mb", 0.0), child.max_rss_mb)
        for q in answer.get("queries", []):
            out[q["label"]] = QueryTiming(q["label"], Timing(tuple(q["times"])), int(q["rows"]))
            log(f"store:   rdflib {q['label']}: {out[q['label']].timing.spread()}")  # type: ignore[union-attr]
        remaining = [s for s in remaining if s["label"] not in out]
        if answer.get("complete") or not remaining:
            break
        if time.perf_counter() - started > total:
            continue  # the loop's head reports the rest as not run
        slow = answer.get("running") or remaining[0]["label"]
        if "load_seconds" not in answer:  # could not even load
            for s in remaining:
                out[s["label"]] = QueryTiming(s["label"], None, 0, "rdflib could not load the graph in time")
            break
        out[slow] = QueryTiming(slow, None, 0, f"did not finish in {cap:.0f} s")
        log(f"store:   rdflib {slow}: did not finish in {cap:.0f} s")
        remaining = [s for s in remaining if s["label"] != slow]
    return out, load


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def run(ctx: Context) -> Section:
    plan = QUICK if ctx.quick else FULL
    started = time.perf_counter()
    work = ctx.work / "store"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ctx.log(f"store: building the base graph ({plan.base_docs} documents)")
    factory = graph_factory(ctx, plan.base_docs)

    specs = named_specs()
    diags = diagnostic_specs()
    sizes: dict[int, dict[str, Any]] = {}
    ox_results: dict[int, dict[str, QueryTiming]] = {}
    rdf_results: dict[int, dict[str, QueryTiming]] = {}
    rdf_load: dict[int, dict[str, Any]] = {}
    multiplicity: dict[int, dict[str, int]] = {}
    unfinished_small: set[str] = set()
    for target in plan.sizes:
        nq = work / f"graph-{target}.nq"
        quads = factory.write(target, nq)
        store_path = work / f"store-{target}"
        ctx.log(f"store: {quads:,} quads: bulk loading into pyoxigraph")
        child, answer = python_child("ox_bulk_load", {"nquads": str(nq), "store": str(store_path)},
                                     timeout=1800)
        if answer is None:
            raise RuntimeError(f"pyoxigraph could not load {quads:,} quads: {child.stderr[-500:]}")
        index_nq = work / f"index-{target}.nq"
        ctx.log(f"store: {quads:,} quads: computing the summary index (envgraph reindex)")
        ichild, indexed = python_child("reindex", {"store": str(store_path),
                                                   "index_nquads": str(index_nq)}, timeout=3600)
        if indexed is None:
            raise RuntimeError(f"envgraph could not index {quads:,} quads: {ichild.stderr[-500:]}")
        sizes[target] = {"quads": answer["quads"], "nquads_mb": nq.stat().st_size / 1e6,
                         "load_seconds": answer["seconds"], "load_rss_mb": child.max_rss_mb,
                         "index_seconds": indexed["seconds"], "index_quads": indexed["index_quads"],
                         "index_rss_mb": ichild.max_rss_mb,
                         "disk_mb": dir_size(store_path) / 1e6,
                         "documents": factory.documents_in(quads)}
        multiplicity[target] = _multiplicity(store_path)
        ctx.log(f"store: {quads:,} quads: named queries on pyoxigraph")
        run_specs = [s for s in specs if s["label"] not in unfinished_small] + diags
        ox_results[target] = ox_queries(store_path, run_specs, plan.runs, plan.cap, ctx.log,
                                        one_child=plan.one_child)
        for s in specs:
            if s["label"] in unfinished_small:
                ox_results[target][s["label"]] = QueryTiming(
                    s["label"], None, 0, f"not run: did not finish in {plan.cap:.0f} s at the smaller size")
        if not unfinished_small:
            unfinished_small = {k for k, v in ox_results[target].items() if not v.finished}
        if target in plan.rdflib_sizes:
            ctx.log(f"store: {quads:,} quads: rdflib")
            # the named queries first (the target is about them), each group fastest on
            # pyoxigraph first: each query rdflib cannot finish costs a reload
            rdf_specs = sorted((s for s in (diags if plan.rdflib_diagnostics_only else diags + specs)
                                if ox_results[target][s["label"]].finished),
                               key=lambda s: (s in diags, ox_results[target][s["label"]].timing.median))  # type: ignore[union-attr]
            rdf_results[target], rdf_load[target] = rdflib_queries([nq, index_nq], rdf_specs, plan.rdflib_runs,
                                                                   plan.rdflib_cap, ctx.log,
                                                                   plan.rdflib_total)
            for s in specs + diags:
                if s["label"] not in rdf_results[target]:
                    rdf_results[target][s["label"]] = QueryTiming(
                        s["label"], None, 0, "not run (quick run)" if plan.rdflib_diagnostics_only
                        else "not run: did not finish on pyoxigraph either")
        if target not in plan.rdflib_sizes:
            nq.unlink(missing_ok=True)
    ctx.shared["store_small"] = work / f"store-{plan.sizes[0]}"
    ctx.shared["store_large"] = work / f"store-{plan.sizes[-1]}"
    ctx.shared["store_sizes"] = {t: sizes[t]["quads"] for t in sizes}
    ctx.shared["store_query_medians"] = {t: {k: v.timing.median for k, v in r.items() if v.timing}
                                         for t, r in ox_results.items()}
    for target in plan.sizes:
        (work / f"graph-{target}.nq").unlink(missing_ok=True)
        (work / f"index-{target}.nq").unlink(missing_ok=True)
    return _section(ctx, plan, factory.documents, factory.quads, sizes, ox_results, rdf_results, rdf_load,
                    multiplicity, time.perf_counter() - started)


def _rdflib_comparison(rdf: Mapping[str, QueryTiming], ox: Mapping[str, QueryTiming],
                       cap: float) -> tuple[list[str], bool]:
    """What the rdflib target says: ratios of the named queries (met only when every one of
    them was measured on both engines and is >= 20x), and apart, the diagnostic probes."""
    parts: list[str] = []
    ok = True
    for group, keys in (("named queries", [k for k in rdf if not k.startswith("diag:")]),
                        ("diagnostic probes (not named queries)", [k for k in rdf if k.startswith("diag:")])):
        both = [(k, rdf[k].timing.median / ox[k].timing.median)  # type: ignore[union-attr]
                for k in keys if rdf[k].timing and ox[k].timing]
        bounds = [(k, b) for k in keys if (b := _lower_bound(rdf[k], ox[k], cap))]
        not_run = [k for k in keys if not rdf[k].timing and rdf[k].note.startswith("not run")]
        if group == "named queries":
            ok = bool(keys) and not not_run and all(r >= 20 for _, r in both) and all(b >= 20 for _, b in bounds)
        pieces = []
        if both:
            worst = min(both, key=lambda kv: kv[1])
            pieces.append(f"{len(both)} finished on both, {worst[1]:.1f}x ({worst[0]}) to "
                          f"{max(r for _, r in both):,.0f}x")
        if bounds:
            pieces.append(f"{len(bounds)} did not finish on rdflib within {cap:.0f} s (more than "
                          f"{min(b for _, b in bounds):,.0f}x)")
        if not_run:
            pieces.append(f"{len(not_run)} not run on rdflib: {', '.join(not_run)}")
        if pieces:
            parts.append(f"{group}: " + ", ".join(pieces))
    return parts, ok


def _multiplicity(store_path: Path) -> dict[str, int]:
    """How many times the union default graph returns the hub's labels and type."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    hub = f"<{HUB}>"

    def count(pattern: str) -> int:
        rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", use_default_graph_as_union=True))
        return int(rows[0][0].value)

    return {
        "pref_label_rows": count(f"{hub} <http://www.w3.org/2004/02/skos/core#prefLabel> ?l"),
        "pref_label_distinct": count(f"SELECT DISTINCT ?l WHERE {{ {hub} <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}"),
        "graphs": count(f"GRAPH ?g {{ {hub} a ?t }}"),
    }


def _section(ctx: Context, plan: StorePlan, base_docs: int, base_quads: int,
             sizes: Mapping[int, Mapping[str, Any]], ox_results: Mapping[int, Mapping[str, QueryTiming]],
             rdf_results: Mapping[int, Mapping[str, QueryTiming]], rdf_load: Mapping[int, Mapping[str, Any]],
             multiplicity: Mapping[int, Mapping[str, int]], seconds: float) -> Section:
    tables: list[Table] = []
    metrics: dict[str, Metric] = {}
    load_rows = []
    for target, s in sizes.items():
        rl = rdf_load.get(target)
        load_rows.append([
            f"{s['quads']:,}", f"{s['documents']:,}", f"{s['nquads_mb']:,.0f} MB",
            f"{s['load_seconds']:.1f} s", f"{s['quads'] / s['load_seconds']:,.0f}/s",
            f"{s['load_rss_mb']:,.0f} MB",
            f"{s['index_seconds']:.1f} s ({s['index_quads']:,} quads, {s['index_rss_mb']:,.0f} MB)"
            if s.get("index_seconds") is not None else "–",
            f"{s['disk_mb']:,.0f} MB",
            f"{rl['seconds']:.1f} s" if rl and rl.get("seconds") else "not measured",
            f"{rl['max_rss_mb']:,.0f} MB" if rl else "–",
            fmt_ratio(rl["seconds"] / s["load_seconds"]) if rl and rl.get("seconds") else "–",
        ])
        metrics[f"bulk load {s['quads']:,} quads"] = Metric(s["load_seconds"], "s", "lower")
        if s.get("index_seconds") is not None:
            metrics[f"summary index {s['quads']:,} quads"] = Metric(s["index_seconds"], "s", "lower")
        if rl and rl.get("seconds"):
            metrics[f"rdflib load / pyoxigraph load at {s['quads']:,}"] = Metric(rl["seconds"] / s["load_seconds"], "x", "higher")
    tables.append(Table(
        "Loading", ["quads", "documents", "N-Quads", "pyoxigraph bulk load", "rate", "peak RSS",
                    "summary index (envgraph reindex)", "on disk", "rdflib Dataset load", "rdflib peak RSS", "rdflib / pyoxigraph"],
        load_rows,
        "The bulk loader bypasses envgraph, so the summary index g:index that the named queries "
        "read is computed afterwards with `envgraph reindex` (what a user does after loading a "
        "dump with another tool); rdflib loads the same graph plus that index. "
        f"Graphs: {base_docs} synthetic documents built with envgraph ({base_quads:,} quads), "
        "replicated with renamed documents and discovered actors. rdflib is measured at the "
        "smaller size only; at 10M it was not attempted (its 1M figures show why).",
    ))
    targets: list[Target] = []
    goals = {0: 0.1, 1: 1.0}
    for i, (target, results) in enumerate(ox_results.items()):
        rdf = rdf_results.get(target, {})
        rows = []
        named_p95: list[float] = []
        misses: list[str] = []
        for label, q in results.items():
            r = rdf.get(label)
            ratio = (r.timing.median / q.timing.median) if (r and r.timing and q.timing) else None
            bound = _lower_bound(r, q, plan.rdflib_cap)
            rows.append([
                label, f"{q.rows:,}" if q.finished else "–",
                _ms(q.timing.median) if q.timing else q.note,
                _ms(q.timing.p95) if q.timing else "–",
                str(len(q.timing.runs)) if q.timing else "–",
                (_ms(r.timing.median) if r and r.timing else (r.note if r else "–")) if target in rdf_results else "not measured",
                fmt_ratio(ratio) if ratio else (f"> {fmt_ratio(bound)}" if bound else "–"),
            ])
            if not label.startswith("diag:"):
                if q.timing:
                    named_p95.append(q.timing.p95)
                    if q.timing.p95 >= goals.get(i, 1.0):
                        misses.append(label)
                else:
                    misses.append(label)
            if q.timing:
                metrics[f"{label} p50 at {sizes[target]['quads']:,}"] = Metric(q.timing.median, "s", "lower")
            if ratio:
                metrics[f"{label} rdflib/pyoxigraph at {sizes[target]['quads']:,}"] = Metric(ratio, "x", "higher")
        tables.append(Table(
            f"Queries at {sizes[target]['quads']:,} quads ({sizes[target]['documents']:,} documents)",
            ["query", "rows", "pyoxigraph p50", "p95", "runs", "rdflib p50", "rdflib / pyoxigraph"],
            rows,
            f"Through envgraph.queries.run_query on both engines, each query in its own process; "
            f"pyoxigraph after one warm-up run, then up to {plan.runs} runs within {plan.cap:.0f} s "
            f"(p95 of so few runs is close to the maximum); rdflib up to {plan.rdflib_runs} runs within "
            f"{plan.rdflib_cap:.0f} s. A run past the cap is killed: 'did not finish'. Rows marked "
            "'diag:' are not named queries (see the notes).",
        ))
        goal = goals.get(i, 1.0)
        wanted = f"p95 < {goal * 1000:.0f} ms" if goal < 1 else f"p95 < {goal:.0f} s"
        label_size = "1M" if i == 0 else "10M"
        finished = len(named_p95)
        targets.append(Target(f"named queries at {label_size} triples ({sizes[target]['quads']:,} quads)",
                              f"every named query {wanted}",
                              f"{len(results) - len(misses) - sum(1 for k in results if k.startswith('diag:'))} "
                              f"of {sum(1 for k in results if not k.startswith('diag:'))} meet it"
                              + (f"; missed: {', '.join(misses)}" if misses else "")
                              + ("" if finished else "; none finished"),
                              not misses))
    for target, rdf in rdf_results.items():
        parts, ok = _rdflib_comparison(rdf, ox_results[target], plan.rdflib_cap)
        if parts:
            targets.append(Target(f"pyoxigraph vs rdflib, aggregating queries ({sizes[target]['quads']:,} quads)",
                                  ">= 20x on every named (aggregating) query", "; ".join(parts), ok))
    notes = _diagnosis(sizes, ox_results, multiplicity)
    notes.append("10M: named queries that did not finish at 1M were not run again (they cannot "
                 "be faster on ten times the data); rdflib: only queries that finished on "
                 "pyoxigraph were run.")
    summary = (
        "Graphs made of envgraph's own output (a built corpus slice, replicated with renamed "
        "documents and discovered actors) loaded into pyoxigraph (on disk, bulk loader) and into "
        "rdflib's in-memory Dataset; every named query timed through envgraph.queries.run_query "
        "on both (partners with the hub actor Kazakhstan), p50/p95, with a cap per run."
    )
    return Section(name="store", title="2. Store and named queries", summary=summary, tables=tables,
                   targets=targets, notes=notes, metrics=metrics,
                   data={"sizes": {str(k): dict(v) for k, v in sizes.items()},
                         "multiplicity": {str(k): dict(v) for k, v in multiplicity.items()},
                         "pyoxigraph": {str(t): {k: _qt_json(v) for k, v in r.items()} for t, r in ox_results.items()},
                         "rdflib": {str(t): {k: _qt_json(v) for k, v in r.items()} for t, r in rdf_results.items()},
                         "rdflib_load": {str(k): dict(v) for k, v in rdf_load.items()}},
                   seconds=seconds, quick=ctx.quick, measured_at=now())


def _lower_bound(r: QueryTiming | None, q: QueryTiming, cap: float) -> float | None:
    """When rdflib did not finish within ``cap`` and pyoxigraph did: cap / pyoxigraph's time, a
    measured lower bound of the ratio."""
    if r is None or r.timing or not q.timing or not r.note.startswith("did not finish"):
        return None
    return cap / q.timing.median


def _diagnosis(sizes: Mapping[int, Mapping[str, Any]], ox_results: Mapping[int, Mapping[str, QueryTiming]],
               multiplicity: Mapping[int, Mapping[str, int]]) -> list[str]:
    """Where the named queries' time goes, from the diagnostic rows of this run."""
    notes: list[str] = []
    if not ox_results:
        return notes
    target = next(iter(ox_results))
    results = ox_results[target]
    quads = f"{sizes[target]['quads']:,}"

    def t(label: str) -> str:
        q = results.get(label)
        return _ms(q.timing.median) if q and q.timing else "did not finish"

    m = multiplicity.get(target)
    if m:
        notes.append(
            "Why the named queries read the summary index instead of the union: the store's default graph "
            "is the union of the document graphs and pyoxigraph returns a triple once per graph "
            "that holds it; entity labels and types are written into every document graph that "
            f"mentions the entity, so at {quads} quads Kazakhstan's skos:prefLabel pattern returns "
            f"{m['pref_label_rows']:,} rows for {m['pref_label_distinct']} distinct labels (it is typed "
            f"in {m['graphs']:,} document graphs). A plain label OPTIONAL multiplies the solutions by "
            f"that factor: 'diag: funders' takes {t('diag: funders, no labels')} without labels, "
            f"{t('diag: funders + 1 label OPTIONAL')} with one plain label OPTIONAL and "
            f"{t('diag: funders + 2 label OPTIONALs')} with two."
        )
    stripped = next((k for k in results if k.startswith("diag: funders without its")), None)
    notes.append(
        "Before the index, every label pattern was a DISTINCT sub-query such as "
        "`{ SELECT DISTINCT ?funder ?f1 WHERE { ?funder skos:prefLabel ?f1 } }`, which SPARQL "
        "evaluates on its own, over the whole store, before joining it with the answer. Now "
        "the labels are one index lookup per entity, and what is left grows with the answer "
        "(rows decoded into Python terms, the sort of labels, done in Python). At "
        f"{quads} quads funders takes {t('funders')}; "
        + (f"without its label sub-queries {t(stripped)}; " if stripped else "")
        + f"one DISTINCT over every prefLabel alone {t('diag: one label sub-query (DISTINCT over every prefLabel)')}; "
        f"the plain aggregation without any sub-query {t('diag: funders, no labels')}."
    )
    notes.append(
        "Before the index (the previous run's queries): events and people: their venue / employer label sub-queries were OPTIONAL-joined on a "
        "variable that is unbound for rows without a venue or employer, and an unbound variable "
        "joins with every row of the label table (FILTER(?venueKnown) discards them only "
        f"afterwards): people takes {t('people')}, 'diag: people without the employer labels' (the "
        f"same query minus those three look-ups) {t('diag: people without the employer labels')}. "
        "partners (from its text, not measured separately): its two DISTINCT sub-queries "
        "enumerate the links of every actor in the store before the actor given as the parameter "
        "narrows them."
    )
    notes.append(
        "What the named queries do now: they read entities from the summary index g:index that "
        "the store maintains (each entity's triples once, its display label per language with "
        "the --lang fallback applied, its document counts per class; docs/store.md), so a label "
        "is one lookup instead of three OPTIONALs over the multiset, and every pattern a "
        "parameter binds starts from that value. The 'diag:' rows still read the union and "
        "show the cost the index avoids. The bulk-loaded stores get their index from `envgraph "
        "reindex` (its time is in the loading table); rdflib is given the same index."
    )
    return notes


def _qt_json(q: QueryTiming) -> dict[str, Any]:
    return {"timing": q.timing.as_json() if q.timing else None, "rows": q.rows, "note": q.note}
