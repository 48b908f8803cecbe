"""The attendance state machine and minutes, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.care.attendance.states import (
    TRANSITIONS,
    AttendanceStatus,
    allowed_next,
    check_transition,
    minutes_attended,
)
from stepwell.core.errors import ApplicationError

ALL = list(AttendanceStatus)
LEGAL = [(a, b) for a in ALL for b in sorted(TRANSITIONS[a])]
ILLEGAL = [
    (a, b)
    for a in ALL
    for b in ALL
    if b not in TRANSITIONS[a] and not (a == b and a != AttendanceStatus.EXPECTED)
]


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_legal_transitions_pass(from_status, to_status):
    check_transition(from_status, to_status)


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_allowed(from_status, to_status):
    with pytest.raises(ApplicationError) as error:
        check_transition(from_status, to_status)
    allowed = ", ".join(allowed_next(from_status)) or "none (final)"
    assert error.value.message == (
        f"Attendance cannot go from {from_status.value} to {to_status.value}; allowed: {allowed}."
    )
    assert set(error.value.field_errors) == {"status"}


def test_the_illegal_list_is_the_expected_size():
    # 7 statuses: 49 pairs, minus 23 allowed changes, minus 6 same-status time edits.
    assert len(LEGAL) == 23
    assert len(ILLEGAL) == 20
    assert (AttendanceStatus.EXPECTED, AttendanceStatus.LEFT_EARLY) in ILLEGAL
    assert (AttendanceStatus.PRESENT, AttendanceStatus.EXPECTED) in ILLEGAL
    assert (AttendanceStatus.PRESENT, AttendanceStatus.CANCELLED_BY_PROGRAM) in ILLEGAL
    assert (AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.LEFT_EARLY) in ILLEGAL


def test_unknown_status_is_refused():
    with pytest.raises(ApplicationError) as error:
        check_transition("expected", "asleep")
    assert error.value.field_errors["status"].startswith("Choose one of: expected, present")


START = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
END = START + timedelta(hours=3)


@pytest.mark.parametrize(
    ("status", "check_in", "check_out", "minutes"),
    [
        ("present", None, None, 180),
        ("late", START + timedelta(minutes=25), None, 155),
        ("left_early", None, START + timedelta(minutes=100), 100),
        ("late", START - timedelta(minutes=30), None, 180),  # capped to the session
        ("present", START, END + timedelta(hours=2), 180),  # capped to the session
        ("late", START + timedelta(minutes=10), START + timedelta(minutes=70, seconds=59), 60),
        ("absent_excused", START, END, 0),
        ("absent_unexcused", None, None, 0),
        ("cancelled_by_program", None, None, 0),
        ("expected", None, None, 0),
    ],
)
def test_minutes_attended(status, check_in, check_out, minutes):
    assert (
        minutes_attended(
            status=status,
            session_start=START,
            session_end=END,
            check_in=check_in,
            check_out=check_out,
        )
        == minutes
    )
