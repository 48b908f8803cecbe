"""Reads of a patient's authorizations and their reviews, and of a program's utilization
review worklist. Each starts from the acting user (privacy/access/billing.py) and audits
the read, naming every patient it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page

from stepwell.clinic.models import Program
from stepwell.core.paging import page_of
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
from .work import authorizations_in_use


@dataclass(frozen=True)
class PatientAuthorizations:
    patient: Patient
    authorizations: list[Authorization]
    programs: list[Program]  # the patient's programs whose billing the user does
    payers: list[Payer]  # the payers of the patient's coverages
    page: Page | None = None  # which page of the authorizations `authorizations` is


def _choices(user, patient: Patient) -> tuple[list[Program], list[Payer]]:
    programs = list(
        Program.objects.filter(
            pk__in=billing_program_ids(user), episodes__patient=patient
        ).distinct()
    )
    payer_ids = Coverage.objects.filter(patient=patient).values_list("payer_id", flat=True)
    return programs, list(Payer.objects.filter(pk__in=payer_ids).order_by("name"))


def patient_authorizations(*, user, patient_id, page_number=None) -> PatientAuthorizations:
    """The patient's authorizations in the programs whose billing the user does, latest
    starting first, 50 a page, each with its reviews (newest first); an audited refusal
    otherwise. The event names the page's authorizations."""
    patient = access_billing_patient_any_by_id(user, patient_id, object_type="authorization")
    programs, payers = _choices(user, patient)
    page = page_of(
        Authorization.objects.filter(patient=patient, program__in=programs)
        .select_related("payer", "program")
        .prefetch_related("reviews")
        .order_by("-starts_on", "-pk"),
        page_number,
    )
    rows = list(page)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="authorization",
        object_id=patient.pk,
        detail={"authorizations": [a.pk for a in rows]},
    )
    return PatientAuthorizations(patient, rows, programs, payers, page)


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
    due: Page  # open reviews due by the end of this week (overdue too), 50 a page
    authorizations: Page  # AuthorizationRow, 50 a page


def review_worklist(*, user, program_id, today: date, page_number=None) -> ReviewWorklist:
    """The utilization review worklist: reviews due this week (Monday to Sunday, overdue
    ones too), soonest first, and every authorization in use with its units and warnings,
    soonest ending first; 50 of each a page, one page number for both (the shorter list
    shows its last page past its end)."""
    program = access_billing_program_by_id(user, program_id, object_type="utilization_review")
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    due = page_of(
        UtilizationReview.objects.filter(
            authorization__program=program, outcome__in=OPEN_OUTCOMES, due_on__lte=sunday
        )
        .select_related("authorization__patient", "authorization__payer")
        .order_by("due_on", "pk"),
        page_number,
    )
    rows = authorizations_in_use(
        user=user, program_id=program.pk, today=today, page_number=page_number
    )
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
