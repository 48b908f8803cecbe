"""The content of a draft plan: problems, goals and objectives added, items removed.

Only a draft changes; a signed version is immutable (plans.services.versions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.privacy.access.plans import (
    PLAN_ITEM_MODELS,
    PlanNeed,
    access_plan_by_id,
    access_plan_item_by_id,
)
from stepwell.privacy.audit import AuditAction

from ..models import (
    Comparison,
    Goal,
    GoalDomain,
    MeasureKind,
    Objective,
    ObjectiveStatus,
    Problem,
    TreatmentPlan,
)
from .audit import plan_audit
from .items import item_save_checked, next_position
from .versions import draft_locked

_INSTRUMENT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def problem_add(
    *,
    actor,
    plan_id: int,
    statement: str,
    assessment_finding: str = "",
    diagnosis_ids: list[int] = (),
) -> Problem:
    plan = access_plan_by_id(actor, plan_id, need=PlanNeed.EDIT, action=AuditAction.UPDATE)
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
        plan = draft_locked(plan.pk)
        problem = Problem(
            plan=plan,
            position=next_position(plan.problems),
            statement=(statement or "").strip(),
            assessment_finding=(assessment_finding or "").strip(),
        )
        item_save_checked(problem, "The problem could not be added.")
        problem.diagnoses.set(diagnoses)
        plan_audit(actor, AuditAction.UPDATE, plan, added_problem=problem.pk)
    return problem


def goal_add(
    *,
    actor,
    problem_id: int,
    domain: str,
    patient_words: str,
    clinical_wording: str,
    domain_label: str = "",
) -> Goal:
    problem, plan = access_plan_item_by_id(actor, "problem", problem_id)
    with transaction.atomic():
        draft_locked(plan.pk)
        goal = Goal(
            problem=problem,
            position=next_position(problem.goals),
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
        item_save_checked(goal, "The goal could not be added.")
        plan_audit(actor, AuditAction.UPDATE, plan, added_goal=goal.pk)
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
) -> Objective:
    goal, plan = access_plan_item_by_id(actor, "goal", goal_id)
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
        draft_locked(plan.pk)
        objective = Objective(
            goal=goal,
            position=next_position(goal.objectives),
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
        item_save_checked(objective, "The objective could not be added.")
        plan_audit(actor, AuditAction.UPDATE, plan, added_objective=objective.pk)
    return objective


def plan_item_remove(*, actor, kind: str, item_id: int) -> TreatmentPlan:
    """Remove a problem, goal, objective or intervention (and what hangs under it) from a draft."""
    if kind not in PLAN_ITEM_MODELS:
        raise ApplicationError("Unknown item.", field_errors={"kind": "Unknown item kind."})
    item, plan = access_plan_item_by_id(actor, kind, item_id)
    with transaction.atomic():
        plan = draft_locked(plan.pk)
        item.delete()
        plan_audit(actor, AuditAction.UPDATE, plan, removed={kind: item_id})
    return plan


# What each item's edit may change: its words and dates. Its place in the plan, its
# measure and its numbers are changed by removing it and adding it again.
EDITABLE_FIELDS = {
    "problem": ("statement", "assessment_finding"),
    "goal": ("patient_words", "clinical_wording"),
    "objective": ("description", "target_date"),
}


def plan_item_update(*, actor, kind: str, item_id: int, data: dict):
    """Edit a problem's, goal's or objective's words (or an objective's target date) while
    the plan is a draft. A key left out keeps its value; a signed version is never edited."""
    if kind not in EDITABLE_FIELDS:
        raise ApplicationError(
            "Only a problem, goal or objective is edited here.",
            field_errors={"kind": "Remove the intervention and add it again."},
        )
    item, plan = access_plan_item_by_id(actor, kind, item_id)
    allowed = EDITABLE_FIELDS[kind]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApplicationError(
            "Unknown fields.", field_errors={f: "Cannot be edited here." for f in unknown}
        )
    errors = {}
    target_date = data.get("target_date")
    if "target_date" in data:
        if target_date is None:
            errors["target_date"] = "Give a target date."
        elif target_date < program_today(plan.episode.program):
            errors["target_date"] = "Cannot be in the past."
    if errors:
        raise ApplicationError(f"The {kind} could not be saved.", field_errors=errors)
    with transaction.atomic():
        plan = draft_locked(plan.pk)
        item = type(item).objects.select_for_update().get(pk=item.pk)
        changed = {}
        for field in allowed:
            if field not in data:
                continue
            value = data[field].strip() if isinstance(data[field], str) else data[field]
            if getattr(item, field) != value:
                changed[field] = {"from": str(getattr(item, field)), "to": str(value)}
                setattr(item, field, value)
        item_save_checked(item, f"The {kind} could not be saved.")
        plan_audit(actor, AuditAction.UPDATE, plan, edited={kind: item.pk}, fields=sorted(changed))
    return item
