"""The reading stage on hostile input: broken, binary, huge, vanishing and looping files.

Every bad file is generated here in tmp_path; no binary fixture is committed. Nothing in this file
may raise out of read_document: each case ends in a document, a document with a warning, or a
ReadProblem with a reason a user can act on.
"""

from __future__ import annotations

import os
import random
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envgraph.errors import InputError
from envgraph.model import ReadProblem
from envgraph.read import (
    ReadResult,
    find_files,
    html_visible_text,
    iter_documents,
    read_document,
)

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def skipped_reason(result: ReadResult) -> str:
    """The reason of a skipped file (and check the result is shaped as a skip)."""
    assert result.document is None
    assert len(result.problems) == 1 and result.problems[0].skipped
    return result.problems[0].reason


def assert_well_formed(result: ReadResult) -> None:
    """The invariants every ReadResult keeps, whatever the file held."""
    assert isinstance(result, ReadResult)
    if result.document is None:
        assert [p.skipped for p in result.problems] == [True]
    else:
        doc = result.document
        assert all(not p.skipped for p in result.problems)
        assert len(doc.content) == len(doc.text)
        assert doc.text.strip() != ""
        if doc.media_type != "text/html":
            assert doc.content == doc.text


# ----------------------------------------------------------------------------- empty and binary


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\t\r\n  ", "empty file (whitespace only)"),
        ("\u00a0\u2003\u200b\ufeff\n".encode(), "empty file (whitespace only)"),
        (b"\xef\xbb\xbf", "empty file (whitespace only)"),  # a UTF-8 byte order mark, nothing else
        (b"\xff\xfe \x00\n\x00", "empty file (whitespace only)"),
    ],
)
def test_empty_and_whitespace_only_files_are_skipped(data: bytes, reason: str, tmp_path: Path) -> None:
    assert skipped_reason(read_document(write(tmp_path / "e.txt", data))) == reason


def _zip_bytes(tmp_path: Path) -> bytes:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inside.txt", "Caspian")
    return archive.read_bytes()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda tmp: PNG_1PX, "PNG image"),
        (_zip_bytes, "ZIP archive or office document"),
        (lambda tmp: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF document"),
        (lambda tmp: b"\x1f\x8b\x08\x00" + zlib.compress(b"Caspian" * 100), "GZIP archive"),
        (lambda tmp: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "JPEG image"),
        (lambda tmp: b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "GIF image"),
        (lambda tmp: b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP image"),
        (lambda tmp: b"Caspian\x00Sea\x00\x01\x02\x03", "contains NUL bytes"),
        (lambda tmp: bytes(range(1, 9)) * 50 + b"some text", "control characters"),
    ],
)
def test_binary_files_are_skipped_with_their_kind(make, kind: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "looks-like-text.txt", make(tmp_path))
    assert skipped_reason(read_document(path)) == f"binary file ({kind})"


def test_a_file_over_the_limit_is_skipped_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", b"a" * (3 * 2**20))
    reason = skipped_reason(read_document(path, max_bytes=2 * 2**20))
    assert reason == "file of 3 MB exceeds the limit of 2 MB; raise --max-mb to read it"
    small = skipped_reason(read_document(path, max_bytes=1000))
    assert small == "file of 3 MB exceeds the limit of 1000 bytes; raise --max-mb to read it"


# ----------------------------------------------------------------------------- broken encodings


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_truncated_utf8_is_read_with_a_warning(cut: int, tmp_path: Path) -> None:
    head = "Қазақстан and Azərbaycan "
    raw = head.encode() + "😀".encode()[:cut]
    result = read_document(write(tmp_path / "cut.txt", raw))

    assert result.document is not None
    assert result.document.text == head + "\ufffd"
    assert result.document.encoding == "utf-8"
    (warning,) = result.problems
    assert not warning.skipped
    assert warning.reason.startswith(f"truncated UTF-8 at byte {len(head.encode())}:")
    assert result.warnings == (warning,)


def test_a_few_invalid_bytes_in_utf8_are_replaced_with_a_warning(tmp_path: Path) -> None:
    good = "Қазақстан Республикасы Экология министрлігі. " * 20
    raw = good.encode() + b"\xff" + good.encode()
    result = read_document(write(tmp_path / "bad.txt", raw))
    assert result.document is not None
    assert result.document.text == good + "\ufffd" + good
    (warning,) = result.problems
    assert not warning.skipped
    assert warning.reason == (
        f"invalid UTF-8 at byte {len(good.encode())}: 1 invalid byte sequence replaced by U+FFFD"
    )


def test_random_high_bytes_are_decoded_with_an_uncertainty_warning(tmp_path: Path) -> None:
    rng = random.Random(7)
    raw = bytes(rng.randrange(0x80, 0x100) if rng.random() < 0.8 else rng.choice(b" .,ae") for _ in range(3000))
    result = read_document(write(tmp_path / "junk.txt", raw))
    assert result.document is not None
    reasons = [p.reason for p in result.warnings]
    assert any(r.startswith("encoding uncertain: not UTF-8, decoded as ") for r in reasons), reasons


def test_truncated_utf16_with_bom_is_read_with_a_warning(tmp_path: Path) -> None:
    raw = "Каспий".encode("utf-16") + b"\x41"  # an odd byte at the end
    result = read_document(write(tmp_path / "u16.txt", raw))
    assert result.document is not None and result.document.text.startswith("Каспий")
    assert result.problems[0].reason.startswith("truncated UTF-16 at byte")


def test_mixed_scripts_rtl_and_zero_width_characters_are_kept_exactly(tmp_path: Path) -> None:
    text = (
        "GEF \u2014 ЖЭҚ \u2014 Qlobal Ekoloji Fond \u2014 \u0627\u0644\u0628\u064a\u0626\u0629 "
        "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c \u200fRTL mark\u200e, zero\u200bwidth, "
        "joiner\u200d\u200c, word\u2060joiner, soft\u00adhyphen, Ǵ combining e\u0301\r\n"
    )
    result = read_document(write(tmp_path / "mixed.txt", text))
    assert result.problems == ()
    assert result.document is not None and result.document.text == text


def test_a_very_long_single_line_is_read_whole(tmp_path: Path) -> None:
    line = ("Caspian Environment Programme, Каспийская экологическая программа. " * 160_000)[: 10 * 2**20]
    path = write(tmp_path / "line.txt", line)
    start = time.perf_counter()
    result = read_document(path)
    elapsed = time.perf_counter() - start
    assert result.document is not None and result.document.text == line
    assert elapsed < 3.0, f"10 MB line read in {elapsed:.2f} s"


@pytest.mark.slow
def test_a_50_mb_text_is_read_in_well_under_a_few_seconds(tmp_path: Path) -> None:
    paragraph = (
        "The Global Environment Facility (GEF) funds the Caspian Environment Programme.\n"
        "Глобальный экологический фонд финансирует Каспийскую экологическую программу.\n"
        "Жаһандық экологиялық қор Каспий бағдарламасын қаржыландырады.\n\n"
    )
    raw = (paragraph * (50 * 2**20 // len(paragraph.encode()) + 1)).encode()[: 50 * 2**20]
    raw = raw[: len(raw.decode("utf-8", "ignore").encode())]  # do not end inside a character
    path = write(tmp_path / "huge.txt", raw)

    start = time.perf_counter()
    result = read_document(path)
    elapsed = time.perf_counter() - start

    assert result.document is not None and len(result.document.text) > 30_000_000
    assert result.problems == ()
    print(f"\n50 MB UTF-8 text read in {elapsed:.2f} s")
    assert elapsed < 5.0

    legacy = write(tmp_path / "huge-cp1251.txt", paragraph.split("\n")[1].encode("cp1251") * 600_000)
    start = time.perf_counter()
    legacy_result = read_document(legacy)
    elapsed = time.perf_counter() - start
    assert legacy_result.document is not None and legacy_result.document.encoding == "cp1251"
    print(f"{legacy.stat().st_size / 2**20:.0f} MB cp1251 text read in {elapsed:.2f} s")
    assert elapsed < 5.0


# ----------------------------------------------------------------------------- hostile HTML


def test_malformed_html_never_breaks_offsets(tmp_path: Path) -> None:
    markup = (
        "<html><body><p>Ministry of <b>Ecology & Natural Resources<p>Unclosed <div class='a"
        '"b\'>x</div> a < b > c <3 <<>> </ > </>'
        "<![CDATA[ hidden > still ]]> <!--[if IE]><p>old IE</p><![endif]--> "
        "<![if !IE]>shown<![endif]> <?xml x?> &unknown; &amp &ampx &#xZZ; &#12345678901234567890; "
        "<script>never closed <p>text"
    )
    doc = read_document(write(tmp_path / "bad.html", markup)).document
    assert doc is not None
    content = doc.content
    assert len(content) == len(markup)
    for i, (c, t) in enumerate(zip(content, markup, strict=True)):
        assert c == t or c in " \r\n" or t == "&", (i, c, t)
    words = content.split()
    assert "Ecology" in words and "Unclosed" in words and "shown" in words
    assert "IE" not in " ".join(words) and "hidden" not in words and "never" not in words
    assert "&unknown;" in words  # an unknown reference stays as written


def test_html_time_is_linear_in_markup_size() -> None:
    """Many comments, tags and references: a quadratic scan would take minutes here."""
    unit = "<div class='c'><p>The <b>GEF</b> &amp; UNEP&nbsp;met.</p><!-- x --><script>a=1;</script></div>\n"
    markup = unit * 40_000  # 3.6 MB, 320 000 tags
    start = time.perf_counter()
    content = html_visible_text(markup)
    elapsed = time.perf_counter() - start
    assert content.count("GEF") == 40_000
    assert elapsed < 5.0, f"{len(markup) / 1e6:.1f} MB of markup took {elapsed:.1f} s"


def test_an_html_file_with_only_markup_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><head><script>x()</script></head><body></body></html>")
    assert skipped_reason(read_document(path)) == "no visible text: the HTML file holds only markup"


# ----------------------------------------------------------------------------- files that vanish


def test_a_file_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "Aral Sea")
    b = write(tmp_path / "b.txt", "Caspian Sea")
    assert list(find_files([tmp_path])) == [a, b]
    b.unlink()
    assert skipped_reason(read_document(b)) == "file disappeared before it could be read"

    write(tmp_path / "b.txt", "Caspian Sea")
    results = iter_documents([tmp_path])
    first = next(results)
    b.unlink()
    second = next(results)
    assert first.document is not None and first.document.text == "Aral Sea"
    assert skipped_reason(second) == "file disappeared before it could be read"


def test_a_file_that_loses_read_permission_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(tmp_path / "locked.txt", "Caspian")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert skipped_reason(read_document(locked)) == "permission denied; check the file's permissions"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files of mode 000; the monkeypatched test covers this case",
)
def test_a_file_of_mode_000(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", "Caspian")
    locked.chmod(0)
    try:
        assert skipped_reason(read_document(locked)) == "permission denied; check the file's permissions"
    finally:
        locked.chmod(0o644)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_does_not_hang_the_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    found = list(find_files([tmp_path]))
    assert len(found) == 1 and isinstance(found[0], ReadProblem) and "not a regular file" in found[0].reason
    assert "not a regular file" in skipped_reason(read_document(fifo))


# ----------------------------------------------------------------------------- loops


def test_symlink_loops_are_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "real.txt", "Caspian")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (tmp_path / "ping.txt").symlink_to(tmp_path / "pong.txt")
    (tmp_path / "pong.txt").symlink_to(tmp_path / "ping.txt")

    found = list(find_files([tmp_path]))

    problems = {f.path.name: f.reason for f in found if isinstance(f, ReadProblem)}
    assert set(problems) == {"self.txt", "ping.txt", "pong.txt"}
    assert all("symlink loop" in reason for reason in problems.values())
    assert [f for f in found if isinstance(f, Path)] == [tmp_path / "real.txt"]
    assert skipped_reason(read_document(tmp_path / "self.txt")).startswith("symlink loop")


def test_a_directory_cycle_is_reported_once_and_the_walk_ends(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", "Aral")
    write(corpus / "sub" / "b.txt", "Caspian")
    (corpus / "sub" / "back").symlink_to(corpus, target_is_directory=True)

    found = list(find_files([corpus]))

    assert [f for f in found if isinstance(f, Path)] == [corpus / "a.txt", corpus / "sub" / "b.txt"]
    (loop,) = [f for f in found if isinstance(f, ReadProblem)]
    assert loop.path == corpus / "sub" / "back"
    assert "symlink loop" in loop.reason and str(corpus) in loop.reason


def test_a_symlink_loop_named_by_the_user_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "self").symlink_to(tmp_path / "self")
    with pytest.raises(InputError, match="symlink loop"):
        find_files([tmp_path / "self"])


# ----------------------------------------------------------------------------- user errors


def test_a_missing_path_is_an_input_error_before_any_work(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Caspian")
    with pytest.raises(InputError, match=r"missing.*no such file or folder; check the path"):
        iter_documents([tmp_path, tmp_path / "missing"])


def test_a_broken_symlink_named_by_the_user_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(InputError, match="broken symlink"):
        find_files([tmp_path / "gone.txt"])


@pytest.mark.parametrize("content", [{}, {"notes.docx": "x", ".hidden.txt": "x", "sub/readme": "x"}])
def test_a_folder_without_documents_is_an_input_error(content: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, text in content.items():
        write(folder / name, text)
    write(tmp_path / "elsewhere.txt", "Caspian")
    with pytest.raises(InputError, match=r"folder contains no \.txt, \.md, \.html or \.htm files"):
        iter_documents([tmp_path / "elsewhere.txt", folder])


def test_a_folder_with_only_unreadable_documents_is_not_an_input_error(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    (result,) = list(iter_documents([tmp_path]))
    assert skipped_reason(result) == "empty file"


# ----------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_give_a_read_result_and_never_raise(
    data: bytes, suffix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.getbasetemp() / f"any{suffix}"
    path.write_bytes(data)
    assert_well_formed(read_document(path))


@st.composite
def legacy_bytes(draw: st.DrawFn) -> bytes:
    """Bytes that pass the binary checks and reach the encoding guess."""
    return draw(st.binary(min_size=1, max_size=500).map(lambda b: bytes(x | 0x80 if x < 32 else x for x in b)))


@settings(max_examples=200, deadline=None)
@given(data=legacy_bytes())
def test_any_high_bytes_decode_to_a_document(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.getbasetemp() / "legacy.txt"
    path.write_bytes(data)
    result = read_document(path)
    assert_well_formed(result)
    if result.document is not None and result.document.encoding not in ("utf-8",):
        assert data.decode(result.document.encoding, "replace") == result.document.text


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"),
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip() != "" and not t.startswith("\ufeff"))


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_any_text_written_as_utf8_is_read_back_exactly(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.getbasetemp() / "utf8.txt"
    path.write_bytes(text.encode("utf-8"))
    result = read_document(path)
    if result.document is None:
        # Only text made of invisible characters may be refused, and only as empty.
        assert skipped_reason(result) == "empty file (whitespace only)"
        return
    assert result.problems == ()
    assert result.document.text == text
    assert result.document.encoding == "utf-8"


_MARKUP_TOKENS = [
    *"<>/!-?&#;=\"' \n\r[]xaptbrsciyleҚ",
    *("<p>", "</p>", "<script>", "</script>", "<!--", "-->", "&amp;", "&#1178;", "&#x", "<br/>"),
    *("<![CDATA[", "]]>", "<title>", "</title", "&copy", "<a href=\"", "</ "),
]
_MARKUP = st.lists(st.sampled_from(_MARKUP_TOKENS), max_size=80).map("".join)


@settings(max_examples=500, deadline=None)
@given(markup=_MARKUP)
def test_html_visible_text_keeps_length_and_characters(markup: str) -> None:
    content = html_visible_text(markup)
    assert len(content) == len(markup)
    for c, t in zip(content, markup, strict=True):
        assert c == t or c == " " or (c in "\r\n" and t in "\r\n<&") or t == "&"
