"""Weekly hours on the database: projection, the coverage's rule, closures, admission,
holds, transition weeks, zones and DST. The rules themselves: test_hours_rules.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from stepwell.billing.models import ProgramHoursRule
from stepwell.care.hours import services as hours_services
from stepwell.care.hours import weekly as hours_weekly
from stepwell.care.hours.rules import RULE_DEFAULTS, Block, RuleKind, weekly_hours
from stepwell.care.tests.conftest import admitted_patient, attend, kolkata_program, make_occurrence
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import EpisodeEvent
from stepwell.schedule.calendar.weeks import week_utc_range
from stepwell.schedule.models import Holiday
from stepwell.testing.factories import CoverageFactory, PayerFactory


def test_engine_projection_counts_attended_and_scheduled():
    monday = date(2026, 12, 7)
    result = weekly_hours(
        week="2026-W50",
        attended=[Block(monday, 180), Block(monday + timedelta(days=1), 90)],
        scheduled=[Block(monday + timedelta(days=3), 180)],
        program_min=540,
        program_max=1140,
        rule=RULE_DEFAULTS[RuleKind.H0015],
        transitioning=False,
    )
    assert (result.attended_minutes, result.scheduled_minutes, result.projected_minutes) == (
        270,
        180,
        450,
    )
    assert [f.code for f in result.flags] == ["below_minimum", "short_day", "few_days"]
    assert result.flags[1].day == monday + timedelta(days=1)
    assert (result.attendance_days, result.counted_days) == (3, 2)


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
        attend(clinic, occurrence, patient)
    hours = hours_weekly.patient_weekly_hours(
        patient=patient, week="2026-W44", now=datetime(2026, 11, 10, tzinfo=UTC)
    )
    assert hours.attended_minutes == 200
    assert [(d.day, d.attended_minutes) for d in hours.days] == [(date(2026, 11, 1), 200)]
    w45 = hours_weekly.patient_weekly_hours(
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
    row = attend(
        clinic,
        occurrence,
        patient,
        status="late",
        check_in_at=datetime(2026, 11, 1, 7, 15, tzinfo=UTC),
    )
    assert row.minutes_attended == 75


def test_other_zone_day_boundaries(clinic):
    kolkata = kolkata_program(clinic)  # the director reads hours there as its director
    patient = admitted_patient(kolkata, "Kai", "Kapok")
    # Monday 2026-12-07 03:00 IST is Sunday 21:30 UTC: it belongs to W50 locally.
    occurrence = make_occurrence(
        kolkata,
        starts_at=datetime(2026, 12, 6, 21, 30, tzinfo=UTC),
        minutes=180,
        patients=[patient],
    )
    attend(clinic, occurrence, patient)
    hours = hours_weekly.patient_weekly_hours(
        patient=patient, week="2026-W50", now=datetime(2026, 12, 20, tzinfo=UTC)
    )
    assert hours.attended_minutes == 180
    assert [d.day for d in hours.days] == [date(2026, 12, 7)]
    assert (
        hours_weekly.patient_weekly_hours(
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
    attend(clinic, sessions[0], patient, status="late", check_in_at=monday + timedelta(minutes=60))
    now = monday + timedelta(days=2, minutes=60)  # an hour into Wednesday's group
    hours = hours_weekly.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
    assert hours.attended_minutes == 120
    assert hours.scheduled_minutes == 180 + 180  # Wednesday's not yet taken, Friday's
    assert hours.projected_minutes == 480
    assert hours.window_min == 540
    assert hours.rule.name == "Adult MH default"  # no coverage: the program's own rule
    assert [f.code for f in hours.flags] == ["below_minimum"]


def test_the_rule_comes_from_the_primary_coverage(clinic):
    patient = admitted_patient(clinic.program_a, "Lee", "Linden")
    monday = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 09:00 CST
    for offset, minutes in ((0, 180), (2, 150), (4, 180)):
        occurrence = make_occurrence(
            clinic.program_a,
            starts_at=monday + timedelta(days=offset),
            minutes=minutes,
            patients=[patient],
        )
        attend(clinic, occurrence, patient)
    now = datetime(2026, 12, 20, tzinfo=UTC)

    def flags():
        hours = hours_weekly.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
        return hours.rule.name, [f.code for f in hours.flags]

    assert flags() == ("Adult MH default", ["below_minimum"])  # 510 min, no day rule
    medicare = PayerFactory(name="Medicare (synthetic)", kind="medicare", hours_rule="medicare_iop")
    coverage = CoverageFactory(patient=patient, payer=medicare)
    assert flags() == ("Medicare IOP (Medicare (synthetic))", ["below_minimum"])
    hours = hours_weekly.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
    assert [(d.services, d.tier) for d in hours.days] == [(1, "up to 3 services")] * 3
    # A secondary coverage does not set the rule; the primary one does.
    CoverageFactory(patient=patient, payer=PayerFactory(name="Gap plan"), priority="secondary")
    assert flags()[0] == "Medicare IOP (Medicare (synthetic))"
    # Coverage that ended before the week no longer applies.
    coverage.effective_to = date(2026, 12, 1)
    coverage.save()
    CoverageFactory(
        patient=patient,
        payer=PayerFactory(name="Example Mutual", hours_rule="h0015"),
        effective_from=date(2026, 12, 2),
    )
    assert flags() == ("H0015 (Example Mutual)", ["below_minimum", "short_day", "few_days"])
    # A self-pay payer follows the program's own rule, whatever the program sets.
    Coverage = type(coverage)
    Coverage.objects.filter(patient=patient).delete()
    CoverageFactory(
        patient=patient,
        payer=PayerFactory(name="Self-pay", kind="self_pay", hours_rule="program_default"),
    )
    ProgramHoursRule.objects.create(
        program=clinic.program_a, min_daily_minutes=180, min_days=3, day_counts_from_minutes=180
    )
    assert flags() == ("Adult MH default", ["below_minimum", "short_day", "few_days"])


def test_a_program_holiday_prorates_the_week_even_across_dst(clinic):
    """W45 of 2026 starts the Monday after the fall-back Sunday; W44 holds the change.
    A holiday in the DST week is a closure, not a shortfall."""
    patient = admitted_patient(clinic.program_a, "Nico", "Nettle")
    CoverageFactory(patient=patient, payer=PayerFactory(name="Plan", hours_rule="h0015"))
    Holiday.objects.create(program=clinic.program_a, date=date(2026, 10, 29), name="Staff day")
    # Monday 26 Oct and Tuesday 27 Oct 17:00-20:00 CDT (22:00 UTC); Thursday is closed.
    for day in (26, 27):
        occurrence = make_occurrence(
            clinic.program_a,
            starts_at=datetime(2026, 10, day, 22, 0, tzinfo=UTC),
            minutes=180,
            patients=[patient],
        )
        attend(clinic, occurrence, patient)
    hours = hours_weekly.patient_weekly_hours(
        patient=patient, week="2026-W44", now=datetime(2026, 11, 10, tzinfo=UTC)
    )
    assert [f.code for f in hours.flags] == []
    assert (hours.window_min, hours.min_days, hours.counted_days) == (360, 2, 2)
    assert hours.notes[0].message == "Thu 2026-10-29: program closed (Staff day)."
    assert [d.day for d in hours.days] == [date(2026, 10, 26), date(2026, 10, 27)]


def test_admission_week_and_hold_from_episode_dates(clinic):
    patient = admitted_patient(clinic.program_a, "Oli", "Osier")
    CoverageFactory(patient=patient, payer=PayerFactory(name="Plan", hours_rule="h0015"))
    episode = patient.episodes.get()
    episode.admitted_on = date(2026, 12, 9)  # Wednesday of W50
    episode.save()
    now = datetime(2026, 12, 30, tzinfo=UTC)
    occurrence = make_occurrence(
        clinic.program_a,
        starts_at=datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
        minutes=180,
        patients=[patient],
    )
    attend(clinic, occurrence, patient)
    hours = hours_weekly.patient_weekly_hours(patient=patient, week="2026-W50", now=now)
    assert (hours.window_min, hours.min_days, [f.code for f in hours.flags]) == (180, 1, [])
    # On hold from Monday of W51 (and still on hold): the week asks nothing, nothing flagged.
    EpisodeEvent.objects.create(
        episode=episode, from_state="active", to_state="on_hold", effective_date=date(2026, 12, 14)
    )
    episode.state = "on_hold"
    episode.save()
    hours = hours_weekly.patient_weekly_hours(patient=patient, week="2026-W51", now=now)
    assert hours.on_hold is True
    assert [f.code for f in hours.flags] == []
    # Back to active on Thursday of W52: Mon-Wed of that week are on hold.
    EpisodeEvent.objects.create(
        episode=episode, from_state="on_hold", to_state="active", effective_date=date(2026, 12, 24)
    )
    assert hours_weekly.hold_days(episode, date(2026, 12, 21)) == {
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
    }


def test_transition_weeks_at_most_two(clinic):
    episode = clinic.episode_a
    hours_services.transition_week_mark(
        actor=clinic.clinician_a, episode_id=episode.pk, week="2026-W50", reason="Step-down"
    )
    hours_services.transition_week_mark(
        actor=clinic.clinician_a, episode_id=episode.pk, week="2026-w51", reason="Step-down"
    )
    with pytest.raises(ApplicationError) as error:
        hours_services.transition_week_mark(
            actor=clinic.clinician_a, episode_id=episode.pk, week="2026-W52", reason="x"
        )
    assert error.value.field_errors == {"week": "At most two transition weeks per episode."}
    hours = hours_weekly.patient_weekly_hours(
        patient=clinic.patient_a, week="2026-W51", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert hours.transitioning is True
    assert [f.code for f in hours.flags] == ["transition_week"]
