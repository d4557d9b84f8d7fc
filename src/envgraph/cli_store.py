"""CLI commands over the store: query, export, import, remove, reason, validate, documents.

Every command takes ``--store`` (a folder for the embedded store, or an ``http(s)://`` URL of a
SPARQL server; default ``$ENVGRAPH_STORE`` or ``./envgraph-store``). Reading commands open the
store read-only, so they can run side by side; writing commands take the store's write lock.
The commands only parse options and print: the work is done by store, queries, reason, validate
and exchange.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from envgraph.errors import InputError, QueryError, ValidationFailed

StoreOption = Annotated[
    Optional[str],
    typer.Option(
        "--store",
        "-s",
        help="Store folder, or URL of a SPARQL server (http://host:7878). "
        "Default: $ENVGRAPH_STORE or ./envgraph-store.",
        show_default=False,
    ),
]
LockTimeoutOption = Annotated[
    float,
    typer.Option("--wait", help="Seconds to wait for another process that is writing the store."),
]

OUTPUT_FORMATS = ("table", "csv", "json")


def _parse_params(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def _cell(value: object) -> str:
    from rdflib import URIRef

    from envgraph.sparqlutil import compact_iri

    if value is None:
        return ""
    if isinstance(value, URIRef):
        return compact_iri(str(value))
    return str(value)


def _print_table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    # piped output is not folded to 80 columns
    Console(width=None if sys.stdout.isatty() else 240).print(table)


def cmd_query(
    query: Annotated[
        Optional[str],
        typer.Argument(
            help="A named query (see `envgraph query` without arguments), a .rq file, or SPARQL text.",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        Optional[list[str]],
        typer.Option("--param", "-p", help="A query parameter, KEY=VALUE (repeatable)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Language of the labels (en, ru, az, kk, tk).")] = "en",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output: table, csv or json (SPARQL results JSON).")
    ] = "table",
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="Rows to show or write at most (0: all).", min=0)
    ] = 0,
    store: StoreOption = None,
) -> None:
    """Run a named query, a .rq file or a SPARQL query over the whole graph."""
    from envgraph.queries import describe, list_queries, resolve_query, run_query
    from envgraph.store import open_store

    if query is None:
        for named in list_queries():
            typer.echo(describe(named))
            typer.echo("")
        typer.echo("Run one with: envgraph query NAME [--param key=value] [--lang ru] [--format csv]")
        return
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown --format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    named = resolve_query(query)
    with open_store(store, read_only=True) as opened:
        result = run_query(opened, named, _parse_params(param), lang=lang)
    total = len(result.rows)
    if limit and total > limit:
        del result.rows[limit:]
        typer.echo(f"showing the first {limit} of {total} rows (--limit)", err=True)
    if fmt == "csv":
        sys.stdout.write(result.to_csv())
    elif fmt == "json":
        sys.stdout.write(result.to_json() + "\n")
    elif result.kind == "ask":
        typer.echo("true" if result.boolean else "false")
    else:
        _print_table(
            list(result.vars),
            [[_cell(v) for v in row] for row in result.rows],
            title=named.title if named.name != "inline" else None,
        )
        typer.echo(f"{total} row(s)", err=True)


def cmd_export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="trig, nquads, turtle, jsonld, graphml, gexf or csv."
        ),
    ] = "trig",
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="File to write (a folder for csv). Default: standard output."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Label language for graphml, gexf and csv.")] = "en",
    store: StoreOption = None,
) -> None:
    """Export the graph (Turtle flattens the named graphs into one)."""
    from envgraph.exchange import export
    from envgraph.store import open_store

    with open_store(store, read_only=True) as opened:
        report = export(opened, fmt, output, lang=lang)
    for path in report.files:
        typer.echo(f"wrote {path}", err=True)


def cmd_import(
    file: Annotated[Path, typer.Argument(help="An RDF export: .trig, .nq, .jsonld, .ttl, .nt, .rdf.")],
    fmt: Annotated[
        Optional[str], typer.Option("--format", "-f", help="RDF format, if the suffix does not tell.")
    ] = None,
    graph: Annotated[
        Optional[str],
        typer.Option("--graph", help="Graph IRI for triples outside named graphs (Turtle files)."),
    ] = None,
    store: StoreOption = None,
    wait: LockTimeoutOption = 0.0,
) -> None:
    """Load an export into the store; the named graphs it contains replace those in the store."""
    from envgraph.exchange import import_file
    from envgraph.store import open_store

    with open_store(store, lock_timeout=wait) as opened:
        count = import_file(opened, file, fmt, graph=graph)
    typer.echo(f"imported {count} quads from {file}")


def cmd_remove(
    documents: Annotated[list[str], typer.Argument(help="Document ids (file names) to remove.")],
    store: StoreOption = None,
    wait: LockTimeoutOption = 0.0,
) -> None:
    """Remove documents: their facts, and the entities no other document mentions."""
    from envgraph.store import open_store

    with open_store(store, lock_timeout=wait) as opened:
        for doc_id in documents:
            report = opened.remove_document(doc_id)
            typer.echo(
                f"removed {doc_id}: {report.triples_removed} triples, "
                f"{len(report.entities_removed)} entities gone, {report.entities_kept} still "
                "mentioned by other documents"
            )
            for iri in report.entities_removed:
                typer.echo(f"  - {_cell(_uri(iri))}")
            if report.inferred_dropped:
                typer.echo("  the inferred graph was dropped; run `envgraph reason` to recompute it")


def _uri(iri: str) -> object:
    from rdflib import URIRef

    return URIRef(iri)


def cmd_reason(
    method: Annotated[
        str, typer.Option("--method", "-m", help="sparql (fast, in the store) or owlrl (reference).")
    ] = "sparql",
    drop: Annotated[bool, typer.Option("--drop", help="Only drop the inferred graph.")] = False,
    store: StoreOption = None,
    wait: LockTimeoutOption = 0.0,
) -> None:
    """Materialise the ontology's entailments into the graph g:inferred (dropped and recomputed)."""
    from envgraph.reason import drop_inferred, materialise
    from envgraph.store import open_store

    with open_store(store, lock_timeout=wait) as opened:
        if drop:
            drop_inferred(opened)
            typer.echo("dropped the inferred graph")
            return
        report = materialise(opened, method)  # type: ignore[arg-type]
    phases = "".join(f"; {name} {seconds:.2f} s" for name, seconds in report.phases)
    typer.echo(f"{report.triples} inferred triples ({report.method}, {report.seconds:.2f} s{phases})")


def cmd_reindex(
    store: StoreOption = None,
    wait: LockTimeoutOption = 0.0,
) -> None:
    """Recompute the summary index g:index that the named queries read (stores built by an older
    envgraph, loaded with another tool, or left by a killed build)."""
    from envgraph.store import open_store

    with open_store(store, lock_timeout=wait) as opened:
        report = opened.refresh_index(full=True)
    typer.echo(f"summary index: {report.entities} entities ({report.seconds:.1f} s)")


def cmd_validate(
    shapes: Annotated[
        Optional[Path], typer.Option("--shapes", help="SHACL shapes file (default: ontology/shapes.ttl).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Results shown per shape.")] = 20,
    store: StoreOption = None,
) -> None:
    """Validate the graph against the SHACL shapes; exit code 1 on violations."""
    from envgraph.store import open_store
    from envgraph.validate import validate

    with open_store(store, read_only=True) as opened:
        report = validate(opened, shapes=shapes)
    typer.echo(report.format(limit_per_shape=limit))
    if not report.conforms:
        raise ValidationFailed(
            f"{len(report.violations)} SHACL result(s); fix the documents named above and rebuild"
        )


def cmd_documents(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    store: StoreOption = None,
) -> None:
    """List the documents in the store with their hash and number of triples."""
    import csv
    import json

    from envgraph.store import open_store

    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown --format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    with open_store(store, read_only=True) as opened:
        docs = opened.documents()
    rows = [[d.doc_id, str(d.triples), d.sha256, d.graph_iri] for d in docs]
    headers = ["document", "triples", "sha256", "graph"]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
    elif fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(headers, r)) for r in rows], indent=2) + "\n")
    else:
        _print_table(headers, rows)
        typer.echo(f"{len(docs)} document(s)", err=True)


def register(app: typer.Typer) -> None:
    """Add the store commands to the envgraph CLI."""
    app.command("query")(cmd_query)
    app.command("export")(cmd_export)
    app.command("import")(cmd_import)
    app.command("remove")(cmd_remove)
    app.command("reason")(cmd_reason)
    app.command("reindex")(cmd_reindex)
    app.command("validate")(cmd_validate)
    app.command("documents")(cmd_documents)
