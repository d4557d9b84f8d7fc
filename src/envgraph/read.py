"""The reading stage: find the document files, read their bytes, decode them, strip HTML markup.

The text of a :class:`~envgraph.model.Document` is the file decoded and *never changed otherwise*
(no line-ending or Unicode normalisation): every offset downstream indexes it. For HTML the
``content`` the extractors read is the same string with markup blanked out by spaces, so the two
have the same length and offsets into ``content`` are offsets into ``text``.

A file that cannot be read is not an exception but a :class:`~envgraph.model.ReadProblem`
(``skipped=True``); a file read with a caveat (a truncated UTF-8 tail, an uncertain legacy
encoding) gives a document *and* a problem with ``skipped=False``. Both travel in a
:class:`ReadResult`. Only mistakes in what the user typed (a path that does not exist, a folder
without any document) raise :class:`~envgraph.errors.InputError`, before any file is read.
"""

from __future__ import annotations

import codecs
import errno
import functools
import hashlib
import html
import math
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.entities import html5 as _HTML5_ENTITIES
from pathlib import Path

import yaml

from envgraph.errors import InputError, LexiconError
from envgraph.model import Document, ReadProblem
from envgraph.resources import data_dir

DEFAULT_MAX_BYTES = 64 * 2**20

# Magic numbers of binary formats people drop into text folders, with a name for the message.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"PK\x07\x08", "ZIP archive"),
    (b"\x1f\x8b", "GZIP archive"),
    (b"\xfd7zXZ\x00", "XZ archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (old Word or Excel)"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM video"),
)
_RIFF_KINDS: Mapping[bytes, str] = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one). The codec
# named is the one that decodes the *whole* file, mark included, to the text we keep.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 control bytes that do not occur in text (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"

# Scores (natural logs) for the plausibility of a decoded character; see _plausibility.
_LOGP_UNKNOWN_LETTER = -11.0
_LOGP_PUNCTUATION = -4.0
_LOGP_SIGN = -7.0
_LOGP_SYMBOL = -13.0
_LOGP_CONTROL = -16.0
_LOGP_REPLACEMENT = -20.0
_LOGP_CAPITALISED = -0.5  # word shapes: "Каспий"
_LOGP_ALL_CAPS = -2.0  # "КАСПИЙ"
_LOGP_CASE_BREAK = -6.0  # "кАСПИЙ", "КаспИй"
_LOGP_SCRIPT_BREAK = -6.0  # Latin and Cyrillic letters in one word
_LOGP_SIGN_IN_WORD = -6.0  # "D№NYA": a non-ASCII sign between two letters
_LOW_CONFIDENCE = -6.0  # mean score per non-ASCII character below which we warn (real
# legacy lines of the sample corpus score >= -5.0, random high bytes <= -6.9)
_SAMPLE_BYTES = 256 * 1024

# Characters a UTF-16 text without byte order mark is expected to consist of.
_UTF16_IMPLAUSIBLE = re.compile(
    "[^\t\n\f\r\x20-\x7e\u00a0-\u052f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]"
)

_WORD = re.compile(r"[^\W\d_]+")
_SIGN_IN_WORD = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f\w\s’‘ʼʻ´\u2010\u2011\u00ad](?=[^\W\d_])")
_CYRILLIC = re.compile("[\u0400-\u052f]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)

# HTML: tags that start a new block (become a line break), elements whose content is not shown,
# and elements whose content is text without tags (title, textarea).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend "
    "li main menu nav ol option p pre section summary table tbody td tfoot th thead title tr "
    "ul".split()
)
_HIDDEN_CONTENT_TAGS = frozenset(
    "script style noscript template iframe noembed noframes".split()
)
_RCDATA_TAGS = frozenset(("title", "textarea"))
_HTML_SPACE = " \t\n\r\f"
_TAG_NAME_END = re.compile(r"[\s/>]")
_COMMENT_END = re.compile(r"--!?>")
_CHARREF = re.compile(r"&(?:#[xX]([0-9A-Fa-f]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]{0,31});?)")
_NOT_LINE_BREAK = re.compile(r"[^\r\n]+")
_BLANK_CHARS = (
    " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)


# --------------------------------------------------------------------------------------------
# Configuration (data/lang/read.yaml)


@dataclass(frozen=True)
class ReadConfig:
    """What the reader needs to know: suffixes read, legacy code pages, letter statistics."""

    suffixes: Mapping[str, str]  # ".txt" -> "text/plain"
    legacy_encodings: Mapping[str, float]  # Python codec name -> prior (log), best first
    letter_logp: Mapping[str, float]  # lowercase letter -> log probability within its script
    punctuation: frozenset[str]
    signs: frozenset[str] = frozenset()

    def describe_suffixes(self) -> str:
        """``.txt, .md, .html or .htm``: for messages."""
        names = list(self.suffixes)
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def load_read_config(path: Path | None = None) -> ReadConfig:
    """Load (once per path) the reader's data file, by default ``data/lang/read.yaml``."""
    return _load_read_config(str(path if path is not None else data_dir("lang") / "read.yaml"))


@functools.lru_cache(maxsize=8)
def _load_read_config(path_str: str) -> ReadConfig:
    path = Path(path_str)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise LexiconError(path, None, f"cannot read the reader's data file: {err.strerror}") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise LexiconError(path, line, f"not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise LexiconError(path, None, "expected a mapping with suffixes, legacy_encodings, …")

    suffixes = raw.get("suffixes")
    if not isinstance(suffixes, dict) or not suffixes:
        raise LexiconError(path, None, "'suffixes' must map file suffixes to media types")
    for suffix, media in suffixes.items():
        if not (isinstance(suffix, str) and suffix.startswith(".") and isinstance(media, str)):
            raise LexiconError(path, None, f"bad suffix entry {suffix!r}: {media!r}")

    encodings = raw.get("legacy_encodings")
    if not isinstance(encodings, dict) or not encodings:
        raise LexiconError(path, None, "'legacy_encodings' must map codec names to priors")
    priors: dict[str, float] = {}
    for name, prior in encodings.items():
        try:
            codec = codecs.lookup(str(name)).name
        except LookupError as err:
            raise LexiconError(path, None, f"unknown codec {name!r} in legacy_encodings") from err
        if not isinstance(prior, (int, float)) or prior > 0:
            raise LexiconError(path, None, f"legacy_encodings.{name}: the prior must be <= 0")
        priors[codec] = float(prior)

    letter_logp: dict[str, float] = {}
    counts = raw.get("letter_counts")
    if not isinstance(counts, dict):
        raise LexiconError(path, None, "'letter_counts' must map scripts to letter counts")
    for script, table in counts.items():
        if not isinstance(table, dict) or not table:
            raise LexiconError(path, None, f"letter_counts.{script} must map letters to counts")
        total = 0
        for letter, count in table.items():
            if not (isinstance(letter, str) and len(letter) == 1 and letter.isalpha()):
                raise LexiconError(path, None, f"letter_counts.{script}: {letter!r} is not a letter")
            if not isinstance(count, int) or count <= 0:
                raise LexiconError(path, None, f"letter_counts.{script}.{letter}: bad count")
            total += count
        for letter, count in table.items():
            letter_logp[letter.lower()] = math.log(count / total)

    punctuation = raw.get("punctuation", "")
    signs = raw.get("signs", "")
    if not isinstance(punctuation, str) or not isinstance(signs, str):
        raise LexiconError(path, None, "'punctuation' and 'signs' must be strings of characters")

    return ReadConfig(
        suffixes={str(k).lower(): str(v) for k, v in suffixes.items()},
        legacy_encodings=dict(sorted(priors.items(), key=lambda kv: -kv[1])),
        letter_logp=letter_logp,
        punctuation=frozenset(punctuation),
        signs=frozenset(signs),
    )


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The outcome of reading one file.

    ``document`` is None when the file was skipped; then ``problems`` holds the reason (with
    ``skipped=True``). A document may come with warnings: problems with ``skipped=False``.
    """

    path: Path
    document: Document | None
    problems: tuple[ReadProblem, ...] = ()

    @property
    def warnings(self) -> tuple[ReadProblem, ...]:
        """The caveats of a document that was read (problems that did not skip it)."""
        return tuple(p for p in self.problems if not p.skipped)


@dataclass(frozen=True, slots=True)
class _Found:
    """A candidate file met while walking; ``duplicate`` if already met by another path."""

    path: Path
    duplicate: bool


@dataclass(slots=True)
class _WalkState:
    """Identities (device, inode) of the files one listing has already met."""

    files: set[tuple[int, int]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Finding files


def find_files(
    paths: Sequence[Path | str], *, config: ReadConfig | None = None
) -> Iterator[Path | ReadProblem]:
    """The document files under ``paths`` (files and folders), in a deterministic order.

    Folders are walked recursively in name order; hidden entries (``.name``) are skipped; only
    files with a document suffix (.txt, .md, .html, .htm, any case) are taken. Symlinks are
    followed; a symlink loop or a folder leading back to one of its parents gives a
    ``ReadProblem`` ("symlink loop"). The same file reached twice is listed once.

    Raises ``InputError`` at once (not lazily) if a path does not exist.
    """
    cfg = config or load_read_config()
    roots = _check_roots(paths)

    def generate() -> Iterator[Path | ReadProblem]:
        state = _WalkState()
        for root in roots:
            for item in _walk_root(root, state, cfg):
                if isinstance(item, _Found):
                    if not item.duplicate:
                        yield item.path
                else:
                    yield item

    return generate()


def _check_roots(paths: Sequence[Path | str]) -> list[Path]:
    """The user's paths as Paths; InputError naming the first that cannot be used."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    roots = [Path(p) for p in paths]
    if not roots:
        raise InputError("no input given: name at least one file or folder of texts")
    for root in roots:
        try:
            st = os.stat(root)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise InputError(f"{root}: symlink loop; the link leads back to itself") from err
            if os.path.islink(root):
                raise InputError(f"{root}: broken symlink; its target does not exist") from err
            if isinstance(err, PermissionError):
                raise InputError(f"{root}: permission denied; check the folder's permissions") from err
            if err.errno in (errno.ENOENT, errno.ENOTDIR):
                raise InputError(f"{root}: no such file or folder; check the path") from err
            raise InputError(f"{root}: cannot be read: {err.strerror or err}") from err
        if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
            raise InputError(f"{root}: not a regular file or folder")
    return roots


def _walk_root(root: Path, state: _WalkState, cfg: ReadConfig) -> Iterator[_Found | ReadProblem]:
    """Walk one user-given path (file or folder) without recursion (deep trees are fine).

    Each folder is entered once per root (``visited``: no blow-up through many links to the
    same folder); files already met, under this root or an earlier one, come as duplicates.
    """
    try:
        st = os.stat(root)
    except OSError as err:  # vanished since _check_roots
        yield ReadProblem(root, f"cannot read: {err.strerror or err}")
        return
    if not stat.S_ISDIR(st.st_mode):
        if root.suffix.lower() not in cfg.suffixes:
            yield ReadProblem(root, f"not a {cfg.describe_suffixes()} file; skipped")
            return
        yield from _found_file(root, st, state)
        return

    ident = (st.st_dev, st.st_ino)
    visited = {ident}
    listing = _list_dir(root)
    if isinstance(listing, ReadProblem):
        yield listing
        return
    ancestors: dict[tuple[int, int], Path] = {ident: root}
    stack: list[tuple[tuple[int, int], Iterator[os.DirEntry[str]]]] = [(ident, iter(listing))]
    while stack:
        dir_ident, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            del ancestors[dir_ident]
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        is_candidate = path.suffix.lower() in cfg.suffixes
        try:
            st = os.stat(path)  # follows symlinks
        except OSError as err:
            if err.errno == errno.ELOOP:
                yield ReadProblem(path, "symlink loop: the link leads back to itself; skipped")
            elif entry.is_symlink() and is_candidate:
                yield ReadProblem(path, "broken symlink: its target does not exist; skipped")
            elif is_candidate:
                yield ReadProblem(path, f"cannot read: {err.strerror or err}")
            continue
        if stat.S_ISDIR(st.st_mode):
            sub_ident = (st.st_dev, st.st_ino)
            if sub_ident in ancestors:
                yield ReadProblem(
                    path,
                    f"symlink loop: this folder leads back to {ancestors[sub_ident]}; skipped",
                )
                continue
            if sub_ident in visited:
                continue  # reached before through another link: its files are listed
            visited.add(sub_ident)
            sub_listing = _list_dir(path)
            if isinstance(sub_listing, ReadProblem):
                yield sub_listing
                continue
            ancestors[sub_ident] = path
            stack.append((sub_ident, iter(sub_listing)))
        elif is_candidate:
            yield from _found_file(path, st, state)


def _found_file(path: Path, st: os.stat_result, state: _WalkState) -> Iterator[_Found | ReadProblem]:
    if not stat.S_ISREG(st.st_mode):
        yield ReadProblem(path, "not a regular file (a pipe, socket or device); skipped")
        return
    ident = (st.st_dev, st.st_ino)
    yield _Found(path, duplicate=ident in state.files)
    state.files.add(ident)


def _list_dir(path: Path) -> list[os.DirEntry[str]] | ReadProblem:
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except PermissionError:
        return ReadProblem(path, "cannot list folder: permission denied; check its permissions")
    except OSError as err:
        return ReadProblem(path, f"cannot list folder: {err.strerror or err}")


# --------------------------------------------------------------------------------------------
# Reading one file


def read_document(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    doc_id: str | None = None,
    config: ReadConfig | None = None,
) -> ReadResult:
    """Read and decode one file. Never raises for anything the file contains or its fate.

    ``doc_id`` defaults to the file name. The media type follows the suffix (text/plain for
    an unknown one).
    """
    cfg = config or load_read_config()
    path = Path(path)
    media_type = cfg.suffixes.get(path.suffix.lower(), "text/plain")

    raw_or_reason = _read_bytes(path, max_bytes)
    if isinstance(raw_or_reason, str):
        return _skipped(path, raw_or_reason)
    raw = raw_or_reason
    if not raw:
        return _skipped(path, "empty file")

    decoded = _decode(raw, cfg, html_file=media_type == "text/html")
    if isinstance(decoded, str):
        return _skipped(path, decoded)
    text = decoded.text
    if not text.strip(_BLANK_CHARS):
        return _skipped(path, "empty file (whitespace only)")

    content = html_visible_text(text) if media_type == "text/html" else text
    if content is not text and not content.strip(_BLANK_CHARS):
        return _skipped(path, "no visible text: the HTML file holds only markup")

    document = Document(
        doc_id=doc_id if doc_id is not None else path.name,
        path=path,
        text=text,
        content=content,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=decoded.encoding,
        media_type=media_type,
    )
    warnings = tuple(ReadProblem(path, w, skipped=False) for w in decoded.warnings)
    return ReadResult(path, document, warnings)


def _skipped(path: Path, reason: str) -> ReadResult:
    return ReadResult(path, None, (ReadProblem(path, reason, skipped=True),))


def _read_bytes(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes, or the reason they cannot be had."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: a named pipe must not hang the build
    except FileNotFoundError:
        return "file disappeared before it could be read"
    except PermissionError:
        return "permission denied; check the file's permissions"
    except IsADirectoryError:
        return "is a folder, not a file"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symlink loop: the link leads back to itself"
        return f"cannot read: {err.strerror or err}"
    try:
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if stat.S_ISDIR(st.st_mode):
                return "is a folder, not a file"
            if not stat.S_ISREG(st.st_mode):
                return "not a regular file (a pipe, socket or device)"
            if st.st_size > max_bytes:
                return _too_big(st.st_size, max_bytes)
            raw = handle.read(max_bytes + 1)
    except PermissionError:
        return "permission denied; check the file's permissions"
    except OSError as err:
        return f"cannot read: {err.strerror or err}"
    if len(raw) > max_bytes:  # grew since fstat
        return _too_big(len(raw), max_bytes)
    return raw


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"file of {_format_size(size)} exceeds the limit of {_format_size(max_bytes)}; "
        "raise --max-mb to read it"
    )


def _format_size(n: int) -> str:
    if n < 2**20 // 10:
        return f"{n} bytes"
    return f"{n / 2**20:.1f}".removesuffix(".0") + " MB"


# --------------------------------------------------------------------------------------------
# Decoding


def _decode(raw: bytes, cfg: ReadConfig, *, html_file: bool) -> _Decoded | str:
    """Decode ``raw`` (non-empty), or return why it is not text."""
    binary = _binary_kind(raw)
    if binary is not None:
        return f"binary file ({binary})"

    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _decode_with_bom(raw, bom, codec)

    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is None:
            return "binary file (contains NUL bytes)"
        return utf16
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if controls * 100 > len(raw):
        return "binary file (control characters)"

    try:
        return _Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        if err.end == len(raw) and err.reason == "unexpected end of data":
            text = raw[: err.start].decode("utf-8") + "\ufffd"
            return _Decoded(
                text,
                "utf-8",
                (
                    f"truncated UTF-8 at byte {err.start}: the incomplete character at the end "
                    "was replaced by U+FFFD",
                ),
            )
        first_error = err.start

    mostly = _mostly_utf8(raw, first_error)
    if mostly is not None:
        return mostly
    if html_file:
        declared = _declared_charset(raw)
        if declared is not None:
            return declared
    return _decode_legacy(raw, cfg)


def _binary_kind(raw: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            return kind
    if raw.startswith(b"RIFF") and raw[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[raw[8:12]]
    if raw[4:8] == b"ftyp":
        return "MP4 or QuickTime media"
    return None


def _decode_with_bom(raw: bytes, bom: bytes, codec: str) -> _Decoded:
    """Decode a file that starts with a byte order mark (the mark is not part of the text)."""
    try:
        return _Decoded(raw.decode(codec), codec)
    except UnicodeDecodeError as err:
        text = raw.decode(codec, "replace")
        label = codec.removesuffix("-sig").upper()
        if err.end == len(raw) and err.reason in ("unexpected end of data", "truncated data"):
            warning = (
                f"truncated {label} at byte {err.start}: the incomplete character at the end "
                "was replaced by U+FFFD"
            )
        else:
            warning = (
                f"invalid {label} after a byte order mark, first at byte {err.start}: "
                "invalid sequences were replaced by U+FFFD"
            )
        return _Decoded(text, codec, (warning,))


def _utf16_without_bom(raw: bytes) -> _Decoded | None:
    """UTF-16 without a byte order mark, only on strong evidence; else None (binary)."""
    if len(raw) % 2 or len(raw) < 4:
        return None
    half = len(raw) // 2
    even_nuls, odd_nuls = raw[0::2].count(0), raw[1::2].count(0)
    if odd_nuls >= half // 10 and even_nuls <= half // 100:
        codec = "utf-16-le"
    elif even_nuls >= half // 10 and odd_nuls <= half // 100:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    odd = len(_UTF16_IMPLAUSIBLE.findall(text))
    if odd * 100 > len(text):
        return None
    return _Decoded(text, codec)


def _mostly_utf8(raw: bytes, first_error: int) -> _Decoded | None:
    """UTF-8 with a few invalid bytes (a stray byte, a bad copy-paste): keep it as UTF-8."""
    text = raw.decode("utf-8", "replace")
    replacements = text.count("\ufffd")
    invalid = replacements - raw.count(b"\xef\xbf\xbd")
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - replacements
    if valid_non_ascii < 10 * invalid:
        return None
    return _Decoded(
        text,
        "utf-8",
        (
            f"invalid UTF-8 at byte {first_error}: {invalid} invalid byte "
            f"sequence{'s' if invalid != 1 else ''} replaced by U+FFFD",
        ),
    )


def _declared_charset(raw: bytes) -> _Decoded | None:
    """The code page an HTML file declares in a <meta> tag, if it decodes the file cleanly."""
    match = _META_CHARSET.search(raw, 0, 4096)
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if codec.startswith(("utf-8", "utf-16", "utf-32")):
        return None  # UTF-8 failed already; UTF-16/32 declarations are ignored, as by browsers
    try:
        return _Decoded(raw.decode(codec), codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_legacy(raw: bytes, cfg: ReadConfig) -> _Decoded:
    """Choose among the legacy code pages by how plausible each decoding reads.

    The choice is made by a small letter-frequency model (data/lang/read.yaml, _plausibility)
    plus a prior per code page, not by charset-normalizer: on short texts of this region it
    reads Turkish cp1254 as cp1252 and Kazakh kz1048 as cp1251, and used as a tie-breaker it
    only turned right answers into wrong ones. A single-byte code page decodes each byte to one
    character, so the scores of the candidates are comparable.
    """
    sample = _sample(raw)
    scored: list[tuple[float, int, str, str]] = []  # (score, rank, codec, decoded sample)
    for rank, (codec, prior) in enumerate(cfg.legacy_encodings.items()):
        decoded = sample.decode(codec, "replace")
        scored.append((prior + _plausibility(decoded, cfg), rank, codec, decoded))
    score, _, codec, decoded = min(scored, key=lambda s: (-s[0], s[1]))
    warnings: list[str] = []
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        text = raw.decode(codec, "replace")
        warnings.append(
            f"bytes undefined in {codec}, first at byte {err.start}, were replaced by U+FFFD"
        )
    non_ascii = len(decoded) - len(decoded.encode("ascii", "ignore"))
    if non_ascii and score / non_ascii < _LOW_CONFIDENCE:
        warnings.append(
            f"encoding uncertain: not UTF-8, decoded as {codec} as the likeliest; "
            "convert the file to UTF-8 to be sure"
        )
    return _Decoded(text, codec, tuple(warnings))


def _sample(raw: bytes) -> bytes:
    """Up to _SAMPLE_BYTES of a single-byte-encoded file: its head, middle and tail."""
    if len(raw) <= _SAMPLE_BYTES:
        return raw
    part = _SAMPLE_BYTES // 4
    middle = len(raw) // 2
    return b"\n".join((raw[: 2 * part], raw[middle : middle + part], raw[-part:]))


def _plausibility(text: str, cfg: ReadConfig) -> float:
    """Log-likelihood-like score of a decoding; higher is more plausible.

    Only what differs between candidates is scored (ASCII decodes the same in all of them):
    each non-ASCII character by kind (a letter by its frequency in the region's languages,
    ordinary punctuation, symbol, control, U+FFFD), and each word holding a non-ASCII letter by
    its shape: a capital inside a small-letter word, or Latin mixed with Cyrillic, is the mark of
    a wrong code page (cp1251 read as KOI8-R gives "лИНИСТЕРСТВО", cp1254 read as cp1251
    "Tьrkiye"). Case is judged per word, not per letter, so that all-capital headlines are
    not mistaken for mis-decoded text.
    """
    score = 0.0
    for ch, count in Counter(text).items():
        if ch >= "\x80":
            score += count * _char_logp(ch, cfg)
    for word, count in Counter(_WORD.findall(text)).items():
        if not word.isascii():
            score += count * _word_shape_logp(word)
    score += len(_SIGN_IN_WORD.findall(text)) * _LOGP_SIGN_IN_WORD
    return score


def _char_logp(ch: str, cfg: ReadConfig) -> float:
    if ch.isalpha():
        # [:1]: "İ".lower() is "i" + a combining dot
        return cfg.letter_logp.get(ch.lower()[:1], _LOGP_UNKNOWN_LETTER)
    if ch == "\ufffd":
        return _LOGP_REPLACEMENT
    if ch in cfg.punctuation or ch.isspace():
        return _LOGP_PUNCTUATION
    if ch in cfg.signs:
        return _LOGP_SIGN
    if unicodedata.category(ch).startswith("C"):
        return _LOGP_CONTROL
    return _LOGP_SYMBOL


def _word_shape_logp(word: str) -> float:
    logp = 0.0
    if not word.islower():
        if word[0].isupper() and (len(word) == 1 or word[1:].islower()):
            logp += _LOGP_CAPITALISED
        elif word.isupper():
            logp += _LOGP_ALL_CAPS
        else:
            logp += _LOGP_CASE_BREAK
    if _CYRILLIC.search(word) and _LATIN.search(word):
        logp += _LOGP_SCRIPT_BREAK
    return logp


# --------------------------------------------------------------------------------------------
# HTML


def html_visible_text(markup: str) -> str:
    """The visible text of HTML ``markup``, with everything else blanked, at the same offsets.

    The result has the length of ``markup``; each character is the markup's own, a space, a
    line break, or (at the ``&`` of a character reference) the decoded character. Tags and
    comments become spaces; the contents of script, style, noscript, template and the like too,
    with their line breaks kept; a block-level tag (p, div, br, li, h1-h6, tr, …) becomes a line
    break at its ``<``. Never raises: malformed markup is read the way browsers roughly do.
    """
    if "<" not in markup and "&" not in markup:
        return markup
    n = len(markup)
    out: list[str] = []
    pos = 0
    while pos < n:
        lt = markup.find("<", pos)
        if lt < 0:
            out.append(_decode_charrefs(markup[pos:]))
            break
        if lt > pos:
            out.append(_decode_charrefs(markup[pos:lt]))
        end, kind, name = _scan_markup(markup, lt)
        if kind == "text":  # a stray "<"
            out.append("<")
            pos = lt + 1
            continue
        if kind in ("start", "end") and name in _BLOCK_TAGS:
            out.append("\n" + _blank(markup[lt + 1 : end]))
        else:
            out.append(_blank(markup[lt:end]))
        pos = end
        if kind == "start" and (name in _HIDDEN_CONTENT_TAGS or name in _RCDATA_TAGS):
            stop = _closing_tag(markup, name, pos)
            inner = markup[pos:stop]
            out.append(_blank(inner) if name in _HIDDEN_CONTENT_TAGS else _decode_charrefs(inner))
            pos = stop
    return "".join(out)


def _scan_markup(s: str, i: int) -> tuple[int, str, str]:
    """At ``s[i] == "<"``: (end, kind, tag name) of the construct starting there.

    kind is "start", "end", "comment" (comments, doctype, CDATA, processing instructions and
    other bogus comments) or "text" (a "<" that starts nothing).
    """
    n = len(s)
    nxt = s[i + 1] if i + 1 < n else ""
    if s.startswith("<!--", i):
        # "<!-->" and "<!--->" are complete (empty) comments, hence the search from i + 2.
        comment_end = _COMMENT_END.search(s, i + 2)
        return (comment_end.end() if comment_end else n), "comment", ""
    if s.startswith("<![CDATA[", i):
        close = s.find("]]>", i + 9)
        return (close + 3 if close >= 0 else n), "comment", ""
    if nxt in ("!", "?"):
        close = s.find(">", i + 2)
        return (close + 1 if close >= 0 else n), "comment", ""
    if nxt == "/":
        after = s[i + 2] if i + 2 < n else ""
        if after.isascii() and after.isalpha():
            name_end = _tag_name_end(s, i + 2)
            return _scan_attributes(s, name_end), "end", s[i + 2 : name_end].lower()
        if after == ">":
            return i + 3, "comment", ""
        if not after:
            return i + 1, "text", ""
        close = s.find(">", i + 2)
        return (close + 1 if close >= 0 else n), "comment", ""
    if nxt.isascii() and nxt.isalpha():
        name_end = _tag_name_end(s, i + 1)
        return _scan_attributes(s, name_end), "start", s[i + 1 : name_end].lower()
    return i + 1, "text", ""


def _tag_name_end(s: str, start: int) -> int:
    match = _TAG_NAME_END.search(s, start)
    return match.start() if match else len(s)


def _scan_attributes(s: str, j: int) -> int:
    """From after a tag name, the index just past the tag's ">" (or the end of ``s``)."""
    n = len(s)
    while j < n:
        ch = s[j]
        if ch == ">":
            return j + 1
        if ch in _HTML_SPACE or ch == "/":
            j += 1
            continue
        j += 1  # the attribute name (its first character may be anything, even "=")
        while j < n and s[j] not in _HTML_SPACE and s[j] not in "/>=":
            j += 1
        while j < n and s[j] in _HTML_SPACE:
            j += 1
        if j < n and s[j] == "=":
            j += 1
            while j < n and s[j] in _HTML_SPACE:
                j += 1
            if j < n and s[j] in "\"'":
                close = s.find(s[j], j + 1)
                if close < 0:
                    # An unclosed quote: browsers swallow the rest of the file; end at the
                    # next ">" instead so one typo does not hide the whole document.
                    gt = s.find(">", j + 1)
                    return gt + 1 if gt >= 0 else n
                j = close + 1
            else:
                while j < n and s[j] not in _HTML_SPACE and s[j] != ">":
                    j += 1
    return n


def _closing_tag(s: str, name: str, start: int) -> int:
    """Where ``</name`` (any case, then space, "/" or ">") next starts; the end if nowhere."""
    match = re.compile(rf"</{re.escape(name)}(?=[\s/>]|\Z)", re.IGNORECASE).search(s, start)
    return match.start() if match else len(s)


def _blank(s: str) -> str:
    """``s`` with every character but line breaks replaced by a space."""
    if "\n" not in s and "\r" not in s:
        return " " * len(s)
    return _NOT_LINE_BREAK.sub(lambda m: " " * len(m.group()), s)


def _decode_charrefs(s: str) -> str:
    """Decode character references in text, keeping the length (the decoded character sits at
    the "&", spaces fill the rest of the reference)."""
    if "&" not in s:
        return s
    return _CHARREF.sub(_replace_charref, s)


def _replace_charref(match: re.Match[str]) -> str:
    ref = match.group(0)
    name = match.group(3)
    if name is None:
        digits = match.group(1) or match.group(2)
        used = len(ref)
        # html.unescape applies the HTML5 rules (cp1252 for 128-159, U+FFFD for surrogates and
        # numbers out of range); a huge number would trip int()'s digit limit, so cap it first.
        decoded = html.unescape(ref) if len(digits.lstrip("0")) <= 8 else "\ufffd"
    elif ref.endswith(";") and name + ";" in _HTML5_ENTITIES:
        decoded, used = _HTML5_ENTITIES[name + ";"], len(ref)
    else:
        # Legacy references without ";" ("&copy", "&amp"): the longest known prefix.
        for length in range(len(name), 1, -1):
            if name[:length] in _HTML5_ENTITIES:
                decoded, used = _HTML5_ENTITIES[name[:length]], length + 1
                break
        else:
            return ref
    if len(decoded) > used:
        return ref
    return decoded + " " * (used - len(decoded)) + ref[used:]


# --------------------------------------------------------------------------------------------
# The stage


def iter_documents(
    paths: Sequence[Path | str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    config: ReadConfig | None = None,
) -> Iterator[ReadResult]:
    """Read every document under ``paths``: one ReadResult per file found or problem met.

    Lists all files first (cheap) and raises ``InputError`` before reading anything if a path
    does not exist or a folder the user named holds no document file at all. Files are then
    read lazily, one at a time. Document ids are the file names, or, for files whose names
    clash, their paths relative to the common folder of ``paths`` ("a/report.txt").
    """
    cfg = config or load_read_config()
    roots = _check_roots(paths)
    state = _WalkState()
    listed: list[Path | ReadProblem] = []
    for root in roots:
        candidates = 0
        for item in _walk_root(root, state, cfg):
            if isinstance(item, _Found):
                candidates += 1
                if not item.duplicate:
                    listed.append(item.path)
            else:
                listed.append(item)
        if candidates == 0 and root.is_dir():
            raise InputError(
                f"{root}: the folder contains no {cfg.describe_suffixes()} files; "
                "check the path"
            )
    doc_ids = assign_doc_ids([p for p in listed if isinstance(p, Path)], roots)

    def generate() -> Iterator[ReadResult]:
        for item in listed:
            if isinstance(item, ReadProblem):
                yield ReadResult(item.path, None, (item,))
            else:
                yield read_document(item, max_bytes=max_bytes, doc_id=doc_ids[item], config=cfg)

    return generate()


def assign_doc_ids(files: Sequence[Path], roots: Sequence[Path]) -> dict[Path, str]:
    """Unique, deterministic document ids: the file name, unless another file has the same name;
    then the path relative to the common folder of ``roots``, with "/" separators."""
    names = Counter(f.name for f in files)
    clashing = [f for f in files if names[f.name] > 1]
    ids = {f: f.name for f in files}
    if not clashing:
        return ids
    try:
        common = os.path.commonpath([os.path.abspath(r) for r in roots])
    except ValueError:  # different drives (Windows)
        common = ""
    for f in clashing:
        absolute = os.path.abspath(f)
        rel = os.path.relpath(absolute, common) if common else ""
        if not rel or rel == "." or rel.startswith(".."):
            rel = absolute
        ids[f] = Path(rel).as_posix()
    return ids
