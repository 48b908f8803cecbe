"""The nightly `milestones-compute` job, through `stepwell daily`'s runner."""

from __future__ import annotations

import pytest
from django.utils import timezone

from stepwell.daily import registry
from stepwell.daily.runs import daily_jobs_run
from stepwell.milestones.models import Milestone
from stepwell.privacy.models import AuditEvent

from .builders import build_journey

pytestmark = pytest.mark.django_db


def test_the_job_is_registered_per_program():
    jobs = {job.name: job for job in registry.registered_jobs()}
    assert jobs["milestones-compute"].per_program is True
    assert jobs["milestones-compute"].function.__module__ == "stepwell.milestones.tasks"


def test_the_daily_run_records_the_milestones_once_per_program_day():
    journey = build_journey(weeks=2)
    job = next(j for j in registry.registered_jobs() if j.name == "milestones-compute")
    now = timezone.now()
    outcomes = daily_jobs_run(now=now, jobs=[job])
    earned = Milestone.objects.filter(episode=journey.episode)
    assert [o.summary for o in outcomes] == [f"{earned.count()} new milestones"]
    assert {"attendance_weeks_2", "first_week_hours_met"} <= set(
        earned.values_list("code", flat=True)
    )
    assert AuditEvent.objects.filter(
        username="system:milestones-compute", object_type="milestone", action="create"
    ).exists()
    assert daily_jobs_run(now=now, jobs=[job]) == []
