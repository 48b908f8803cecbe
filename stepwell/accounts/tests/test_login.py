"""Password + TOTP login, lockout after repeated failures, idle sessions, Argon2."""

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import PASSWORD


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_passwords_are_hashed_with_argon2(db):
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from stepwell.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("a long synthetic password").startswith("argon2$argon2id$")


def test_staff_login_requires_second_factor(client, clinic):
    device = TOTPDevice.objects.create(user=clinic.clinician_a, name="phone", confirmed=True)
    response = client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/"
    # Before the code, every page sends the user back to the MFA step.
    blocked = client.get(f"/patients/{clinic.patient_a.pk}/")
    assert blocked.status_code == 302
    assert blocked["Location"] == "/accounts/mfa/"
    wrong = client.post(
        "/accounts/mfa/", {"code": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "That code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    ok = client.post("/accounts/mfa/", {"code": current_code(device)})
    assert ok.status_code == 302
    assert client.get(f"/patients/{clinic.patient_a.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="login", username="clin_a", detail__step="totp"
    ).exists()


def test_staff_without_device_is_sent_to_enrolment(client, clinic):
    from stepwell.accounts.enrolment import enrolment_code_create

    issued = enrolment_code_create(actor=clinic.admin, user=clinic.clinician_a)
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    response = client.get("/accounts/mfa/")
    assert response["Location"] == "/accounts/mfa/setup/"
    first = client.get("/accounts/mfa/setup/").content.decode()
    assert "Enrolment code" in first
    assert "<svg" not in first  # no secret before the enrolment code
    step = client.post("/accounts/mfa/setup/", {"enrolment_code": issued.plaintext.lower()})
    assert step["Location"] == "/accounts/mfa/setup/"
    page = client.get("/accounts/mfa/setup/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=clinic.clinician_a, confirmed=False)
    done = client.post("/accounts/mfa/setup/", {"code": current_code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/caseload/").status_code == 200
    issued.record.refresh_from_db()
    assert issued.record.used_at is not None
    assert AuditEvent.objects.filter(
        action="privilege_change",
        object_id=str(clinic.clinician_a.pk),
        detail__mfa="totp_enrolled",
        detail__enrolment_code_id=issued.record.pk,
    ).exists()


def test_tokens_page_is_not_reachable_before_mfa(client, clinic):
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/"


def test_patient_login_needs_no_totp(client, clinic):
    response = client.post("/accounts/login/", {"username": "pat_a", "password": PASSWORD})
    assert response["Location"] == "/"
    portal = client.get("/portal/")
    assert portal.status_code == 200
    assert "Avery" in portal.content.decode()


def test_mfa_can_be_turned_off_for_the_demo(client, clinic, settings):
    settings.STEPWELL_MFA_REQUIRED = False
    response = client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/caseload/").status_code == 200


def test_wrong_password_names_no_field_and_is_audited(client, clinic):
    response = client.post("/accounts/login/", {"username": "clin_a", "password": "nope"})
    assert response.status_code == 200
    assert "The username or password is not right." in response.content.decode()
    event = AuditEvent.objects.filter(action="login_failed").latest("seq")
    assert event.detail["username"] == "clin_a"


def test_empty_login_form_names_the_fields(client, db):
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert response.context["form"].errors == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


@pytest.mark.parametrize("attempts", [5])
def test_repeated_failures_lock_the_account(client, clinic, settings, attempts):
    assert attempts == settings.AXES_FAILURE_LIMIT
    for _ in range(attempts):
        client.post("/accounts/login/", {"username": "clin_a", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    other = client.post("/accounts/login/", {"username": "dir_a", "password": PASSWORD})
    assert other.status_code == 302


def test_idle_sessions_end_after_fifteen_minutes_of_inactivity():
    from stepwell.accounts.middleware import refresh_interval

    assert settings.SESSION_IDLE_MINUTES == 15
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert refresh_interval(settings.SESSION_COOKIE_AGE) == 60  # so it ends after 14-15
    assert refresh_interval(62) == 4
    assert refresh_interval(5) == 1


def _age_session(client, *, refreshed_seconds_ago: float, expires_in):
    """Pretend the session's expiry was last pushed forward a while ago."""
    import time

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from stepwell.accounts.middleware import REFRESHED_AT

    session = client.session
    session[REFRESHED_AT] = time.time() - refreshed_seconds_ago
    session.save()
    Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() + expires_in)
    return session.session_key


def test_idle_session_ends_and_activity_extends_it(client, clinic, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.STEPWELL_MFA_REQUIRED = False
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    key = _age_session(client, refreshed_seconds_ago=14 * 60, expires_in=timedelta(minutes=1))
    response = client.get("/caseload/")
    assert response.status_code == 200
    assert response["X-Idle-Seconds"] == str(15 * 60)
    extended = Session.objects.get(pk=key).expire_date
    assert extended > timezone.now() + timedelta(minutes=14)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/caseload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "X-Idle-Seconds" not in response


def test_the_expiry_is_written_at_most_once_a_minute(client, clinic, settings):
    """A request within a minute of the last write reads the session and writes nothing;
    the page and the answer say how much of the fifteen minutes is left, which is what
    the warning counts down from."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.STEPWELL_MFA_REQUIRED = False
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    _age_session(client, refreshed_seconds_ago=30, expires_in=timedelta(seconds=870))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/tokens/")
    assert not [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]
    ]
    left = int(response["X-Idle-Seconds"])
    assert 860 <= left <= 870
    assert f'data-idle-seconds="{left}"' in response.content.decode()
    _age_session(client, refreshed_seconds_ago=61, expires_in=timedelta(seconds=839))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/tokens/")
    assert [q for q in queries.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]]
    assert response["X-Idle-Seconds"] == str(15 * 60)


def test_an_anonymous_visit_writes_no_session(client, db):
    from django.contrib.sessions.models import Session

    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "X-Idle-Seconds" not in response
    assert not Session.objects.exists()


def test_logout_is_post_only_and_ends_session(client, clinic, settings):
    settings.STEPWELL_MFA_REQUIRED = False
    client.post("/accounts/login/", {"username": "clin_a", "password": PASSWORD})
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/caseload/").status_code == 302


def test_open_redirect_is_refused(client, clinic, settings):
    settings.STEPWELL_MFA_REQUIRED = False
    response = client.post(
        "/accounts/login/",
        {"username": "clin_a", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
