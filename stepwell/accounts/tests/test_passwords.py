"""Passwords are set only by their owner: a reset link to their own address, or their
own change after logging in. Every link sent and every password set is audited."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

NEW_PASSWORD = "a-long-synthetic-passphrase-42"


def reset_path(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def with_email(user, address):
    user.email = address
    user.save()
    return user


def test_forgotten_password_link_goes_to_own_address_and_is_audited(client, clinic, mailoutbox):
    nurse = with_email(clinic.nurse_a, "nora@clinic.example")
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password/reset/", {"email": "NORA@clinic.example"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert [m.to for m in mailoutbox] == [["nora@clinic.example"]]
    event = AuditEvent.objects.get(detail__password="reset_link_sent")
    assert (event.object_id, event.detail["requested_by"], event.username) == (
        str(nurse.pk),
        "user",
        "",
    )
    confirm = client.get(reset_path(mailoutbox[0]), follow=True)
    assert "nurse_a" in confirm.content.decode()
    short = client.post(confirm.redirect_chain[-1][0], {"new_password1": "x", "new_password2": "x"})
    assert "new_password2" in short.context["form"].errors
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password/reset/complete/"
    nurse.refresh_from_db()
    assert nurse.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        detail__password="reset_by_link", username="nurse_a", object_id=str(nurse.pk)
    ).exists()
    # The link works once.
    again = client.get(reset_path(mailoutbox[0]), follow=True)
    assert "This link does not work" in again.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(client, clinic, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@clinic.example"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mailoutbox == []
    bad = client.post("/accounts/password/reset/", {"email": "not an address"})
    assert "email" in bad.context["form"].errors


def test_new_password_still_needs_the_second_step(client, clinic, mailoutbox):
    nurse = with_email(clinic.nurse_a, "nora@clinic.example")
    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    client.post("/accounts/password/reset/", {"email": "nora@clinic.example"})
    confirm = client.get(reset_path(mailoutbox[0]), follow=True)
    client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    login = client.post("/accounts/login/", {"username": "nurse_a", "password": NEW_PASSWORD})
    assert login["Location"] == "/accounts/mfa/"
    assert client.get("/caseload/")["Location"] == "/accounts/mfa/"


def test_user_changes_own_password_audited(client, clinic):
    verified_login(client, clinic.clinician_a)
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "old_password" in wrong.context["form"].errors
    assert not AuditEvent.objects.filter(detail__password="changed").exists()
    ok = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    clinic.clinician_a.refresh_from_db()
    assert clinic.clinician_a.check_password(NEW_PASSWORD)
    assert client.get("/caseload/").status_code == 200  # this session stays
    event = AuditEvent.objects.get(detail__password="changed")
    assert (event.username, event.object_id) == ("clin_a", str(clinic.clinician_a.pk))


def test_password_page_needs_login_and_second_step(client, clinic):
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/login/")
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    assert client.get("/accounts/password/")["Location"] == "/accounts/mfa/"
