"""Milestones are never changed or removed once written, in the database itself
(privacy/signed_records.py): computed and recorded ones alike refuse every UPDATE and
DELETE, by the ORM or raw SQL; new ones are still written. Runs on SQLite and, in make
test's second pass, PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from stepwell.milestones import services
from stepwell.milestones.models import Milestone
from stepwell.privacy.actors import system_actor
from stepwell.privacy.signed_records import install_signed_record_triggers
from stepwell.privacy.tests.signed import assert_every_table_refuses_raw_writes, refused

from .builders import build_journey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def milestone_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_signed_record_triggers(connection, "milestones")


@pytest.fixture
def written():
    """A computed set from the daily job and one milestone recorded by staff."""
    journey = build_journey(weeks=2)
    computed = services.milestones_compute(
        actor=system_actor("milestones-compute"), episode_id=journey.episode.pk
    )
    recorded = services.milestone_record(
        actor=journey.clinician,
        patient_id=journey.patient.pk,
        title="Used a grounding skill at work",
        text="Noticed panic rising in a meeting and used 5-4-3-2-1.",
        achieved_on=journey.today,
    )
    assert computed
    return journey, computed, recorded


def test_the_job_and_staff_still_write_milestones_and_the_job_runs_again(written):
    journey, computed, recorded = written
    assert Milestone.objects.count() == len(computed) + 1
    assert recorded.kind == "recorded"
    again = services.milestones_compute(
        actor=system_actor("milestones-compute"), episode_id=journey.episode.pk
    )
    assert again == []


def test_raw_sql_cannot_update_or_delete_a_milestone(written):
    _, computed, recorded = written
    assert_every_table_refuses_raw_writes("milestones", {"milestones_milestone": recorded.pk})
    assert_every_table_refuses_raw_writes("milestones", {"milestones_milestone": computed[0].pk})


def test_queryset_update_and_delete_of_a_milestone_are_refused(written):
    _, computed, recorded = written
    same = Milestone.objects.filter(pk=recorded.pk)
    refused("milestones_milestone", lambda: same.update(text="Rewritten"))
    refused("milestones_milestone", lambda: same.update(achieved_on=computed[0].achieved_on))
    refused("milestones_milestone", same.delete)
    refused("milestones_milestone", lambda: Milestone.objects.filter(kind="computed").delete())
    stored = Milestone.objects.get(pk=recorded.pk)
    assert stored.text == "Noticed panic rising in a meeting and used 5-4-3-2-1."
    assert Milestone.objects.filter(kind="computed").count() == len(computed)
