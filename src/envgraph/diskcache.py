"""Objects that are slow to compute and cheap to read back, cached on disk.

The command line builds the lexicon's alias index on every start (about half a second, more
than adding a document costs) and parses the ontology for the first relation it checks (a
tenth of a second). Each depends only on its data files and the code that builds it, so it is
pickled under a key that hashes both (:func:`fingerprint`): changing any of them gives a new
key, and the old file is simply not read again. A missing, unreadable or foreign cache file is ignored and rebuilt; a cache folder that
cannot be written is not an error either (the object is then built every time).

Where: ``$ENVGRAPH_CACHE`` if set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/envgraph`` or ``~/.cache/envgraph``. The files are pickles, read only from
that folder, which belongs to the user running envgraph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from envgraph.settings import default_cache_dir

log = logging.getLogger(__name__)
T = TypeVar("T")
_FORMAT = b"envgraph-cache-1"


def stable_text(value: Any) -> str:
    """A text that is the same for equal values in every process (sets sorted, dataclasses as
    their fields), for hashing configuration objects whose repr depends on the hash seed."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, default=repr)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return [[_plain(k), _plain(v)] for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def fingerprint(*parts: str | bytes) -> str:
    """The sha256 of ``parts`` (each length-prefixed, so no two lists of parts collide)."""
    digest = hashlib.sha256(_FORMAT)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, externals: Mapping[str, object]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(obj): name for name, obj in externals.items()}

    def persistent_id(self, obj: Any) -> str | None:  # noqa: D102 - pickle hook
        return self._ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, externals: Mapping[str, object]) -> None:
        super().__init__(file)
        self._externals = externals

    def persistent_load(self, pid: Any) -> object:  # noqa: D102 - pickle hook
        if pid not in self._externals:
            raise pickle.UnpicklingError(f"unknown external object {pid!r}")
        return self._externals[pid]


def load_or_build(
    kind: str,
    key: str,
    build: Callable[[], T],
    expected: type,
    externals: Mapping[str, object] | None = None,
    folder: Path | None = None,
) -> T:
    """The object cached as ``kind`` under ``key``, else ``build()`` (then cached).

    ``externals`` are objects the result refers to that are not stored with it but given back
    on loading (the live language data the lexicon index points to)."""
    refs = dict(externals or {})
    where = folder if folder is not None else default_cache_dir()
    path = None if where is None else where / f"{kind}-{key}.pickle"
    if path is not None and path.is_file():
        try:
            value = _Unpickler(io.BytesIO(path.read_bytes()), refs).load()
            if isinstance(value, expected):
                return value  # type: ignore[no-any-return]
            log.debug("cache file %s holds a %s, not a %s: rebuilt", path, type(value).__name__, expected.__name__)
        except Exception as err:  # noqa: BLE001 - any unreadable cache is rebuilt
            log.debug("cache file %s unreadable (%s): rebuilt", path, err)
    value = build()
    if path is not None:
        _store(path, value, refs)
    return value


def _store(path: Path, value: object, externals: Mapping[str, object]) -> None:
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, externals).dump(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as err:
        log.debug("cannot write the cache file %s: %s", path, err)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, path)  # readers see the old file or the whole new one
    except OSError as err:
        log.debug("cannot write the cache file %s: %s", path, err)
        Path(temporary).unlink(missing_ok=True)
