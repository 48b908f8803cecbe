"""The lock runs from the failure that reaches the limit; attempts during it neither count
nor extend it, so nobody can keep another person's account locked. The API answers a
locked account with its JSON error."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import PASSWORD


def page_login(client, password, username="clin_a"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def api_login(client, password, username="clin_a"):
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def minutes_pass(minutes):
    """Move the recorded failures back in time, as if `minutes` had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def lock(client, settings):
    responses = [page_login(client, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_attempts_during_the_lock_do_not_extend_it(client, clinic, settings):
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    lock(client, settings)
    started = AccessAttempt.objects.get().attempt_time
    minutes_pass(10)
    # An attacker keeps trying every minute of the lock, right and wrong passwords alike.
    for _ in range(3):
        assert page_login(client, "wrong").status_code == 429
        assert api_login(client, "wrong").status_code == 429
    assert page_login(client, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == started - timedelta(minutes=10)  # not restarted
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT  # not counted
    minutes_pass(5)
    response = page_login(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/"


def test_lock_lasts_the_full_time_from_the_fifth_failure(client, clinic, settings):
    lock(client, settings)
    minutes_pass(14)
    assert page_login(client, PASSWORD).status_code == 429
    minutes_pass(1)
    assert page_login(client, PASSWORD).status_code == 302


def test_api_answers_a_locked_account_in_json(client, clinic, settings):
    responses = [api_login(client, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    for response in [responses[-1], api_login(client, PASSWORD)]:
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "Account locked after too many failed logins; try again later."
        }
        assert 0 < int(response["Retry-After"]) <= 15 * 60
    # The lock is the account's, whichever door was used.
    page = page_login(client, PASSWORD)
    assert page.status_code == 429
    assert page["Content-Type"].startswith("text/html")
    assert "Account locked" in page.content.decode()
    assert "does not make the wait longer" in page.content.decode()
    events = AuditEvent.objects.filter(action="login_failed", detail__locked_out=True)
    assert events.count() >= 2


def test_locked_response_is_declared_in_the_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "429" in responses


@pytest.mark.parametrize("other", ["dir_a", "nurse_a"])
def test_lock_is_per_account(client, clinic, settings, other):
    lock(client, settings)
    assert page_login(client, PASSWORD, username=other).status_code == 302
