"""Week pages link each session to its roster and group note for whoever may open them,
any day of any week, and to its telehealth room (issue 12)."""

from __future__ import annotations

import pytest

from stepwell.schedule.models import SessionOccurrence
from stepwell.schedule.tests.test_pages import _monday_group, booked  # noqa: F401  (fixture)
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "roster", "note"),
    [
        ("clinician_a", True, True),  # the facilitator
        ("director_a", True, True),
        ("prescriber_a", False, False),  # reads the week, does not run the group
        ("nurse_a", False, False),
    ],
)
def test_program_week_links_only_what_the_user_may_open(client, booked, who, roster, note):  # noqa: F811
    occurrence = _monday_group(booked)
    user = getattr(booked.clinic, who)
    verified_login(client, user)
    html = client.get(f"/schedule/{booked.clinic.program_a.pk}/{booked.week}/").content
    html = html.decode()
    assert (f"/care/sessions/{occurrence.pk}/attendance/" in html) is roster
    assert (f"/care/sessions/{occurrence.pk}/note/" in html) is note
    if roster:
        assert client.get(f"/care/sessions/{occurrence.pk}/attendance/").status_code == 200
    if note:
        assert client.get(f"/care/sessions/{occurrence.pk}/note/").status_code == 200


def test_telehealth_link_on_the_patients_week(client, booked):  # noqa: F811
    occurrence = _monday_group(booked)
    SessionOccurrence.objects.filter(pk=occurrence.pk).update(
        telehealth_url="https://video.example.org/room-1"
    )
    clinic = booked.clinic
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/schedule/patients/{clinic.patient_a.pk}/{booked.week}/").content.decode()
    assert 'href="https://video.example.org/room-1"' in html
    assert 'data-testid="telehealth-link"' in html
