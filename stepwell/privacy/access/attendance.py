"""Access to attendance: who takes and corrects it.

- A group session's facilitators (its co-facilitators too) take and correct its
  attendance, whatever program they work in.
- The staff member an appointment is with takes its attendance.
- The directors of the session's program take and correct any of its attendance.
- Nobody else: not other clinicians of the program, intake coordinators, billing,
  administrators, patients or jobs.

A session, appointment or attendance row the user may not take and one that does not
exist get the same audited refusal.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.care.models import Attendance
from stepwell.core.kept import RecordRead
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse
from stepwell.schedule.models import Appointment, SessionOccurrence

from .predicates import (
    as_record_id,
    holds_role_in,
    is_staff_member,
    programs_with,
    read_and_check,
)

_APPOINTMENT = RecordRead(Appointment, "program")
_ATTENDANCE = RecordRead(Attendance, "occurrence__program", "appointment__program", "patient")


ATTENDANCE_ROLES = (Role.PROGRAM_DIRECTOR,)  # besides the session's own staff


def sessions_attendance_taken_by(user) -> QuerySet[SessionOccurrence]:
    """Group sessions whose attendance the user takes."""
    if not is_staff_member(user):
        return SessionOccurrence.objects.none()
    scope = Q(facilitators=user)
    program_ids = programs_with(user, *ATTENDANCE_ROLES)
    if program_ids:
        scope |= Q(program_id__in=program_ids)
    return SessionOccurrence.objects.filter(scope).distinct()


def appointments_attendance_taken_by(user) -> QuerySet[Appointment]:
    """Appointments whose attendance the user takes."""
    if not is_staff_member(user):
        return Appointment.objects.none()
    scope = Q(staff=user)
    program_ids = programs_with(user, *ATTENDANCE_ROLES)
    if program_ids:
        scope |= Q(program_id__in=program_ids)
    return Appointment.objects.filter(scope)


def access_attendance_take(user, occurrence: SessionOccurrence) -> bool:
    if not is_staff_member(user):
        return False
    if holds_role_in(user, occurrence.program_id, *ATTENDANCE_ROLES):
        return True
    return occurrence.facilitators.filter(pk=user.pk).exists()


def access_appointment_attendance(user, appointment: Appointment) -> bool:
    if not is_staff_member(user):
        return False
    if appointment.staff_id == user.pk:
        return True
    return holds_role_in(user, appointment.program_id, *ATTENDANCE_ROLES)


def access_session_attendance_by_id(
    user,
    occurrence_id,
    *,
    action: str = AuditAction.VIEW,
    object_type: str = "attendance_roster",
    object_id: object = None,
    patient_id: int | None = None,
) -> SessionOccurrence:
    """The group session whose attendance the user takes, or an audited refusal."""
    occurrence = (
        sessions_attendance_taken_by(user)
        .select_related("program")
        .filter(pk=as_record_id(occurrence_id))
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


def access_appointment_attendance_by_id(
    user, appointment_id, *, action: str = AuditAction.VIEW
) -> Appointment:
    """The appointment whose attendance the user takes, or an audited refusal naming the
    appointment's patient when it exists. Read once and answered from the appointment
    (appointments_attendance_taken_by says the same as a scope)."""
    return read_and_check(
        _APPOINTMENT,
        appointment_id,
        lambda appointment: access_appointment_attendance(user, appointment),
        user=user,
        action=action,
        object_type="attendance",
        object_id=f"appointment:{appointment_id}",
    )


def attendance_rows_taken_by(user) -> QuerySet[Attendance]:
    """Attendance rows the user takes and corrects."""
    if not is_staff_member(user):
        return Attendance.objects.none()
    return Attendance.objects.filter(
        Q(occurrence__in=sessions_attendance_taken_by(user))
        | Q(appointment__in=appointments_attendance_taken_by(user))
    )


def attendance_row_taken(user, row: Attendance) -> bool:
    """Whether the user takes and corrects this row (attendance_rows_taken_by, for one
    row read with its session or appointment)."""
    if row.occurrence_id is not None:
        return access_attendance_take(user, row.occurrence)
    if row.appointment_id is not None:
        return access_appointment_attendance(user, row.appointment)
    return False


def access_attendance_by_id(user, attendance_id, *, action: str = AuditAction.UPDATE) -> Attendance:
    """One attendance row the user may mark, or an audited refusal naming its patient
    when it exists. The row is read once with its session or appointment and the rule is
    answered from it, instead of filtering the user's whole scope of rows by the id."""
    return read_and_check(
        _ATTENDANCE,
        attendance_id,
        lambda row: attendance_row_taken(user, row),
        user=user,
        action=action,
        object_type="attendance",
    )
