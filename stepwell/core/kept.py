"""Queries the ORM builds and compiles once per database connection, then runs with new
values.

A record check reads the one record an id names, with the joins its rule needs (a goal
with its problem, plan, episode, patient and program); a patient's facts are one UNION
of three tables; every request reads its user and their roles; every save asks its
record's constraints (stepwell/core/constraints.py). Each has the same shape every time,
only the values change, but Django builds and compiles a query anew on each call, and
that was most of such a query's time: an episode read with its patient and program took
0.53 ms on SQLite through the ORM and 0.12 ms with its SQL kept, 1.05 and 0.57 ms on
PostgreSQL (where the rest is the server's); docs/performance.md, "Queries kept compiled".

How it stays Django's own query:
- The values go into the query as `Slot`s: a Value compiled exactly as Django compiles
  `Value(value, field)`, but with a `Marker` in place of its parameter. A later call puts
  its own value there, prepared for the database as the ORM prepares a Value of that field
  (`field.get_db_prep_value`). A value that compiles to no parameter (None is the literal
  NULL) cannot be replaced, so a query is only kept for values that are not None.
- `RecordRead` builds its instances as Django's QuerySet does: the compiler of the first
  call applies the database's converters to the rows, `Model.from_db` makes the record,
  and the related populators of that compiler fill in the records joined with
  select_related. These are the ORM's internal (undocumented, not underscored) compiler
  attributes; the tests compare every read with the ORM's (`stepwell/core/tests/test_kept.py`
  and the record checks' tests), so a Django upgrade that changes them fails there.
- The compiled SQL belongs to one connection object (`connections[alias]`, a thread's
  own), and is kept on it: a new connection object compiles again, and a thread's ends
  with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet, Value
from django.db.models.query import get_related_populators


class Marker:
    """Where a value goes in a kept query's parameters."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Slot(Value):
    """A value in a query, compiled exactly as Django compiles Value(value, output_field)
    (a placeholder, or the literal NULL for None), with a Marker in place of its
    parameter."""

    def __init__(self, value, output_field, name: str) -> None:
        super().__init__(value, output_field)
        self.slot = name

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        return sql, [Marker(self.slot) for _ in params]


def filled(params, values: Callable[[str], object]) -> list:
    """The parameters of a kept query, each Marker replaced by ``values(name)``."""
    return [values(param.name) if isinstance(param, Marker) else param for param in params]


KEPT_ON_CONNECTION = "stepwell_kept_queries"


def _compiled_on(connection) -> dict:
    """What each kept query compiled to on this connection (a thread's own), kept on the
    connection object: it goes when the connection object goes."""
    kept = getattr(connection, KEPT_ON_CONNECTION, None)
    if kept is None:
        kept = {}
        setattr(connection, KEPT_ON_CONNECTION, kept)
    return kept


@dataclass(frozen=True)
class _Reader:
    sql: str
    params: list
    compiler: object
    start: int
    end: int
    attnames: list[str]
    populators: list


READS: list[RecordRead] = []  # every record read defined, for the tests to compare


class RecordRead:
    """`one_or_none(model.objects.select_related(*related).filter(<key>=value))`, compiled
    once per connection: the record whose ``key`` (the id, or another unique field) has
    this value, with the records its rule needs, or None.

    Define one per module (it is a description, not a query) and call ``one(value)``."""

    def __init__(self, model: type[Model], *related: str, key: str = "pk") -> None:
        self.model = model
        self.related = related
        self.key = key
        self.field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        READS.append(self)

    def __repr__(self) -> str:
        return f"RecordRead({self.model.__name__}, {', '.join(self.related)}, key={self.key})"

    def rows(self) -> QuerySet:
        """The same rows as a QuerySet (what the ORM would read)."""
        rows = self.model._default_manager.all()
        return rows.select_related(*self.related) if self.related else rows

    def _reader(self, alias: str, connection, value) -> _Reader:
        kept = _compiled_on(connection)
        reader = kept.get(self)
        if reader is None:
            rows = self.rows().filter(**{self.key: Slot(value, self.field, self.key)})
            compiler = rows.order_by()[:1].query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            info = compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            reader = kept[self] = _Reader(
                sql=sql,
                params=list(params),
                compiler=compiler,
                start=start,
                end=end,
                attnames=[column[0].target.attname for column in compiler.select[start:end]],
                populators=get_related_populators(info, compiler.select, alias),
            )
        return reader

    def one(self, value):
        """The record whose key has this value (not None: an id is a positive integer,
        stepwell.privacy.access.predicates.as_record_id), or None."""
        if value is None:
            raise ValueError(f"{self!r}: a value to look up, not None")
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        reader = self._reader(alias, connection, value)
        prepared = self.field.get_db_prep_value(value, connection=connection)
        with connection.cursor() as cursor:
            cursor.execute(reader.sql, filled(reader.params, lambda _name: prepared))
            fetched = cursor.fetchall()
        for row in reader.compiler.results_iter([fetched]):
            record = self.model.from_db(alias, reader.attnames, row[reader.start : reader.end])
            for populator in reader.populators:
                populator.populate(row, record)
            return record
        return None


class KeptRows:
    """The rows (tuples, converted as the ORM converts them) of a values query that
    ``build(**slots)`` builds, compiled once per connection: each later call runs its SQL
    with that call's values. ``fields`` names each value's field (how it is prepared for
    the database). A value may not be None: NULL is compiled as a literal, not a
    parameter, so a None could not take another value's place."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], **fields) -> None:
        self.model = model
        self.build = build
        self.fields = fields

    def rows(self, **values) -> list[tuple]:
        if values.keys() != self.fields.keys() or any(v is None for v in values.values()):
            raise ValueError(f"a kept query takes a value for each of {sorted(self.fields)}")
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        kept = _compiled_on(connection)
        compiled = kept.get(self)
        if compiled is None:
            slots = {name: Slot(values[name], field, name) for name, field in self.fields.items()}
            compiler = self.build(**slots).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            compiled = kept[self] = (sql, list(params), compiler)
        sql, params, compiler = compiled
        prepared = {
            name: field.get_db_prep_value(values[name], connection=connection)
            for name, field in self.fields.items()
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, filled(params, prepared.__getitem__))
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiler.results_iter([fetched])]
