"""The optimizer asks for what the patient's signed treatment plan says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.plans.models import Goal, Intervention, Problem, TreatmentPlan
from stepwell.schedule import planning
from stepwell.schedule.instance import instance_from_dict
from stepwell.schedule.requirements import weekly_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("2 times a week", 2),
        ("3x per week", 3),
        ("4 sessions/week", 4),
        ("twice weekly", 2),
        ("weekly, 60 minutes", 1),
        ("once a week", 1),
        ("daily", 5),
        ("as needed", 1),
        ("", 1),
    ],
)
def test_weekly_count(text, count):
    assert weekly_count(text) == count


def _signed_plan(clinic, interventions, *, version=1, status="signed"):
    plan = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=version,
        status=status,
        review_days=30,
        created_by=clinic.clinician_a,
        signed_at=timezone.now() if status == "signed" else None,
    )
    problem = Problem.objects.create(plan=plan, statement="Low mood most days")
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="Feel like myself",
        clinical_wording="Reduce depressive symptoms",
    )
    for modality, frequency, responsible in interventions:
        Intervention.objects.create(
            goal=goal, modality=modality, frequency=frequency, responsible=responsible
        )
    return plan


def _patient_row(calendar):
    data = planning.schedule_instance_export(program=calendar.clinic.program_a, week=calendar.week)
    instance_from_dict(data)
    return next(p for p in data["patients"] if p["id"] == f"P{calendar.clinic.patient_a.pk}")


def test_signed_plan_sets_the_week(calendar):
    clinic = calendar.clinic
    _signed_plan(
        clinic,
        [
            ("individual_therapy", "2 times a week", clinic.clinician_a),
            ("medication_management", "weekly", clinic.prescriber_a),
            ("psychoeducation", "3 times a week", clinic.clinician_a),
            ("group_therapy", "twice a week", clinic.clinician_a),
        ],
    )
    row = _patient_row(calendar)
    assert row["individual"] == {"count": 2, "minutes": 60, "staff": f"S{clinic.clinician_a.pk}"}
    assert row["medication"] == {"count": 1, "minutes": 30, "staff": f"S{clinic.prescriber_a.pk}"}
    assert row["min_sessions_by_kind"] == {"psychoeducation": 3, "process_group": 2}


def test_plan_without_medication_asks_for_none(calendar):
    clinic = calendar.clinic
    _signed_plan(clinic, [("individual_therapy", "weekly", clinic.clinician_a)])
    row = _patient_row(calendar)
    assert "medication" not in row
    assert "min_sessions_by_kind" not in row
    assert row["individual"]["count"] == 1


def test_latest_signed_version_wins_and_drafts_are_ignored(calendar):
    clinic = calendar.clinic
    old = _signed_plan(clinic, [("individual_therapy", "3 times a week", clinic.clinician_a)])
    TreatmentPlan.objects.filter(pk=old.pk).update(
        status="signed", signed_at=timezone.now() - timedelta(days=40)
    )
    _signed_plan(clinic, [("individual_therapy", "weekly", clinic.clinician_a)], version=2)
    _signed_plan(
        clinic,
        [("individual_therapy", "5 times a week", clinic.clinician_a)],
        version=3,
        status="draft",
    )
    assert _patient_row(calendar)["individual"]["count"] == 1


def test_without_a_signed_plan_the_program_defaults_apply(calendar):
    row = _patient_row(calendar)
    assert row["min_sessions_by_kind"] == {"psychoeducation": 1}
    assert row["individual"]["count"] == 1


def test_same_modality_under_two_goals_is_one_need(calendar):
    clinic = calendar.clinic
    plan = _signed_plan(clinic, [("individual_therapy", "weekly", clinic.clinician_a)])
    problem = Problem.objects.create(plan=plan, statement="Drinking to cope")
    goal = Goal.objects.create(
        problem=problem,
        domain="addiction_recovery",
        patient_words="Stop drinking on weeknights",
        clinical_wording="Reduce alcohol use",
    )
    Intervention.objects.create(
        goal=goal, modality="individual_therapy", frequency="weekly", responsible=clinic.clinician_a
    )
    assert _patient_row(calendar)["individual"]["count"] == 1
