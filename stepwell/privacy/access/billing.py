"""Who may set up payers and record a patient's coverage.

- Payers (and a program's own hours rule) are clinic setup: administrators.
- A patient's coverage is recorded by billing staff of the patient's programs, and by
  the intake coordinators and directors of the patient's programs.
"""

from __future__ import annotations

from stepwell.accounts.models import Role
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import access_clinic_configuration, access_patient_billing, as_record_id
from .predicates import is_staff_member, programs_with

COVERAGE_ROLES = (Role.INTAKE_COORDINATOR, Role.PROGRAM_DIRECTOR)


def access_payer_edit(user) -> bool:
    return access_clinic_configuration(user)


def access_coverage_edit(user, patient: Patient) -> bool:
    if not is_staff_member(user):
        return False
    if access_patient_billing(user, patient):
        return True
    program_ids = programs_with(user, *COVERAGE_ROLES)
    if not program_ids:
        return False
    return Episode.objects.filter(patient=patient, program_id__in=program_ids).exists()


def access_coverage_patient_by_id(user, patient_id) -> Patient:
    """The patient whose coverage the user records, or an audited refusal (an unknown
    patient gets the same one)."""
    patient = Patient.objects.filter(pk=as_record_id(patient_id)).first()
    if patient is None or not access_coverage_edit(user, patient):
        raise refuse(
            actor=user,
            action=AuditAction.CREATE,
            object_type="coverage",
            object_id="new",
            patient_id=patient_id,
        )
    return patient
