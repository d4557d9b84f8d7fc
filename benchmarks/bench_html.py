"""Benchmark 5: the HTML graph in headless Chromium — time from opening the page to the first
complete drawing and until it is interactive, at 500, 5,000 and 20,000 nodes, for envgraph's
page and for plain pyvis defaults (physics on) in the same run.

Graphs: a clustered random graph shaped like :func:`envgraph.network.to_networkx` output (typed
actors with labels in several languages, hubs, communities, relations with evidence). Pages:
``envgraph.render.render_html`` and ``pyvis.network.Network()`` with its defaults (only
``cdn_resources="in_line"``, because the machine is offline), the same nodes, labels and edges.

How it is measured: a small script is inserted into each page right after vis-network is loaded
(the only change to the pages); it wraps ``vis.Network.prototype.emit`` to timestamp the first
``afterDrawing`` (vis draws nothing while it stabilises, so the first drawing is complete), the
end of stabilisation and each drawing, and a PerformanceObserver records long tasks (> 50 ms).
"Interactive" is the end of the last long task after the first drawing that is followed by a
quiet second (no long task), i.e. the moment the page answers input without delay (the idea of
time-to-interactive). All times are from navigation start (``performance.now()``). Requests to
the internet are blocked (pyvis's template links Bootstrap from a CDN; blocking makes it fail
fast instead of waiting for a network that is not there).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.context import Context, now
from benchmarks.measure import Timing, fmt_ratio, python_child
from benchmarks.report import Metric, Section, Table, Target

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ENTITY = "https://w3id.org/envgraph/entity/"
TYPES = ("Organisation", "Initiative", "Event", "Person", "Country", "Place", "Convention")
RELATIONS = ("funds", "leads", "organises", "hosts", "participatesIn", "speaksAt", "launchedAt",
             "cooperatesWith", "partOf", "heldIn", "worksFor", "partyTo")
QUIET_MS = 1000.0

INSTRUMENT = """
(function () {
  var B = window.__bench = window.__bench || {marks: {}, long: [], drawings: 0};
  B.marks.visLoaded = performance.now();
  var emit = vis.Network.prototype.emit;
  vis.Network.prototype.emit = function (name) {
    var t = performance.now();
    if (name === "afterDrawing") {
      B.drawings += 1;
      if (B.marks.firstDraw === undefined) B.marks.firstDraw = t;
      B.marks.lastDraw = t;
    } else if ((name === "stabilizationIterationsDone" || name === "stabilized") &&
               B.marks[name] === undefined) {
      B.marks[name] = t;
    }
    return emit.apply(this, arguments);
  };
})();
"""

OBSERVER = """
window.__bench = {marks: {}, long: [], drawings: 0};
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__bench.long.push([e.startTime, e.duration]); });
  }).observe({type: "longtask", buffered: true});
} catch (e) { window.__bench.noLongtasks = String(e); }
"""


@dataclass(frozen=True, slots=True)
class HtmlPlan:
    sizes: tuple[int, ...]
    envgraph_runs: tuple[int, ...]
    pyvis_runs: tuple[int, ...]
    cap: float  # seconds envgraph's page may take to draw and settle
    pyvis_caps: tuple[float, ...]  # the same for the pyvis page, by size


FULL = HtmlPlan(sizes=(500, 5_000, 20_000), envgraph_runs=(3, 3, 2), pyvis_runs=(2, 1, 1), cap=60.0,
                pyvis_caps=(60.0, 110.0, 110.0))
QUICK = HtmlPlan(sizes=(50,), envgraph_runs=(1,), pyvis_runs=(1,), cap=30.0, pyvis_caps=(30.0,))


# --------------------------------------------------------------------------------------------
# Graphs and pages
# --------------------------------------------------------------------------------------------


def synthetic_network(n_nodes: int, *, seed: int = 7, avg_degree: float = 2.6) -> Any:
    """A clustered graph with hubs, in the shape to_networkx returns: communities of partners
    around projects and events, a few countries and international bodies linked to many."""
    import networkx as nx

    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    clusters = max(1, int(n_nodes ** 0.5 / 2))
    members: list[list[str]] = [[] for _ in range(clusters)]
    hubs: list[str] = []
    for i in range(n_nodes):
        type_ = ("Country" if i % 40 == 0 else rng.choice(TYPES)) if i >= 12 else ("Country" if i < 8 else "Organisation")
        iri = f"{ENTITY}{type_.lower()}/bench-{i}"
        label = f"{type_} {i}"
        G.add_node(iri, iri=iri, type=type_, label=label,
                   labels={"en": label, "ru": f"{label} (ru)", "kk": f"{label} (kk)", "az": f"{label} (az)"})
        if i < 12:
            hubs.append(iri)
        else:
            members[i % clusters].append(iri)
    nodes = list(G.nodes)
    for k in range(int(n_nodes * avg_degree / 2)):
        group = members[rng.randrange(clusters)] or nodes
        a = rng.choice(group)
        roll = rng.random()
        b = rng.choice(hubs) if roll < 0.15 else (rng.choice(group) if roll < 0.9 else rng.choice(nodes))
        if a == b:
            continue
        rel = RELATIONS[k % len(RELATIONS)]
        G.add_edge(a, b, key=rel, relation=rel,
                   evidence=[(f"{k % 500:06d}_en.txt", f"Sentence {k} about {rel}.", f"cue:{rel}", 0.8)])
    return G


def pyvis_page(G: Any, path: Path) -> Path:
    """The same graph with plain pyvis defaults (physics on); only the assets are inlined."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line")
    for n, d in G.nodes(data=True):
        net.add_node(n, label=d["label"], title=f"{d['label']} ({d['type']})")
    for u, v, k in G.edges(keys=True):
        net.add_edge(u, v, title=k)
    net.write_html(str(path), notebook=False)
    return path


def instrument(page: Path, before: str) -> None:
    """Insert INSTRUMENT right before the last occurrence of ``before`` (the page's own
    script, which creates the network)."""
    html = page.read_text(encoding="utf-8")
    index = html.rfind(before)
    if index < 0:
        raise ValueError(f"{page}: cannot find where to insert the timing script ({before!r})")
    page.write_text(html[:index] + "<script>" + INSTRUMENT + "</script>\n" + html[index:], encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


def start_browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="envgraph-bench-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1400,900", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(300)
    driver.set_script_timeout(300)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
    return driver


@dataclass(frozen=True, slots=True)
class PageTiming:
    first_draw_ms: float | None
    interactive_ms: float | None
    stabilised_ms: float | None
    drawn_nodes: int
    drawings: int
    long_tasks_ms: float
    note: str = ""


def _interactive(first: float, long_tasks: list[list[float]], until: float) -> float | None:
    """End of the last long task (from ``first`` on) that is followed by QUIET_MS without one;
    None if the page never had such a quiet window before ``until``."""
    t = first
    for start, duration in sorted(long_tasks):
        end = start + duration
        if end <= t:
            continue
        if start - t >= QUIET_MS:
            return t
        t = max(t, end)
    return t if until - t >= QUIET_MS else None


def wait_settled(driver: Any, cap: float, since: float = 0.0) -> dict[str, Any]:
    """Poll the page until it has drawn (after ``since`` ms) and then stayed free of long tasks
    for a quiet window, or until ``cap`` seconds have passed."""
    deadline = time.monotonic() + cap
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(
            "var B = window.__bench || {marks: {}, long: []};"
            "return {marks: B.marks, long: B.long, drawings: B.drawings, now: performance.now()};")
        first = _first_draw_after(state, since)
        if first is not None:
            # quiet: no long task for a while (an animating page may go on drawing; it is
            # interactive as long as its frames are short)
            ends = [s + d for s, d in state["long"] if s + d > since]
            quiet_from = max([first, *ends])
            if state["now"] - quiet_from >= QUIET_MS + 200:
                break
        time.sleep(0.1)
    return state


def _first_draw_after(state: Mapping[str, Any], since: float) -> float | None:
    marks = state.get("marks", {})
    if since <= 0:
        return marks.get("firstDraw")
    last = marks.get("lastDraw")
    return last if last is not None and last > since else None


def measure_page(driver: Any, url: str, cap: float) -> PageTiming:
    started = time.monotonic()
    try:
        driver.get(url)
    except Exception as err:  # noqa: BLE001 - a page that does not load within the timeout
        return PageTiming(None, None, None, 0, 0, 0.0, f"did not load: {type(err).__name__}")
    state = wait_settled(driver, max(1.0, cap - (time.monotonic() - started)))
    marks = state.get("marks", {})
    first = marks.get("firstDraw")
    long_tasks = state.get("long", [])
    drawn = int(driver.execute_script(
        "var n = (window.envgraph && window.envgraph.network) || window.network;"
        "return n ? n.body.nodeIndices.length : 0;") or 0)
    stab = marks.get("stabilizationIterationsDone")
    if first is None:
        return PageTiming(None, None, stab, drawn, 0, 0.0, f"nothing drawn within {cap:.0f} s")
    interactive = _interactive(first, long_tasks, state.get("now", first))
    return PageTiming(first, interactive, stab, drawn, int(state.get("drawings", 0)),
                      sum(d for _s, d in long_tasks),
                      "" if interactive is not None else f"not interactive within {cap:.0f} s")


def measure_action(driver: Any, script: str, cap: float) -> tuple[float | None, int]:
    """Run an action of envgraph's page and time it until the next drawing after it has
    settled (ms from the call), and how many nodes are drawn then."""
    t0 = float(driver.execute_script("var t = performance.now();" + script + "; return t;"))
    state = wait_settled(driver, cap, since=t0)
    drawn_at = _first_draw_after(state, t0)
    drawn = int(driver.execute_script("return window.envgraph.network.body.nodeIndices.length;") or 0)
    if drawn_at is None:
        return None, drawn
    ends = [s + d for s, d in state.get("long", []) if s + d > t0]
    return max([drawn_at, *ends]) - t0, drawn


def measure_in_browser(url: str, cap: float, *, drill_down: bool) -> dict[str, Any]:
    """Open ``url`` in a fresh headless Chromium and measure it (and, for envgraph's overview
    pages, the drill-downs). Runs in a child process (benchmarks.worker ``html_page``), which
    the runner kills when the page blocks the browser past its cap."""
    driver = start_browser()
    try:
        timing = measure_page(driver, url, cap)
        out: dict[str, Any] = {"timing": _pt(timing)}
        if drill_down and timing.first_draw_ms is not None and driver.execute_script(
                "return !!(window.envgraph && window.envgraph.data.aggregate)"):
            groups = driver.execute_script("return window.envgraph.data.aggregate.groups.length")
            largest = driver.execute_script(
                "return window.envgraph.data.aggregate.groups.filter(g => !g.pooled)[0].id")
            ms, drawn = measure_action(driver, f"window.envgraph.openGroup({largest!r})", cap)
            out["group"] = {"groups": groups, "ms": ms, "drawn": drawn}
            ms, drawn = measure_action(
                driver, "window.envgraph.showOverview(); "
                "window.envgraph.setFilter('type', window.envgraph.data.types.map(t => t.name))", cap)
            out["all"] = {"ms": ms, "drawn": drawn}
        return out
    finally:
        driver.quit()


def page_in_child(url: str, cap: float, *, drill_down: bool = False) -> dict[str, Any]:
    """:func:`measure_in_browser` in a child process, killed (with its browser) past the cap."""
    child, answer = python_child("html_page", {"url": url, "cap": cap, "drill_down": drill_down},
                                 timeout=cap * (3 if drill_down else 1) + 40)
    if answer is None:
        note = (f"did not draw within {cap:.0f} s (browser blocked; killed)" if child.timed_out
                else f"failed: {child.stderr.strip()[-200:]}")
        return {"timing": _pt(PageTiming(None, None, None, 0, 0, 0.0, note))}
    return dict(answer)


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present and len(present) == len(values) else None


def run(ctx: Context) -> Section:
    plan = QUICK if ctx.quick else FULL
    started = time.perf_counter()
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return Section(name="html", title="5. HTML graph",
                       summary="Not measured: needs Debian's chromium and chromium-driver.",
                       notes=[f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)."],
                       targets=[Target("5,000 nodes drawn", "< 3 s", "no browser", None)],
                       seconds=time.perf_counter() - started, quick=ctx.quick, measured_at=now())
    from envgraph.render import render_html

    work = ctx.work / "html"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    for size, eg_runs, pv_runs, pv_cap in zip(plan.sizes, plan.envgraph_runs, plan.pyvis_runs, plan.pyvis_caps):
        G = synthetic_network(size)
        ctx.log(f"html: {size} nodes: rendering")
        eg_page = work / f"envgraph-{size}.html"
        t0 = time.perf_counter()
        render_html(G, eg_page)
        render_s = time.perf_counter() - t0
        instrument(eg_page, "<script>")
        pv_page = work / f"pyvis-{size}.html"
        t0 = time.perf_counter()
        pyvis_page(G, pv_page)
        pv_render_s = time.perf_counter() - t0
        instrument(pv_page, '<script type="text/javascript">')
        row: dict[str, Any] = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                               "render_s": render_s, "pyvis_render_s": pv_render_s,
                               "page_mb": eg_page.stat().st_size / 1e6,
                               "pyvis_page_mb": pv_page.stat().st_size / 1e6}
        eg: list[PageTiming] = []
        for k in range(eg_runs):
            ctx.log(f"html: {size} nodes: envgraph page, run {k + 1}")
            answer = page_in_child(eg_page.as_uri(), plan.cap, drill_down=(k == eg_runs - 1))
            eg.append(PageTiming(**answer["timing"]))
            # envgraph's big pages open on an overview; the drill-downs as a user does them
            if "group" in answer:
                row["group"], row["all"] = answer["group"], answer["all"]
        row["overview"] = "group" in row
        row["envgraph_timings"] = eg
        pv: list[PageTiming] = []
        for k in range(pv_runs):
            ctx.log(f"html: {size} nodes: pyvis page, run {k + 1} (cap {pv_cap:.0f} s)")
            pv.append(PageTiming(**page_in_child(pv_page.as_uri(), pv_cap)["timing"]))
        row["pyvis_timings"] = pv
        results[size] = row
    profile = ""
    if not ctx.quick and results:
        size = max(results)
        ctx.log(f"html: {size} nodes: profiling render_html")
        profile = _profile_render(synthetic_network(size), work / "profiled.html")
    section = _section(ctx, plan, results, time.perf_counter() - started)
    if profile:
        section.profile = f"cProfile of envgraph.render.render_html at {max(results):,} nodes, by cumulative time:\n\n" + profile
    return section


def _profile_render(G: Any, out: Path) -> str:
    """Where writing the page's time goes (cProfile, top functions by cumulative time)."""
    import cProfile
    import io
    import pstats

    from envgraph.render import render_html

    profiler = cProfile.Profile()
    profiler.enable()
    render_html(G, out)
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(16)
    text = buffer.getvalue()
    return text[text.find("   ncalls"):] if "   ncalls" in text else text


def _fmt_ms(value: float | None, note: str = "") -> str:
    if value is None:
        return note or "–"
    return f"{value / 1000:.2f} s"


def _timing_cell(values: list[PageTiming], attr: str) -> str:
    present = [getattr(v, attr) for v in values]
    if any(p is None for p in present):
        notes = {v.note for v in values if v.note}
        return "; ".join(sorted(notes)) or "–"
    t = Timing(tuple(p / 1000 for p in present))
    return t.spread(digits=2)


def _section(ctx: Context, plan: HtmlPlan, results: Mapping[int, Mapping[str, Any]], seconds: float) -> Section:
    rows = []
    metrics: dict[str, Metric] = {}
    drill_rows = []
    for size, r in results.items():
        eg, pv = r["envgraph_timings"], r["pyvis_timings"]
        eg_first = _median([t.first_draw_ms for t in eg])
        pv_first = _median([t.first_draw_ms for t in pv])
        eg_int = _median([t.interactive_ms for t in eg])
        pv_int = _median([t.interactive_ms for t in pv])
        for label, timings, render_s, mb in (("envgraph", eg, r["render_s"], r["page_mb"]),
                                             ("pyvis defaults", pv, r["pyvis_render_s"], r["pyvis_page_mb"])):
            rows.append([f"{r['nodes']:,} nodes, {r['edges']:,} edges", label, f"{render_s:.1f} s",
                         f"{mb:.1f} MB", _timing_cell(timings, "first_draw_ms"),
                         _timing_cell(timings, "interactive_ms"),
                         f"{statistics.median(t.drawn_nodes for t in timings):,.0f}",
                         f"{statistics.median(t.long_tasks_ms for t in timings) / 1000:.1f} s"])
        # pyvis killed at its cap: the cap over envgraph's time is a measured lower bound
        pv_cap = plan.pyvis_caps[plan.sizes.index(size)] * 1000
        pv_dnf = pv_first is None and any("did not draw" in t.note for t in pv)
        rows.append(["", "pyvis / envgraph", "", "",
                     fmt_ratio(pv_first / eg_first) if pv_first and eg_first else
                     (f"> {fmt_ratio(pv_cap / eg_first)}" if pv_dnf and eg_first else "–"),
                     fmt_ratio(pv_int / eg_int) if pv_int and eg_int else
                     (f"> {fmt_ratio(pv_cap / eg_int)}" if pv_dnf and eg_int else "–"), "", ""])
        if eg_first:
            metrics[f"envgraph first drawing at {size}"] = Metric(eg_first / 1000, "s", "lower")
        if eg_int:
            metrics[f"envgraph interactive at {size}"] = Metric(eg_int / 1000, "s", "lower")
        if pv_int and eg_int:
            metrics[f"pyvis/envgraph interactive at {size}"] = Metric(pv_int / eg_int, "x", "higher")
        if r.get("overview"):
            g, a = r["group"], r["all"]
            drill_rows.append([f"{r['nodes']:,}", f"{g['groups']:,}", _fmt_ms(g["ms"], "did not settle"),
                               f"{g['drawn']:,}", _fmt_ms(a["ms"], "did not settle"), f"{a['drawn']:,}"])
    tables = [Table(
        "Opening the page in headless Chromium (1400x900)",
        ["graph", "page", "HTML written in", "page size", "first complete drawing", "interactive",
         "nodes drawn", "long tasks (total)"],
        rows,
        "Times from navigation start; medians with min–max. 'Interactive': the end of the last "
        "long task after the first drawing that is followed by a quiet second. envgraph opens "
        f"graphs of more than {3000:,} nodes on an overview of communities (fewer nodes drawn).",
    )]
    if drill_rows:
        tables.append(Table(
            "envgraph's overview of big graphs: drilling down",
            ["nodes", "groups in the overview", "open the largest group", "nodes drawn",
             "show all nodes (type filter: all)", "nodes drawn"],
            drill_rows,
            "Time from the call (window.envgraph.openGroup / setFilter, what a click does) until the "
            "next drawing and its long tasks are over.",
        ))
    targets = []
    five = results.get(5_000)
    if five:
        first = _median([t.first_draw_ms for t in five["envgraph_timings"]])
        all_ms = (five.get("all") or {}).get("ms")
        ok = first is not None and first < 3000 and (all_ms is None or all_ms < 3000) and \
            (not five.get("overview") or all_ms is not None)
        drawn_all = (five.get("all") or {}).get("drawn", 0)
        targets.append(Target("5,000 nodes drawn", "< 3 s",
                              f"page drawn in {_fmt_ms(first)} (an overview of communities); the "
                              f"all-actors view ({drawn_all:,} actors with relations; the isolated "
                              f"ones are hidden by default) drawn {_fmt_ms(all_ms)} after asking for it",
                              ok))
    twenty = results.get(20_000)
    if twenty:
        first = _median([t.first_draw_ms for t in twenty["envgraph_timings"]])
        inter = _median([t.interactive_ms for t in twenty["envgraph_timings"]])
        g = twenty.get("group") or {}
        usable = bool(twenty.get("overview")) and inter is not None and g.get("ms") is not None
        targets.append(Target("20,000 nodes: the page stays usable", "aggregation with drill-down, not a hairball",
                              f"overview of {g.get('groups', 0):,} groups drawn in {_fmt_ms(first)}, "
                              f"interactive at {_fmt_ms(inter)}; largest group opens in {_fmt_ms(g.get('ms'))}",
                              usable))
    summary = ("envgraph's interactive page against plain pyvis defaults (physics on) on the same "
               "clustered graphs, opened from disk in headless Chromium; see the module docstring "
               "of benchmarks/bench_html.py for how drawing and interactivity are detected.")
    data = {str(k): {kk: ([_pt(t) for t in vv] if kk.endswith("_timings") else vv)
                     for kk, vv in v.items()}
            for k, v in results.items()}
    return Section(name="html", title="5. HTML graph", summary=summary, tables=tables,
                   targets=targets, metrics=metrics,
                   notes=["The graphs are synthetic (benchmarks/bench_html.py: synthetic_network), "
                          "shaped like envgraph.network.to_networkx output.",
                          *([f"Writing envgraph's page takes {results[max(results)]['render_s']:.0f} s at "
                             f"{max(results):,} nodes: the browser side is fast, the Python side is what "
                             "a user waits for at that size (profile below). What I would change "
                             "(src/envgraph/render.py, not done here): layout_graph rebuilds "
                             "`set(connected)` for every node when it picks the isolated ones "
                             "(quadratic), lays out each community with networkx's dense "
                             "spring_layout (150 iterations, most of the time), and pyvis's "
                             "Network.add_edge scans every edge added so far (quadratic in edges): "
                             "build the set once, use the sampled force layout already in "
                             "render.py (_force_layout) for communities above a few dozen nodes, and "
                             "assemble the vis nodes and edges directly instead of through pyvis."]
                            if results else []),
                          "Internet requests are blocked in the browser (the pyvis template links "
                          "Bootstrap from a CDN); nothing else in the pages is changed except the "
                          "inserted timing script."],
                   data=data, seconds=seconds, quick=ctx.quick, measured_at=now())


def _pt(t: PageTiming) -> dict[str, Any]:
    return {"first_draw_ms": t.first_draw_ms, "interactive_ms": t.interactive_ms,
            "stabilised_ms": t.stabilised_ms, "drawn_nodes": t.drawn_nodes, "drawings": t.drawings,
            "long_tasks_ms": t.long_tasks_ms, "note": t.note}

