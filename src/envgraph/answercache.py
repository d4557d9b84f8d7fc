"""A bounded, thread-safe cache of answers with single-flight computation, for the web app.

Why: ``envgraph serve`` holds its store open read-only, so every answer stays true until the
server stops (with ``--allow-updates`` the server clears the cache after each update). Analysts
and dashboards ask the same few questions again and again; a named query over an archive takes
from 0.1 s to seconds, and two worker processes cannot serve fifty clients asking for such
answers at once. The cache keeps answers up to a byte budget (least recently used go first),
and *single flight* makes concurrent requests for an answer that is not cached yet wait for ONE
computation instead of each queueing its own: the workers stay free for different questions.

Errors are never cached: a query that timed out is tried again by the next request. A budget of
0 disables caching (but concurrent identical requests still share one computation).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

V = TypeVar("V")
Source = Literal["hit", "computed", "shared"]


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What the cache did since it was made."""

    hits: int  # answered from the cache
    misses: int  # computed
    shared: int  # waited for a computation another request had started
    evictions: int  # answers dropped to stay within the budget
    entries: int
    bytes: int
    max_bytes: int


@dataclass(slots=True)
class _Flight(Generic[V]):
    generation: int
    done: threading.Event = field(default_factory=threading.Event)
    value: V | None = None
    error: BaseException | None = None


class AnswerCache(Generic[V]):
    """Answers by key, at most ``max_bytes`` of them as measured by ``size_of``."""

    def __init__(self, max_bytes: int, size_of: Callable[[V], int]) -> None:
        if max_bytes < 0:
            raise ValueError("the cache budget cannot be negative")
        self._max_bytes = max_bytes
        self._size_of = size_of
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._flights: dict[Hashable, _Flight[V]] = {}
        self._lock = threading.Lock()
        self._hits = self._misses = self._shared = self._evictions = 0
        self._generation = 0  # bumped by clear(): answers computed before it are not kept

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> tuple[V, Source]:
        """The answer for ``key`` and where it came from: the cache (``hit``), ``compute()``
        called now (``computed``), or a computation another thread had started for the same
        key (``shared``: ``compute`` runs once however many threads ask at the same time). An
        exception of ``compute`` reaches every thread that waited for it and is not cached."""
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return cached[0], "hit"
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight(self._generation)
                self._misses += 1
            else:
                self._shared += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value, "shared"  # type: ignore[return-value]
        try:
            value = compute()
        except BaseException as err:
            flight.error = err
            raise
        else:
            flight.value = value
            self._store(key, value, flight.generation)
            return value, "computed"
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def _store(self, key: Hashable, value: V, generation: int) -> None:
        size = self._size_of(value)
        if size > self._max_bytes or not self._max_bytes:
            return
        with self._lock:
            if generation != self._generation:  # the data changed while it was computed
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self._max_bytes:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
                self._evictions += 1

    def clear(self) -> None:
        """Forget every answer (after the data changed); answers being computed now are
        returned to the requests waiting for them but not kept, and later requests compute
        their own."""
        with self._lock:
            self._entries.clear()
            self._flights.clear()
            self._bytes = 0
            self._generation += 1

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, self._shared, self._evictions,
                              len(self._entries), self._bytes, self._max_bytes)


__all__ = ["AnswerCache", "CacheStats", "Source"]
