"""Days abstinent by drug testing: earned from the episode's resulted tests, and, as a
Part 2 record of the program that tested, read only by that program's staff."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stepwell.accounts.models import Role
from stepwell.meds.models import DrugTest, DrugTestResult
from stepwell.milestones import selectors, services
from stepwell.patients.models import CareTeamMember
from stepwell.privacy.actors import system_actor
from stepwell.testing.factories import ProgramFactory, UserFactory

from .builders import build_journey

pytestmark = pytest.mark.django_db


def _test(journey, day, outcome="negative"):
    collected = datetime.combine(day, time(10), tzinfo=ZoneInfo(journey.program.timezone))
    test = DrugTest.objects.create(
        patient=journey.patient,
        episode=journey.episode,
        program=journey.program,
        method="point_of_care",
        reason="clinical",
        scheduled_on=day,
        status="resulted",
        collected_at=collected,
        observed=True,
    )
    DrugTestResult.objects.create(test=test, substance="cocaine", outcome=outcome)


def _codes(user, journey):
    _, rows = selectors.patient_milestones(user=user, patient_id=journey.patient.pk)
    return {m.code for m in rows}


def test_days_abstinent_are_counted_from_the_last_unexpected_positive():
    journey = build_journey(weeks=10)
    first = journey.first_monday
    _test(journey, first)
    _test(journey, first + timedelta(days=10), outcome="positive")
    _test(journey, first + timedelta(days=50))
    new = services.milestones_compute(
        actor=system_actor("milestones-compute"), episode_id=journey.episode.pk
    )
    abstinent = {m.code: m for m in new if m.code.startswith("days_abstinent")}
    assert abstinent["days_abstinent_30"].achieved_on == first + timedelta(days=40)
    assert abstinent["days_abstinent_30"].evidence == {
        "days": 30,
        "since": (first + timedelta(days=10)).isoformat(),
    }
    assert "days_abstinent_90" not in abstinent  # 60 days since the positive at most


def test_a_part2_programs_abstinence_milestone_stays_in_the_program():
    journey = build_journey(weeks=6, portal=True)
    journey.program.part2_program = True
    journey.program.save()
    _test(journey, journey.first_monday)
    services.milestones_compute(
        actor=system_actor("milestones-compute"), episode_id=journey.episode.pk
    )
    # A clinician of another program on the care team reads the chart, not the tests.
    outsider = UserFactory(roles=[Role.CLINICIAN], programs=[ProgramFactory()])
    CareTeamMember.objects.create(
        patient=journey.patient, user=outsider, team_role="primary_clinician"
    )
    assert "days_abstinent_30" in _codes(journey.clinician, journey)
    assert "days_abstinent_30" in _codes(journey.patient.user, journey)
    outsider_codes = _codes(outsider, journey)
    assert "days_abstinent_30" not in outsider_codes
    assert "attendance_weeks_4" in outsider_codes
