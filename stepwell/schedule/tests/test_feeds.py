"""Calendar feeds: private by default, details on opt-in, short names for staff, revocable."""

from __future__ import annotations

from datetime import time

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.booking import feeds
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import CalendarFeed, SessionOccurrence


@pytest.fixture
def booked(calendar):
    clinic = calendar.clinic
    group = SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=group.pk, patient_id=clinic.patient_a.pk
    )
    booking_services.appointment_book(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        staff_id=clinic.prescriber_a.pk,
        program_id=clinic.program_a.pk,
        kind="medication",
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(12, 0)),
        minutes=30,
    )
    return calendar


def _fetch(client, feed) -> str:
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode()


def test_patient_feed_shows_only_stepwell_session(client, booked):
    clinic = booked.clinic
    feed = feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    body = _fetch(client, feed)
    assert body.count("SUMMARY:Stepwell session") == 2
    for detail in ("Process group", "Medication", "Group Room", "LOCATION", "Avery", "Test"):
        assert detail not in body
    event = AuditEvent.objects.filter(action="export").get()
    assert (event.patient_id, event.object_type, event.user_id) == (
        clinic.patient_a.pk,
        "calendar_feed",
        None,
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="calendar_feed", patient_id=clinic.patient_a.pk
    ).exists()


def test_patient_opts_in_to_details(client, booked):
    clinic = booked.clinic
    feed = feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    feeds.feed_details_set(
        actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk, show_details=True
    )
    body = _fetch(client, feed)
    assert "SUMMARY:Process group" in body
    assert f"SUMMARY:Medication management with {clinic.prescriber_a}".replace(",", "\\,") in body
    assert "LOCATION:Group Room A\\, " in body


def test_revoked_and_unknown_feeds_are_404(client, booked):
    clinic = booked.clinic
    feed = feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    feeds.feed_revoke(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    replacement = feeds.feed_create(actor=clinic.clinician_a, patient_id=clinic.patient_a.pk)
    assert replacement.token != feed.token
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_new_address_stops_the_old_one(client, booked):
    clinic = booked.clinic
    first = feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    feeds.feed_create(actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk)
    assert client.get(f"/calendar/{first.token}.ics").status_code == 404


def test_staff_feed_shows_first_name_and_initial(client, booked):
    clinic = booked.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    body = _fetch(client, feed)
    assert "SUMMARY:Medication management: Avery A." in body
    assert "Alder" not in body
    therapist = feeds.feed_create(actor=clinic.clinician_a, staff_id=clinic.clinician_a.pk)
    body = _fetch(client, therapist)
    assert body.count("SUMMARY:Process group") == 5
    assert "1 of 12 seats booked" in body


def test_feed_for_a_patient_one_cannot_see_is_refused(booked):
    clinic = booked.clinic
    for actor in (clinic.clinician_b, clinic.billing_a, clinic.patient_user_b, clinic.nurse_a):
        with pytest.raises(AccessDenied):
            feeds.feed_create(actor=actor, patient_id=clinic.patient_a.pk)
    with pytest.raises(AccessDenied):
        feeds.feed_create(actor=clinic.clinician_a, staff_id=clinic.prescriber_a.pk)
    assert CalendarFeed.objects.count() == 0
