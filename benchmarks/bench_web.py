"""Benchmark 6: the web app under load — requests per second, p50/p95 latency and errors for
entity pages and named queries with 50 concurrent clients on loopback for a bounded time, and
the server's resident memory (server and worker processes) before and after.

The server is ``envgraph serve --store STORE --port P`` with its defaults (2 worker processes,
10 s query timeout) in its own process; the clients are threads of this process, each opening
a new connection per request (the server speaks HTTP/1.0). The store is benchmark 2's smaller
graph (or one made the same way). Named queries are POSTed to /sparql exactly as envgraph binds
them (``?lang`` as a VALUES block); only those that answered within 2 s in benchmark 2 at this
size are used, so the load measures the app and not queries that cannot finish (benchmark 2
reports those).
"""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_store import named_specs, ox_queries
from benchmarks.context import Context, now
from benchmarks.graphs import graph_factory
from benchmarks.measure import Timing, envgraph_cli, python_child
from benchmarks.report import Metric, Section, Table, Target

CLIENTS = 50
QUERY_LIMIT = 2.0  # seconds (p50 in benchmark 2) for a named query to be part of the load


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

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes, time.perf_counter() - started


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


def sample_entities(store: Path, count: int, seed: int) -> list[str]:
    """A mix of entities for the entity pages: the hubs (countries, agencies) and discovered actors."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store))
    rows = st.query("SELECT DISTINCT ?e WHERE { ?e a ?t FILTER(STRSTARTS(STR(?e), "
                    "'https://w3id.org/envgraph/entity/')) }", use_default_graph_as_union=True)
    entities = sorted(row[0].value for row in rows)
    rng = random.Random(seed)
    return rng.sample(entities, min(count, len(entities)))


def start_server(store: Path, port: int) -> Any:
    import subprocess

    proc = subprocess.Popen([*envgraph_cli(), "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"envgraph serve exited: {proc.stderr.read().decode()[-500:]}")
        try:
            status, _ = send(port, Request("probe", "GET", "/entity?iri=" + urllib.parse.quote("urn:x:none")), timeout=5)
            if status in (200, 400, 404):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("envgraph serve did not answer within 120 s")


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
    target = 15_000 if ctx.quick else 1_000_000
    factory = graph_factory(ctx, 4 if ctx.quick else 200)
    work = ctx.work / "web"
    work.mkdir(parents=True, exist_ok=True)
    nq = work / "graph.nq"
    factory.write(target, nq)
    store = work / "store"
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
    return store, int(answer["quads"]), {k: v.timing.median for k, v in timings.items() if v.timing}


def run(ctx: Context) -> Section:
    from envgraph.queries import load_query
    from envgraph.sparqlutil import bind_with_values
    from rdflib import Literal

    started = time.perf_counter()
    seconds = 2.0 if ctx.quick else 30.0
    clients = 8 if ctx.quick else CLIENTS
    store, quads, medians = _store(ctx)
    entity_requests = [Request("entity page", "GET", "/entity?" + urllib.parse.urlencode({"iri": iri}))
                       for iri in sample_entities(store, 40 if ctx.quick else 300, ctx.seed)]
    usable = sorted(name for name, median in medians.items()
                    if median <= QUERY_LIMIT and not name.startswith("diag:"))
    excluded = sorted(s["label"] for s in named_specs() if s["label"] not in usable)
    query_requests = []
    for spec in named_specs():
        if spec["label"] not in usable:
            continue
        named = load_query(spec["query"])
        bindings = {"lang": Literal("en")}
        if spec["params"]:
            from rdflib import URIRef

            bindings.update({k: URIRef(v) for k, v in spec["params"].items()})
        text = bind_with_values(named.text, bindings)
        query_requests.append(Request(f"query {spec['label']}", "POST", "/sparql", text.encode("utf-8"),
                                      "application/sparql-query"))

    port = free_port()
    ctx.log(f"web: starting envgraph serve on port {port} ({quads:,} quads)")
    proc = start_server(store, port)
    scenarios: dict[str, dict[str, Any]] = {}
    try:
        for request in (entity_requests[:3] + query_requests):  # warm up each worker a little
            send(port, request)
        rss_before = tree_rss_mb(proc.pid)
        plan = [("entity pages", entity_requests)]
        if query_requests:
            plan.append(("named queries", query_requests))
        if query_requests and not ctx.quick:
            plan.append(("mixed (entity pages and named queries)", entity_requests + query_requests * 5))
        for name, requests in plan:
            ctx.log(f"web: {name}: {clients} clients for {seconds:.0f} s")
            outcomes, wall = load(port, requests, clients, seconds, ctx.seed)
            scenarios[name] = {"outcomes": outcomes, "wall": wall, "rss_after": tree_rss_mb(proc.pid)}
        rss_after = tree_rss_mb(proc.pid)
    finally:
        stop_server(proc)
    return _section(ctx, quads, clients, seconds, scenarios, rss_before, rss_after, usable, excluded,
                    medians, time.perf_counter() - started)


def _stats(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    ok = [o.seconds for o in outcomes if o.status == 200]
    statuses = Counter(o.status for o in outcomes)
    t = Timing(tuple(ok)) if ok else None
    return {"requests": len(outcomes), "ok": len(ok), "errors": len(outcomes) - len(ok),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "p50": t.median if t else None, "p95": t.p95 if t else None, "max": t.high if t else None}


def _section(ctx: Context, quads: int, clients: int, seconds: float,
             scenarios: Mapping[str, Mapping[str, Any]], rss_before: float, rss_after: float,
             usable: list[str], excluded: list[str], medians: Mapping[str, float], took: float) -> Section:
    rows = []
    kind_rows = []
    metrics: dict[str, Metric] = {}
    total_errors = 0
    for name, sc in scenarios.items():
        s = _stats(sc["outcomes"])
        total_errors += s["errors"]
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
        by_kind: dict[str, list[Outcome]] = defaultdict(list)
        for o in sc["outcomes"]:
            by_kind[o.kind].append(o)
        if name.startswith("named"):
            for kind, outs in sorted(by_kind.items()):
                ks = _stats(outs)
                kind_rows.append([kind, f"{ks['requests']:,}",
                                  f"{ks['p50'] * 1000:,.0f} ms" if ks["p50"] is not None else "–",
                                  f"{ks['p95'] * 1000:,.0f} ms" if ks["p95"] is not None else "–",
                                  f"{ks['errors']:,}"])
    tables = [Table(
        f"{clients} concurrent clients, {seconds:.0f} s per scenario, store of {quads:,} quads",
        ["scenario", "requests", "requests/s (200 OK)", "p50", "p95", "errors", "server RSS after"],
        rows,
        f"Server RSS (server + worker processes) before the load: {rss_before:,.0f} MB; after all "
        f"scenarios: {rss_after:,.0f} MB. Clients and server share this machine's 2 cores.",
    )]
    if kind_rows:
        tables.append(Table("Named queries under load, by query", ["query", "requests", "p50", "p95", "errors"],
                            kind_rows))
    growth = rss_after - rss_before
    targets = [
        Target("no errors under load", "0 errors", f"{total_errors:,} errors", total_errors == 0),
        Target("no memory growth", "server RSS flat",
               f"{rss_before:,.0f} MB before, {rss_after:,.0f} MB after ({growth:+,.0f} MB)",
               growth <= max(50.0, 0.1 * rss_before)),
    ]
    notes = []
    if excluded:
        notes.append("Named queries left out of the load because benchmark 2 saw them take more "
                     f"than {QUERY_LIMIT:.0f} s (or not finish) at this size: "
                     + ", ".join(f"{k} ({medians[k]:.1f} s)" if k in medians else f"{k} (did not finish)"
                                 for k in excluded) + ".")
    if not usable:
        notes.append("No named query answers within that limit on this store, so the load has no "
                     "named-query scenario; see benchmark 2 for why.")
    summary = ("`envgraph serve` (defaults: 2 workers, 10 s timeout) on loopback, loaded by "
               f"{clients} client threads for {seconds:.0f} s per scenario; entity pages of a sample "
               "of hubs and discovered actors, and the named queries that can answer at this size.")
    data = {name: {**_stats(sc["outcomes"]), "wall": sc["wall"], "rss_after": sc["rss_after"]}
            for name, sc in scenarios.items()}
    data["rss_before"] = rss_before  # type: ignore[assignment]
    return Section(name="web", title="6. Web app under load", summary=summary, tables=tables,
                   targets=targets, notes=notes, metrics=metrics, data=data, seconds=took,
                   quick=ctx.quick, measured_at=now())
