"""`field__any_of=values`: the field's value is one of a list's, sent as one parameter.

Django's `__in` writes one placeholder per value (`IN (%s, %s, ...)`), so a query asking
about a page's 50 patients and one asking about 49 are different SQL, and a query kept
compiled (stepwell/core/kept.py) cannot take a list. `any_of` sends the list as a single
parameter: an array on PostgreSQL (`column = ANY(%s::type[])`, which the planner treats
as it treats `IN`), a JSON list on SQLite (`column IN (SELECT value FROM json_each(%s))`).
An empty list matches nothing, as `__in` with no values does. Each value is prepared as
the field prepares one for the database (`get_db_prep_value`). Registered on every field
(stepwell.core.apps).
"""

from __future__ import annotations

import json

from django.db.models import Lookup


def many_parameter(field, values, connection):
    """The one parameter `any_of` sends for ``values`` of ``field``."""
    prepared = [field.get_db_prep_value(value, connection, prepared=False) for value in values]
    return prepared if connection.vendor == "postgresql" else json.dumps(prepared)


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise TypeError(f"{self.lhs.output_field.name}__any_of takes a list of values")
        return "%s", [many_parameter(self.lhs.output_field, list(value), connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            cast = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs} = ANY({rhs}::{cast}[])", [*lhs_params, *rhs_params]
        # lhs and rhs are SQL the compiler wrote (a column, a placeholder); values are params
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]  # noqa: S608
