"""Weekly hours: projection, flags, payer rules, transition weeks, zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from stepwell.care import selectors, services
from stepwell.care.hours import Block, DayRule, weekly_hours
from stepwell.care.models import PayerRule
from stepwell.core.errors import ApplicationError
from stepwell.schedule.calendar import week_utc_range
from stepwell.testing.factories import ProgramFactory

from .conftest import admitted_patient, make_occurrence


def _attend(clinic, occurrence, patient, status="present", **times):
    _, rows = services.attendance_roster_open(actor=clinic.director_a, occurrence_id=occurrence.pk)
    row = next(r for r in rows if r.patient_id == patient.pk)
    return services.attendance_mark(
        actor=clinic.director_a,
        attendance_id=row.pk,
        status=status,
        now=occurrence.ends_at + timedelta(hours=1),
        **times,
    )


def test_engine_projection_and_flags():
    monday = date(2026, 12, 7)
    result = weekly_hours(
        week="2026-W50",
        attended=[Block(monday, 180), Block(monday + timedelta(days=1), 90)],
        scheduled=[Block(monday + timedelta(days=3), 180)],
        program_min=540,
        program_max=1140,
        rule=DayRule(),
        transitioning=False,
    )
    assert (result.attended_minutes, result.scheduled_minutes, result.projected_minutes) == (
        270,
        180,
        450,
    )
    assert [f.code for f in result.flags] == ["below_minimum", "short_day"]
    assert result.flags[1].day == monday + timedelta(days=1)
    assert result.attendance_days == 3


def test_engine_transition_week_is_allowed_and_few_days_flagged_otherwise():
    monday = date(2026, 12, 7)
    args = {
        "week": "2026-W50",
        "attended": [Block(monday, 200)],
        "scheduled": [],
        "program_min": 540,
        "program_max": 1140,
        "rule": DayRule(),
    }
    assert [f.code for f in weekly_hours(**args, transitioning=False).flags] == [
        "below_minimum",
        "few_days",
    ]
    assert [f.code for f in weekly_hours(**args, transitioning=True).flags] == ["transition_week"]


def test_engine_above_maximum_and_payer_weekly_minimum():
    monday = date(2026, 12, 7)
    blocks = [Block(monday + timedelta(days=d), 240) for d in range(5)]
    result = weekly_hours(
        week="2026-W50",
        attended=blocks,
        scheduled=[],
        program_min=540,
        program_max=1140,
        rule=DayRule(min_weekly_minutes=1500, name="Strict plan"),
        transitioning=False,
    )
    assert [f.code for f in result.flags] == ["below_minimum", "above_maximum"]
    assert result.window_min == 1500


def test_dst_week_range_is_169_hours_in_chicago():
    # 2026-11-01 (fall back) is the Sunday of ISO week 2026-W44.
    start, end = week_utc_range("America/Chicago", "2026-W44")
    assert start == datetime(2026, 10, 26, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=169)


def test_session_spanning_the_fall_back_counts_real_minutes(clinic):
    patient = admitted_patient(clinic.program_a, "Indy", "Ironwood")
    # 00:30 CDT -> 02:30 CST on 2026-11-01 is three real hours (the 01:00 hour repeats).
    across = make_occurrence(
        clinic.program_a,
        starts_at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        minutes=180,
        patients=[patient],
    )
    # Sunday 23:30 CST is still in W44 locally, though 05:30 UTC on Monday.
    late_sunday = make_occurrence(
        clinic.program_a,
        starts_at=datetime(2026, 11, 2, 5, 30, tzinfo=UTC),
        minutes=20,
        patients=[patient],
    )
    # Monday 00:10 CST belongs to W45.
    next_week = make_occurrence(
        clinic.program_a,
        starts_at=datetime(2026, 11, 2, 6, 10, tzinfo=UTC),
        minutes=60,
        patients=[patient],
    )
    for occurrence in (across, late_sunday, next_week):
        _attend(clinic, occurrence, patient)
    hours = selectors.patient_weekly_hours(
        patient=patient, week="2026-W44", now=datetime(2026, 11, 10, tzinfo=UTC)
    )
    assert hours.attended_minutes == 200
    assert [(d.day, d.attended_minutes) for d in hours.days] == [(date(2026, 11, 1), 200)]
    w45 = selectors.patient_weekly_hours(
        patient=patient, week="2026-W45", now=datetime(2026, 11, 10, tzinfo=UTC)
    )
    assert w45.attended_minutes == 60
    assert [d.day for d in w45.days] == [date(2026, 11, 2)]


def test_late_arrival_across_the_fall_back_counts_from_the_instant(clinic):
    patient = admitted_patient(clinic.program_a, "Jules", "Juniper")
    occurrence = make_occurrence(
        clinic.program_a,
        starts_at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        minutes=180,
        patients=[patient],
    )
    # Arrives at 01:15 CST (the second 01:15), i.e. 07:15 UTC: 75 minutes before the end.
    row = _attend(
        clinic,
        occurrence,
        patient,
        status="late",
        check_in_at=datetime(2026, 11, 1, 7, 15, tzinfo=UTC),
    )
    assert row.minutes_attended == 75


def test_other_zone_day_boundaries(clinic):
    kolkata = ProgramFactory(
        site=clinic.program_a.site, name="Kolkata IOP", timezone="Asia/Kolkata"
    )
    clinic.director_a.program_memberships.create(program=kolkata)
    patient = admitted_patient(kolkata, "Kai", "Kapok")
    # Monday 2026-12-07 03:00 IST is Sunday 21:30 UTC: it belongs to W50 locally.
    occurrence = make_occurrence(
        kolkata,
        starts_at=datetime(2026, 12, 6, 21, 30, tzinfo=UTC),
        minutes=180,
        patients=[patient],
    )
    _attend(clinic, occurrence, patient)
    hours = selectors.patient_weekly_hours(
        patient=patient, week="2026-W50", now=datetime(2026, 12, 20, tzinfo=UTC)
    )
    assert hours.attended_minutes == 180
    assert [d.day for d in hours.days] == [date(2026, 12, 7)]
    assert (
        selectors.patient_weekly_hours(
            patient=patient, week="2026-W49", now=datetime(2026, 12, 20, tzinfo=UTC)
        ).attended_minutes
        == 0
    )


def test_projection_counts_attended_and_remaining_scheduled(clinic):
    patient = admitted_patient(clinic.program_a, "Lee", "Linden")
    monday = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 09:00 CST
    sessions = [
        make_occurrence(
            clinic.program_a, starts_at=monday + timedelta(days=d), minutes=180, patients=[patient]
        )
        for d in (0, 2, 4)
    ]
    _attend(clinic, sessions[0], patient, status="late", check_in_at=monday + timedelta(minutes=60))
    now = monday + timedelta(days=2, minutes=60)  # an hour into Wednesday's group
    hours = selectors.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
    assert hours.attended_minutes == 120
    assert hours.scheduled_minutes == 180 + 180  # Wednesday's not yet taken, Friday's
    assert hours.projected_minutes == 480
    assert [f.code for f in hours.flags] == ["below_minimum", "short_day"]
    assert hours.flags[1].day == date(2026, 12, 7)
    assert hours.window_min == 540
    PayerRule.objects.create(
        payer_name="Synthetic Health Plan",
        min_daily_minutes=120,
        min_days=2,
        min_weekly_minutes=360,
    )
    relaxed = selectors.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
    assert [f.code for f in relaxed.flags] == []
    assert relaxed.window_min == 360


def test_transition_weeks_at_most_two(clinic):
    episode = clinic.episode_a
    services.transition_week_mark(
        actor=clinic.clinician_a, episode_id=episode.pk, week="2026-W50", reason="Step-down"
    )
    services.transition_week_mark(
        actor=clinic.clinician_a, episode_id=episode.pk, week="2026-w51", reason="Step-down"
    )
    with pytest.raises(ApplicationError) as error:
        services.transition_week_mark(
            actor=clinic.clinician_a, episode_id=episode.pk, week="2026-W52", reason="x"
        )
    assert error.value.field_errors == {"week": "At most two transition weeks per episode."}
    hours = selectors.patient_weekly_hours(
        patient=clinic.patient_a, week="2026-W51", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert hours.transitioning is True
    assert [f.code for f in hours.flags] == ["transition_week"]
