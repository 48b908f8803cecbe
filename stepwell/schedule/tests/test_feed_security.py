"""Staff calendar feeds: only the staff member makes or reads theirs, a director may turn it
off; the feed shows only the patients the staff member may see, no patient at all in a
Part 2 program; every fetch is audited as the staff member, naming each patient."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent, AuditEventPatient
from stepwell.schedule.booking import feeds
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import Appointment, CalendarFeed
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


@pytest.fixture
def shared(calendar):
    """The prescriber works in both programs; program B has its own director."""
    clinic = calendar.clinic
    clinic.prescriber_a.program_memberships.create(program=clinic.program_b)
    clinic.director_b = UserFactory(
        username="dir_b", roles=[Role.PROGRAM_DIRECTOR], programs=[clinic.program_b]
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


def fetch(client, feed):
    response = client.get(f"/calendar/{feed.token}.ics")
    return response.status_code, response.content.decode()


def test_a_director_of_another_program_cannot_replace_a_shared_prescribers_feed(client, shared):
    clinic = shared.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    with pytest.raises(AccessDenied):
        feeds.feed_create(actor=clinic.director_b, staff_id=clinic.prescriber_a.pk)
    verified_login(client, clinic.director_b)
    response = client.post(f"/schedule/staff/{clinic.prescriber_a.pk}/feed/", {"action": "create"})
    assert response.status_code == 403
    # The prescriber's own link still works and no second one exists.
    assert CalendarFeed.objects.filter(user=clinic.prescriber_a).count() == 1
    assert fetch(client, feed)[0] == 200
    denied = AuditEvent.objects.filter(
        user_id=clinic.director_b.pk, object_type="calendar_feed", outcome="denied"
    )
    assert denied.count() == 2


def test_no_director_reads_a_staff_members_feed_address(client, shared):
    clinic = shared.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    for director in (clinic.director_a, clinic.director_b):
        verified_login(client, director)
        html = client.get(f"/schedule/staff/{clinic.prescriber_a.pk}/{shared.week}/").content
        assert feed.token not in html.decode()
        assert 'data-testid="feed-on"' in html.decode()
    verified_login(client, clinic.prescriber_a)
    html = client.get(f"/schedule/staff/{clinic.prescriber_a.pk}/{shared.week}/").content
    assert feed.token in html.decode()


def test_a_director_may_turn_a_staff_feed_off(client, shared):
    clinic = shared.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    verified_login(client, clinic.director_b)
    response = client.post(f"/schedule/staff/{clinic.prescriber_a.pk}/feed/", {"action": "revoke"})
    assert response.status_code == 302
    assert fetch(client, feed)[0] == 404
    assert AuditEvent.objects.filter(
        user_id=clinic.director_b.pk, object_type="calendar_feed", detail={"revoked": True}
    ).exists()
    # A clinician of the program may not.
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    with pytest.raises(AccessDenied):
        feeds.feed_revoke(actor=clinic.clinician_a, staff_id=clinic.prescriber_a.pk)
    assert fetch(client, feed)[0] == 200


def test_feed_shows_only_patients_the_staff_member_may_see(client, shared):
    """An appointment with a patient the prescriber can no longer see (left the program,
    off the care team) stays out of the feed and out of its audit event."""
    clinic = shared.clinic
    clinic.prescriber_a.program_memberships.filter(program=clinic.program_b).delete()
    start = local_to_utc("America/Chicago", shared.monday, time(14, 0))
    Appointment.objects.create(
        patient=clinic.patient_b,
        staff=clinic.prescriber_a,
        program=clinic.program_b,
        kind="medication",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    status, body = fetch(client, feed)
    assert status == 200
    assert "Avery A." in body
    assert "Blake" not in body and "Birch" not in body
    assert body.count("SUMMARY:Medication management") == 1
    event = AuditEvent.objects.filter(action="export", object_type="calendar_feed").get()
    assert (event.user_id, event.username) == (clinic.prescriber_a.pk, "presc_a")
    assert event.detail["patients"] == [clinic.patient_a.pk]
    assert list(
        AuditEventPatient.objects.filter(event_seq=event.seq).values_list("patient_id", flat=True)
    ) == [clinic.patient_a.pk]


def test_every_fetch_is_audited_as_the_staff_member_naming_each_patient(client, shared):
    clinic = shared.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    fetch(client, feed)
    fetch(client, feed)
    events = AuditEvent.objects.filter(action="export", object_type="calendar_feed")
    assert events.count() == 2
    for event in events:
        assert event.user_id == clinic.prescriber_a.pk
        assert event.detail == {"staff": clinic.prescriber_a.pk, "patients": [clinic.patient_a.pk]}


def test_a_part2_programs_staff_feed_names_no_patient(client, shared):
    clinic = shared.clinic
    clinic.program_a.part2_program = True
    clinic.program_a.save()
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    status, body = fetch(client, feed)
    assert status == 200
    assert "SUMMARY:Medication management\r\n" in body
    for identifying in ("Avery", "Alder", "A.", clinic.patient_a.mrn):
        assert identifying not in body
    # Still audited per patient: the calendar shows when each of them is seen.
    event = AuditEvent.objects.filter(action="export", object_type="calendar_feed").get()
    assert event.detail["patients"] == [clinic.patient_a.pk]


def test_a_staff_feed_stops_with_the_account(client, shared):
    clinic = shared.clinic
    feed = feeds.feed_create(actor=clinic.prescriber_a, staff_id=clinic.prescriber_a.pk)
    clinic.prescriber_a.is_active = False
    clinic.prescriber_a.save()
    assert fetch(client, feed)[0] == 404
    assert not AuditEvent.objects.filter(action="export", outcome="allowed").exists()
    assert AuditEvent.objects.filter(action="export", outcome="denied").count() == 1


def test_a_very_long_token_is_404(client, db):
    assert client.get("/calendar/" + "x" * 5000 + ".ics").status_code == 404


def test_an_unknown_feed_address_is_a_404_in_the_audit_trail_without_the_address(client, db):
    response = client.get("/calendar/not-a-feed-address.ics")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(object_type="calendar_feed", outcome="denied")
    assert denied.patient_id is None
    assert "not-a-feed-address" not in str(denied.detail) + denied.object_id
