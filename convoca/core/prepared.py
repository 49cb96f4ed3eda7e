"""Queries of the busiest paths, compiled once.

Django compiles a queryset into SQL at every evaluation. For a lookup that brings four related rows with it
(``select_related``) the compiling costs several times the query itself: the action page's lookup took
~0.6 ms of CPU on SQLite, ~0.5 ms of it in the compiler, and a visitor's RSVP asks it twice (the page, the
form's POST). ``Prepared`` compiles the queryset once per database connection, with stand-in values for its
parameters, and then only runs that SQL with each call's values, building the same model instances (related
objects included) as the queryset would, through the ORM's own converters and populators.

What can be prepared: a queryset without annotations whose SQL depends on its values only through the length
of a list (``filter(pk=...)``, ``filter(pk__in=[...])``). Each stand-in is a value of the type callers pass,
found exactly once among the compiled parameters; anything else is refused when the query is first compiled,
so a mistake shows in the first test that runs it. A list's stand-in is a list of one such value: the query
is compiled for lists of 1, 2, 4, 8... places and a call's list is padded to the next size with its last
value, which changes nothing in an ``IN`` (Hibernate pads its ``IN`` lists the same way), so a handful of
statements serves every length; an empty list finds nothing without asking the database, and a list longer
than ``MAX_LIST`` is run as a plain queryset.

On PostgreSQL the SQL is also prepared on the server, once per connection: Django binds values into the text
on the client, so PostgreSQL parsed and planned the six tables' join anew at every call (~0.6 ms of its CPU,
ten times the execution). The statement is run through a cursor binding its values on the server and asking
psycopg to prepare it (``prepare=True``); Django's cursor wrapper stays around it (query log, errors, time
zone). ``DB_PREPARED_STATEMENTS=off`` (a connection pooler in transaction mode older than PgBouncer 1.21)
leaves the connection's ``prepare_threshold`` at None, and then nothing is prepared.
"""

import threading

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

try:
    import psycopg
except ImportError:  # SQLite only
    psycopg = None

if psycopg is not None:
    class _PreparingCursor(psycopg.Cursor):
        """Binds on the server and prepares its statement (psycopg keeps the statement per connection)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)


def _cursor(connection):
    """Django's cursor; on PostgreSQL with prepared statements allowed, around a preparing psycopg cursor."""
    connection.ensure_connection()
    raw = connection.connection
    if psycopg is None or connection.vendor != "postgresql" or raw.prepare_threshold is None:
        return connection.cursor()
    factory = raw.cursor_factory  # the connection is this thread's alone (Django's rule)
    raw.cursor_factory = _PreparingCursor
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = factory


MAX_LIST = 256


def _bucket(length):
    size = 1
    while size < length:
        size *= 2
    return size


def _stand_ins_for(stand_in, size):
    """``size`` distinct stand-ins of ``stand_in``'s type, for a list's places."""
    if isinstance(stand_in, bool) or not isinstance(stand_in, (int, str)):
        raise ValueError("a list's stand-in is a list of one int or str")
    return [stand_in - i if isinstance(stand_in, int) else f"{stand_in}{i}" for i in range(size)]


class Prepared:
    def __init__(self, build, using=DEFAULT_DB_ALIAS, **stand_ins):
        """``build(**values)`` returns the queryset; ``stand_ins`` gives each value's stand-in (for a list, a list
        of one stand-in)."""
        for name, stand_in in stand_ins.items():
            if isinstance(stand_in, list) and len(stand_in) != 1:
                raise ValueError(f"the stand-in for the list {name!r} is a list of one value")
        self.build, self.using, self.stand_ins = build, using, stand_ins
        self.lists = {name for name, stand_in in stand_ins.items() if isinstance(stand_in, list)}
        self._local = threading.local()  # a compiler belongs to its connection, and connections to their thread

    def _plan(self, connection, sizes):
        plans = getattr(self._local, "plans", None)
        if plans is None or plans["connection"] is not connection:
            plans = self._local.plans = {"connection": connection}
        plan = plans.get(sizes)
        if plan is None:
            plan = plans[sizes] = self._compile(connection, dict(zip(sorted(self.lists), sizes, strict=True)))
        return plan

    def _compile(self, connection, sizes):
        stand_ins = {name: _stand_ins_for(value[0], sizes[name]) if name in sizes else value
                     for name, value in self.stand_ins.items()}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a stand-in out of its field's range: the ORM would not ask the database
            raise ValueError("a stand-in makes the query empty: choose one in its field's range") from None
        slots = {}
        for name, stand_in in stand_ins.items():
            places = []
            for one in stand_in if name in sizes else [stand_in]:
                # (on PostgreSQL an integer may come wrapped in its column's type, psycopg's Int4: a subclass kept)
                found = [i for i, p in enumerate(params) if isinstance(p, type(one)) and p == one]
                if len(found) != 1:
                    raise ValueError(f"the stand-in for {name!r} is found {len(found)} times in the compiled query")
                places.append((found[0], type(params[found[0]])))
            slots[name] = places
        gives_rows = queryset._iterable_class is ValuesListIterable
        if queryset.query.annotations or queryset._known_related_objects or not (
                gives_rows or queryset._iterable_class is ModelIterable):
            raise ValueError("a prepared query gives instances or values_list() rows, without annotations")
        select, klass_info = compiler.select, compiler.klass_info
        plan = {"compiler": compiler, "sql": sql, "params": list(params), "slots": slots,
                "converters": compiler.get_converters([s[0] for s in select[:compiler.col_count]]),
                "model": None, "width": compiler.col_count}
        if not gives_rows:
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            plan.update(model=klass_info["model"], init=[f[0].target.attname for f in select[start:end]],
                        start=start, end=end, populators=get_related_populators(klass_info, select, self.using))
        return plan

    def _check(self, values):
        if values.keys() != self.stand_ins.keys():
            raise TypeError(f"give exactly {sorted(self.stand_ins)}")
        for name, value in values.items():
            stand_in = self.stand_ins[name]
            if name in self.lists:
                if not isinstance(value, (list, tuple)) or any(type(v) is not type(stand_in[0]) for v in value):
                    raise TypeError(f"{name} must be a list of {type(stand_in[0]).__name__}")
            elif type(value) is not type(stand_in):
                raise TypeError(f"{name} must be a {type(stand_in).__name__}")

    def _run(self, values):
        """(plan, rows converted as the ORM converts them), or (None, queryset) when a list is too long."""
        self._check(values)
        if any(not values[name] for name in self.lists):
            return None, []  # an empty IN: the ORM would not ask the database either
        lengths = [len(values[name]) for name in sorted(self.lists)]
        if any(length > MAX_LIST for length in lengths):
            return None, self.build(**{name: list(v) if name in self.lists else v for name, v in values.items()})
        connection = connections[self.using]
        plan = self._plan(connection, tuple(_bucket(length) for length in lengths))
        params = list(plan["params"])
        for name, places in plan["slots"].items():
            given = values[name]
            if name in self.lists:
                given = list(given) + [given[-1]] * (len(places) - len(given))
            else:
                given = [given]
            for (slot, kind), value in zip(places, given, strict=True):
                params[slot] = value if type(value) is kind else kind(value)
        with _cursor(connection) as cursor:
            cursor.execute(plan["sql"], params)
            rows = cursor.fetchall()
        if plan["converters"]:
            rows = plan["compiler"].apply_converters(rows, plan["converters"])
        return plan, rows

    def all(self, **values):
        """The model instances the queryset built from ``values`` would give."""
        plan, rows = self._run(values)
        if plan is None:
            return list(rows)
        if plan["model"] is None:
            raise TypeError("this query gives values, not instances: use rows()")
        model, init, start, end = plan["model"], plan["init"], plan["start"], plan["end"]
        found = []
        for row in rows:
            obj = model.from_db(self.using, init, row[start:end])
            for populator in plan["populators"]:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def rows(self, **values):
        """The rows (tuples) of a ``values_list()`` queryset built from ``values``."""
        plan, rows = self._run(values)
        if plan is None:
            return [tuple(row) for row in rows]
        if plan["model"] is not None:
            raise TypeError("this query gives instances: use all()")
        return [tuple(row[:plan["width"]]) for row in rows]

    def first(self, **values):
        found = self.all(**values)
        return found[0] if found else None
