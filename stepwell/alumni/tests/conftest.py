"""An alumni community on the shared clinic: Avery (program A) discharged and so an
alumnus with a portal login; Jordan, a current patient of program A on the clinician's
care team; Blake stays a patient of program B."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from stepwell.accounts.models import UserKind
from stepwell.alumni import services
from stepwell.patients.models import CareTeamRole, EpisodeState
from stepwell.patients.services import episode_transition
from stepwell.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    UserFactory,
)

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # a Monday, 09:00 in Chicago


@dataclass
class Community:
    clinic: object
    alumnus: object  # Avery, discharged from program A
    current: object  # Jordan, active in program A
    event: object  # a weekly group of program A from next Monday
    meeting: object  # its first meeting


def discharge(clinic, episode, actor, on: date = date(2026, 11, 6)):
    return episode_transition(
        actor=actor,
        episode_id=episode.pk,
        to_state="discharged",
        effective_date=on,
        reason="Completed the program.",
        disposition="completed",
    )


def weekly_group(clinic, **overrides):
    terms = {
        "actor": clinic.clinician_a,
        "program_id": clinic.program_a.pk,
        "title": "Alumni circle",
        "format": "in_person",
        "place": "Room 2, 100 Example Way",
        "recurrence": "weekly",
        "first_day": date(2026, 11, 23),
        "start_time": time(18, 0),
        "duration_minutes": 90,
        "repeats_until": date(2026, 12, 21),
        "now": NOW,
    }
    return services.alumni_event_create(**(terms | overrides))


@pytest.fixture
def community(clinic) -> Community:
    discharge(clinic, clinic.episode_a, clinic.clinician_a)
    jordan = PatientFactory(
        legal_first_name="Jordan",
        legal_last_name="Juniper",
        user=UserFactory(username="pat_j", kind=UserKind.PATIENT),
    )
    EpisodeFactory(patient=jordan, program=clinic.program_a, state=EpisodeState.ACTIVE)
    CareTeamMemberFactory(
        patient=jordan, user=clinic.clinician_a, team_role=CareTeamRole.PRIMARY_CLINICIAN
    )
    event = weekly_group(clinic)
    return Community(
        clinic=clinic,
        alumnus=clinic.patient_a,
        current=jordan,
        event=event,
        meeting=event.meetings.order_by("starts_at").first(),
    )
