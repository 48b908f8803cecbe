"""The signed treatment plan as a US Core CarePlan with its Goals.

The plan's problems, goals, objectives and interventions follow the written plan of
treatment (docs/clinical-sources.md §2.1): each intervention's amount, frequency and
duration go into the activity's timing, so a receiver reads the same numbers the
scheduler books.
"""

from __future__ import annotations

from stepwell.interop import codes
from stepwell.plans.models import ObjectiveStatus

from .base import coding, concept, day, instant, loinc, meta, narrative, reference

COMPARATOR = {"below": "<", "at_least": ">="}
UNITS = {
    "attendance_rate": ("Attendance rate", "%", "%"),
    "days_abstinent": ("Days abstinent", "days", "d"),
}


def objective_status(objective) -> str:
    """The latest status: updates on a signed plan are appended, the objective is not edited."""
    updates = list(objective.status_updates.all())
    status = updates[-1].status if updates else objective.status
    return ObjectiveStatus(status).label.lower()


def objective_target(objective, *, total: tuple[str, dict | None] | None) -> dict:
    """One objective as a Goal target: its measure and threshold where it has one, and its
    target date. The objective's own words go into the Goal's notes."""
    kind = objective.measure_kind
    target: dict = {"dueDate": day(objective.target_date)}
    if kind == "questionnaire_total" and objective.target_value is not None:
        name, code = total or (objective.instrument.upper(), None)
        target["measure"] = concept(f"{name} total score", code)
        target["detailQuantity"] = {
            "value": float(objective.target_value),
            "comparator": COMPARATOR.get(objective.comparison),
            "unit": "{score}",
            "system": codes.UCUM,
            "code": "{score}",
        }
    elif kind in UNITS and objective.target_value is not None:
        label, unit, ucum = UNITS[kind]
        target["measure"] = {"text": label}
        target["detailQuantity"] = {
            "value": float(objective.target_value),
            "comparator": COMPARATOR.get(objective.comparison),
            "unit": unit,
            "system": codes.UCUM,
            "code": ucum,
        }
    elif kind == "curriculum_module":
        target["measure"] = {"text": "Curriculum module completed"}
        target["detailString"] = objective.module
    return target


def goal_resource(
    goal,
    *,
    patient_ref: dict,
    condition_refs: list[dict],
    total_codes: dict,
    active: bool,
    start,
    part2: bool,
) -> dict:
    """US Core Goal: the clinical wording as its description, the patient's own words
    and each objective in its notes, measured objectives as targets."""
    objectives = list(goal.objectives.all())
    notes = [{"text": f"In the patient's words: {goal.patient_words}"}]
    for number, objective in enumerate(objectives, 1):
        notes.append(
            {
                "text": f"Objective {number}: {objective.description} "
                f"(target date {objective.target_date.isoformat()}; "
                f"status: {objective_status(objective)})"
            }
        )
    return {
        "resourceType": "Goal",
        "id": str(goal.pk),
        "meta": meta("Goal", part2=part2),
        "lifecycleStatus": "active" if active else "completed",
        "category": [{"text": goal.domain_name}],
        "description": {"text": goal.clinical_wording},
        "subject": patient_ref,
        "startDate": day(start),
        "target": [objective_target(o, total=total_codes.get(o.instrument)) for o in objectives],
        "addresses": condition_refs,
        "note": notes,
    }


def _activity(intervention, *, goal_ref: dict, performer_ref: dict | None, active: bool) -> dict:
    repeat = {
        "frequency": intervention.sessions_per_week,
        "period": 1 if intervention.sessions_per_week else None,
        "periodUnit": "wk" if intervention.sessions_per_week else None,
        "duration": intervention.minutes_per_session,
        "durationUnit": "min" if intervention.minutes_per_session else None,
    }
    if intervention.duration_weeks:
        repeat["boundsDuration"] = {
            "value": intervention.duration_weeks,
            "unit": "wk",
            "system": codes.UCUM,
            "code": "wk",
        }
    description = intervention.amount_text
    if intervention.description:
        description = f"{intervention.description} ({description})"
    return {
        "detail": {
            "code": {"text": intervention.get_modality_display()},
            "goal": [goal_ref],
            "status": "in-progress" if active else "completed",
            "performer": [performer_ref] if performer_ref else [],
            "scheduledTiming": {"repeat": repeat},
            "description": description,
        }
    }


def care_plan_resource(
    plan,
    *,
    patient_ref: dict,
    author_ref: dict | None,
    condition_refs: list[dict],
    performer_refs: dict[int, dict],
    missing_signatures: list[str],
    active: bool,
    part2: bool,
) -> dict:
    problems = list(plan.problems.all())
    lines = [f"Treatment plan, version {plan.version}, signed {plan.signed_at:%Y-%m-%d}."]
    if missing_signatures:
        lines.append("Still waiting for: " + ", ".join(missing_signatures) + ".")
    activities, goal_refs = [], []
    for p_number, problem in enumerate(problems, 1):
        lines.append(f"Problem {p_number}: {problem.statement}")
        for goal in problem.goals.all():
            goal_ref = reference("Goal", goal.pk)
            goal_refs.append(goal_ref)
            lines.append(
                f"Goal: {goal.clinical_wording} (in the patient's words: {goal.patient_words})"
            )
            for intervention in goal.interventions.all():
                lines.append(
                    f"Intervention: {intervention.get_modality_display()}, {intervention.amount_text}"
                )
                activities.append(
                    _activity(
                        intervention,
                        goal_ref=goal_ref,
                        performer_ref=performer_refs.get(intervention.responsible_id),
                        active=active,
                    )
                )
    return {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "meta": meta("CarePlan", part2=part2),
        "text": narrative(*lines),
        "status": "active" if active else "completed",
        "intent": "plan",
        "category": [
            concept(
                "",
                coding(codes.CAREPLAN_CATEGORY, "assess-plan", "Assessment and Plan of Treatment"),
            )
        ],
        "title": f"Treatment plan, version {plan.version}",
        "subject": patient_ref,
        "period": {"start": instant(plan.signed_at)},
        "created": instant(plan.signed_at),
        "author": author_ref,
        "addresses": condition_refs,
        "goal": goal_refs,
        "activity": activities,
    }


def total_codes_of(instruments: dict) -> dict[str, tuple[str, dict | None]]:
    """Instrument key -> (its abbreviation, its LOINC total coding or None)."""
    return {
        key: (instrument.abbreviation, loinc(instrument.loinc_total))
        for key, instrument in instruments.items()
    }
