"""What changed between two plan versions, matched item by item through their lineage."""

from __future__ import annotations

from dataclasses import dataclass

from .models import TreatmentPlan

_FIELDS = {
    "problem": ("statement", "assessment_finding"),
    "goal": ("domain", "domain_label", "patient_words", "clinical_wording"),
    "objective": (
        "description",
        "target_date",
        "status",
        "measure_kind",
        "instrument",
        "comparison",
        "target_value",
        "module",
    ),
    "intervention": (
        "modality",
        "description",
        "minutes_per_session",
        "sessions_per_week",
        "duration_weeks",
        "responsible_id",
    ),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    kind: str  # problem, goal, objective, intervention
    change: str  # added, removed, changed
    label: str
    fields: tuple[FieldChange, ...] = ()


def _items(plan: TreatmentPlan) -> dict[tuple[str, str], object]:
    found: dict[tuple[str, str], object] = {}
    for problem in plan.problems.prefetch_related(
        "diagnoses", "goals__objectives", "goals__interventions__responsible"
    ):
        found[("problem", str(problem.lineage))] = problem
        for goal in problem.goals.all():
            found[("goal", str(goal.lineage))] = goal
            for objective in goal.objectives.all():
                found[("objective", str(objective.lineage))] = objective
            for intervention in goal.interventions.all():
                found[("intervention", str(intervention.lineage))] = intervention
    return found


def _value(item, field: str) -> str:
    if field == "responsible_id":
        return str(item.responsible)
    display = getattr(item, f"get_{field}_display", None)
    value = display() if display else getattr(item, field)
    return "" if value is None else str(value)


def _label(item) -> str:
    return str(item)


def plan_changes(previous: TreatmentPlan | None, current: TreatmentPlan) -> list[ItemChange]:
    """Items added, removed or changed from `previous` to `current`, in plan order."""
    if previous is None:
        return []
    before, after = _items(previous), _items(current)
    changes: list[ItemChange] = []
    for key, item in after.items():
        kind = key[0]
        old = before.get(key)
        if old is None:
            changes.append(ItemChange(kind, "added", _label(item)))
            continue
        fields = tuple(
            FieldChange(field.removesuffix("_id"), _value(old, field), _value(item, field))
            for field in _FIELDS[kind]
            if _value(old, field) != _value(item, field)
        )
        if kind == "problem":
            old_codes = sorted(d.code for d in old.diagnoses.all())
            new_codes = sorted(d.code for d in item.diagnoses.all())
            if old_codes != new_codes:
                fields = (
                    *fields,
                    FieldChange("diagnoses", ", ".join(old_codes), ", ".join(new_codes)),
                )
        if fields:
            changes.append(ItemChange(kind, "changed", _label(item), fields))
    for key, item in before.items():
        if key not in after:
            changes.append(ItemChange(key[0], "removed", _label(item)))
    return changes
