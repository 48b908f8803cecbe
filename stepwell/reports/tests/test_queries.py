"""Each report is computed in the database: the number of queries does not grow with the
number of patients, episodes, scores or attendance rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepwell.accounts.models import Role
from stepwell.care.models import Attendance
from stepwell.patients.models import Disposition
from stepwell.reports.registry import SPECS
from stepwell.reports.selectors import report_run
from stepwell.schedule.models import Enrollment, SessionOccurrence
from stepwell.testing.factories import CoverageFactory, UserFactory

from .conftest import JUNE, NOW, episode, june, score

pytestmark = pytest.mark.django_db


def grow(clinic, patients: int, facilitator) -> None:
    """Add `patients` episodes in June with scores, coverage and attendance at groups."""
    program = clinic.program_a
    starts = [datetime(2026, 6, day, 15, 0, tzinfo=UTC) for day in (8, 9, 10, 16, 17)]
    occurrences = []
    for start in starts:
        occurrence = SessionOccurrence.objects.create(
            program=program,
            kind="process_group",
            title=f"Group {start:%d}",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=12,
        )
        occurrence.facilitators.set([facilitator])
        occurrences.append(occurrence)
    for n in range(patients):
        discharged = n % 2 == 0
        ep = episode(
            program,
            referred=june(1),
            admitted=june(2),
            discharged=june(26) if discharged else None,
            disposition=Disposition.COMPLETED if discharged else "",
        )
        CoverageFactory(patient=ep.patient, payer=clinic.payer)
        score(ep, "phq9", 12 + n % 10, june(2))
        score(ep, "phq9", 3 + n % 7, june(24))
        score(ep, "gad7", 10 + n % 8, june(2))
        score(ep, "gad7", 2 + n % 5, june(24))
        for k, occurrence in enumerate(occurrences):
            Enrollment.objects.create(occurrence=occurrence, patient=ep.patient)
            status = "present" if (n + k) % 4 else "absent_unexcused"
            Attendance.objects.create(
                occurrence=occurrence,
                patient=ep.patient,
                status=status,
                minutes_attended=180 if status == "present" else 0,
                session_starts_at=occurrence.starts_at,
                session_ends_at=occurrence.ends_at,
            )


def count_queries(clinic, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_run(user=clinic.director_a, name=name, now=NOW, **JUNE)
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_clinic(hand_clinic, django_assert_max_num_queries):
    facilitator = UserFactory(roles=[Role.CLINICIAN], programs=[hand_clinic.program_a])
    grow(hand_clinic, 2, facilitator)
    small = {spec.name: count_queries(hand_clinic, spec.name) for spec in SPECS}
    grow(hand_clinic, 12, facilitator)
    for spec in SPECS:
        with django_assert_max_num_queries(small[spec.name]):
            report_run(user=hand_clinic.director_a, name=spec.name, now=NOW, **JUNE)


def test_attendance_and_staff_hours_by_hand(hand_clinic):
    """2 patients x 5 group meetings: absent when (patient + meeting) % 4 == 0, i.e.
    patient 0 at meetings 0 and 4, patient 1 at meeting 3: 10 taken, 7 attended, 3
    no-shows. Each meeting had someone attending: 5 meetings x 3 h = 15.0 h."""
    facilitator = UserFactory(
        roles=[Role.CLINICIAN], programs=[hand_clinic.program_a], last_name="Facilitator"
    )
    grow(hand_clinic, 2, facilitator)
    result = report_run(user=hand_clinic.director_a, name="attendance", now=NOW, **JUNE)
    rows = {row[0]: row for row in result.report.table("by_group").rows}
    # sessions, taken, attended, rate, no-shows, late cancellations, cancelled by program
    assert rows["All sessions"][1:] == (5, 10, 7, 70.0, 3, 0, 0)
    staff = report_run(user=hand_clinic.director_a, name="staff", now=NOW, **JUNE)
    rows = {row[0]: row for row in staff.report.table("staff").rows}
    mine = rows[facilitator.get_full_name()]
    assert (mine[6], mine[7]) == (5, 15.0)
