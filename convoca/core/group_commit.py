"""Many requests' writes in one transaction: a group commit.

A write of a few rows costs little; what costs is its transaction. On SQLite one transaction writes at a time,
and its holder gives the interpreter's lock (GIL) away at every statement and waits to get it back while the
process's other threads draw pages: an RSVP's five statements held the database's write lock ~4 ms for ~0.6 ms
of work, and every other writer of every process waited behind it. On PostgreSQL each commit is a round trip
and a WAL flush.

``BatchThread`` is the mechanism (one thread per process that handles every item waiting at once; the API's
token check in ``voting.fastpath`` uses it too); ``GroupCommit(write_batch)`` gives each process one writer
thread on it. A request hands it an item and waits; the
writer takes every item that arrived while the previous batch was being written and calls ``write_batch(items)``
once, which writes them all in one transaction with a handful of statements and returns one outcome per item:
the item's result, or the exception (a ``ServiceError``) to raise in its request. An item is answered only
after its transaction committed; ``write_batch`` registers its after-commit work (events, tasks) as usual and
the writer runs it at the commit.

If a whole batch fails (a database error), each of its items is tried again alone, so one cannot sink the
others. Inside an outer transaction (tests, management commands, a service that writes more around it) the item
is written in the caller's thread and transaction, by the same ``write_batch``.
"""

import contextlib
import logging
import os
import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import close_old_connections, connection
from django.utils.translation import gettext_lazy as _

from .errors import ServiceError

logger = logging.getLogger(__name__)

# Requests wait on these threads: schedule them first (taken only with CAP_SYS_NICE).
WRITER_NICE = int(os.environ.get("CONVOCA_WRITER_NICE", "-10"))
_RELEASE = object()


class BatchThread:
    """One thread per process that takes every item waiting and handles them together. A request calls
    ``ask(item)`` and waits; the thread takes all the items queued meanwhile (up to ``max_batch``) and calls
    ``handle([(item, future), ...])``, which must set every future. Its database connection is its own, closed
    by ``release_connection()`` (tests, so their database can be dropped). A forked worker starts its own."""

    max_batch = 500

    def __init__(self, name, timeout=30):
        self.name, self.timeout = name, timeout
        self._reset()
        _all.append(self)

    def _reset(self):
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()

    def ask(self, item, timeout=None):
        future = Future()
        self._queue.put((item, future))
        self._ensure_thread()
        return future.result(timeout=timeout or self.timeout)

    def release_connection(self):
        if self._thread is not None and self._thread.is_alive():
            self.ask(_RELEASE)

    def handle(self, batch):
        raise NotImplementedError

    def _ensure_thread(self):
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=f"convoca-{self.name}", daemon=True)
                self._thread.start()

    def _run(self):
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICE)
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            work = [(item, future) for item, future in batch if item is not _RELEASE]
            if work:
                try:
                    self.handle(work)
                except Exception as error:  # noqa: BLE001 - a bug in handle() must not leave requests waiting
                    logger.error("%s: a batch failed (%s)", self.name, type(error).__name__)
                    for _item, future in work:
                        if not future.done():
                            future.set_exception(error)
            if len(work) < len(batch):
                connection.close()
                for item, future in batch:
                    if item is _RELEASE:
                        future.set_result(None)


class GroupCommit(BatchThread):
    def __init__(self, name, write_batch, timeout=30):
        super().__init__(name, timeout)
        self.write_batch = write_batch

    def submit(self, item):
        """Write ``item``; its result once committed, or its refusal raised."""
        if connection.in_atomic_block:
            outcome = self.write_batch([item])[0]
        else:
            try:
                outcome = self.ask(item)
            except FutureTimeout:
                raise ServiceError(_("The server is too busy to save this now. Try again in a minute."),
                                   code="busy") from None
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def handle(self, batch):
        items = [item for item, _future in batch]
        # Logged by the error's kind only: its message may quote a row (an email in a unique key's clash).
        try:
            outcomes = self.write_batch(items)
        except Exception as error:  # noqa: BLE001 - database trouble: each item alone, so one cannot sink the rest
            logger.warning("group commit %s: a batch of %s failed (%s); writing them one by one", self.name,
                           len(items), type(error).__name__)
            self._reset_connection()
            outcomes = []
            for item in items:
                try:
                    outcomes.append(self.write_batch([item])[0])
                except Exception as alone:  # noqa: BLE001 - its request shows a translated error, never a 500
                    logger.error("group commit %s: an item failed alone (%s)", self.name, type(alone).__name__)
                    self._reset_connection()
                    outcomes.append(ServiceError(_("We could not save this. Try again in a minute."), code="retry"))
        for (_item, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)

    @staticmethod
    def _reset_connection():
        with contextlib.suppress(Exception):  # noqa: BLE001 - a broken connection may fail to close; it is replaced
            connection.close()
        close_old_connections()


_all = []


def release_connections():
    """Close the database connection of every batching thread of this process (after a test, so the test
    database can be dropped)."""
    for worker in _all:
        worker.release_connection()


def _after_fork_in_child():
    # A forked worker has its own queues and starts its own threads (the parent's are not copied).
    for worker in _all:
        worker._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)
