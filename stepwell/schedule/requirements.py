"""What a patient's week must hold, read from their signed treatment plan.

A signed plan's interventions say what the week needs: individual therapy and medication
management become appointments with the responsible staff member; psychoeducation,
group therapy and family sessions become minimum counts of that session kind. The
frequency text gives the count per week ("2 times a week", "twice weekly", "weekly");
anything else counts once. The same modality under several goals is one need, not a sum:
a weekly individual session serves every goal that names it, so the largest count wins. A patient without a signed plan gets the program defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FREQUENCY_WORDS = {"once": 1, "twice": 2, "thrice": 3, "daily": 5, "weekly": 1}
PER_WEEK = re.compile(
    r"(\d+)\s*(?:x|times?|sessions?|visits?|groups?)?\s*(?:a|per|/|each)\s*w(?:ee)?k", re.IGNORECASE
)
MODALITY_SESSION_KIND = {
    "psychoeducation": "psychoeducation",
    "group_therapy": "process_group",
    "family_session": "family_group",
}


def weekly_count(frequency: str) -> int:
    """How many times a week a frequency text asks for (at least 1)."""
    text = (frequency or "").strip().lower()
    match = PER_WEEK.search(text)
    if match:
        return max(1, int(match.group(1)))
    for word, count in FREQUENCY_WORDS.items():
        if re.search(rf"\b{word}\b", text):
            return count
    return 1


@dataclass
class PlanRequirements:
    individual_count: int = 0
    individual_staff: int | None = None
    medication_count: int = 0
    medication_staff: int | None = None
    sessions_by_kind: dict[str, int] = field(default_factory=dict)


def plan_requirements(patient_ids) -> dict[int, PlanRequirements]:
    """From each patient's latest signed plan, by patient id; patients without one are absent."""
    from stepwell.plans.models import Intervention, PlanStatus, TreatmentPlan

    latest: dict[int, int] = {}
    for plan_id, patient_id in (
        TreatmentPlan.objects.filter(patient_id__in=patient_ids, status=PlanStatus.SIGNED)
        .order_by("patient_id", "-version")
        .values_list("pk", "patient_id")
    ):
        latest.setdefault(patient_id, plan_id)
    result: dict[int, PlanRequirements] = {}
    plan_to_patient = {plan_id: patient_id for patient_id, plan_id in latest.items()}
    interventions = Intervention.objects.filter(
        goal__problem__plan_id__in=plan_to_patient
    ).values_list("goal__problem__plan_id", "modality", "frequency", "responsible_id")
    for plan_id, modality, frequency, responsible in interventions:
        wanted = result.setdefault(plan_to_patient[plan_id], PlanRequirements())
        count = weekly_count(frequency)
        if modality == "individual_therapy":
            wanted.individual_count = max(wanted.individual_count, count)
            wanted.individual_staff = wanted.individual_staff or responsible
        elif modality == "medication_management":
            wanted.medication_count = max(wanted.medication_count, count)
            wanted.medication_staff = wanted.medication_staff or responsible
        elif modality in MODALITY_SESSION_KIND:
            kind = MODALITY_SESSION_KIND[modality]
            wanted.sessions_by_kind[kind] = max(wanted.sessions_by_kind.get(kind, 0), count)
    for patient_id in latest:
        result.setdefault(patient_id, PlanRequirements())
    return result
