"""Who may work on referrals, intake assessments, availability and placement.

Built on stepwell.privacy.access (deny by default). One condition per line; every branch
is tested in intake/tests/test_access.py.
"""

from __future__ import annotations

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import access_patient_chart

REFERRAL_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
ASSESSMENT_READ_ROLES = (
    Role.INTAKE_COORDINATOR,
    Role.CLINICIAN,
    Role.PRESCRIBER,
    Role.NURSE,
    Role.PROGRAM_DIRECTOR,
)
ASSESSMENT_DRAFT_ROLES = (Role.INTAKE_COORDINATOR, Role.CLINICIAN)
ADMISSION_ROLES = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)


def _staff(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
    )


def _in_program(user, episode: Episode) -> bool:
    return user.program_memberships.filter(program_id=episode.program_id).exists()


def access_referral_board(user) -> bool:
    """The board itself; the referrals on it are limited to patients the user may see."""
    if not _staff(user):
        return False
    return user.has_role(*REFERRAL_ROLES)


def access_referral_manage(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*REFERRAL_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_assessment_read(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*ASSESSMENT_READ_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_assessment_write(user, patient: Patient) -> bool:
    """Draft, edit, add diagnoses and availability: intake coordinators and clinicians."""
    if not _staff(user):
        return False
    if not user.has_role(*ASSESSMENT_DRAFT_ROLES):
        return False
    return access_patient_chart(user, patient)


def access_availability_edit(user, patient: Patient) -> bool:
    """The patient's own weekly availability: the patient, or intake and clinicians."""
    if user is not None and user.is_authenticated and user.is_patient_user:
        return patient.user_id == user.pk
    return access_assessment_write(user, patient)


def access_assessment_sign(user, patient: Patient) -> bool:
    """Signing, addenda and placement decisions are a clinician's."""
    if not _staff(user):
        return False
    if not user.has_role(Role.CLINICIAN):
        return False
    return access_patient_chart(user, patient)


def access_admission(user, episode: Episode) -> bool:
    if not _staff(user):
        return False
    if not user.has_role(*ADMISSION_ROLES):
        return False
    if not _in_program(user, episode):
        return False
    return access_patient_chart(user, episode.patient)
