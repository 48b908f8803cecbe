"""The number of database queries a list page or API list makes does not grow with its rows.

Each page is opened with a small clinic and a larger one, under the same bound: a query per
row (an N+1) makes the larger clinic go over it."""

from __future__ import annotations

from datetime import date

import pytest

from stepwell.intake.models import Referral
from stepwell.patients.models import CareTeamMember, EpisodeState
from stepwell.plans.services.versions import plan_create
from stepwell.testing.auth import verified_login
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
    ("director", "/api/v1/patients", 21),
    ("admin", "/api/v1/audit", 17),
    ("intake", "/api/v1/intake/referrals", 18),
    ("director", "/api/v1/plans/worklist", 25),
]


@pytest.mark.parametrize(("who", "url", "bound"), PAGES)
@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_a_list_makes_as_many_queries_for_many_rows_as_for_few(
    client, django_assert_max_num_queries, who, url, bound, size
):
    _open(client, _clinic(size)[who], url, bound, django_assert_max_num_queries)
