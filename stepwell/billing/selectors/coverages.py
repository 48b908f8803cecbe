"""A patient's coverages as the chart shows them: read by whoever reads the chart or the
patient's billing fields; changed by billing staff, intake coordinators and directors
(privacy/access/billing.py)."""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.patients.models import Patient
from stepwell.privacy.access.billing import (
    access_coverage_by_id,
    access_coverage_edit,
    access_coverage_patient_by_id,
    access_coverage_read_patient_by_id,
    patients_billed_by,
)

from ..models import Coverage, Payer


@dataclass(frozen=True)
class PatientCoverages:
    patient: Patient
    coverages: list[Coverage]
    can_edit: bool
    can_bill: bool = False  # the user does the billing of one of the patient's programs


def coverages_of_patient(*, user, patient_id) -> PatientCoverages:
    """Every coverage of the patient (ended ones too, newest first within a priority), or
    an audited refusal."""
    patient = access_coverage_read_patient_by_id(user, patient_id)
    coverages = list(
        Coverage.objects.filter(patient=patient)
        .select_related("payer")
        .prefetch_related("eligibility_checks")
    )
    return PatientCoverages(
        patient=patient,
        coverages=coverages,
        can_edit=access_coverage_edit(user, patient),
        can_bill=patients_billed_by(user).filter(pk=patient.pk).exists(),
    )


def coverage_patient_for_add(*, user, patient_id) -> Patient:
    """The patient the user may record a coverage for, or an audited refusal."""
    return access_coverage_patient_by_id(user, patient_id)


def coverage_for_edit(*, user, coverage_id) -> Coverage:
    """A coverage the user may change, or an audited refusal."""
    return access_coverage_by_id(user, coverage_id)


def payers_to_choose() -> list[Payer]:
    """The payers a coverage may name (clinic setup, not patient data)."""
    return list(Payer.objects.order_by("name"))
