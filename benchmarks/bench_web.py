"""Benchmark 6: the web app under load — requests per second, p50/p95 latency and errors for
entity pages and named queries with 50 concurrent clients on loopback for a bounded time, and
the server's resident memory (server and worker processes) sampled over the run.

The server is ``envgraph serve --store STORE --port P`` with its defaults (2 worker processes,
10 s query timeout, 128 MB answer cache) in its own process; the clients are threads of this
process, each opening a new connection per request. The store is benchmark 2's smaller graph (or
one made the same way, kept in ``--work``/web for the next run). Named queries are POSTed to
/sparql exactly as envgraph binds them (``?lang`` as a VALUES block) and asked as web pages
(/queries/NAME); only those that answered within 8 s in benchmark 2 at this size are used (the
server cancels at 10 s). Every distinct request is asked once before the load (warm-up), so the
memory baseline is the server's working set; the load then runs again on a server without the
answer cache, to show what the workers alone sustain.
"""

from __future__ import annotations

import http.client
import random
import shutil
import socket
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_store import named_specs, ox_queries
from benchmarks.context import Context, now
from benchmarks.graphs import graph_factory
from benchmarks.measure import Timing, envgraph_cli, python_child
from benchmarks.report import Metric, Section, Table, Target

CLIENTS = 50
QUERY_LIMIT = 8.0  # seconds (p50 in benchmark 2) for a named query to be part of the load
# (the server cancels a query after 10 s)


@dataclass(frozen=True, slots=True)
class Request:
    kind: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    seconds: float
    status: int  # 0: connection error


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def send(port: int, request: Request, timeout: float = 120.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept": "application/sparql-results+json, text/html"}
        if request.content_type:
            headers["Content-Type"] = request.content_type
        conn.request(request.method, request.path, body=request.body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, requests: Sequence[Request], clients: int, seconds: float, seed: int = 1) -> tuple[list[Outcome], float]:
    """``clients`` threads sending ``requests`` (each thread from its own random start, in order)
    until ``seconds`` have passed; returns every outcome and the wall time."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(f"{seed}:{k}")
        i = rng.randrange(len(requests))
        mine: list[Outcome] = []
        while time.monotonic() < deadline:
            request = requests[i % len(requests)]
            i += 1
            start = time.perf_counter()
            try:
                status, _ = send(port, request)
            except (OSError, http.client.HTTPException):
                status = 0
            mine.append(Outcome(request.kind, time.perf_counter() - start, status))
        with lock:
            outcomes.extend(mine)

    return outcomes, run_threads(client, clients)


def run_threads(target: Callable[[int], None], count: int) -> float:
    """Run ``target(k)`` in ``count`` threads at once; the wall time until all have finished."""
    started = time.perf_counter()
    threads = [threading.Thread(target=target, args=(k,), daemon=True) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server process alone (its answer cache lives there)."""
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return 0.0


def sample_entities(store: Path, count: int, seed: int) -> list[str]:
    """A mix of entities for the entity pages: the hubs (countries, agencies) and discovered actors."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store))
    rows = st.query("SELECT DISTINCT ?e WHERE { ?e a ?t FILTER(STRSTARTS(STR(?e), "
                    "'https://w3id.org/envgraph/entity/')) }", use_default_graph_as_union=True)
    entities = sorted(row[0].value for row in rows)
    rng = random.Random(seed)
    return rng.sample(entities, min(count, len(entities)))


def start_server(store: Path, port: int, *extra: str) -> Any:
    import subprocess

    proc = subprocess.Popen([*envgraph_cli(), "serve", "--store", str(store), "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"envgraph serve exited: {proc.stderr.read().decode()[-500:]}")
        try:
            status, _ = send(port, Request("probe", "GET", "/status"), timeout=5)
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("envgraph serve did not answer within 120 s")


def server_status(port: int) -> dict[str, Any]:
    import json

    status, body = send(port, Request("status", "GET", "/status"), timeout=10)
    return json.loads(body) if status == 200 else {}


class RssSampler:
    """Samples the server's resident memory (server and workers) once a second."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.monotonic()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self._start, tree_rss_mb(self.pid)))
            self._stop.wait(1.0)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def stop_server(proc: Any) -> None:
    import os
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except Exception:  # noqa: BLE001 - make sure it is gone
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _store(ctx: Context) -> tuple[Path, int, dict[str, float]]:
    """(store, quads, named query p50 seconds at that size) — from benchmark 2 when it ran."""
    import pyoxigraph as ox

    shared = ctx.shared.get("store_small")
    medians = ctx.shared.get("store_query_medians")
    if isinstance(shared, Path) and shared.is_dir() and isinstance(medians, dict):
        quads = len(ox.Store.read_only(str(shared)))
        sizes = ctx.shared.get("store_sizes") or {}
        size = next((t for t, q in sizes.items() if q == quads), min(medians))
        return shared, quads, dict(medians.get(size, {}))
    import json

    target = 15_000 if ctx.quick else 1_000_000
    work = ctx.work / "web"
    meta = work / f"store-{target}.json"
    store = work / "store"
    if meta.is_file() and store.is_dir():  # made by an earlier run with the same --work
        kept = json.loads(meta.read_text(encoding="utf-8"))
        ctx.log(f"web: reusing the store of an earlier run in {store}")
        return store, int(kept["quads"]), {k: float(v) for k, v in kept["medians"].items()}
    factory = graph_factory(ctx, 4 if ctx.quick else 200)
    work.mkdir(parents=True, exist_ok=True)
    nq = work / "graph.nq"
    factory.write(target, nq)
    shutil.rmtree(store, ignore_errors=True)
    child, answer = python_child("ox_bulk_load", {"nquads": str(nq), "store": str(store)}, timeout=1800)
    nq.unlink(missing_ok=True)
    if answer is None:
        raise RuntimeError(f"cannot load the store: {child.stderr[-400:]}")
    ctx.log("web: computing the summary index (envgraph reindex)")
    child, indexed = python_child("reindex", {"store": str(store)}, timeout=3600)
    if indexed is None:
        raise RuntimeError(f"cannot index the store: {child.stderr[-400:]}")
    ctx.log("web: timing each named query once on the store (cap 10 s)")
    timings = ox_queries(store, named_specs(), 1, 10.0, ctx.log)
    medians = {k: v.timing.median for k, v in timings.items() if v.timing}
    meta.write_text(json.dumps({"quads": int(answer["quads"]), "medians": medians}), encoding="utf-8")
    return store, int(answer["quads"]), medians


def _requests(ctx: Context, store: Path, usable: Sequence[str]) -> dict[str, list[Request]]:
    """The requests of each kind: entity pages, named queries POSTed to /sparql as envgraph binds
    them, and the named query pages of the web app (/queries/NAME, first page)."""
    from envgraph.queries import load_query
    from envgraph.sparqlutil import bind_with_values
    from rdflib import Literal, URIRef

    entities = [Request("entity page", "GET", "/entity?" + urllib.parse.urlencode({"iri": iri}))
                for iri in sample_entities(store, 40 if ctx.quick else 300, ctx.seed)]
    queries, pages = [], []
    for spec in named_specs():
        if spec["label"] not in usable:
            continue
        named = load_query(spec["query"])
        bindings: dict[str, Any] = {"lang": Literal("en")}
        bindings.update({k: URIRef(v) for k, v in spec["params"].items()})
        text = bind_with_values(named.text, bindings)
        queries.append(Request(f"query {spec['label']}", "POST", "/sparql", text.encode("utf-8"),
                               "application/sparql-query"))
        pages.append(Request(f"page {spec['label']}", "GET", f"/queries/{spec['query']}?"
                             + urllib.parse.urlencode({**spec["params"], "lang": "en"})))
    return {"entity pages": entities, "named queries (SPARQL endpoint)": queries,
            "named query pages (/queries)": pages}


def warm_up(port: int, requests: Sequence[Request], threads: int = 4) -> tuple[int, float]:
    """Ask every request once (a few at a time): the server's working set (answers, worker
    caches) is then in memory, so memory measured after it shows growth, not filling up."""
    outcomes, wall = load_each_once(port, requests, threads)
    return sum(1 for o in outcomes if o.status != 200), wall


def load_each_once(port: int, requests: Sequence[Request], threads: int) -> tuple[list[Outcome], float]:
    todo = list(enumerate(requests))
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def worker(_k: int) -> None:
        while True:
            with lock:
                if not todo:
                    return
                _i, request = todo.pop()
            start = time.perf_counter()
            try:
                status, _ = send(port, request)
            except (OSError, http.client.HTTPException):
                status = 0
            with lock:
                outcomes.append(Outcome(request.kind, time.perf_counter() - start, status))

    wall = run_threads(worker, threads)
    return outcomes, wall


def run(ctx: Context) -> Section:
    started = time.perf_counter()
    seconds = 2.0 if ctx.quick else 30.0
    clients = 8 if ctx.quick else CLIENTS
    store, quads, medians = _store(ctx)
    usable = sorted(name for name, median in medians.items()
                    if median <= QUERY_LIMIT and not name.startswith("diag:"))
    excluded = sorted(s["label"] for s in named_specs() if s["label"] not in usable)
    kinds = _requests(ctx, store, usable)
    every = [r for requests in kinds.values() for r in requests]
    plan = [(name, requests) for name, requests in kinds.items() if requests]
    if len(plan) > 1:
        plan.append(("mixed (all of the above)", every))

    port = free_port()
    ctx.log(f"web: starting envgraph serve on port {port} ({quads:,} quads)")
    proc = start_server(store, port)
    scenarios: dict[str, dict[str, Any]] = {}
    try:
        rss_start = tree_rss_mb(proc.pid)
        ctx.log(f"web: warm-up, every one of {len(every)} distinct requests once")
        warm_errors, warm_wall = warm_up(port, every)
        rss_before = tree_rss_mb(proc.pid)
        server_before = server_rss_mb(proc.pid)
        with RssSampler(proc.pid) as sampler:
            for name, requests in plan:
                ctx.log(f"web: {name}: {clients} clients for {seconds:.0f} s")
                outcomes, wall = load(port, requests, clients, seconds, ctx.seed)
                scenarios[name] = {"outcomes": outcomes, "wall": wall, "rss_after": tree_rss_mb(proc.pid)}
        rss_after = tree_rss_mb(proc.pid)
        server_after = server_rss_mb(proc.pid)
        status = server_status(port)
    finally:
        stop_server(proc)

    cold: dict[str, dict[str, Any]] = {}
    if not ctx.quick:  # the same load without the answer cache: what the workers alone sustain
        port = free_port()
        ctx.log("web: again without the answer cache (--cache-mb 0)")
        proc = start_server(store, port, "--cache-mb", "0")
        try:
            for name in ("entity pages", "named queries (SPARQL endpoint)"):
                if kinds[name]:
                    outcomes, wall = load(port, kinds[name], clients, seconds, ctx.seed)
                    cold[name + ", no cache"] = {"outcomes": outcomes, "wall": wall,
                                                 "rss_after": tree_rss_mb(proc.pid)}
        finally:
            stop_server(proc)
    memory = {"start": rss_start, "before": rss_before, "after": rss_after,
              "peak": max((m for _t, m in sampler.samples), default=rss_after),
              "samples": [[round(t, 1), round(m, 1)] for t, m in sampler.samples],
              "warm_up_seconds": warm_wall, "warm_up_errors": warm_errors,
              "server_before": server_before, "server_after": server_after}
    return _section(ctx, quads, clients, seconds, scenarios, cold, memory, status, usable, excluded,
                    medians, time.perf_counter() - started)


def _stats(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    ok = [o.seconds for o in outcomes if o.status == 200]
    statuses = Counter(o.status for o in outcomes)
    t = Timing(tuple(ok)) if ok else None
    return {"requests": len(outcomes), "ok": len(ok), "errors": len(outcomes) - len(ok),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "p50": t.median if t else None, "p95": t.p95 if t else None, "max": t.high if t else None}


def _rows(scenarios: Mapping[str, Mapping[str, Any]]) -> tuple[list[list[str]], int, dict[str, Metric]]:
    rows, errors, metrics = [], 0, {}
    for name, sc in scenarios.items():
        s = _stats(sc["outcomes"])
        errors += s["errors"]
        rps = s["ok"] / sc["wall"]
        rows.append([name, f"{s['requests']:,}", f"{rps:,.1f}",
                     f"{s['p50'] * 1000:,.0f} ms" if s["p50"] is not None else "–",
                     f"{s['p95'] * 1000:,.0f} ms" if s["p95"] is not None else "–",
                     f"{s['errors']:,}" + (f" ({', '.join(f'{k}: {v}' for k, v in s['statuses'].items() if k != '200')})"
                                           if s["errors"] else ""),
                     f"{sc['rss_after']:,.0f} MB"])
        metrics[f"{name}: requests/s"] = Metric(rps, "req/s", "higher")
        if s["p95"] is not None:
            metrics[f"{name}: p95"] = Metric(s["p95"], "s", "lower")
    return rows, errors, metrics


def _section(ctx: Context, quads: int, clients: int, seconds: float,
             scenarios: Mapping[str, Mapping[str, Any]], cold: Mapping[str, Mapping[str, Any]],
             memory: Mapping[str, Any], status: Mapping[str, Any], usable: list[str],
             excluded: list[str], medians: Mapping[str, float], took: float) -> Section:
    columns = ["scenario", "requests", "requests/s (200 OK)", "p50", "p95", "errors", "server RSS after"]
    rows, total_errors, metrics = _rows(scenarios)
    cache = status.get("cache", {})
    tables = [Table(
        f"{clients} concurrent clients, {seconds:.0f} s per scenario, store of {quads:,} quads "
        "(default server: 2 workers, 10 s timeout, 128 MB answer cache)",
        columns, rows,
        f"Server RSS (server + worker processes) at start: {memory['start']:,.0f} MB; after the "
        f"warm-up ({memory['warm_up_seconds']:.0f} s, {memory['warm_up_errors']} errors): "
        f"{memory['before']:,.0f} MB (the server process {memory['server_before']:,.0f} MB, its "
        f"{status.get('workers', '?')} workers the rest); highest sample during the load: {memory['peak']:,.0f} MB; "
        f"after all scenarios: {memory['after']:,.0f} MB. Answer cache at the end: "
        f"{cache.get('hits', 0):,} hits, {cache.get('computed', 0):,} computed, "
        f"{cache.get('shared', 0):,} shared, {cache.get('evictions', 0):,} evictions, "
        f"{cache.get('entries', 0):,} answers in {cache.get('bytes', 0) / 2**20:,.1f} MB. "
        f"Worker restarts: {status.get('worker_restarts', '?')}. Clients and server share this "
        "machine's 2 cores.",
    )]
    kind_rows = []
    for name, sc in scenarios.items():
        if not name.startswith("named"):
            continue
        by_kind: dict[str, list[Outcome]] = defaultdict(list)
        for o in sc["outcomes"]:
            by_kind[o.kind].append(o)
        for kind, outs in sorted(by_kind.items()):
            ks = _stats(outs)
            kind_rows.append([kind, f"{ks['requests']:,}",
                              f"{ks['p50'] * 1000:,.0f} ms" if ks["p50"] is not None else "–",
                              f"{ks['p95'] * 1000:,.0f} ms" if ks["p95"] is not None else "–",
                              f"{ks['errors']:,}"])
    if kind_rows:
        tables.append(Table("Named queries under load, by query", ["query", "requests", "p50", "p95", "errors"],
                            kind_rows))
    if cold:
        cold_rows, _cold_errors, cold_metrics = _rows(cold)
        metrics.update(cold_metrics)
        tables.append(Table(
            "The same load without the answer cache (`envgraph serve --cache-mb 0`): every request "
            "runs its queries on the 2 workers", columns, cold_rows,
            "Not a target: it shows what the cache and single flight take off the workers. A "
            "request that waits more than the 10 s timeout for a worker gets 503 (load shedding)."))
    growth = memory["after"] - memory["before"]
    targets = [
        Target("no errors under load", "0 errors",
               f"{total_errors:,} errors in {sum(len(sc['outcomes']) for sc in scenarios.values()):,} requests",
               total_errors == 0),
        Target("no memory growth", "server RSS flat over the load",
               f"{memory['before']:,.0f} MB after the warm-up, {memory['after']:,.0f} MB after the load "
               f"({growth:+,.0f} MB; highest sample {memory['peak']:,.0f} MB)",
               growth <= max(50.0, 0.1 * memory["before"])),
    ]
    notes = [
        "The store is read-only while served, so each answer is computed once per server run and "
        "kept in a byte-bounded cache (least recently used answers go first); concurrent requests "
        "for an answer not cached yet wait for one computation (single flight). The warm-up asks "
        "every distinct request once before the memory baseline is taken, so the load measures the "
        "steady state: a server's memory grows while it fills its working set (answers up to the "
        "cache budget, the store's block cache in each worker) and must then stay flat. "
        "What each named query costs when it is computed is in benchmark 2; the table without the "
        "cache shows the workers alone.",
    ]
    if excluded:
        notes.append("Named queries left out of the load because benchmark 2 saw them take more "
                     f"than {QUERY_LIMIT:.0f} s (or not finish) at this size: "
                     + ", ".join(f"{k} ({medians[k]:.1f} s)" if k in medians else f"{k} (did not finish)"
                                 for k in excluded) + ".")
    if not usable:
        notes.append("No named query answers within that limit on this store, so the load has no "
                     "named-query scenario; see benchmark 2 for why.")
    summary = ("`envgraph serve` (defaults) on loopback, loaded by "
               f"{clients} client threads for {seconds:.0f} s per scenario; entity pages of a sample "
               "of hubs and discovered actors, the named queries through the SPARQL endpoint and "
               "as web pages, then all mixed; then the same without the answer cache.")
    data: dict[str, Any] = {name: {**_stats(sc["outcomes"]), "wall": sc["wall"], "rss_after": sc["rss_after"]}
                            for name, sc in {**scenarios, **cold}.items()}
    data["memory"] = dict(memory)
    data["cache"] = dict(cache)
    return Section(name="web", title="6. Web app under load", summary=summary, tables=tables,
                   targets=targets, notes=notes, metrics=metrics, data=data, seconds=took,
                   quick=ctx.quick, measured_at=now())
