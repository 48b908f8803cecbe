"""Role x endpoint matrix: who may read and change a patient's record, through pages and API.

A denied request must change nothing, return nothing of the record, and be audited.
"""

from __future__ import annotations

import json

import pytest

from stepwell.accounts.tokens import token_create
from stepwell.patients.models import CareTeamMember, Episode, Patient
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

ROLES = [
    "clinician_a",
    "clinician_b",
    "prescriber_a",
    "nurse_a",
    "intake_a",
    "director_a",
    "billing_a",
    "admin",
    "patient_user_a",
    "patient_user_b",
    "anonymous",
]

# patient_a is in program A. Expected outcome per role.
CHART = {
    "clinician_a": "allowed",
    "prescriber_a": "allowed",
    "nurse_a": "allowed",
    "intake_a": "allowed",
    "director_a": "allowed",
    "billing_a": "billing",
    "clinician_b": "denied",
    "admin": "denied",
    "patient_user_a": "portal",
    "patient_user_b": "denied",
    "anonymous": "login",
}
TRANSITION = {role: "denied" for role in ROLES} | {
    "clinician_a": "allowed",
    "director_a": "allowed",
    "anonymous": "login",
}
CARE_TEAM = TRANSITION
API_READ = {
    "patient_user_a": "allowed",
    "patient_user_b": "denied",
    "clinician_a": "allowed",
    "prescriber_a": "allowed",
    "nurse_a": "allowed",
    "intake_a": "allowed",
    "director_a": "allowed",
    "billing_a": "billing",
    "clinician_b": "denied",
    "admin": "denied",
}


def snapshot(clinic):
    episode = Episode.objects.get(pk=clinic.episode_a.pk)
    return (
        episode.state,
        episode.events.count(),
        CareTeamMember.objects.filter(patient=clinic.patient_a).count(),
        Patient.objects.count(),
    )


def login_as(client, clinic, role):
    if role != "anonymous":
        verified_login(client, getattr(clinic, role))
    return client


def denied_was_audited(clinic, role, before_seq):
    events = AuditEvent.objects.filter(seq__gt=before_seq, outcome="denied")
    username = "" if role == "anonymous" else getattr(clinic, role).username
    return events.filter(username=username).exists()


def last_seq():
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.parametrize("role", ROLES)
def test_chart_page(client, clinic, role):
    login_as(client, clinic, role)
    before, seq = snapshot(clinic), last_seq()
    response = client.get(f"/patients/{clinic.patient_a.pk}/")
    body = response.content.decode()
    expected = CHART[role]
    if expected == "allowed":
        assert response.status_code == 200
        assert "Alder" in body and "Emergency contact" in body
        assert AuditEvent.objects.filter(
            seq__gt=seq, action="view", patient_id=clinic.patient_a.pk, outcome="allowed"
        ).exists()
    elif expected == "billing":
        assert response.status_code == 200
        assert "SYN123456" in body
        assert "Emergency contact" not in body and "Care team" not in body and "History" not in body
        assert AuditEvent.objects.filter(seq__gt=seq, object_type="patient_billing").exists()
    elif expected == "portal":
        assert response.status_code == 302 and response["Location"] == "/portal/"
    elif expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
        assert "Alder" not in body and clinic.patient_a.mrn not in body
        assert denied_was_audited(clinic, role, seq)
    assert snapshot(clinic) == before


@pytest.mark.parametrize("role", ROLES)
def test_transition_post(client, clinic, role):
    login_as(client, clinic, role)
    before, seq = snapshot(clinic), last_seq()
    response = client.post(
        f"/episodes/{clinic.episode_a.pk}/transition/", {"to_state": "on_hold", "reason": "Travel"}
    )
    expected = TRANSITION[role]
    if expected == "allowed":
        assert response.status_code == 302
        assert Episode.objects.get(pk=clinic.episode_a.pk).state == "on_hold"
        return
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
        assert "Alder" not in response.content.decode()
        assert denied_was_audited(clinic, role, seq)
    assert snapshot(clinic) == before


@pytest.mark.parametrize("role", ROLES)
def test_care_team_add(client, clinic, role):
    login_as(client, clinic, role)
    before, seq = snapshot(clinic), last_seq()
    response = client.post(
        f"/patients/{clinic.patient_a.pk}/care-team/",
        {"user": clinic.prescriber_a.pk, "team_role": "prescriber"},
    )
    expected = CARE_TEAM[role]
    if expected == "allowed":
        assert response.status_code == 302
        assert CareTeamMember.objects.filter(
            patient=clinic.patient_a, user=clinic.prescriber_a
        ).exists()
        return
    if expected == "login":
        assert response.status_code == 302
    else:
        assert response.status_code in (302, 403)
        assert not CareTeamMember.objects.filter(
            patient=clinic.patient_a, user=clinic.prescriber_a
        ).exists()
        assert "Alder" not in response.content.decode()
        assert denied_was_audited(clinic, role, seq)
    assert snapshot(clinic) == before


def api_login(client, clinic, role):
    """Staff call the API with a bearer token; patients with their portal session."""
    if role == "anonymous":
        return {}
    user = getattr(clinic, role)
    if user.kind != "staff":
        client.force_login(user)
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='matrix').plaintext}"}


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_read(client, clinic, role):
    headers = api_login(client, clinic, role)
    before, seq = snapshot(clinic), last_seq()
    response = client.get(f"/api/v1/patients/{clinic.patient_a.pk}", **headers)
    expected = API_READ.get(role, "denied") if role != "anonymous" else "unauthenticated"
    body = response.content.decode()
    if expected == "allowed":
        assert response.status_code == 200
        data = response.json()
        assert data["legal_last_name"] == "Alder" and "emergency_contact_name" in data
    elif expected == "billing":
        assert response.status_code == 200
        data = response.json()
        assert (
            data["insurance_member_id"] == "SYN123456"
            and "emergency_contact_name" not in data
            and "care_team" not in data
        )
    elif expected == "unauthenticated":
        assert response.status_code == 401 and "Alder" not in body
    else:
        assert response.status_code == 403
        assert "Alder" not in body
        assert denied_was_audited(clinic, role, seq)
    assert snapshot(clinic) == before


@pytest.mark.parametrize("role", ROLES)
def test_api_transition(client, clinic, role):
    headers = api_login(client, clinic, role)
    before, seq = snapshot(clinic), last_seq()
    response = client.post(
        f"/api/v1/episodes/{clinic.episode_a.pk}/transitions",
        data=json.dumps({"to_state": "on_hold", "reason": "Travel"}),
        content_type="application/json",
        **headers,
    )
    expected = TRANSITION[role]
    if expected == "allowed":
        assert response.status_code == 200 and response.json()["state"] == "on_hold"
        return
    if role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 403
        assert "Alder" not in response.content.decode()
        assert denied_was_audited(clinic, role, seq)
    assert snapshot(clinic) == before


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_list_shows_only_visible(client, clinic, role):
    headers = api_login(client, clinic, role)
    response = client.get("/api/v1/patients?state=all", **headers)
    if role == "anonymous":
        assert response.status_code == 401
        return
    names = {p["legal_last_name"] for p in response.json()}
    expected = {
        "clinician_a": {"Alder", "Cedar"},
        "clinician_b": {"Birch", "Cedar"},
        "prescriber_a": {"Alder"},
        "nurse_a": {"Alder"},
        "intake_a": {"Alder"},
        "director_a": {"Alder"},
        "billing_a": {"Alder"},
        "admin": set(),
        "patient_user_a": {"Alder"},
        "patient_user_b": {"Birch"},
    }[role]
    assert names == expected


@pytest.mark.parametrize("role", ROLES)
def test_api_audit_read(client, clinic, role):
    headers = api_login(client, clinic, role)
    from stepwell.privacy.audit import audit_record

    audit_record(user=clinic.clinician_b, action="view", patient_id=clinic.patient_b.pk)
    response = client.get(f"/api/v1/audit?patient={clinic.patient_b.pk}", **headers)
    if role == "anonymous":
        assert response.status_code == 401
    elif role in ("director_a", "admin"):
        assert response.status_code == 200
        assert response.json() == []  # patient_b is not in program A; admins see no patient events
    else:
        assert response.status_code == 403
