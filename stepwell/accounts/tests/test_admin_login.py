"""Clinic setup has no login of its own: /setup/login/ sends people to the one audited
login (password, TOTP, lockout), and checks nothing posted to it."""

from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PASSWORD

from .test_login import current_code


def test_setup_login_redirects_to_the_audited_login(client, clinic):
    response = client.get("/setup/login/?next=/setup/clinic/program/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fsetup%2Fclinic%2Fprogram%2F"
    start = client.get("/setup/", follow=True)
    assert start.redirect_chain[-1][0] == "/accounts/login/?next=%2Fsetup%2F"


def test_posting_credentials_to_setup_login_logs_nobody_in(client, clinic):
    before = AuditEvent.objects.count()
    for password in [PASSWORD, "wrong"]:
        response = client.post(
            "/setup/login/", {"username": "admin", "password": password, "next": "/setup/"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/setup/")["Location"].startswith("/setup/login/")
    assert AuditEvent.objects.count() == before
    assert AccessAttempt.objects.count() == 0


def test_admin_login_goes_through_password_totp_and_audit(client, clinic):
    device = TOTPDevice.objects.create(user=clinic.admin, name="phone", confirmed=True)
    failed = client.post(
        "/accounts/login/?next=/setup/",
        {"username": "admin", "password": "wrong", "next": "/setup/"},
    )
    assert failed.status_code == 200
    assert AuditEvent.objects.filter(
        action="login_failed", detail__username="admin", outcome="failed"
    ).exists()
    response = client.post(
        "/accounts/login/?next=/setup/",
        {"username": "admin", "password": PASSWORD, "next": "/setup/"},
    )
    assert response["Location"] == "/accounts/mfa/"
    assert client.get("/setup/")["Location"] == "/accounts/mfa/"  # no setup before TOTP
    done = client.post("/accounts/mfa/", {"code": current_code(device)})
    assert done["Location"] == "/setup/"
    assert client.get("/setup/").status_code == 200
    steps = list(
        AuditEvent.objects.filter(action="login", username="admin")
        .order_by("seq")
        .values_list("detail__step", flat=True)
    )
    assert steps == ["password", "totp"]


def test_setup_login_refuses_a_logged_in_non_administrator(client, clinic):
    verified_login(client, clinic.director_a)
    response = client.get("/setup/login/?next=/setup/")
    assert response.status_code == 403
    verified_login(client, clinic.admin)
    assert client.get("/setup/login/")["Location"] == "/setup/"


def test_setup_logout_and_password_change_use_the_audited_pages(client, clinic):
    verified_login(client, clinic.admin)
    assert client.get("/setup/password_change/")["Location"] == "/accounts/password/"
    response = client.post("/setup/logout/")
    assert response["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(action="logout", username="admin").exists()
    assert client.get("/setup/").status_code == 302
