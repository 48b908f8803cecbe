"""Milestones recorded from the record, by staff, and the sharing setting: on the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.accounts.models import Role, UserKind
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.milestones import services
from stepwell.milestones.models import Milestone, MilestoneSharing
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory

from .builders import build_journey

pytestmark = pytest.mark.django_db
JOB = system_actor("milestones-compute")


def _denials():
    return AuditEvent.objects.filter(outcome="denied")


def test_the_job_records_what_the_episode_earned_with_dates_and_evidence():
    journey = build_journey()
    first = journey.first_monday
    new = services.milestones_compute(actor=JOB, episode_id=journey.episode.pk)
    got = {m.code: m for m in new}
    assert set(got) == {
        "first_week_hours_met",
        "attendance_weeks_2",
        "attendance_weeks_4",
        "reliable_improvement:phq9",
        "response:phq9",
        f"objective_met:{journey.episode.treatment_plans.get().problems.get().goals.get().objectives.get().lineage}",
        "curriculum_complete",
    }
    assert got["first_week_hours_met"].achieved_on == first + timedelta(days=6)
    assert got["attendance_weeks_4"].achieved_on == first + timedelta(weeks=3, days=6)
    assert got["response:phq9"].evidence["baseline"] == 18
    assert got["response:phq9"].evidence["score"] == 9
    assert got["reliable_improvement:phq9"].achieved_on == first + timedelta(weeks=1, days=1)
    assert all(m.kind == "computed" and m.patient == journey.patient for m in new)
    event = AuditEvent.objects.get(action="create", object_type="milestone")
    assert event.patient_id == journey.patient.pk
    assert event.username == "system:milestones-compute"


def test_each_milestone_is_recorded_once():
    journey = build_journey()
    services.milestones_compute(actor=JOB, episode_id=journey.episode.pk)
    count = Milestone.objects.count()
    assert services.milestones_compute(actor=JOB, episode_id=journey.episode.pk) == []
    assert Milestone.objects.count() == count


def test_the_daily_job_covers_the_programs_open_episodes():
    journey = build_journey(weeks=2)
    found = services.milestones_compute_program(
        actor=JOB, program_id=journey.program.pk, today=journey.today
    )
    assert found == Milestone.objects.filter(episode=journey.episode).count() > 0


@pytest.mark.parametrize("job", ["measures-due", "seed-other"])
def test_another_job_may_not_compute(job):
    journey = build_journey(weeks=2)
    with pytest.raises(AccessDenied):
        services.milestones_compute_program(
            actor=system_actor(job), program_id=journey.program.pk, today=journey.today
        )
    assert _denials().count() == 1
    assert not Milestone.objects.exists()


def test_staff_record_a_milestone_in_the_current_episode():
    journey = build_journey(weeks=1)
    milestone = services.milestone_record(
        actor=journey.clinician,
        patient_id=journey.patient.pk,
        title="Used a grounding skill at work",
        text="Noticed panic rising in a meeting and used 5-4-3-2-1.",
        achieved_on=journey.today,
    )
    assert (milestone.kind, milestone.code, milestone.episode) == (
        "recorded",
        "recorded",
        journey.episode,
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="milestone", object_id=str(milestone.pk)
    ).exists()


@pytest.mark.parametrize(
    ("title", "text", "days", "field"),
    [
        ("", "Something", 0, "title"),
        ("x" * 201, "Something", 0, "title"),
        ("Breakthrough", "   ", 0, "text"),
        ("Breakthrough", "Something", 1, "achieved_on"),
        ("Breakthrough", "Something", -60, "achieved_on"),
    ],
)
def test_bad_milestone_input_names_the_field_and_records_nothing(title, text, days, field):
    journey = build_journey(weeks=1)
    with pytest.raises(ApplicationError) as raised:
        services.milestone_record(
            actor=journey.clinician,
            patient_id=journey.patient.pk,
            title=title,
            text=text,
            achieved_on=journey.today + timedelta(days=days),
        )
    assert field in raised.value.field_errors
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("who", ["billing", "intake", "other_program", "patient"])
def test_who_may_not_record_is_refused_once_and_nothing_changes(who):
    journey = build_journey(weeks=1, portal=True)
    actor = {
        "billing": lambda: UserFactory(roles=[Role.BILLING], programs=[journey.program]),
        "intake": lambda: UserFactory(roles=[Role.INTAKE_COORDINATOR], programs=[journey.program]),
        "other_program": lambda: UserFactory(roles=[Role.CLINICIAN]),
        "patient": lambda: journey.patient.user,
    }[who]()
    calls = [
        lambda: services.milestone_record(
            actor=actor,
            patient_id=journey.patient.pk,
            title="A",
            text="B",
            achieved_on=journey.today,
        ),
        lambda: services.milestone_sharing_set(
            actor=actor, patient_id=journey.patient.pk, named_in_group=True
        ),
        lambda: services.patient_milestones_compute(actor=actor, patient_id=journey.patient.pk),
        lambda: services.milestones_compute(actor=actor, episode_id=journey.episode.pk),
    ]
    for n, call in enumerate(calls, start=1):
        with pytest.raises(AccessDenied):
            call()
        assert _denials().count() == n
    assert not Milestone.objects.exists()
    assert not MilestoneSharing.objects.exists()


def test_staff_may_check_now_and_the_patient_sets_their_own_sharing():
    journey = build_journey(weeks=2, portal=True)
    found = services.patient_milestones_compute(
        actor=journey.clinician, patient_id=journey.patient.pk
    )
    assert "attendance_weeks_2" in {m.code for m in found}
    services.own_milestone_sharing_set(actor=journey.patient.user, named_in_group=True)
    assert MilestoneSharing.objects.get(patient=journey.patient).named_in_group is True
    services.milestone_sharing_set(
        actor=journey.clinician, patient_id=journey.patient.pk, named_in_group=False
    )
    assert MilestoneSharing.objects.get(patient=journey.patient).named_in_group is False
    assert AuditEvent.objects.filter(object_type="milestone_sharing").count() == 2


def test_staff_have_no_own_sharing_setting():
    journey = build_journey(weeks=1)
    with pytest.raises(AccessDenied):
        services.own_milestone_sharing_set(actor=journey.clinician, named_in_group=True)
    assert _denials().count() == 1
    assert not MilestoneSharing.objects.exists()


def test_a_patient_user_without_a_record_is_refused():
    user = UserFactory(kind=UserKind.PATIENT)
    with pytest.raises(AccessDenied):
        services.own_milestone_sharing_set(actor=user, named_in_group=True)
