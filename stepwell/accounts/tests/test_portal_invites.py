"""Patients get a portal login through a one-time link from their care team."""

import re
from datetime import timedelta

import pytest

from stepwell.accounts.models import User
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

NEW_PASSWORD = "a-long-synthetic-passphrase-42"


def invite_link(client, clinic, patient):
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/patients/{patient.pk}/portal-invite/", follow=True)
    text = response.content.decode()
    match = re.search(r"http://testserver(/accounts/activate/[^/]+/[^/\s<]+/)", text)
    client.logout()
    return match.group(1) if match else None


def test_invite_creates_portal_account_and_one_time_link(client, clinic):
    patient = clinic.patient_a
    patient.user = None  # registered without a portal login
    patient.save()
    path = invite_link(client, clinic, patient)
    assert path is not None
    patient.refresh_from_db()
    user = patient.user
    assert user.kind == "patient"
    assert user.username == f"p{patient.mrn.lower()}"
    assert not user.has_usable_password()
    page = client.get(path)
    assert user.username in page.content.decode()
    short = client.post(path, {"new_password1": "short", "new_password2": "short"})
    assert "new_password2" in short.context["form"].errors
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": NEW_PASSWORD})[
            "Location"
        ]
        == "/"
    )
    assert client.get("/portal/").status_code == 200
    client.logout()
    reused = client.get(path)
    assert reused.status_code == 404
    assert "does not work" in reused.content.decode()
    assert AuditEvent.objects.filter(
        object_type="portal_invite", patient_id=patient.pk, outcome="allowed"
    ).exists()


def test_invite_refused_when_password_already_set(client, clinic):
    verified_login(client, clinic.clinician_a)
    response = client.post(f"/patients/{clinic.patient_a.pk}/portal-invite/", follow=True)
    assert "already has a portal password" in response.content.decode()


@pytest.mark.parametrize("who", ["nurse_a", "billing_a", "clinician_b", "admin", "intake_a"])
def test_invite_denied_changes_nothing(client, clinic, who):
    patient = clinic.patient_a
    patient.user = None
    patient.save()
    verified_login(client, getattr(clinic, who))
    before = User.objects.count()
    response = client.post(f"/patients/{patient.pk}/portal-invite/")
    assert response.status_code == 403
    assert "Alder" not in response.content.decode()
    patient.refresh_from_db()
    assert patient.user is None
    assert User.objects.count() == before
    assert AuditEvent.objects.filter(object_type="portal_invite", outcome="denied").exists()


def test_forged_activation_link_is_refused(client, clinic):
    response = client.get("/accounts/activate/MQ/not-a-token/")
    assert response.status_code == 404


def test_new_invitation_voids_the_previous_link(client, clinic):
    patient = clinic.patient_a
    patient.user = None
    patient.save()
    first = invite_link(client, clinic, patient)
    second = invite_link(client, clinic, patient)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    refused = client.post(first, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 404
    patient.refresh_from_db()
    assert not patient.user.has_usable_password()


def test_invitation_lasts_portal_invite_days(client, clinic, settings, monkeypatch):
    from stepwell.accounts.portal_invites import portal_invite_token_generator

    settings.STEPWELL_PORTAL_INVITE_DAYS = 3
    patient = clinic.patient_a
    patient.user = None
    patient.save()
    path = invite_link(client, clinic, patient)
    issued_at = portal_invite_token_generator._now()
    day = 24 * 3600
    for age_seconds, works in [(3 * day - 60, True), (3 * day + 60, False)]:
        monkeypatch.setattr(
            portal_invite_token_generator,
            "_now",
            lambda age=age_seconds: issued_at + timedelta(seconds=age),
        )
        assert (client.get(path).status_code == 200) is works, age_seconds
    settings.STEPWELL_PORTAL_INVITE_DAYS = 7
    assert client.get(path).status_code == 200


def test_invitation_link_is_no_password_reset_link(client, clinic):
    patient = clinic.patient_a
    patient.user = None
    patient.save()
    path = invite_link(client, clinic, patient)
    uid, token = path.rstrip("/").split("/")[-2:]
    response = client.get(f"/accounts/password/reset/{uid}/{token}/", follow=True)
    assert "This link does not work" in response.content.decode()


@pytest.mark.parametrize("name", ["nurse_a", "billing_a", "admin", "clinician_b", "patient_user_a"])
def test_portal_invite_called_directly_by_a_refused_role_is_refused(clinic, name):
    from stepwell.accounts.portal_invites import portal_invite_create
    from stepwell.core.errors import AccessDenied

    patient = clinic.patient_a
    patient.user = None
    patient.save()
    users_before = User.objects.count()
    with pytest.raises(AccessDenied):
        portal_invite_create(actor=getattr(clinic, name), patient_id=patient.pk)
    event = AuditEvent.objects.get(object_type="portal_invite")
    assert (event.outcome, event.patient_id) == ("denied", patient.pk)
    patient.refresh_from_db()
    assert patient.user is None
    assert User.objects.count() == users_before


def test_portal_invite_for_an_unknown_patient_is_refused_the_same_way(clinic):
    from stepwell.accounts.portal_invites import portal_invite_create
    from stepwell.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        portal_invite_create(actor=clinic.clinician_a, patient_id=987654321)
    event = AuditEvent.objects.get(object_type="portal_invite")
    assert (event.outcome, event.patient_id) == ("denied", None)
