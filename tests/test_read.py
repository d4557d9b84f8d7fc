"""The reading stage on well-formed input: finding files, document ids, encodings, HTML text.

Every file is generated in tmp_path; hostile input is in test_read_hostile.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from envgraph.errors import InputError, LexiconError
from envgraph.model import ReadProblem
from envgraph.read import (
    ReadResult,
    assign_doc_ids,
    find_files,
    html_visible_text,
    iter_documents,
    load_read_config,
    read_document,
)

RU = (
    "Министерство экологии и природных ресурсов Республики Казахстан подписало меморандум "
    "о сотрудничестве с Программой ООН по окружающей среде. Стороны договорились о совместной "
    "охране Каспийского моря."
)
KK = (
    "Қазақстан Республикасы Экология және табиғи ресурстар министрлігі БҰҰ Қоршаған орта "
    "бағдарламасымен ынтымақтастық туралы меморандумға қол қойды. Тараптар Каспий теңізін "
    "бірлесіп қорғау туралы келісті."
)
AZ = "Azərbaycan Ekologiya və Təbii Sərvətlər Nazirliyi Xəzər dənizinin qorunması üzrə çıxış etdi."
TR = "Türkiye Çevre Bakanlığı, Hazar Denizi'nin korunması için işbirliği anlaşması imzaladı."
# Kazakh as legacy cp1251 files write it: the Kazakh letters replaced by Russian look-alikes.
KK_SUBSTITUTED = KK.translate(str.maketrans("әғқңөұүһӘҒҚҢӨҰҮҺ", "агкноуухАГКНОУУХ"))


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def read_ok(path: Path, **kwargs: object) -> ReadResult:
    """Read a file that must give a document without any problem."""
    result = read_document(path, **kwargs)  # type: ignore[arg-type]
    assert result.document is not None, result.problems
    assert result.problems == ()
    return result


# ----------------------------------------------------------------------------- finding files


def test_find_files_walks_folders_in_name_order_and_takes_document_suffixes(tmp_path: Path) -> None:
    for name in ("b.txt", "a.md", "c.HTML", "d.Htm", "e.TXT", "notes.docx", "image.png", "f"):
        write(tmp_path / name, "x")
    write(tmp_path / "sub" / "z.txt", "x")
    write(tmp_path / "sub" / "deeper" / "y.md", "x")
    write(tmp_path / "aa" / "k.txt", "x")

    found = list(find_files([tmp_path]))

    assert all(isinstance(f, Path) for f in found)
    rel = [f.relative_to(tmp_path).as_posix() for f in found if isinstance(f, Path)]
    assert rel == ["a.md", "aa/k.txt", "b.txt", "c.HTML", "d.Htm", "e.TXT", "sub/deeper/y.md", "sub/z.txt"]


def test_find_files_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    write(tmp_path / "visible.txt", "x")
    write(tmp_path / ".hidden.txt", "x")
    write(tmp_path / ".git" / "notes.txt", "x")
    write(tmp_path / "sub" / ".cache" / "old.md", "x")

    assert list(find_files([tmp_path])) == [tmp_path / "visible.txt"]


def test_an_explicitly_named_hidden_file_is_read(tmp_path: Path) -> None:
    hidden = write(tmp_path / ".draft.txt", "Caspian")
    assert list(find_files([hidden])) == [hidden]


def test_an_explicitly_named_file_of_another_type_is_a_problem_not_an_error(tmp_path: Path) -> None:
    report = write(tmp_path / "report.pdf", "x")
    found = list(find_files([report]))
    assert len(found) == 1 and isinstance(found[0], ReadProblem)
    assert found[0].path == report
    assert ".txt, .md, .html or .htm" in found[0].reason


def test_find_files_follows_symlinks_to_files_and_folders(tmp_path: Path) -> None:
    target = write(tmp_path / "elsewhere" / "source.txt", "x")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(target)
    (corpus / "linked_dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    found = list(find_files([corpus]))

    # One file reached by two links is listed once (the first in name order).
    assert found == [corpus / "link.txt"]


def test_the_same_file_named_twice_is_listed_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "x")
    assert list(find_files([tmp_path, a, tmp_path])) == [a]


def test_a_folder_named_twice_or_with_its_subfolder_is_read_once(tmp_path: Path) -> None:
    a = write(tmp_path / "corpus" / "sub" / "deeper" / "a.txt", "Caspian")
    roots = [tmp_path / "corpus", tmp_path / "corpus" / "sub", Path(str(tmp_path / "corpus") + "/./")]
    assert list(find_files(roots)) == [a]
    assert [r.path for r in iter_documents(roots)] == [a]  # and no "folder contains no …" error


def test_find_files_raises_input_error_up_front_for_a_missing_path(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "x")
    with pytest.raises(InputError, match="no such file or folder"):
        find_files([tmp_path, tmp_path / "missing"])  # no iteration needed


# ----------------------------------------------------------------------------- document ids


def test_doc_ids_are_file_names_when_unique(tmp_path: Path) -> None:
    write(tmp_path / "001.txt", "Caspian")
    write(tmp_path / "sub" / "002.md", "Aral")
    ids = [r.document.doc_id for r in iter_documents([tmp_path]) if r.document]
    assert ids == ["001.txt", "002.md"]


def test_clashing_names_get_paths_relative_to_the_common_root(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "kz" / "news.txt", "Astana")
    write(tmp_path / "corpus" / "az" / "news.txt", "Baku")
    write(tmp_path / "corpus" / "az" / "other.txt", "Baku")

    ids = [r.document.doc_id for r in iter_documents([tmp_path / "corpus"]) if r.document]

    assert ids == ["az/news.txt", "other.txt", "kz/news.txt"]


def test_clashing_names_across_two_roots(tmp_path: Path) -> None:
    write(tmp_path / "one" / "news.txt", "Astana")
    write(tmp_path / "two" / "news.txt", "Baku")
    ids = [r.document.doc_id for r in iter_documents([tmp_path / "one", tmp_path / "two"]) if r.document]
    assert ids == ["one/news.txt", "two/news.txt"]


def test_assign_doc_ids_is_deterministic_and_unique(tmp_path: Path) -> None:
    files = [tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt", tmp_path / "b" / "y.txt"]
    first = assign_doc_ids(files, [tmp_path])
    assert first == assign_doc_ids(list(files), [tmp_path])
    assert len(set(first.values())) == 3
    assert first[tmp_path / "b" / "y.txt"] == "y.txt"


def test_iter_documents_yields_documents_with_path_hash_and_media_type(tmp_path: Path) -> None:
    raw = "Caspian Environment Programme\r\n\r\nTehran Convention\n".encode()
    write(tmp_path / "a.txt", raw)
    write(tmp_path / "b.md", "# Title\n\n**GEF** funds *it*.")
    write(tmp_path / "c.html", "<p>Aral &amp; Caspian</p>")

    results = list(iter_documents([tmp_path]))

    docs = [r.document for r in results]
    assert all(d is not None for d in docs)
    a, b, c = docs
    assert a is not None and b is not None and c is not None
    assert (a.media_type, b.media_type, c.media_type) == ("text/plain", "text/markdown", "text/html")
    assert a.sha256 == hashlib.sha256(raw).hexdigest()
    assert a.path == tmp_path / "a.txt"
    assert a.text == raw.decode() and "\r\n" in a.text  # line endings are kept
    assert a.content == a.text
    assert b.content == b.text == "# Title\n\n**GEF** funds *it*."  # markdown untouched
    assert c.text == "<p>Aral &amp; Caspian</p>"
    assert c.content.split() == ["Aral", "&", "Caspian"]


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (RU, "cp1251", "cp1251"),
        (RU, "koi8_r", "koi8-r"),
        (RU.upper(), "cp1251", "cp1251"),
        (RU.upper(), "koi8_r", "koi8-r"),
        ("Привет, мир", "cp1251", "cp1251"),
        ("Привет, мир", "koi8_r", "koi8-r"),
        (KK, "kz1048", "kz1048"),
        ("Қазақстан", "kz1048", "kz1048"),
        (KK_SUBSTITUTED, "cp1251", "cp1251"),
        (TR, "cp1254", "cp1254"),
        ("Azərbaycan".replace("ə", "ä") + " İqtisadiyyat Nazirliyi haqqında", "cp1254", "cp1254"),
        ("«Каспий» — № 5", "cp1251", "cp1251"),
    ],
)
def test_legacy_code_pages_are_told_apart(text: str, codec: str, expected: str, tmp_path: Path) -> None:
    raw = text.encode(codec)
    assert not raw.isascii()
    doc = read_ok(write(tmp_path / "legacy.txt", raw)).document
    assert doc is not None
    assert doc.encoding == expected
    assert doc.text == text


def test_russian_and_kazakh_in_cp1251_and_koi8_r_paragraphs(tmp_path: Path) -> None:
    """Longer mixed Russian/Kazakh text, as a real legacy news file would be."""
    text = RU + "\n\n" + KK_SUBSTITUTED + "\n"
    for codec, expected in (("cp1251", "cp1251"), ("koi8_r", "koi8-r")):
        raw = text.replace("і", "i").encode(codec)  # KOI8-R has no і
        doc = read_ok(write(tmp_path / f"{codec}.txt", raw)).document
        assert doc is not None and doc.encoding == expected
        assert doc.text == raw.decode(codec)


@pytest.mark.parametrize(
    ("bom_codec", "expected"),
    [
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # the native byte order, with BOM
        ("utf-16-le+bom", "utf-16"),
        ("utf-16-be+bom", "utf-16"),
        ("utf-32", "utf-32"),
    ],
)
def test_byte_order_marks(bom_codec: str, expected: str, tmp_path: Path) -> None:
    text = KK + "\n" + RU + "\nGEF 😀"
    if bom_codec == "utf-16-le+bom":
        raw = b"\xff\xfe" + text.encode("utf-16-le")
    elif bom_codec == "utf-16-be+bom":
        raw = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        raw = text.encode(bom_codec)
    doc = read_ok(write(tmp_path / "bom.txt", raw)).document
    assert doc is not None
    assert doc.text == text  # the mark is not part of the text: offsets start at the first letter
    assert doc.encoding == expected
    assert raw.decode(doc.encoding) == doc.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_on_strong_evidence(codec: str, tmp_path: Path) -> None:
    text = RU + "\n" + AZ + "\n"
    doc = read_ok(write(tmp_path / "u16.txt", text.encode(codec))).document
    assert doc is not None and doc.encoding == codec and doc.text == text


def test_kazakh_and_azerbaijani_in_utf8(tmp_path: Path) -> None:
    text = KK + "\n" + AZ + "\n" + "Ählumumy ekologiýa gaznasy\n"
    doc = read_ok(write(tmp_path / "kk.txt", text)).document
    assert doc is not None and doc.encoding == "utf-8" and doc.text == text


def test_decoding_the_raw_bytes_with_the_reported_encoding_gives_the_text(tmp_path: Path) -> None:
    for i, (text, codec) in enumerate([(RU, "koi8_r"), (KK, "kz1048"), (TR, "cp1254"), (KK, "utf-8")]):
        raw = text.encode(codec)
        doc = read_ok(write(tmp_path / f"{i}.txt", raw)).document
        assert doc is not None and raw.decode(doc.encoding) == doc.text


def test_html_meta_charset_is_honoured_when_the_file_is_not_utf8(tmp_path: Path) -> None:
    markup = '<html><head><meta charset="windows-1251"><title>Каспий</title></head><body><p>ЮНЕП</p></body></html>'
    doc = read_ok(write(tmp_path / "page.html", markup.encode("cp1251"))).document
    assert doc is not None and doc.encoding == "cp1251" and doc.text == markup


# ----------------------------------------------------------------------------- HTML


def assert_offsets_hold(text: str, content: str) -> None:
    """content is text with markup blanked: same length, same characters or blanks, and a
    decoded character only where a character reference starts."""
    assert len(content) == len(text)
    for i, (c, t) in enumerate(zip(content, text, strict=True)):
        if c == t or c == " ":
            continue
        if c in "\r\n":
            assert t in "\r\n<&", (i, t)
            continue
        assert t == "&", (i, c, t)


def test_html_visible_text_blanks_markup_and_keeps_offsets(tmp_path: Path) -> None:
    markup = (
        "<!DOCTYPE html>\n<html><head><title>News</title>\n"
        "<style>p { color: red }\n.x{}</style>\n"
        "<script>var s = '<p>not text</p>';\nif (a < b) {}</script>\n"
        "</head><body>\n"
        "<!-- a comment\n over lines -->\n"
        '<p class="lead" data-x="a > b">The <b>Global Environment Facility</b> (GEF) &amp; '
        "UNEP signed&nbsp;it.</p>"
        "<p>Ministry of &quot;Ecology&quot; &lt;KZ&gt; &#1178;&#x4e9; &copy 2026</p>\n"
        "<ul><li>Baku<li>Astana</ul><br>End"
    )
    doc = read_ok(write(tmp_path / "page.html", markup)).document
    assert doc is not None
    content = doc.content
    assert_offsets_hold(markup, content)

    start = markup.index("Global")
    assert content[start : start + 27] == "Global Environment Facility"
    assert "not text" not in content and "color" not in content and "comment" not in content
    # (a decoded reference is padded by spaces: "&quot;Ecology" reads '"     Ecology')
    assert content.split() == (
        "News The Global Environment Facility (GEF) & UNEP signed it. "
        'Ministry of " Ecology" < KZ> Қ ө © 2026 Baku Astana End'
    ).split(" ")
    assert content[markup.index("&nbsp;")] == "\xa0"
    # Block tags become line breaks; the script's line break survives, so paragraphs stay apart.
    assert content[markup.index("<p class")] == "\n"
    assert content[markup.index("<li>Astana")] == "\n"
    assert content[markup.index("<br>")] == "\n"
    assert content[markup.index("\nif (a")] == "\n"


def test_html_text_of_an_attribute_with_markup_and_quotes_stays_hidden() -> None:
    markup = '<a title="<b>Caspian</b> &quot;Sea&quot;" href=\'x?a=1&b=2\'>Tehran Convention</a>'
    content = html_visible_text(markup)
    assert content.split() == ["Tehran", "Convention"]
    assert_offsets_hold(markup, content)


def test_plain_text_without_markup_is_returned_as_is() -> None:
    text = "Caspian Sea, Aral Sea"
    assert html_visible_text(text) is text


# ----------------------------------------------------------------------------- configuration


def test_read_config_lists_the_suffixes_and_code_pages() -> None:
    cfg = load_read_config()
    assert set(cfg.suffixes) == {".txt", ".md", ".html", ".htm"}
    assert list(cfg.legacy_encodings)[0] == "cp1251"
    assert {"koi8-r", "kz1048", "cp1254"} <= set(cfg.legacy_encodings)


def test_a_malformed_read_config_names_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "read.yaml", "suffixes: {.txt: text/plain}\nlegacy_encodings: {nonsense-codec: 0}\n")
    with pytest.raises(LexiconError, match="nonsense-codec") as info:
        load_read_config(bad)
    assert str(bad) in str(info.value)
