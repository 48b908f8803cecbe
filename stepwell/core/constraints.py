"""Model validation of check and unique constraints in one query per record, not one per
constraint.

Django's Model.validate_constraints() asks the database about each constraint on its own:
for a check constraint, inside a transaction, a savepoint, a SELECT and a release; for a
unique constraint, a SELECT EXISTS built and compiled on its own. The services validate
every record they save (full_clean), so a model with four check constraints and a unique
one cost thirteen statements a save; building the demo clinic spent a sixth of its time
there.

`validate_constraints` below asks all of a record's check constraints and unique
constraints in one SELECT, then reports them exactly as Django would: the same messages
and codes, in the order the constraints are declared.
- A check constraint is a column of that SELECT: its condition wrapped in
  COALESCE(..., TRUE) as Django's own check does, so that an unknown is a pass as in SQL.
  Only the record's fields the condition names are bound into the query (binding every
  field was most of the time it took); should a condition name a field Django's walk did
  not see, every field is bound and the condition tried again. A constraint naming an
  excluded field is skipped, as in Django.
- A unique constraint on fields is a column EXISTS (the rows with this record's values,
  but the record itself), built as Django's UniqueConstraint.validate builds its query,
  with its condition as Django checks it. Where that column says the record breaks it,
  Django's own validate is asked, which gives the message (and asks again). Where Django
  would not ask the database (a field excluded, a value empty) or asks in a way not
  mirrored here (expressions, generated fields), Django's validate decides as before.
- Anything else (a constraint inherited from a parent model, another kind) is validated
  by Django in its place. Should the query fail, each constraint is asked on its own, the
  way Django asks.

CoreConfig.ready() installs it on every Stepwell model that declares a check or unique
constraint of its own.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, Exists, Q, UniqueConstraint, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)
CHECK_PREFIX = "_stepwell_check_"
UNIQUE_PREFIX = "_stepwell_unique_"


def names_in(condition) -> set[str]:
    """The record's fields a constraint's condition names: Django's own walk of a Q
    (referenced_base_fields: each lookup's first part, each F()), kept on the Q."""
    return (condition if isinstance(condition, Q) else Q(condition)).referenced_base_fields


def _unique_probe(model, instance, constraint, *, exclude, using):
    """An expression true when the record would break a unique constraint on fields, built
    as Django's UniqueConstraint.validate builds its query; None where Django would not ask
    the database or asks in a way not mirrored here (then Django's validate decides)."""
    if constraint.expressions or not constraint.fields:
        return None
    lookup = {}
    for name in constraint.fields:
        if exclude and name in exclude:
            return None
        field = model._meta.get_field(name)
        if field.generated:
            return None
        value = getattr(instance, field.attname)
        if (constraint.nulls_distinct is not False and value is None) or (
            value == "" and connections[using].features.interprets_empty_strings_as_nulls
        ):
            return None
        lookup[field.name] = value
    queryset = model._default_manager.using(using).filter(**lookup)
    if not instance._state.adding and instance._is_pk_set(model._meta):
        queryset = queryset.exclude(pk=instance._get_pk_val(model._meta))
    if constraint.condition is None:
        return Exists(queryset)
    return Coalesce(
        constraint.condition & Exists(queryset.filter(constraint.condition)),
        True,
        output_field=BooleanField(),
    )


def _asked_together(instance, checks, uniques, *, exclude, using) -> dict[int, bool] | None:
    """Each constraint's outcome by position (True: kept), from one query; None if the
    query failed. A check constraint that names an excluded field has no outcome (it is
    skipped); neither has a unique constraint left to Django."""
    connection = connections[using]
    if not connection.features.supports_comparing_boolean_expr:
        return None  # Django's own check then decides, one constraint at a time
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    bound: set[str] = set()

    def bind(names) -> None:
        for name in names:
            if name in against and name not in bound:
                value = against[name]
                if not hasattr(value, "resolve_expression"):
                    value = Value(value)
                query.add_annotation(value, name, select=False)
                bound.add(name)

    def add(expression, alias: str, names) -> bool:
        bind(names)
        try:
            query.add_annotation(expression, alias)
        except FieldError:
            if bound >= against.keys():
                return False
            bind(against)  # a name the walk missed: every field, as Django binds them
            try:
                query.add_annotation(expression, alias)
            except FieldError:
                return False
        return True

    kinds: dict[str, bool] = {}  # alias -> True for a check (kept when true)
    for position, constraint in checks:
        condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
        alias = f"{CHECK_PREFIX}{position}"
        if add(condition, alias, names_in(constraint.condition)):
            kinds[alias] = True
    for position, constraint in uniques:
        probe = _unique_probe(type(instance), instance, constraint, exclude=exclude, using=using)
        if probe is None:
            continue
        alias = f"{UNIQUE_PREFIX}{position}"
        names = names_in(constraint.condition) if constraint.condition is not None else ()
        if add(probe, alias, names):
            kinds[alias] = False
    if not query.annotation_select:
        return {}
    atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with atomic:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Checking the constraints of %r together failed: %s", instance, error)
        return None
    outcomes = {}
    for alias, value in zip(query.annotation_select, row, strict=True):
        position = int(alias.rsplit("_", 1)[1])
        outcomes[position] = bool(value) if kinds[alias] else not value
    return outcomes


def validate_constraints(self, exclude=None):
    """Model.validate_constraints, the check and unique constraints asked in one query."""
    using = router.db_for_write(self.__class__, instance=self)
    declared = [
        (model_class, constraint)
        for model_class, constraints in self.get_constraints()
        for constraint in constraints
    ]
    own = [
        (position, constraint)
        for position, (model_class, constraint) in enumerate(declared)
        if model_class is self.__class__
    ]
    checks = [(p, c) for p, c in own if type(c) is CheckConstraint]
    uniques = [(p, c) for p, c in own if type(c) is UniqueConstraint]
    kept = (
        _asked_together(self, checks, uniques, exclude=exclude, using=using)
        if checks or uniques
        else {}
    )
    errors: dict = {}
    for position, (model_class, constraint) in enumerate(declared):
        try:
            if kept is not None and kept.get(position) is True:
                continue
            if kept is not None and position in kept and type(constraint) is CheckConstraint:
                raise ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
            # Not asked together, or a unique constraint the record seems to break:
            # Django's own validate decides and gives the message.
            constraint.validate(model_class, self, exclude=exclude, using=using)
        except ValidationError as error:
            if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                errors.setdefault(constraint.fields[0], []).append(error)
            else:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def install(models) -> int:
    """Put validate_constraints on each model that declares a check or unique constraint
    of its own; the number of models it was put on."""
    installed = 0
    for model in models:
        if any(
            type(constraint) in (CheckConstraint, UniqueConstraint)
            for constraint in model._meta.constraints
        ):
            model.validate_constraints = validate_constraints
            installed += 1
    return installed
