"""A small, hand-built clinic whose report numbers are worked out by hand in the tests.

Program A (director_a, billing_a; America/Chicago), program B (director_b). The period
is June 2026; "now" is 30 June 2026, 18:00 UTC (13:00 in Chicago).

Program A's episodes (one patient each):
  E1 referred 10 May, admitted 20 May, discharged 10 Jun completed      (stay 22 days)
  E2 referred  1 Jun, admitted  5 Jun, discharged 20 Jun against advice  (stay 16 days)
  E3 referred  3 Jun, admitted 15 Jun, still in treatment
  E4 referred  2 Jun, still waiting (referred)
  E5 referred 20 Mar, admitted  1 Apr, discharged 31 May completed      (before the period)
  E6 referred 25 May, admitted  1 Jun, discharged 25 Jun completed      (stay 25 days)
PHQ-9 first -> last: E1 20 -> 8, E2 15 -> 14, E6 12 -> 4.
GAD-7 first -> last: E1 15 -> 5; E6 one score only (9).
E1's patient has primary coverage with payer "Plan One".
Program B: one episode admitted 1 Jun, discharged 12 Jun completed (never in A's numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from stepwell.accounts.models import Role
from stepwell.care.models import Attendance, EpisodeTransitionWeek
from stepwell.measures.models import Administration, AdministrationStatus
from stepwell.patients.models import Disposition, EpisodeEvent, EpisodeState
from stepwell.schedule.models import Enrollment, Holiday, SessionOccurrence
from stepwell.testing.factories import (
    CoverageFactory,
    EpisodeFactory,
    PayerFactory,
    ProgramFactory,
    UserFactory,
)

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
JUNE = {"date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)}


@dataclass
class HandClinic:
    program_a: object
    program_b: object
    director_a: object
    director_b: object
    billing_a: object
    clinician_a: object
    payer: object
    episodes: dict


def episode(program, *, referred, admitted=None, discharged=None, disposition=""):
    if discharged:
        state = EpisodeState.DISCHARGED
    elif admitted:
        state = EpisodeState.ADMITTED
    else:
        state = EpisodeState.REFERRED
    return EpisodeFactory(
        program=program,
        state=state,
        referred_on=referred,
        admitted_on=admitted,
        discharged_on=discharged,
        discharge_disposition=disposition,
    )


def score(ep, key: str, total: int, on: date):
    return Administration.objects.create(
        patient=ep.patient,
        episode=ep,
        instrument_key=key,
        status=AdministrationStatus.COMPLETED,
        total=total,
        answers={},
        completed_at=datetime(on.year, on.month, on.day, 15, 0, tzinfo=UTC),
    )


def june(day: int) -> date:
    return date(2026, 6, day)


@pytest.fixture
def hand_clinic(db) -> HandClinic:
    a = ProgramFactory(name="Alpha IOP")
    b = ProgramFactory(name="Beta IOP")
    done = Disposition.COMPLETED
    eps = {
        "E1": episode(
            a,
            referred=date(2026, 5, 10),
            admitted=date(2026, 5, 20),
            discharged=june(10),
            disposition=done,
        ),
        "E2": episode(
            a,
            referred=june(1),
            admitted=june(5),
            discharged=june(20),
            disposition=Disposition.LEFT_AGAINST_ADVICE,
        ),
        "E3": episode(a, referred=june(3), admitted=june(15)),
        "E4": episode(a, referred=june(2)),
        "E5": episode(
            a,
            referred=date(2026, 3, 20),
            admitted=date(2026, 4, 1),
            discharged=date(2026, 5, 31),
            disposition=done,
        ),
        "E6": episode(
            a, referred=date(2026, 5, 25), admitted=june(1), discharged=june(25), disposition=done
        ),
        "B1": episode(
            b, referred=date(2026, 5, 28), admitted=june(1), discharged=june(12), disposition=done
        ),
    }
    score(eps["E1"], "phq9", 20, date(2026, 5, 20))
    score(eps["E1"], "phq9", 8, june(10))
    score(eps["E2"], "phq9", 15, june(5))
    score(eps["E2"], "phq9", 14, june(20))
    score(eps["E6"], "phq9", 12, june(1))
    score(eps["E6"], "phq9", 4, june(25))
    score(eps["E1"], "gad7", 15, date(2026, 5, 20))
    score(eps["E1"], "gad7", 5, june(10))
    score(eps["E6"], "gad7", 9, june(1))
    score(eps["B1"], "phq9", 22, june(1))
    score(eps["B1"], "phq9", 3, june(12))
    payer = PayerFactory(name="Plan One")
    CoverageFactory(patient=eps["E1"].patient, payer=payer)
    return HandClinic(
        program_a=a,
        program_b=b,
        director_a=UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=[a]),
        director_b=UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=[b]),
        billing_a=UserFactory(roles=[Role.BILLING], programs=[a]),
        clinician_a=UserFactory(roles=[Role.CLINICIAN], programs=[a]),
        payer=payer,
        episodes=eps,
    )


@pytest.fixture
def no_small_cells(settings):
    """Hand-computed outcome numbers are small: show them."""
    settings.STEPWELL_REPORT_MIN_CELL = 0


def cells(result, table_key: str) -> dict:
    """A table's rows keyed by their first cell (or first two for two text columns)."""
    table = result.report.table(table_key)
    return {row[0]: row for row in table.rows}


def day_offset(start: date, n: int) -> date:
    return start + timedelta(days=n)


# ---- a June of group meetings (test_hours.py, test_independent.py) -------------------------
# Groups of 3 h on Monday, Wednesday and Friday at 10:00 in Chicago; Friday 19 June is a
# holiday. E6 attends every meeting of its stay; E1 (H0015 through Plan One) 3 h, 2 h, 3 h
# in W23 and Monday 8 June; E2 from Friday 5 June, a no-show on 17 June; E3 from 15 June,
# on hold 22-28 June, booked for the meetings of W27 (30 June is "now"); E6 steps down in
# W26.


def _meeting(program, day: date, facilitator):
    start = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)  # 10:00 in Chicago
    occurrence = SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title=f"Group {day:%d %b}",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=12,
    )
    occurrence.facilitators.set([facilitator])
    return occurrence


def _attend(occurrence, patient, minutes=180):
    Enrollment.objects.create(occurrence=occurrence, patient=patient)
    if occurrence.ends_at <= NOW:
        Attendance.objects.create(
            occurrence=occurrence,
            patient=patient,
            status="present" if minutes else "absent_unexcused",
            minutes_attended=minutes,
            session_starts_at=occurrence.starts_at,
            session_ends_at=occurrence.ends_at,
        )


@pytest.fixture
def june_hours(hand_clinic):
    a = hand_clinic.program_a
    facilitator = UserFactory(roles=[Role.CLINICIAN], programs=[a])
    Holiday.objects.create(program=a, date=date(2026, 6, 19), name="Juneteenth")
    e = hand_clinic.episodes
    days = [date(2026, 6, 1) + timedelta(days=n) for n in range(35)]
    meetings = {
        day: _meeting(a, day, facilitator)
        for day in days
        if day.weekday() in (0, 2, 4) and day != date(2026, 6, 19)
    }
    # E6: every meeting of its stay (1-25 June), 3 h each.
    for day, occurrence in meetings.items():
        if day <= date(2026, 6, 25):
            _attend(occurrence, e["E6"].patient)
    # E1 (H0015: 3 days of 3 h): two meetings of 3 h and one of 2 h in W23, left 10 June.
    _attend(meetings[date(2026, 6, 1)], e["E1"].patient)
    _attend(meetings[date(2026, 6, 3)], e["E1"].patient, minutes=120)
    _attend(meetings[date(2026, 6, 5)], e["E1"].patient)
    _attend(meetings[date(2026, 6, 8)], e["E1"].patient)
    # E2 (admitted Friday 5 June): that Friday, then two meetings a week, no-show on 17 June.
    for day in (date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 10), date(2026, 6, 15)):
        _attend(meetings[day], e["E2"].patient)
    _attend(meetings[date(2026, 6, 17)], e["E2"].patient, minutes=0)
    # E3 (admitted 15 June): on hold 22-28 June (the whole of W26); W27 still to come.
    for day in (date(2026, 6, 15), date(2026, 6, 17)):
        _attend(meetings[day], e["E3"].patient)
    for day in (date(2026, 6, 29), date(2026, 7, 1), date(2026, 7, 3)):
        _attend(meetings[day], e["E3"].patient)
    EpisodeEvent.objects.create(
        episode=e["E3"], to_state=EpisodeState.ON_HOLD, effective_date=date(2026, 6, 22)
    )
    EpisodeEvent.objects.create(
        episode=e["E3"], to_state=EpisodeState.ACTIVE, effective_date=date(2026, 6, 29)
    )
    # E6 steps down in its last week.
    EpisodeTransitionWeek.objects.create(
        episode=e["E6"], week="2026-W26", reason="Stepping down", recorded_by=facilitator
    )
    return hand_clinic
