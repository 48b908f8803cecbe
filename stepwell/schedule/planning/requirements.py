"""What a patient's week must hold, read from the numbers of their signed treatment plan.

A signed plan's interventions state their type, minutes per session, sessions a week and
for how many weeks (docs/clinical-sources.md §2.1). Individual therapy and medication
management become appointments of that length with the responsible staff member;
psychoeducation, group therapy and family sessions become minimum counts of that session
kind. The same type under several goals is one need, not a sum: a weekly individual
session serves every goal that names it, so the intervention asking for the most sessions
wins (then the longer one). An intervention whose weeks have run out by the planned week
is no longer asked for; its weeks count from the day the first version carrying it was
signed. An intervention still marked `needs_review` without a count is asked for once a
week. A patient without a signed plan gets the program defaults (patient_rows.py
`default_requirements`).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min
from django.utils import timezone

from stepwell.schedule.booking.services import SLOT_MINUTES

MODALITY_SESSION_KIND = {
    "psychoeducation": "psychoeducation",
    "group_therapy": "process_group",
    "family_session": "family_group",
}


@dataclass
class PlanRequirements:
    individual_count: int = 0
    individual_staff: int | None = None
    individual_minutes: int | None = None
    medication_count: int = 0
    medication_staff: int | None = None
    medication_minutes: int | None = None
    sessions_by_kind: dict[str, int] = field(default_factory=dict)


def booking_minutes(minutes: int | None) -> int | None:
    """A session's minutes rounded up to the 15-minute booking grid (50 -> 60)."""
    if minutes is None:
        return None
    return -(-minutes // SLOT_MINUTES) * SLOT_MINUTES


def _latest_signed_plans(patient_ids) -> dict[int, int]:
    """Plan id -> patient id of each patient's latest signed version."""
    from stepwell.plans.models import PlanStatus, TreatmentPlan

    latest: dict[int, int] = {}
    for plan_id, patient_id in (
        TreatmentPlan.objects.filter(patient_id__in=patient_ids, status=PlanStatus.SIGNED)
        .order_by("patient_id", "-version")
        .values_list("pk", "patient_id")
    ):
        latest.setdefault(patient_id, plan_id)
    return {plan_id: patient_id for patient_id, plan_id in latest.items()}


def _first_signed_days(lineages, zones: dict[int, str]) -> dict[tuple[int, object], date]:
    """(patient id, lineage) -> the local day the first signed version with it was signed."""
    from stepwell.plans.models import Intervention, PlanStatus

    rows = (
        Intervention.objects.filter(
            lineage__in=lineages, goal__problem__plan__status=PlanStatus.SIGNED
        )
        .values("goal__problem__plan__patient_id", "lineage")
        .annotate(first=Min("goal__problem__plan__signed_at"))
    )
    return {
        (row["goal__problem__plan__patient_id"], row["lineage"]): timezone.localdate(
            row["first"], zoneinfo.ZoneInfo(zones[row["goal__problem__plan__patient_id"]])
        )
        for row in rows
    }


def plan_requirements(
    patient_ids, *, week_start: date | None = None
) -> dict[int, PlanRequirements]:
    """From each patient's latest signed plan, by patient id; patients without one are
    absent. With `week_start`, interventions whose weeks ended before it are left out."""
    from stepwell.plans.models import Intervention

    plan_to_patient = _latest_signed_plans(patient_ids)
    rows = list(
        Intervention.objects.filter(goal__problem__plan_id__in=plan_to_patient).values_list(
            "goal__problem__plan_id",
            "goal__problem__plan__episode__program__timezone",
            "lineage",
            "modality",
            "sessions_per_week",
            "minutes_per_session",
            "duration_weeks",
            "responsible_id",
        )
    )
    zones = {plan_to_patient[row[0]]: row[1] for row in rows}
    started = _first_signed_days({row[2] for row in rows}, zones) if week_start else {}
    chosen: dict[tuple[int, str], tuple[int, int, int | None, int]] = {}
    for plan_id, _zone, lineage, modality, sessions, minutes, weeks, responsible in rows:
        patient_id = plan_to_patient[plan_id]
        if week_start is not None and weeks is not None:
            ends = started[(patient_id, lineage)] + timedelta(weeks=weeks)
            if ends <= week_start:
                continue
        candidate = (sessions or 1, minutes or 0, minutes, responsible)
        key = (patient_id, modality)
        if key not in chosen or candidate[:2] > chosen[key][:2]:
            chosen[key] = candidate
    result = {patient_id: PlanRequirements() for patient_id in plan_to_patient.values()}
    for (patient_id, modality), (count, _, minutes, responsible) in sorted(chosen.items()):
        wanted = result[patient_id]
        if modality == "individual_therapy":
            wanted.individual_count = count
            wanted.individual_minutes = booking_minutes(minutes)
            wanted.individual_staff = responsible
        elif modality == "medication_management":
            wanted.medication_count = count
            wanted.medication_minutes = booking_minutes(minutes)
            wanted.medication_staff = responsible
        elif modality in MODALITY_SESSION_KIND:
            wanted.sessions_by_kind[MODALITY_SESSION_KIND[modality]] = count
    return result
