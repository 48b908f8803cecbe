"""Who may set up payers, record coverage, and do a program's billing.

- Payers, billing providers and charges (and a program's own hours rule) are clinic
  setup: administrators.
- A patient's coverage is read by billing staff of the patient's programs and by whoever
  reads the patient's chart; it is recorded (added, changed, ended, eligibility checked)
  by billing staff, intake coordinators and directors of the patient's programs.
- A program's billing work (authorizations and reviews, billable days, claims and the
  billing worklist) is done by its billing staff and its directors. Billing staff read
  no note text.
- The clinical summary for a utilization review: billing staff and directors of the
  program only while that review is open (the call they are preparing), and staff who
  read the patient's chart. Every opening is audited.
- Claims from the server's shell (`stepwell billing claims`) and remittance imports
  (`stepwell billing remit`) are named system jobs; no other system job bills.
- Remittances (835) are imported, and claims voided, by the program's billing staff and
  directors.

A record the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from django.db.models import QuerySet

from stepwell.accounts.models import Role
from stepwell.billing.models import (
    OPEN_OUTCOMES,
    Authorization,
    Claim,
    ClaimBatch,
    Coverage,
    Remittance,
    UtilizationReview,
)
from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import (
    access_clinic_configuration,
    access_patient_billing,
    access_patient_chart,
    patient_condition,
    patient_id_meets,
)
from .predicates import as_record_id, is_staff_member, is_system_actor, programs_with

COVERAGE_ROLES = (Role.INTAKE_COORDINATOR, Role.PROGRAM_DIRECTOR)
BILLING_WORK_ROLES = (Role.BILLING, Role.PROGRAM_DIRECTOR)
CLAIMS_JOB = "system:stepwell billing claims"  # the one system job that writes claims
REMIT_JOB = "system:stepwell billing remit"  # the one system job that imports remittances


def access_payer_edit(user) -> bool:
    return access_clinic_configuration(user)


# -- coverage ------------------------------------------------------------------------------


def access_coverage_read(user, patient: Patient) -> bool:
    if not is_staff_member(user):
        return False
    if access_patient_billing(user, patient):
        return True
    return access_patient_chart(user, patient)


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


def access_coverage_read_patient_by_id(user, patient_id) -> Patient:
    """The patient whose coverages the user reads, or an audited refusal."""
    patient = Patient.objects.filter(pk=as_record_id(patient_id)).first()
    if patient is None or not access_coverage_read(user, patient):
        raise refuse(
            actor=user, object_type="coverage", object_id=patient_id, patient_id=patient_id
        )
    return patient


def access_coverage_by_id(user, coverage_id, *, action: str = AuditAction.UPDATE) -> Coverage:
    """A coverage the user may change (and check eligibility on), or an audited refusal."""
    coverage = (
        Coverage.objects.select_related("patient", "payer")
        .filter(pk=as_record_id(coverage_id))
        .first()
    )
    if coverage is None or not access_coverage_edit(user, coverage.patient):
        raise refuse(
            actor=user,
            action=action,
            object_type="coverage",
            object_id=coverage_id,
            patient_id=coverage.patient_id if coverage else None,
        )
    return coverage


# -- a program's billing -------------------------------------------------------------------


def billing_program_ids(user) -> frozenset[int]:
    """The programs whose billing the user does."""
    return programs_with(user, *BILLING_WORK_ROLES)


def access_billing_work(user, program_id: int | None) -> bool:
    return program_id is not None and program_id in billing_program_ids(user)


def access_billing_patient(user, patient: Patient, program_id: int) -> bool:
    """Billing work on this patient in this program: the patient has an episode there."""
    if not access_billing_work(user, program_id):
        return False
    return Episode.objects.filter(patient=patient, program_id=program_id).exists()


def billing_programs_of(user, *, object_type: str = "billing") -> QuerySet[Program]:
    """The programs whose billing the user does, or an audited refusal when none."""
    program_ids = billing_program_ids(user)
    if not program_ids:
        raise refuse(actor=user, action=AuditAction.LIST, object_type=object_type)
    return Program.objects.filter(pk__in=program_ids).order_by("name")


def access_billing_program_by_id(
    user, program_id, *, action: str = AuditAction.VIEW, object_type: str = "billing"
) -> Program:
    """A program whose billing the user does, or an audited refusal."""
    program = Program.objects.filter(pk=as_record_id(program_id)).first()
    if program is None or not access_billing_work(user, program.pk):
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=program_id,
            detail={"program": program_id},
        )
    return program


def access_claims_program_by_id(user, program_id) -> Program:
    """The program claims are written for: its billing staff and directors, or the
    operator's command (a system job)."""
    if is_system_actor(user) and user.get_username().startswith(CLAIMS_JOB):
        program = Program.objects.filter(pk=as_record_id(program_id)).first()
        if program is not None:
            return program
    return access_billing_program_by_id(
        user, program_id, action=AuditAction.EXPORT, object_type="claim_batch"
    )


def access_remit_program_by_id(user, program_id) -> Program:
    """The program a remittance is imported for: its billing staff and directors, or the
    operator's command (a system job)."""
    if is_system_actor(user) and user.get_username().startswith(REMIT_JOB):
        program = Program.objects.filter(pk=as_record_id(program_id)).first()
        if program is not None:
            return program
    return access_billing_program_by_id(
        user, program_id, action=AuditAction.CREATE, object_type="remittance"
    )


def access_remittance_by_id(user, remittance_id) -> Remittance:
    remittance = (
        Remittance.objects.select_related("program").filter(pk=as_record_id(remittance_id)).first()
    )
    if remittance is None or not access_billing_work(user, remittance.program_id):
        raise refuse(actor=user, object_type="remittance", object_id=remittance_id)
    return remittance


def access_billing_patient_by_id(
    user, patient_id, program_id, *, action: str = AuditAction.VIEW, object_type: str
) -> tuple[Patient, Program]:
    """A patient of a program whose billing the user does, or an audited refusal."""
    patient = Patient.objects.filter(pk=as_record_id(patient_id)).first()
    program = Program.objects.filter(pk=as_record_id(program_id)).first()
    if patient is None or program is None or not access_billing_patient(user, patient, program.pk):
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=patient_id,
            patient_id=patient_id,
            detail={"program": program_id},
        )
    return patient, program


def patients_billed_by(user) -> QuerySet[Patient]:
    """Patients with an episode in a program whose billing the user does."""
    program_ids = billing_program_ids(user)
    if not program_ids:
        return Patient.objects.none()
    return Patient.objects.filter(episodes__program_id__in=program_ids).distinct()


def access_billing_patient_any_by_id(
    user, patient_id, *, action: str = AuditAction.VIEW, object_type: str
) -> Patient:
    """A patient of any program whose billing the user does, or an audited refusal."""
    patient = patients_billed_by(user).filter(pk=as_record_id(patient_id)).first()
    if patient is None:
        raise refuse(
            actor=user,
            action=action,
            object_type=object_type,
            object_id=patient_id,
            patient_id=patient_id,
        )
    return patient


def access_authorization_by_id(
    user, authorization_id, *, action: str = AuditAction.VIEW
) -> Authorization:
    authorization = (
        Authorization.objects.select_related("patient", "payer", "program")
        .filter(pk=as_record_id(authorization_id))
        .first()
    )
    if authorization is None or not access_billing_work(user, authorization.program_id):
        raise refuse(
            actor=user,
            action=action,
            object_type="authorization",
            object_id=authorization_id,
            patient_id=authorization.patient_id if authorization else None,
        )
    return authorization


def access_review_by_id(user, review_id, *, action: str = AuditAction.UPDATE) -> UtilizationReview:
    review = (
        UtilizationReview.objects.select_related(
            "authorization__patient", "authorization__payer", "authorization__program"
        )
        .filter(pk=as_record_id(review_id))
        .first()
    )
    if review is None or not access_billing_work(user, review.authorization.program_id):
        raise refuse(
            actor=user,
            action=action,
            object_type="utilization_review",
            object_id=review_id,
            patient_id=review.authorization.patient_id if review else None,
        )
    return review


def access_ur_summary(user, review: UtilizationReview) -> bool:
    """The clinical summary for a review: the program's billing staff and directors while
    the review is open, and staff who read the patient's chart."""
    if not is_staff_member(user):
        return False
    authorization = review.authorization
    if review.outcome in OPEN_OUTCOMES and access_billing_work(user, authorization.program_id):
        return True
    return patient_id_meets(authorization.patient_id, patient_condition(user))


def access_ur_summary_by_id(user, review_id) -> UtilizationReview:
    review = (
        UtilizationReview.objects.select_related(
            "authorization__patient", "authorization__payer", "authorization__program"
        )
        .filter(pk=as_record_id(review_id))
        .first()
    )
    if review is None or not access_ur_summary(user, review):
        raise refuse(
            actor=user,
            object_type="ur_summary",
            object_id=review_id,
            patient_id=review.authorization.patient_id if review else None,
        )
    return review


def access_claim_batch_by_id(user, batch_id, *, action: str = AuditAction.EXPORT) -> ClaimBatch:
    batch = ClaimBatch.objects.select_related("program").filter(pk=as_record_id(batch_id)).first()
    if batch is None or not access_billing_work(user, batch.program_id):
        raise refuse(actor=user, action=action, object_type="claim_batch", object_id=batch_id)
    return batch


def access_claim_by_id(user, claim_id, *, action: str = AuditAction.VIEW) -> Claim:
    claim = (
        Claim.objects.select_related("patient", "payer", "program", "batch", "coverage")
        .filter(pk=as_record_id(claim_id))
        .first()
    )
    if claim is None or not access_billing_work(user, claim.program_id):
        raise refuse(
            actor=user,
            action=action,
            object_type="claim",
            object_id=claim_id,
            patient_id=claim.patient_id if claim else None,
        )
    return claim
