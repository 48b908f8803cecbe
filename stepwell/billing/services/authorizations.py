"""Writes of authorizations and utilization reviews: one transaction each, audited.
A program's billing staff and directors (privacy/access/billing.py).

An authorization is recorded as approved (with the payer's number, units and dates) or
as a pending request; a pending request gets an open review, whose outcome is the
payer's decision. A concurrent review is scheduled before the units or dates run out;
its outcome is recorded: approved N more units (and the new last day), denied, or a
peer-to-peer review scheduled (the review stays open until its own outcome).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.models import LevelOfCare
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import (
    access_authorization_by_id,
    access_billing_patient_by_id,
    access_review_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import (
    OPEN_OUTCOMES,
    Authorization,
    AuthorizationStatus,
    Coverage,
    Payer,
    ReviewOutcome,
    UnitKind,
    UtilizationReview,
)
from .validation import validated


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def authorization_create(
    *,
    actor,
    patient_id: int,
    program_id: int,
    payer_id: int,
    starts_on: date,
    ends_on: date,
    status: str = AuthorizationStatus.APPROVED,
    number: str = "",
    level_of_care: str = LevelOfCare.INTENSIVE_OUTPATIENT,
    unit_kind: str = UnitKind.DAYS,
    units_approved: int = 0,
    next_review_on: date | None = None,
    decision_due_on: date | None = None,
) -> Authorization:
    """Record an authorization. A pending request opens a review due on
    `decision_due_on` (default: the first day asked for), where the decision goes."""
    patient, program = access_billing_patient_by_id(
        actor, patient_id, program_id, action=AuditAction.CREATE, object_type="authorization"
    )
    payer = Payer.objects.filter(pk=payer_id).first() if str(payer_id).isdigit() else None
    if payer is None or not Coverage.objects.filter(patient=patient, payer=payer).exists():
        raise ApplicationError(
            "The payer is not one of the patient's coverages.",
            field_errors={"payer": "Choose one of the patient's payers."},
        )
    if status not in (AuthorizationStatus.APPROVED, AuthorizationStatus.PENDING):
        raise ApplicationError(
            "Record an approved authorization or a pending request.",
            field_errors={"status": "Approved or pending."},
        )
    number = _clean(number)
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = "On or after the first day."
    if status == AuthorizationStatus.APPROVED:
        if not number:
            errors["number"] = "The payer's authorization number."
        if units_approved < 1:
            errors["units_approved"] = "At least 1."
    elif units_approved:
        errors["units_approved"] = "Left at 0 until the payer approves."
    if number and Authorization.objects.filter(payer=payer, number=number).exists():
        errors["number"] = f"{payer.name} already has an authorization {number}."
    if errors:
        raise ApplicationError("The authorization could not be saved.", field_errors=errors)
    authorization = Authorization(
        program=program,
        patient=patient,
        payer=payer,
        number=number,
        level_of_care=level_of_care,
        unit_kind=unit_kind,
        units_approved=units_approved,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        next_review_on=next_review_on,
        created_by=actor,
    )
    validated(authorization, "The authorization could not be saved.", exclude=["created_by"])
    with transaction.atomic():
        authorization.save()
        if status == AuthorizationStatus.PENDING:
            UtilizationReview.objects.create(
                authorization=authorization,
                due_on=decision_due_on or starts_on,
                requested_by=actor,
            )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="authorization",
            object_id=authorization.pk,
            detail={"status": status, "units": units_approved, "payer": payer.pk},
        )
    return authorization


def review_schedule(*, actor, authorization_id: int, due_on: date) -> UtilizationReview:
    """Schedule the next review call of an authorization (one open review at a time)."""
    authorization = access_authorization_by_id(actor, authorization_id, action=AuditAction.CREATE)
    if authorization.status == AuthorizationStatus.DENIED:
        raise ApplicationError(
            "The authorization was denied: record a new request instead.",
            field_errors={"due_on": "Denied authorizations are not reviewed."},
        )
    with transaction.atomic():
        if (
            UtilizationReview.objects.select_for_update()
            .filter(authorization=authorization, outcome__in=OPEN_OUTCOMES)
            .exists()
        ):
            raise ApplicationError(
                "A review of this authorization is already open.",
                field_errors={"due_on": "Record the open review's outcome first."},
            )
        review = UtilizationReview.objects.create(
            authorization=authorization, due_on=due_on, requested_by=actor
        )
        authorization.next_review_on = due_on
        authorization.save(update_fields=["next_review_on"])
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=authorization.patient_id,
            object_type="utilization_review",
            object_id=review.pk,
            detail={"authorization": authorization.pk, "due_on": due_on.isoformat()},
        )
    return review


def _next_authorization(review, authorization, *, units_added, approved_through, number, actor):
    """The payer approved more under a new number: the next authorization, from the day
    after the current one ends through `approved_through` (unsaved)."""
    review.units_added = units_added
    review.approved_through = approved_through
    return Authorization(
        program=authorization.program,
        patient=authorization.patient,
        payer=authorization.payer,
        number=number,
        level_of_care=authorization.level_of_care,
        unit_kind=authorization.unit_kind,
        units_approved=units_added,
        starts_on=authorization.ends_on + timedelta(days=1),
        ends_on=approved_through,
        status=AuthorizationStatus.APPROVED,
        created_by=actor,
    )


def _approve(review, authorization, *, units_added, approved_through, number, errors, actor):
    """Approved N more units: the authorization is extended (same number), or, when the
    payer gave a new number, the next authorization is returned (to be saved)."""
    if units_added < 1:
        errors["units_added"] = "How many units the payer approved (at least 1)."
    if approved_through is not None and approved_through < authorization.starts_on:
        errors["approved_through"] = f"On or after {authorization.starts_on:%Y-%m-%d}."
    if not authorization.number and not number:
        errors["number"] = "The payer's authorization number."
    taken = Authorization.objects.filter(payer=authorization.payer, number=number)
    if number and number != authorization.number and taken.exists():
        errors["number"] = f"{authorization.payer.name} already has an authorization {number}."
    following = bool(authorization.number and number and number != authorization.number)
    if following and (approved_through is None or approved_through <= authorization.ends_on):
        errors["approved_through"] = (
            f"A new authorization number runs after {authorization.ends_on:%Y-%m-%d}: "
            "give its last day."
        )
    if errors:
        return None
    if following:
        return _next_authorization(
            review,
            authorization,
            units_added=units_added,
            approved_through=approved_through,
            number=number,
            actor=actor,
        )
    review.units_added = units_added
    review.approved_through = approved_through
    authorization.number = authorization.number or number
    authorization.units_approved += units_added
    if approved_through is not None:
        authorization.ends_on = max(authorization.ends_on, approved_through)
    authorization.status = AuthorizationStatus.APPROVED
    return None


def review_outcome_record(
    *,
    actor,
    review_id: int,
    outcome: str,
    units_added: int = 0,
    approved_through: date | None = None,
    number: str = "",
    next_review_on: date | None = None,
    peer_to_peer_on: date | None = None,
    payer_reference: str = "",
    reviewer_name: str = "",
    comment: str = "",
    now: datetime | None = None,
) -> UtilizationReview:
    """What the payer decided at the review: approved N more units (through a new last
    day; under a new number, the next authorization is created after this one), denied,
    or a peer-to-peer review scheduled."""
    review = access_review_by_id(actor, review_id)
    authorization = review.authorization
    errors: dict[str, str] = {}
    if review.outcome not in OPEN_OUTCOMES:
        raise ApplicationError(
            "This review already has its outcome.",
            field_errors={"outcome": f"Recorded: {review.get_outcome_display()}."},
        )
    following = None
    if outcome == ReviewOutcome.APPROVED:
        following = _approve(
            review,
            authorization,
            units_added=units_added,
            approved_through=approved_through,
            number=_clean(number),
            errors=errors,
            actor=actor,
        )
        if following is not None:
            following.next_review_on = next_review_on
            authorization.next_review_on = None
        else:
            authorization.next_review_on = next_review_on
    elif outcome == ReviewOutcome.DENIED:
        if authorization.status == AuthorizationStatus.PENDING:
            authorization.status = AuthorizationStatus.DENIED
        authorization.next_review_on = None
    elif outcome == ReviewOutcome.PEER_TO_PEER:
        if peer_to_peer_on is None:
            errors["peer_to_peer_on"] = "The day of the peer-to-peer review."
        review.peer_to_peer_on = peer_to_peer_on
        authorization.next_review_on = peer_to_peer_on
    else:
        errors["outcome"] = "Approved, denied or peer-to-peer."
    if errors:
        raise ApplicationError("The outcome could not be recorded.", field_errors=errors)
    review.outcome = outcome
    review.payer_reference = _clean(payer_reference)[:80]
    review.reviewer_name = _clean(reviewer_name)[:120]
    review.comment = _clean(comment)[:300]
    if outcome != ReviewOutcome.PEER_TO_PEER:
        review.decided_by = actor
        review.decided_at = now or timezone.now()
    with transaction.atomic():
        authorization.save()
        review.save()
        detail = {"outcome": outcome, "units_added": review.units_added}
        if following is not None:
            following.save()
            detail["next_authorization"] = following.pk
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=authorization.patient_id,
            object_type="utilization_review",
            object_id=review.pk,
            detail=detail,
        )
    return review


def authorization_update(
    *,
    actor,
    authorization_id: int,
    number: str,
    level_of_care: str,
    unit_kind: str,
    units_approved: int,
    starts_on: date,
    ends_on: date,
    next_review_on: date | None = None,
) -> Authorization:
    """Correct an authorization as the payer has it (number, level of care, units,
    dates). Its status changes only through the outcome of a review."""
    authorization = access_authorization_by_id(actor, authorization_id, action=AuditAction.UPDATE)
    number = _clean(number)
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = "On or after the first day."
    if authorization.status == AuthorizationStatus.APPROVED:
        if not number:
            errors["number"] = "The payer's authorization number."
        if units_approved < 1:
            errors["units_approved"] = "At least 1."
    elif authorization.status == AuthorizationStatus.PENDING and units_approved:
        errors["units_approved"] = "Left at 0 until the payer approves."
    taken = Authorization.objects.filter(payer=authorization.payer, number=number).exclude(
        pk=authorization.pk
    )
    if number and taken.exists():
        errors["number"] = f"{authorization.payer.name} already has an authorization {number}."
    if errors:
        raise ApplicationError("The authorization could not be saved.", field_errors=errors)
    before = {
        "number": authorization.number,
        "units_approved": authorization.units_approved,
        "starts_on": authorization.starts_on.isoformat(),
        "ends_on": authorization.ends_on.isoformat(),
    }
    authorization.number = number
    authorization.level_of_care = level_of_care
    authorization.unit_kind = unit_kind
    authorization.units_approved = units_approved
    authorization.starts_on = starts_on
    authorization.ends_on = ends_on
    authorization.next_review_on = next_review_on
    validated(authorization, "The authorization could not be saved.", exclude=["created_by"])
    with transaction.atomic():
        authorization.save()
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=authorization.patient_id,
            object_type="authorization",
            object_id=authorization.pk,
            detail={"before": before, "units": units_approved},
        )
    return authorization
