"""The referral board pages each column 50 at a time, with its filters done in SQL, and
makes as many queries for many referrals as for few."""

from __future__ import annotations

from datetime import date

import pytest

from stepwell.intake.models import Referral, ReferralState, Urgency
from stepwell.patients.models import EpisodeState
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def _referrals(program, count: int, *, state=ReferralState.NEW, urgency=Urgency.ROUTINE):
    for n in range(count):
        episode = EpisodeFactory(program=program, state=EpisodeState.REFERRED)
        Referral.objects.create(
            episode=episode,
            patient=episode.patient,
            state=state,
            urgency=urgency,
            source="self",
            reason=f"Synthetic referral {n}",
            received_on=date(2026, 10, 1),
        )


@pytest.fixture
def board(client):
    """An intake coordinator whose program has 55 new referrals (5 of them urgent) and 3
    contacted ones."""
    program = ProgramFactory()
    _referrals(program, 50)
    _referrals(program, 5, urgency=Urgency.URGENT)
    _referrals(program, 3, state=ReferralState.CONTACTED)
    _referrals(ProgramFactory(), 4)  # another program's: never shown
    coordinator = UserFactory(roles=["intake_coordinator"], programs=[program])
    verified_login(client, coordinator)
    return client


def _column(response, state: str) -> tuple[int, int]:
    """(cards shown, total) of one column."""
    column = next(c for c in response.context["board"].columns if c.state == state)
    return len(column.referrals), column.total


def test_each_column_shows_50_a_page_and_the_second_page_the_rest(board):
    first = board.get("/intake/referrals/")
    second = board.get("/intake/referrals/", {"page": 2})
    assert first.status_code == second.status_code == 200
    assert (first.context["board"].page, first.context["board"].pages) == (1, 2)
    assert _column(first, "new") == (50, 55)
    assert _column(first, "contacted") == (3, 3)
    assert _column(second, "new") == (5, 55)
    assert _column(second, "contacted") == (0, 3)  # its count stays; its cards were on page 1
    shown = {r.pk for c in first.context["board"].columns for r in c.referrals}
    shown_next = {r.pk for c in second.context["board"].columns for r in c.referrals}
    assert not shown & shown_next
    assert len(shown | shown_next) == 58
    assert "page=2" in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_urgent_referrals_come_first_and_the_audit_names_the_patients_shown(board):
    response = board.get("/intake/referrals/")
    new = next(c for c in response.context["board"].columns if c.state == "new")
    assert [r.urgency for r in new.referrals[:5]] == [Urgency.URGENT] * 5
    event = AuditEvent.objects.filter(object_type="referral_board").latest("seq")
    assert sorted(event.detail["patients"]) == sorted(response.context["board"].patient_ids)
    assert len(event.detail["patients"]) == 53


def test_a_filter_is_applied_before_the_page(board):
    response = board.get("/intake/referrals/", {"urgency": "urgent", "page": 2})
    assert response.context["board"].pages == 1
    assert response.context["board"].page == 1  # past the end: the last page there is
    assert _column(response, "new") == (5, 5)
    assert _column(response, "contacted") == (0, 0)


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("-3", 1), ("99", 2), ("", 1)])
def test_a_bad_page_number_falls_back_to_a_page_that_exists(board, page, expected):
    response = board.get("/intake/referrals/", {"page": page})
    assert response.status_code == 200
    assert response.context["board"].page == expected


@pytest.mark.parametrize("count", [2, 60])
def test_the_board_makes_as_many_queries_for_60_referrals_as_for_2(
    client, django_assert_max_num_queries, count
):
    program = ProgramFactory()
    _referrals(program, count)
    _referrals(program, count, state=ReferralState.ADMITTED)
    Referral.objects.filter(state=ReferralState.ADMITTED).update(admitted_on=date(2026, 10, 9))
    verified_login(client, UserFactory(roles=["intake_coordinator"], programs=[program]))
    client.get("/intake/referrals/")  # per-process caches
    with django_assert_max_num_queries(30):
        response = client.get("/intake/referrals/")
    assert response.status_code == 200
    assert response.context["board"].timings[0].admitted == count
    assert response.context["board"].timings[0].median_days == 8
