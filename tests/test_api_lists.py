"""One rule for the API's lists: a role with no access to the area at all is refused (403,
audited), as the matching page refuses it; an empty list is for a role that may see the
list but has no rows in it. And the API lets a patient read what the page lets them read."""

from __future__ import annotations

import pytest

from stepwell.intake.models import AvailabilityWindow
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


def _denied(user) -> int:
    return AuditEvent.objects.filter(user_id=user.pk, outcome="denied").count()


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/api/v1/intake/referrals", "nurse_a"),
        ("/api/v1/intake/referrals", "billing_a"),
        ("/api/v1/intake/referrals", "patient_user_a"),
        ("/api/v1/measures/alerts", "intake_a"),
        ("/api/v1/measures/alerts", "billing_a"),
        ("/api/v1/measures/alerts", "patient_user_a"),
        ("/api/v1/plans/worklist", "patient_user_a"),
        ("/api/v1/plans/worklist/physician", "patient_user_a"),
    ],
)
def test_a_list_of_an_area_one_has_no_part_in_is_refused(client, clinic, url, who):
    user = getattr(clinic, who)
    verified_login(client, user)
    response = client.get(url)
    assert response.status_code == 403, response.content
    assert response.json()["errors"] == {}
    assert _denied(user) == 1


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/api/v1/intake/referrals", "intake_a"),
        ("/api/v1/measures/alerts", "nurse_a"),
        ("/api/v1/plans/worklist", "billing_a"),
    ],
)
def test_a_list_one_may_see_with_no_rows_is_empty(client, clinic, url, who):
    user = getattr(clinic, who)
    verified_login(client, user)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == []
    assert _denied(user) == 0


def test_a_patient_reads_their_own_availability_through_the_api(client, clinic):
    AvailabilityWindow.objects.create(
        patient=clinic.patient_a, weekday=2, start="17:00", end="20:00"
    )
    verified_login(client, clinic.patient_user_a)
    own = client.get(f"/api/v1/intake/patients/{clinic.patient_a.pk}/availability")
    assert own.status_code == 200
    assert own.json() == [{"weekday": 2, "start": "17:00:00", "end": "20:00:00"}]
    other = client.get(f"/api/v1/intake/patients/{clinic.patient_b.pk}/availability")
    assert other.status_code == 403
    assert _denied(clinic.patient_user_a) == 1


def test_every_error_answer_has_the_one_body(client, clinic):
    """401 and 403 carry `errors` too (ErrorOut), so a client reads every error alike."""
    anonymous = client.get("/api/v1/intake/referrals")
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"detail", "errors"}
    verified_login(client, clinic.billing_a)
    refused = client.get("/api/v1/intake/referrals")
    assert refused.json() == {"detail": refused.json()["detail"], "errors": {}}
