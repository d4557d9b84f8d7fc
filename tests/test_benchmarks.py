"""The benchmarks run end to end on tiny sizes and write their result files; the synthetic
corpus is deterministic and its known facts match its texts. No timing is asserted: the
benchmarks measure, the tests only check that they can."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # benchmarks/ lives at the repository root, next to tests/
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import read_facts, write_corpus, write_lexicon  # noqa: E402
from benchmarks.report import SECTION_ORDER  # noqa: E402
TITLES = ("1. Build throughput", "2. Store and named queries", "3. Reasoning",
          "4. Incremental build", "5. HTML graph", "6. Web app under load")


def run_benchmarks(out: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out), "--work", str(work), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.slow
def test_quick_run_writes_results_with_all_six_sections(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_benchmarks(out, tmp_path / "work")
    assert result.returncode == 0, result.stderr[-3000:]

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(data["sections"]) == set(SECTION_ORDER)
    env = data["environment"]
    assert env["cores"] >= 1 and env["ram_gib"] > 0
    assert {"python", "envgraph", "pyoxigraph", "rdflib", "owlrl"} <= set(env["versions"])
    for name, section in data["sections"].items():
        assert section["quick"] is True
        assert "failed to run" not in section["summary"], (name, section["notes"], section["profile"])
        assert section["tables"] or section["targets"], name
        assert section["measured_at"]

    markdown = (out / "RESULTS.md").read_text(encoding="utf-8")
    for title in TITLES:
        assert f"## {title}" in markdown
    assert "QUICK RUN" in markdown and "Targets at a glance" in markdown

    # a second run of one benchmark keeps the first measurement as the previous one
    again = run_benchmarks(out, tmp_path / "work", "--only", "reasoning")
    assert again.returncode == 0, again.stderr[-3000:]
    previous = json.loads((out / "results.previous.json").read_text(encoding="utf-8"))
    assert set(previous["sections"]) == {"reasoning"}
    assert "Change against the previous run" in (out / "RESULTS.md").read_text(encoding="utf-8")

    # the incremental benchmark also measures a store made by `envgraph build` when asked to:
    # here the build benchmark's store of the quick run
    built = sorted((tmp_path / "work" / "build-stores").glob("docs-*[0-9]"))[-1]
    env = {**os.environ, "ENVGRAPH_BENCH_INCREMENTAL_BUILT": str(built)}
    measured = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "incremental", "--out", str(out),
         "--work", str(tmp_path / "work")], cwd=REPO, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert measured.returncode == 0, measured.stderr[-3000:]
    stores = json.loads((out / "results.json").read_text(encoding="utf-8"))["sections"]["incremental"]["data"]["stores"]
    built_rows = [s for s in stores if s["store"].get("built")]
    assert len(built_rows) == 1 and built_rows[0]["documents"] == int(built.name.split("-")[1])
    assert all(add["extracted"] == 1 for add in built_rows[0]["api"]["adds"])


def test_corpus_is_deterministic_multilingual_and_its_facts_match_the_texts(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 60, seed=5)
    second = write_corpus(tmp_path / "b", 60, seed=5)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.txt"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.txt"))
    assert files_a == files_b and len(files_a) == 60
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    assert set(first.languages) == {"en", "ru", "az", "kk", "kk_latn", "tk"}
    assert first.facts == second.facts > 0

    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "a").rglob("*.txt")}
    for text in texts.values():
        assert 1500 <= len(text.encode("utf-8")) <= 4096
    facts = read_facts(tmp_path / "a")
    assert {f["doc"] for f in facts} <= set(texts)
    assert {"funds", "leads", "organises", "participatesIn", "speaksAt", "startDate"} <= {f["property"] for f in facts}
    invented = [f for f in facts if f["subject_id"] is None]
    assert invented and all(f["subject"] in texts[f["doc"]].replace("«", "").replace("»", "").replace('"', "")
                            for f in invented)
    from_lexicon = [f for f in facts if f["subject_id"] is not None]
    assert from_lexicon

    # a smaller corpus in the same folder is the first documents of the bigger one
    smaller = write_corpus(tmp_path / "a", 20, seed=5)
    assert smaller.docs == 20
    assert sorted(p.name for p in (tmp_path / "a").rglob("*.txt")) == sorted(texts)[:20]


def test_generated_lexicon_loads_into_envgraph(tmp_path: Path) -> None:
    from envgraph.lexicon import load_entries
    from envgraph.pipeline import Extractor

    count = write_lexicon(tmp_path / "lexicon", 1_100, seed=2)
    assert count == 1_100
    entries = load_entries(tmp_path / "lexicon")
    generated = [e for e in entries.values() if e.id.startswith("gen_")]
    assert generated and all(set(e.names) == {"en", "ru", "az", "kk", "tk"} for e in generated)
    extractor = Extractor.load(lexicon_dir=tmp_path / "lexicon")
    assert len(extractor.lexicon) == 1_100


def test_build_sizes_option_replaces_the_plan_sizes(tmp_path: Path) -> None:
    import argparse

    from benchmarks.bench_build import FULL, plan_for
    from benchmarks.context import Context
    from benchmarks.run import parse_sizes

    assert parse_sizes("100000:1, 1000:2") == ((1000, 2), (100_000, 1))
    assert parse_sizes("500") == ((500, 1),)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes("1000:0")
    assert plan_for(Context(quick=False, work=tmp_path)) == FULL  # the default plan is untouched
    plan = plan_for(Context(quick=False, work=tmp_path, build_sizes=((1000, 1), (100_000, 1))))
    assert plan.sizes == ((1000, 1), (100_000, 1))
    assert plan.timeout >= 25_000 and plan.lexicon_docs == FULL.lexicon_docs
