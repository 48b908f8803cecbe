"""What the demo's calendar must hold (called by the demo test on its one build): this
week and next week from accepted optimizer plans, and a history of earlier weeks."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from stepwell.patients.models import Episode
from stepwell.schedule.models import (
    Appointment,
    Enrollment,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def check_the_calendar(today: date) -> None:
    this_week, next_week = _week(today), _week(today + timedelta(days=7))
    runs = SchedulePlanRun.objects.order_by("week", "program__name")
    assert [(r.week, r.status) for r in runs] == [
        (week, PlanRunStatus.ACCEPTED) for week in (this_week,) * 3 + (next_week,) * 3
    ]
    for run in runs:
        summary = run.plan["summary"]
        assert summary["requirements_met"] >= summary["upper_bound_met"] - 2
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
    monday = today - timedelta(days=today.weekday() + 21)
    start = datetime.combine(monday, time.min, tzinfo=CHICAGO)
    earlier = Enrollment.objects.filter(
        occurrence__starts_at__gte=start, occurrence__starts_at__lt=start + timedelta(days=7)
    ).select_related("occurrence")
    assert earlier.exists()
    admitted_on = dict(Episode.objects.values_list("patient_id", "admitted_on"))
    for enrollment in earlier:
        assert admitted_on[enrollment.patient_id] <= enrollment.occurrence.starts_at.date()
