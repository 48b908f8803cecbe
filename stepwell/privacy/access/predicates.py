"""The shared conditions every access rule is built from. Written once, here.

Roles are per program: `programs_with(user, ROLE, ...)` is the set of programs in which
the user holds one of the roles, so a director of program A who also works in program B
is not a director in B. An administrator's role belongs to no program and reads no
patient record.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from stepwell.accounts.models import Role, UserKind
from stepwell.core.kept import RecordRead
from stepwell.core.rows import one_or_none
from stepwell.privacy.actors import is_system, require_actor
from stepwell.privacy.refusals import refuse

CLINICAL_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
PROGRAM_WIDE_ROLES = (*CLINICAL_ROLES, Role.INTAKE_COORDINATOR, Role.PROGRAM_DIRECTOR)


def is_active_user(user) -> bool:
    require_actor(user)
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def is_staff_member(user) -> bool:
    return is_active_user(user) and user.kind == UserKind.STAFF


def is_patient_user(user) -> bool:
    return is_active_user(user) and user.kind == UserKind.PATIENT


def is_system_actor(actor) -> bool:
    require_actor(actor)
    return is_system(actor)


def is_administrator(user) -> bool:
    return is_staff_member(user) and user.is_administrator


def programs_with(user, *roles: str) -> frozenset[int]:
    """The programs in which an active staff member holds one of the roles."""
    if not is_staff_member(user):
        return frozenset()
    return user.program_ids_with(*roles)


def holds_role_in(user, program_id: int | None, *roles: str) -> bool:
    return program_id is not None and program_id in programs_with(user, *roles)


def works_in(user, program_id: int | None) -> bool:
    """Holds any role in the program."""
    return holds_role_in(user, program_id, *Role.values)


def as_record_id(value) -> int:
    """A record id, or 0 (which matches nothing) for anything that is not one: text,
    another script's digits, zero, negatives, or a number past the 64-bit columns."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def read_and_check(
    rows,
    record_id,
    allowed: Callable[[object], bool],
    *,
    user,
    action: str,
    object_type: str,
    object_id=None,
    detail: dict | None = None,
    patient_of: Callable[[object], int | None] = attrgetter("patient_id"),
):
    """The record of ``rows`` with this id if ``allowed(record)``; otherwise an audited
    refusal naming the record's patient (``patient_of``), if the record exists at all.
    ``rows`` is a RecordRead (its SQL compiled once per connection; stepwell/core/kept.py)
    or a QuerySet.

    The record is read once, with the joins ``rows`` asks for, and the rule is answered
    from it (and from its patient's facts, PatientCondition.holds_for): no query is built
    from the user's scope, and a refusal needs no second read. A missing record and a
    forbidden one get the same answer."""
    pk = as_record_id(record_id)
    record = rows.one(pk) if isinstance(rows, RecordRead) else one_or_none(rows.filter(pk=pk))
    if record is not None and allowed(record):
        return record
    raise refuse(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=record_id if object_id is None else object_id,
        patient_id=None if record is None else patient_of(record),
        patient_stored=True,
        detail=detail,
    )
