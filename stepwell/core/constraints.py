"""Model validation of check constraints in one query per record, not one per constraint.

Django's Model.validate_constraints() asks the database about each CheckConstraint on its
own: inside a transaction, a savepoint, a SELECT and a release for every constraint of
every full_clean(). The services validate every record they save (full_clean), so a model
with four check constraints cost twelve statements a save; building the demo clinic spent
a sixth of its time there.

`validate_constraints` below evaluates all of a record's check constraints in one SELECT
(each condition a column, wrapped in COALESCE(..., TRUE) as Django's own check does, so
that an unknown is a pass as in SQL), then reports them exactly as Django would: the same
messages and codes, in the order the constraints are declared, the other constraints
(unique ones) validated by Django in their place. A constraint naming an excluded field is
skipped, as in Django. Should the query fail, each constraint is asked on its own, the
way Django asks.

CoreConfig.ready() installs it on every Stepwell model that declares a check constraint.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)
CHECK_PREFIX = "_stepwell_check_"


def _checks_passed(instance, checks, *, exclude, using) -> dict[int, bool] | None:
    """Each check constraint's outcome by position, from one query; None if the query
    failed. A constraint that names an excluded field has no outcome (it is skipped)."""
    connection = connections[using]
    if not connection.features.supports_comparing_boolean_expr:
        return None  # Django's own check then decides, one constraint at a time
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    for position, constraint in checks:
        try:
            query.add_annotation(
                Coalesce(Q(constraint.condition), True, output_field=BooleanField()),
                f"{CHECK_PREFIX}{position}",
            )
        except FieldError:  # names an excluded field: skipped, as Django skips it
            continue
    if not query.annotation_select:
        return {}
    atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with atomic:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Checking the constraints of %r together failed: %s", instance, error)
        return None
    return {
        int(name.removeprefix(CHECK_PREFIX)): bool(value)
        for name, value in zip(query.annotation_select, row, strict=True)
    }


def validate_constraints(self, exclude=None):
    """Model.validate_constraints, the check constraints asked in one query."""
    using = router.db_for_write(self.__class__, instance=self)
    declared = [
        (model_class, constraint)
        for model_class, constraints in self.get_constraints()
        for constraint in constraints
    ]
    checks = [
        (position, constraint)
        for position, (model_class, constraint) in enumerate(declared)
        if model_class is self.__class__ and type(constraint) is CheckConstraint
    ]
    passed = _checks_passed(self, checks, exclude=exclude, using=using) if checks else {}
    errors: dict = {}
    for position, (model_class, constraint) in enumerate(declared):
        try:
            if passed is not None and position in passed:
                if not passed[position]:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                continue
            constraint.validate(model_class, self, exclude=exclude, using=using)
        except ValidationError as error:
            if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                errors.setdefault(constraint.fields[0], []).append(error)
            else:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def install(models) -> int:
    """Put validate_constraints on each model that declares a check constraint of its
    own; the number of models it was put on."""
    installed = 0
    for model in models:
        if any(type(constraint) is CheckConstraint for constraint in model._meta.constraints):
            model.validate_constraints = validate_constraints
            installed += 1
    return installed
