"""The duplicate check is no existence oracle: through the API, the registration page and
the referral form, a user learns only of matches they may see, and every check is audited."""

from __future__ import annotations

import pytest

from stepwell.accounts.models import Role
from stepwell.accounts.tokens import token_create
from stepwell.patients.models import Patient
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='dup').plaintext}"}


def person(patient, **extra):
    return {
        "legal_first_name": patient.legal_first_name.upper(),
        "legal_last_name": patient.legal_last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_assigned_at_birth": "female",
        **extra,
    }


@pytest.fixture
def director_b(clinic):
    return UserFactory(username="dir_b", roles=[Role.PROGRAM_DIRECTOR], programs=[clinic.program_b])


def test_api_does_not_confirm_another_programs_patient(client, clinic, director_b):
    headers = bearer(clinic.intake_a)
    response = client.post(
        "/api/v1/patients",
        {"program_id": clinic.program_a.pk, **person(clinic.patient_b)},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    body = response.content.decode()
    assert "another program" not in body and clinic.patient_b.mrn not in body
    assert response.json()["id"] != clinic.patient_b.pk
    # Program B's director sees that a registration elsewhere matched their patient.
    hidden = AuditEvent.objects.get(action="duplicate_check", patient_id=clinic.patient_b.pk)
    assert hidden.username == "intake_a"
    review = client.get(
        f"/api/v1/audit?patient={clinic.patient_b.pk}&action=duplicate_check", **bearer(director_b)
    )
    assert [row["seq"] for row in review.json()] == [hidden.seq]
    # Program A's director sees the check, and nothing of program B's patient.
    review = client.get("/api/v1/audit?action=duplicate_check", **bearer(clinic.director_a))
    rows = review.json()
    assert [row["detail"]["patients"] for row in rows] == [[]]
    assert str(clinic.patient_b.pk) not in str([row["patient_id"] for row in rows])


def test_api_names_only_matches_the_user_may_see(client, clinic):
    # Someone in program B with the same name and birth date as Avery (program A).
    twin = Patient.objects.create(
        mrn="SW00000077",
        legal_first_name="Avery",
        legal_last_name="Alder",
        date_of_birth=clinic.patient_a.date_of_birth,
        sex_assigned_at_birth="female",
    )
    twin.episodes.create(program=clinic.program_b, state="referred", referred_on="2026-01-05")
    response = client.post(
        "/api/v1/patients",
        {"program_id": clinic.program_a.pk, **person(clinic.patient_a)},
        content_type="application/json",
        **bearer(clinic.intake_a),
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert clinic.patient_a.mrn in detail
    assert twin.mrn not in detail
    assert "another program" not in detail and "1 in" not in detail
    assert response.json()["errors"] == {
        "confirm_not_duplicate": "Confirm this is a different person."
    }
    checks = AuditEvent.objects.filter(action="duplicate_check")
    assert checks.get(patient_id=None).detail["patients"] == [clinic.patient_a.pk]
    assert checks.get(patient_id=twin.pk).detail == {
        "program_id": clinic.program_a.pk,
        "shown": False,
    }


def test_register_page_does_not_confirm_another_programs_patient(client, clinic):
    verified_login(client, clinic.intake_a)
    response = client.post(
        "/patients/new/", {"program": clinic.program_a.pk, **person(clinic.patient_b)}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="duplicate_check", patient_id=clinic.patient_b.pk
    ).exists()
    response = client.post(
        "/patients/new/", {"program": clinic.program_a.pk, **person(clinic.patient_a)}
    )
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert clinic.patient_a.mrn in html and "another program" not in html


def test_referral_api_does_not_confirm_another_programs_patient(client, clinic):
    response = client.post(
        "/api/v1/intake/referrals",
        {
            "program_id": clinic.program_a.pk,
            "source": "self",
            "reason": "Low mood for months.",
            "patient": person(clinic.patient_b),
        },
        content_type="application/json",
        **bearer(clinic.intake_a),
    )
    assert response.status_code == 201, response.content
    assert clinic.patient_b.mrn not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="duplicate_check", patient_id=clinic.patient_b.pk
    ).exists()


def test_referral_check_is_audited_even_when_it_stops_the_referral(client, clinic):
    response = client.post(
        "/api/v1/intake/referrals",
        {
            "program_id": clinic.program_a.pk,
            "source": "self",
            "reason": "Low mood for months.",
            "patient": person(clinic.patient_a),
        },
        content_type="application/json",
        **bearer(clinic.intake_a),
    )
    # A possible duplicate is a 409 everywhere in the API (patients, referrals, FHIR).
    assert response.status_code == 409
    assert "confirm_not_duplicate" in response.json()["errors"]
    assert AuditEvent.objects.get(action="duplicate_check").detail["patients"] == [
        clinic.patient_a.pk
    ]
