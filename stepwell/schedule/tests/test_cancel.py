"""Cancelling one meeting of a group frees staff and room, keeps bookings, and shows in attendance."""

from datetime import time

import pytest

from stepwell.care.models import Attendance
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import BookingClaim, Enrollment, SessionOccurrence
from stepwell.testing.auth import verified_login


def _monday_group(calendar):
    return SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )


def test_director_cancels_a_session(client, calendar):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
    )
    assert BookingClaim.objects.filter(occurrence=occurrence, resource_type="staff").exists()
    verified_login(client, clinic.director_a)
    page = client.get(f"/schedule/sessions/{occurrence.pk}/cancel/")
    assert "Avery Alder" in page.content.decode()
    missing = client.post(f"/schedule/sessions/{occurrence.pk}/cancel/", {"reason": ""})
    assert missing.status_code == 200
    assert "Required." in missing.content.decode()
    done = client.post(f"/schedule/sessions/{occurrence.pk}/cancel/", {"reason": "Snow closure"})
    assert done.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == "cancelled"
    assert not BookingClaim.objects.filter(occurrence=occurrence).exists()
    assert Enrollment.objects.filter(occurrence=occurrence, patient=clinic.patient_a).exists()
    assert AuditEvent.objects.filter(
        object_type="occurrence", patient_id=clinic.patient_a.pk, detail__reason="Snow closure"
    ).exists()
    # The roster shows the cancellation.
    verified_login(client, clinic.clinician_a)
    client.get(f"/care/sessions/{occurrence.pk}/attendance/")
    assert (
        Attendance.objects.get(occurrence=occurrence, patient=clinic.patient_a).status
        == "cancelled_by_program"
    )


def test_roster_rows_taken_before_cancelling_turn_cancelled(client, calendar):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
    )
    verified_login(client, clinic.clinician_a)
    client.get(f"/care/sessions/{occurrence.pk}/attendance/")
    row = Attendance.objects.get(occurrence=occurrence, patient=clinic.patient_a)
    assert row.status == "expected"
    calendar_services.occurrence_cancel(
        actor=clinic.director_a, occurrence_id=occurrence.pk, reason="Facilitator ill"
    )
    client.get(f"/care/sessions/{occurrence.pk}/attendance/")
    row.refresh_from_db()
    assert row.status == "cancelled_by_program"
    assert row.changes.get().reason == "Session cancelled by the program"


@pytest.mark.parametrize(
    "who", ["clinician_a", "nurse_a", "clinician_b", "billing_a", "patient_user_a"]
)
def test_only_the_programs_director_cancels(client, calendar, who):
    clinic = calendar.clinic
    occurrence = _monday_group(calendar)
    user = getattr(clinic, who)
    if user.kind == "patient":
        client.force_login(user)
    else:
        verified_login(client, user)
    response = client.post(f"/schedule/sessions/{occurrence.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 403
    occurrence.refresh_from_db()
    assert occurrence.status == "scheduled"
    assert AuditEvent.objects.filter(
        object_type="occurrence", outcome="denied", username=user.username
    ).exists()
