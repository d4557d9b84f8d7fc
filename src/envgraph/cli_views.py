"""CLI commands to explore the graph: ``network`` (analytics), ``html`` (the interactive graph)
and ``serve`` (the local web app).

The commands parse options, call :mod:`envgraph.network`, :mod:`envgraph.render` and
:mod:`envgraph.serve`, and print; they hold no logic of their own.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from envgraph.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

StoreOption = Annotated[
    Optional[str],
    typer.Option(
        "--store",
        "-s",
        help="Store folder, or URL of a SPARQL server. Default: $ENVGRAPH_STORE or ./envgraph-store.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help="Output: table, csv or json.", show_default=False),
]
LangOption = Annotated[
    Optional[str],
    typer.Option("--lang", "-l", help="Label language: en, ru, az, kk, tk.", show_default=False),
]
TopOption = Annotated[int, typer.Option("--top", "-n", help="Rows to show (0: all).")]

FORMATS = ("table", "csv", "json")

network_app = typer.Typer(
    help="Network analytics: central actors, brokers, communities, funding flows, ego networks "
    "and paths between actors.",
    no_args_is_help=True,
)


@dataclasses.dataclass(slots=True)
class _Options:
    store: str | None = None
    fmt: str = "table"
    lang: str = "en"


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """Rows to print: ``columns`` for tables and CSV, ``records`` (nested) for JSON."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    records: list[dict[str, Any]]


@network_app.callback()
def _network_options(
    ctx: typer.Context,
    store: StoreOption = None,
    fmt: FormatOption = None,
    lang: LangOption = None,
) -> None:
    ctx.obj = _Options(store, fmt or "table", lang or "en")


def _options(ctx: typer.Context, store: str | None, fmt: str | None, lang: str | None) -> _Options:
    base = ctx.obj if isinstance(ctx.obj, _Options) else _Options()
    chosen = _Options(store or base.store, fmt or base.fmt, lang or base.lang)
    if chosen.fmt not in FORMATS:
        raise InputError(f"unknown --format {chosen.fmt!r}; use one of {', '.join(FORMATS)}")
    return chosen


def load_graph(store: str | None, lang: str) -> nx.MultiDiGraph:
    """Project the store onto NetworkX (the store is opened read-only and closed again)."""
    from envgraph.network import to_networkx
    from envgraph.store import open_store

    with open_store(store, read_only=True) as opened:
        return to_networkx(opened, lang=lang)


def _emit(table: Table, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(table.records, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    else:
        from rich.console import Console
        from rich.table import Table as RichTable
        from rich.text import Text

        from envgraph.sparqlutil import compact_iri

        # cells are Text, not markup: a label like "[bold]" or "[/x]" is printed as it is
        out = RichTable(title=Text(table.title))
        for column in table.columns:
            out.add_column(column, overflow="fold")
        iri_col = table.columns.index("iri") if "iri" in table.columns else -1
        for row in table.rows:
            out.add_row(*(Text(compact_iri(cell) if i == iri_col else cell)
                          for i, cell in enumerate(row)))
        Console().print(out)
        typer.echo(f"{len(table.rows)} row(s)", err=True)


def _limit(items: Sequence[Any], top: int) -> list[Any]:
    return list(items if top <= 0 else items[:top])


def _evidence_records(evidence: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"document": e.doc_id, "sentence": e.sentence, "rule": e.rule,
             "confidence": e.confidence} for e in evidence]


def _first_evidence(evidence: Sequence[Any]) -> tuple[str, str]:
    if not evidence:
        return "", ""
    docs = sorted({e.doc_id for e in evidence})
    return ", ".join(docs), evidence[0].sentence


# --- tables ----------------------------------------------------------------------------------


def centrality_table(G: nx.MultiDiGraph, top: int) -> Table:
    from envgraph.network import centrality

    rows = centrality(G, top=None if top <= 0 else top)
    return Table(
        "Most central actors",
        ["label", "type", "degree", "betweenness", "pagerank", "iri"],
        [[r.label, r.type, str(r.degree), f"{r.betweenness:.4f}", f"{r.pagerank:.4f}", r.iri]
         for r in rows],
        [dataclasses.asdict(r) for r in rows],
    )


def brokers_table(G: nx.MultiDiGraph, by: str, top: int) -> Table:
    from envgraph.network import brokers

    rows = brokers(G, by=by, top=None if top <= 0 else top)
    return Table(
        f"Brokers between {by == 'country' and 'countries' or 'communities'}",
        ["label", "type", "group", "groups linked", "brokerage", "iri"],
        [[r.label, r.type, r.group, str(r.groups_linked), f"{r.brokerage:.4f}", r.iri] for r in rows],
        [dataclasses.asdict(r) for r in rows],
    )


def communities_table(G: nx.MultiDiGraph, top: int) -> Table:
    from envgraph.network import communities

    rows = _limit(communities(G), top)
    return Table(
        "Communities",
        ["id", "size", "main members", "types"],
        [[str(c.id), str(c.size), "; ".join(c.labels[:5]),
          ", ".join(f"{t} {n}" for t, n in c.types.items())] for c in rows],
        [{"id": c.id, "size": c.size, "members": list(c.members), "labels": list(c.labels),
          "types": dict(c.types)} for c in rows],
    )


def funding_table(G: nx.MultiDiGraph, top: int) -> Table:
    from envgraph.network import funding_flows

    rows = _limit(funding_flows(G), top)
    out_rows = []
    for f in rows:
        docs, sentence = _first_evidence(f.evidence)
        out_rows.append([f.funder_label, f.initiative_label, "; ".join(f.implementers),
                         "; ".join(f.countries), docs, sentence])
    return Table(
        "Funding flows: funder → initiative → implementers → countries",
        ["funder", "initiative", "implementers", "countries", "documents", "evidence"],
        out_rows,
        [{**{k: v for k, v in dataclasses.asdict(f).items() if k != "evidence"},
          "evidence": _evidence_records(f.evidence)} for f in rows],
    )


def ego_table(G: nx.MultiDiGraph, actor: str, radius: int, top: int) -> Table:
    from envgraph.network import ego, ego_facts

    H = ego(G, actor, radius)
    steps = _limit(list(ego_facts(H)), top)
    centre = H.nodes[H.graph["center"]].get("label", actor)
    out_rows = []
    for s in steps:
        docs, sentence = _first_evidence(s.evidence)
        out_rows.append([s.subject_label, s.relation, s.object_label, docs, sentence])
    return Table(
        f"Network of {centre} (radius {radius}): {H.number_of_nodes()} actors, "
        f"{H.number_of_edges()} relations",
        ["subject", "relation", "object", "documents", "evidence"],
        out_rows,
        [{"subject": s.subject, "subject_label": s.subject_label, "relation": s.relation,
          "object": s.object, "object_label": s.object_label,
          "evidence": _evidence_records(s.evidence)} for s in steps],
    )


def path_table(G: nx.MultiDiGraph, a: str, b: str, k: int) -> Table:
    from envgraph.network import connections

    paths = connections(G, a, b, k=k)
    out_rows = []
    for i, c in enumerate(paths, start=1):
        for s in c.steps:
            docs, sentence = _first_evidence(s.evidence)
            out_rows.append([str(i), " → ".join(c.labels), s.subject_label, s.relation,
                             s.object_label, docs, sentence])
    return Table(
        f"How {a} is connected to {b}" + ("" if paths else ": no path"),
        ["path", "via", "subject", "relation", "object", "documents", "evidence"],
        out_rows,
        [{"nodes": list(c.nodes), "labels": list(c.labels), "length": c.length,
          "steps": [{"subject": s.subject, "subject_label": s.subject_label,
                     "relation": s.relation, "object": s.object, "object_label": s.object_label,
                     "evidence": _evidence_records(s.evidence)} for s in c.steps]}
         for c in paths],
    )


# --- commands --------------------------------------------------------------------------------


@network_app.command("centrality")
def cmd_centrality(ctx: typer.Context, top: TopOption = 20, store: StoreOption = None,
                   fmt: FormatOption = None, lang: LangOption = None) -> None:
    """The most central actors: degree, betweenness and PageRank."""
    opts = _options(ctx, store, fmt, lang)
    _emit(centrality_table(load_graph(opts.store, opts.lang), top), opts.fmt)


@network_app.command("brokers")
def cmd_brokers(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="community or country.")] = "community",
    top: TopOption = 20,
    store: StoreOption = None,
    fmt: FormatOption = None,
    lang: LangOption = None,
) -> None:
    """Actors on the shortest paths between communities or countries."""
    opts = _options(ctx, store, fmt, lang)
    _emit(brokers_table(load_graph(opts.store, opts.lang), by, top), opts.fmt)


@network_app.command("communities")
def cmd_communities(ctx: typer.Context, top: TopOption = 20, store: StoreOption = None,
                    fmt: FormatOption = None, lang: LangOption = None) -> None:
    """Groups of actors more linked to each other than to the rest (Louvain, seeded)."""
    opts = _options(ctx, store, fmt, lang)
    _emit(communities_table(load_graph(opts.store, opts.lang), top), opts.fmt)


@network_app.command("funding")
def cmd_funding(ctx: typer.Context, top: TopOption = 0, store: StoreOption = None,
                fmt: FormatOption = None, lang: LangOption = None) -> None:
    """Follow the money: funder → initiative → implementing organisations → countries."""
    opts = _options(ctx, store, fmt, lang)
    _emit(funding_table(load_graph(opts.store, opts.lang), top), opts.fmt)


@network_app.command("ego")
def cmd_ego(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(help="IRI, ent:type/slug, or a label in any language.")],
    radius: Annotated[int, typer.Option("--radius", "-r", help="Links away from the actor.")] = 1,
    top: TopOption = 0,
    store: StoreOption = None,
    fmt: FormatOption = None,
    lang: LangOption = None,
) -> None:
    """An actor's network: the facts among everyone within --radius links."""
    opts = _options(ctx, store, fmt, lang)
    _emit(ego_table(load_graph(opts.store, opts.lang), actor, radius, top), opts.fmt)


@network_app.command("path")
def cmd_path(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="First actor.")],
    b: Annotated[str, typer.Argument(help="Second actor.")],
    k: Annotated[int, typer.Option("--k", "-k", help="How many shortest paths.")] = 3,
    store: StoreOption = None,
    fmt: FormatOption = None,
    lang: LangOption = None,
) -> None:
    """How A is connected to B: shortest paths with the facts along them."""
    opts = _options(ctx, store, fmt, lang)
    _emit(path_table(load_graph(opts.store, opts.lang), a, b, k), opts.fmt)


def _split(values: list[str] | None) -> list[str] | None:
    items = [v.strip() for value in values or [] for v in value.split(",") if v.strip()]
    return items or None


def cmd_html(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "envgraph-graph.html"),
    store: StoreOption = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Display language (switchable in the page).")] = "en",
    focus: Annotated[
        Optional[str], typer.Option("--focus", help="Draw only this actor's network.", show_default=False)
    ] = None,
    depth: Annotated[int, typer.Option("--depth", help="Links away from --focus.")] = 2,
    types: Annotated[
        Optional[list[str]],
        typer.Option("--types", help="Entity types to keep (repeat or comma-separate).", show_default=False),
    ] = None,
    relations: Annotated[
        Optional[list[str]],
        typer.Option("--relations", help="Relations to keep (repeat or comma-separate).", show_default=False),
    ] = None,
) -> None:
    """Write the interactive graph as one self-contained HTML file that works offline."""
    from envgraph.render import render_html

    G = load_graph(store, lang)
    path = render_html(G, output, lang=lang, focus=focus, depth=depth, types=_split(types),
                       relations=_split(relations))
    typer.echo(f"wrote {path} ({G.number_of_nodes()} actors, {G.number_of_edges()} relations in the store)")


def cmd_serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind (only localhost by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port (0: any free port).")] = 8000,
    allow_updates: Annotated[
        bool, typer.Option("--allow-updates", help="Accept SPARQL updates (refused with 403 otherwise).")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds before a query is cancelled.")] = 10.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Result rows returned at most.")] = 10_000,
    max_body: Annotated[int, typer.Option("--max-body", help="Request body bytes accepted at most.")] = 1_000_000,
    workers: Annotated[int, typer.Option("--workers", help="Query worker processes.")] = 2,
    cache_mb: Annotated[
        int, typer.Option("--cache-mb", help="Memory for cached answers, in MB (0: no cache).")
    ] = 128,
) -> None:
    """Serve the SPARQL endpoint, entity pages, search and the interactive graph."""
    from envgraph.serve import ServeConfig, serve
    from envgraph.settings import default_store_location

    location = store or default_store_location()
    if not location.startswith(("http://", "https://")) and not Path(location).is_dir():
        raise InputError(f"no store at {location}; build one first (`envgraph build FOLDER`) "
                         "or give --store")
    serve(ServeConfig(store=location, host=host, port=port, allow_updates=allow_updates,
                      timeout=timeout, max_rows=max_rows, max_body=max_body, workers=workers,
                      cache_mb=cache_mb),
          announce=lambda text: typer.echo(text, err=True))


def register(app: typer.Typer) -> None:
    """Add ``network``, ``html`` and ``serve`` to the envgraph CLI."""
    app.add_typer(network_app, name="network")
    app.command("html")(cmd_html)
    app.command("serve")(cmd_serve)
