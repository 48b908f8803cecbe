"""Fixtures for care tests: a group occurrence in program A with three enrolled patients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from stepwell.accounts.models import Role, RoleAssignment
from stepwell.care.attendance import services as attendance_services
from stepwell.patients.models import EpisodeState
from stepwell.schedule.models import Enrollment, SessionOccurrence
from stepwell.testing.factories import EpisodeFactory, PatientFactory, ProgramFactory

# Tuesday 2026-12-08 15:00-18:00 UTC = 09:00-12:00 America/Chicago (CST).
GROUP_START = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


def make_occurrence(
    program, *, starts_at, minutes=180, facilitators=(), patients=(), title="Process group"
):
    occurrence = SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=12,
        enrolled_count=len(patients),
    )
    occurrence.facilitators.set(facilitators)
    for patient in patients:
        Enrollment.objects.create(occurrence=occurrence, patient=patient)
    return occurrence


def attend(clinic, occurrence, patient, status="present", **times):
    """Mark the patient's attendance of the occurrence, as its program's director, an
    hour after it ended."""
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.director_a, occurrence_id=occurrence.pk
    )
    row = next(r for r in rows if r.patient_id == patient.pk)
    return attendance_services.attendance_mark(
        actor=clinic.director_a,
        attendance_id=row.pk,
        status=status,
        now=occurrence.ends_at + timedelta(hours=1),
        **times,
    )


def kolkata_program(clinic):
    """A program in Asia/Kolkata (UTC+5:30, no daylight saving) at program A's site,
    directed by program A's director too (roles are per program)."""
    kolkata = ProgramFactory(
        site=clinic.program_a.site, name="Kolkata IOP", timezone="Asia/Kolkata"
    )
    RoleAssignment.objects.create(
        user=clinic.director_a, role=Role.PROGRAM_DIRECTOR, program=kolkata
    )
    clinic.director_a.program_memberships.create(program=kolkata)
    clinic.director_a.forget_roles()
    return kolkata


def admitted_patient(program, first, last, **kwargs):
    patient = PatientFactory(legal_first_name=first, legal_last_name=last, **kwargs)
    EpisodeFactory(patient=patient, program=program, state=EpisodeState.ACTIVE)
    return patient


@dataclass
class Group:
    occurrence: SessionOccurrence
    dana: object
    emery: object


@pytest.fixture
def group(clinic) -> Group:
    dana = admitted_patient(clinic.program_a, "Dana", "Dogwood")
    emery = admitted_patient(clinic.program_a, "Emery", "Elmwood")
    occurrence = make_occurrence(
        clinic.program_a,
        starts_at=GROUP_START,
        facilitators=[clinic.clinician_a],
        patients=[clinic.patient_a, dana, emery],
    )
    return Group(occurrence=occurrence, dana=dana, emery=emery)


DURING = GROUP_START + timedelta(minutes=20)
AFTER = GROUP_START + timedelta(hours=4)


@pytest.fixture
def clock(monkeypatch):
    """Set the time pages and services see (`timezone.now()`): attendance and signing
    refuse what has not happened yet, so a page test says when it runs."""
    from django.utils import timezone

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(AFTER)
    return set_to
