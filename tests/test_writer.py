"""The build's store writer: batches in order, bounded, errors raised where the build runs."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from envgraph.errors import StoreError
from envgraph.store import DocumentGraph
from envgraph.writer import GraphWriter


class RecordingStore:
    """Just the write path of a store: records each batch; fails on a document named 'bad'."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.gate = gate

    def replace_documents(self, documents: Sequence[DocumentGraph]) -> None:
        if self.gate is not None:
            self.gate.wait(5)
        self.threads.add(threading.current_thread().name)
        if any(d.doc_id == "bad" for d in documents):
            raise StoreError("the store refused bad")
        self.batches.append([d.doc_id for d in documents])


def _graph(doc_id: str, size: int = 10) -> DocumentGraph:
    return DocumentGraph(doc_id, f"urn:graph:{doc_id}", "x" * size, "0" * 64)


@pytest.mark.parametrize("background", [True, False])
def test_graphs_are_written_in_order_in_batches_of_the_given_size(background: bool) -> None:
    store = RecordingStore()
    with GraphWriter(store, batch_bytes=25, background=background) as writer:  # type: ignore[arg-type]
        for name in "abcdefg":
            writer.add(_graph(name))
    assert store.batches == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    assert (threading.current_thread().name in store.threads) is not background


def test_a_document_queued_twice_starts_a_new_batch() -> None:
    store = RecordingStore()
    with GraphWriter(store, batch_bytes=1000) as writer:  # type: ignore[arg-type]
        for name in ["a", "b", "a", "c"]:
            writer.add(_graph(name))
    assert store.batches == [["a", "b"], ["a", "c"]]


def test_a_store_error_reaches_the_calling_thread_and_stops_the_writes() -> None:
    store = RecordingStore()
    with pytest.raises(StoreError, match="bad"):
        with GraphWriter(store, batch_bytes=15) as writer:  # type: ignore[arg-type]
            for name in ["a", "b", "bad", "c", "d", "e", "f"]:
                writer.add(_graph(name))
    assert ["a", "b"] in store.batches
    assert all("c" not in batch and "f" not in batch for batch in store.batches)


def test_leaving_by_an_exception_waits_for_the_running_write_and_drops_the_rest() -> None:
    gate = threading.Event()
    store = RecordingStore(gate)
    opener = threading.Timer(0.3, gate.set)  # lets the first write finish after the exception
    with pytest.raises(KeyboardInterrupt):
        with GraphWriter(store, batch_bytes=10) as writer:  # type: ignore[arg-type]
            writer.add(_graph("a"))  # being written (held at the gate)
            writer.add(_graph("b"))  # waiting in the queue
            opener.start()
            raise KeyboardInterrupt
    assert store.batches == [["a"]]


def test_a_store_without_batches_gets_one_document_at_a_time() -> None:
    written: list[str] = []

    class OneByOne:
        def replace_document(self, doc_id: str, graph_iri: str, triples: str, sha256: str) -> None:
            written.append(doc_id)

    with GraphWriter(OneByOne(), batch_bytes=25) as writer:  # type: ignore[arg-type]
        for name in "abcd":
            writer.add(_graph(name))
    assert written == ["a", "b", "c", "d"]
