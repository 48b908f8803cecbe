"""A small scheduled program on the root `clinic` fixture: program A with a room, two
groups a day, an 8-module curriculum, staff hours, and Avery (patient_a) free mornings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from stepwell.intake.models import AvailabilityWindow
from stepwell.patients.models import CareTeamMember, CareTeamRole
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import iso_week_bounds, iso_week_of
from stepwell.schedule.models import (
    CurriculumModule,
    GroupSeries,
    Room,
    StaffAvailability,
)
from stepwell.testing.clinic import SHARED

MODULES = [
    "Understanding your condition",
    "Triggers and coping strategies",
    "Healthy communication",
    "Stress management",
    "Relapse prevention",
    "Sleep and routine",
    "Building support",
    "Planning for aftercare",
]


def week_after(days: int = 7) -> str:
    """An ISO week in the future whatever day the tests run."""
    return iso_week_of(timezone.now().date() + timedelta(days=days))


@dataclass
class Calendar:
    clinic: object
    room: Room
    process: GroupSeries
    psychoeducation: GroupSeries
    week: str
    monday: date


def weekdays(user, start: time, end: time, days=range(5)) -> None:
    for day in days:
        StaffAvailability.objects.create(user=user, weekday=day, start=start, end=end)


def patient_windows(patient, start: time, end: time, days=range(5)) -> None:
    for day in days:
        AvailabilityWindow.objects.create(patient=patient, weekday=day, start=start, end=end)


@pytest.fixture
def calendar(clinic, _shared_calendar) -> Calendar:
    """Built once per run of tests that take it (stepwell/testing/clinic.py), else here."""
    return SHARED.copy("calendar") or build_calendar(clinic)


@pytest.fixture
def _shared_calendar():
    """Says that the test takes the shared calendar (only `calendar` asks for it)."""


def build_calendar(clinic) -> Calendar:
    program = clinic.program_a
    week = week_after(14)
    monday, _ = iso_week_bounds(week)
    room = Room.objects.create(site=program.site, name="Group Room A", capacity=14)
    for position, title in enumerate(MODULES, start=1):
        CurriculumModule.objects.create(program=program, position=position, title=title)
    weekdays(clinic.clinician_a, time(8, 0), time(17, 0))
    weekdays(clinic.prescriber_a, time(8, 0), time(17, 0))
    start = monday - timedelta(days=28)
    process = calendar_services.series_create(
        actor=clinic.director_a,
        program_id=program.pk,
        kind="process_group",
        title="Process group",
        start_time=time(9, 0),
        duration_minutes=90,
        recurrence="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        starts_on=start,
        facilitators=[clinic.clinician_a],
        room=room,
    )
    psychoeducation = calendar_services.series_create(
        actor=clinic.director_a,
        program_id=program.pk,
        kind="psychoeducation",
        title="Psychoeducation",
        start_time=time(10, 45),
        duration_minutes=60,
        recurrence="FREQ=WEEKLY;BYDAY=MO,WE",
        starts_on=start,
        facilitators=[clinic.clinician_a],
        room=room,
    )
    CareTeamMember.objects.create(
        patient=clinic.patient_a, user=clinic.clinician_a, team_role=CareTeamRole.PRIMARY_CLINICIAN
    )
    CareTeamMember.objects.create(
        patient=clinic.patient_a, user=clinic.prescriber_a, team_role=CareTeamRole.PRESCRIBER
    )
    patient_windows(clinic.patient_a, time(8, 30), time(13, 0))
    calendar_services.occurrences_generate(
        actor=clinic.director_a, program_id=program.pk, week=week
    )
    return Calendar(clinic, room, process, psychoeducation, week, monday)


SHARED.register("calendar", "_shared_calendar", lambda records: build_calendar(records["clinic"]))
