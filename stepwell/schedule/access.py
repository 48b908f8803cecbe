"""Who may see and change the program calendar. Built on privacy.access.patients_visible_to.

Deny by default, one condition per line (tests: schedule/tests/test_calendar_access.py).

- A program's week (sessions, who attends): its clinicians, prescribers, nurses, intake
  coordinators and directors. Patient names only of patients they may see.
- Running the optimizer, accepting a plan, booking by hand: the program's director.
  Clinicians read.
- A patient's week: the patient, and staff who may read the chart (not billing, not
  administrators).
- A staff member's week: the staff member, and the reading roles of a program they share.
- A patient's calendar feed: the patient, or a clinician or director who may read the chart.
- A staff member's calendar feed: only the staff member makes, replaces or reads it (it
  lists their patients); a director of a program they share may turn it off.
"""

from __future__ import annotations

from stepwell.accounts.models import Role, UserKind
from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.access import patients_visible_to

READING_ROLES = (
    Role.CLINICIAN,
    Role.PRESCRIBER,
    Role.NURSE,
    Role.INTAKE_COORDINATOR,
    Role.PROGRAM_DIRECTOR,
)
FEED_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff(user) -> bool:
    return _active(user) and user.kind == UserKind.STAFF


def _member(user, program_id: int) -> bool:
    return user.program_memberships.filter(program_id=program_id).exists()


def _shares_program(user, other) -> bool:
    programs = other.program_memberships.values("program_id")
    return user.program_memberships.filter(program_id__in=programs).exists()


def access_program_schedule_read(user, program: Program) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*READING_ROLES):
        return False
    return _member(user, program.pk)


def access_program_schedule_manage(user, program: Program) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(Role.PROGRAM_DIRECTOR):
        return False
    return _member(user, program.pk)


def access_patient_schedule_read(user, patient: Patient) -> bool:
    if not _active(user):
        return False
    if user.kind == UserKind.PATIENT:
        return patient.user_id == user.pk
    if not user.has_role(*READING_ROLES):
        return False
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def access_staff_schedule_read(user, staff) -> bool:
    if not _staff(user):
        return False
    if staff.kind != UserKind.STAFF:
        return False
    if user.pk == staff.pk:
        return True
    if not user.has_role(*READING_ROLES):
        return False
    return _shares_program(user, staff)


def access_patient_feed_manage(user, patient: Patient) -> bool:
    if not _active(user):
        return False
    if user.kind == UserKind.PATIENT:
        return patient.user_id == user.pk
    if not user.has_role(*FEED_ROLES):
        return False
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def access_staff_feed_manage(user, staff) -> bool:
    """Make, replace or read the feed's address: the staff member alone."""
    if not _staff(user):
        return False
    if staff.kind != UserKind.STAFF:
        return False
    return user.pk == staff.pk


def access_staff_feed_revoke(user, staff) -> bool:
    """Turn the feed off (a lost phone, a staff member leaving): also their director."""
    if access_staff_feed_manage(user, staff):
        return True
    if not _staff(user) or staff.kind != UserKind.STAFF:
        return False
    if not user.has_role(Role.PROGRAM_DIRECTOR):
        return False
    return _shares_program(user, staff)
