"""After signing: objective status updates and scheduled plan reviews."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.plans import PlanNeed, access_plan_by_id, access_plan_item_by_id
from stepwell.privacy.audit import AuditAction

from ..models import (
    ObjectiveStatus,
    ObjectiveStatusUpdate,
    PlanReview,
    PlanStatus,
    ReviewOutcome,
    TreatmentPlan,
)
from ..selectors.versions import plan_is_superseded
from .audit import plan_audit
from .versions import revision_open, signed_plan_locked


def objective_status_record(*, actor, objective_id: int, status: str, note: str = ""):
    """On a draft the status is part of the content; on the latest signed version it is
    appended as an update, so the signed version itself is not edited."""
    objective, plan = access_plan_item_by_id(actor, "objective", objective_id)
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
            if plan_is_superseded(plan):
                raise ApplicationError(
                    "A newer version of this plan exists; update the objective there.",
                    field_errors={"status": "Not the latest version."},
                )
            result = ObjectiveStatusUpdate.objects.create(
                objective=objective, status=status, note=(note or "").strip(), recorded_by=actor
            )
        plan_audit(actor, AuditAction.UPDATE, plan, objective=objective.pk, status=status)
    return result


def plan_review_record(
    *,
    actor,
    plan_id: int,
    outcome: str,
    note: str,
    reviewed_on: date | None = None,
) -> PlanReview:
    """Record a scheduled review; the next review falls due one cadence later.

    A review that decides to revise also opens the revision draft.
    """
    plan = access_plan_by_id(actor, plan_id, need=PlanNeed.EDIT, action=AuditAction.UPDATE)
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
        plan = signed_plan_locked(plan.pk)
        review = PlanReview.objects.create(
            plan=plan, reviewed_on=reviewed, outcome=outcome, note=note.strip(), reviewer=actor
        )
        plan_audit(actor, "review", plan, outcome=outcome)
        if (
            outcome == ReviewOutcome.REVISE
            and not plan.episode.treatment_plans.filter(status=PlanStatus.DRAFT).exists()
        ):
            revision_open(actor, plan.pk, f"Review on {reviewed:%Y-%m-%d}: {note.strip()}")
    return review
