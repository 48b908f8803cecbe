"""A program's weeks read together (ProgramWeek.of_weeks, as the hours report reads
thirteen) hold the same holidays and open weekdays as each week read on its own."""

from __future__ import annotations

from datetime import date, time

from stepwell.care.hours.rules import Closure
from stepwell.care.hours.weekly import ProgramWeek
from stepwell.schedule.models import GroupSeries, Holiday

WEEKS = ("2026-W23", "2026-W24", "2026-W25", "2026-W26", "2026-W27", "2026-W28")


def _series(program, recurrence: str, starts_on: date, ends_on: date | None = None):
    return GroupSeries.objects.create(
        program=program,
        kind="skills_group",
        title=recurrence,
        start_time=time(10, 0),
        duration_minutes=180,
        recurrence=recurrence,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def test_weeks_read_together_are_the_weeks_read_one_by_one(clinic):
    program = clinic.program_a
    Holiday.objects.create(program=program, date=date(2026, 6, 19), name="Juneteenth")
    Holiday.objects.create(program=program, date=date(2026, 7, 3), name="Independence Day")
    _series(program, "FREQ=WEEKLY;BYDAY=MO,WE", date(2026, 6, 1))
    # Thursdays every other week, 18 June and 2 July only.
    _series(program, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2026, 6, 18), date(2026, 7, 10))

    together = ProgramWeek.of_weeks(program, WEEKS)

    assert together == {week: ProgramWeek.of(program, week) for week in WEEKS}
    assert {week: together[week].closures for week in WEEKS} == {
        "2026-W23": (),
        "2026-W24": (),
        "2026-W25": (Closure(date(2026, 6, 19), "Juneteenth"),),
        "2026-W26": (),
        "2026-W27": (Closure(date(2026, 7, 3), "Independence Day"),),
        "2026-W28": (),
    }
    # Open weekdays are judged over the week and the next: a fortnightly Thursday counts
    # for both weeks that see it.
    assert {week: sorted(together[week].open_weekdays) for week in WEEKS} == {
        "2026-W23": [0, 2],
        "2026-W24": [0, 2, 3],
        "2026-W25": [0, 2, 3],
        "2026-W26": [0, 2, 3],
        "2026-W27": [0, 2, 3],
        "2026-W28": [0, 2],
    }
    assert [together[week].monday for week in WEEKS] == [
        date(2026, 6, 1),
        date(2026, 6, 8),
        date(2026, 6, 15),
        date(2026, 6, 22),
        date(2026, 6, 29),
        date(2026, 7, 6),
    ]
    assert ProgramWeek.of_weeks(program, []) == {}
