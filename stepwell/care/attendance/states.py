"""The attendance state machine and the minutes a participant attended. No Django.

Statuses follow the per-patient group-note documentation of docs/clinical-sources.md §4
(present, late, left early, absent, excused) plus "cancelled by program". Minutes come
from check-in and check-out instants (UTC), capped to the session, so that the daily and
weekly thresholds of §2 (H0015: 3 h/day, 3 days/week; Medicare 9 h/week) are computed
from data and are right across daylight-saving changes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from stepwell.core.errors import ApplicationError


class AttendanceStatus(StrEnum):
    EXPECTED = "expected"
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"
    CANCELLED_BY_PROGRAM = "cancelled_by_program"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    AttendanceStatus.EXPECTED: "Not yet taken",
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.LEFT_EARLY: "Left early",
    AttendanceStatus.ABSENT_EXCUSED: "Absent (excused)",
    AttendanceStatus.ABSENT_UNEXCUSED: "Absent (unexcused)",
    AttendanceStatus.CANCELLED_BY_PROGRAM: "Cancelled by program",
}

S = AttendanceStatus
ATTENDED = frozenset({S.PRESENT, S.LATE, S.LEFT_EARLY})
ABSENT = frozenset({S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED})

# The allowed changes. Corrections between attended and absent statuses are allowed (and
# kept as history); a roster row never goes back to "not yet taken"; nobody leaves early
# who never came; "cancelled by program" is set only before attendance is taken and ends
# the row's story (the session did not happen for that patient).
TRANSITIONS: dict[AttendanceStatus, frozenset[AttendanceStatus]] = {
    S.EXPECTED: frozenset(
        {S.PRESENT, S.LATE, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED, S.CANCELLED_BY_PROGRAM}
    ),
    S.PRESENT: frozenset({S.LATE, S.LEFT_EARLY, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED}),
    S.LATE: frozenset({S.PRESENT, S.LEFT_EARLY, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED}),
    S.LEFT_EARLY: frozenset({S.PRESENT, S.LATE, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED}),
    S.ABSENT_EXCUSED: frozenset({S.PRESENT, S.LATE, S.ABSENT_UNEXCUSED}),
    S.ABSENT_UNEXCUSED: frozenset({S.PRESENT, S.LATE, S.ABSENT_EXCUSED}),
    S.CANCELLED_BY_PROGRAM: frozenset(),
}


def allowed_next(status: str) -> list[str]:
    return sorted(TRANSITIONS[AttendanceStatus(status)])


def check_transition(from_status: str, to_status: str) -> None:
    """Refuse an illegal change, naming the allowed ones. Same status is a time edit."""
    try:
        target = AttendanceStatus(to_status)
    except ValueError as error:
        raise ApplicationError(
            f"{to_status!r} is not an attendance status.",
            field_errors={"status": f"Choose one of: {', '.join(s.value for s in S)}."},
        ) from error
    current = AttendanceStatus(from_status)
    if target == current and current != S.EXPECTED:
        return
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(allowed_next(current)) or "none (final)"
        raise ApplicationError(
            f"Attendance cannot go from {current.value} to {target.value}; allowed: {allowed}.",
            field_errors={"status": f"From {current.value} only: {allowed}."},
        )


def minutes_attended(
    *,
    status: str,
    session_start: datetime,
    session_end: datetime,
    check_in: datetime | None,
    check_out: datetime | None,
) -> int:
    """Whole minutes of the session the participant was there, from aware instants.

    Absent, cancelled and not-yet-taken rows count 0. Missing times default to the
    session's start and end; the interval is capped to the session.
    """
    if AttendanceStatus(status) not in ATTENDED:
        return 0
    start = max(check_in or session_start, session_start)
    end = min(check_out or session_end, session_end)
    if end <= start:
        return 0
    return int((end - start).total_seconds() // 60)
