"""Every row the database holds, to assert that a refused request wrote nothing
(whatever app it belongs to, the audit trail included)."""

from django.db import connection

# Who is logged in and when they were last seen, not what they did.
NOT_DATA = {"django_session", "accounts_loginsession", "django_migrations"}


def all_rows():
    """{table: sorted rows} for every table but ``NOT_DATA``."""
    dump = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names(cursor)) - NOT_DATA):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            dump[table] = sorted(map(repr, cursor.fetchall()))
    return dump


def row_counts():
    return {table: len(rows) for table, rows in all_rows().items()}


def changed_tables(before, after):
    return sorted(table for table in set(before) | set(after) if before.get(table) != after.get(table))
