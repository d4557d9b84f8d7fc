"""The build and evaluate commands as a user runs them: summaries, JSON, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envgraph.cli import main


def test_build_prints_a_summary_and_evaluate_reads_the_store(corpus_dir: Path, gold_dir: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    assert main(["build", str(corpus_dir), "--store", store, "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents_extracted"] == 5
    assert set(summary["languages"]) == {"en", "az", "kk", "ru", "tk"}
    assert summary["entities_by_type"]["Organisation"] > 20
    assert summary["facts_by_property"]["funds"] >= 1
    assert main(["build", str(corpus_dir), "--store", store, "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["documents_unchanged"] == 5
    assert main(["evaluate", "--gold", str(gold_dir), "--store", store, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["total"]["entities"]["f1"] >= 0.9
    assert set(figures["by_language"]) == {"en", "az", "kk", "ru", "tk"}


def test_evaluate_in_memory_gives_the_same_figures_as_from_the_store(corpus_dir: Path, gold_dir: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    main(["build", str(corpus_dir), "--store", store, "--no-progress"])
    capsys.readouterr()
    main(["evaluate", "--gold", str(gold_dir), "--store", store, "--json"])
    from_store = json.loads(capsys.readouterr().out)["total"]
    main(["evaluate", "--gold", str(gold_dir), "--texts", str(corpus_dir), "--json"])
    in_memory = json.loads(capsys.readouterr().out)["total"]
    assert from_store == in_memory


def test_user_errors_get_a_message_and_a_non_zero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "missing"), "--store", str(tmp_path / "s"), "--no-progress"]) == 2
    assert "missing" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["build", str(empty), "--store", str(tmp_path / "s"), "--no-progress"]) == 2
    assert "contains no" in capsys.readouterr().err
    assert main(["evaluate", "--gold", str(empty), "--texts", str(empty)]) == 2
    assert "no gold files" in capsys.readouterr().err
    assert main(["no-such-command"]) != 0


def test_bad_files_are_skipped_with_their_reason_and_the_rest_is_built(corpus_dir: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text((corpus_dir / "003_cec201d685b3d5aa.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "cp1251.txt").write_bytes("Министерство охраны окружающей среды Туркменистана провело семинар.".encode("cp1251"))
    store = str(tmp_path / "store")
    assert main(["build", str(folder), "--store", store, "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents_extracted"] == 2
    reasons = {Path(s["file"]).name: s["reason"] for s in summary["skipped"]}
    assert reasons["empty.txt"] == "empty file"
    assert "PNG" in reasons["image.txt"]


def test_a_huge_file_is_skipped_with_a_hint_and_the_rest_is_built(corpus_dir: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "huge"
    folder.mkdir()
    (folder / "good.txt").write_text((corpus_dir / "004_c906d5bea6c2a985.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "dump.txt").write_text("Astana. " * 300_000, encoding="utf-8")  # 2.4 MB
    assert main(["build", str(folder), "--store", str(tmp_path / "s"), "--json", "--no-progress", "--max-mb", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents_extracted"] == 1
    (skipped,) = summary["skipped"]
    assert Path(skipped["file"]).name == "dump.txt" and "--max-mb" in skipped["reason"]
