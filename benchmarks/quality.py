"""Extraction quality, measured against gold annotations, written to benchmarks/QUALITY.md.

    .venv/bin/python benchmarks/quality.py [--dev ../shared/dev]

Measures the sample corpus (data/corpus against data/gold) and, when the folder exists, the
held-out development articles (DEV/texts against DEV/gold: other people's texts, read in place,
never copied here), per document and per language, with `envgraph evaluate`'s scorer. Writes
benchmarks/QUALITY.md and benchmarks/quality.json; the history of changes and their effect is
kept by hand in benchmarks/quality-log.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
from pathlib import Path

from envgraph import __version__
from envgraph.evaluate import Evaluation, evaluate, load_gold, predicted_from_extraction
from envgraph.pipeline import Extractor, extract_corpus

ROOT = Path(__file__).resolve().parent.parent


def measure(texts: Path, gold: Path, extractor: Extractor) -> Evaluation:
    predicted = [predicted_from_extraction(e) for e in extract_corpus([texts], extractor)]
    return evaluate(load_gold(gold), predicted)


def as_dict(result: Evaluation) -> dict[str, object]:
    def counts(c):  # type: ignore[no-untyped-def]
        return {"precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3),
                "gold": c.n_gold, "predicted": c.n_pred}

    return {
        "entities": counts(result.entities),
        "relations": counts(result.relations),
        "attributes": counts(result.attributes),
        "single_node_share": round(result.single_node_share, 3),
        "by_language": {lang: {"entities": counts(e), "relations": counts(r)}
                        for lang, (e, r) in sorted(result.by_language().items())},
        "documents": {d.document: {"entities": counts(d.entities), "relations": counts(d.relations)}
                      for d in result.documents},
    }


def table(name: str, result: dict[str, object]) -> str:
    lines = [f"## {name}", "", "| | precision | recall | F1 |", "|---|---|---|---|"]
    for key in ("entities", "relations", "attributes"):
        c = result[key]
        assert isinstance(c, dict)
        lines.append(f"| {key} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |")
    lines += ["", f"Gold actors that came out as exactly one node: {result['single_node_share']:.3f}", "",
              "| language | entity F1 | relation F1 |", "|---|---|---|"]
    by_lang = result["by_language"]
    assert isinstance(by_lang, dict)
    for lang, figures in by_lang.items():
        lines.append(f"| {lang} | {figures['entities']['f1']:.3f} | {figures['relations']['f1']:.3f} |")
    lines += ["", "| document | entity F1 | relation F1 |", "|---|---|---|"]
    docs = result["documents"]
    assert isinstance(docs, dict)
    for doc, figures in docs.items():
        lines.append(f"| {doc} | {figures['entities']['f1']:.3f} | {figures['relations']['f1']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "dev",
                        help="folder with texts/ and gold/ of held-out articles (default: ../shared/dev)")
    args = parser.parse_args()
    extractor = Extractor.load()
    results = {"sample corpus (data/corpus)": as_dict(measure(ROOT / "data" / "corpus", ROOT / "data" / "gold", extractor))}
    if (args.dev / "texts").is_dir() and (args.dev / "gold").is_dir():
        results["development set (../shared/dev, unseen texts)"] = as_dict(
            measure(args.dev / "texts", args.dev / "gold", extractor))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"# Extraction quality\n\nenvgraph {__version__}, Python {platform.python_version()}, {stamp}.\n"
              "Made by `.venv/bin/python benchmarks/quality.py`; scorer: `envgraph evaluate` "
              "(entities matched by overlapping mention spans and type; relations by property and both "
              "ends; micro-averaged).\n\n")
    out = Path(__file__).parent
    (out / "QUALITY.md").write_text(header + "\n".join(table(k, v) for k, v in results.items()), encoding="utf-8")
    (out / "quality.json").write_text(json.dumps({"date": stamp, "results": results}, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    print((out / "QUALITY.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
