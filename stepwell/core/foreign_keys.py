"""Model field validation with the foreign keys' targets looked up in one query.

Django's Model.clean_fields() checks that each foreign key points at a record that exists
with a query of its own (ForeignKey.validate, compiled by the ORM each time). The
services validate every record they save (full_clean), so a clinical note, with its
patient, author and group session or appointment, asked the database up to four times
before its INSERT.

`clean_fields` below cleans every field as Django does, except that the foreign keys'
existence checks are gathered and asked together: one SELECT of EXISTS(SELECT 1 FROM the
target's table WHERE the target column = the value), a column per key, which is what
Django's lookup through the target's base manager asks. A missing target gets Django's
message and code, on its field, and the fields are reported in Django's order. A key of
another kind (a parent link, a limit_choices_to, a target on another database) is
checked by Django in its place; should the query fail, each key is asked on its own
(inside a PostgreSQL transaction a failed statement ends the transaction, as a failure
of Django's own lookup would). A key too large for its column is in no row and is not
sent: Django's lookup finds nothing for it either.

CoreConfig.ready() installs it on every Stepwell model with at least two foreign keys.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, models, router
from django.db.models import ForeignKey
from django.db.models.expressions import DatabaseDefault

logger = logging.getLogger(__name__)


def _batchable(field) -> bool:
    """A foreign key whose target is found by its column alone (no parent link, no
    limit_choices_to: those are checked by Django, key by key)."""
    return (
        isinstance(field, ForeignKey)
        and not field.remote_field.parent_link
        and not field.remote_field.limit_choices_to
    )


def _targets_found(instance, keys) -> dict[str, bool] | None:
    """Whether each key's target exists, by field name, from one query; None if a key is
    read from another database than the record, or the query failed.

    Each key is an EXISTS on the target's table and column, written out: compiling the
    same lookups with the ORM cost more than the round trips it saved."""
    using = router.db_for_read(type(instance), instance=instance)
    connection = connections[using]
    quote = connection.ops.quote_name
    columns, params, names = [], [], []
    found: dict[str, bool] = {}
    for field, value in keys:
        target = field.target_field
        if router.db_for_read(field.remote_field.model, instance=instance) != using:
            return None
        prepared = target.get_db_prep_value(value, connection)
        if not _storable(connection, target, prepared):
            found[field.name] = False  # no row can hold it; Django's lookup finds none
            continue
        table, column = quote(target.model._meta.db_table), quote(target.column)
        columns.append(f"EXISTS(SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608
        params.append(prepared)
        names.append(field.name)
    if not columns:
        return found
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}", params)
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Looking up the targets of %r together failed: %s", instance, error)
        return None
    return found | {name: bool(exists) for name, exists in zip(names, row, strict=True)}


def _storable(connection, target, value) -> bool:
    """Whether an integer key fits its column (an id past 64 bits is in no row; SQLite's
    driver would not even send it)."""
    ranges = connection.ops.integer_field_ranges
    if not isinstance(value, int) or target.get_internal_type() not in ranges:
        return True
    low, high = connection.ops.integer_field_range(target.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def _missing(field, value) -> ValidationError:
    """ForeignKey.validate's error."""
    return ValidationError(
        field.error_messages["invalid"],
        code="invalid",
        params={
            "model": field.remote_field.model._meta.verbose_name,
            "pk": value,
            "field": field.remote_field.field_name,
            "value": value,
        },
    )


def clean_fields(self, exclude=None):
    """Model.clean_fields, the foreign keys' targets asked in one query."""
    if exclude is None:
        exclude = set()
    errors: dict = {}
    keys = []  # (field, value): foreign keys whose target is still to be found
    for field in self._meta.fields:
        if field.name in exclude or field.generated:
            continue
        raw_value = getattr(self, field.attname)
        if field.blank and raw_value in field.empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            if _batchable(field):
                value = field.to_python(raw_value)
                models.Field.validate(field, value, self)  # ForeignKey's, less the lookup
                keys.append((field, value))
            else:
                setattr(self, field.attname, field.clean(raw_value, self))
        except ValidationError as error:
            errors[field.name] = error.error_list
    asked = [(field, value) for field, value in keys if value is not None]
    found = _targets_found(self, asked) if asked else {}
    for field, value in keys:
        try:
            if value is not None:
                if found is None:
                    field.validate(value, self)  # Django's own lookup, one key at a time
                elif not found[field.name]:
                    raise _missing(field, value)
            field.run_validators(value)  # after the lookup, as in Field.clean
            setattr(self, field.attname, value)
        except ValidationError as error:
            errors[field.name] = error.error_list
    if errors:
        # In the fields' order, as Django reports them.
        raise ValidationError(
            {f.name: errors[f.name] for f in self._meta.fields if f.name in errors}
        )


def install(model_classes) -> int:
    """Put clean_fields on each model with two foreign keys or more (with one, there is
    nothing to gather); the number of models it was put on."""
    installed = 0
    for model in model_classes:
        if sum(1 for field in model._meta.fields if _batchable(field)) >= 2:
            model.clean_fields = clean_fields
            installed += 1
    return installed
