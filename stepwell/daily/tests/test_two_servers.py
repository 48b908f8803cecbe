"""Two servers running `stepwell daily` at the same moment on one PostgreSQL: each job still
runs once per program and day (the DailyRun unique constraints are the lock)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from stepwell.daily.models import DailyRun
from stepwell.daily.runs import daily_jobs_run
from stepwell.measures.models import Administration, ScheduleRule
from stepwell.patients.models import EpisodeState
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.models import AuditCheckpoint
from stepwell.testing.factories import EpisodeFactory, ProgramFactory
from stepwell.testing.processes import race

from .conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_threads_at_once_run_each_job_once_per_program_day(on_postgres, recorder):
    for zone in ("America/Chicago", "Asia/Kolkata", "Europe/Berlin"):
        ProgramFactory(name=zone, timezone=zone)
    recorder.job("reminders", pause=0.2)
    recorder.job("checkpoint", per_program=False, pause=0.2)
    at = local("America/Chicago", 2026, 11, 10, 2, 30)
    barrier = threading.Barrier(2)
    outcomes = []

    def server() -> None:
        try:
            barrier.wait()
            outcomes.extend(daily_jobs_run(now=at))
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(recorder.calls) == {
        ("checkpoint", None, date(2026, 11, 10)): 1,
        ("reminders", "America/Chicago", date(2026, 11, 10)): 1,
        ("reminders", "Asia/Kolkata", date(2026, 11, 10)): 1,
        ("reminders", "Europe/Berlin", date(2026, 11, 10)): 1,
    }
    assert len(outcomes) == 4
    assert set(DailyRun.objects.values_list("status", "attempts")) == {("done", 1)}


def test_two_processes_at_once_run_each_real_job_once(on_postgres):
    programs = [
        ProgramFactory(name=f"Program {zone}", timezone=zone)
        for zone in ("America/Chicago", "Asia/Kolkata", "Pacific/Honolulu")
    ]
    for program in programs:
        ScheduleRule.objects.create(program=program, instrument_key="phq9", at_admission=True)
        episode = EpisodeFactory(program=program, state=EpisodeState.ACTIVE)
        episode.admitted_on = timezone.now().date() - timedelta(days=3)
        episode.save()
    # The trail as migrate leaves it (the flush of an earlier test empties it).
    audit_record(user=None, action=AuditAction.VIEW, object_type="test", object_id="setup")
    results = race("daily_dailyrun", ["daily"], ["daily"])
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    lines = [line for _, out, _ in results for line in out.splitlines() if "| " in line]
    assert sorted(line.split(":")[0].rsplit(" | ", 1)[0] for line in lines) == [
        "alumni-event-reminders | Program America/Chicago",
        "alumni-event-reminders | Program Asia/Kolkata",
        "alumni-event-reminders | Program Pacific/Honolulu",
        "appointment-reminders | clinic-wide",
        "audit-checkpoint | clinic-wide",
        "drug-test-draw | Program America/Chicago",
        "drug-test-draw | Program Asia/Kolkata",
        "drug-test-draw | Program Pacific/Honolulu",
        "follow-ups | Program America/Chicago",
        "follow-ups | Program Asia/Kolkata",
        "follow-ups | Program Pacific/Honolulu",
        "measures-due | Program America/Chicago",
        "measures-due | Program Asia/Kolkata",
        "measures-due | Program Pacific/Honolulu",
        "milestones-compute | Program America/Chicago",
        "milestones-compute | Program Asia/Kolkata",
        "milestones-compute | Program Pacific/Honolulu",
    ]
    runs = DailyRun.objects.all()
    assert runs.count() == 17
    assert {(run.status, run.attempts) for run in runs} == {("done", 1)}
    assert len({run.runner for run in runs}) >= 1
    assert AuditCheckpoint.objects.count() == 1
    assert Administration.objects.count() == 3
