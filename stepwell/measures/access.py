"""Who may read, record and act on measures. Built on privacy.access.patients_visible_to.

Deny by default, one condition per line (tests: measures/tests/test_access.py).

- Reading scores: staff who may read the chart (clinicians, prescribers, nurses, intake
  coordinators and directors of the patient's programs, and the care team); a patient
  reads their own. Billing and administrators read none.
- Recording answers in session and sending a questionnaire: clinicians, prescribers,
  nurses and intake coordinators (screening) with chart access.
- Seeing and acknowledging safety alerts: clinicians, prescribers, nurses and program
  directors with chart access.
- Completing a questionnaire as the patient: only the patient's own, while it is due.
- Measurement schedules: the program's director, or an administrator (clinic setup).
- Switching an instrument off for the clinic: administrators (clinic setup).
"""

from __future__ import annotations

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import Patient
from stepwell.privacy.access import patients_visible_to

RECORDING_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.INTAKE_COORDINATOR)
ALERT_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
READING_ROLES = (*RECORDING_ROLES, Role.PROGRAM_DIRECTOR)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff(user) -> bool:
    return _active(user) and user.kind == UserKind.STAFF


def _sees(user, patient: Patient) -> bool:
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def access_measures_read(user, patient: Patient) -> bool:
    if not _active(user):
        return False
    if user.kind == UserKind.PATIENT:
        return patient.user_id == user.pk
    if not user.has_role(*READING_ROLES):
        return False
    return _sees(user, patient)


def access_administration_record(user, patient: Patient) -> bool:
    """Record answers in session, or send the patient a questionnaire."""
    if not _staff(user):
        return False
    if not user.has_role(*RECORDING_ROLES):
        return False
    return _sees(user, patient)


def access_alerts_see(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*ALERT_ROLES):
        return False
    return _sees(user, patient)


def access_alert_acknowledge(user, patient: Patient) -> bool:
    return access_alerts_see(user, patient)


def access_questionnaire_complete_own(user, patient: Patient) -> bool:
    if not _active(user):
        return False
    if user.kind != UserKind.PATIENT:
        return False
    return patient.user_id == user.pk


def access_schedule_manage(user, program_id: int) -> bool:
    if not _staff(user):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if not user.has_role(Role.PROGRAM_DIRECTOR):
        return False
    return user.program_memberships.filter(program_id=program_id).exists()


def access_instrument_settings(user) -> bool:
    """Switching instruments on or off is clinic setup: administrators."""
    if not _staff(user):
        return False
    return user.has_role(Role.ADMINISTRATOR)


def alert_patients_visible_to(user):
    """The patients whose alerts appear on the user's worklist."""
    if not _staff(user):
        return Patient.objects.none()
    if not user.has_role(*ALERT_ROLES):
        return Patient.objects.none()
    return patients_visible_to(user)


def measures_patients_visible_to(user):
    """The patients whose scores the user may read (for lists such as the caseload)."""
    if not _active(user):
        return Patient.objects.none()
    if user.kind == UserKind.PATIENT:
        return Patient.objects.filter(user=user)
    if not user.has_role(*READING_ROLES):
        return Patient.objects.none()
    return patients_visible_to(user)
