"""A stolen password alone cannot enrol an authenticator: enrolment needs a one-time code
that an administrator creates (shown once, stored hashed, expiring, single use, audited)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.accounts.enrolment import (
    MAX_FAILED_ATTEMPTS,
    enrolment_code_check,
    enrolment_code_create,
)
from stepwell.accounts.models import EnrolmentCode
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

from .test_login import current_code


def password_login(client, username="clin_a"):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_stolen_password_alone_cannot_enrol_an_authenticator(client, clinic):
    password_login(client)
    assert client.get("/accounts/mfa/")["Location"] == "/accounts/mfa/setup/"
    page = client.get("/accounts/mfa/setup/").content.decode()
    assert "<svg" not in page
    assert "otpauth://" not in page
    # Posting a TOTP code straight away is read as a (missing) enrolment code.
    response = client.post("/accounts/mfa/setup/", {"code": "123456"})
    assert "enrolment_code" in response.context["form"].errors
    guessed = client.post("/accounts/mfa/setup/", {"enrolment_code": "AAAA-BBBB-CCCC"})
    assert "no valid enrolment code" in guessed.content.decode()
    assert not TOTPDevice.objects.filter(user=clinic.clinician_a).exists()
    assert client.get("/caseload/")["Location"] == "/accounts/mfa/"
    assert AuditEvent.objects.filter(
        action="login_failed", username="clin_a", detail__step="enrolment_code"
    ).exists()


def test_code_is_stored_hashed_shown_once_and_audited(clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    stored = EnrolmentCode.objects.get()
    raw = issued.plaintext.replace("-", "")
    assert len(raw) == 12
    assert raw not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert stored.created_by == clinic.admin
    event = AuditEvent.objects.get(detail__mfa="enrolment_code_created")
    assert (event.username, event.object_id) == ("admin", str(clinic.clinician_a.pk))
    assert raw not in str(event.detail)


def test_code_works_once(client, clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    password_login(client)
    client.post("/accounts/mfa/setup/", {"enrolment_code": issued.plaintext})
    assert "<svg" in client.get("/accounts/mfa/setup/").content.decode()
    device = TOTPDevice.objects.get(user=clinic.clinician_a, confirmed=False)
    client.post("/accounts/mfa/setup/", {"code": current_code(device)})
    assert client.get("/caseload/").status_code == 200
    with pytest.raises(ApplicationError, match="no valid enrolment code"):
        enrolment_code_check(user=clinic.clinician_a, code=issued.plaintext)


def test_expired_code_is_refused(client, clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    EnrolmentCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    password_login(client)
    response = client.post("/accounts/mfa/setup/", {"enrolment_code": issued.plaintext})
    assert "no valid enrolment code" in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_code_that_expires_between_the_two_steps_is_refused(client, clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    password_login(client)
    client.post("/accounts/mfa/setup/", {"enrolment_code": issued.plaintext})
    assert "<svg" in client.get("/accounts/mfa/setup/").content.decode()
    device = TOTPDevice.objects.get(user=clinic.clinician_a, confirmed=False)
    EnrolmentCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/accounts/mfa/setup/", {"code": current_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/caseload/")["Location"] == "/accounts/mfa/"


def test_new_code_voids_the_earlier_one(clinic):
    first = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    second = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    with pytest.raises(ApplicationError):
        enrolment_code_check(user=clinic.clinician_a, code=first.plaintext)
    assert enrolment_code_check(user=clinic.clinician_a, code=second.plaintext).pk == (
        second.record.pk
    )
    first.record.refresh_from_db()
    assert first.record.voided_at is not None


def test_wrong_guesses_void_the_code(clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    for attempt in range(1, MAX_FAILED_ATTEMPTS + 1):
        with pytest.raises(ApplicationError) as refused:
            enrolment_code_check(user=clinic.clinician_a, code=f"WRONG{attempt}")
        expected = "no valid" if attempt == MAX_FAILED_ATTEMPTS else "not right"
        assert expected in refused.value.message
    with pytest.raises(ApplicationError, match="no valid enrolment code"):
        enrolment_code_check(user=clinic.clinician_a, code=issued.plaintext)


def test_one_users_code_does_not_enrol_another(client, clinic):
    issued = enrolment_code_create(actor=clinic.admin, user=clinic.nurse_a)
    password_login(client)
    response = client.post("/accounts/mfa/setup/", {"enrolment_code": issued.plaintext})
    assert "no valid enrolment code" in response.content.decode()


@pytest.mark.parametrize("who", ["director_a", "clinician_b", "billing_a", "intake_a"])
def test_only_administrators_create_codes(clinic, who):
    with pytest.raises(AccessDenied):
        enrolment_code_create(actor=getattr(clinic, who), user=clinic.clinician_a)
    assert EnrolmentCode.objects.count() == 0


def test_patients_get_no_enrolment_code(clinic):
    with pytest.raises(ApplicationError) as refused:
        enrolment_code_create(actor=clinic.admin, user=clinic.patient_user_a)
    assert refused.value.field_errors == {"user": "Not a staff member."}


def test_verified_user_replaces_their_own_device_without_a_code(client, clinic):
    verified_login(client, clinic.clinician_a)
    page = client.get("/accounts/mfa/setup/").content.decode()
    assert "<svg" in page
    pending = TOTPDevice.objects.get(user=clinic.clinician_a, confirmed=False)
    client.post("/accounts/mfa/setup/", {"code": current_code(pending)})
    assert list(TOTPDevice.objects.filter(user=clinic.clinician_a)) == [pending]


def test_command_line_code_for_the_first_administrator(clinic, capsys):
    call_command("enrolment_code", "clin_a")
    out = capsys.readouterr().out
    code = out.split(": ", 1)[1].split()[0]
    assert enrolment_code_check(user=clinic.clinician_a, code=code).created_by is None
    event = AuditEvent.objects.get(detail__mfa="enrolment_code_created")
    assert event.detail["via"] == "command line"
    with pytest.raises(CommandError, match="No account"):
        call_command("enrolment_code", "nobody")
