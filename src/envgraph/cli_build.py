"""CLI commands ``build`` and ``evaluate``: extraction into the store, and its measurement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from envgraph.errors import InputError

_STORE_HELP = "Store folder, or URL of a SPARQL server (http://host:7878). Default: $ENVGRAPH_STORE or ./envgraph-store."


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("evaluate")(evaluate_command)


def build_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .md and .html texts.", show_default=False)],
    store: Annotated[Optional[str], typer.Option("--store", "-s", help=_STORE_HELP, show_default=False)] = None,
    lexicon: Annotated[Optional[Path], typer.Option("--lexicon", help="Lexicon folder (default: the packaged data/lexicon).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-extract documents whose content is unchanged.")] = False,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Skip files larger than this many MB (news items are KBs; a bigger file is usually a dump or a mistake).")] = 16.0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for extraction (default 1).")] = 1,
) -> None:
    """Extract actors, relations and their evidence from texts into the graph store."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from envgraph.pipeline import Extractor, build
    from envgraph.read import find_files
    from envgraph.store import open_store

    if not paths:
        raise InputError("give at least one file or folder to build from")
    extractor = Extractor.load(lexicon_dir=lexicon)
    total = sum(1 for item in find_files(paths) if isinstance(item, Path))
    console = Console(stderr=True)
    with open_store(store) as target:
        if progress and console.is_terminal:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task("extracting", total=total)
                report = build(paths, target, extractor=extractor, force=force, max_bytes=int(max_mb * 2**20),
                               on_document=lambda name: bar.update(task, advance=1, description=name[:40]),
                               jobs=jobs, lexicon_dir=lexicon)
        else:
            report = build(paths, target, extractor=extractor, force=force, max_bytes=int(max_mb * 2**20),
                           jobs=jobs, lexicon_dir=lexicon)
        location = target.location
    summary = {
        "store": location,
        "documents_extracted": report.documents,
        "documents_unchanged": report.unchanged,
        "documents_skipped": len(report.skipped),
        "languages": dict(sorted(report.languages.items())),
        "mentions": report.mentions,
        "entities_by_type": dict(sorted(report.entities_by_type.items())),
        "facts_by_property": dict(sorted(report.relations_by_property.items())),
        "skipped": [{"file": str(p.path), "reason": p.reason} for p in report.skipped],
        "warnings": report.warnings,
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print_summary(summary)


def _print_summary(summary: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]envgraph build[/bold] → {summary['store']}")
    console.print(
        f"documents: {summary['documents_extracted']} extracted, {summary['documents_unchanged']} unchanged, "
        f"{summary['documents_skipped']} skipped; mentions: {summary['mentions']}"
    )
    langs = summary["languages"]
    assert isinstance(langs, dict)
    console.print("languages: " + (", ".join(f"{k} ({v} documents)" for k, v in langs.items()) or "none"))
    for title, key in (("entities by type", "entities_by_type"), ("facts by property", "facts_by_property")):
        table = Table(title=title, title_justify="left")
        table.add_column("name")
        table.add_column("count", justify="right")
        values = summary[key]
        assert isinstance(values, dict)
        for name, count in values.items():
            table.add_row(str(name), str(count))
        console.print(table)
    skipped = summary["skipped"]
    assert isinstance(skipped, list)
    for item in skipped:
        console.print(f"[yellow]skipped[/yellow] {item['file']}: {item['reason']}")
    warnings = summary["warnings"]
    assert isinstance(warnings, list)
    for warning in warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")


def evaluate_command(
    gold: Annotated[Path, typer.Option("--gold", help="Folder of gold annotations (*.yaml).")],
    store: Annotated[Optional[str], typer.Option("--store", "-s", help=_STORE_HELP, show_default=False)] = None,
    texts: Annotated[Optional[Path], typer.Option("--texts", help="Extract these texts in memory instead of reading the store.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    details: Annotated[bool, typer.Option("--details", help="List missed and spurious entities and relations.")] = False,
) -> None:
    """Precision, recall and F1 of entities and relations against gold annotations."""
    from envgraph.evaluate import evaluate, load_gold, predicted_from_extraction, predicted_from_store
    from envgraph.pipeline import extract_corpus
    from envgraph.store import open_store

    gold_docs = load_gold(gold)
    if texts is not None:
        predicted = [predicted_from_extraction(e) for e in extract_corpus([texts])]
    else:
        from envgraph.read import read_document

        with open_store(store, read_only=True) as source:
            paths = {str(row[0]): str(row[1]) for row in source.query(_PATHS_QUERY).rows}
            predicted = []
            for g in gold_docs:
                path = paths.get(g.document)
                if path is None:
                    raise InputError(f"{g.document} is not in the store; build it first or use --texts FOLDER")
                read = read_document(Path(path))
                if read.document is None:
                    raise InputError(f"cannot read the text of {g.document} at {path}; use --texts FOLDER")
                predicted.append(predicted_from_store(source, g.document, read.document.text))
    result = evaluate(gold_docs, predicted)
    if as_json:
        typer.echo(json.dumps(_as_dict(result), ensure_ascii=False, indent=2))
        return
    _print_evaluation(result, details)


_PATHS_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX env: <https://w3id.org/envgraph/ontology#>
SELECT ?id ?path WHERE { ?doc a env:Document ; dcterms:identifier ?id ; env:path ?path }
"""


def _counts(c: object) -> dict[str, float]:
    return {"precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3),  # type: ignore[attr-defined]
            "gold": c.n_gold, "predicted": c.n_pred}  # type: ignore[attr-defined]


def _as_dict(result: object) -> dict[str, object]:
    r = result
    return {
        "total": {"entities": _counts(r.entities), "relations": _counts(r.relations), "attributes": _counts(r.attributes),  # type: ignore[attr-defined]
                  "single_node_share": round(r.single_node_share, 3), "gold_actors": r.gold_actors},  # type: ignore[attr-defined]
        "by_language": {lang: {"entities": _counts(e), "relations": _counts(rel)} for lang, (e, rel) in sorted(r.by_language().items())},  # type: ignore[attr-defined]
        "documents": [
            {"document": d.document, "languages": list(d.languages), "entities": _counts(d.entities),
             "relations": _counts(d.relations), "attributes": _counts(d.attributes)}
            for d in r.documents  # type: ignore[attr-defined]
        ],
        "split_actors": r.split_actors,  # type: ignore[attr-defined]
    }


def _print_evaluation(result: object, details: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    r = result
    console = Console()
    table = Table(title="envgraph evaluate", title_justify="left")
    for col in ("document", "ent P", "ent R", "ent F1", "rel P", "rel R", "rel F1", "attr F1"):
        table.add_column(col, justify="right" if col != "document" else "left")
    rows = [(d.document, d.entities, d.relations, d.attributes) for d in r.documents]  # type: ignore[attr-defined]
    rows.append(("TOTAL", r.entities, r.relations, r.attributes))  # type: ignore[attr-defined]
    for name, e, rel, att in rows:
        table.add_row(name, f"{e.precision:.3f}", f"{e.recall:.3f}", f"{e.f1:.3f}", f"{rel.precision:.3f}",
                      f"{rel.recall:.3f}", f"{rel.f1:.3f}", f"{att.f1:.3f}")
    console.print(table)
    by_lang = Table(title="by language", title_justify="left")
    for col in ("language", "ent F1", "rel F1"):
        by_lang.add_column(col)
    for lang, (e, rel) in sorted(r.by_language().items()):  # type: ignore[attr-defined]
        by_lang.add_row(lang, f"{e.f1:.3f}", f"{rel.f1:.3f}")
    console.print(by_lang)
    console.print(f"gold actors that are exactly one node: {r.single_node_share:.3f} of {r.gold_actors}")  # type: ignore[attr-defined]
    if details:
        for d in r.documents:  # type: ignore[attr-defined]
            console.print(f"[bold]{d.document}[/bold]")
            console.print(f"  missed entities: {', '.join(d.missed_entities) or '-'}")
            console.print(f"  spurious entities: {', '.join(x.rsplit('/', 1)[-1] for x in d.spurious_entities) or '-'}")
            console.print(f"  missed relations: {'; '.join(' '.join(t) for t in d.missed_relations) or '-'}")
            console.print("  spurious relations: " + ("; ".join(
                f"{s.rsplit('/', 1)[-1]} {p} {o.rsplit('/', 1)[-1]}" for s, p, o in d.spurious_relations) or "-"))
        console.print(f"split or missing actors: {', '.join(r.split_actors) or '-'}")  # type: ignore[attr-defined]
