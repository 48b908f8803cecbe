"""The daily due-questionnaire job (run by `stepwell daily`) works at each program's date."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from stepwell.daily.runs import daily_jobs_run
from stepwell.measures.models import Administration, ScheduleRule
from stepwell.measures.tasks import JOB
from stepwell.patients.models import EpisodeState
from stepwell.testing.factories import EpisodeFactory, ProgramFactory

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def weekly_in_chicago(db):
    """A Chicago program giving the PHQ-9 every 7 days, one patient admitted 3 Nov 2026."""
    program = ProgramFactory(name="Chicago IOP", timezone="America/Chicago")
    ScheduleRule.objects.create(program=program, instrument_key="phq9", every_days=7)
    episode = EpisodeFactory(program=program, state=EpisodeState.ACTIVE)
    episode.admitted_on = date(2026, 11, 3)
    episode.save()
    return episode


def test_the_old_02_utc_run_no_longer_makes_chicago_a_day_late(weekly_in_chicago):
    # 02:00 UTC on 10 Nov is 20:00 on 9 Nov in Chicago: the week-1 questionnaire (due 10
    # Nov) is not due yet there, whatever the UTC date says.
    outcomes = daily_jobs_run(now=datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    assert [(o.job, o.local_date) for o in outcomes if o.job == JOB] == [(JOB, date(2026, 11, 9))]
    assert list(Administration.objects.values_list("occurrence", "due_on")) == [
        ("admission", date(2026, 11, 3))
    ]
    # 02:30 on 10 Nov in Chicago: the program's day has started, the week-1 one is due.
    daily_jobs_run(now=datetime(2026, 11, 10, 2, 30, tzinfo=CHICAGO))
    assert sorted(Administration.objects.values_list("occurrence", "due_on", "status")) == [
        ("admission", date(2026, 11, 3), "missed"),
        ("day-7", date(2026, 11, 10), "due"),
    ]


def test_the_daily_job_runs_once_per_program_day(weekly_in_chicago):
    at = datetime(2026, 11, 10, 9, 0, tzinfo=CHICAGO)
    first = [o for o in daily_jobs_run(now=at) if o.job == JOB]
    assert [o.summary for o in first] == ["1 questionnaires now due"]
    Administration.objects.all().delete()  # even with the work undone, the day is done
    assert [o for o in daily_jobs_run(now=at) if o.job == JOB] == []
    assert not Administration.objects.exists()


def test_command_creates_due_questionnaires_now(db, capsys):
    call_command("measures_due")
    assert "questionnaires now due" in capsys.readouterr().out
