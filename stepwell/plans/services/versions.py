"""Plan versions: the first draft, revisions, and the locks a change takes.

A signed plan is never edited: a revision is a new draft version copied from it, with the
same item lineage so the page can show what changed.
"""

from __future__ import annotations

from django.db import transaction

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode
from stepwell.privacy.access.plans import (
    PlanNeed,
    access_plan_by_id,
    access_plan_episode_by_id,
)
from stepwell.privacy.audit import AuditAction

from ..models import PlanStatus, TreatmentPlan
from ..policy import PLANNABLE_STATES, physician_required, review_days_for
from ..selectors.versions import objective_current_status, plan_is_superseded
from .audit import plan_audit


def draft_locked(plan_id: int) -> TreatmentPlan:
    """The draft, locked for the change; a signed version is refused."""
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(
            "This plan version is signed and cannot be changed; start a revision.",
            field_errors={"plan": "Signed versions are immutable."},
        )
    return plan


def signed_plan_locked(plan_id: int) -> TreatmentPlan:
    """The latest signed version, locked; drafts and superseded versions are refused."""
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan_id)
    if not plan.is_signed:
        raise ApplicationError(
            "The clinician signs the plan first.", field_errors={"plan": "Still a draft."}
        )
    if plan_is_superseded(plan):
        raise ApplicationError(
            "A newer signed version replaces this one.", field_errors={"plan": "Superseded."}
        )
    return plan


def plan_create(*, actor, episode_id: int) -> TreatmentPlan:
    """Start the episode's first plan (version 1, a draft)."""
    episode = access_plan_episode_by_id(actor, episode_id)
    if episode.state not in PLANNABLE_STATES:
        raise ApplicationError(
            "Admit the patient before writing a treatment plan.",
            field_errors={"episode": f"The episode is {episode.get_state_display().lower()}."},
        )
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        if episode.treatment_plans.exists():
            raise ApplicationError(
                "This episode already has a plan; revise it instead.",
                field_errors={"episode": "Has a plan."},
            )
        plan = TreatmentPlan.objects.create(
            patient=episode.patient,
            episode=episode,
            version=1,
            review_days=review_days_for(episode.program),
            requires_physician_signature=physician_required(
                episode, program_today(episode.program)
            ),
            created_by=actor,
        )
        plan_audit(actor, AuditAction.CREATE, plan, version=1)
    return plan


def plan_revise(*, actor, plan_id: int, reason: str) -> TreatmentPlan:
    """Copy a signed version into a new draft version; the signed one is left as it was."""
    plan = access_plan_by_id(actor, plan_id, need=PlanNeed.EDIT, action=AuditAction.CREATE)
    if not (reason or "").strip():
        raise ApplicationError("Say why the plan is revised.", field_errors={"reason": "Required."})
    with transaction.atomic():
        return revision_open(actor, plan.pk, reason.strip())


def revision_open(actor, plan_id: int, reason: str) -> TreatmentPlan:
    """The new draft version of the signed plan `plan_id`. Runs inside the caller's
    transaction, after the caller checked the actor may edit the plan."""
    plan = (
        TreatmentPlan.objects.select_for_update().select_related("episode__program").get(pk=plan_id)
    )
    if not plan.is_signed:
        raise ApplicationError(
            "This version is still a draft; edit it directly.",
            field_errors={"plan": "Draft."},
        )
    if TreatmentPlan.objects.filter(previous=plan).exists():
        raise ApplicationError(
            "A newer version exists; revise the latest version.",
            field_errors={"plan": "Not the latest version."},
        )
    new = TreatmentPlan.objects.create(
        patient=plan.patient,
        episode=plan.episode,
        version=plan.version + 1,
        previous=plan,
        revision_reason=reason,
        review_days=review_days_for(plan.episode.program),
        requires_physician_signature=physician_required(
            plan.episode, program_today(plan.episode.program)
        ),
        created_by=actor,
    )
    _copy_content(plan, new)
    plan_audit(actor, AuditAction.CREATE, new, version=new.version, previous=plan.pk)
    return new


def _copy_content(source: TreatmentPlan, target: TreatmentPlan) -> None:
    for problem in source.problems.all():
        diagnoses = list(problem.diagnoses.all())
        goals = list(problem.goals.all())
        problem.pk = None
        problem.plan = target
        problem.save()
        problem.diagnoses.set(diagnoses)
        for goal in goals:
            objectives = list(goal.objectives.all())
            interventions = list(goal.interventions.all())
            goal.pk = None
            goal.problem = problem
            goal.save()
            for objective in objectives:
                objective.status = objective_current_status(objective)
                objective.pk = None
                objective.goal = goal
                objective.save()
            for intervention in interventions:
                intervention.pk = None
                intervention.goal = goal
                intervention.save()
