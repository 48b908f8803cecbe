"""Who may set up payers and record a patient's coverage. Built on privacy.access.

Deny by default, one condition per line; every branch is tested in tests/test_access.py.

- Payers (and a program's own hours rule) are clinic setup: administrators.
- A patient's coverage is recorded by billing staff of the patient's programs and by the
  intake coordinators and directors who may read the chart.
"""

from __future__ import annotations

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import Patient
from stepwell.privacy.access import (
    access_clinic_configuration,
    access_patient_billing,
    access_patient_chart,
)


def _staff(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
    )


def access_payer_edit(user) -> bool:
    return access_clinic_configuration(user)


def access_coverage_edit(user, patient: Patient) -> bool:
    if not _staff(user):
        return False
    if user.has_role(Role.BILLING) and access_patient_billing(user, patient):
        return True
    if not user.has_role(Role.INTAKE_COORDINATOR, Role.PROGRAM_DIRECTOR):
        return False
    return access_patient_chart(user, patient)
