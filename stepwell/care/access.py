"""Who may take attendance, read and write notes, see hours. Built on privacy.access.

Deny by default, one condition per line; every branch is tested in tests/test_access.py.

- Attendance: clinicians, prescribers, nurses and directors of the session's program,
  and the session's facilitators, take and correct attendance.
- Notes: clinicians, prescribers, nurses and directors who may read the chart read
  notes; clinicians, prescribers and nurses write them; medication-management notes
  are written by prescribers. Only the author signs and writes addenda. A note needs
  a co-signature unless its author holds a licence that practises independently
  (`STEPWELL_INDEPENDENT_CREDENTIALS`, an allow-list: an unlisted or blank credential
  needs a co-signer, docs/clinical-sources.md §4); the co-signer is a clinician,
  prescriber or director who holds such a licence, not the author.
- Hours: who reads notes, and billing staff of the patient's programs (hours decide
  billable days; billing reads no note text: minimum necessary, §164.502(b)).
- Psychotherapy notes: written by clinicians and prescribers with chart access, read
  only by their author (not directors): §164.501, docs/clinical-sources.md §4.
- The program's compliance page and the late-notes list: the program's directors.
"""

from __future__ import annotations

from django.conf import settings

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import Patient
from stepwell.privacy.access import access_patient_billing, access_patient_chart

ATTENDANCE_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
NOTE_READ_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
NOTE_WRITE_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
COSIGN_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.PROGRAM_DIRECTOR)
PSYCHOTHERAPY_ROLES = (Role.CLINICIAN, Role.PRESCRIBER)


def _staff(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
    )


def _program_ids(user) -> set[int]:
    return set(user.program_memberships.values_list("program_id", flat=True))


def credentials_held(user) -> set[str]:
    """The user's credentials as written ("LCSW, LCADC", "MD/PhD"), case-folded."""
    text = (user.credentials or "").replace(";", ",").replace("/", ",").replace(" ", ",")
    return {part.strip().casefold() for part in text.split(",") if part.strip()}


def credential_requires_cosign(user) -> bool:
    """True unless one of the user's credentials is on STEPWELL_INDEPENDENT_CREDENTIALS."""
    independent = {c.strip().casefold() for c in settings.STEPWELL_INDEPENDENT_CREDENTIALS}
    return not (independent & credentials_held(user))


def access_attendance_take(user, occurrence) -> bool:
    if not _staff(user):
        return False
    if occurrence.facilitators.filter(pk=user.pk).exists():
        return True
    if not user.has_role(*ATTENDANCE_ROLES):
        return False
    return occurrence.program_id in _program_ids(user)


def access_appointment_attendance(user, appointment) -> bool:
    if not _staff(user):
        return False
    if appointment.staff_id == user.pk:
        return True
    if not user.has_role(*ATTENDANCE_ROLES):
        return False
    return appointment.program_id in _program_ids(user)


def access_group_note_write(user, occurrence) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*NOTE_WRITE_ROLES):
        return False
    if occurrence.facilitators.filter(pk=user.pk).exists():
        return True
    return occurrence.program_id in _program_ids(user)


def access_notes_read(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*NOTE_READ_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_note_write(user, patient: Patient, kind: str) -> bool:
    if not _staff(user):
        return False
    if kind == "medication" and not user.has_role(Role.PRESCRIBER):
        return False
    if not user.has_role(*NOTE_WRITE_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_note_sign(user, author_id: int) -> bool:
    """Sign, edit a draft or add an addendum: the author only."""
    if not _staff(user):
        return False
    return user.pk == author_id


def access_note_cosign(user, note) -> bool:
    if not _staff(user):
        return False
    if user.pk == note.author_id:
        return False
    if not user.has_role(*COSIGN_ROLES):
        return False
    if credential_requires_cosign(user):
        return False
    return access_patient_chart(user, note.patient)


def access_hours_read(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if user.has_role(Role.BILLING) and access_patient_billing(user, patient):
        return True
    if not user.has_role(*NOTE_READ_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_transition_week_mark(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(Role.CLINICIAN, Role.PROGRAM_DIRECTOR):
        return False
    return access_patient_chart(user, patient)


def access_psychotherapy_note_write(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*PSYCHOTHERAPY_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_psychotherapy_note_read(user, note) -> bool:
    if not _staff(user):
        return False
    return note.author_id == user.pk


def access_program_compliance(user, program_id: int) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(Role.PROGRAM_DIRECTOR):
        return False
    return program_id in _program_ids(user)
