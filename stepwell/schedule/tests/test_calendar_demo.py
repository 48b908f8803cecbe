"""The demo clinic's calendar: full weeks from accepted optimizer plans, and a history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from stepwell.demo.clinic import build_demo_clinic
from stepwell.demo.schedule import seed_schedule
from stepwell.patients.models import Episode
from stepwell.schedule.models import (
    Appointment,
    Enrollment,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
)

TODAY = date(2026, 11, 20)  # a Friday; this week is 2026-W47, next week 2026-W48


def test_seed_schedule(db):
    clinic = build_demo_clinic(seed=42, today=TODAY)
    seed_schedule(clinic, random.Random(42), TODAY)
    runs = SchedulePlanRun.objects.order_by("week", "program__name")
    assert [(r.week, r.status) for r in runs] == [
        (week, PlanRunStatus.ACCEPTED) for week in ("2026-W47",) * 3 + ("2026-W48",) * 3
    ]
    for run in runs:
        summary = run.plan["summary"]
        assert summary["requirements_met"] >= summary["upper_bound_met"] - 2
    # Thanksgiving (Thu 2026-11-26) has no sessions.
    thursday = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # midnight in Chicago
    assert not SessionOccurrence.objects.filter(
        starts_at__gte=thursday, starts_at__lt=thursday + timedelta(days=1)
    ).exists()
    scheduled = Episode.objects.filter(state__in=["admitted", "active"]).values_list(
        "patient_id", flat=True
    )
    booked = set(Enrollment.objects.values_list("patient_id", flat=True))
    assert set(scheduled) <= booked
    assert Appointment.objects.filter(kind="medication").exists()
    modules = {
        o.curriculum_module.title
        for o in SessionOccurrence.objects.filter(kind="psychoeducation").select_related(
            "curriculum_module"
        )
    }
    assert len(modules) == 8
    assert SessionOccurrence.objects.filter(kind="alumni_group").exists()
    # The past weeks repeat this week's plan for patients already admitted then.
    three_weeks_ago = datetime(2026, 10, 26, 6, 0, tzinfo=UTC)  # Monday 2026-W44, Chicago midnight
    earlier = Enrollment.objects.filter(
        occurrence__starts_at__gte=three_weeks_ago,
        occurrence__starts_at__lt=three_weeks_ago + timedelta(days=7),
    ).select_related("occurrence")
    assert earlier.exists()
    admitted_on = dict(Episode.objects.values_list("patient_id", "admitted_on"))
    for enrollment in earlier:
        assert admitted_on[enrollment.patient_id] <= enrollment.occurrence.starts_at.date()
