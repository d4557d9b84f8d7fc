"""The on-disk cache of computed objects (envgraph.diskcache), and its use for the lexicon."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from envgraph.diskcache import fingerprint, load_or_build, stable_text
from envgraph.langdata import load_language_data
from envgraph.lexicon import Lexicon, _load_cached
from envgraph.mentions import find_mentions
from envgraph.model import Document
from envgraph.resources import data_dir
from envgraph.textview import build_view


@dataclass
class _Box:
    value: list[int]
    shared: object


def test_a_value_is_built_once_and_read_back(tmp_path: Path) -> None:
    calls: list[int] = []

    def build() -> _Box:
        calls.append(1)
        return _Box([1, 2, 3], shared)

    shared = object()
    first = load_or_build("box", "k1", build, _Box, externals={"shared": shared}, folder=tmp_path)
    second = load_or_build("box", "k1", build, _Box, externals={"shared": shared}, folder=tmp_path)
    assert len(calls) == 1 and second == first and second is not first
    assert second.shared is shared  # an external object is given back, not a copy
    load_or_build("box", "k2", build, _Box, externals={"shared": shared}, folder=tmp_path)
    assert len(calls) == 2  # another key: built again


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])  # the last one unpickles to None
def test_a_broken_or_foreign_cache_file_is_rebuilt(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "box-k.pickle").write_bytes(content)
    value = load_or_build("box", "k", lambda: _Box([7], None), _Box, folder=tmp_path)
    assert value == _Box([7], None)
    assert load_or_build("box", "k", lambda: _Box([8], None), _Box, folder=tmp_path) == _Box([7], None)


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    assert load_or_build("box", "k", lambda: _Box([1], None), _Box, folder=blocked / "cache") == _Box([1], None)


def test_the_cache_is_off_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVGRAPH_CACHE", "off")
    calls: list[int] = []
    for _ in range(2):
        load_or_build("box", "k", lambda: calls.append(1) or _Box([], None), _Box)
    assert len(calls) == 2


def test_fingerprints_separate_parts_and_language_data_hashes_alike_in_every_process() -> None:
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    script = ("from envgraph.diskcache import fingerprint, stable_text; from envgraph.langdata import "
              "load_language_data; print(fingerprint(stable_text(load_language_data())))")
    seen = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        seen.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                check=True).stdout.strip())
    assert len(seen) == 1
    assert seen == {fingerprint(stable_text(load_language_data()))}


def _mentions(lexicon: Lexicon, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    data = lexicon.first_words.data
    document = Document("t.txt", Path("t.txt"), text, text, "0", "utf-8")
    return [(m.start, m.end, m.entry_ids) for m in find_mentions(build_view(document, data), lexicon, data)]


def test_the_lexicon_read_from_the_cache_finds_what_a_fresh_one_finds(tmp_path: Path, corpus_dir: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVGRAPH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "lexicon"
    shutil.copytree(data_dir("lexicon"), folder)
    data = load_language_data()
    fresh = _load_cached.__wrapped__(folder, data)  # built, and written to the cache
    cached = _load_cached.__wrapped__(folder, data)  # read back
    assert len(list((tmp_path / "cache").glob("lexicon-*.pickle"))) == 1
    assert cached is not fresh and cached.first_words.data is data
    for path in sorted(corpus_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert _mentions(cached, text) == _mentions(fresh, text)


def test_a_changed_lexicon_file_is_not_answered_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVGRAPH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "lexicon"
    shutil.copytree(data_dir("lexicon"), folder)
    data = load_language_data()
    text = "The Quillwort Basin Trust funds it."
    before = _load_cached.__wrapped__(folder, data)
    assert "quillwort_basin_trust" not in before.entries
    with (folder / "international.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- id: quillwort_basin_trust\n  type: Organisation\n  label: Quillwort Basin Trust\n"
                     "  names:\n    en: [Quillwort Basin Trust]\n")
    after = _load_cached.__wrapped__(folder, data)
    assert "quillwort_basin_trust" in after.entries
    assert any("quillwort_basin_trust" in ids for _, _, ids in _mentions(after, text))
    assert len(list((tmp_path / "cache").glob("lexicon-*.pickle"))) == 2


def test_the_ontology_index_read_from_the_cache_equals_a_parsed_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from envgraph.ontology import _load_index
    from envgraph.resources import ontology_path

    monkeypatch.setenv("ENVGRAPH_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "envgraph.ttl"
    shutil.copy(ontology_path(), copy)
    parsed = _load_index.__wrapped__(copy)
    cached = _load_index.__wrapped__(copy)
    assert len(list((tmp_path / "cache").glob("ontology-index-*.pickle"))) == 1
    for name in ("classes", "allowed"):
        assert getattr(cached, name) == getattr(parsed, name)
    for name in ("superclasses", "properties"):
        assert dict(getattr(cached, name)) == dict(getattr(parsed, name))
    for name in ("term_labels", "term_comments"):
        assert {k: dict(v) for k, v in getattr(cached, name).items()} == {k: dict(v) for k, v in getattr(parsed, name).items()}
    assert cached.property("funds").domain == parsed.property("funds").domain != frozenset()
    with pytest.raises(TypeError):
        cached.term_labels["funds"]["en"] = "changed"  # type: ignore[index]  # still read-only
    copy.write_text(copy.read_text(encoding="utf-8").replace('"funds"@en', '"gives money to"@en'), encoding="utf-8")
    changed = _load_index.__wrapped__(copy)
    assert changed.term_labels["funds"]["en"] == "gives money to"
