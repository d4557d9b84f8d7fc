"""What every benchmark gets: sizes for a quick or a full run, the scratch folder, the corpus."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.corpus import CorpusInfo, text_folders, write_corpus


def _stderr(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Context:
    """Run settings shared by the benchmarks. ``work`` holds generated corpora and stores
    (outside the repository by default); nothing there is needed after the run."""

    quick: bool
    work: Path
    seed: int = 1
    log: Callable[[str], None] = _stderr
    started: float = field(default_factory=time.perf_counter)
    shared: dict[str, object] = field(default_factory=dict)  # results one benchmark leaves for another
    # the build benchmark's (documents, runs), instead of its plan's (``--build-sizes``)
    build_sizes: tuple[tuple[int, int], ...] | None = None

    def corpus(self, docs: int, *, lexicon_size: int | None = None) -> CorpusInfo:
        """The synthetic corpus with at least ``docs`` documents (generated once, extended in
        place). The returned info's ``folders`` hold exactly the first ``docs`` documents when
        ``docs`` is a multiple of 1,000 (or the whole corpus when it is smaller)."""
        root = self.work / "corpus"
        info = write_corpus(root, docs, self.seed, lexicon_size=lexicon_size, exact=False)
        return info

    def folders(self, docs: int) -> list[Path]:
        """Folders holding exactly the first ``docs`` documents: the corpus's own 1,000-document
        folders, or (for other sizes) a copy of the first ``docs`` files."""
        if docs % 1000 == 0:
            return text_folders(self.work / "corpus", docs)
        target = self.work / "slices" / f"docs-{docs}"
        if not target.is_dir() or len(list(target.glob("*.txt"))) != docs:
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            files = sorted(p for folder in text_folders(self.work / "corpus", docs + 1)
                           for p in folder.glob("*.txt"))[:docs]
            for path in files:
                shutil.copy2(path, target / path.name)
        return [target]


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
