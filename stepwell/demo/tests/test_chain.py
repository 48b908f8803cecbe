"""`stepwell seed-demo --patients N`: a clinic chain in bulk inserts."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from stepwell.accounts.models import Role
from stepwell.clinic.models import Organization, Program, Site
from stepwell.demo.chain import build_chain
from stepwell.patients.models import CareTeamMember, Episode, EpisodeEvent, EpisodeState, Patient
from stepwell.plans.models import PlanStatus

TODAY = date(2026, 11, 30)


def _queries_for(patients: int, *, seed: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        build_chain(patients=patients, seed=seed, today=TODAY)
    return len(queries)


def test_chain_spreads_patients_over_sites_programs_and_the_year(db):
    Organization.objects.create(name="Demo")
    chain = build_chain(patients=60, seed=7, today=TODAY)

    assert chain.patients == 60
    assert Site.objects.count() == 3 and Program.objects.count() == 6
    per_program = Counter(Episode.objects.values_list("program_id", flat=True))
    assert sorted(per_program.values()) == [10] * 6
    states = Counter(Episode.objects.values_list("state", flat=True))
    assert set(states) == {EpisodeState.ACTIVE, EpisodeState.DISCHARGED, EpisodeState.REFERRED}
    for episode in Episode.objects.all():
        assert episode.referred_on <= TODAY
        if episode.admitted_on:
            assert episode.referred_on < episode.admitted_on <= TODAY
        if episode.state == EpisodeState.DISCHARGED:
            assert episode.admitted_on < episode.discharged_on < TODAY
            assert episode.discharged_on > TODAY - timedelta(days=366)
        events = list(episode.events.values_list("to_state", flat=True))
        assert events[-1] == episode.state and events[0] == EpisodeState.REFERRED
    # Each patient's primary clinician works in the patient's program.
    for member in CareTeamMember.objects.select_related("patient", "user"):
        program = member.patient.episodes.get().program
        assert program.pk in member.user.program_ids_with(Role.CLINICIAN)
    assert Patient.objects.count() == 60 == CareTeamMember.objects.count()
    assert EpisodeEvent.objects.count() >= 60


def test_chain_episodes_in_treatment_long_enough_have_a_signed_reviewed_plan(db):
    """As in a clinic: a plan signed by clinician and patient five days after admission,
    with its problem and goal, reviewed four weeks later; none before that."""
    Organization.objects.create(name="Demo")
    build_chain(patients=60, seed=7, today=TODAY)
    with_plan = 0
    for episode in Episode.objects.all():
        plans = list(episode.treatment_plans.all())
        signed_on = episode.admitted_on and episode.admitted_on + timedelta(days=5)
        if signed_on is None or signed_on > (episode.discharged_on or TODAY):
            assert plans == []
            continue
        with_plan += 1
        [plan] = plans
        assert plan.status == PlanStatus.SIGNED and plan.version == 1
        assert plan.signed_at.date() == signed_on
        assert sorted(plan.signatures.values_list("role", flat=True)) == ["clinician", "patient"]
        assert plan.problems.get().goals.count() == 1
        reviews = list(plan.reviews.values_list("reviewed_on", flat=True))
        assert reviews == (
            [signed_on + timedelta(days=28)] if signed_on <= TODAY - timedelta(28) else []
        )
        clinician = plan.signatures.get(role="clinician").signer
        assert episode.program_id in clinician.program_ids_with(Role.CLINICIAN)
    assert with_plan >= 30  # most of the 60 were admitted


def test_chain_inserts_in_bulk_not_one_query_per_row(db):
    Organization.objects.create(name="Demo")
    with transaction.atomic():
        small = _queries_for(10, seed=1)
        transaction.set_rollback(True)
    large = _queries_for(80, seed=1)
    assert Patient.objects.count() == 80
    # One INSERT per batch (SQLite caps a batch at its bound variables), never one per row:
    # 70 more patients with their episodes, events and care teams cost a few queries.
    assert small <= large <= small + 6


def test_seed_demo_refuses_a_negative_number_of_patients(db):
    with pytest.raises(CommandError, match="--patients"):
        call_command("seed_demo", patients=-1)
    assert Patient.objects.count() == 0
