"""The daily job: follow-ups due on their day and once, links through the outbox to people
who get messages, unreachable after the attempts, and readmissions linked."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stepwell.daily.models import DailyRun
from stepwell.daily.registry import registered_jobs
from stepwell.daily.runs import daily_jobs_run
from stepwell.followups import services
from stepwell.followups.models import (
    AttemptOutcome,
    FollowUp,
    FollowUpLink,
    FollowUpStatus,
    Readmission,
)
from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set
from stepwell.patients.models import EpisodeState
from stepwell.testing.factories import EpisodeFactory

from .conftest import DISCHARGED_ON, JOB, discharge

pytestmark = pytest.mark.django_db


def _run(clinic, day):
    return services.follow_ups_daily(actor=JOB, program_id=clinic.program_a.pk, today=day)


def test_due_on_its_day_once_with_the_programs_questionnaires(discharged):
    assert _run(discharged, DISCHARGED_ON + timedelta(days=29)).created == 0
    result = _run(discharged, DISCHARGED_ON + timedelta(days=30))
    assert (result.created, result.sent) == (1, 1)
    follow_up = FollowUp.objects.get()
    assert follow_up.days_after_discharge == 30
    assert follow_up.due_on == DISCHARGED_ON + timedelta(days=30)
    assert follow_up.instruments == ["phq9", "gad7"]
    assert _run(discharged, DISCHARGED_ON + timedelta(days=30)).created == 0
    assert FollowUp.objects.count() == 1


def test_substance_use_program_asks_audit_c_and_dast_10(clinic):
    discharge(clinic.episode_b)
    [follow_up] = services.follow_ups_create_due(
        actor=JOB, program_id=clinic.program_b.pk, today=DISCHARGED_ON + timedelta(days=30)
    )
    assert follow_up.instruments == ["auditc", "dast10"]


def test_the_program_chooses_its_days(discharged):
    services.follow_up_policy_set(
        actor=discharged.director_a,
        program_id=discharged.program_a.pk,
        days="14, 45",
        instruments=["phq9"],
        max_attempts=2,
        wait_days=5,
    )
    _run(discharged, DISCHARGED_ON + timedelta(days=30))  # day 14, caught up 16 days late
    assert list(FollowUp.objects.values_list("days_after_discharge", "instruments")) == [
        (14, ["phq9"])
    ]
    [follow_up] = services.follow_ups_create_due(
        actor=JOB, program_id=discharged.program_a.pk, today=DISCHARGED_ON + timedelta(days=45)
    )
    assert (follow_up.days_after_discharge, follow_up.instruments) == (45, ["phq9"])


def test_the_link_goes_through_the_outbox_without_a_name(discharged):
    _run(discharged, DISCHARGED_ON + timedelta(days=30))
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.attempts) == (FollowUpStatus.SENT, 1)
    message = Message.objects.get()
    assert message.purpose == "follow_up"
    assert message.address == "avery@example.org"
    assert "/follow-ups/f/" in message.body
    assert "Avery" not in message.body and "Adult MH" not in message.body
    assert follow_up.tries.get().outcome == AttemptOutcome.LINK_SENT
    assert FollowUpLink.objects.filter(follow_up=follow_up, used_at__isnull=True).count() == 1


def test_links_again_after_the_wait_then_unreachable(discharged):
    start = DISCHARGED_ON + timedelta(days=30)
    zone = ZoneInfo(discharged.program_a.timezone)
    for offset in (0, 7, 14):
        day = start + timedelta(days=offset)
        # the job runs at 06:00 in the program's zone; the attempt is stamped "now"
        FollowUp.objects.update(
            last_attempt_at=None
            if offset == 0
            else datetime.combine(day - timedelta(days=7), time(6), tzinfo=zone)
        )
        assert _run(discharged, day).sent == 1
    follow_up = FollowUp.objects.get()
    assert follow_up.attempts == 3
    assert FollowUpLink.objects.filter(revoked_at__isnull=True).count() == 1  # old ones replaced
    last = datetime.combine(start + timedelta(days=14), time(6), tzinfo=zone)
    FollowUp.objects.update(last_attempt_at=last)
    assert _run(discharged, start + timedelta(days=20)).unreachable == 0  # still waiting
    assert _run(discharged, start + timedelta(days=21)).unreachable == 1
    assert FollowUp.objects.get().status == FollowUpStatus.UNREACHABLE
    assert Message.objects.count() == 3


def test_no_link_to_a_patient_who_chose_no_messages(discharged):
    contact_preference_set(
        actor=discharged.clinician_a,
        patient_id=discharged.patient_a.pk,
        channel="none",
        reminders=False,
    )
    result = _run(discharged, DISCHARGED_ON + timedelta(days=30))
    assert (result.created, result.sent) == (1, 0)
    assert FollowUp.objects.get().status == FollowUpStatus.DUE
    assert not Message.objects.exists()


def test_readmission_to_the_program_is_linked_to_the_earlier_episode(discharged):
    later = EpisodeFactory(
        patient=discharged.patient_a, program=discharged.program_a, state=EpisodeState.ACTIVE
    )
    later.referred_on = DISCHARGED_ON + timedelta(days=20)
    later.admitted_on = DISCHARGED_ON + timedelta(days=25)
    later.save()
    elsewhere = EpisodeFactory(
        patient=discharged.patient_a, program=discharged.program_b, state=EpisodeState.ACTIVE
    )
    elsewhere.admitted_on = DISCHARGED_ON + timedelta(days=10)
    elsewhere.save()
    found = services.readmissions_detect(actor=JOB, program_id=discharged.program_a.pk)
    assert [(r.episode_id, r.earlier_episode_id, r.days_after_discharge) for r in found] == [
        (later.pk, discharged.episode_a.pk, 25)
    ]
    assert services.readmissions_detect(actor=JOB, program_id=discharged.program_a.pk) == []
    assert services.readmissions_detect(actor=JOB, program_id=discharged.program_b.pk) == []
    assert Readmission.objects.count() == 1


def test_registered_with_stepwell_daily(discharged):
    assert "follow-ups" in {job.name for job in registered_jobs()}
    moment = datetime.combine(
        DISCHARGED_ON + timedelta(days=30), time(9), tzinfo=ZoneInfo("America/Chicago")
    )
    jobs = [job for job in registered_jobs() if job.name == "follow-ups"]
    outcomes = daily_jobs_run(now=moment, jobs=jobs)
    assert [o.line() for o in outcomes if "Adult MH" in o.line()] == [
        "follow-ups | Adult MH | 2026-10-01: done: "
        "1 follow-ups due, 1 links sent, 0 unreachable, 0 readmissions linked"
    ]
    assert DailyRun.objects.filter(job="follow-ups", status="done").count() == 2
    assert FollowUp.objects.count() == 1
