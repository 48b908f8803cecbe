"""The optimizer asks for what the numbers of the patient's signed treatment plan say."""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from stepwell.plans.models import Goal, Intervention, Problem, TreatmentPlan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.planning import export as planning_export
from stepwell.schedule.planning.requirements import booking_minutes, plan_requirements


@pytest.mark.parametrize(
    ("minutes", "booked"), [(50, 60), (45, 45), (60, 60), (1, 15), (61, 75), (None, None)]
)
def test_booking_minutes_round_up_to_the_grid(minutes, booked):
    assert booking_minutes(minutes) == booked


def _signed_plan(clinic, interventions, *, version=1, status="signed", signed_at=None):
    """`interventions`: (modality, sessions a week, minutes, weeks, responsible[, lineage])."""
    plan = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=version,
        status=status,
        review_days=30,
        created_by=clinic.clinician_a,
        signed_at=(signed_at or timezone.now()) if status == "signed" else None,
    )
    problem = Problem.objects.create(plan=plan, statement="Low mood most days")
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="Feel like myself",
        clinical_wording="Reduce depressive symptoms",
    )
    for modality, sessions, minutes, weeks, responsible, *lineage in interventions:
        Intervention.objects.create(
            goal=goal,
            modality=modality,
            sessions_per_week=sessions,
            minutes_per_session=minutes,
            duration_weeks=weeks,
            needs_review=None in (sessions, minutes, weeks),
            responsible=responsible,
            **({"lineage": lineage[0]} if lineage else {}),
        )
    return plan


def _patient_row(calendar):
    data = planning_export.schedule_instance_export(
        program=calendar.clinic.program_a, week=calendar.week
    )
    instance_from_dict(data)
    return next(p for p in data["patients"] if p["id"] == f"P{calendar.clinic.patient_a.pk}")


def _weeks_before(calendar, weeks: int):
    """Noon in Chicago on the Monday `weeks` weeks before the planned week."""
    day = calendar.monday - timedelta(weeks=weeks)
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo("America/Chicago"))


def test_signed_plan_numbers_set_the_week(calendar):
    clinic = calendar.clinic
    _signed_plan(
        clinic,
        [
            ("individual_therapy", 2, 50, 12, clinic.clinician_a),
            ("medication_management", 1, 20, 12, clinic.prescriber_a),
            ("psychoeducation", 3, 60, 12, clinic.clinician_a),
            ("group_therapy", 2, 90, 12, clinic.clinician_a),
        ],
    )
    row = _patient_row(calendar)
    # 50 and 20 minutes take 60 and 30 on the 15-minute booking grid
    assert row["individual"] == {"count": 2, "minutes": 60, "staff": f"S{clinic.clinician_a.pk}"}
    assert row["medication"] == {"count": 1, "minutes": 30, "staff": f"S{clinic.prescriber_a.pk}"}
    assert row["min_sessions_by_kind"] == {"psychoeducation": 3, "process_group": 2}


def test_plan_minutes_reach_the_export(calendar):
    clinic = calendar.clinic
    _signed_plan(clinic, [("individual_therapy", 1, 90, 12, clinic.clinician_a)])
    assert _patient_row(calendar)["individual"]["minutes"] == 90


def test_plan_without_medication_asks_for_none(calendar):
    clinic = calendar.clinic
    _signed_plan(clinic, [("individual_therapy", 1, 60, 12, clinic.clinician_a)])
    row = _patient_row(calendar)
    assert "medication" not in row
    assert "min_sessions_by_kind" not in row
    assert row["individual"]["count"] == 1


def test_latest_signed_version_wins_and_drafts_are_ignored(calendar):
    clinic = calendar.clinic
    _signed_plan(
        clinic,
        [("individual_therapy", 3, 60, 12, clinic.clinician_a)],
        signed_at=timezone.now() - timedelta(days=40),
    )
    _signed_plan(clinic, [("individual_therapy", 1, 60, 12, clinic.clinician_a)], version=2)
    _signed_plan(
        clinic,
        [("individual_therapy", 5, 60, 12, clinic.clinician_a)],
        version=3,
        status="draft",
    )
    assert _patient_row(calendar)["individual"]["count"] == 1


def test_without_a_signed_plan_the_program_defaults_apply(calendar):
    row = _patient_row(calendar)
    assert row["min_sessions_by_kind"] == {"psychoeducation": 1}
    assert row["individual"]["count"] == 1
    assert row["individual"]["minutes"] == 60


def test_same_type_under_two_goals_is_one_need_the_most_sessions_wins(calendar):
    clinic = calendar.clinic
    plan = _signed_plan(clinic, [("individual_therapy", 1, 90, 12, clinic.clinician_a)])
    problem = Problem.objects.create(plan=plan, statement="Drinking to cope")
    goal = Goal.objects.create(
        problem=problem,
        domain="addiction_recovery",
        patient_words="Stop drinking on weeknights",
        clinical_wording="Reduce alcohol use",
    )
    Intervention.objects.create(
        goal=goal,
        modality="individual_therapy",
        sessions_per_week=2,
        minutes_per_session=45,
        duration_weeks=12,
        responsible=clinic.clinician_a,
    )
    assert plan_requirements([clinic.patient_a.pk])[clinic.patient_a.pk].individual_count == 2
    assert _patient_row(calendar)["individual"] == {
        "count": 2,
        "minutes": 45,
        "staff": f"S{clinic.clinician_a.pk}",
    }


def test_equal_counts_the_longer_session_wins(clinic):
    plan = _signed_plan(
        clinic,
        [
            ("individual_therapy", 1, 45, 12, clinic.clinician_a),
            ("individual_therapy", 1, 60, 12, clinic.clinician_a),
        ],
    )
    wanted = plan_requirements([plan.patient_id])[plan.patient_id]
    assert (wanted.individual_count, wanted.individual_minutes) == (1, 60)


@pytest.mark.parametrize(
    ("weeks_ago", "duration", "asked"),
    [
        (4, 4, False),  # its last day was the Sunday before the planned week
        (4, 5, True),  # it runs through the planned week
        (3, 4, True),
        (20, 52, True),
    ],
)
def test_an_intervention_ends_after_its_weeks(calendar, weeks_ago, duration, asked):
    clinic = calendar.clinic
    _signed_plan(
        clinic,
        [
            ("individual_therapy", 2, 60, duration, clinic.clinician_a),
            ("psychoeducation", 2, 60, 52, clinic.clinician_a),
        ],
        signed_at=_weeks_before(calendar, weeks_ago),
    )
    wanted = plan_requirements([clinic.patient_a.pk], week_start=calendar.monday)[
        clinic.patient_a.pk
    ]
    assert wanted.individual_count == (2 if asked else 0)
    assert wanted.sessions_by_kind == {"psychoeducation": 2}
    row = _patient_row(calendar)
    assert ("individual" in row) is asked


def test_weeks_count_from_the_first_version_that_carried_the_intervention(calendar):
    clinic = calendar.clinic
    lineage = uuid.uuid4()
    _signed_plan(
        clinic,
        [("individual_therapy", 2, 60, 6, clinic.clinician_a, lineage)],
        signed_at=_weeks_before(calendar, 7),
    )
    _signed_plan(
        clinic,
        [("individual_therapy", 2, 60, 6, clinic.clinician_a, lineage)],
        version=2,
        signed_at=_weeks_before(calendar, 1),
    )
    assert "individual" not in _patient_row(calendar)


def test_intervention_under_review_without_a_count_is_asked_once(clinic):
    plan = _signed_plan(clinic, [("family_session", None, None, None, clinic.clinician_a)])
    wanted = plan_requirements([plan.patient_id], week_start=timezone.localdate())[plan.patient_id]
    assert wanted.sessions_by_kind == {"family_group": 1}
