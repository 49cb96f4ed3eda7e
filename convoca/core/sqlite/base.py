"""Django's SQLite backend, with the writers of every process taking turns in the kernel's queue.

SQLite lets one transaction write at a time (the project's transactions begin IMMEDIATE: they take the write
lock first). A writer that finds it taken does not queue: SQLite's busy handler sleeps and tries again, for
1, 2, 5, 10 ... up to 100 ms a time, while the lock may be free after a fraction of a millisecond. Under a burst
of RSVPs through the form, 73 % of the request threads' time went into that sleeping (py-spy, 2 server
processes, 4 threads each) and the processes used 1.4 of the machine's 2 cores.

Here a transaction first waits its turn: in its process behind a lock (with the connection's ``timeout``,
after which it fails as SQLite would: "database is locked"), then between processes behind an exclusive
``flock`` on a file next to the database. Both wake the next writer as soon as the turn is given back (at the
commit, the rollback, or when a connection or process ends in the middle: the kernel releases a dead
process's lock). In-memory databases (the tests' default) have one connection's writers only and skip it.
"""

import fcntl
import os
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_turns = {}  # database file -> (lock of this process's threads, descriptor of the lock file)
_turns_guard = threading.Lock()


def _turn(name):
    with _turns_guard:
        turn = _turns.get(name)
        if turn is None:
            fd = os.open(f"{name}.writers.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            turn = _turns[name] = (threading.Lock(), fd)
        return turn


def _after_fork_in_child():
    # A forked worker must not share the parent's open lock file (a flock belongs to the open file, so parent
    # and child would both hold it) nor a thread lock some parent thread held at the fork.
    for _lock, fd in _turns.values():
        os.close(fd)
    _turns.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_held = None

    def _start_transaction_under_autocommit(self):
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._give_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._give_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._give_turn()

    def _take_turn(self):
        name = self.settings_dict["NAME"]
        if not name or self.is_in_memory_db():
            return
        lock, fd = _turn(str(name))
        if not lock.acquire(timeout=self.settings_dict["OPTIONS"].get("timeout", 5)):
            raise OperationalError("database is locked")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            lock.release()
            raise
        self._turn_held = (lock, fd)

    def _give_turn(self):
        held, self._turn_held = self._turn_held, None
        if held is not None:
            lock, fd = held
            fcntl.flock(fd, fcntl.LOCK_UN)
            lock.release()
