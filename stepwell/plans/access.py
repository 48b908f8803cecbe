"""Who may read, write and sign treatment plans. Built on stepwell.privacy.access.

One condition per line; every branch is tested in plans/tests/test_access.py.
"""

from __future__ import annotations

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import Patient
from stepwell.privacy.access import access_patient_chart

PLAN_READ_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
IN_PERSON_WITNESS_ROLES = (Role.CLINICIAN, Role.NURSE, Role.PRESCRIBER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff(user) -> bool:
    return _active(user) and user.kind == UserKind.STAFF


def _own_record(user, patient: Patient) -> bool:
    return _active(user) and user.kind == UserKind.PATIENT and patient.user_id == user.pk


def access_plan_read(user, patient: Patient) -> bool:
    """Clinical staff of the patient, or the patient themselves (signed versions only)."""
    if _own_record(user, patient):
        return True
    if not _staff(user):
        return False
    if not user.has_role(*PLAN_READ_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_plan_edit(user, patient: Patient) -> bool:
    """Write drafts, sign as clinician, record reviews and objective status: clinicians."""
    if not _staff(user):
        return False
    if not user.has_role(Role.CLINICIAN):
        return False
    return access_patient_chart(user, patient)


def access_plan_sign_physician(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(Role.PRESCRIBER):
        return False
    return access_patient_chart(user, patient)


def access_plan_sign_patient(user, patient: Patient) -> bool:
    """On the portal, the patient; in person, a clinical staff member who witnesses it."""
    if _own_record(user, patient):
        return True
    if not _staff(user):
        return False
    if not user.has_role(*IN_PERSON_WITNESS_ROLES):
        return False
    return access_patient_chart(user, patient)
