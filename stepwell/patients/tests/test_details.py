"""The chart can be kept up to date (issue 12): details edited on the chart and through
`PATCH /api/v1/patients/{id}`, with field-level history, audit, and refusals that change
nothing."""

from __future__ import annotations

import pytest

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.details import patient_details_update
from stepwell.patients.models import Patient, PatientDetailChange
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


def test_changed_fields_are_kept_as_history_and_audited(clinic):
    changed = patient_details_update(
        actor=clinic.intake_a,
        patient_id=clinic.patient_a.pk,
        data={
            "phone": "555-0199",
            "pronouns": "they/them",
            "emergency_contact_name": "Robin Alder",
            "emergency_contact_consented": True,
            "address": clinic.patient_a.address,  # unchanged: not history
        },
    )
    assert sorted(changed) == [
        "emergency_contact_consented",
        "emergency_contact_name",
        "phone",
        "pronouns",
    ]
    patient = Patient.objects.get(pk=clinic.patient_a.pk)
    assert (patient.phone, patient.pronouns, patient.emergency_contact_consented) == (
        "555-0199",
        "they/them",
        True,
    )
    consent = PatientDetailChange.objects.get(patient=patient, field="emergency_contact_consented")
    assert (consent.old_value, consent.new_value, consent.changed_by) == (
        "no",
        "yes",
        clinic.intake_a,
    )
    event = AuditEvent.objects.filter(object_type="patient_details").latest("seq")
    assert event.patient_id == patient.pk
    assert sorted(event.detail["fields"]) == sorted(changed)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"legal_last_name": ""}, "legal_last_name"),
        ({"sex_assigned_at_birth": "robot"}, "sex_assigned_at_birth"),
        ({"mrn": "X1"}, "mrn"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(clinic, data, field):
    before = Patient.objects.filter(pk=clinic.patient_a.pk).values().get()
    with pytest.raises(ApplicationError) as error:
        patient_details_update(actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, data=data)
    assert field in error.value.field_errors
    assert Patient.objects.filter(pk=clinic.patient_a.pk).values().get() == before
    assert not PatientDetailChange.objects.exists()


@pytest.mark.parametrize("who", ["billing_a", "clinician_b", "admin", "patient_user_a", "nurse_a"])
def test_others_are_refused_and_audited(clinic, who):
    before = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        patient_details_update(
            actor=getattr(clinic, who), patient_id=clinic.patient_a.pk, data={"phone": "1"}
        )
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 1
    assert Patient.objects.get(pk=clinic.patient_a.pk).phone != "1"


def test_the_chart_edits_details_and_shows_consent(client, clinic):
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert 'data-testid="edit-details"' in chart
    page = client.get(f"/patients/{clinic.patient_a.pk}/details/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(
        {
            "address": "12 Synthetic Lane",
            "emergency_contact_name": "Sam Alder",
            "emergency_contact_consented": "on",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(f"/patients/{clinic.patient_a.pk}/details/", data)
    assert response.status_code == 302
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "12 Synthetic Lane" in chart
    assert "consented to their involvement" in chart
    bad = client.post(f"/patients/{clinic.patient_a.pk}/details/", {**data, "email": "nope"})
    assert bad.status_code == 400
    assert 'data-testid="error-email"' in bad.content.decode()


def test_patch_api_changes_only_what_is_sent(client, clinic):
    verified_login(client, clinic.director_a)
    response = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {"email": "avery@example.org", "emergency_contact_consented": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "avery@example.org"
    assert body["emergency_contact_consented"] is True
    assert body["legal_last_name"] == clinic.patient_a.legal_last_name
    bad = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {"email": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "email" in bad.json()["errors"]
    refused = client.patch(
        f"/api/v1/patients/{clinic.patient_b.pk}", {"phone": "1"}, content_type="application/json"
    )
    assert refused.status_code in (403, 404)
