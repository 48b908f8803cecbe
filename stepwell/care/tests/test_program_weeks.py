"""Weeks read together give what each gives read alone: a program's weeks
(ProgramWeek.of_many, as the hours report reads thirteen) hold the same holidays and open
weekdays, and the weekly hours of patients of several programs (current_week_hours, as
the caseload reads its rows) are each patient's own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepwell.care.hours.rules import Closure
from stepwell.care.hours.weekly import ProgramWeek, current_week_hours, patient_weekly_hours
from stepwell.care.tests.conftest import admitted_patient, attend, kolkata_program, make_occurrence
from stepwell.schedule.models import GroupSeries, Holiday
from stepwell.testing.factories import CoverageFactory, PayerFactory

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

    found = ProgramWeek.of_many((program, week) for week in WEEKS)
    together = {week: found[program.pk, week] for week in WEEKS}

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
    assert ProgramWeek.of_many([]) == {}


NOW = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)  # Wednesday of 2026-W50 in both zones


def test_patients_of_programs_in_several_zones_are_each_measured_in_their_programs_week(
    clinic,
):
    """The caseload measures all its rows at once (current_week_hours): each patient's
    week is their program's, in its time zone, with its holidays and rule, as when the
    patient is measured alone; and the queries do not grow with the programs."""
    kolkata = kolkata_program(clinic)
    lee = admitted_patient(clinic.program_a, "Lee", "Linden")
    kai = admitted_patient(kolkata, "Kai", "Kapok")
    # Sunday 6 December 21:30 UTC: Monday 03:00 in Kolkata (its W50), Sunday 15:30 in
    # Chicago (W49, not this week).
    sunday_night = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)
    for program, patient, starts_at in (
        (kolkata, kai, sunday_night),
        (clinic.program_a, lee, sunday_night),
        (clinic.program_a, lee, datetime(2026, 12, 7, 15, 0, tzinfo=UTC)),
    ):
        attend(clinic, make_occurrence(program, starts_at=starts_at, patients=[patient]), patient)
    Holiday.objects.create(program=kolkata, date=date(2026, 12, 11), name="A Kolkata holiday")
    medicare = PayerFactory(name="Medicare (synthetic)", kind="medicare", hours_rule="medicare_iop")
    CoverageFactory(patient=kai, payer=medicare)

    together = current_week_hours(patient_ids=[lee.pk, kai.pk], now=NOW)

    alone = {
        patient.pk: patient_weekly_hours(patient=patient, week="2026-W50", now=NOW)
        for patient in (lee, kai)
    }
    assert together == alone
    assert together[kai.pk].attended_minutes == 180
    assert together[lee.pk].attended_minutes == 180  # Sunday's session is last week's
    assert together[kai.pk].rule.kind == "medicare_iop"
    assert together[lee.pk].rule.name == "Adult MH default"
    assert together[kai.pk].window_min < together[lee.pk].window_min  # the holiday prorates

    with CaptureQueriesContext(connection) as one_program:
        current_week_hours(patient_ids=[lee.pk], now=NOW)
    with CaptureQueriesContext(connection) as two_programs:
        current_week_hours(patient_ids=[lee.pk, kai.pk], now=NOW)
    assert len(two_programs) == len(one_program)
