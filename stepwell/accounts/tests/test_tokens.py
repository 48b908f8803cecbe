"""Personal access tokens: shown once, stored hashed, expiring, revocable; the token endpoint."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.accounts.models import PersonalAccessToken
from stepwell.accounts.tokens import token_authenticate, token_create, token_revoke
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

from .test_login import current_code


def test_token_is_stored_hashed_and_authenticates(clinic):
    issued = token_create(user=clinic.clinician_a, name="lab")
    stored = PersonalAccessToken.objects.get()
    secret = issued.plaintext.split("_", 2)[2]
    assert secret not in stored.secret_hash
    assert len(stored.secret_hash) == 64
    assert token_authenticate(issued.plaintext) == clinic.clinician_a
    assert token_authenticate(issued.plaintext + "x") is None
    assert token_authenticate("garbage") is None


def test_last_used_is_written_at_most_once_a_minute(clinic, django_assert_num_queries):
    """A script calling the API many times a second writes the token's row once a minute."""
    issued = token_create(user=clinic.clinician_a, name="script")
    assert issued.token.last_used_at is None
    token_authenticate(issued.plaintext)  # first use: written
    first = PersonalAccessToken.objects.get().last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        assert token_authenticate(issued.plaintext) == clinic.clinician_a
    assert PersonalAccessToken.objects.get().last_used_at == first
    # A minute later (or a clock that moved back), the next use is written.
    for moved in (timedelta(minutes=1, seconds=1), -timedelta(seconds=5)):
        PersonalAccessToken.objects.update(last_used_at=first - moved)
        token_authenticate(issued.plaintext)
        assert PersonalAccessToken.objects.get().last_used_at >= first


def test_expired_and_revoked_tokens_fail(clinic):
    expired = token_create(user=clinic.clinician_a, name="old")
    PersonalAccessToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert token_authenticate(expired.plaintext) is None
    revoked = token_create(user=clinic.clinician_a, name="gone")
    token_revoke(user=clinic.clinician_a, token_id=revoked.token.pk)
    assert token_authenticate(revoked.plaintext) is None


def test_token_of_inactive_user_fails(clinic):
    issued = token_create(user=clinic.clinician_a, name="lab")
    clinic.clinician_a.is_active = False
    clinic.clinician_a.save()
    assert token_authenticate(issued.plaintext) is None


def test_tokens_page_shows_token_once(client, clinic):
    verified_login(client, clinic.clinician_a)
    created = client.post("/accounts/tokens/", {"name": "lab interface", "days": 30})
    body = created.content.decode()
    plaintext = created.context["issued"].plaintext
    assert plaintext in body
    assert plaintext not in client.get("/accounts/tokens/").content.decode()
    token = PersonalAccessToken.objects.get()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_page_names_bad_fields(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post("/accounts/tokens/", {"name": "", "days": 999})
    assert set(response.context["form"].errors) == {"name", "days"}
    assert PersonalAccessToken.objects.count() == 0


@pytest.mark.parametrize("whose", ["someone_else", "nobody"])
def test_revoking_a_token_not_ones_own_is_an_audited_refusal(client, clinic, whose):
    """Someone else's token and one that does not exist get the same 403, audited."""
    issued = token_create(user=clinic.clinician_b, name="theirs")
    token_id = issued.token.pk if whose == "someone_else" else 987654321
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/accounts/tokens/{token_id}/revoke/")
    assert response.status_code == 403
    assert token_authenticate(issued.plaintext) == clinic.clinician_b
    assert AuditEvent.objects.filter(
        user_id=clinic.clinician_a.pk,
        action="token_revoke",
        outcome="denied",
        object_id=str(token_id),
    ).exists()


def test_revoke_service_refuses_someone_elses_token(clinic):
    issued = token_create(user=clinic.clinician_b, name="theirs")
    with pytest.raises(AccessDenied):
        token_revoke(user=clinic.clinician_a, token_id=issued.token.pk)
    assert PersonalAccessToken.objects.get(pk=issued.token.pk).revoked_at is None
    assert AuditEvent.objects.filter(user_id=clinic.clinician_a.pk, outcome="denied").count() == 1


def test_revoking_a_revoked_token_again_says_so(client, clinic):
    issued = token_create(user=clinic.clinician_a, name="mine")
    token_revoke(user=clinic.clinician_a, token_id=issued.token.pk)
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/accounts/tokens/{issued.token.pk}/revoke/", follow=True)
    assert "This token is already revoked." in response.content.decode()


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_token_endpoint_requires_totp_for_staff(client, clinic):
    device = TOTPDevice.objects.create(user=clinic.clinician_a, name="phone", confirmed=True)
    no_code = post_json(client, "/api/v1/auth/token", {"username": "clin_a", "password": PASSWORD})
    assert no_code.status_code == 401
    assert "totp_code" in no_code.json()["errors"]
    ok = post_json(
        client,
        "/api/v1/auth/token",
        {"username": "clin_a", "password": PASSWORD, "totp_code": current_code(device)},
    )
    assert ok.status_code == 201
    token = ok.json()["token"]
    listing = client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listing.status_code == 200
    assert {p["legal_last_name"] for p in listing.json()} == {"Alder", "Cedar"}


def test_token_endpoint_refuses_wrong_password_and_patients(client, clinic):
    assert (
        post_json(
            client, "/api/v1/auth/token", {"username": "clin_a", "password": "bad"}
        ).status_code
        == 401
    )
    assert (
        post_json(
            client, "/api/v1/auth/token", {"username": "pat_a", "password": PASSWORD}
        ).status_code
        == 403
    )


def test_token_endpoint_names_missing_fields(client, db):
    response = post_json(client, "/api/v1/auth/token", {"username": "x"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["password"]


def test_api_rejects_missing_token(client, db):
    response = client.get("/api/v1/patients")
    assert response.status_code == 401


def test_a_patient_gets_no_token_even_calling_the_service_directly(client, clinic):
    from stepwell.core.errors import AccessDenied
    from stepwell.privacy.models import AuditEvent

    with pytest.raises(AccessDenied):
        token_create(user=clinic.patient_user_a, name="mine")
    assert not PersonalAccessToken.objects.exists()
    assert AuditEvent.objects.filter(object_type="access_token", outcome="denied").count() == 1
    verified_login(client, clinic.patient_user_a)
    assert client.get("/accounts/tokens/").status_code == 403
    assert client.post("/accounts/tokens/", {"name": "x", "days": 5}).status_code == 403
    assert not PersonalAccessToken.objects.exists()


def test_creating_and_revoking_a_token_are_audited(client, clinic):
    from stepwell.privacy.models import AuditEvent

    issued = token_create(user=clinic.clinician_a, name="lab")
    token_revoke(user=clinic.clinician_a, token_id=issued.token.pk)
    events = AuditEvent.objects.filter(object_type="access_token").order_by("seq")
    assert [(e.action, e.username, e.object_id) for e in events] == [
        ("token_create", "clin_a", str(issued.token.pk)),
        ("token_revoke", "clin_a", str(issued.token.pk)),
    ]


def test_the_token_endpoint_says_why_a_staff_member_without_an_authenticator_is_refused(
    client, clinic
):
    response = post_json(client, "/api/v1/auth/token", {"username": "clin_a", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Set up two-step login on the web first.",
        "errors": {"totp_code": "No authenticator set up."},
    }
    assert not PersonalAccessToken.objects.exists()
