"""Test helper: a kept record read (stepwell/core/kept.py) gives what the ORM gives."""

from __future__ import annotations

from django.db.models.sql.compiler import SQLCompiler

from stepwell.core.kept import KeptRecords, RecordRead
from stepwell.core.rows import one_or_none


def compiles(monkeypatch) -> list:
    """The model of every query the ORM compiles from now on (what kept queries spare)."""
    seen = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        seen.append(self.query.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return seen


def _values(record) -> dict:
    return {
        field.attname: (type(value), value)
        for field in record._meta.concrete_fields
        for value in (getattr(record, field.attname),)
    }


def _same(kept, orm, seen: set[int]) -> None:
    assert type(kept) is type(orm)
    if orm is None or id(orm) in seen:
        return
    seen.add(id(orm))
    # the same columns left unread (a deferred field), before _values reads them all
    assert kept.get_deferred_fields() == orm.get_deferred_fields()
    assert _values(kept) == _values(orm)
    assert (kept._state.db, kept._state.adding) == (orm._state.db, orm._state.adding)
    assert kept._state.fields_cache.keys() == orm._state.fields_cache.keys()
    for name, related in orm._state.fields_cache.items():
        _same(kept._state.fields_cache[name], related, seen)


def assert_read_as_orm(read: RecordRead, value) -> None:
    """``read.one(value)`` is the ORM's read of the same rows: the same model, field values
    of the same types, and the same records joined in (or None), all the way down."""
    _same(read.one(value), one_or_none(read.rows().filter(**{read.key: value})), set())


def assert_records_as_orm(kept: KeptRecords, **values) -> None:
    """``kept.records(**values)`` is the ORM's read of the query it keeps: the same records
    in the same order, field values of the same types, the same records joined in, the
    same annotations."""
    records, query = kept.records(**values), kept.build(**values)
    orm = list(query)
    assert [r.pk for r in records] == [o.pk for o in orm]
    seen: set[int] = set()
    annotations = list(query.query.annotation_select)
    for record, expected in zip(records, orm, strict=True):
        _same(record, expected, seen)
        assert {name: getattr(record, name) for name in annotations} == {
            name: getattr(expected, name) for name in annotations
        }


def assert_prefetched_as_orm(instances: list, orm: list, name: str) -> None:
    """Each of ``instances``' ``name`` (set by stepwell.core.kept.as_prefetched) holds what
    the ORM's prefetch of ``orm`` (the same records) holds: the same records in the same
    order, with the same records joined in, each pointing back to its own instance; and
    none of it reads the database again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert [i.pk for i in instances] == [o.pk for o in orm]
    with CaptureQueriesContext(connection) as read:
        for instance, expected in zip(instances, orm, strict=True):
            kept = list(getattr(instance, name).all())
            prefetched = list(getattr(expected, name).all())
            assert [r.pk for r in kept] == [r.pk for r in prefetched]
            seen: set[int] = set()
            for record, other in zip(kept, prefetched, strict=True):
                field = getattr(type(instance), name).field
                assert getattr(record, field.name) is instance
                _same(record, other, seen)
    assert read.captured_queries == []
