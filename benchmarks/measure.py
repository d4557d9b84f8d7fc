"""Measuring: timings with their spread, child processes with their peak memory, the machine.

Every benchmark reports medians of several runs with min–max and the interquartile range, and
measures peak memory of the process that did the work (a child process, read with ``wait4``),
because the runner's own memory says nothing about the tool's.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds of several runs of the same thing."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)

    def quantile(self, q: float) -> float:
        """Nearest-rank-with-interpolation quantile (``q`` in [0, 1])."""
        ordered = sorted(self.runs)
        if len(ordered) == 1:
            return ordered[0]
        pos = q * (len(ordered) - 1)
        lower = int(pos)
        upper = min(lower + 1, len(ordered) - 1)
        return ordered[lower] + (ordered[upper] - ordered[lower]) * (pos - lower)

    @property
    def p95(self) -> float:
        return self.quantile(0.95)

    @property
    def iqr(self) -> tuple[float, float]:
        return (self.quantile(0.25), self.quantile(0.75))

    def spread(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        """``median (min–max, n runs)`` as text."""
        if len(self.runs) == 1:
            return f"{self.median * scale:.{digits}f} {unit} (1 run)"
        return (f"{self.median * scale:.{digits}f} {unit} ({self.low * scale:.{digits}f}–"
                f"{self.high * scale:.{digits}f}, {len(self.runs)} runs)")

    def as_json(self) -> dict[str, Any]:
        return {"runs": list(self.runs), "median": self.median, "min": self.low, "max": self.high,
                "p95": self.p95, "iqr": list(self.iqr)}


def time_calls(fn: Callable[[], Any], runs: int, *, warmup: int = 0,
               budget: float | None = None) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then up to ``runs`` times timed; stop early when the
    timed runs have used ``budget`` seconds (at least one run is always made)."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    spent = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        if budget is not None and spent >= budget:
            break
    return Timing(tuple(times))


@dataclass(frozen=True, slots=True)
class ChildResult:
    """A finished (or killed) child process: wall time, peak resident memory, output, and the CPU
    time (user + system) of it and of the children it waited for (e.g. --jobs workers)."""

    seconds: float
    max_rss_mb: float
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0


def run_child(cmd: Sequence[str], *, timeout: float | None = None, cwd: Path | None = None,
              env: Mapping[str, str] | None = None,
              give_up: Callable[[float], bool] | None = None) -> ChildResult:
    """Run ``cmd``, wait at most ``timeout`` seconds (then kill its process group), and return
    its wall time and its own peak RSS (``wait4`` rusage of exactly this child). ``give_up``
    is asked with the elapsed seconds while it runs; True kills it too (reported as timed out)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=cwd,
                                env=dict(env) if env is not None else None, start_new_session=True)
        timed_out = False
        status = 0
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            elapsed = time.perf_counter() - start
            if (timeout is not None and elapsed > timeout) or (give_up is not None and give_up(elapsed)):
                timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildResult(
            seconds=seconds,
            max_rss_mb=(usage.ru_maxrss / 1024.0) if usage is not None else 0.0,
            returncode=None if timed_out else proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out,
            cpu_seconds=(usage.ru_utime + usage.ru_stime) if usage is not None else 0.0,
        )


def python_child(task: str, args: Mapping[str, Any], *, timeout: float | None = None,
                 watch: Callable[[Any, float], bool] | None = None) -> tuple[ChildResult, Any]:
    """Run ``benchmarks.worker`` task ``task`` in a fresh interpreter; returns the process
    result and the task's JSON answer (None when it did not finish). ``watch(answer so far,
    elapsed seconds)`` is asked while it runs (about every 20 ms); True kills the child."""
    with tempfile.TemporaryDirectory(prefix="envgraph-bench-") as tmp:
        answer = Path(tmp) / "answer.json"
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({"task": task, "args": dict(args), "answer": str(answer)}),
                           encoding="utf-8")
        give_up = None
        if watch is not None:
            seen: dict[str, Any] = {"mtime": None, "data": None}

            def give_up(elapsed: float) -> bool:
                try:
                    mtime = answer.stat().st_mtime_ns
                    if mtime != seen["mtime"]:
                        seen["data"] = json.loads(answer.read_text(encoding="utf-8"))
                        seen["mtime"] = mtime
                except (OSError, ValueError):
                    pass
                return watch(seen["data"], elapsed)

        result = run_child([sys.executable, "-m", "benchmarks.worker", str(request)],
                           timeout=timeout, cwd=REPO_ROOT, give_up=give_up)
        data = json.loads(answer.read_text(encoding="utf-8")) if answer.is_file() else None
        return result, data


def envgraph_cli() -> list[str]:
    """The command that runs envgraph's CLI with the interpreter running the benchmarks."""
    return [sys.executable, "-m", "envgraph"]


# --------------------------------------------------------------------------------------------
# The machine and the versions
# --------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _chromium_version() -> str:
    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                             timeout=20, check=False)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def _git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=REPO_ROOT, timeout=10, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, cwd=REPO_ROOT, timeout=10, check=False).stdout.strip()
        return rev + (" (src/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


@dataclass(frozen=True, slots=True)
class Environment:
    """Where and with what the benchmarks ran."""

    date: str
    cpu: str
    cores: int
    ram_gib: float
    os: str
    versions: Mapping[str, str] = field(default_factory=dict)
    git: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date, "cpu": self.cpu, "cores": self.cores, "ram_gib": self.ram_gib,
                "os": self.os, "versions": dict(self.versions), "git": self.git}


def environment() -> Environment:
    import psutil

    versions = {"python": platform.python_version()}
    for package in ("envgraph", "pyoxigraph", "rdflib", "owlrl", "pyvis", "pyahocorasick",
                    "selenium", "networkx"):
        versions[package] = _version(package)
    versions["chromium"] = _chromium_version()
    return Environment(
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        ram_gib=round(psutil.virtual_memory().total / 2**30, 1),
        os=f"{platform.system()} {platform.release()}",
        versions=versions,
        git=_git_revision(),
    )


def ratio(value: float, reference: float) -> float | None:
    """``value / reference``, or None when the reference is zero or missing."""
    return value / reference if reference else None


def fmt_ratio(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}x"
    if value < 0.01:
        return f"{value:.4f}x"
    if value < 0.1:
        return f"{value:.3f}x"
    return f"{value:.{digits}f}x"
