"""Run the benchmarks and write benchmarks/RESULTS.md and benchmarks/results.json.

    python -m benchmarks.run                 # everything, full sizes (about half an hour here)
    python -m benchmarks.run --quick         # tiny sizes, a minute (what the test suite runs)
    python -m benchmarks.run --only store    # one benchmark (repeatable: --only build --only web)
    python -m benchmarks.run --only build --build-sizes 1000:1,100000:1   # other build sizes

Each finished benchmark is recorded at once (results.json; its previous measurement moves to
results.previous.json) and RESULTS.md is rewritten, so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from benchmarks.context import Context, now
from benchmarks.measure import BENCH_DIR, environment
from benchmarks.report import SECTION_ORDER, Section, record_section, write_markdown

MODULES = {
    "build": "benchmarks.bench_build",
    "store": "benchmarks.bench_store",
    "reasoning": "benchmarks.bench_reason",
    "incremental": "benchmarks.bench_incremental",
    "html": "benchmarks.bench_html",
    "web": "benchmarks.bench_web",
}
TITLES = {
    "build": "1. Build throughput",
    "store": "2. Store and named queries",
    "reasoning": "3. Reasoning",
    "incremental": "4. Incremental build",
    "html": "5. HTML graph",
    "web": "6. Web app under load",
}


def parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """``"1000:2,100000"`` -> ``((1000, 2), (100000, 1))`` (runs default to 1)."""
    sizes: list[tuple[int, int]] = []
    for item in text.split(","):
        docs, _, runs = item.strip().partition(":")
        try:
            pair = (int(docs.replace("_", "")), int(runs or 1))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not DOCS[:RUNS]: {item!r}") from None
        if pair[0] < 1 or pair[1] < 1:
            raise argparse.ArgumentTypeError(f"documents and runs must be positive: {item!r}")
        sizes.append(pair)
    return tuple(sorted(sizes))


def run_section(name: str, ctx: Context) -> Section:
    """Run one benchmark; a crash becomes a section that says so (the run goes on)."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(MODULES[name])
        return module.run(ctx)
    except Exception as err:  # noqa: BLE001 - report the failure in RESULTS.md, keep going
        ctx.log(f"{name}: FAILED: {err}")
        return Section(name=name, title=TITLES[name],
                       summary="This benchmark failed to run; the error is below.",
                       notes=[f"{type(err).__name__}: {err}"],
                       profile="".join(traceback.format_exception(err))[-4000:],
                       seconds=time.perf_counter() - started, quick=ctx.quick, measured_at=now())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds, not minutes)")
    parser.add_argument("--only", action="append", choices=SECTION_ORDER, metavar="NAME",
                        help=f"run only this benchmark ({', '.join(SECTION_ORDER)}); repeatable")
    parser.add_argument("--out", type=Path, default=BENCH_DIR,
                        help="where RESULTS.md and results.json go (default: benchmarks/)")
    parser.add_argument("--work", type=Path, default=None,
                        help="scratch folder for corpora and stores (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--build-sizes", type=parse_sizes, default=None, metavar="DOCS:RUNS,...",
                        help="documents and runs of the build benchmark's end-to-end builds, e.g. "
                             "1000:1,100000:1 (default: its plan, 1000:2,10000:1; --quick: 8:1)")
    args = parser.parse_args(argv)
    names = [n for n in SECTION_ORDER if not args.only or n in args.only]
    command = "python -m benchmarks.run" + (" " + shlex.join(argv if argv is not None else sys.argv[1:])
                                            if (argv if argv is not None else sys.argv[1:]) else "")
    env = environment().as_json()
    with tempfile.TemporaryDirectory(prefix="envgraph-bench-work-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ctx = Context(quick=args.quick, work=work, seed=args.seed, build_sizes=args.build_sizes)
        for name in names:
            ctx.log(f"== {name}")
            section = run_section(name, ctx)
            section.quick = args.quick
            record_section(args.out, section, env, command)
            path = write_markdown(args.out)
            ctx.log(f"== {name} done in {section.seconds:.0f} s; {path} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
