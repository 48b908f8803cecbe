"""Who may see and change the program calendar (the schedule app).

Roles are per program: a role counts only in the program it is held in. Deny by default;
one condition per line (tests: schedule/tests/test_calendar_access.py).

- A program's week (its sessions and who attends them): who holds a clinician,
  prescriber, nurse, intake coordinator or director role in that program. Attendees are
  named only when the user may see them (patients_visible_to).
- Booking by hand, cancelling a session or a booking, running the optimizer (keeping the
  week's bookings, fitting chosen patients in, or re-planning everyone), seeing and
  accepting its plan: the program's director. The background job that solves a run acts
  for the director who started it, and is refused if they no longer direct the program.
- Creating a recurring group and generating a week's sessions from the groups: the
  program's director, or a job that prepares the calendar (the demo builder,
  `stepwell schedule export`). Neither writes a patient's record.
- A patient's week: the patient, and staff who may read the chart.
- A staff member's week: the staff member, and who holds a reading role in a program the
  staff member works in.
- A patient's calendar feed: the patient, or a clinician or director of one of the
  patient's programs (or a clinician on their care team) who may read the chart.
- A staff member's calendar feed: only the staff member makes, replaces or reads it (it
  lists their patients); a director of a program they work in may turn it off.

The `access_*_by_id` functions fetch from what the user may reach and raise an audited
refusal otherwise, so a missing record and a forbidden one get the same answer.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role, User, UserKind
from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse
from stepwell.schedule.models import Appointment, Enrollment, SchedulePlanRun, SessionOccurrence

from .conditions import NOBODY, OnCareTeam, OwnRecord, PatientCondition, in_any_of, patients_where
from .patients import access_patient_by_id, patient_condition
from .predicates import (
    PROGRAM_WIDE_ROLES,
    holds_role_in,
    is_patient_user,
    is_staff_member,
    is_system_actor,
    programs_with,
    read_and_check,
)
from .predicates import as_record_id as record_id

READING_ROLES = PROGRAM_WIDE_ROLES  # clinicians, prescribers, nurses, intake, directors
MANAGING_ROLES = (Role.PROGRAM_DIRECTOR,)
FEED_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)


class ScheduleNeed(StrEnum):
    """What a caller needs of a program's calendar."""

    READ = "read"  # see the week
    MANAGE = "manage"  # book, cancel, run and accept the optimizer
    PREPARE = "prepare"  # create groups, generate the week's sessions


# -- programs ------------------------------------------------------------------------------


def schedule_programs_for(user, need: ScheduleNeed = ScheduleNeed.READ) -> QuerySet[Program]:
    """The programs whose calendar the user may read, manage or prepare."""
    if need == ScheduleNeed.PREPARE and is_system_actor(user):
        return Program.objects.all()
    roles = READING_ROLES if need == ScheduleNeed.READ else MANAGING_ROLES
    return Program.objects.filter(pk__in=programs_with(user, *roles))


def access_program_schedule_read(user, program: Program) -> bool:
    return holds_role_in(user, program.pk, *READING_ROLES)


def access_program_schedule_manage(user, program: Program) -> bool:
    return holds_role_in(user, program.pk, *MANAGING_ROLES)


def access_program_schedule_by_id(
    user,
    program_id,
    *,
    need: ScheduleNeed = ScheduleNeed.READ,
    action: str = AuditAction.VIEW,
    object_type: str = "program_week",
    object_id: object = None,
    patient_id=None,
) -> Program:
    """The program, if the user may `need` its calendar, or an audited refusal."""
    program = schedule_programs_for(user, need).filter(pk=record_id(program_id)).first()
    if program is None:
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=program_id if object_id is None else object_id,
            patient_id=patient_id,
        )
    return program


# -- sessions, bookings and optimizer runs of a program one manages -----------------------


def _managed(user) -> frozenset[int]:
    return programs_with(user, *MANAGING_ROLES)


def access_occurrence_by_id(
    user,
    occurrence_id,
    *,
    action: str = AuditAction.UPDATE,
    object_type: str = "occurrence",
    object_id: object = None,
    patient_id=None,
) -> SessionOccurrence:
    """A group session of a program the user directs, or an audited refusal."""
    occurrence = (
        SessionOccurrence.objects.select_related("program")
        .filter(pk=record_id(occurrence_id), program_id__in=_managed(user))
        .first()
    )
    if occurrence is None:
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=occurrence_id if object_id is None else object_id,
            patient_id=patient_id,
        )
    return occurrence


def access_enrollment_by_id(user, enrollment_id, *, action=AuditAction.UPDATE) -> Enrollment:
    """A booking into a group session of a program the user directs."""
    programs = _managed(user)
    return read_and_check(
        Enrollment.objects.select_related("occurrence__program"),
        enrollment_id,
        lambda enrollment: enrollment.occurrence.program_id in programs,
        user=user,
        action=action,
        object_type="enrollment",
    )


def access_appointment_by_id(user, appointment_id, *, action=AuditAction.UPDATE) -> Appointment:
    """An appointment in a program the user directs."""
    programs = _managed(user)
    return read_and_check(
        Appointment.objects.select_related("program"),
        appointment_id,
        lambda appointment: appointment.program_id in programs,
        user=user,
        action=action,
        object_type="appointment",
    )


def access_plan_run_by_id(user, run_id, *, action=AuditAction.VIEW) -> SchedulePlanRun:
    """An optimizer run of a program the user directs."""
    run = (
        SchedulePlanRun.objects.select_related("program", "requested_by")
        .filter(pk=record_id(run_id), program_id__in=_managed(user))
        .first()
    )
    if run is None:
        raise refuse(actor=user, action=action, object_type="schedule_plan_run", object_id=run_id)
    return run


def access_plan_run_execute(user, run: SchedulePlanRun) -> bool:
    """The job solving a run acts for who started it: they must still direct the program."""
    return holds_role_in(user, run.program_id, *MANAGING_ROLES)


# -- a patient's week and calendar feed -----------------------------------------------------


def access_patient_schedule_read(user, patient: Patient) -> bool:
    return patient_condition(user).holds_for(patient)


def access_patient_schedule_by_id(user, patient_id, *, action=AuditAction.VIEW) -> Patient:
    """The patient, whose week the user may see (the patient, or who reads the chart)."""
    return access_patient_by_id(user, patient_id, action=action, object_type="patient_schedule")


def feed_condition(user) -> PatientCondition:
    """Patients whose calendar feed the user may make, change or turn off: their own (a
    patient), or, of the patients whose chart the user reads, those with an episode in a
    program where the user holds a feed role, and a clinician's care-team patients."""
    if is_patient_user(user):
        return OwnRecord(user)
    if not is_staff_member(user):
        return NOBODY
    ways = in_any_of(programs_with(user, *FEED_ROLES))
    if programs_with(user, Role.CLINICIAN):
        ways |= OnCareTeam(user)
    return patient_condition(user) & ways


def patients_feed_manageable_by(user) -> QuerySet[Patient]:
    return patients_where(feed_condition(user))


def access_patient_feed_manage(user, patient: Patient) -> bool:
    return feed_condition(user).holds_for(patient)


def access_patient_feed_by_id(user, patient_id, *, action=AuditAction.UPDATE) -> Patient:
    patient = patients_feed_manageable_by(user).filter(pk=record_id(patient_id)).first()
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type="calendar_feed",
            object_id=f"patient:{patient_id}",
            patient_id=patient_id,
        )
    return patient


# -- a staff member's week and calendar feed ------------------------------------------------


def _staff_of(program_ids) -> Q:
    """Staff members who work in one of the programs (clinic.ProgramStaff)."""
    return Q(program_memberships__program_id__in=program_ids)


def _staff_visible(user, roles) -> QuerySet[User]:
    """The user themselves, and staff of the programs where the user holds one of the roles."""
    if not is_staff_member(user):
        return User.objects.none()
    scope = Q(pk=user.pk)
    program_ids = programs_with(user, *roles)
    if program_ids:
        scope |= _staff_of(program_ids)
    return User.objects.filter(scope, kind=UserKind.STAFF).distinct()


def staff_schedule_visible_to(user) -> QuerySet[User]:
    return _staff_visible(user, READING_ROLES)


def access_staff_schedule_read(user, staff: User) -> bool:
    return staff_schedule_visible_to(user).filter(pk=staff.pk).exists()


def access_staff_schedule_by_id(user, staff_id, *, action=AuditAction.VIEW) -> User:
    staff = staff_schedule_visible_to(user).filter(pk=record_id(staff_id)).first()
    if staff is None:
        raise refuse(actor=user, action=action, object_type="staff_schedule", object_id=staff_id)
    return staff


def access_staff_feed_manage(user, staff: User) -> bool:
    """Make, replace or read the feed's address: the staff member alone."""
    if not is_staff_member(user):
        return False
    if staff.kind != UserKind.STAFF:
        return False
    return user.pk == staff.pk


def access_staff_feed_revoke(user, staff: User) -> bool:
    """Turn the feed off (a lost phone, a staff member leaving): also their director."""
    return _staff_visible(user, MANAGING_ROLES).filter(pk=staff.pk).exists()


def access_staff_feed_by_id(
    user, staff_id, *, revoke: bool = False, action=AuditAction.UPDATE
) -> User:
    """The staff member whose feed the user may manage (or, with `revoke`, turn off)."""
    if revoke:
        staff = _staff_visible(user, MANAGING_ROLES).filter(pk=record_id(staff_id)).first()
    else:
        staff = _staff_visible(user, ()).filter(pk=record_id(staff_id)).first()
    if staff is None:
        raise refuse(
            actor=user, action=action, object_type="calendar_feed", object_id=f"staff:{staff_id}"
        )
    return staff
