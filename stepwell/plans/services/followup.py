"""After signing: objective status updates and scheduled plan reviews."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.services import program_today
from stepwell.privacy.audit import AuditAction

from .. import access
from ..models import (
    Objective,
    ObjectiveStatus,
    ObjectiveStatusUpdate,
    PlanReview,
    PlanStatus,
    ReviewOutcome,
    TreatmentPlan,
)
from ._common import (
    _audit,
    _deny,
    _is_superseded,
    _plan_for,
    _signed_plan,
)
from .drafts import plan_revise

# --- after signing ------------------------------------------------------------------------


def objective_status_record(
    *, actor, objective_id: int, status: str, note: str = "", client_address: str = ""
):
    """On a draft the status is part of the content; on the latest signed version it is
    appended as an update, so the signed version itself is not edited."""
    objective, plan = (None, None)
    item = (
        Objective.objects.select_related("goal__problem__plan__patient")
        .filter(pk=objective_id)
        .first()
    )
    if item is not None:
        objective, plan = item, item.goal.problem.plan
    if plan is None or not access.access_plan_edit(actor, plan.patient):
        raise _deny(
            actor,
            AuditAction.UPDATE,
            "objective",
            objective_id,
            plan.patient_id if plan else None,
            client_address,
        )
    if status not in ObjectiveStatus.values:
        raise ApplicationError(
            "Unknown status.",
            field_errors={"status": "Choose one of: " + ", ".join(ObjectiveStatus.values) + "."},
        )
    with transaction.atomic():
        plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.DRAFT:
            objective.status = status
            objective.save(update_fields=["status"])
            result = objective
        else:
            if _is_superseded(plan):
                raise ApplicationError(
                    "A newer version of this plan exists; update the objective there.",
                    field_errors={"status": "Not the latest version."},
                )
            result = ObjectiveStatusUpdate.objects.create(
                objective=objective, status=status, note=(note or "").strip(), recorded_by=actor
            )
        _audit(
            actor, AuditAction.UPDATE, plan, client_address, objective=objective.pk, status=status
        )
    return result


def plan_review_record(
    *,
    actor,
    plan_id: int,
    outcome: str,
    note: str,
    reviewed_on: date | None = None,
    client_address: str = "",
) -> PlanReview:
    """Record a scheduled review; the next review falls due one cadence later.

    A review that decides to revise also opens the revision draft.
    """
    plan = _plan_for(actor, plan_id, access.access_plan_edit, AuditAction.UPDATE, client_address)
    errors = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "Choose continue or revise."
    if not (note or "").strip():
        errors["note"] = "Summarise the review."
    today = program_today(plan.episode.program)
    reviewed = reviewed_on or today
    if reviewed > today:
        errors["reviewed_on"] = "Cannot be in the future."
    if errors:
        raise ApplicationError("The review could not be recorded.", field_errors=errors)
    with transaction.atomic():
        plan = _signed_plan(plan.pk)
        review = PlanReview.objects.create(
            plan=plan, reviewed_on=reviewed, outcome=outcome, note=note.strip(), reviewer=actor
        )
        _audit(actor, "review", plan, client_address, outcome=outcome)
        if (
            outcome == ReviewOutcome.REVISE
            and not plan.episode.treatment_plans.filter(status=PlanStatus.DRAFT).exists()
        ):
            plan_revise(
                actor=actor,
                plan_id=plan.pk,
                reason=f"Review on {reviewed:%Y-%m-%d}: {note.strip()}",
                client_address=client_address,
            )
    return review
