"""Clinic setup cannot take over a staff account: an administrator neither sets another
person's password nor their authenticator. They send a link to the person's own address,
remove an authenticator, and create an enrolment code, each audited."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.accounts import enrolment, mfa, passwords
from stepwell.accounts.models import EnrolmentCode, User
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

from .test_login import current_code

NEW_PASSWORD = "a-long-synthetic-passphrase-42"


@pytest.fixture
def director(clinic):
    director = clinic.director_a
    director.email = "dana.director@clinic.example"
    director.save()
    TOTPDevice.objects.create(user=director, name="director's phone", confirmed=True)
    return director


def link_in(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_admin_cannot_add_a_totp_device_for_the_director(client, clinic, director):
    verified_login(client, clinic.admin)
    before = list(TOTPDevice.objects.filter(user=director).values_list("pk", "key"))
    assert client.get("/setup/otp_totp/totpdevice/add/").status_code == 404
    response = client.post(
        "/setup/otp_totp/totpdevice/add/",
        {"user": director.pk, "name": "mine", "key": "3132333435363738393031323334353637383930"},
    )
    assert response.status_code == 404
    assert client.get("/setup/otp_totp/totpdevice/").status_code == 404
    device = TOTPDevice.objects.get(user=director)
    assert client.get(f"/setup/otp_totp/totpdevice/{device.pk}/change/").status_code == 404
    assert client.get(f"/setup/otp_totp/totpdevice/{device.pk}/config/").status_code == 404
    assert list(TOTPDevice.objects.filter(user=director).values_list("pk", "key")) == before
    assert "otp_totp" not in client.get("/setup/").content.decode()


def test_admin_cannot_set_the_directors_password(client, clinic, director):
    verified_login(client, clinic.admin)
    url = f"/setup/accounts/user/{director.pk}/password/"
    assert client.get(url).status_code in (302, 404)
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code in (302, 404)
    director.refresh_from_db()
    assert director.check_password(PASSWORD)
    assert not director.check_password(NEW_PASSWORD)
    # The change form has no password field to post either.
    page = client.get(f"/setup/accounts/user/{director.pk}/change/").content.decode()
    assert "/password/" not in page
    assert 'name="password' not in page


def test_admin_creates_account_without_a_password_and_a_link_goes_out(client, clinic, mailoutbox):
    verified_login(client, clinic.admin)
    page = client.get("/setup/accounts/user/add/").content.decode()
    assert 'name="password1"' not in page
    response = client.post(
        "/setup/accounts/user/add/",
        {
            "username": "newclin",
            "first_name": "Nia",
            "last_name": "Newton",
            "email": "nia@clinic.example",
            "credentials": "LPC",
            "password1": NEW_PASSWORD,  # ignored: the form has no such field
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="newclin")
    assert (created.kind, created.credentials) == ("staff", "LPC")
    assert not created.has_usable_password()
    assert [m.to for m in mailoutbox] == [["nia@clinic.example"]]
    assert link_in(mailoutbox[0]) not in str(client.get(response["Location"]).content)
    details = [
        e.detail
        for e in AuditEvent.objects.filter(action="privilege_change", object_id=str(created.pk))
    ]
    assert {"created": True, "changed": {"credentials": "LPC"}} in details
    assert {"password": "reset_link_sent", "requested_by": "administrator"} in details


def test_new_account_needs_an_email_address(client, clinic, mailoutbox):
    verified_login(client, clinic.admin)
    response = client.post("/setup/accounts/user/add/", {"username": "noemail", "first_name": "No"})
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="noemail").exists()
    assert mailoutbox == []


def test_admin_sends_a_reset_link_to_the_directors_own_address(
    client, clinic, director, mailoutbox
):
    verified_login(client, clinic.admin)
    url = f"/setup/accounts/user/{director.pk}/password-link/"
    assert "dana.director@clinic.example" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert [m.to for m in mailoutbox] == [["dana.director@clinic.example"]]
    path = link_in(mailoutbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in response.content.decode()  # the administrator never sees it
    assert default_token_generator.check_token(director, token)
    event = AuditEvent.objects.get(detail__password="reset_link_sent")
    assert (event.username, event.object_id, event.detail["requested_by"]) == (
        "admin",
        str(director.pk),
        "administrator",
    )


def test_reset_link_refused_without_an_email_address(client, clinic, mailoutbox):
    verified_login(client, clinic.admin)
    response = client.post(f"/setup/accounts/user/{clinic.nurse_a.pk}/password-link/", follow=True)
    assert "no email address" in response.content.decode()
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(detail__password="reset_link_sent").exists()


def test_admin_removes_the_authenticator_and_the_director_must_enrol_again(
    client, clinic, director
):
    director_client = type(client)()
    verified_login(director_client, director)
    assert director_client.get("/caseload/").status_code == 200
    verified_login(client, clinic.admin)
    client.post(f"/setup/accounts/user/{director.pk}/remove-authenticator/")
    assert not TOTPDevice.objects.filter(user=director).exists()
    event = AuditEvent.objects.get(detail__mfa="authenticator_removed")
    assert (event.username, event.object_id, event.detail["devices_removed"]) == (
        "admin",
        str(director.pk),
        1,
    )
    # The director's open session no longer counts as verified.
    assert director_client.get("/caseload/")["Location"] == "/accounts/mfa/"
    assert director_client.get("/accounts/mfa/")["Location"] == "/accounts/mfa/setup/"
    assert "Enrolment code" in director_client.get("/accounts/mfa/setup/").content.decode()


def test_admin_creates_an_enrolment_code_shown_once(client, clinic, director):
    verified_login(client, clinic.admin)
    url = f"/setup/accounts/user/{director.pk}/enrolment-code/"
    assert client.get(url).status_code == 200
    assert EnrolmentCode.objects.count() == 0  # a GET only asks for confirmation
    response = client.post(url)
    assert response.status_code == 200
    code = response.context["issued"].plaintext
    assert code in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert code not in client.get(f"/setup/accounts/user/{director.pk}/change/").content.decode()
    assert AuditEvent.objects.filter(
        detail__mfa="enrolment_code_created", object_id=str(director.pk), username="admin"
    ).exists()


def test_full_takeover_attempt_fails_without_the_directors_password(
    client, clinic, director, mailoutbox
):
    """The administrator does everything clinic setup allows, then tries to log in as the
    director: the reset link went to the director's inbox, so the password is unknown."""
    verified_login(client, clinic.admin)
    client.post(f"/setup/accounts/user/{director.pk}/remove-authenticator/")
    code = client.post(f"/setup/accounts/user/{director.pk}/enrolment-code/").context["issued"]
    client.post(f"/setup/accounts/user/{director.pk}/password-link/")
    client.post("/accounts/logout/")
    attacker = client.post(
        "/accounts/login/", {"username": director.username, "password": "what-admin-guesses"}
    )
    assert attacker.status_code == 200
    assert "not right" in attacker.content.decode()
    # Only the director, with their password (or the emailed link) and the code, enrols.
    password_login = client.post(
        "/accounts/login/", {"username": director.username, "password": PASSWORD}
    )
    assert password_login["Location"] == "/accounts/mfa/"
    client.post("/accounts/mfa/setup/", {"enrolment_code": code.plaintext})
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=director, confirmed=False)
    client.post("/accounts/mfa/setup/", {"code": current_code(device)})
    assert client.get("/caseload/").status_code == 200
    actions = list(
        AuditEvent.objects.filter(object_id=str(director.pk), action="privilege_change")
        .order_by("seq")
        .values_list("username", "detail")
    )
    assert [(who, detail.get("mfa") or detail.get("password")) for who, detail in actions] == [
        ("admin", "authenticator_removed"),
        ("admin", "enrolment_code_created"),
        ("admin", "reset_link_sent"),
        (director.username, "totp_enrolled"),
    ]


@pytest.mark.parametrize("action", ["password-link", "remove-authenticator", "enrolment-code"])
def test_setup_access_without_the_administrator_role_is_refused(
    client, clinic, director, action, mailoutbox
):
    """Django's is_staff and is_superuser open nothing: the administrator role does."""
    helper = clinic.billing_a
    helper.is_staff = True
    helper.is_superuser = True
    helper.save()
    verified_login(client, helper)
    before = AuditEvent.objects.filter(outcome="denied").count()
    response = client.post(f"/setup/accounts/user/{director.pk}/{action}/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 1
    assert TOTPDevice.objects.filter(user=director, confirmed=True).exists()
    assert EnrolmentCode.objects.count() == 0
    assert mailoutbox == []


def refused_once(call, object_type="user"):
    before = AuditEvent.objects.filter(outcome="denied", object_type=object_type).count()
    with pytest.raises(AccessDenied):
        call()
    assert AuditEvent.objects.filter(outcome="denied", object_type=object_type).count() == (
        before + 1
    )


@pytest.mark.parametrize("name", ["director_a", "billing_a", "clinician_a", "patient_user_a"])
def test_account_services_called_directly_by_a_non_administrator_are_refused(
    clinic, director, name, mailoutbox
):
    actor = getattr(clinic, name)
    refused_once(
        lambda: passwords.password_reset_link_send(
            actor=actor, user=director, base_url="http://testserver/"
        )
    )
    refused_once(lambda: mfa.totp_devices_remove(actor=actor, user=director))
    refused_once(lambda: enrolment.enrolment_code_create(actor=actor, user=director))
    refused_once(
        lambda: passwords.account_email_change_record(
            actor=actor, user=director, old="a@clinic.example", new="b@elsewhere.example"
        )
    )
    assert TOTPDevice.objects.filter(user=director, confirmed=True).exists()
    assert EnrolmentCode.objects.count() == 0
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(outcome="allowed", object_id=str(director.pk)).exists()


def test_email_change_is_audited_and_the_old_address_told(client, clinic, director, mailoutbox):
    from stepwell.clinic.tests.test_admin_privileges import admin_form

    verified_login(client, clinic.admin)
    response = client.post(
        f"/setup/accounts/user/{director.pk}/change/",
        admin_form(director, email="someone.else@elsewhere.example"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(detail__email__isnull=False)
    assert event.detail["email"] == {
        "from": "dana.director@clinic.example",
        "to": "someone.else@elsewhere.example",
    }
    assert [m.to for m in mailoutbox] == [["dana.director@clinic.example"]]
    assert "someone.else@elsewhere.example" in mailoutbox[0].body
