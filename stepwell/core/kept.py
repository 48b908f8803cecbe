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
from django.db.models import Expression, Model, QuerySet, Value
from django.db.models.query import get_related_populators

from .lookups import many_parameter


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


class Many:
    """A kept query's value that is a list of values of ``field`` (a page's patient ids):
    the query filters with ``field__any_of=slot`` (stepwell/core/lookups.py), which sends
    the list as one parameter, so any number of values runs the same SQL."""

    __slots__ = ("field",)

    def __init__(self, field) -> None:
        self.field = field


class ManySlot(Expression):
    """Where a Many value goes in a kept query: one placeholder, one Marker."""

    def __init__(self, field, name: str) -> None:
        super().__init__(output_field=field)
        self.slot = name

    def as_sql(self, compiler, connection):
        return "%s", [Marker(self.slot)]


def _slot(field, value, name: str):
    if isinstance(field, Many):
        return ManySlot(field.field, name)
    return Slot(value, field, name)


def filled(params, values: Callable[[str], object]) -> list:
    """The parameters of a kept query, each Marker replaced by ``values(name)``."""
    return [values(param.name) if isinstance(param, Marker) else param for param in params]


KEPT_ON_CONNECTION = "stepwell_kept_queries"


@dataclass(frozen=True)
class _Kept:
    """A query compiled on one connection: its SQL, its parameters with Markers, the
    compiler (whose converters and select the rows go through), and what the owner
    derived from that compiler once (a record read's layout)."""

    sql: str
    params: list
    compiler: object
    derived: object


def _kept(owner, alias: str, query, derive=lambda compiler: None) -> _Kept:
    """``owner``'s query compiled on this thread's connection: the first call compiles
    ``query()`` and keeps it on the connection object (it goes when that goes)."""
    connection = connections[alias]
    kept = getattr(connection, KEPT_ON_CONNECTION, None)
    if kept is None:
        kept = {}
        setattr(connection, KEPT_ON_CONNECTION, kept)
    found = kept.get(owner)
    if found is None:
        compiler = query().get_compiler(using=alias)
        sql, params = compiler.as_sql()
        found = kept[owner] = _Kept(sql, list(params), compiler, derive(compiler))
    return found


def _run(alias: str, kept: _Kept, values: Callable[[str], object]) -> list:
    """The kept query's rows with these values, converted as the ORM converts them."""
    with connections[alias].cursor() as cursor:
        cursor.execute(kept.sql, filled(kept.params, values))
        fetched = cursor.fetchall()
    return list(kept.compiler.results_iter([fetched]))


@dataclass(frozen=True)
class _Layout:
    """Where a record read's record is in a row, how its joined records are filled in,
    and where its annotations are (as ModelIterable does)."""

    start: int
    end: int
    attnames: list[str]
    populators: list
    annotations: dict[str, int]


def _layout(compiler) -> _Layout:
    info = compiler.klass_info
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    return _Layout(
        start=start,
        end=end,
        attnames=[column[0].target.attname for column in compiler.select[start:end]],
        populators=get_related_populators(info, compiler.select, compiler.using),
        annotations=dict(compiler.annotation_col_map or {}),
    )


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

    def one(self, value):
        """The record whose key has this value (not None: an id is a positive integer,
        stepwell.privacy.access.predicates.as_record_id), or None."""
        if value is None:
            raise ValueError(f"{self!r}: a value to look up, not None")
        alias = router.db_for_read(self.model)
        kept = _kept(
            self,
            alias,
            lambda: (
                self.rows()
                .filter(**{self.key: Slot(value, self.field, self.key)})
                .order_by()[:1]
                .query
            ),
            _layout,
        )
        prepared = self.field.get_db_prep_value(value, connection=connections[alias])
        for record in _records(self.model, alias, kept, lambda _name: prepared):
            return record
        return None


def _records(model: type[Model], alias: str, kept: _Kept, values: Callable[[str], object]):
    """The kept query's records, built as ModelIterable builds them."""
    layout = kept.derived
    for row in _run(alias, kept, values):
        record = model.from_db(alias, layout.attnames, row[layout.start : layout.end])
        for populator in layout.populators:
            populator.populate(row, record)
        for name, position in layout.annotations.items():
            setattr(record, name, row[position])
        yield record


def _prepared(fields: dict, values: dict, alias: str) -> dict:
    if values.keys() != fields.keys() or any(v is None for v in values.values()):
        raise ValueError(f"a kept query takes a value for each of {sorted(fields)}")
    connection = connections[alias]
    prepared = {}
    for name, field in fields.items():
        if isinstance(field, Many):
            if isinstance(values[name], str | bytes) or not hasattr(values[name], "__iter__"):
                raise ValueError(f"a kept query takes a list of values for {name}")
            prepared[name] = many_parameter(field.field, list(values[name]), connection)
        else:
            prepared[name] = field.get_db_prep_value(values[name], connection=connection)
    return prepared


class KeptRows:
    """The rows (tuples, converted as the ORM converts them) of a values query that
    ``build(**slots)`` builds, compiled once per connection: each later call runs its SQL
    with that call's values. ``fields`` names each value's field (how it is prepared for
    the database), or ``Many(field)`` for a list of them, which the query asks with
    ``field__any_of=slot`` (a page's ids: any number runs the same SQL). A value may not
    be None: NULL is compiled as a literal, not a parameter, so a None could not take
    another value's place."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], **fields) -> None:
        self.model = model
        self.build = build
        self.fields = fields

    def rows(self, **values) -> list[tuple]:
        alias = router.db_for_read(self.model)
        prepared = _prepared(self.fields, values, alias)
        slots = {name: _slot(field, values[name], name) for name, field in self.fields.items()}
        kept = _kept(self, alias, lambda: self.build(**slots).query)
        return [tuple(row) for row in _run(alias, kept, prepared.__getitem__)]


LISTS: list[KeptRecords] = []  # every record list defined, for the tests to compare


class KeptRecords:
    """The records (model instances, with what select_related joins in) of the query
    ``build(**slots)`` builds, compiled once per connection, as KeptRows keeps a values
    query: ``list(build(**values))`` without building and compiling it each time. For the
    reads a page makes on every request (a chart's lists of its patient's records).

    Define one per module and call ``records(**values)``; the values may not be None."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], **fields) -> None:
        self.model = model
        self.build = build
        self.fields = fields
        LISTS.append(self)

    def __repr__(self) -> str:
        return f"KeptRecords({self.model.__name__}, {sorted(self.fields)})"

    def records(self, **values) -> list:
        alias = router.db_for_read(self.model)
        prepared = _prepared(self.fields, values, alias)
        slots = {name: _slot(field, values[name], name) for name, field in self.fields.items()}
        kept = _kept(self, alias, lambda: self.build(**slots).query, _list_layout)
        return list(_records(self.model, alias, kept, prepared.__getitem__))


def _list_layout(compiler) -> _Layout:
    if compiler.query.extra_select:
        raise ValueError("a kept record list builds records and their annotations: no extra()")
    return _layout(compiler)


class KeptKinds:
    """Kept queries of one kind of list by their shape (which filters a request gives, its
    sort, its window), for a list whose requests come in a few shapes: at most
    ``at_most`` shapes a process, so a caller trying every shape (an API client stepping
    through limits) cannot grow it without end; past that, None (the caller builds the
    query each time)."""

    def __init__(self, at_most: int) -> None:
        self.at_most = at_most
        self.kept: dict[tuple, object] = {}

    def get(self, shape: tuple, describe: Callable[[], object]):
        """The kept query of this shape (``describe()`` gives it the first time), or None."""
        found = self.kept.get(shape)
        if found is None and len(self.kept) < self.at_most:
            found = self.kept[shape] = describe()
        return found


def as_prefetched(instances: list[Model], name: str, records: list[Model]) -> None:
    """Each of ``instances``' ``name`` (a reverse foreign key to them, as
    ``patient.episodes``) set to its records among ``records`` (a kept list read for all
    of them at once), in their order, where ``prefetch_related(name)`` puts them:
    ``instance.<name>.all()`` reads nothing, and each record's foreign key holds its
    instance, as after a prefetch. The chart reads its patient's episodes, care team and
    the episodes' histories so, by its patient's id, instead of building and compiling a
    prefetch query for the episodes' ids on every request. (The cache is Django's internal
    ``_prefetched_objects_cache``, set as QuerySet.prefetch_related sets it; the tests
    compare what the ORM's prefetch gives, stepwell/patients/tests/test_chart_kept.py.)"""
    if not instances:
        return
    field = getattr(type(instances[0]), name).field  # the records' foreign key
    if field.target_field != instances[0]._meta.pk:
        raise ValueError(f"{name}: a reverse foreign key to the primary key")
    by_key = {instance.pk: instance for instance in instances}
    own: dict[object, list[Model]] = {key: [] for key in by_key}
    for record in records:
        key = getattr(record, field.attname)
        if key not in own:
            raise ValueError(f"{name}: a record of none of the instances ({record!r})")
        own[key].append(record)
        field.set_cached_value(record, by_key[key])
    for instance in instances:
        manager = getattr(instance, name)
        manager._remove_prefetched_objects()
        rows = manager.get_queryset()
        rows._result_cache = own[instance.pk]
        rows._prefetch_done = True
        if not hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache = {}
        instance._prefetched_objects_cache[field.remote_field.cache_name] = rows
