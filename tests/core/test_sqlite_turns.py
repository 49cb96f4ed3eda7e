"""core.sqlite: on a database file, a transaction first takes its turn (a lock in its process, then a ``flock``
shared by every process) and gives it back at its commit, its rollback or when its connection closes; a writer
that cannot have it in time fails as SQLite does, writing nothing."""

import contextlib
import fcntl
import os
import threading

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="the SQLite backend's own behaviour")


def connect(path, timeout=5):
    handler = ConnectionHandler({"default": {"ENGINE": "convoca.core.sqlite", "NAME": str(path),
                                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout}}})
    return handler["default"]


@contextlib.contextmanager
def transaction(conn):
    """What ``transaction.atomic`` does to a connection, for a connection outside ``django.db.connections``."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        with conn.cursor() as cursor:
            yield cursor
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        if conn.connection is not None:
            conn.set_autocommit(True)


def turn_is_free(path):
    fd = os.open(f"{path}.writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # releases it if taken
    return True


@pytest.fixture(autouse=True)
def own_database(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "turns.sqlite3"
    conn = connect(path)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    conn.close()
    return path


def test_a_transaction_holds_the_turn_until_its_commit_or_rollback(db_file):
    conn = connect(db_file)
    assert turn_is_free(db_file)
    with transaction(conn) as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
        assert not turn_is_free(db_file)
    assert turn_is_free(db_file)
    with pytest.raises(RuntimeError), transaction(conn) as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")
        assert not turn_is_free(db_file)
        raise RuntimeError
    assert turn_is_free(db_file)
    with conn.cursor() as cursor:
        cursor.execute("SELECT n FROM t")
        assert cursor.fetchall() == [(1,)]
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert not turn_is_free(db_file)
    conn.close()  # closed in the middle: the turn goes with it
    assert turn_is_free(db_file)


def test_a_thread_waits_for_the_turn_and_fails_cleanly_when_it_does_not_come(db_file):
    holder, events = connect(db_file), []
    with transaction(holder) as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")

        def impatient():
            conn = connect(db_file, timeout=0.2)
            try:
                with transaction(conn) as other:
                    other.execute("INSERT INTO t VALUES (2)")
            except OperationalError as error:
                events.append(str(error))
            finally:
                conn.close()

        thread = threading.Thread(target=impatient)
        thread.start()
        thread.join(10)
    assert events == ["database is locked"]
    with holder.cursor() as cursor:
        cursor.execute("SELECT n FROM t")
        assert cursor.fetchall() == [(1,)]
    holder.close()


def test_processes_take_turns(db_file):
    """A forked process holds the turn; this one's transaction begins only after the other's commit."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the other process
        try:
            conn = connect(db_file)
            with transaction(conn) as cursor:
                cursor.execute("INSERT INTO t VALUES (1)")
                os.write(ready_w, b"x")
                os.read(go_r, 1)
                cursor.execute("INSERT INTO t VALUES (2)")
        finally:
            os._exit(0)
    os.read(ready_r, 1)
    assert not turn_is_free(db_file)
    seen = []

    def write():
        conn = connect(db_file)
        with transaction(conn) as cursor:  # waits here for the other process's commit
            cursor.execute("SELECT count(*) FROM t")
            seen.append(cursor.fetchone()[0])
        conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(0.3)
    assert thread.is_alive() and seen == []  # still waiting its turn
    os.write(go_w, b"x")
    thread.join(10)
    os.waitpid(pid, 0)
    assert seen == [2]  # it began after both of the other's rows were committed
    assert turn_is_free(db_file)
