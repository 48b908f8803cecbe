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

The query is built and compiled by the ORM once per shape and kept for the process: the
record's values go into it as markers (`Slot`, a Value compiled as Django compiles it;
stepwell/core/kept.py),
and a later record of the same model with the same fields excluded, the same
new-or-stored state and the same empty values (NULL compiles to a literal, not a
parameter) reuses the SQL with its own values in their place, each prepared for the
database as the ORM prepares a Value of that field. Building and compiling was most of a
validation's time (see docs/performance.md, "Queries kept compiled").

CoreConfig.ready() installs it on every Stepwell model that declares a check or unique
constraint of its own.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import EmptyResultSet, FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, Exists, Q, UniqueConstraint, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query

from .kept import Slot, filled

logger = logging.getLogger(__name__)
CHECK_PREFIX = "_stepwell_check_"
UNIQUE_PREFIX = "_stepwell_unique_"
PK = "pk"
# Shapes kept per process; past this many, new shapes are built each time (not kept).
MOST_SHAPES = 4096


def names_in(condition) -> set[str]:
    """The record's fields a constraint's condition names: Django's own walk of a Q
    (referenced_base_fields: each lookup's first part, each F()), kept on the Q."""
    return (condition if isinstance(condition, Q) else Q(condition)).referenced_base_fields


@dataclass
class _Build:
    """What building the query for one record found: the values it depends on (`names`,
    in the order met) and whether its SQL may be kept (not if a value is an expression)."""

    names: list[str] = field(default_factory=list)
    keepable: bool = True

    def met(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)


@dataclass
class _Compiled:
    sql: str
    params: list
    kinds: dict[str, bool]  # alias -> True for a check (kept when true), in SELECT order


@dataclass
class _Shapes:
    names: tuple[str, ...]  # the values a query of this model, exclusion and state reads
    compiled: dict[tuple, _Compiled | None] = field(default_factory=dict)


_SHAPES: dict[tuple, _Shapes] = {}
NOTHING = _Compiled("", [], {})  # no constraint left to ask the database


def _field_of(instance, name: str):
    meta = instance._meta
    return meta.pk if name == PK else meta.get_field(name)


def _raw(instance, name: str):
    return instance.pk if name == PK else getattr(instance, _field_of(instance, name).attname)


def _prepared(instance, name: str, connection):
    """The parameter the ORM sends for Value(the record's value, its field)."""
    return _field_of(instance, name).get_db_prep_value(_raw(instance, name), connection=connection)


def _slot(instance, name: str, build: _Build):
    """The record's value for `name` as the query's bound value: a Slot, or the
    expression itself (a record field set to an F() or the like: not kept)."""
    value = _raw(instance, name)
    build.met(name)
    if value and hasattr(value, "resolve_expression"):
        build.keepable = False
        return value
    return Slot(value, _field_of(instance, name), name)


def _unique_probe(model, instance, constraint, *, exclude, using, build: _Build):
    """An expression true when the record would break a unique constraint on fields, built
    as Django's UniqueConstraint.validate builds its query; None where Django would not ask
    the database or asks in a way not mirrored here (then Django's validate decides)."""
    if constraint.expressions or not constraint.fields:
        return None
    lookup = {}
    for name in constraint.fields:
        if exclude and name in exclude:
            return None
        field_ = model._meta.get_field(name)
        if field_.generated:
            return None
        value = getattr(instance, field_.attname)
        build.met(name)
        if (constraint.nulls_distinct is not False and value is None) or (
            value == "" and connections[using].features.interprets_empty_strings_as_nulls
        ):
            return None
        # None (nulls not distinct) stays None: the lookup becomes IS NULL, as in Django.
        lookup[field_.name] = None if value is None else _slot(instance, name, build)
    queryset = model._default_manager.using(using).filter(**lookup)
    if not instance._state.adding and instance._is_pk_set(model._meta):
        queryset = queryset.exclude(pk=_slot(instance, PK, build))
    if constraint.condition is None:
        return Exists(queryset)
    return Coalesce(
        constraint.condition & Exists(queryset.filter(constraint.condition)),
        True,
        output_field=BooleanField(),
    )


def _compile(instance, checks, uniques, *, exclude, using, build: _Build) -> _Compiled | None:
    """The one query for this record, built and compiled by the ORM; NOTHING if there is
    nothing to ask, None if the ORM finds no row to ask it of (Django then decides)."""
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    bound: set[str] = set()

    def bind(names) -> None:
        for name in names:
            if name in against and name not in bound:
                value = against[name]
                if isinstance(value, Value):  # the record's own value
                    value = _slot(instance, name, build)
                else:  # an expression on the record, or a generated field's
                    build.keepable = False
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

    kinds: dict[str, bool] = {}
    for position, constraint in checks:
        condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
        alias = f"{CHECK_PREFIX}{position}"
        if add(condition, alias, names_in(constraint.condition)):
            kinds[alias] = True
    for position, constraint in uniques:
        probe = _unique_probe(
            type(instance), instance, constraint, exclude=exclude, using=using, build=build
        )
        if probe is None:
            continue
        alias = f"{UNIQUE_PREFIX}{position}"
        names = names_in(constraint.condition) if constraint.condition is not None else ()
        if add(probe, alias, names):
            kinds[alias] = False
    if not query.annotation_select:
        return NOTHING
    try:
        sql, params = query.get_compiler(using=using).as_sql()
    except EmptyResultSet:
        build.keepable = False
        return None
    return _Compiled(sql, list(params), {alias: kinds[alias] for alias in query.annotation_select})


def _shape_of(instance, names, prepared) -> tuple:
    """What, besides the model, exclusion and state, decides the query's SQL: which
    values are empty (NULL is a literal, an empty value skips a unique constraint)."""
    return tuple(
        (raw is None, raw == "", prepared(name) is None)
        for name in names
        for raw in (_raw(instance, name),)
    )


def _kept_or_compiled(instance, checks, uniques, *, exclude, using, prepared) -> _Compiled | None:
    """The record's query: kept for its shape, or built now (and kept if it may be)."""
    adding = instance._state.adding
    key = (type(instance), using, frozenset(exclude or ()), adding, instance.pk is not None)
    shapes = _SHAPES.get(key)
    if shapes is not None:
        names = shapes.names
        if not any(
            (value := _raw(instance, name)) and hasattr(value, "resolve_expression")
            for name in names
        ):
            shape = _shape_of(instance, names, prepared)
            if shape in shapes.compiled:
                return shapes.compiled[shape]
    build = _Build()
    compiled = _compile(instance, checks, uniques, exclude=exclude, using=using, build=build)
    if build.keepable and len(_SHAPES) < MOST_SHAPES:
        names = tuple(build.names)
        shapes = _SHAPES.get(key)
        if shapes is None or shapes.names != names:
            shapes = _SHAPES[key] = _Shapes(names)
        if len(shapes.compiled) < MOST_SHAPES:
            shapes.compiled[_shape_of(instance, names, prepared)] = compiled
    return compiled


def _asked_together(instance, checks, uniques, *, exclude, using) -> dict[int, bool] | None:
    """Each constraint's outcome by position (True: kept), from one query; None if the
    query failed. A check constraint that names an excluded field has no outcome (it is
    skipped); neither has a unique constraint left to Django."""
    connection = connections[using]
    if not connection.features.supports_comparing_boolean_expr:
        return None  # Django's own check then decides, one constraint at a time
    # Each value prepared once: for the shape, then for the query's parameters.
    prepared = cache(lambda name: _prepared(instance, name, connection))
    compiled = _kept_or_compiled(
        instance, checks, uniques, exclude=exclude, using=using, prepared=prepared
    )
    if compiled is None:
        return None
    if compiled is NOTHING:
        return {}
    params = filled(compiled.params, prepared)
    atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with atomic, connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Checking the constraints of %r together failed: %s", instance, error)
        return None
    outcomes = {}
    for (alias, check), value in zip(compiled.kinds.items(), row, strict=True):
        position = int(alias.rsplit("_", 1)[1])
        outcomes[position] = bool(value) if check else not value
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
