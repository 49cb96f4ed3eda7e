"""Many requests' writes in one transaction: a group commit.

A write of a few rows costs little; what costs is its transaction. On SQLite one transaction writes at a time,
and its holder gives the interpreter's lock (GIL) away at every statement and waits to get it back while the
process's other threads draw pages: an RSVP's five statements held the database's write lock ~4 ms for ~0.6 ms
of work, and every other writer of every process waited behind it. On PostgreSQL each commit is a round trip
and a WAL flush.

``GroupCommit(write_batch)`` gives each process one writer thread. A request hands it an item and waits; the
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

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext_lazy as _

from .errors import ServiceError

logger = logging.getLogger(__name__)

WRITER_NICE = -10  # requests wait on the writer: schedule it first (taken only with CAP_SYS_NICE)
_RELEASE = object()


class GroupCommit:
    def __init__(self, name, write_batch, max_batch=500, timeout=30):
        self.name, self.write_batch, self.max_batch, self.timeout = name, write_batch, max_batch, timeout
        self._reset()
        _all.append(self)

    def _reset(self):
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()

    def submit(self, item):
        """Write ``item``; its result once committed, or its refusal raised."""
        if connection.in_atomic_block or not getattr(settings, "GROUP_COMMIT", True):
            outcome = self.write_batch([item])[0]
        else:
            future = Future()
            self._queue.put((item, future))
            self._ensure_thread()
            try:
                outcome = future.result(timeout=self.timeout)
            except FutureTimeout:
                raise ServiceError(_("The server is too busy to save this now. Try again in a minute."),
                                   code="busy") from None
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def release_connection(self):
        """Close the writer thread's database connection (tests, so their database can be dropped)."""
        if self._thread is not None and self._thread.is_alive():
            future = Future()
            self._queue.put((_RELEASE, future))
            future.result(timeout=self.timeout)

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
            releases = [future for item, future in batch if item is _RELEASE]
            batch = [(item, future) for item, future in batch if item is not _RELEASE]
            if batch:
                self._write(batch)
            if releases:
                connection.close()
                for future in releases:
                    future.set_result(None)

    def _write(self, batch):
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


def _after_fork_in_child():
    # A forked worker has its own queue and starts its own writer (the parent's thread is not copied).
    for committer in _all:
        committer._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)
