"""`stepwell daily`'s runner: each job once per program and local date, retried when it fails."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.clinic.models import Site
from stepwell.clinic.time import zone_today
from stepwell.daily import registry
from stepwell.daily.models import DailyRun
from stepwell.daily.runs import daily_jobs_run, day_started
from stepwell.measures.services import due_questionnaires_generate
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import ProgramFactory

from .conftest import local

CHICAGO = "America/Chicago"
KOLKATA = "Asia/Kolkata"


@pytest.mark.parametrize(
    ("zone", "moment", "day"),
    [
        (CHICAGO, local(CHICAGO, 2026, 11, 10, 1, 30), date(2026, 11, 9)),  # not started yet
        (CHICAGO, local(CHICAGO, 2026, 11, 10, 1, 59, 59), date(2026, 11, 9)),
        (CHICAGO, local(CHICAGO, 2026, 11, 10, 2, 0), date(2026, 11, 10)),
        (CHICAGO, local(CHICAGO, 2026, 11, 10, 2, 30), date(2026, 11, 10)),
        (CHICAGO, local(CHICAGO, 2026, 11, 10, 23, 59), date(2026, 11, 10)),
        # The old job ran at 02:00 UTC: 20:00 the evening before in Chicago.
        (CHICAGO, datetime(2026, 11, 10, 2, 0, tzinfo=UTC), date(2026, 11, 9)),
        (KOLKATA, local(KOLKATA, 2026, 11, 10, 1, 45), date(2026, 11, 9)),
        (KOLKATA, local(KOLKATA, 2026, 11, 10, 2, 15), date(2026, 11, 10)),
        # 20:45 UTC is already 02:15 the next day in Kolkata (UTC+05:30).
        (KOLKATA, datetime(2026, 11, 10, 20, 45, tzinfo=UTC), date(2026, 11, 11)),
        # Clocks go from 01:59:59 CST to 03:00 CDT on 8 March 2026: the day starts at 03:00.
        (CHICAGO, datetime(2026, 3, 8, 7, 59, tzinfo=UTC), date(2026, 3, 7)),
        (CHICAGO, datetime(2026, 3, 8, 8, 0, tzinfo=UTC), date(2026, 3, 8)),
        # Clocks go back from 01:59:59 CDT to 01:00 CST on 1 November: 02:00 CST is 08:00 UTC.
        (CHICAGO, datetime(2026, 11, 1, 7, 30, tzinfo=UTC), date(2026, 10, 31)),
        (CHICAGO, datetime(2026, 11, 1, 8, 0, tzinfo=UTC), date(2026, 11, 1)),
    ],
)
def test_the_day_due_is_the_latest_local_day_started_at_two(zone, moment, day):
    assert day_started(zone, moment, 2) == day


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from([CHICAGO, KOLKATA, "UTC", "Pacific/Honolulu", "Pacific/Chatham"]),
    start_hour=st.integers(min_value=0, max_value=23),
)
def test_the_day_due_is_the_program_date_once_the_start_hour_has_passed(moment, zone, start_hour):
    today = zone_today(zone, moment)
    started = timezone.localtime(moment, ZoneInfo(zone)).hour >= start_hour
    assert day_started(zone, moment, start_hour) == (
        today if started else today - timedelta(days=1)
    )


@pytest.fixture
def programs(db):
    return ProgramFactory(name="Chicago IOP", timezone=CHICAGO), ProgramFactory(
        name="Kolkata IOP", timezone=KOLKATA
    )


def test_each_job_runs_once_per_program_at_the_program_date(programs, recorder):
    recorder.job("reminders")
    at = local(CHICAGO, 2026, 11, 10, 2, 30)  # 14:00 in Kolkata
    outcomes = daily_jobs_run(now=at)
    assert [o.line() for o in outcomes] == [
        "reminders | Chicago IOP | 2026-11-10: done: ran for 2026-11-10",
        "reminders | Kolkata IOP | 2026-11-10: done: ran for 2026-11-10",
    ]
    assert daily_jobs_run(now=at) == []
    assert daily_jobs_run(now=at + timedelta(hours=9)) == []  # 11:30 in Chicago, 23:00 in Kolkata
    assert len(recorder.calls) == 2
    # 01:30 the next day in Chicago: Kolkata's day (13:00) has started, Chicago's has not.
    assert daily_jobs_run(now=local(CHICAGO, 2026, 11, 11, 1, 30))
    assert recorder.calls[2:] == [("reminders", "Kolkata IOP", date(2026, 11, 11))]
    daily_jobs_run(now=local(CHICAGO, 2026, 11, 11, 2, 30))
    assert recorder.calls[3:] == [("reminders", "Chicago IOP", date(2026, 11, 11))]
    runs = DailyRun.objects.order_by("pk")
    assert [(r.program.name, r.local_date, r.status, r.attempts) for r in runs] == [
        ("Chicago IOP", date(2026, 11, 10), "done", 1),
        ("Kolkata IOP", date(2026, 11, 10), "done", 1),
        ("Kolkata IOP", date(2026, 11, 11), "done", 1),
        ("Chicago IOP", date(2026, 11, 11), "done", 1),
    ]
    assert all(r.finished_at is not None and r.runner for r in runs)


def test_at_one_thirty_local_the_day_before_runs_if_it_never_ran(programs, recorder):
    recorder.job("reminders")
    daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 1, 30))
    assert ("reminders", "Chicago IOP", date(2026, 11, 9)) in recorder.calls
    daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 2, 30))
    assert recorder.calls[-1] == ("reminders", "Chicago IOP", date(2026, 11, 10))


def test_a_clinic_wide_job_runs_once_a_day_at_the_server_date(programs, recorder, settings):
    assert settings.TIME_ZONE == "UTC"
    recorder.job("checkpoint", per_program=False)
    daily_jobs_run(now=datetime(2026, 11, 10, 1, 0, tzinfo=UTC))
    daily_jobs_run(now=datetime(2026, 11, 10, 3, 0, tzinfo=UTC))
    daily_jobs_run(now=datetime(2026, 11, 10, 23, 0, tzinfo=UTC))
    assert recorder.calls == [
        ("checkpoint", None, date(2026, 11, 9)),
        ("checkpoint", None, date(2026, 11, 10)),
    ]
    assert DailyRun.objects.filter(program=None).count() == 2


def test_the_start_hour_is_a_setting(programs, recorder, settings):
    settings.STEPWELL_DAILY_START_HOUR = 6
    recorder.job("reminders")
    daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 5, 0))
    assert ("reminders", "Chicago IOP", date(2026, 11, 9)) in recorder.calls
    daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 6, 0))
    assert recorder.calls[-1] == ("reminders", "Chicago IOP", date(2026, 11, 10))


def test_a_failing_job_is_recorded_as_failed_and_retried_at_the_next_run(programs, recorder):
    programs[1].delete()
    recorder.job("follow-ups", fail_times=1)
    recorder.job("reminders")
    at = local(CHICAGO, 2026, 11, 10, 2, 30)
    first = daily_jobs_run(now=at)
    assert [(o.job, o.status, o.failed) for o in first] == [
        ("follow-ups", "failed", True),
        ("reminders", "done", False),  # one failure does not stop the other jobs
    ]
    assert first[0].line() == (
        "follow-ups | Chicago IOP | 2026-11-10: failed: "
        "RuntimeError: follow-ups could not reach the mail server"
    )
    failed = DailyRun.objects.get(job="follow-ups")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.error == "RuntimeError: follow-ups could not reach the mail server"
    second = daily_jobs_run(now=at + timedelta(hours=1))
    assert [o.line() for o in second] == [
        "follow-ups | Chicago IOP | 2026-11-10: done, attempt 2: ran for 2026-11-10"
    ]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("done", 2, "")
    assert daily_jobs_run(now=at + timedelta(hours=2)) == []
    assert [call[0] for call in recorder.calls] == ["follow-ups", "reminders", "follow-ups"]


def test_a_failed_job_leaves_nothing_half_written(programs, recorder):
    @registry.daily_job("site-maker")
    def make_a_site(*, actor, program, local_date):
        Site.objects.create(name=f"Made for {program.name}")
        raise ValueError("stopped half-way")

    before = Site.objects.count()
    outcomes = daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 2, 30))
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert Site.objects.count() == before


def test_a_run_another_server_is_running_is_left_alone_until_abandoned(programs, recorder):
    recorder.job("reminders")
    chicago, _kolkata = programs
    at = local(CHICAGO, 2026, 11, 10, 2, 30)
    for program in programs:
        DailyRun.objects.create(
            job="reminders",
            program=program,
            local_date=date(2026, 11, 10),
            status="running",
            started_at=timezone.now()
            - (timedelta(hours=1) if program == chicago else timedelta(hours=7)),
            runner="other-host:41",
        )
    outcomes = daily_jobs_run(now=at)
    assert [(o.where, o.attempt) for o in outcomes] == [("Kolkata IOP", 2)]
    assert recorder.calls == [("reminders", "Kolkata IOP", date(2026, 11, 10))]
    assert DailyRun.objects.get(program=chicago).status == "running"


def test_a_job_refused_by_its_service_is_audited_and_recorded(programs, recorder):
    @registry.daily_job("not-the-measures-job")
    def wrong_actor(*, actor, program, local_date):
        due_questionnaires_generate(actor=actor, program_id=program.pk, today=local_date)

    outcomes = daily_jobs_run(now=local(CHICAGO, 2026, 11, 10, 2, 30))
    assert [o.summary for o in outcomes] == [
        "AccessDenied: You do not have access to this record."
    ] * 2
    denied = AuditEvent.objects.filter(username="system:not-the-measures-job", outcome="denied")
    assert denied.count() == 2


def test_job_names_are_checked_and_registered_once(recorder):
    with pytest.raises(ImproperlyConfigured, match="lower-case words joined by hyphens"):
        registry.daily_job("Reminders")
    with pytest.raises(ImproperlyConfigured, match="at most 64"):
        registry.daily_job("a" * 65)
    recorder.job("reminders")

    def another(*, actor, program, local_date):
        return None

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        registry.daily_job("reminders")(another)


def test_the_apps_register_the_questionnaire_job_and_the_audit_checkpoint():
    jobs = {job.name: job for job in registry.registered_jobs()}
    assert jobs["measures-due"].per_program is True
    assert jobs["measures-due"].function.__module__ == "stepwell.measures.tasks"
    assert jobs["audit-checkpoint"].per_program is False
    assert jobs["audit-checkpoint"].function.__module__ == "stepwell.privacy.tasks"
