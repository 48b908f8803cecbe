"""The personal access tokens page lists one's own tokens 50 a page, newest first, in as
many queries for 60 tokens as for 3; someone else's tokens are never listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stepwell.accounts.models import PersonalAccessToken
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 11, 2, 15, tzinfo=UTC)


def _tokens(user, count: int) -> list[PersonalAccessToken]:
    """`count` tokens of the user, the n-th created n minutes after CREATED."""
    made = PersonalAccessToken.objects.bulk_create(
        PersonalAccessToken(
            user=user,
            name=f"Script {n:02d}",
            prefix=f"p{user.pk}x{n:03d}",
            secret_hash="0" * 64,
            expires_at=CREATED + timedelta(days=365),
        )
        for n in range(count)
    )
    for n, token in enumerate(made):
        PersonalAccessToken.objects.filter(pk=token.pk).update(
            created_at=CREATED + timedelta(minutes=n)
        )
    return made


def test_the_tokens_come_50_a_page_newest_first(client, clinic):
    made = _tokens(clinic.clinician_a, 60)
    _tokens(clinic.clinician_b, 3)  # another's: never listed
    verified_login(client, clinic.clinician_a)
    first = client.get("/accounts/tokens/")
    second = client.get("/accounts/tokens/", {"page": 2})
    shown = list(first.context["tokens"]) + list(second.context["tokens"])
    assert [t.pk for t in shown] == [t.pk for t in made[::-1]]
    assert "Page 1 of 2 · 60 tokens" in first.content.decode()
    assert 'href="?page=2">next' in first.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_tokens_page_takes_as_many_queries_for_60_as_for_3(
    client, clinic, django_assert_max_num_queries, count
):
    _tokens(clinic.clinician_a, count)
    verified_login(client, clinic.clinician_a)
    client.get("/accounts/tokens/")
    with django_assert_max_num_queries(8):
        response = client.get("/accounts/tokens/")
    assert len(response.context["tokens"]) == min(count, 50)


def test_a_patient_is_still_refused_the_tokens_page(client, clinic):
    verified_login(client, clinic.patient_user_a)
    assert client.get("/accounts/tokens/", {"page": 2}).status_code == 403
