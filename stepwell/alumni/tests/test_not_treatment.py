"""Alumni attendance is not treatment: it adds no minute to the weekly hours and no
service to a billable day, so it never reaches a claim (docs/alumni.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from stepwell.alumni import services
from stepwell.billing.selectors.days import program_days
from stepwell.billing.tests.records import (
    WEEK_1,
    attended_group,
    covered,
    diagnosed,
    provider_and_charges,
)
from stepwell.care.hours.weekly import ProgramWeek, weekly_hours_of

from .conftest import discharge

H0015 = {
    "kind": "commercial",
    "hours_rule": "h0015",
    "claim_method": "per_diem",
    "per_diem_code": "H0015",
    "billable_day_minutes": 180,
}
SATURDAY = date(2026, 11, 7)  # the day after the discharge, same ISO week as WEEK_1
LATER = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _billing(clinic):
    result = program_days(program=clinic.program_a, date_from=WEEK_1, date_to=date(2026, 11, 8))
    return [
        (
            d.patient.pk,
            d.day,
            d.result.billable,
            [(ln.procedure_code, ln.units) for ln in d.result.lines],
        )
        for d in result.days
    ]


def _hours(clinic):
    week = weekly_hours_of(
        episodes=[clinic.episode_a],
        program_week=ProgramWeek.of(clinic.program_a, "2026-W45"),
        now=LATER,
    )[clinic.episode_a.pk]
    return week.attended_minutes, [(d.day, d.attended_minutes) for d in week.days]


def test_alumni_attendance_changes_neither_billing_nor_weekly_hours(clinic):
    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    covered(clinic.patient_a, **H0015)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    discharge(clinic, clinic.episode_a, clinic.clinician_a, on=date(2026, 11, 6))
    clinic.episode_a.refresh_from_db()
    billing_before, hours_before = _billing(clinic), _hours(clinic)
    assert billing_before == [(clinic.patient_a.pk, WEEK_1, True, [("H0015", 1)])]
    assert hours_before[0] == 180

    event = services.alumni_event_create(
        actor=clinic.clinician_a,
        program_id=clinic.program_a.pk,
        title="Alumni breakfast",
        format="in_person",
        place="Cafe",
        recurrence="once",
        first_day=SATURDAY,
        start_time=time(9, 0),
        duration_minutes=240,
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    rows = services.alumni_attendance_record(
        actor=clinic.clinician_a,
        meeting_id=event.meetings.get().pk,
        present_ids={clinic.patient_a.pk},
        absent_ids=set(),
        now=LATER,
    )
    assert [r.present for r in rows] == [True]

    assert _billing(clinic) == billing_before
    assert SATURDAY not in [day for _, day, _, _ in _billing(clinic)]
    assert _hours(clinic) == hours_before
