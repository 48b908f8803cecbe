"""The weekly random drug-test draw made by the daily job `drug-test-draw`: once per
program and week, by the system, never on a past day, and shown on the testing page
(docs/clinical-sources.md §7.4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from stepwell.daily import registry
from stepwell.daily.runs import daily_jobs_run
from stepwell.meds import services
from stepwell.meds.models import DrugTest, RandomDraw
from stepwell.privacy.actors import system_actor
from stepwell.schedule.calendar.weeks import iso_week_of
from stepwell.testing.auth import verified_login

JOB = system_actor("drug-test-draw")
THURSDAY = date(2026, 12, 3)
pytestmark = pytest.mark.django_db


def _schedule(clinic, weekdays=(0, 1, 2, 3, 4), tests_per_week=1):
    services.random_testing_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        tests_per_week=tests_per_week,
        weekdays=list(weekdays),
    )


def _job():
    return next(j for j in registry.registered_jobs() if j.name == "drug-test-draw")


def test_the_job_is_registered_per_program():
    job = _job()
    assert job.per_program is True
    assert job.function.__module__ == "stepwell.meds.tasks"


def test_the_daily_run_draws_the_week_once_by_the_system(clinic):
    _schedule(clinic, weekdays=range(7))  # a testing day is always left this week
    now = timezone.now()
    outcomes = {o.where: o for o in daily_jobs_run(now=now, jobs=[_job()])}
    mine = outcomes[clinic.program_a.name]
    assert mine.status == "done"
    draw = RandomDraw.objects.get()
    assert draw.week == iso_week_of(mine.local_date)
    assert mine.summary == f"{draw.week}: drawn, 1 tests for 1 patients"
    assert draw.drawn_by == "system:drug-test-draw"
    assert draw.eligible == [clinic.patient_a.pk]
    test = DrugTest.objects.get()
    assert (test.reason, test.ordered_by, test.random_draw) == ("random", None, draw)
    assert test.scheduled_on >= mine.local_date  # never a day already gone
    assert services.random_draw_verify(draw) is True
    other = outcomes[clinic.program_b.name]
    assert other.summary.endswith("no draw (no active random testing schedule)")
    assert daily_jobs_run(now=now, jobs=[_job()]) == []  # done for the day
    # The next day of the same week (or the same day run by hand) draws nothing new.
    again = services.random_draw_weekly(
        actor=JOB, program_id=clinic.program_a.pk, today=mine.local_date
    )
    assert again.made is False and again.draw == draw
    assert again.summary() == f"{draw.week}: already drawn, 1 tests for 1 patients"
    assert RandomDraw.objects.count() == 1 and DrugTest.objects.count() == 1


def test_a_draw_made_mid_week_picks_only_the_days_left(clinic):
    _schedule(clinic, weekdays=(0, 1, 2, 3, 4), tests_per_week=2)
    made = services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=THURSDAY)
    assert made.made is True and made.draw.week == "2026-W49"
    assert made.draw.days == ["2026-12-03", "2026-12-04"]
    days = sorted(DrugTest.objects.values_list("scheduled_on", flat=True))
    assert days == [THURSDAY, THURSDAY + timedelta(days=1)]


def test_no_draw_when_no_testing_day_is_left_or_no_schedule(clinic):
    saturday = THURSDAY + timedelta(days=2)
    none = services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=saturday)
    assert none.draw is None and "no active random testing schedule" in none.summary()
    _schedule(clinic)
    late = services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=saturday)
    assert (
        late.draw is None and late.summary() == "2026-W49: no draw (no testing day left this week)"
    )
    assert not RandomDraw.objects.exists()
    # Monday of the next week: the job draws it.
    monday = saturday + timedelta(days=2)
    made = services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=monday)
    assert made.made is True and made.draw.week == "2026-W50"


def test_an_inactive_schedule_is_not_drawn(clinic):
    services.random_testing_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        tests_per_week=1,
        weekdays=[0, 1, 2, 3, 4],
        active=False,
    )
    result = services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=THURSDAY)
    assert result.draw is None and not RandomDraw.objects.exists()


def test_the_testing_page_shows_the_systems_draw(client, clinic):
    _schedule(clinic)
    services.random_draw_weekly(actor=JOB, program_id=clinic.program_a.pk, today=THURSDAY)
    verified_login(client, clinic.director_a)
    body = client.get(f"/meds/programs/{clinic.program_a.pk}/testing/").content.decode()
    assert "2026-W49: 1 tests for 1 patients" in body
    assert "drawn by the system (drug-test-draw)" in body
    assert "verifies" in body
    assert "draws each week by itself" in body
