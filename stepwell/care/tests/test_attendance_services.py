"""Attendance services: roster, walk-ins, marks, history, refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.care.attendance import services as attendance_services
from stepwell.care.models import Attendance, AttendanceChange
from stepwell.care.tests.conftest import AFTER, DURING, GROUP_START, admitted_patient
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import Enrollment


def _roster(clinic, group):
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    return {row.patient_id: row for row in rows}


def test_roster_comes_from_enrolments_and_is_created_once(clinic, group):
    rows = _roster(clinic, group)
    assert set(rows) == {clinic.patient_a.pk, group.dana.pk, group.emery.pk}
    assert {r.status for r in rows.values()} == {"expected"}
    attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=rows[group.dana.pk].pk, status="present", now=DURING
    )
    late_enrolment = admitted_patient(clinic.program_a, "Finley", "Fir")
    Enrollment.objects.create(occurrence=group.occurrence, patient=late_enrolment)
    again = _roster(clinic, group)
    assert again[group.dana.pk].status == "present"
    assert again[late_enrolment.pk].status == "expected"
    assert Attendance.objects.count() == 4
    event = AuditEvent.objects.filter(object_type="attendance_roster").order_by("seq").last()
    assert event.detail["added"] == [late_enrolment.pk]


def test_mark_present_late_left_early_minutes_and_history(clinic, group):
    rows = _roster(clinic, group)
    present = attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[clinic.patient_a.pk].pk,
        status="present",
        now=DURING,
    )
    assert present.minutes_attended == 180
    late = attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=rows[group.dana.pk].pk, status="late", now=DURING
    )
    assert late.check_in_at == DURING
    assert late.minutes_attended == 160
    left = attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.dana.pk].pk,
        status="left_early",
        now=GROUP_START + timedelta(minutes=140),
    )
    assert left.check_in_at == DURING  # the late arrival is kept
    assert left.minutes_attended == 120
    changes = list(
        AttendanceChange.objects.filter(attendance=left).values_list("from_status", "to_status")
    )
    assert changes == [("expected", "late"), ("late", "left_early")]
    # Nobody else's row was touched.
    assert Attendance.objects.get(pk=rows[group.emery.pk].pk).status == "expected"


def test_after_the_fact_late_needs_a_time_and_is_a_correction(clinic, group):
    rows = _roster(clinic, group)
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=rows[group.dana.pk].pk, status="late", now=AFTER
        )
    assert error.value.field_errors == {"check_in_at": "Required for a late arrival."}
    row = attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.dana.pk].pk,
        status="late",
        check_in_at=GROUP_START + timedelta(minutes=45),
        reason="entered from the paper sign-in sheet",
        now=AFTER,
    )
    assert row.minutes_attended == 135
    change = AttendanceChange.objects.get(attendance=row)
    assert change.is_correction is True
    assert change.reason == "entered from the paper sign-in sheet"
    corrected = attendance_services.attendance_mark(
        actor=clinic.director_a, attendance_id=row.pk, status="absent_excused", now=AFTER
    )
    assert corrected.minutes_attended == 0
    assert corrected.check_in_at is None
    assert AttendanceChange.objects.filter(attendance=row).count() == 2
    event = (
        AuditEvent.objects.filter(object_type="attendance", object_id=str(row.pk))
        .order_by("seq")
        .last()
    )
    assert event.detail == {
        "from": "late",
        "to": "absent_excused",
        "minutes": 0,
        "correction": True,
    }
    assert event.patient_id == group.dana.pk


def test_illegal_transition_through_the_service_changes_nothing(clinic, group):
    rows = _roster(clinic, group)
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a,
            attendance_id=rows[group.dana.pk].pk,
            status="left_early",
            now=DURING,
        )
    assert "allowed: absent_excused, absent_unexcused, cancelled_by_program, late, present" in (
        error.value.message
    )
    row = Attendance.objects.get(pk=rows[group.dana.pk].pk)
    assert row.status == "expected"
    assert AttendanceChange.objects.count() == 0


def test_times_are_checked_and_named(clinic, group):
    rows = _roster(clinic, group)
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a,
            attendance_id=rows[group.dana.pk].pk,
            status="present",
            check_in_at=GROUP_START + timedelta(minutes=60),
            check_out_at=GROUP_START + timedelta(minutes=30),
            now=DURING,
        )
    assert error.value.field_errors == {"check_out_at": "Must be after the check-in time."}
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a,
            attendance_id=rows[group.dana.pk].pk,
            status="late",
            check_in_at=AFTER,
            now=AFTER,
        )
    assert error.value.field_errors == {"check_in_at": "Give a time during the session."}


def test_walk_in_added_without_disturbing_others(clinic, group):
    rows = _roster(clinic, group)
    attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=rows[group.dana.pk].pk, status="present", now=DURING
    )
    walk_in = admitted_patient(clinic.program_a, "Gray", "Ginkgo")
    row = attendance_services.attendance_walk_in_add(
        actor=clinic.clinician_a,
        occurrence_id=group.occurrence.pk,
        patient_id=walk_in.pk,
        status="late",
        now=DURING,
    )
    assert row.source == "walk_in"
    assert row.status == "late"
    assert row.minutes_attended == 160
    assert Attendance.objects.get(pk=rows[group.dana.pk].pk).status == "present"
    assert Attendance.objects.filter(occurrence=group.occurrence).count() == 4
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_walk_in_add(
            actor=clinic.clinician_a,
            occurrence_id=group.occurrence.pk,
            patient_id=walk_in.pk,
            now=DURING,
        )
    assert error.value.field_errors == {
        "patient_id": "Already on the roster; change their status there."
    }


def test_walk_in_must_be_admitted_to_the_program(clinic, group):
    with pytest.raises(ApplicationError) as error:
        attendance_services.attendance_walk_in_add(
            actor=clinic.clinician_a,
            occurrence_id=group.occurrence.pk,
            patient_id=clinic.patient_b.pk,
            now=DURING,
        )
    assert error.value.field_errors == {"patient_id": "Choose an admitted patient of this program."}
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize("who", ["clinician_b", "billing_a", "intake_a", "admin", "patient_user_a"])
def test_attendance_refused_for_other_roles_is_audited_and_changes_nothing(clinic, group, who):
    rows = _roster(clinic, group)
    actor = getattr(clinic, who)
    with pytest.raises(AccessDenied):
        attendance_services.attendance_roster_open(actor=actor, occurrence_id=group.occurrence.pk)
    with pytest.raises(AccessDenied):
        attendance_services.attendance_mark(
            actor=actor, attendance_id=rows[clinic.patient_a.pk].pk, status="present", now=DURING
        )
    assert Attendance.objects.get(pk=rows[clinic.patient_a.pk].pk).status == "expected"
    denied = AuditEvent.objects.filter(outcome="denied", user_id=actor.pk)
    assert sorted(denied.values_list("object_type", flat=True)) == [
        "attendance",
        "attendance_roster",
    ]
    assert denied.get(object_type="attendance").patient_id == clinic.patient_a.pk


@pytest.mark.parametrize("who", ["clinician_a", "director_a"])
def test_attendance_allowed_for_facilitator_and_director(clinic, group, who):
    rows = _roster(clinic, group)
    row = attendance_services.attendance_mark(
        actor=getattr(clinic, who),
        attendance_id=rows[clinic.patient_a.pk].pk,
        status="present",
        now=DURING,
    )
    assert row.status == "present"
