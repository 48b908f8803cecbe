"""A discharge, whatever its disposition, cancels the patient's future bookings in the
program, frees seats and staff time, and says what it cancelled (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.patients.services import episode_transition
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import (
    Appointment,
    BookingClaim,
    Enrollment,
    OccurrenceStatus,
    SessionOccurrence,
)
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


def _bookings(clinic):
    now = timezone.now()
    patient = clinic.patient_a

    def occurrence(hours):
        starts = now + timedelta(hours=hours)
        occ = SessionOccurrence.objects.create(
            program=clinic.program_a,
            kind="process_group",
            title=f"Group +{hours}h",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=12,
            enrolled_count=1,
        )
        enrollment = Enrollment.objects.create(occurrence=occ, patient=patient)
        BookingClaim.objects.create(
            resource_type="patient",
            resource_id=patient.pk,
            slot_start=starts,
            occurrence=occ,
            enrollment=enrollment,
        )
        return occ

    past, future = occurrence(-30), occurrence(48)
    appointment = Appointment.objects.create(
        patient=patient,
        staff=clinic.clinician_a,
        program=clinic.program_a,
        kind="individual",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
    )
    BookingClaim.objects.create(
        resource_type="staff",
        resource_id=clinic.clinician_a.pk,
        slot_start=appointment.starts_at,
        appointment=appointment,
    )
    return past, future, appointment


@pytest.mark.parametrize("disposition", ["completed", "left_against_advice", "administrative"])
def test_discharge_cancels_future_bookings_and_frees_time(clinic, disposition):
    past, future, appointment = _bookings(clinic)
    episode = episode_transition(
        actor=clinic.director_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Synthetic reason",
        disposition=disposition,
    )
    assert Enrollment.objects.filter(occurrence=past).exists()  # it happened: kept
    assert not Enrollment.objects.filter(occurrence=future).exists()
    future.refresh_from_db()
    assert future.enrolled_count == 0
    appointment.refresh_from_db()
    assert appointment.status == OccurrenceStatus.CANCELLED
    assert not BookingClaim.objects.filter(appointment=appointment).exists()
    assert not BookingClaim.objects.filter(occurrence=future).exists()
    assert len(episode.released_bookings) == 2
    assert episode.released_bookings[0].startswith("Group: Group +48h")
    assert "Individual therapy with" in episode.released_bookings[1]
    event = AuditEvent.objects.filter(action="transition", object_type="episode").latest("seq")
    assert event.detail["cancelled_bookings"] == episode.released_bookings


def test_the_confirmation_lists_what_was_cancelled(client, clinic):
    _bookings(clinic)
    verified_login(client, clinic.director_a)
    response = client.post(
        f"/episodes/{clinic.episode_a.pk}/transition/",
        {"to_state": "discharged", "reason": "Met goals", "disposition": "completed"},
        follow=True,
    )
    html = response.content.decode()
    assert "Cancelled 2 future booking(s)" in html
    assert "Group +48h" in html


def test_a_step_down_shows_as_a_step_down_on_the_chart(client, clinic):
    episode_transition(
        actor=clinic.director_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Stable",
        disposition="stepped_down",
        level_of_care="outpatient",
    )
    verified_login(client, clinic.director_a)
    html = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "Stepped down to" in html
    assert "Transferred to" not in html
