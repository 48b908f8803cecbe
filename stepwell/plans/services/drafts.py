"""Plan versions and their content: create, revise, add and remove items (drafts only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.patients.models import Episode
from stepwell.patients.services import program_today
from stepwell.privacy.audit import AuditAction

from .. import access
from ..models import (
    Comparison,
    Goal,
    GoalDomain,
    Intervention,
    MeasureKind,
    Objective,
    ObjectiveStatus,
    Problem,
    TreatmentPlan,
)
from ._common import (
    _INSTRUMENT_KEY,
    PLANNABLE_STATES,
    _audit,
    _deny,
    _lock_draft,
    _next_position,
    _plan_for,
    _save,
    physician_required,
    review_days_for,
)

# --- plan versions ------------------------------------------------------------------------


def plan_create(*, actor, episode_id: int, client_address: str = "") -> TreatmentPlan:
    """Start the episode's first plan (version 1, a draft)."""
    episode = Episode.objects.select_related("patient", "program").filter(pk=episode_id).first()
    if episode is None or not access.access_plan_edit(actor, episode.patient):
        raise _deny(
            actor,
            AuditAction.CREATE,
            "treatment_plan",
            "",
            episode.patient_id if episode else None,
            client_address,
        )
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
        _audit(actor, AuditAction.CREATE, plan, client_address, version=1)
    return plan


def objective_current_status(objective: Objective) -> str:
    update = objective.status_updates.order_by("-recorded_at", "-pk").first()
    return update.status if update else objective.status


def plan_revise(*, actor, plan_id: int, reason: str, client_address: str = "") -> TreatmentPlan:
    """Copy a signed version into a new draft version; the signed one is left as it was."""
    plan = _plan_for(actor, plan_id, access.access_plan_edit, AuditAction.CREATE, client_address)
    if not (reason or "").strip():
        raise ApplicationError("Say why the plan is revised.", field_errors={"reason": "Required."})
    with transaction.atomic():
        plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
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
            revision_reason=reason.strip(),
            review_days=review_days_for(plan.episode.program),
            requires_physician_signature=physician_required(
                plan.episode, program_today(plan.episode.program)
            ),
            created_by=actor,
        )
        _copy_content(plan, new)
        _audit(
            actor, AuditAction.CREATE, new, client_address, version=new.version, previous=plan.pk
        )
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


# --- plan content (drafts only) -----------------------------------------------------------


def problem_add(
    *,
    actor,
    plan_id: int,
    statement: str,
    assessment_finding: str = "",
    diagnosis_ids: list[int] = (),
    client_address: str = "",
) -> Problem:
    plan = _plan_for(actor, plan_id, access.access_plan_edit, AuditAction.UPDATE, client_address)
    diagnoses = list(
        AssessmentDiagnosis.objects.filter(
            pk__in=list(diagnosis_ids), assessment__patient=plan.patient
        )
    )
    if len(diagnoses) != len(set(diagnosis_ids)):
        raise ApplicationError(
            "Unknown diagnosis.",
            field_errors={"diagnosis_ids": "Choose diagnoses from the patient's assessments."},
        )
    with transaction.atomic():
        plan = _lock_draft(plan.pk)
        problem = Problem(
            plan=plan,
            position=_next_position(plan.problems),
            statement=(statement or "").strip(),
            assessment_finding=(assessment_finding or "").strip(),
        )
        _save(problem, "The problem could not be added.")
        problem.diagnoses.set(diagnoses)
        _audit(actor, AuditAction.UPDATE, plan, client_address, added_problem=problem.pk)
    return problem


def _draft_item(model, item_id: int, actor, client_address: str):
    item = model.objects.filter(pk=item_id).first()
    plan = plan_of_item(item) if item is not None else None
    if plan is None or not access.access_plan_edit(actor, plan.patient):
        raise _deny(
            actor,
            AuditAction.UPDATE,
            model.__name__.lower(),
            item_id,
            plan.patient_id if plan else None,
            client_address,
        )
    return item, plan


def plan_of_item(item) -> TreatmentPlan:
    if isinstance(item, Problem):
        return item.plan
    if isinstance(item, Goal):
        return item.problem.plan
    return item.goal.problem.plan


def goal_add(
    *,
    actor,
    problem_id: int,
    domain: str,
    patient_words: str,
    clinical_wording: str,
    domain_label: str = "",
    client_address: str = "",
) -> Goal:
    problem, plan = _draft_item(Problem, problem_id, actor, client_address)
    with transaction.atomic():
        _lock_draft(plan.pk)
        goal = Goal(
            problem=problem,
            position=_next_position(problem.goals),
            domain=domain,
            domain_label=(domain_label or "").strip() if domain == GoalDomain.CLINIC else "",
            patient_words=(patient_words or "").strip(),
            clinical_wording=(clinical_wording or "").strip(),
        )
        if domain == GoalDomain.CLINIC and not goal.domain_label:
            raise ApplicationError(
                "Name the clinic's domain.",
                field_errors={"domain_label": "Required for the clinic's own domain."},
            )
        _save(goal, "The goal could not be added.")
        _audit(actor, AuditAction.UPDATE, plan, client_address, added_goal=goal.pk)
    return goal


@dataclass(frozen=True)
class MeasureIn:
    kind: str = MeasureKind.NONE
    instrument: str = ""
    comparison: str = ""
    target_value: float | None = None
    module: str = ""


def _measure_errors(measure: MeasureIn) -> dict[str, str]:
    errors = {}
    if measure.kind not in MeasureKind.values:
        return {"measure_kind": "Choose one of: " + ", ".join(MeasureKind.values) + "."}
    numeric = (
        MeasureKind.QUESTIONNAIRE_TOTAL,
        MeasureKind.ATTENDANCE_RATE,
        MeasureKind.DAYS_ABSTINENT,
    )
    if measure.kind == MeasureKind.QUESTIONNAIRE_TOTAL and not _INSTRUMENT_KEY.match(
        measure.instrument or ""
    ):
        errors["instrument"] = 'Name the questionnaire by its key, e.g. "phq9".'
    if measure.kind in numeric:
        if measure.comparison not in Comparison.values:
            errors["comparison"] = "Choose below or at least."
        if measure.target_value is None:
            errors["target_value"] = "Give the target value."
        elif measure.target_value < 0:
            errors["target_value"] = "Cannot be negative."
        elif measure.kind == MeasureKind.ATTENDANCE_RATE and measure.target_value > 100:
            errors["target_value"] = "A rate is at most 100 (%)."
    if measure.kind == MeasureKind.CURRICULUM_MODULE and not (measure.module or "").strip():
        errors["module"] = "Name the curriculum module."
    return errors


def objective_add(
    *,
    actor,
    goal_id: int,
    description: str,
    target_date: date | None,
    measure: MeasureIn = MeasureIn(),
    status: str = ObjectiveStatus.NOT_STARTED,
    client_address: str = "",
) -> Objective:
    goal, plan = _draft_item(Goal, goal_id, actor, client_address)
    errors = _measure_errors(measure)
    if target_date is None:
        errors["target_date"] = "Give a target date."
    elif target_date < program_today(plan.episode.program):
        errors["target_date"] = "Cannot be in the past."
    if status not in ObjectiveStatus.values:
        errors["status"] = "Choose one of: " + ", ".join(ObjectiveStatus.values) + "."
    if errors:
        raise ApplicationError("The objective could not be added.", field_errors=errors)
    numeric = measure.kind not in (MeasureKind.NONE, MeasureKind.CURRICULUM_MODULE)
    with transaction.atomic():
        _lock_draft(plan.pk)
        objective = Objective(
            goal=goal,
            position=_next_position(goal.objectives),
            description=(description or "").strip(),
            target_date=target_date,
            status=status,
            measure_kind=measure.kind,
            instrument=measure.instrument.strip().lower()
            if measure.kind == MeasureKind.QUESTIONNAIRE_TOTAL
            else "",
            comparison=measure.comparison if numeric else "",
            target_value=measure.target_value if numeric else None,
            module=measure.module.strip() if measure.kind == MeasureKind.CURRICULUM_MODULE else "",
        )
        _save(objective, "The objective could not be added.")
        _audit(actor, AuditAction.UPDATE, plan, client_address, added_objective=objective.pk)
    return objective


ITEM_MODELS = {
    "problem": Problem,
    "goal": Goal,
    "objective": Objective,
    "intervention": Intervention,
}


def plan_item_remove(*, actor, kind: str, item_id: int, client_address: str = "") -> TreatmentPlan:
    """Remove a problem, goal, objective or intervention (and what hangs under it) from a draft."""
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise ApplicationError("Unknown item.", field_errors={"kind": "Unknown item kind."})
    item, plan = _draft_item(model, item_id, actor, client_address)
    with transaction.atomic():
        _lock_draft(plan.pk)
        item.delete()
        _audit(actor, AuditAction.UPDATE, plan, client_address, removed={kind: item_id})
    return plan
