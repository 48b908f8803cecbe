"""Manual bookings: refused with the exact reason, nothing half-written; double booking is
refused by the database too (a race simulated on SQLite, two threads on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import EpisodeState
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import Appointment, BookingClaim, Enrollment, SessionOccurrence
from stepwell.schedule.tests.conftest import patient_windows
from stepwell.testing.factories import EpisodeFactory, PatientFactory


def _monday_process(calendar) -> SessionOccurrence:
    return SessionOccurrence.objects.get(
        series=calendar.process,
        starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 0)),
    )


def test_enrol_then_appointment_over_it_is_refused_with_the_reason(calendar):
    clinic = calendar.clinic
    occurrence = _monday_process(calendar)
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
    )
    with pytest.raises(ApplicationError) as refused:
        booking_services.appointment_book(
            actor=clinic.director_a,
            patient_id=clinic.patient_a.pk,
            staff_id=clinic.prescriber_a.pk,
            program_id=clinic.program_a.pk,
            kind="medication",
            starts_at=local_to_utc("America/Chicago", calendar.monday, time(9, 30)),
            minutes=30,
        )
    assert refused.value.message == (
        "Avery Alder is already booked at that time (Process group at Mon 09:00)."
    )
    assert refused.value.field_errors == {"patient": "Already booked: Process group at Mon 09:00."}
    assert Appointment.objects.count() == 0
    occurrence.refresh_from_db()
    assert occurrence.enrolled_count == 1


def test_outside_availability_and_full_session_are_refused(calendar):
    clinic = calendar.clinic
    occurrence = _monday_process(calendar)
    clinic.patient_a.availability_windows.all().delete()
    patient_windows(clinic.patient_a, time(17, 0), time(21, 0))
    with pytest.raises(ApplicationError) as outside:
        booking_services.enrollment_book(
            actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
        )
    assert outside.value.field_errors == {
        "occurrence": "Outside the patient's availability windows."
    }
    SessionOccurrence.objects.filter(pk=occurrence.pk).update(capacity=1, enrolled_count=1)
    other = PatientFactory(legal_first_name="Drew", legal_last_name="Dell")
    EpisodeFactory(patient=other, program=clinic.program_a, state=EpisodeState.ACTIVE)
    patient_windows(other, time(8, 0), time(12, 0))
    with pytest.raises(ApplicationError) as full:
        booking_services.enrollment_book(
            actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=other.pk
        )
    assert full.value.message == "The session is full."
    assert full.value.field_errors == {"occurrence": "Full (1 seats)."}
    assert Enrollment.objects.count() == 0


def test_staff_on_leave_and_outside_hours(calendar):
    from stepwell.schedule.models import StaffLeave

    clinic = calendar.clinic
    StaffLeave.objects.create(
        user=clinic.prescriber_a, starts_on=calendar.monday, ends_on=calendar.monday
    )
    book = {
        "actor": clinic.director_a,
        "patient_id": clinic.patient_a.pk,
        "staff_id": clinic.prescriber_a.pk,
        "program_id": clinic.program_a.pk,
        "kind": "medication",
        "minutes": 30,
    }
    with pytest.raises(ApplicationError) as leave:
        booking_services.appointment_book(
            **book, starts_at=local_to_utc("America/Chicago", calendar.monday, time(12, 0))
        )
    assert leave.value.field_errors == {"staff": "On leave that day."}
    tuesday = calendar.monday + timedelta(days=1)
    with pytest.raises(ApplicationError) as late:
        booking_services.appointment_book(
            **book, starts_at=local_to_utc("America/Chicago", tuesday, time(16, 45))
        )
    assert late.value.field_errors == {"staff": "Outside their working hours."}
    assert Appointment.objects.count() == 0


def test_a_program_holiday_is_refused_for_groups_and_appointments(calendar):
    from stepwell.schedule.models import Holiday

    clinic = calendar.clinic
    occurrence = _monday_process(calendar)  # generated before the holiday was declared
    Holiday.objects.create(program=clinic.program_a, date=calendar.monday, name="Snow day")
    with pytest.raises(ApplicationError) as group:
        booking_services.enrollment_book(
            actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
        )
    label = f"{calendar.monday:%a %Y-%m-%d}"
    assert group.value.message == f"The program is closed on {label} (Snow day)."
    assert group.value.field_errors == {"occurrence": "Closed: Snow day."}
    with pytest.raises(ApplicationError) as appointment:
        booking_services.appointment_book(
            actor=clinic.director_a,
            patient_id=clinic.patient_a.pk,
            staff_id=clinic.prescriber_a.pk,
            program_id=clinic.program_a.pk,
            kind="medication",
            starts_at=local_to_utc("America/Chicago", calendar.monday, time(12, 0)),
            minutes=30,
        )
    assert appointment.value.field_errors == {"starts_at": "Closed: Snow day."}
    assert Enrollment.objects.count() == 0
    assert Appointment.objects.count() == 0
    occurrence.refresh_from_db()
    assert occurrence.enrolled_count == 0
    # The next day is open.
    booking_services.appointment_book(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        staff_id=clinic.prescriber_a.pk,
        program_id=clinic.program_a.pk,
        kind="medication",
        starts_at=local_to_utc("America/Chicago", calendar.monday + timedelta(days=1), time(12, 0)),
        minutes=30,
    )
    assert Appointment.objects.count() == 1


def test_database_refuses_a_second_claim_on_the_same_slot(calendar):
    occurrence = _monday_process(calendar)
    claim = BookingClaim.objects.filter(occurrence=occurrence, resource_type="staff").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingClaim.objects.create(
            resource_type="staff",
            resource_id=claim.resource_id,
            slot_start=claim.slot_start,
            occurrence=occurrence,
        )


def test_a_race_lost_at_insert_is_refused_and_rolled_back(calendar, monkeypatch):
    """The check before insert sees nothing (as when two requests check at once); the
    unique constraint then refuses, and the enrolment is rolled back with it."""
    clinic = calendar.clinic
    occurrence = _monday_process(calendar)
    BookingClaim.objects.create(
        resource_type="patient",
        resource_id=clinic.patient_a.pk,
        slot_start=occurrence.starts_at,
        occurrence=occurrence,
    )
    monkeypatch.setattr(
        BookingClaim.objects, "select_related", lambda *args: BookingClaim.objects.none()
    )
    with pytest.raises(ApplicationError) as refused:
        booking_services.enrollment_book(
            actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=clinic.patient_a.pk
        )
    assert refused.value.message == (
        "Someone else booked the same time a moment ago; nothing was booked. Try again."
    )
    assert Enrollment.objects.count() == 0
    occurrence.refresh_from_db()
    assert occurrence.enrolled_count == 0


@pytest.mark.django_db(transaction=True)
def test_two_threads_booking_the_same_staff_slot_on_postgres(
    on_postgres, transactional_db, calendar
):
    clinic = calendar.clinic
    second = PatientFactory(legal_first_name="Emery", legal_last_name="Elm")
    EpisodeFactory(patient=second, program=clinic.program_a, state=EpisodeState.ACTIVE)
    patient_windows(second, time(8, 30), time(13, 0))
    starts_at = local_to_utc("America/Chicago", calendar.monday + timedelta(days=1), time(12, 0))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(patient_id: int) -> None:
        try:
            barrier.wait()
            booking_services.appointment_book(
                actor=clinic.director_a,
                patient_id=patient_id,
                staff_id=clinic.prescriber_a.pk,
                program_id=clinic.program_a.pk,
                kind="medication",
                starts_at=starts_at,
                minutes=30,
            )
            outcomes.append("booked")
        except ApplicationError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(patient_id,))
        for patient_id in (clinic.patient_a.pk, second.pk)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "booked" or "booked" in outcomes
    assert outcomes.count("booked") == 1
    assert Appointment.objects.count() == 1
    assert (
        BookingClaim.objects.filter(
            resource_type="staff", resource_id=clinic.prescriber_a.pk, appointment__isnull=False
        ).count()
        == 6
    )
