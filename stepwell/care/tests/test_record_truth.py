"""Nothing recorded before it happened (issue 12): attendance opens the program's grace
minutes before a session starts, notes are signed after their session started, minutes
count toward hours only once the session has ended, and only the session's facilitators
and the program's directors take its attendance and sign its group note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.care.attendance import services as attendance_services
from stepwell.care.hours import weekly as weekly_hours
from stepwell.care.models import Attendance, AttendanceChange, GroupNote
from stepwell.care.notes import group_notes
from stepwell.care.notes import services as note_services
from stepwell.care.tests.conftest import (
    AFTER,
    DURING,
    GROUP_START,
    admitted_patient,
    make_occurrence,
)
from stepwell.care.tests.helpers import birp
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rows(clinic, group):
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    return {row.patient_id: row for row in rows}


def test_present_at_0838_for_a_1730_group_is_refused_and_counts_nothing(clinic):
    """The case seen: present at 08:38 for a 17:30 group (America/Chicago) was accepted
    and counted 1.5 h toward the week."""
    patient = admitted_patient(clinic.program_a, "Lee", "Linden")
    starts = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)  # 17:30 CST
    occurrence = make_occurrence(
        clinic.program_a,
        starts_at=starts,
        minutes=90,
        facilitators=[clinic.clinician_a],
        patients=[patient],
    )
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=occurrence.pk
    )
    morning = datetime(2026, 12, 8, 14, 38, tzinfo=UTC)  # 08:38 CST
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=rows[0].pk, status="present", now=morning
        )
    assert "status" in error.value.field_errors
    assert "17:30" in error.value.message
    row = Attendance.objects.get(pk=rows[0].pk)
    assert row.status == "expected" and row.minutes_attended == 0
    assert not AttendanceChange.objects.filter(attendance=row).exists()
    hours = weekly_hours.patient_weekly_hours(patient=patient, week="2026-W50", now=morning)
    assert hours.attended_minutes == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minutes_before=st.integers(min_value=-30, max_value=240), grace=st.integers(0, 30))
def test_attendance_opens_exactly_the_grace_minutes_before_the_start(
    clinic, group, minutes_before, grace
):
    clinic.program_a.attendance_grace_minutes = grace
    clinic.program_a.save(update_fields=["attendance_grace_minutes"])
    row = _rows(clinic, group)[group.dana.pk]
    Attendance.objects.filter(pk=row.pk).update(status="expected", check_in_at=None)
    now = GROUP_START - timedelta(minutes=minutes_before)
    if minutes_before > grace:
        with pytest.raises(ApplicationError):
            attendance_services.attendance_mark(
                actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=now
            )
        assert Attendance.objects.get(pk=row.pk).status == "expected"
    else:
        marked = attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=now
        )
        assert marked.status == "present"


def test_excused_absence_may_be_recorded_ahead(clinic, group):
    row = _rows(clinic, group)[group.dana.pk]
    marked = attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=row.pk,
        status="absent_excused",
        reason="Called in sick",
        now=GROUP_START - timedelta(days=1),
    )
    assert marked.status == "absent_excused"


def test_walk_in_before_the_start_is_refused(clinic, group):
    walk_in = admitted_patient(clinic.program_a, "Finley", "Fir")
    with pytest.raises(ApplicationError):
        attendance_services.attendance_walk_in_add(
            actor=clinic.clinician_a,
            occurrence_id=group.occurrence.pk,
            patient_id=walk_in.pk,
            now=GROUP_START - timedelta(hours=3),
        )
    assert not Attendance.objects.filter(patient=walk_in).exists()


def test_a_check_in_time_in_the_future_is_refused(clinic, group):
    row = _rows(clinic, group)[group.dana.pk]
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a,
            attendance_id=row.pk,
            status="late",
            check_in_at=DURING + timedelta(minutes=30),
            now=DURING,
        )
    assert "check_in_at" in error.value.field_errors


def test_minutes_count_toward_hours_only_after_the_session_ended(clinic, group):
    row = _rows(clinic, group)[group.dana.pk]
    attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=DURING
    )
    during = weekly_hours.patient_weekly_hours(patient=group.dana, week="2026-W50", now=DURING)
    assert during.attended_minutes == 0
    assert during.scheduled_minutes == 180  # still counted as a session that may happen
    after = weekly_hours.patient_weekly_hours(patient=group.dana, week="2026-W50", now=AFTER)
    assert after.attended_minutes == 180
    assert after.scheduled_minutes == 0


def test_a_clinician_of_the_program_who_does_not_facilitate_is_refused(clinic, group):
    """The service is the gate: a prescriber of the same program, not a facilitator."""
    row = _rows(clinic, group)[group.dana.pk]
    before = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        attendance_services.attendance_mark(
            actor=clinic.prescriber_a, attendance_id=row.pk, status="present", now=DURING
        )
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 1
    assert Attendance.objects.get(pk=row.pk).status == "expected"


def test_the_director_takes_attendance(clinic, group):
    row = _rows(clinic, group)[group.dana.pk]
    marked = attendance_services.attendance_mark(
        actor=clinic.director_a, attendance_id=row.pk, status="present", now=DURING
    )
    assert marked.recorded_by == clinic.director_a


def _written_group_note(clinic, group, author):
    for row in _rows(clinic, group).values():
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=DURING
        )
    note = group_notes.group_note_open(actor=author, occurrence_id=group.occurrence.pk)
    group_notes.group_note_update(
        actor=author,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills"},
        sections={s.pk: birp(f"Member {i}") for i, s in enumerate(note.sections.all())},
    )
    return note


def test_a_group_note_is_not_signed_before_the_session_starts(clinic, group):
    note = _written_group_note(clinic, group, clinic.clinician_a)
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(
            actor=clinic.clinician_a, group_note_id=note.pk, now=GROUP_START - timedelta(hours=2)
        )
    assert "signed_at" in error.value.field_errors
    assert GroupNote.objects.get(pk=note.pk).signed_at is None


def test_a_co_facilitator_signs_the_shared_group_note(clinic, group):
    group.occurrence.facilitators.add(clinic.nurse_a)
    note = _written_group_note(clinic, group, clinic.clinician_a)
    signed = group_notes.group_note_sign(actor=clinic.nurse_a, group_note_id=note.pk, now=AFTER)
    assert signed.signed_at == AFTER


def test_a_prescriber_who_does_not_facilitate_cannot_sign_the_group_note(clinic, group):
    note = _written_group_note(clinic, group, clinic.clinician_a)
    with pytest.raises(AccessDenied):
        group_notes.group_note_sign(actor=clinic.prescriber_a, group_note_id=note.pk, now=AFTER)
    assert GroupNote.objects.get(pk=note.pk).signed_at is None


def test_an_individual_note_is_not_signed_before_its_session(clinic):
    started = GROUP_START + timedelta(days=1)
    note = note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=started,
        ended_at=started + timedelta(minutes=50),
    )
    note_services.note_update(actor=clinic.clinician_a, note_id=note.pk, data=birp("Ind"))
    with pytest.raises(ApplicationError) as error:
        note_services.note_sign(actor=clinic.clinician_a, note_id=note.pk, now=GROUP_START)
    assert "signed_at" in error.value.field_errors
    signed = note_services.note_sign(
        actor=clinic.clinician_a, note_id=note.pk, now=started + timedelta(minutes=55)
    )
    assert signed.signed_at is not None
