"""The number of database queries a list page or API list makes does not grow with its rows.

Each page is opened with a small clinic and a larger one, under the same bound: a query per
row (an N+1) makes the larger clinic go over it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from stepwell.intake.models import Referral
from stepwell.patients.models import CareTeamMember, Episode, EpisodeState
from stepwell.plans.services.versions import plan_create
from stepwell.testing.auth import verified_login
from stepwell.testing.dates import clinic_today
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 15


def _clinic(size: int):
    """A program with `size` admitted patients on one clinician's care team, each with a
    referral and a draft plan, and `size` more patients referred and not yet seen."""
    program = ProgramFactory()
    clinician = UserFactory(roles=["clinician"], programs=[program])
    intake = UserFactory(roles=["intake_coordinator"], programs=[program])
    director = UserFactory(roles=["program_director"], programs=[program])
    admin = UserFactory(roles=["administrator"])
    for n in range(size):
        episode = EpisodeFactory(
            program=program, state=EpisodeState.ADMITTED, admitted_on=date(2026, 10, 5)
        )
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinician, team_role="primary_clinician"
        )
        Referral.objects.create(
            episode=episode,
            patient=episode.patient,
            state="admitted",
            source="self",
            reason="Synthetic referral",
            received_on=date(2026, 10, 1),
        )
        plan_create(actor=clinician, episode_id=episode.pk)
        referred = EpisodeFactory(program=program, state=EpisodeState.REFERRED)
        Referral.objects.create(
            episode=referred,
            patient=referred.patient,
            source="self",
            reason=f"Synthetic referral {n}",
            received_on=date(2026, 10, 1),
        )
    return {"clinician": clinician, "intake": intake, "director": director, "admin": admin}


def _open(client, user, url: str, bound: int, assert_max) -> None:
    verified_login(client, user)
    client.get(url)  # the first request fills per-process caches (content types, sessions)
    with assert_max(bound):
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]


# (who, url, bound): the bound is what the page makes today with a couple of queries to
# spare; it is the same for both sizes of clinic.
PAGES = [
    ("clinician", "/caseload/", 43),
    ("director", "/caseload/", 43),
    ("director", "/plans/worklist/", 26),
    ("intake", "/intake/referrals/", 34),
    ("admin", "/privacy/audit/", 19),
    ("director", "/privacy/audit/", 19),  # their program's newest links, then the rows
    ("director", "/api/v1/patients", 21),
    ("admin", "/api/v1/audit", 17),
    ("director", "/api/v1/audit", 17),
    ("intake", "/api/v1/intake/referrals", 18),
    ("director", "/api/v1/plans/worklist", 25),
]


@pytest.mark.parametrize(("who", "url", "bound"), PAGES)
@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_a_list_makes_as_many_queries_for_many_rows_as_for_few(
    client, django_assert_max_num_queries, who, url, bound, size
):
    _open(client, _clinic(size)[who], url, bound, django_assert_max_num_queries)


# --- pages whose rows carry a history: the caseload's measures and hours, the chart ------

SCORED_WEEKS = {SMALL: 2, LARGE: 12}


def _history(episode, weeks: int) -> None:
    """`weeks` weekly PHQ-9s and GAD-7s, a questionnaire overdue, an open alert, and a
    group this week the patient is enrolled in (the hours badge)."""
    from stepwell.measures.models import Administration, Alert

    started = timezone.now() - timedelta(weeks=weeks)
    rows = [
        Administration(
            patient=episode.patient,
            episode=episode,
            instrument_key=key,
            status="completed",
            total=(week * 3 + offset) % 20,
            band="moderate",
            answers={"item": 1},
            completed_at=started + timedelta(weeks=week),
        )
        for week in range(weeks)
        for key, offset in (("phq9", 0), ("gad7", 5))
    ]
    Administration.objects.bulk_create(rows)
    Administration.objects.create(
        patient=episode.patient,
        episode=episode,
        instrument_key="phq9",
        status="due",
        due_on=clinic_today() - timedelta(days=10),
    )
    Alert.objects.create(
        patient=episode.patient,
        administration=rows[-1],
        kind="suicide_risk",
        reason="Synthetic alert",
        immediate=True,
    )


def _clinic_with_histories(size: int):
    from stepwell.schedule.models import Enrollment, SessionOccurrence

    people = _clinic(size)
    program = people["clinician"].program_memberships.get().program
    starts = timezone.now() + timedelta(hours=1)
    group = SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title="Process group",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=size + 1,
        enrolled_count=size,
    )
    for episode in Episode.objects.filter(program=program, state=EpisodeState.ADMITTED):
        _history(episode, SCORED_WEEKS[size])
        Enrollment.objects.create(occurrence=group, patient=episode.patient)
        for _ in range(size):  # a team as large as the clinic: the chart lists them all
            CareTeamMember.objects.create(
                patient=episode.patient,
                user=UserFactory(roles=["clinician"], programs=[program]),
                team_role="other",
            )
    people["patient"] = Episode.objects.filter(program=program, state=EpisodeState.ADMITTED)[0]
    return people


# (who, url, bound). The chart's bound holds for a patient with 2 or 12 weeks of scores and
# a care team of 3 or 15; the caseload's for 3 or 15 such patients.
HISTORY_PAGES = [
    ("clinician", "/caseload/", 44),
    ("director", "/caseload/", 44),
    ("clinician", "/patients/{patient}/", 29),
    ("director", "/patients/{patient}/", 29),
    ("admin", "/privacy/audit/", 19),
]


@pytest.mark.parametrize(("who", "url", "bound"), HISTORY_PAGES)
@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_rows_with_a_history_cost_no_more_queries(
    client, django_assert_max_num_queries, who, url, bound, size
):
    people = _clinic_with_histories(size)
    url = url.format(patient=people["patient"].patient_id)
    _open(client, people[who], url, bound, django_assert_max_num_queries)
    html = client.get(url).content.decode()
    if url == "/caseload/":
        assert html.count('data-testid="overdue"') == size  # every row carries its history
        assert html.count('data-testid="alert-count"') == size
