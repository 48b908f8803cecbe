"""API role matrix: every endpoint, every role; denied requests change and reveal nothing
and are audited."""

from __future__ import annotations

import pytest

from stepwell.measures import services
from stepwell.measures.models import Administration, Alert
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.people import CLINIC_PEOPLE

from .conftest import PHQ9_MILD, PHQ9_RISK

PATIENT_NAME = "Avery"
ROLES = [*CLINIC_PEOPLE, "patient_user_b"]


def _login(client, clinic, who):
    user = getattr(clinic, who)
    if user.kind == "patient":
        client.force_login(user)
    else:
        verified_login(client, user)
    return user


def _recorded(clinic, answers=PHQ9_RISK):
    return services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=answers,
    )


def test_instruments_list_needs_authentication(client, db):
    assert client.get("/api/v1/measures/instruments").status_code == 401


def test_instruments_list(client, clinic):
    _login(client, clinic, "clinician_a")
    body = client.get("/api/v1/measures/instruments").json()
    assert [i["key"] for i in body] == ["phq9", "gad7", "audit", "auditc", "dast10", "pcl5", "asq"]
    assert body[0]["items"][8]["key"] == "phq9_9"
    assert body[0]["shipped"] is True


READERS = {"clinician_a", "prescriber_a", "nurse_a", "intake_a", "director_a", "patient_user_a"}


@pytest.mark.parametrize("who", ROLES)
def test_administrations_list_role_matrix(client, clinic, who):
    recorded = _recorded(clinic, PHQ9_MILD)
    _login(client, clinic, who)
    AuditEvent.objects.all()  # events so far are the recording's
    before = AuditEvent.objects.count()
    response = client.get(f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.object_type, event.patient_id) == ("administration", clinic.patient_a.pk)
    if who in READERS:
        assert response.status_code == 200
        assert [a["id"] for a in response.json()] == [recorded.administration.pk]
        assert response.json()[0]["total"] == 9
        assert event.outcome == "allowed"
    else:
        assert response.status_code == 403
        # The API's one refusal answer (stepwell.api): nothing about the patient.
        assert response.json()["detail"] == "Not found, or you do not have access to this record."
        assert PATIENT_NAME not in response.content.decode()
        assert event.outcome == "denied"


RECORDERS = {"clinician_a", "prescriber_a", "nurse_a", "intake_a"}


@pytest.mark.parametrize("who", ROLES)
def test_administration_record_role_matrix(client, clinic, who):
    _login(client, clinic, who)
    response = client.post(
        f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations",
        {"instrument": "phq9", "answers": PHQ9_RISK},
        content_type="application/json",
    )
    if who in RECORDERS:
        assert response.status_code == 201
        body = response.json()
        assert body["administration"]["total"] == 10
        assert body["administration"]["flags"] == ["suicide_risk"]
        assert [a["kind"] for a in body["alerts"]] == ["suicide_risk"]
        assert Alert.objects.count() == 1
        return
    assert response.status_code == 403
    assert PATIENT_NAME not in response.content.decode()
    assert Administration.objects.count() == 0
    assert Alert.objects.count() == 0
    event = AuditEvent.objects.get(object_type="administration")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)


def test_administration_record_by_item_number_and_field_errors(client, clinic):
    _login(client, clinic, "clinician_a")
    url = f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"
    answers = {str(n): 1 for n in range(1, 9)} | {"9": 0}
    response = client.post(
        url, {"instrument": "PHQ9", "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["administration"]["answers"]["phq9_1"] == 1
    bad = client.post(
        url,
        {"instrument": "phq9", "answers": {"1": 7}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]["phq9_1"].startswith("item 1 (phq9_1): answer 7 is not one")
    unknown = client.post(
        url, {"instrument": "nope", "answers": {"1": 1}}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"instrument": "Unknown instrument."}
    assert Administration.objects.count() == 1


def test_unknown_patient_is_403_and_audited(client, clinic):
    _login(client, clinic, "clinician_a")
    response = client.get("/api/v1/measures/patients/999999/administrations")
    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert (event.outcome, event.patient_id) == ("denied", None)


ALERT_SEERS = {"clinician_a", "prescriber_a", "nurse_a", "director_a"}
ALERT_HOLDERS = ALERT_SEERS | {"clinician_b"}  # an alert role, in some program


@pytest.mark.parametrize("who", ROLES)
def test_alerts_list_role_matrix(client, clinic, who):
    _recorded(clinic)
    alert = Alert.objects.get()
    user = _login(client, clinic, who)
    response = client.get("/api/v1/measures/alerts")
    if who not in ALERT_HOLDERS:
        # No alert role in any program: refused as the worklist page refuses (audited).
        assert response.status_code == 403
        assert AuditEvent.objects.filter(user_id=user.pk, outcome="denied").count() == 1
        return
    assert response.status_code == 200
    ids = [a["id"] for a in response.json()]
    assert ids == ([alert.pk] if who in ALERT_SEERS else [])
    event = AuditEvent.objects.get(object_type="alert")
    assert event.detail["alerts"] == ids
    assert event.detail["patients"] == ([clinic.patient_a.pk] if ids else [])


@pytest.mark.parametrize("who", ROLES)
def test_alert_acknowledge_role_matrix(client, clinic, who):
    _recorded(clinic)
    alert = Alert.objects.get()
    _login(client, clinic, who)
    response = client.post(
        f"/api/v1/measures/alerts/{alert.pk}/acknowledge",
        {"note": "Called the patient; safety plan reviewed."},
        content_type="application/json",
    )
    alert.refresh_from_db()
    event = AuditEvent.objects.get(object_type="alert")
    assert event.patient_id == clinic.patient_a.pk
    if who in ALERT_SEERS:
        assert response.status_code == 200
        assert response.json()["status"] == "acknowledged"
        assert alert.status == "acknowledged"
        assert (event.action, event.outcome) == ("acknowledge", "allowed")
        return
    assert response.status_code == 403
    assert PATIENT_NAME not in response.content.decode()
    assert alert.status == "open"
    assert alert.action_note == ""
    assert (event.action, event.outcome) == ("acknowledge", "denied")


def test_alert_acknowledge_needs_a_note(client, clinic):
    _recorded(clinic)
    alert = Alert.objects.get()
    _login(client, clinic, "clinician_a")
    response = client.post(
        f"/api/v1/measures/alerts/{alert.pk}/acknowledge",
        {"note": " "},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"note": "Describe the action taken."}
    alert.refresh_from_db()
    assert alert.status == "open"


def test_api_keeps_an_incomplete_phq9_with_a_risk_answer(client, clinic):
    """The issue's case: item 9 = 2, item 3 blank (left out or null) is stored, not refused."""
    _login(client, clinic, "nurse_a")
    url = f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"
    answers = dict(PHQ9_RISK) | {"phq9_3": None}
    response = client.post(
        url, {"instrument": "phq9", "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    administration = body["administration"]
    assert (administration["status"], administration["total"], administration["band"]) == (
        "incomplete",
        None,
        "",
    )
    assert administration["flags"] == ["suicide_risk"]
    assert administration["problems"] == ["item 3 (phq9_3): is required but was not answered"]
    assert "phq9_3" not in administration["answers"]
    assert [(a["kind"], a["immediate"]) for a in body["alerts"]] == [("suicide_risk", False)]
    assert Administration.objects.get().status == "incomplete"


def test_api_refuses_an_incomplete_phq9_without_a_risk_answer(client, clinic):
    _login(client, clinic, "nurse_a")
    url = f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"
    answers = {k: v for k, v in PHQ9_MILD.items() if k != "phq9_3"}
    response = client.post(
        url, {"instrument": "phq9", "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"phq9_3": "Choose an answer."}
    assert Administration.objects.count() == 0


def test_api_asq_declined_is_positive_and_acute_answers_are_immediate(client, clinic):
    _login(client, clinic, "clinician_a")
    url = f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"
    answers = {"asq_1": "declined", "asq_2": "no", "asq_3": "no", "asq_4": "no"}
    response = client.post(
        url, {"instrument": "asq", "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["administration"]["band"] == "positive_acuity_unknown"
    assert [(a["kind"], a["immediate"]) for a in body["alerts"]] == [("suicide_risk", True)]


def test_api_audit_suggested_band(client, clinic):
    _login(client, clinic, "clinician_a")
    url = f"/api/v1/measures/patients/{clinic.patient_a.pk}/administrations"
    answers = {f"audit_{n}": 0 for n in range(1, 11)} | {"audit_10": 4}
    response = client.post(
        url, {"instrument": "audit", "answers": answers}, content_type="application/json"
    )
    administration = response.json()["administration"]
    assert (administration["band"], administration["suggested_band"]) == (
        "low_risk",
        "hazardous",
    )
    assert response.json()["alerts"] == []


def test_instruments_list_says_which_are_switched_off(client, clinic):
    services.instrument_setting_set(
        actor=clinic.admin, instrument_key="dast10", enabled=False, reason="No CAMH licence"
    )
    _login(client, clinic, "clinician_a")
    body = {i["key"]: i for i in client.get("/api/v1/measures/instruments").json()}
    assert (body["dast10"]["enabled"], body["dast10"]["switched_off_reason"]) == (
        False,
        "No CAMH licence",
    )
    assert body["phq9"]["enabled"] is True
    assert "commercial use needs a licence from CAMH" in body["dast10"]["licence"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/measures/patients/{patient}/administrations?status=finished",
        "/api/v1/measures/alerts?status=closed",
    ],
)
def test_an_unknown_status_is_refused_naming_the_field(client, clinic, path):
    _login(client, clinic, "clinician_a")
    response = client.get(path.format(patient=clinic.patient_a.pk))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]


def test_every_measures_operation_declares_its_error_answers(client, clinic):
    _login(client, clinic, "clinician_a")
    schema = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/measures/")
        for method, operation in methods.items()
    ]
    assert len(operations) == 6
    for path, method, operation in operations:
        assert {"400", "401", "403", "404", "422"} <= set(operation["responses"]), (path, method)
