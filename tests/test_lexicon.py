"""The lexicon: validation with file, line and hints; inflection- and script-tolerant matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgraph.errors import LexiconError
from envgraph.langdata import load_language_data
from envgraph.lexicon import build_index, load_entries, load_lexicon
from envgraph.mentions import match_lexicon
from envgraph.model import Document
from envgraph.textview import build_view


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test.yaml").write_text(text, encoding="utf-8")
    return folder


def test_packaged_lexicon_covers_the_region() -> None:
    entries = load_entries(Path(__file__).resolve().parent.parent / "data" / "lexicon")
    assert len(entries) >= 400
    by_type: dict[str, int] = {}
    for e in entries.values():
        by_type[e.type] = by_type.get(e.type, 0) + 1
    assert by_type["Country"] >= 190 and by_type["Organisation"] >= 300
    for state in ("azerbaijan", "iran", "kazakhstan", "russia", "turkmenistan", "uzbekistan", "kyrgyzstan", "tajikistan"):
        assert state in entries
    gef = entries["gef"]
    assert {"en", "ru", "az", "kk", "tk"} <= set(gef.names)
    assert "GEF" in gef.abbr["en"] and "ЖЭҚ" in gef.abbr["kk"]


def test_unknown_field_names_file_line_and_suggests(tmp_path: Path) -> None:
    folder = _write(tmp_path / "lex", "- id: x\n  type: Organisation\n  label: X\n  nmaes:\n    en: [X]\n")
    with pytest.raises(LexiconError, match=r"test.yaml:1: unknown field 'nmaes'; did you mean 'names'\?"):
        load_entries(folder)


def test_unknown_type_and_language_are_reported(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="did you mean 'Organisation'"):
        load_entries(_write(tmp_path / "a", "- id: x\n  type: Organization\n  label: X\n"))
    with pytest.raises(LexiconError, match="unknown language 'kz' in names; did you mean"):
        load_entries(_write(tmp_path / "b", "- id: x\n  type: Country\n  label: X\n  names:\n    kz: [Қ]\n"))


def test_duplicate_ids_and_dangling_parents_are_errors(tmp_path: Path) -> None:
    text = "- id: x\n  type: Country\n  label: X\n- id: x\n  type: Country\n  label: Y\n"
    with pytest.raises(LexiconError, match="duplicate id 'x'"):
        load_entries(_write(tmp_path / "a", text))
    with pytest.raises(LexiconError, match="part_of 'nowhere'"):
        load_entries(_write(tmp_path / "b", "- id: x\n  type: Organisation\n  label: X\n  part_of: nowhere\n"))


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("Bu layihə Dünya Bankının dəstəyi ilə həyata keçirilir.", "world_bank"),
        ("Проект поддержан Всемирного банка экспертами.", "world_bank"),
        ("Бастама Қазақстанда іске қосылды.", "kazakhstan"),
        ("Başlangyç Azerbaýjanyň goldawy bilen.", "azerbaijan"),
        ("Financed by the Global Environment Facility today.", "gef"),
        ("Жобаны Жаһандық экологиялық қордың қаржысы.", "gef"),
        ("Qazaqstan Respublikasynan delegasiia qatysty.", "kazakhstan"),
        ("BMT-nin nümayəndələri gəldi.", "un"),
        ("UNEP-in hesabatı çıxdı.", "unep"),
    ],
)
def test_inflected_forms_in_every_language_and_script_match_their_entry(text: str, entry: str) -> None:
    data = load_language_data()
    lexicon = load_lexicon(data)
    view = build_view(Document("t.txt", Path("t.txt"), text, text, "0", "utf-8"), data)
    found = {e for c in match_lexicon(view, lexicon, data) for e in c.entry_ids}
    assert entry in found


def test_a_name_in_one_script_does_not_match_a_lookalike_in_another(tmp_path: Path) -> None:
    data = load_language_data()
    folder = _write(tmp_path / "lex", "- id: togo\n  type: Country\n  label: Togo\n  names:\n    en: [Togo]\n")
    lexicon = build_index(load_entries(folder), data)
    text = "Того же дня министр прибыл."  # ru "того" is a pronoun, not the country
    view = build_view(Document("t.txt", Path("t.txt"), text, text, "0", "utf-8"), data)
    assert match_lexicon(view, lexicon, data) == []


def test_a_cached_lexicon_still_reports_errors_of_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVGRAPH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "lexicon"
    folder.mkdir()
    (folder / "a.yaml").write_text("- id: x\n  type: Organisation\n  lable: X\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lable"):
        load_lexicon(load_language_data(), folder)
    assert not list((tmp_path / "cache").glob("lexicon-*"))


def test_data_files_read_on_and_no_as_words_not_booleans() -> None:
    import yaml

    from envgraph.langdata import DataLoader, load_language_data

    assert yaml.load("[on, off, yes, no, true, false]", Loader=DataLoader) == ["on", "off", "yes", "no", True, False]
    cues = load_language_data().cues["en"]
    assert "on" in cues["connectors"] and "on" in cues["prepositions"]


def test_an_english_name_runs_over_on_and_a_plural_head_after_and(extractor) -> None:
    from pathlib import Path

    from envgraph.model import Document
    from envgraph.pipeline import extract

    text = ("Aziz Karimov, Head of the Department on Coordination of Steppe Cooperation and Projects of the "
            "Committee on Pasture Ecology, opened the meeting.")
    result = extract(Document("en.txt", Path("en.txt"), text, text, "0", "utf-8"), extractor, extractor.resolver())
    bodies = {m.text for m, _ in result.mentions if m.type == "Organisation"}
    assert "Department on Coordination of Steppe Cooperation and Projects" in bodies, bodies
