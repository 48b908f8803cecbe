"""The alumni pages through the client: the alumnus's portal page, RSVP, volunteering and
leaving; the staff program page, a new event with field errors, attendance; the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from stepwell.alumni.models import AlumniAttendance, AlumniEvent, AlumniRsvp, PeerMentor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import NOW

NOW_PATCH = "django.utils.timezone.now"


def _client(user):
    return verified_login(Client(), user)


@pytest.fixture
def at_now():
    with mock.patch(NOW_PATCH, return_value=NOW):
        yield


def test_the_alumni_portal_shows_the_calendar_and_saves_an_answer(community, at_now):
    client = _client(community.clinic.patient_user_a)
    page = client.get("/alumni/portal/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alumni circle" in body
    assert "Monday 23 November 2026, 18:00" in body  # the program's local time
    assert "Room 2, 100 Example Way" in body
    assert AuditEvent.objects.filter(
        object_type="alumni_portal", patient_id=community.alumnus.pk, outcome="allowed"
    ).exists()
    response = client.post(
        f"/alumni/portal/meetings/{community.meeting.pk}/rsvp/", {"answer": "yes"}, follow=True
    )
    assert "Thanks, your answer is saved." in response.content.decode()
    assert AlumniRsvp.objects.get().answer == "yes"
    bad = client.post(
        f"/alumni/portal/meetings/{community.meeting.pk}/rsvp/", {"answer": "x"}, follow=True
    )
    assert "Choose yes, maybe or no." in bad.content.decode()
    assert AlumniRsvp.objects.get().answer == "yes"


def test_volunteering_needs_a_few_words(community, at_now):
    client = _client(community.clinic.patient_user_a)
    empty = client.post("/alumni/portal/mentor/", {"about": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert not PeerMentor.objects.exists()
    done = client.post("/alumni/portal/mentor/", {"about": "I can listen."}, follow=True)
    assert "Staff will be in touch" in done.content.decode()
    assert PeerMentor.objects.get().status == "volunteered"


def test_leaving_closes_the_login(community, at_now):
    client = _client(community.clinic.patient_user_a)
    assert "your portal login closes" in client.get("/alumni/portal/leave/").content.decode()
    response = client.post("/alumni/portal/leave/", {"reason": "Moving"})
    assert "Your portal login is closed." in response.content.decode()
    community.clinic.patient_user_a.refresh_from_db()
    assert not community.clinic.patient_user_a.is_active
    assert client.get("/alumni/portal/").status_code == 302  # signed out


def test_the_staff_page_lists_alumni_meetings_and_mentors(community, at_now):
    client = _client(community.clinic.clinician_a)
    assert (
        client.get("/alumni/")["Location"] == f"/alumni/programs/{community.clinic.program_a.pk}/"
    )
    page = client.get(f"/alumni/programs/{community.clinic.program_a.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Alumni circle" in body and community.alumnus.mrn in body
    assert "never goes on a claim" in body
    event = AuditEvent.objects.filter(object_type="alumni_program").latest("seq")
    assert community.alumnus.pk in event.detail["patients"]


def test_a_new_event_with_bad_input_shows_the_field_error(community, at_now):
    client = _client(community.clinic.clinician_a)
    url = f"/alumni/programs/{community.clinic.program_a.pk}/events/"
    data = {
        "title": "Hike",
        "format": "in_person",
        "place": "",
        "recurrence": "once",
        "first_day": "2026-12-05",
        "start_time": "10:00",
        "duration_minutes": "120",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Say where the group meets." in response.content.decode()
    assert AlumniEvent.objects.count() == 1
    response = client.post(url, data | {"place": "Trailhead"}, follow=True)
    assert "“Hike” is on the alumni calendar." in response.content.decode()
    assert AlumniEvent.objects.count() == 2
    garbled = client.post(url, data | {"duration_minutes": "abc", "first_day": "soon"})
    assert garbled.status_code == 400
    assert "Enter a whole number." in garbled.content.decode()


def test_attendance_from_the_meeting_page(community):
    clinic = community.clinic
    client = _client(clinic.clinician_a)
    url = f"/alumni/meetings/{community.meeting.pk}/"
    later = community.meeting.starts_at + timedelta(minutes=5)
    with mock.patch(NOW_PATCH, return_value=later):
        page = client.get(url)
        assert "Avery" in page.content.decode()
        response = client.post(url, {f"present_{community.alumnus.pk}": "on"}, follow=True)
    assert "It is not counted as treatment." in response.content.decode()
    assert AlumniAttendance.objects.get().present is True


def test_the_api_lists_creates_events_and_records_attendance(community):
    clinic = community.clinic
    client = _client(clinic.clinician_a)
    base = f"/api/v1/alumni/programs/{clinic.program_a.pk}/events"
    listed = client.get(base)
    assert listed.status_code == 200
    assert [e["title"] for e in listed.json()] == ["Alumni circle"]
    assert len(listed.json()[0]["meetings"]) == 5
    body = {
        "title": "Video check-in",
        "format": "video",
        "video_url": "https://video.example.org/a",
        "recurrence": "fortnightly",
        "first_day": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "start_time": "19:00",
        "duration_minutes": 60,
        "repeats_until": (timezone.localdate() + timedelta(days=31)).isoformat(),
    }
    created = client.post(base, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["format"] == "video"
    bad = client.post(
        base, json.dumps(body | {"video_url": "ftp://x"}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert "video_url" in bad.json()["errors"]
    refused = _client(clinic.clinician_b).get(base)
    assert refused.status_code == 403
    coming = community.event.meetings.order_by("starts_at").last()  # 22 December
    url = f"/api/v1/alumni/meetings/{coming.pk}/attendance"
    too_early = client.post(
        url, json.dumps({"present": [community.alumnus.pk]}), content_type="application/json"
    )
    assert too_early.status_code == 400  # the meeting is in the future
    assert too_early.json()["errors"] == {
        "meeting": "Attendance is taken once the meeting has started."
    }
    rows = client.get(url).json()
    assert rows == [
        {"patient_id": community.alumnus.pk, "name": "Avery Alder", "answer": "", "present": None}
    ]


def test_the_api_rsvp_is_the_alumnus_own(community):
    meeting = community.meeting
    with mock.patch(NOW_PATCH, return_value=NOW):
        ok = _client(community.clinic.patient_user_a).post(
            f"/api/v1/alumni/meetings/{meeting.pk}/rsvp",
            json.dumps({"answer": "maybe"}),
            content_type="application/json",
        )
        refused = _client(community.current.user).post(
            f"/api/v1/alumni/meetings/{meeting.pk}/rsvp",
            json.dumps({"answer": "maybe"}),
            content_type="application/json",
        )
    assert ok.status_code == 200 and ok.json() == {"meeting_id": meeting.pk, "answer": "maybe"}
    assert refused.status_code == 403
    assert list(AlumniRsvp.objects.values_list("answer", flat=True)) == ["maybe"]


def test_a_past_meeting_is_not_on_the_calendar(community):
    later = datetime(2026, 12, 23, tzinfo=UTC)
    with mock.patch(NOW_PATCH, return_value=later):
        body = _client(community.clinic.patient_user_a).get("/alumni/portal/").content.decode()
    assert "No alumni meetings in the next weeks." in body
