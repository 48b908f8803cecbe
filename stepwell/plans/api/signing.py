"""Signing, recertifying, revising and reviewing a plan, and objective status, over the API."""

from __future__ import annotations

from ninja import Router, Status

from stepwell.accounts.models import UserKind
from stepwell.core.api_schemas import responses
from stepwell.core.errors import ApplicationError

from .. import selectors, services
from .schemas import (
    CreatedOut,
    PlanOut,
    RecertifyIn,
    ReviewIn,
    ReviseIn,
    SignatureIn,
    StatusIn,
    plan_out,
)

router = Router()


@router.post("/{plan_id}/signatures", response=responses({200: PlanOut}))
def plan_sign(request, plan_id: int, payload: SignatureIn):
    if payload.role == "clinician":
        services.plan_sign_clinician(actor=request.user, plan_id=plan_id)
    elif payload.role == "physician":
        services.plan_sign_physician(
            actor=request.user, plan_id=plan_id, attests_nine_hours=payload.attests_nine_hours
        )
    elif payload.role == "patient":
        services.plan_sign_patient(
            actor=request.user,
            plan_id=plan_id,
            method="portal" if request.user.kind == UserKind.PATIENT else "in_person",
            signer_name=payload.signer_name,
        )
    else:
        raise ApplicationError(
            "Unknown role.", field_errors={"role": "One of: clinician, patient, physician."}
        )
    return plan_out(selectors.plan_after_write(user=request.user, plan_id=plan_id))


@router.post("/{plan_id}/recertifications", response=responses({200: PlanOut}))
def recertify(request, plan_id: int, payload: RecertifyIn):
    services.physician_recertify(
        actor=request.user, plan_id=plan_id, attests_nine_hours=payload.attests_nine_hours
    )
    return plan_out(selectors.plan_after_write(user=request.user, plan_id=plan_id))


@router.post("/{plan_id}/revisions", response=responses({201: PlanOut}))
def revise(request, plan_id: int, payload: ReviseIn):
    plan = services.plan_revise(actor=request.user, plan_id=plan_id, reason=payload.reason)
    return Status(201, plan_out(selectors.plan_after_write(user=request.user, plan_id=plan.pk)))


@router.post("/{plan_id}/reviews", response=responses({201: CreatedOut}))
def review(request, plan_id: int, payload: ReviewIn):
    recorded = services.plan_review_record(actor=request.user, plan_id=plan_id, **payload.dict())
    return Status(201, {"id": recorded.pk})


@router.post("/objectives/{objective_id}/status", response=responses({201: CreatedOut}))
def objective_status(request, objective_id: int, payload: StatusIn):
    result = services.objective_status_record(
        actor=request.user, objective_id=objective_id, **payload.dict()
    )
    return Status(201, {"id": result.pk})
