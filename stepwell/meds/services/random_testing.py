"""A program's random drug testing: its schedule, and the weekly draw the system makes by
itself from the daily job (tasks.py), so staff never choose who is tested or when
(docs/clinical-sources.md §7.4)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState
from stepwell.privacy.access.meds import access_random_draw, access_testing_program_by_id
from stepwell.privacy.actors import is_system
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse
from stepwell.schedule.calendar.weeks import iso_week_bounds, iso_week_of

from ..models import DrugTest, RandomDraw, TestingSchedule, TestMethod, TestReason
from ..testing_rules import STANDARD_PANEL, draw_random_tests, program_days
from .common import meds_audit, refused

DRAWN_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE)


def random_testing_set(
    *, actor, program_id: int, tests_per_week: int, weekdays: list[int], active: bool = True
) -> TestingSchedule:
    program = access_testing_program_by_id(actor, program_id, action=AuditAction.UPDATE)
    if not isinstance(tests_per_week, int) or not 1 <= tests_per_week <= 5:
        raise refused("tests_per_week", "Between 1 and 5 random tests a week.")
    days = sorted({int(w) for w in weekdays if str(w).isdigit() and 0 <= int(w) <= 6})
    if len(days) < tests_per_week:
        raise refused("weekdays", "Choose at least as many testing days as tests a week.")
    with transaction.atomic():
        schedule, _ = TestingSchedule.objects.update_or_create(
            program=program,
            defaults={
                "tests_per_week": tests_per_week,
                "weekdays": ",".join(str(d) for d in days),
                "active": active,
            },
        )
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=None,
            object_type="testing_schedule",
            object_id=program.pk,
            tests_per_week=tests_per_week,
            weekdays=days,
        )
    return schedule


def random_draw_run(
    *, actor, program_id: int, week: str, from_day: date | None = None
) -> RandomDraw:
    """Draw the week's random tests: the system picks the seed, every admitted or active
    patient of the program is eligible, and each gets the schedule's number of random
    days (from `from_day` on, when given: a draw made mid-week never picks a past day).
    One draw per program and week: nobody draws again for a better answer."""
    program = Program.objects.filter(pk=program_id).first()
    if not access_random_draw(actor, program.pk if program else None):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="random_draw",
            object_id=f"{program_id}:{week}"[:64],
        )
    monday, _ = iso_week_bounds(week)
    schedule = TestingSchedule.objects.filter(program=program, active=True).first()
    if schedule is None:
        raise refused("program", "The program has no random testing schedule.")
    with transaction.atomic():
        if RandomDraw.objects.filter(program=program, week=week).exists():
            raise refused("week", f"The random tests of {week} are already drawn.")
        eligible = sorted(
            Episode.objects.filter(program=program, state__in=DRAWN_STATES).values_list(
                "patient_id", flat=True
            )
        )
        days = [
            day
            for day in program_days(monday, schedule.weekday_list)
            if from_day is None or day >= from_day
        ]
        seed = secrets.token_hex(16)
        picks = draw_random_tests(
            seed=seed, eligible=eligible, days=days, tests_per_week=schedule.tests_per_week
        )
        draw = RandomDraw.objects.create(
            program=program,
            week=week,
            seed=seed,
            eligible=eligible,
            days=[d.isoformat() for d in days],
            picks=[[p.patient_id, p.day.isoformat()] for p in picks],
            tests_per_week=schedule.tests_per_week,
            drawn_by=actor.get_username(),
        )
        episodes = dict(
            Episode.objects.filter(program=program, state__in=DRAWN_STATES).values_list(
                "patient_id", "pk"
            )
        )
        DrugTest.objects.bulk_create(
            DrugTest(
                patient_id=pick.patient_id,
                episode_id=episodes[pick.patient_id],
                program=program,
                method=TestMethod.POINT_OF_CARE,
                reason=TestReason.RANDOM,
                panel=list(STANDARD_PANEL),
                scheduled_on=pick.day,
                ordered_by=None if is_system(actor) else actor,
                random_draw=draw,
            )
            for pick in picks
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=None,
            object_type="random_draw",
            object_id=draw.pk,
            week=week,
            patients=eligible,
        )
    return draw


@dataclass(frozen=True)
class WeeklyDraw:
    """What the daily job did for a program and day."""

    week: str
    draw: RandomDraw | None
    made: bool
    why: str = ""

    def summary(self) -> str:
        if self.draw is None:
            return f"{self.week}: no draw ({self.why})"
        tests = len(self.draw.picks)
        patients = len(self.draw.eligible)
        said = "drawn" if self.made else "already drawn"
        return f"{self.week}: {said}, {tests} tests for {patients} patients"


def random_draw_weekly(*, actor, program_id: int, today: date) -> WeeklyDraw:
    """The daily job's draw: the week of `today` is drawn once, by the system, from today
    on; run again the same week it changes nothing. A program without an active schedule,
    or a week with no testing day left, gets no draw."""
    program = Program.objects.filter(pk=program_id).first()
    if not access_random_draw(actor, program.pk if program else None):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="random_draw",
            object_id=f"{program_id}:{today}"[:64],
        )
    week = iso_week_of(today)
    existing = RandomDraw.objects.filter(program=program, week=week).first()
    if existing is not None:
        return WeeklyDraw(week, existing, made=False)
    schedule = TestingSchedule.objects.filter(program=program, active=True).first()
    if schedule is None:
        return WeeklyDraw(week, None, made=False, why="no active random testing schedule")
    monday, _ = iso_week_bounds(week)
    if not [d for d in program_days(monday, schedule.weekday_list) if d >= today]:
        return WeeklyDraw(week, None, made=False, why="no testing day left this week")
    try:
        draw = random_draw_run(actor=actor, program_id=program.pk, week=week, from_day=today)
    except ApplicationError:
        # Drawn by someone else between the check and the draw: the week has its draw.
        draw = RandomDraw.objects.filter(program=program, week=week).first()
        if draw is None:
            raise
        return WeeklyDraw(week, draw, made=False)
    return WeeklyDraw(week, draw, made=True)


def random_draw_verify(draw: RandomDraw) -> bool:
    """Run the draw again from what it stored: the same seed and inputs give the same
    picks, so a draw that was tampered with (or chosen by hand) does not verify."""
    days = [date.fromisoformat(d) for d in draw.days]
    picks = draw_random_tests(
        seed=draw.seed, eligible=draw.eligible, days=days, tests_per_week=draw.tests_per_week
    )
    return [[p.patient_id, p.day.isoformat()] for p in picks] == draw.picks
