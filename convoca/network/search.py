"""Accent- and case-insensitive search of names, done by the database on both engines, without a
stored column: ``Folded(field)`` is the field lower-cased and without accents ("Díaz" -> "diaz",
"SÃO PAULO" -> "sao paulo"), and ``matching(queryset, fields, text)`` keeps the rows where every word
of ``text`` is found, folded the same way, in one of ``fields``.

- SQLite: ``convoca_fold(value)``, a deterministic function of this connection doing what
  ``models.match_key`` does (registered when a query uses it: no hook on every connection).
- PostgreSQL: ``lower(translate(value, ...))`` over the accented Latin letters of the region's
  languages, upper and lower case (``lower`` alone folds only ASCII under the C locale).
"""

from django.db.models import CharField, Func, Q

from .models import match_key

ACCENTED = "áàâäãåāăąéèêëēėęěíìîïīįĩóòôöõøōőúùûüūůűųũçćčñńýÿžźżšśłđ"
PLAIN = "aaaaaaaaaeeeeeeeeiiiiiiioooooooouuuuuuuuucccnnyyzzzssld"
assert len(ACCENTED) == len(PLAIN)
_FROM, _TO = ACCENTED + ACCENTED.upper(), PLAIN + PLAIN.upper()
MAX_WORDS = 8  # a query of more words is cut: each word is a LIKE over every field


def _fold(value):
    return None if value is None else match_key(str(value))


class Folded(Func):
    """An expression: the text of ``expression`` folded as ``match_key`` folds it."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()  # the function lives on the raw connection
        connection.connection.create_function("convoca_fold", 1, _fold, deterministic=True)
        return super().as_sql(compiler, connection, function="convoca_fold", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"LOWER(TRANSLATE({sql}, %s, %s))", (*params, _FROM, _TO)

    def as_sql(self, compiler, connection, **extra):  # other engines: case only
        return super().as_sql(compiler, connection, function="LOWER", **extra)


def words(text):
    """The folded words of a search (at most ``MAX_WORDS``)."""
    return match_key(text or "").split()[:MAX_WORDS]


def matching(queryset, fields, text):
    """Rows where each word of ``text`` is in one of ``fields`` (accents and capitals aside).
    A field may be given as ``(name, q)``: it is searched only where ``q`` holds (a field
    the viewer may not see on some rows must not find those rows). A name ending in ``_key``
    is a column stored folded already."""
    found = words(text)
    if not found:
        return queryset
    aliases, conditions = {}, []
    for i, field in enumerate(fields):
        name, where = field if isinstance(field, tuple) else (field, None)
        if name.endswith("_key"):  # stored folded already (Organisation.name_key)
            conditions.append((name, where))
            continue
        alias = f"_folded_{i}"
        aliases[alias] = Folded(name)
        conditions.append((alias, where))
    queryset = queryset.alias(**aliases)
    for word in found:
        any_field = Q()
        for alias, where in conditions:
            hit = Q(**{f"{alias}__contains": word})
            any_field |= hit & where if where is not None else hit
        queryset = queryset.filter(any_field)
    return queryset
