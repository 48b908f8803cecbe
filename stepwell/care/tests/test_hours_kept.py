"""The reads behind a week's hours (a caseload's badges, a program's compliance) are kept
compiled, the page's ids as one list parameter (stepwell/core/kept.py, field__any_of):
each reads what the ORM's query it keeps reads, for lists of every length, and a
compliance page compiles none of them after its first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection

from stepwell.billing.models import Coverage, ProgramHoursRule
from stepwell.billing.selectors import hours as billing_hours
from stepwell.care.attendance.services import attendance_for_appointment_open
from stepwell.care.hours import services as hours_services
from stepwell.care.hours import weekly
from stepwell.care.models import Attendance, EpisodeTransitionWeek
from stepwell.care.tests.conftest import admitted_patient, attend, make_occurrence
from stepwell.core.kept import KEPT_ON_CONNECTION
from stepwell.patients.models import EpisodeEvent
from stepwell.schedule.calendar import closures
from stepwell.schedule.models import Appointment, Enrollment, GroupSeries, Holiday
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import CoverageFactory, PayerFactory
from stepwell.testing.kept import assert_records_as_orm, compiles

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

MONDAY = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)  # ISO week 2026-W46
ROWS = [
    weekly._TRANSITIONS,
    weekly._ATTENDED,
    weekly._ENROLLED,
    weekly._APPOINTED,
    weekly._TRANSITION_WEEKS,
    closures._HOLIDAYS,
]
RECORDS = [closures._PROGRAMMING, billing_hours._PROGRAM_RULES, billing_hours._COVERAGES]


@pytest.fixture
def week(clinic):
    """Two patients of program A with a week of every kind of row the hours read (group
    sessions attended and to come, an appointment, a hold, a transition week, coverage,
    the program's rule, a holiday, a weekly group), and a patient of program B."""
    patients = [admitted_patient(clinic.program_a, "Ada", f"Hours{n}") for n in range(2)]
    other = admitted_patient(clinic.program_b, "Bo", "Elsewhere")
    past = make_occurrence(clinic.program_a, starts_at=MONDAY, patients=[*patients, other])
    attend(clinic, past, patients[0])
    make_occurrence(clinic.program_a, starts_at=MONDAY + timedelta(days=2), patients=patients)
    appointments = [
        Appointment.objects.create(
            patient=patient,
            staff=clinic.clinician_a,
            program=clinic.program_a,
            kind=kind,
            starts_at=MONDAY + timedelta(days=day),
            ends_at=MONDAY + timedelta(days=day, minutes=minutes),
        )
        for patient, kind, day, minutes in (
            (patients[1], "individual", 1, 50),
            (patients[0], "medication", 3, 30),
        )
    ]
    attendance_for_appointment_open(actor=clinic.clinician_a, appointment_id=appointments[0].pk)
    episode = patients[0].episodes.get()
    for to_state, day in (("on_hold", 10), ("active", 12)):
        EpisodeEvent.objects.create(
            episode=episode, to_state=to_state, effective_date=date(2026, 11, day)
        )
    hours_services.transition_week_mark(
        actor=clinic.clinician_a, episode_id=episode.pk, week="2026-W46", reason="Step-down"
    )
    CoverageFactory(patient=patients[0], payer=PayerFactory(name="Plan", hours_rule="h0015"))
    CoverageFactory(patient=other, payer=PayerFactory(name="Other plan"))
    ProgramHoursRule.objects.create(program=clinic.program_a, min_daily_minutes=120, min_days=3)
    Holiday.objects.create(program=clinic.program_a, date=date(2026, 11, 11), name="Staff day")
    Holiday.objects.create(program=clinic.program_b, date=date(2026, 11, 12), name="Other day")
    for program, kind in ((clinic.program_a, "skills_group"), (clinic.program_b, "alumni_group")):
        GroupSeries.objects.create(
            program=program,
            kind=kind,
            title="Weekly",
            start_time=time(10, 0),
            duration_minutes=180,
            recurrence="FREQ=WEEKLY;BYDAY=MO,WE",
            starts_on=date(2026, 10, 5),
        )
    return {
        "patients": [*patients, other],
        "episodes": [p.episodes.get() for p in [*patients, other]],
    }


def _values(clinic, week, count: int) -> dict:
    """The values a read takes for the first `count` patients (with an id no row has)."""
    patients = [p.pk for p in week["patients"][:count]] + [10**9]
    episodes = [e.pk for e in week["episodes"][:count]] + [10**9]
    programs = [clinic.program_a.pk, clinic.program_b.pk][: max(count - 1, 0)]
    return {
        "patients": patients,
        "episodes": episodes,
        "programs": programs,
        "start": MONDAY - timedelta(days=7),
        "end": MONDAY + timedelta(days=7),
        "first": date(2026, 11, 1),
        "last": date(2026, 11, 30),
        "weeks": ["2026-W46", "2026-W47"][:count],
    }


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_weeks_reads_are_the_orms_for_lists_of_any_length(clinic, week, count):
    values = _values(clinic, week, count)
    for kept in ROWS:
        wanted = {name: values[name] for name in kept.fields}
        assert kept.rows(**wanted) == [tuple(row) for row in kept.build(**wanted)], kept.build
    for kept in RECORDS:
        assert_records_as_orm(kept, **{name: values[name] for name in kept.fields})


def test_each_read_has_rows_to_compare(clinic, week):
    values = _values(clinic, week, 3)
    for kept in ROWS + RECORDS:
        wanted = {name: values[name] for name in kept.fields}
        read = kept.rows(**wanted) if kept in ROWS else kept.records(**wanted)
        assert read, kept.build
    assert Attendance.objects.exists() and Enrollment.objects.exists()
    assert EpisodeTransitionWeek.objects.exists() and Coverage.objects.exists()


def test_a_compliance_page_compiles_none_of_the_weeks_reads_after_its_first(
    client, clinic, week, monkeypatch
):
    verified_login(client, clinic.director_a)
    url = f"/care/programs/{clinic.program_a.pk}/compliance/?week=2026-W46"
    getattr(connection, KEPT_ON_CONNECTION, {}).clear()
    compiled = compiles(monkeypatch)
    first = client.get(url)
    assert first.status_code == 200
    kept = {Attendance, Enrollment, Appointment, EpisodeTransitionWeek, EpisodeEvent}
    kept |= {Holiday, GroupSeries, ProgramHoursRule, Coverage}
    assert kept <= set(compiled)
    compiled.clear()
    assert client.get(url).status_code == 200
    assert not kept & set(compiled), compiled
