"""The portal lists the patient's next sessions with each one's video link (issue 12),
not only the "My week" page; staff week pages show the link too."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from stepwell.portal.selectors import next_sessions_of
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import SessionOccurrence
from stepwell.testing.auth import verified_login

from .test_pages import _monday_group, booked  # noqa: F401

pytestmark = pytest.mark.django_db
VIDEO = "https://video.example.org/room-7"


def _with_video(calendar) -> SessionOccurrence:
    occurrence = _monday_group(calendar)
    SessionOccurrence.objects.filter(pk=occurrence.pk).update(telehealth_url=VIDEO)
    return occurrence


def test_the_next_sessions_are_the_coming_week_soonest_first(booked):  # noqa: F811
    _with_video(booked)
    patient = booked.clinic.patient_a
    sunday_evening = local_to_utc("America/Chicago", booked.monday - timedelta(days=1), time(20))
    items = next_sessions_of(patient, now=sunday_evening)
    starts = [i.time_label.split("–")[0] for i in items]
    assert starts[:2] == ["09:00", "12:00"]  # the Monday group, then the medication visit
    assert [i.starts_at for i in items] == sorted(i.starts_at for i in items)
    assert (items[0].telehealth_url, items[1].appointment_id is not None) == (VIDEO, True)
    after_noon = local_to_utc("America/Chicago", booked.monday, time(13))
    assert all(i.starts_at > after_noon for i in next_sessions_of(patient, now=after_noon))
    two_weeks_before = sunday_evening - timedelta(days=14)
    assert next_sessions_of(patient, now=two_weeks_before) == []


def test_the_portal_shows_the_video_link_of_a_coming_session(client, booked, monkeypatch):  # noqa: F811
    _with_video(booked)
    sunday_evening = local_to_utc("America/Chicago", booked.monday - timedelta(days=1), time(20))
    monkeypatch.setattr("stepwell.portal.selectors.timezone.now", lambda: sunday_evening)
    verified_login(client, booked.clinic.patient_user_a)
    html = client.get("/portal/").content.decode()
    assert 'data-testid="next-sessions"' in html
    assert f'href="{VIDEO}"' in html


def test_the_staff_week_shows_the_video_link(client, booked):  # noqa: F811
    _with_video(booked)
    clinic = booked.clinic
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/schedule/staff/{clinic.clinician_a.pk}/{booked.week}/").content.decode()
    assert f'href="{VIDEO}"' in html
