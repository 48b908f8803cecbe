"""The worklists asked of the database return exactly what the rules of due.py and
versions.py give row by row in Python, over varied episodes: states, admission days,
programs in zones on both sides of the date line with their own first-plan days, drafts
and signed versions with some or all signatures, superseded versions, reviews,
certifications and Medicare coverage starting or ending around the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from stepwell.billing.models import Coverage
from stepwell.clinic.time import program_today
from stepwell.patients.models import EpisodeState
from stepwell.plans import selectors
from stepwell.plans.models import (
    PhysicianCertification,
    PlanReview,
    PlanSignature,
    PlanStatus,
    ProgramPlanPolicy,
    TreatmentPlan,
)
from stepwell.testing.factories import EpisodeFactory, PayerFactory, ProgramFactory, UserFactory

# The due dates are date arithmetic the two engines spell differently (AddDays, and
# GREATEST, which skips a NULL on PostgreSQL and returns NULL on SQLite): run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

# Auckland is a day ahead of Chicago for most of the day; Honolulu a few hours behind.
ZONES = ("America/Chicago", "Pacific/Auckland", "Pacific/Honolulu")
STATES = (
    EpisodeState.ADMITTED,
    EpisodeState.ACTIVE,
    EpisodeState.ON_HOLD,
    EpisodeState.DISCHARGED,
    EpisodeState.REFERRED,
)
ROLES = ("clinician", "patient", "physician")

version_spec = st.fixed_dictionaries(
    {
        "signed_hours_ago": st.integers(min_value=1, max_value=24 * 120),
        "review_days": st.integers(min_value=1, max_value=90),
        "requires_physician": st.booleans(),
        "signatures": st.sets(st.sampled_from(ROLES)),
        "reviews": st.lists(st.integers(min_value=-100, max_value=5), max_size=2),
    }
)
episode_spec = st.fixed_dictionaries(
    {
        "program": st.integers(min_value=0, max_value=2),
        "state": st.sampled_from(STATES),
        "admitted": st.one_of(st.none(), st.integers(min_value=-120, max_value=10)),
        "versions": st.lists(version_spec, max_size=3),
        "last_is_draft": st.booleans(),
        "certifications": st.lists(
            st.tuples(
                st.integers(min_value=-120, max_value=0), st.integers(min_value=1, max_value=90)
            ),
            max_size=2,
        ),
        "medicare": st.sampled_from(("none", "in_force", "ended", "starts_later", "open")),
        "last_name": st.sampled_from(("Adams", "Baker", "Adams")),
    }
)


def _programs():
    programs = [ProgramFactory(timezone=zone) for zone in ZONES]
    ProgramPlanPolicy.objects.create(program=programs[1], first_plan_due_days=3)
    ProgramPlanPolicy.objects.create(program=programs[2], first_plan_due_days=14, review_days=30)
    return programs


def _medicare(patient, payer, spec: str, today: date) -> None:
    ranges = {
        "in_force": (today - timedelta(days=30), today + timedelta(days=30)),
        "ended": (today - timedelta(days=60), today - timedelta(days=1)),
        "starts_later": (today + timedelta(days=1), None),
        "open": (None, None),
    }
    if spec in ranges:
        start, end = ranges[spec]
        Coverage.objects.create(
            patient=patient, payer=payer, effective_from=start, effective_to=end
        )


def _episode(spec, programs, staff, payer, now: datetime):
    program = programs[spec["program"]]
    today = program_today(program, now)
    episode = EpisodeFactory(
        program=program,
        state=spec["state"],
        admitted_on=None if spec["admitted"] is None else today + timedelta(spec["admitted"]),
        discharged_on=today if spec["state"] == EpisodeState.DISCHARGED else None,
        patient__legal_last_name=spec["last_name"],
    )
    _medicare(episode.patient, payer, spec["medicare"], today)
    previous = None
    versions = spec["versions"]
    for number, version in enumerate(versions, start=1):
        draft = spec["last_is_draft"] and number == len(versions)
        signed_at = now - timedelta(hours=version["signed_hours_ago"])
        plan = TreatmentPlan.objects.create(
            patient=episode.patient,
            episode=episode,
            version=number,
            previous=previous,
            status=PlanStatus.DRAFT if draft else PlanStatus.SIGNED,
            signed_at=None if draft else signed_at,
            review_days=version["review_days"],
            requires_physician_signature=version["requires_physician"],
            created_by=staff,
        )
        for role in [] if draft else sorted(version["signatures"]):
            PlanSignature.objects.create(
                plan=plan,
                role=role,
                method="electronic",
                signer=staff,
                signer_name="S",
                signed_at=signed_at,
            )
        for offset in version["reviews"]:
            PlanReview.objects.create(
                plan=plan,
                reviewed_on=today + timedelta(days=offset),
                outcome="continue",
                note="Synthetic review",
                reviewer=staff,
            )
        previous = plan
    for certified, lasts in spec["certifications"]:
        if previous is None:
            break
        certified_on = today + timedelta(days=certified)
        PhysicianCertification.objects.create(
            episode=episode,
            plan=previous,
            physician=staff,
            kind="certification",
            certified_on=certified_on,
            recertify_by=certified_on + timedelta(days=lasts),
        )


def _rows(items):
    return [
        (i.kind, i.patient.pk, i.episode.pk, i.plan and i.plan.pk, i.due_on, i.overdue, i.detail)
        for i in items
    ]


def _awaiting(items):
    return [(i.patient.pk, i.episode.pk, i.plan.pk, i.waiting_since) for i in items]


@settings(
    max_examples=40,
    # Shrinking examples that each build a clinic takes minutes; a failure is reported
    # as found, with its episodes (note below).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    episodes=st.lists(episode_spec, min_size=1, max_size=8),
    hour=st.integers(min_value=0, max_value=23),
    within_days=st.sampled_from((0, 7, 30)),
    fixed_today=st.booleans(),
)
def test_the_database_lists_what_the_rules_list(episodes, hour, within_days, fixed_today):
    now = datetime(2026, 11, 20, hour, 30, tzinfo=UTC)
    note(repr(episodes))
    with transaction.atomic():
        programs = _programs()
        director = UserFactory(
            roles=["program_director", "prescriber"],
            programs=programs,
            credentials="MD",
        )
        payer = PayerFactory(kind="medicare")
        for spec in episodes:
            _episode(spec, programs, director, payer, now)
        today = date(2026, 11, 20) if fixed_today else None
        with mock.patch("django.utils.timezone.now", return_value=now):
            expected = selectors.plan_worklist_by_rules(
                user=director, today=today, within_days=within_days
            )
            got = selectors.plan_worklist(user=director, today=today, within_days=within_days)
            assert _rows(got) == _rows(expected)
            sliced = selectors.plan_worklist(
                user=director, today=today, within_days=within_days, offset=1, limit=2
            )
            assert _rows(sliced) == _rows(expected[1:3])
            assert _awaiting(
                selectors.physician_signature_worklist(user=director, today=today)
            ) == _awaiting(
                selectors.physician_signature_worklist_by_rules(user=director, today=today)
            )
        transaction.set_rollback(True)


def _version(**overrides):
    spec = {
        "signed_hours_ago": 24 * 100,
        "review_days": 30,
        "requires_physician": False,
        "signatures": {"clinician", "patient"},
        "reviews": [],
    }
    return {**spec, **overrides}


def _one_episode(**overrides):
    spec = {
        "program": 0,
        "state": EpisodeState.ACTIVE,
        "admitted": -100,
        "versions": [_version()],
        "last_is_draft": False,
        "certifications": [],
        "medicare": "none",
        "last_name": "Adams",
    }
    return {**spec, **overrides}


# Edges the generated clinics seldom reach, each with whether the episode is listed for
# it within 7 days: a review that brings the next one due exactly on the horizon or a day
# past it; two certifications entered on the same day (the one entered last counts).
EDGES = {
    "review due on the horizon": (
        _one_episode(versions=[_version(reviews=[-23])]),
        "plan_review",
        True,
    ),
    "review due a day past the horizon": (
        _one_episode(versions=[_version(reviews=[-22])]),
        "plan_review",
        False,
    ),
    "same-day certifications, the later one not due": (
        _one_episode(certifications=[(-10, 5), (-10, 60)]),
        "recertification",
        False,
    ),
    "same-day certifications, the later one due": (
        _one_episode(certifications=[(-10, 60), (-10, 5)]),
        "recertification",
        True,
    ),
}


@pytest.mark.parametrize("edge", EDGES, ids=list(EDGES))
def test_the_database_lists_what_the_rules_list_at_the_edges(edge):
    spec, kind, listed = EDGES[edge]
    now = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    programs = _programs()
    director = UserFactory(roles=["program_director"], programs=programs)
    _episode(spec, programs, director, PayerFactory(kind="medicare"), now)
    with mock.patch("django.utils.timezone.now", return_value=now):
        expected = selectors.plan_worklist_by_rules(user=director, within_days=7)
        got = selectors.plan_worklist(user=director, within_days=7)
    assert _rows(got) == _rows(expected)
    assert (kind in [item.kind for item in got]) is listed
