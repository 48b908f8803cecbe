"""Two app servers booking at the same moment on one PostgreSQL: no booking is lost; two
job workers on one queue: no job runs twice.

Each booking runs in its own process (`manage.py shell`, as a second app server would),
lined up by stepwell.testing.processes.race so both reach the session at once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import time, timedelta

import pytest
from django.utils import timezone

from stepwell.patients.models import EpisodeState
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import iso_week_bounds, iso_week_of
from stepwell.schedule.models import Enrollment, Room, SessionOccurrence
from stepwell.testing.factories import EpisodeFactory, PatientFactory
from stepwell.testing.processes import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BOOK = """
from stepwell.accounts.models import User
from stepwell.core.errors import ApplicationError
from stepwell.schedule.booking import services as booking_services
try:
    booking_services.enrollment_book(
        actor=User.objects.get(username="dir_a"), occurrence_id={occurrence}, patient_id={patient}
    )
    print("booked")
except ApplicationError as error:
    print("refused:", error.message, error.field_errors)
"""


def _session(clinic, *, seats: int) -> SessionOccurrence:
    """A coming Monday 09:00 group in program A, with ``seats`` seats."""
    program = clinic.program_a
    week = iso_week_of(timezone.now().date() + timedelta(days=14))
    monday, _ = iso_week_bounds(week)
    room = Room.objects.create(site=program.site, name="Group Room A", capacity=14)
    series = calendar_services.series_create(
        actor=clinic.director_a,
        program_id=program.pk,
        kind="process_group",
        title="Process group",
        start_time=time(9, 0),
        duration_minutes=90,
        recurrence="FREQ=WEEKLY;BYDAY=MO",
        starts_on=monday - timedelta(days=7),
        facilitators=[clinic.clinician_a],
        room=room,
        capacity=seats,
    )
    calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=program.pk, week=week
    )
    occurrence = (
        SessionOccurrence.objects.filter(series=series, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    assert occurrence is not None and occurrence.capacity == seats
    return occurrence


def _patients(clinic, count: int) -> list[int]:
    from stepwell.intake.models import AvailabilityWindow

    ids = []
    for n in range(count):
        patient = PatientFactory(legal_first_name=f"Racer{n}", legal_last_name="Two")
        EpisodeFactory(patient=patient, program=clinic.program_a, state=EpisodeState.ACTIVE)
        for day in range(5):
            AvailabilityWindow.objects.create(
                patient=patient, weekday=day, start=time(8, 0), end=time(13, 0)
            )
        ids.append(patient.pk)
    return ids


def _book_at_once(occurrence: SessionOccurrence, patients: list[int]) -> list[str]:
    commands = [
        ["shell", "-c", BOOK.format(occurrence=occurrence.pk, patient=patient)]
        for patient in patients
    ]
    results = race("schedule_sessionoccurrence", *commands)
    assert [code for code, _, _ in results] == [0] * len(patients), json.dumps(results)
    return [out.strip().splitlines()[-1] for _, out, _ in results]


def test_two_servers_booking_the_last_seat_book_it_once(on_postgres, clinic):
    occurrence = _session(clinic, seats=2)
    first, *racers = _patients(clinic, 3)
    booking_services.enrollment_book(
        actor=clinic.director_a, occurrence_id=occurrence.pk, patient_id=first
    )
    said = _book_at_once(occurrence, racers)
    assert sorted(said) == [
        "booked",
        "refused: The session is full. {'occurrence': 'Full (2 seats).'}",
    ]
    occurrence.refresh_from_db()
    assert occurrence.enrolled_count == 2
    booked = set(
        Enrollment.objects.filter(occurrence=occurrence).values_list("patient_id", flat=True)
    )
    assert first in booked and len(booked & set(racers)) == 1


def test_two_servers_booking_free_seats_at_once_lose_neither(on_postgres, clinic):
    occurrence = _session(clinic, seats=12)
    racers = _patients(clinic, 2)
    assert _book_at_once(occurrence, racers) == ["booked", "booked"]
    occurrence.refresh_from_db()
    assert occurrence.enrolled_count == 2
    assert set(
        Enrollment.objects.filter(occurrence=occurrence).values_list("patient_id", flat=True)
    ) == set(racers)


def test_two_job_workers_run_each_job_once(on_postgres, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from stepwell.testing.job_probe import job_probe
    from stepwell.testing.processes import PRODUCTION

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    ran = tmp_path / "ran.txt"
    for number in range(30):
        job_probe.enqueue(path=str(ran), number=number)
    worker = ["db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    results = race("django_tasks_database_dbtaskresult", worker, worker, env=PRODUCTION)
    assert [code for code, _, _ in results] == [0, 0], json.dumps(results)
    lines = [line.split() for line in ran.read_text().splitlines()]
    assert sorted(int(number) for number, _ in lines) == list(range(30))
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert sum(Counter(pid for _, pid in lines).values()) == 30
