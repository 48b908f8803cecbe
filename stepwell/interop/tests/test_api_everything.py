"""GET /api/v1/fhir/Patient/{id}/$everything: the role matrix, nothing leaked, refusals
audited."""

from __future__ import annotations

import pytest

from stepwell.accounts.tokens import token_create
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .checks import assert_valid_bundle, of_type

NOT_AVAILABLE = {"detail": "Not found, or you do not have access to this record.", "errors": {}}
ALLOWED = ["clinician_a", "prescriber_a", "director_a"]  # care team, care team, director
REFUSED = [
    "nurse_a",  # works in the program, not on the care team
    "clinician_b",  # another program's clinician
    "intake_a",
    "billing_a",
    "admin",
    "patient_user_a",  # the patient: their access is the portal, not this export
]


def url(record, **query) -> str:
    path = f"/api/v1/fhir/Patient/{record.patient.pk}/$everything"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


@pytest.mark.parametrize("who", ALLOWED)
def test_care_team_and_director_get_the_bundle(client, record, who):
    user = getattr(record.clinic, who)
    verified_login(client, user)
    response = client.get(url(record))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert_valid_bundle(bundle)
    assert bundle["entry"][0]["fullUrl"].startswith("http://testserver/api/v1/fhir/Patient/")
    event = AuditEvent.objects.get(object_type="fhir_bundle", outcome="allowed")
    assert (event.user_id, event.patient_id, event.action) == (user.pk, record.patient.pk, "export")


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_else_is_refused_audited_and_told_nothing(client, record, who):
    user = getattr(record.clinic, who)
    verified_login(client, user)
    before = AuditEvent.objects.filter(outcome="allowed", action="export").count()
    response = client.get(url(record))
    assert response.status_code == 403
    assert response.json() == NOT_AVAILABLE
    assert "Alder" not in response.content.decode()
    denied = AuditEvent.objects.get(object_type="fhir_bundle", outcome="denied")
    assert (denied.user_id, denied.patient_id) == (user.pk, record.patient.pk)
    assert AuditEvent.objects.filter(outcome="allowed", action="export").count() == before


def test_unknown_patient_and_foreign_episode_answer_like_a_refusal(client, record):
    verified_login(client, record.clinic.clinician_a)
    missing = client.get("/api/v1/fhir/Patient/999999/$everything")
    assert (missing.status_code, missing.json()) == (403, NOT_AVAILABLE)
    foreign = client.get(url(record, episode=record.part2_episode.pk))
    assert (foreign.status_code, foreign.json()) == (403, NOT_AVAILABLE)
    assert AuditEvent.objects.filter(object_type="fhir_bundle", outcome="denied").count() == 2


def test_episode_parameter_limits_the_bundle(client, record):
    verified_login(client, record.clinic.director_a)
    response = client.get(url(record, episode=record.episode.pk))
    assert response.status_code == 200
    (episode,) = of_type(response.json(), "EpisodeOfCare")
    assert episode["id"] == str(record.episode.pk)


def test_without_a_token_the_answer_is_401(client, record):
    assert client.get(url(record)).status_code == 401


def test_a_bearer_token_works(client, record):
    issued = token_create(user=record.clinic.clinician_a, name="hospital link")
    response = client.get(url(record), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert response.json()["resourceType"] == "Bundle"


def test_bad_episode_value_is_422(client, record):
    verified_login(client, record.clinic.clinician_a)
    response = client.get(url(record, episode="first"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["episode"]


def test_the_fhir_operations_are_in_the_openapi_schema(client, record):
    verified_login(client, record.clinic.clinician_a)
    schema = client.get("/api/v1/openapi.json").json()
    paths = {path: set(ops) for path, ops in schema["paths"].items() if "/fhir/" in path}
    assert paths == {
        "/api/v1/fhir/Patient/{patient_id}/$everything": {"get"},
        "/api/v1/fhir/$export": {"get"},
        "/api/v1/fhir/bulk-status/{job_id}": {"get"},
        "/api/v1/fhir/bulk-files/{job_id}/{file_name}": {"get"},
        "/api/v1/fhir/referrals": {"post"},
    }
    referral = schema["paths"]["/api/v1/fhir/referrals"]["post"]
    assert "application/fhir+json" in referral["requestBody"]["content"]
    assert {"400", "403", "409", "422"} <= set(referral["responses"])
