"""Reads of a patient's authorizations and their reviews, and of a program's utilization
review worklist. Each starts from the acting user (privacy/access/billing.py) and audits
the read, naming every patient it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.access.billing import (
    access_authorization_by_id,
    access_billing_patient_any_by_id,
    access_billing_program_by_id,
    access_review_by_id,
    billing_program_ids,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import OPEN_OUTCOMES, Authorization, Coverage, Payer, UtilizationReview
from .work import AuthorizationRow, authorizations_in_use


@dataclass(frozen=True)
class PatientAuthorizations:
    patient: Patient
    authorizations: list[Authorization]
    programs: list[Program]  # the patient's programs whose billing the user does
    payers: list[Payer]  # the payers of the patient's coverages


def _choices(user, patient: Patient) -> tuple[list[Program], list[Payer]]:
    programs = list(
        Program.objects.filter(
            pk__in=billing_program_ids(user), episodes__patient=patient
        ).distinct()
    )
    payer_ids = Coverage.objects.filter(patient=patient).values_list("payer_id", flat=True)
    return programs, list(Payer.objects.filter(pk__in=payer_ids).order_by("name"))


def patient_authorizations(*, user, patient_id) -> PatientAuthorizations:
    """The patient's authorizations in the programs whose billing the user does, each
    with its reviews (newest first); an audited refusal otherwise."""
    patient = access_billing_patient_any_by_id(user, patient_id, object_type="authorization")
    programs, payers = _choices(user, patient)
    rows = list(
        Authorization.objects.filter(patient=patient, program__in=programs)
        .select_related("payer", "program")
        .prefetch_related("reviews")
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="authorization",
        object_id=patient.pk,
        detail={"authorizations": [a.pk for a in rows]},
    )
    return PatientAuthorizations(patient, rows, programs, payers)


def authorization_new_choices(*, user, patient_id) -> PatientAuthorizations:
    """The programs and payers a new authorization of the patient may name."""
    patient = access_billing_patient_any_by_id(
        user, patient_id, action=AuditAction.CREATE, object_type="authorization"
    )
    programs, payers = _choices(user, patient)
    return PatientAuthorizations(patient, [], programs, payers)


def authorization_detail(*, user, authorization_id) -> Authorization:
    """An authorization with its reviews, audited as viewed."""
    authorization = access_authorization_by_id(user, authorization_id)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=authorization.patient_id,
        object_type="authorization",
        object_id=authorization.pk,
    )
    return authorization


def review_detail(*, user, review_id) -> UtilizationReview:
    """A review whose outcome the user records, audited as viewed."""
    review = access_review_by_id(user, review_id, action=AuditAction.VIEW)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=review.authorization.patient_id,
        object_type="utilization_review",
        object_id=review.pk,
    )
    return review


@dataclass(frozen=True)
class ReviewWorklist:
    program: Program
    week_start: date
    week_end: date
    due: list[UtilizationReview]  # open reviews due by the end of this week (overdue too)
    authorizations: list[AuthorizationRow]

    @property
    def attention(self) -> list[AuthorizationRow]:
        """Authorizations running out, pending or denied, or with a review due."""
        return [r for r in self.authorizations if r.warnings]


def review_worklist(*, user, program_id, today: date) -> ReviewWorklist:
    """The utilization review worklist: reviews due this week (Monday to Sunday, overdue
    ones too) and every authorization with its units and warnings."""
    program = access_billing_program_by_id(user, program_id, object_type="utilization_review")
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    due = list(
        UtilizationReview.objects.filter(
            authorization__program=program, outcome__in=OPEN_OUTCOMES, due_on__lte=sunday
        )
        .select_related("authorization__patient", "authorization__payer")
        .order_by("due_on", "pk")
    )
    rows = authorizations_in_use(user=user, program_id=program.pk, today=today)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="utilization_review",
        object_id=program.pk,
        detail={"patients": sorted({r.authorization.patient_id for r in due})},
    )
    return ReviewWorklist(program, monday, sunday, due, rows)


def billing_program(*, user, program_id) -> Program:
    """A program whose billing the user does (an audited refusal otherwise)."""
    return access_billing_program_by_id(user, program_id, object_type="utilization_review")
