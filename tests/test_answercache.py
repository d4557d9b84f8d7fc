"""The web app's answer cache: budget, least-recently-used eviction, single flight, errors."""

from __future__ import annotations

import threading
import time

import pytest

from envgraph.answercache import AnswerCache


def sized(max_bytes: int) -> AnswerCache[str]:
    return AnswerCache(max_bytes, len)


def test_a_second_request_is_a_hit_and_does_not_compute() -> None:
    cache = sized(100)
    calls: list[str] = []
    assert cache.get_or_compute("q", lambda: calls.append("q") or "answer") == ("answer", "computed")
    assert cache.get_or_compute("q", lambda: calls.append("q") or "other") == ("answer", "hit")
    assert calls == ["q"]
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries, stats.bytes) == (1, 1, 1, 6)


def test_least_recently_used_answers_go_first_when_over_budget() -> None:
    cache = sized(10)
    cache.get_or_compute("a", lambda: "aaaa")
    cache.get_or_compute("b", lambda: "bbbb")
    cache.get_or_compute("a", lambda: "never")  # a is now the most recent
    cache.get_or_compute("c", lambda: "cccc")  # 12 bytes: b goes
    assert cache.get_or_compute("a", lambda: "new a")[1] == "hit"
    assert cache.get_or_compute("b", lambda: "bbbb")[1] == "computed"
    assert cache.stats().evictions >= 1 and cache.stats().bytes <= 10


def test_an_answer_larger_than_the_budget_is_returned_but_not_kept() -> None:
    cache = sized(3)
    assert cache.get_or_compute("big", lambda: "too large") == ("too large", "computed")
    assert cache.get_or_compute("big", lambda: "too large")[1] == "computed"
    assert cache.stats().entries == 0


def test_budget_zero_keeps_nothing() -> None:
    cache = sized(0)
    cache.get_or_compute("q", lambda: "")
    assert cache.get_or_compute("q", lambda: "")[1] == "computed"
    with pytest.raises(ValueError):
        sized(-1)


def test_errors_reach_the_caller_and_are_not_cached() -> None:
    cache = sized(100)

    def fail() -> str:
        raise TimeoutError("took too long")

    with pytest.raises(TimeoutError):
        cache.get_or_compute("q", fail)
    assert cache.get_or_compute("q", lambda: "fine") == ("fine", "computed")


def test_concurrent_requests_for_one_answer_share_one_computation() -> None:
    cache = sized(1000)
    release = threading.Event()
    calls = []

    def slow() -> str:
        calls.append(1)
        release.wait(10)
        return "answer"

    results: list[tuple[str, str]] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("q", slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while cache.stats().shared < 7 and time.monotonic() < deadline:  # all others are waiting
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1
    assert sorted(results) == [("answer", "computed")] + [("answer", "shared")] * 7


def test_waiters_get_the_error_of_the_computation_they_shared() -> None:
    cache = sized(1000)
    release = threading.Event()

    def slow_failure() -> str:
        release.wait(10)
        raise RuntimeError("worker died")

    errors: list[BaseException] = []

    def ask() -> None:
        try:
            cache.get_or_compute("q", slow_failure)
        except RuntimeError as err:
            errors.append(err)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while cache.stats().shared < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert len(errors) == 4 and all(str(e) == "worker died" for e in errors)


def test_an_answer_computed_across_a_clear_is_not_kept() -> None:
    cache = sized(1000)
    started, release = threading.Event(), threading.Event()

    def before_the_update() -> str:
        started.set()
        release.wait(10)
        return "old"

    out: list[tuple[str, str]] = []
    leader = threading.Thread(target=lambda: out.append(cache.get_or_compute("q", before_the_update)))
    leader.start()
    started.wait(10)
    cache.clear()  # the data changed while the answer was computed
    # a request after the change does not join the old computation
    assert cache.get_or_compute("q", lambda: "new") == ("new", "computed")
    release.set()
    leader.join(10)
    assert out == [("old", "computed")]
    assert cache.get_or_compute("q", lambda: "newer") == ("new", "hit")
