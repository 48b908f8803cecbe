"""The API's referral list reads its first page with a query kept compiled per shape (the
filters given, the limit): the ORM's records, with their patients, episodes and contact
attempts, for every shape and reader; later pages and odd values are the ORM's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.clinic.time import program_today
from stepwell.core.kept import KeptKinds
from stepwell.intake import selectors, services
from stepwell.intake.models import Referral, ReferralEvent, ReferralEventKind
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory
from stepwell.testing.kept import assert_records_as_orm, compiles

from .conftest import PATIENT_DATA

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

SHAPES = [
    {},
    {"state": "new"},
    {"state": "contacted"},
    {"urgency": "urgent"},
    {"urgency": "priority", "state": "new"},
    {"program_id": "a"},
    {"program_id": "b", "urgency": "routine"},
    {"program_id": "a", "state": "new", "urgency": "priority"},
    {"state": "no such state"},
]


@pytest.fixture
def referrals(clinic):
    """Referrals in both programs, of each urgency, received on different days (two on the
    same day), one contacted, contact attempts on some."""
    both = UserFactory(roles=["intake_coordinator"], programs=[clinic.program_a, clinic.program_b])
    made = []
    for n, (program, urgency, days) in enumerate(
        [
            (clinic.program_a, "priority", 3),
            (clinic.program_a, "urgent", 5),
            (clinic.program_b, "routine", 5),
            (clinic.program_b, "urgent", 1),
            (clinic.program_a, "routine", 9),
        ]
    ):
        made.append(
            services.referral_create(
                actor=both,
                program_id=program.pk,
                source="primary_care",
                reason="Synthetic",
                urgency=urgency,
                insurance="",
                received_on=program_today(program) - timedelta(days=days),
                patient_data={**PATIENT_DATA, "legal_first_name": f"Kept{n}"},
            )
        )
    for referral, attempts in zip(made, (2, 0, 1, 0, 3), strict=True):
        for _ in range(attempts):
            ReferralEvent.objects.create(
                referral=referral,
                kind=ReferralEventKind.CONTACT_ATTEMPT,
                method="phone",
                outcome="no_answer",
                effective_date=referral.received_on,
            )
    Referral.objects.filter(pk=made[1].pk).update(state="contacted")
    return {"both": both, "made": made}


def _values(clinic, shape: dict) -> dict:
    programs = {"a": clinic.program_a.pk, "b": clinic.program_b.pk}
    return {k: programs[v] if k == "program_id" else v for k, v in shape.items()}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_first_page_kept_compiled_is_the_orms(clinic, referrals, shape, monkeypatch):
    monkeypatch.setattr(selectors, "_LISTED", KeptKinds(at_most=32))
    given = _values(clinic, shape)
    found = 0
    for user in (referrals["both"], clinic.intake_a, clinic.director_a):
        programs = selectors.intake_access.referral_programs(user)
        for limit in (1, 2, 50):
            listed = selectors.referrals_listed(user=user, limit=limit, **given)
            expected = list(selectors._listed(programs, given)[:limit])
            assert [r.pk for r in listed] == [r.pk for r in expected]
            assert [r.contact_attempts for r in listed] == [r.contact_attempts for r in expected]
            kept = selectors._LISTED.kept[(tuple(sorted(given)), limit)]
            assert_records_as_orm(kept, programs=programs, **given)
            found += len(listed)
    if "no such state" not in shape.values():
        assert found


def test_later_pages_follow_the_first_and_no_program_has_an_id_out_of_range(clinic, referrals):
    user = referrals["both"]
    whole = selectors.referrals_listed(user=user, limit=50)
    assert len(whole) == len(referrals["made"])
    first = selectors.referrals_listed(user=user, limit=2)
    later = selectors.referrals_listed(user=user, limit=2, offset=2)
    assert [r.pk for r in first + later] == [r.pk for r in whole[:4]]
    assert selectors.referrals_listed(user=user, program_id=10**30) == []
    assert selectors.referrals_listed(user=user, program_id=-4) == []


def test_the_api_names_a_program_id_out_of_range(client, referrals):
    verified_login(client, referrals["both"])
    for value in (str(10**30), "0", "-4"):
        answer = client.get(f"/api/v1/intake/referrals?program={value}")
        assert answer.status_code == 422, value
        assert "program" in answer.content.decode()


def test_the_api_list_compiles_no_referral_query_after_its_first(
    client, clinic, referrals, monkeypatch
):
    monkeypatch.setattr(selectors, "_LISTED", KeptKinds(at_most=32))
    verified_login(client, referrals["both"])
    url = f"/api/v1/intake/referrals?urgency=urgent&program={clinic.program_b.pk}"
    assert client.get(url).status_code == 200
    compiled = compiles(monkeypatch)
    again = client.get(url)
    assert again.status_code == 200
    assert Referral not in compiled, compiled
    [row] = again.json()
    assert (row["urgency"], row["contact_attempts"]) == ("urgent", 0)
