"""Queries the ORM builds and compiles once, then runs with new values.

The values go into the query as `Slot`s: a Value compiled exactly as Django compiles
`Value(value, field)`, but with a `Marker` in place of its parameter. A later call puts
its own value there, prepared for the database as the ORM prepares a Value of that field
(`field.get_db_prep_value`). A value that compiles to no parameter (None is the literal
NULL) cannot be replaced: a query kept for a value that is not None is not the query for
None. Used by stepwell/core/constraints.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Value


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
