"""A pytest plugin (``tests/conftest.py`` loads it): lets the test runner empty
the append-only audit trail between transactional tests on SQLite.

Django's test runner ends a ``transaction=True`` test by emptying every table
("flush"). On PostgreSQL that is TRUNCATE, which the trail's row triggers
ignore; on SQLite it is ``DELETE FROM``, which the trigger refuses (as it
should). Around that flush only, the SQLite triggers of ``audit_entry`` are
dropped and then created again from their own stored definition, so every
test, transactional or not, runs against the real triggers.
"""

# Through the backend's base module: importing operations first is a circular import when SQLite is not the
# configured database (the PostgreSQL run).
from django.db.backends.sqlite3.base import DatabaseWrapper

DatabaseOperations = DatabaseWrapper.ops_class

_original = DatabaseOperations.execute_sql_flush


def _execute_sql_flush(self, sql_list):
    with self.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        _original(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


def pytest_configure(config):
    DatabaseOperations.execute_sql_flush = _execute_sql_flush


def pytest_unconfigure(config):
    DatabaseOperations.execute_sql_flush = _original
