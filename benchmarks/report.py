"""Benchmark results: the section model, results.json (with the previous run kept) and
RESULTS.md (a table per benchmark, the targets, deltas against the previous run)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SECTION_ORDER: tuple[str, ...] = ("build", "store", "reasoning", "incremental", "html", "web")
RESULTS_JSON = "results.json"
PREVIOUS_JSON = "results.previous.json"
RESULTS_MD = "RESULTS.md"


@dataclass(slots=True)
class Table:
    """One table of RESULTS.md."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass(slots=True)
class Target:
    """A target of issue 6 and what was measured against it. ``met`` is None when it could not
    be measured in this run (the reason is in ``measured``)."""

    name: str
    target: str
    measured: str
    met: bool | None


@dataclass(slots=True)
class Metric:
    """A key figure compared with the previous run."""

    value: float
    unit: str
    better: str = "lower"  # "lower" or "higher"


@dataclass(slots=True)
class Section:
    """One benchmark's results."""

    name: str
    title: str
    summary: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, Metric] = field(default_factory=dict)
    profile: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    quick: bool = False
    measured_at: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Section:
        return cls(
            name=raw["name"], title=raw["title"], summary=raw.get("summary", ""),
            tables=[Table(**t) for t in raw.get("tables", [])],
            targets=[Target(**t) for t in raw.get("targets", [])],
            notes=list(raw.get("notes", [])),
            metrics={k: Metric(**m) for k, m in raw.get("metrics", {}).items()},
            profile=raw.get("profile", ""), data=dict(raw.get("data", {})),
            seconds=float(raw.get("seconds", 0.0)), quick=bool(raw.get("quick", False)),
            measured_at=raw.get("measured_at", ""),
        )


@dataclass(slots=True)
class Results:
    """Everything results.json holds: the environment of the last run and each section."""

    environment: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    sections: dict[str, Section] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"environment": self.environment, "command": self.command,
                "sections": {k: v.as_json() for k, v in self.sections.items()}}

    @classmethod
    def load(cls, path: Path) -> Results:
        if not path.is_file():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(environment=dict(raw.get("environment", {})), command=raw.get("command", ""),
                   sections={k: Section.from_json(v) for k, v in raw.get("sections", {}).items()})

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")


def record_section(out_dir: Path, section: Section, environment: Mapping[str, Any],
                   command: str) -> None:
    """Store ``section`` in results.json; its earlier measurement moves to
    results.previous.json (section by section, so partial runs keep comparable history)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    current = Results.load(out_dir / RESULTS_JSON)
    previous = Results.load(out_dir / PREVIOUS_JSON)
    if section.name in current.sections:
        previous.sections[section.name] = current.sections[section.name]
        previous.environment = current.environment
        previous.save(out_dir / PREVIOUS_JSON)
    current.sections[section.name] = section
    current.environment = dict(environment)
    current.command = command
    current.save(out_dir / RESULTS_JSON)


# --------------------------------------------------------------------------------------------
# RESULTS.md
# --------------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(flag: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[flag]


def _delta_rows(section: Section, before: Section | None) -> list[list[str]]:
    if before is None:
        return []
    rows = []
    for key, metric in section.metrics.items():
        old = before.metrics.get(key)
        if old is None or not old.value:
            continue
        change = (metric.value - old.value) / old.value * 100
        good = change < 0 if metric.better == "lower" else change > 0
        verdict = "same" if abs(change) < 5 else ("better" if good else "worse")
        rows.append([key, f"{old.value:,.4g} {old.unit}", f"{metric.value:,.4g} {metric.unit}",
                     f"{change:+.0f}%", verdict])
    return rows


def render_markdown(results: Results, previous: Results) -> str:
    env = results.environment
    versions = env.get("versions", {})
    out = [
        "# envgraph benchmarks",
        "",
        "Written by `python -m benchmarks.run` (see benchmarks/README.md). Do not edit by hand: "
        "rerun the benchmarks instead.",
        "",
        f"- Last run: {env.get('date', '?')} — `{results.command}`",
        f"- Machine: {env.get('cpu', '?')}, {env.get('cores', '?')} cores, "
        f"{env.get('ram_gib', '?')} GiB RAM, {env.get('os', '?')}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- envgraph revision: {env.get('git', '?')}",
        "",
        "Timings are medians of several runs with min–max (or p50/p95 for latencies). Every "
        "speed figure is also given as a ratio against a reference measured in the same run "
        "(this machine is shared and noisy: compare ratios across runs, not raw seconds).",
        "",
        "## Targets at a glance",
        "",
    ]
    rows = []
    for name in SECTION_ORDER:
        section = results.sections.get(name)
        if section is None:
            rows.append([name, "(section not run yet)", "", "", ""])
            continue
        for t in section.targets:
            rows.append([section.title, t.name, t.target, t.measured, _met(t.met)])
    out += [markdown_table(["benchmark", "target", "wanted", "measured", "verdict"], rows), ""]
    for name in SECTION_ORDER:
        section = results.sections.get(name)
        if section is None:
            continue
        quick = " — QUICK RUN (tiny sizes, not the real figures)" if section.quick else ""
        out += [f"## {section.title}{quick}", "",
                f"Measured {section.measured_at}, took {section.seconds:.0f} s.", "",
                section.summary, ""]
        for table in section.tables:
            out += [f"**{table.title}**", "", markdown_table(table.columns, table.rows), ""]
            if table.note:
                out += [table.note, ""]
        if section.targets:
            out += ["**Targets**", "",
                    markdown_table(["target", "wanted", "measured", "verdict"],
                                   [[t.name, t.target, t.measured, _met(t.met)] for t in section.targets]),
                    ""]
        deltas = _delta_rows(section, previous.sections.get(name))
        if deltas:
            before = previous.sections[name].measured_at
            out += [f"**Change against the previous run** ({before})", "",
                    markdown_table(["figure", "previous", "now", "change", ""], deltas), ""]
        if section.notes:
            out += ["**Notes**", ""] + [f"- {n}" for n in section.notes] + [""]
        if section.profile:
            out += ["**Profile**", "", "```", section.profile.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def write_markdown(out_dir: Path) -> Path:
    results = Results.load(out_dir / RESULTS_JSON)
    previous = Results.load(out_dir / PREVIOUS_JSON)
    path = out_dir / RESULTS_MD
    path.write_text(render_markdown(results, previous), encoding="utf-8")
    return path


def copy_results(src: Path, dst: Path) -> None:
    """Copy the result files from ``src`` to ``dst`` (used by tests on temporary folders)."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in (RESULTS_JSON, PREVIOUS_JSON, RESULTS_MD):
        if (src / name).is_file():
            shutil.copy2(src / name, dst / name)
