"""Writing a build's graphs to the store: in batches, in a background thread.

The build hands each document's N-Triples to a :class:`GraphWriter`, which collects them into
batches of a few MB and writes each batch with :meth:`envgraph.store.Store.replace_documents`
(for the embedded store: one bulk load per batch, about half the cost per triple of a
transaction per document). Batches are written in order by one thread; pyoxigraph parses and
writes without holding the GIL, so the store work of one batch overlaps the extraction of the
next documents. The queue is bounded (one batch waiting), so memory stays flat and a slow store
slows the extraction down instead of piling text up.
"""

from __future__ import annotations

import queue
import threading
from types import TracebackType

from envgraph.memory import release_free_memory
from envgraph.store import DocumentGraph, Store

DEFAULT_BATCH_BYTES = 16 * 2**20  # characters of N-Triples per batch (~80 news items)


class GraphWriter:
    """Collects documents' graphs and writes them in batches, in order, off the calling thread.

    Use as a context manager: leaving the block normally writes what is left and waits for it;
    leaving it by an exception drops the batches not yet started and waits for the one being
    written (a store is never closed under a running write). An error of the store is raised in
    the calling thread, by the next :meth:`add` or by the exit of the block.
    """

    def __init__(self, store: Store, *, batch_bytes: int = DEFAULT_BATCH_BYTES, background: bool = True) -> None:
        self.store = store
        self.batch_bytes = batch_bytes
        self._pending: list[DocumentGraph] = []
        self._pending_keys: set[str] = set()
        self._pending_bytes = 0
        self._error: BaseException | None = None
        self._stop = False
        self._queue: queue.Queue[list[DocumentGraph] | None] = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="envgraph-store-writer", daemon=True)
            self._thread.start()

    def add(self, graph: DocumentGraph) -> None:
        """Queue one document's graph (a later version of a queued document starts a new batch,
        so that the batch never holds a document twice)."""
        self._raise_if_failed()
        if graph.doc_id in self._pending_keys or graph.graph_iri in self._pending_keys:
            self._submit()
        self._pending.append(graph)
        self._pending_keys.update((graph.doc_id, graph.graph_iri))
        self._pending_bytes += len(graph.ntriples)
        if self._pending_bytes >= self.batch_bytes:
            self._submit()

    def close(self) -> None:
        """Write what is pending and wait until everything is in the store."""
        self._submit()
        self._finish()
        self._raise_if_failed()

    def __enter__(self) -> GraphWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
            return
        self._stop = True  # batches not started are dropped; their documents stay as they were
        self._finish()

    # --- internals ----------------------------------------------------------------------------
    def _submit(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self._pending_keys = set()
        self._pending_bytes = 0
        if self._thread is None:
            self._write(batch)
            del batch
            release_free_memory()
        else:
            self._queue.put(batch)  # blocks while the writer is one batch behind
        self._raise_if_failed()

    def _finish(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is None and not self._stop:
                self._write(batch)
            del batch  # freed now, not when the next batch arrives
            release_free_memory()  # a long build's resident memory stays flat (envgraph.memory)

    def _write(self, batch: list[DocumentGraph]) -> None:
        try:
            write_batch = getattr(self.store, "replace_documents", None)
            if write_batch is not None:
                write_batch(batch)
            else:  # a store of an older protocol: one document at a time
                for doc in batch:
                    self.store.replace_document(doc.doc_id, doc.graph_iri, doc.ntriples, doc.sha256)
        except BaseException as err:  # handed to the calling thread
            self._error = err

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._stop = True
            raise error
