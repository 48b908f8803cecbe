"""What a discharge summary is drafted from: the episode's record, read once and kept as
the summary's `facts` (a snapshot, so a signed summary says what was known when it was
signed). Called by the summary services after their access check.

Attendance counts the patient's sessions from admission to discharge (or now): scheduled
are those that were due (not cancelled by the program), attended those marked present,
late or left early; hours are the scheduled length and the minutes attended.
Measures compare each instrument's first score in the episode (the baseline) with its last
by the instrument's reliable-change rule (docs/clinical-sources.md §3.7).
"""

from __future__ import annotations

from datetime import date, datetime

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from stepwell.measures.change import ChangeClassification
from stepwell.measures.progress import series_of
from stepwell.meds.selectors import discharge_medication_list
from stepwell.patients.models import Episode
from stepwell.plans.selectors.versions import objective_current_status, plan_latest_signed

# Attendance statuses, as stored by the care app (care.attendance_states).
ATTENDED = ("present", "late", "left_early")
NOT_DUE = ("cancelled_by_program",)

CLASSIFICATION_WORDS = {
    ChangeClassification.RELIABLE_IMPROVEMENT: "Reliable improvement",
    ChangeClassification.NO_RELIABLE_CHANGE: "No reliable change",
    ChangeClassification.RELIABLE_DETERIORATION: "Reliable deterioration",
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _levels_of_care(episode: Episode) -> list[dict]:
    return [
        {
            "date": change.effective_date.isoformat(),
            "change": change.get_direction_display(),
            "level": change.get_level_of_care_display(),
        }
        for change in episode.level_of_care_changes.all()
    ]


def _diagnoses(episode: Episode) -> list[dict]:
    diagnosis_model = apps.get_model("intake", "AssessmentDiagnosis")
    seen: set[str] = set()
    result = []
    for diagnosis in diagnosis_model.objects.filter(
        assessment__episode=episode, assessment__status="signed"
    ).order_by("-primary", "code"):
        if diagnosis.code in seen:
            continue
        seen.add(diagnosis.code)
        result.append(
            {
                "code": diagnosis.code,
                "description": diagnosis.description,
                "primary": diagnosis.primary,
            }
        )
    return result


def _attendance(episode: Episode, until: datetime) -> dict:
    attendance_model = apps.get_model("care", "Attendance")
    rows = attendance_model.objects.filter(
        patient_id=episode.patient_id, session_starts_at__lt=until
    ).exclude(status__in=NOT_DUE)
    if episode.admitted_on:
        rows = rows.filter(session_starts_at__date__gte=episode.admitted_on)
    scheduled_minutes = sum(
        int((row.session_ends_at - row.session_starts_at).total_seconds() // 60)
        for row in rows.only("session_starts_at", "session_ends_at")
    )
    attended = rows.filter(status__in=ATTENDED)
    attended_minutes = attended.aggregate(total=Sum("minutes_attended"))["total"] or 0
    return {
        "sessions_scheduled": rows.count(),
        "sessions_attended": attended.count(),
        "hours_scheduled": round(scheduled_minutes / 60, 1),
        "hours_attended": round(attended_minutes / 60, 1),
    }


def _measures(episode: Episode) -> list[dict]:
    administration_model = apps.get_model("measures", "Administration")
    administrations = list(
        administration_model.objects.filter(patient_id=episode.patient_id, episode=episode)
    )
    result = []
    for series in series_of(administrations):
        first, last = series.points[0], series.points[-1]
        change = series.change()
        classification = change.classification if change else None
        result.append(
            {
                "instrument": series.instrument.key,
                "name": series.instrument.abbreviation or series.instrument.name,
                "baseline": first.total,
                "baseline_on": first.completed_on.isoformat(),
                "last": last.total,
                "last_on": last.completed_on.isoformat(),
                "scores": len(series.points),
                "change": last.total - first.total,
                "classification": CLASSIFICATION_WORDS.get(classification, "Not classified")
                if len(series.points) > 1
                else "Only one score",
            }
        )
    return result


def _goals(episode: Episode) -> list[dict]:
    plan = plan_latest_signed(episode)
    if plan is None:
        return []
    goals = []
    for problem in plan.problems.prefetch_related("goals__objectives"):
        for goal in problem.goals.all():
            objectives = []
            for objective in goal.objectives.all():
                status = objective_current_status(objective)
                label = dict(objective._meta.get_field("status").choices).get(status, status)
                objectives.append({"text": objective.description, "status": str(label)})
            goals.append(
                {
                    "goal": goal.clinical_wording,
                    "in_patient_words": goal.patient_words,
                    "objectives": objectives,
                }
            )
    return goals


def _medications(episode: Episode) -> list[dict] | None:
    listed = discharge_medication_list(episode)
    if listed is None:
        return None
    return [{"name": m.name, "dose": m.dose_text} for m in listed]


def episode_facts(episode: Episode, *, now: datetime | None = None) -> dict:
    """The summary's facts, drafted from the episode's record as it is now."""
    now = now or timezone.now()
    return {
        "program": episode.program.name,
        "program_level_of_care": episode.program.get_level_of_care_display(),
        "referred_on": _iso(episode.referred_on),
        "admitted_on": _iso(episode.admitted_on),
        "discharged_on": _iso(episode.discharged_on),
        "levels_of_care": _levels_of_care(episode),
        "diagnoses": _diagnoses(episode),
        "attendance": _attendance(episode, now),
        "measures": _measures(episode),
        "goals": _goals(episode),
        "medications": _medications(episode),
    }
