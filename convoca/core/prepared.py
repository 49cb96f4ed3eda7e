"""Queries of the busiest paths, compiled once.

Django compiles a queryset into SQL at every evaluation. For a lookup that brings four related rows with it
(``select_related``) the compiling costs several times the query itself: the action page's lookup took
~0.6 ms of CPU on SQLite, ~0.5 ms of it in the compiler, and a visitor's RSVP asks it twice (the page, the
form's POST). ``Prepared`` compiles the queryset once per database connection, with stand-in values for its
parameters, and then only runs that SQL with each call's values, building the same model instances (related
objects included) as the queryset would, through the ORM's own converters and populators.

What can be prepared: a queryset whose SQL does not depend on its values (``filter(pk=...)``, not
``pk__in=[...]`` whose placeholders follow the list's length), without annotations. Each stand-in is a value
of the type callers pass, found exactly once among the compiled parameters; anything else is refused when the
query is first compiled, so a mistake shows in the first test that runs it.
"""

import threading

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators


class Prepared:
    def __init__(self, build, using=DEFAULT_DB_ALIAS, **stand_ins):
        """``build(**values)`` returns the queryset; ``stand_ins`` gives each value's stand-in."""
        self.build, self.using, self.stand_ins = build, using, stand_ins
        self._local = threading.local()  # a compiler belongs to its connection, and connections to their thread

    def _plan(self, connection):
        plan = getattr(self._local, "plan", None)
        if plan is not None and plan["connection"] is connection:
            return plan
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a stand-in out of its field's range: the ORM would not ask the database
            raise ValueError("a stand-in makes the query empty: choose one in its field's range") from None
        slots = {}
        for name, stand_in in self.stand_ins.items():
            # (on PostgreSQL an integer may come wrapped in its column's type, psycopg's Int4: a subclass kept)
            found = [i for i, p in enumerate(params) if isinstance(p, type(stand_in)) and p == stand_in]
            if len(found) != 1:
                raise ValueError(f"the stand-in for {name!r} is found {len(found)} times in the compiled query")
            slots[name] = (found[0], type(params[found[0]]))
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ValueError("a prepared query has no annotations and no known related objects")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        plan = {
            "connection": connection, "compiler": compiler, "sql": sql, "params": list(params), "slots": slots,
            "converters": compiler.get_converters([s[0] for s in select[:compiler.col_count]]),
            "model": klass_info["model"], "init": [f[0].target.attname for f in select[start:end]],
            "start": start, "end": end, "populators": get_related_populators(klass_info, select, self.using),
        }
        self._local.plan = plan
        return plan

    def all(self, **values):
        """The model instances the queryset built from ``values`` would give."""
        if values.keys() != self.stand_ins.keys():
            raise TypeError(f"give exactly {sorted(self.stand_ins)}")
        for name, value in values.items():
            if type(value) is not type(self.stand_ins[name]):
                raise TypeError(f"{name} must be a {type(self.stand_ins[name]).__name__}")
        connection = connections[self.using]
        plan = self._plan(connection)
        params = list(plan["params"])
        for name, (slot, kind) in plan["slots"].items():
            params[slot] = values[name] if type(values[name]) is kind else kind(values[name])
        with connection.cursor() as cursor:
            cursor.execute(plan["sql"], params)
            rows = cursor.fetchall()
        if plan["converters"]:
            rows = plan["compiler"].apply_converters(rows, plan["converters"])
        model, init, start, end = plan["model"], plan["init"], plan["start"], plan["end"]
        found = []
        for row in rows:
            obj = model.from_db(self.using, init, row[start:end])
            for populator in plan["populators"]:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, **values):
        found = self.all(**values)
        return found[0] if found else None
