"""The alumni pages and API lists come 50 rows a page, cut in SQL after the access scope:
a program's page (its meetings, mentors, pairings and alumni share one page number), a
meeting's attendance (page and API), and a program's events (API)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest

from stepwell.alumni.models import (
    AlumniAttendance,
    AlumniEvent,
    AlumniMeeting,
    AlumniRsvp,
    MentorStatus,
    PeerMentor,
)
from stepwell.patients.models import EpisodeState
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def _alumni(clinic, count: int) -> list:
    """`count` alumni of program A (last names Row00.. in order), discharged a month ago."""
    return [
        EpisodeFactory(
            program=clinic.program_a,
            state=EpisodeState.DISCHARGED,
            admitted_on=date(2026, 9, 1),
            discharged_on=date(2026, 10, 16),
            patient__legal_last_name=f"Row{n:02d}",
        ).patient
        for n in range(count)
    ]


def _event(clinic, n: int = 0, *, first: datetime = NOW) -> AlumniEvent:
    return AlumniEvent.objects.create(
        program=clinic.program_a,
        title=f"Alumni circle {n:02d}",
        format="in_person",
        place="Room 2",
        recurrence="once",
        first_starts_at=first + timedelta(days=n),
        duration_minutes=90,
    )


def _meetings(event: AlumniEvent, count: int, *, first: datetime) -> list[AlumniMeeting]:
    """`count` meetings of the event, a week apart from `first`."""
    return AlumniMeeting.objects.bulk_create(
        AlumniMeeting(
            event=event,
            starts_at=first + timedelta(weeks=n),
            ends_at=first + timedelta(weeks=n, minutes=90),
        )
        for n in range(count)
    )


def _mentors(clinic, patients) -> list[PeerMentor]:
    return PeerMentor.objects.bulk_create(
        PeerMentor(
            patient=patient,
            program=clinic.program_a,
            about="I can listen.",
            status=MentorStatus.VOLUNTEERED,
            volunteered_at=NOW - timedelta(days=60 - n),
        )
        for n, patient in enumerate(patients)
    )


# --- a program's alumni community page ------------------------------------------------------


def _program_url(clinic) -> str:
    return f"/alumni/programs/{clinic.program_a.pk}/"


def test_the_program_page_shows_50_of_each_list_then_the_rest(client, clinic):
    alumni = _alumni(clinic, 60)
    mentors = _mentors(clinic, alumni[:40])
    coming = _meetings(_event(clinic), 53, first=NOW + timedelta(days=1))
    verified_login(client, clinic.clinician_a)
    first = client.get(_program_url(clinic))
    second = client.get(_program_url(clinic), {"page": 2})
    assert first.status_code == second.status_code == 200
    one, two = first.context["page"], second.context["page"]
    assert [len(one.alumni), len(two.alumni)] == [50, 10]
    assert one.alumni + two.alumni == alumni  # by name, each once
    assert one.mentors + two.mentors == mentors  # in the order they volunteered
    assert [s.meeting for s in one.coming + two.coming] == coming  # soonest first
    assert (
        one.totals
        == two.totals
        == {
            "coming": 53,
            "recent": 0,
            "mentors": 40,
            "pairings": 0,
            "alumni": 60,
        }
    )
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert len(two.mentors) == 0
    assert "None on this page." in second.content.decode()  # the mentors, all on page 1
    assert "No pairings." in second.content.decode()  # none on any page


def test_the_program_page_audit_names_only_the_people_on_the_page(client, clinic):
    alumni = _alumni(clinic, 60)
    _mentors(clinic, alumni[:55])
    verified_login(client, clinic.clinician_a)
    page = client.get(_program_url(clinic), {"page": 2}).context["page"]
    event = AuditEvent.objects.filter(object_type="alumni_program").latest("seq")
    expected = {p.pk for p in alumni[50:]} | {p.pk for p in alumni[50:55]}
    expected |= {p.pk for p in page.menteeable}  # the pairing form's choices
    assert event.detail["patients"] == sorted(expected)


def test_a_page_past_the_end_shows_the_last_page(client, clinic):
    _alumni(clinic, 60)
    verified_login(client, clinic.clinician_a)
    page = client.get(_program_url(clinic), {"page": 9}).context["page"]
    assert (page.page.number, len(page.alumni)) == (2, 10)


@pytest.mark.parametrize("count", [3, 60])
def test_the_program_page_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    alumni = _alumni(clinic, count)
    _mentors(clinic, alumni)
    _meetings(_event(clinic), count, first=NOW - timedelta(weeks=2))  # recent and coming
    verified_login(client, clinic.clinician_a)
    client.get(_program_url(clinic))  # per-process caches
    with django_assert_max_num_queries(27):
        response = client.get(_program_url(clinic))
    assert len(response.context["page"].alumni) == min(count, 50)


def test_the_program_page_is_still_refused_outside_the_program(client, clinic):
    _alumni(clinic, 60)
    verified_login(client, clinic.clinician_b)
    assert client.get(_program_url(clinic), {"page": 2}).status_code == 403
    assert AuditEvent.objects.get(object_type="alumni_program").outcome == "denied"


# --- a meeting's attendance: the page and the API -------------------------------------------


@pytest.fixture
def meeting_of_60(clinic):
    """A meeting that began an hour ago; of 60 alumni, Row55..Row59 said yes and
    Row50..Row54 no. Returns the meeting and the alumni in attendance order."""
    alumni = _alumni(clinic, 60)
    [meeting] = _meetings(_event(clinic), 1, first=NOW - timedelta(hours=1))
    AlumniRsvp.objects.bulk_create(
        AlumniRsvp(meeting=meeting, patient=p, answer="yes" if n >= 55 else "no", answered_at=NOW)
        for n, p in enumerate(alumni)
        if n >= 50
    )
    return meeting, alumni[55:] + alumni[50:55] + alumni[:50]


def test_the_meeting_page_shows_50_alumni_then_the_rest_answers_first(
    client, clinic, meeting_of_60
):
    meeting, in_order = meeting_of_60
    verified_login(client, clinic.clinician_a)
    first = client.get(f"/alumni/meetings/{meeting.pk}/")
    second = client.get(f"/alumni/meetings/{meeting.pk}/", {"page": 2})
    shown = [r.patient for r in first.context["page"].rows + second.context["page"].rows]
    assert len(first.context["page"].rows) == 50
    assert shown == in_order
    assert first.context["page"].rows[0].answer == "yes"
    assert "Page 1 of 2 · 60 alumni" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="alumni_meeting").latest("seq")
    assert event.detail["patients"] == sorted(p.pk for p in in_order[50:])  # the page only


def test_saving_a_page_of_attendance_marks_that_page_only_and_comes_back_to_it(
    client, clinic, meeting_of_60
):
    meeting, in_order = meeting_of_60
    verified_login(client, clinic.clinician_a)
    url = f"/alumni/meetings/{meeting.pk}/?page=2"
    came = in_order[50:52]
    response = client.post(url, {f"present_{p.pk}": "on" for p in came})
    assert response.status_code == 302
    assert response["Location"] == url
    marks = dict(AlumniAttendance.objects.values_list("patient_id", "present"))
    assert marks == {p.pk: p in came for p in in_order[50:]}


@pytest.mark.parametrize("count", [3, 60])
def test_the_meeting_page_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _alumni(clinic, count)
    [meeting] = _meetings(_event(clinic), 1, first=NOW - timedelta(hours=1))
    verified_login(client, clinic.clinician_a)
    client.get(f"/alumni/meetings/{meeting.pk}/")
    with django_assert_max_num_queries(14):
        response = client.get(f"/alumni/meetings/{meeting.pk}/")
    assert len(response.context["page"].rows) == min(count, 50)


def test_the_api_lists_a_meetings_alumni_50_at_a_time(client, clinic, meeting_of_60):
    meeting, in_order = meeting_of_60
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/alumni/meetings/{meeting.pk}/attendance"
    first = client.get(url)
    second = client.get(url, {"offset": 50})
    assert first.status_code == second.status_code == 200
    assert len(first.json()) == 50
    assert [r["patient_id"] for r in first.json() + second.json()] == [p.pk for p in in_order]
    assert first.json()[0]["answer"] == "yes"
    event = AuditEvent.objects.filter(object_type="alumni_meeting").latest("seq")
    assert event.detail["patients"] == sorted(r["patient_id"] for r in second.json())


@pytest.mark.parametrize("count", [3, 60])
def test_the_attendance_api_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _alumni(clinic, count)
    [meeting] = _meetings(_event(clinic), 1, first=NOW - timedelta(hours=1))
    verified_login(client, clinic.clinician_a)
    url = f"/api/v1/alumni/meetings/{meeting.pk}/attendance"
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.json()) == min(count, 50)


def test_a_meeting_is_still_refused_outside_the_program(client, clinic, meeting_of_60):
    meeting, _ = meeting_of_60
    verified_login(client, clinic.clinician_b)
    assert client.get(f"/alumni/meetings/{meeting.pk}/", {"page": 2}).status_code == 403
    api = client.get(f"/api/v1/alumni/meetings/{meeting.pk}/attendance", {"offset": 50})
    assert api.status_code == 403
    assert not AuditEvent.objects.filter(object_type="alumni_meeting", outcome="allowed")


# --- a program's events over the API --------------------------------------------------------


def _events_url(clinic) -> str:
    return f"/api/v1/alumni/programs/{clinic.program_a.pk}/events"


def test_the_api_lists_a_programs_events_50_at_a_time_by_first_date(client, clinic):
    events = [_event(clinic, n) for n in reversed(range(60))]  # made latest first
    for event in events:
        _meetings(event, 2, first=event.first_starts_at)
    verified_login(client, clinic.clinician_a)
    first = client.get(_events_url(clinic))
    second = client.get(_events_url(clinic), {"offset": 50})
    assert first.status_code == second.status_code == 200
    assert len(first.json()) == 50
    shown = [e["id"] for e in first.json() + second.json()]
    assert shown == [e.pk for e in reversed(events)]  # by first date, each once
    assert all(len(e["meetings"]) == 2 for e in second.json())


@pytest.mark.parametrize("count", [3, 60])
def test_the_events_api_makes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    for n in range(count):
        _meetings(_event(clinic, n), 2, first=NOW + timedelta(days=n))
    verified_login(client, clinic.clinician_a)
    client.get(_events_url(clinic))
    with django_assert_max_num_queries(8):
        response = client.get(_events_url(clinic))
    assert len(response.json()) == min(count, 50)


def test_the_events_api_is_still_refused_outside_the_program(client, clinic):
    _event(clinic)
    verified_login(client, clinic.clinician_b)
    assert client.get(_events_url(clinic), {"offset": 50}).status_code == 403
