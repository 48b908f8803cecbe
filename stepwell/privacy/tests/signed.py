"""Shared steps for the tests of the signed-record triggers (privacy/signed_records.py)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from stepwell.privacy.signed_records import LOCKED, refusal_message

SPECS = {spec.table: spec for specs in LOCKED.values() for spec in specs}


def refused(table: str, write) -> None:
    """The database refuses the write with the table's message; the savepoint keeps the
    test's transaction usable (PostgreSQL aborts a transaction after an error)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    assert refusal_message(SPECS[table]) in str(caught.value)


def raw(sql: str, params=()) -> int:
    """Run SQL as any client of the database could, around the ORM; rows affected."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def raw_update(table: str, pk: int) -> int:
    """A no-op UPDATE of one row: even writing a value back is a write to a locked row."""
    return raw(f"UPDATE {table} SET id = id WHERE id = %s", [pk])  # noqa: S608


def raw_delete(table: str, pk: int) -> int:
    return raw(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def row_exists(table: str, pk: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone() is not None


def assert_every_table_refuses_raw_writes(app_label: str, locked_rows: dict[str, int]) -> None:
    """Raw UPDATE and DELETE of a locked row of every listed table of the app are refused
    and the row stays; `locked_rows` names one locked row per table, and must name all."""
    assert set(locked_rows) == {spec.table for spec in LOCKED[app_label]}
    for table, pk in locked_rows.items():
        refused(table, lambda table=table, pk=pk: raw_update(table, pk))
        refused(table, lambda table=table, pk=pk: raw_delete(table, pk))
        assert row_exists(table, pk), table
