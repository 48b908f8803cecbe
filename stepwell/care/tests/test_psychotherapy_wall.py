"""Psychotherapy notes stay with their author: never in the chart, notes pages, the API,
exports, the OpenAPI schema, or the audit trail's details."""

from __future__ import annotations

import pytest

from stepwell.care.models import PsychotherapyNote
from stepwell.care.notes import psychotherapy
from stepwell.care.tests.conftest import AFTER
from stepwell.care.tests.helpers import signed_group
from stepwell.core.errors import AccessDenied
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

SECRET = "Process material: dream about the lighthouse keeper"


@pytest.fixture
def private(clinic, group):
    signed_group(clinic, group, now=AFTER)
    return psychotherapy.psychotherapy_note_create(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, text=SECRET
    )


def test_model_has_no_session_times_or_attendance():
    names = {f.name for f in PsychotherapyNote._meta.get_fields()}
    assert names == {"id", "author", "patient", "text", "created_at", "updated_at"}


def test_author_reads_own_private_notes(client, clinic, private):
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/care/patients/{clinic.patient_a.pk}/private-notes/").content.decode()
    assert SECRET in html


@pytest.mark.parametrize(
    "who",
    [
        "director_a",
        "prescriber_a",
        "nurse_a",
        "clinician_b",
        "billing_a",
        "admin",
        "patient_user_a",
    ],
)
def test_nobody_else_sees_the_text_anywhere(client, clinic, private, who):
    user = getattr(clinic, who)
    verified_login(client, user)
    urls = [
        f"/care/patients/{clinic.patient_a.pk}/private-notes/",
        f"/care/patients/{clinic.patient_a.pk}/notes/",
        f"/patients/{clinic.patient_a.pk}/",
        "/care/",
        "/privacy/audit/",
        f"/api/v1/patients/{clinic.patient_a.pk}/notes",
        f"/api/v1/patients/{clinic.patient_a.pk}",
        "/api/v1/audit/events",
        "/api/v1/openapi.json",
    ]
    for url in urls:
        response = client.get(url)
        assert SECRET not in response.content.decode(), url
        assert "lighthouse" not in response.content.decode(), url
    with pytest.raises(AccessDenied):
        psychotherapy.psychotherapy_note_update(actor=user, note_id=private.pk, text="changed")
    assert PsychotherapyNote.objects.get().text == SECRET


def test_the_author_does_not_see_it_in_chart_api_or_exports(client, clinic, private):
    verified_login(client, clinic.clinician_a)
    for url in (
        f"/care/patients/{clinic.patient_a.pk}/notes/",
        f"/patients/{clinic.patient_a.pk}/",
        f"/api/v1/patients/{clinic.patient_a.pk}/notes",
        f"/api/v1/patients/{clinic.patient_a.pk}",
    ):
        assert "lighthouse" not in client.get(url).content.decode(), url
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert [p for p in paths if "psychotherapy" in p or "private" in p] == []


def test_audit_records_access_without_the_text(client, clinic, private):
    verified_login(client, clinic.clinician_a)
    client.get(f"/care/patients/{clinic.patient_a.pk}/private-notes/")
    events = AuditEvent.objects.filter(object_type="psychotherapy_note")
    assert sorted(events.values_list("action", flat=True)) == ["create", "list"]
    for event in events:
        assert "lighthouse" not in str(event.detail)


def test_director_denied_is_audited(client, clinic, private):
    verified_login(client, clinic.director_a)
    response = client.get(f"/care/patients/{clinic.patient_a.pk}/private-notes/")
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            object_type="psychotherapy_note", outcome="denied", user_id=clinic.director_a.pk
        ).count()
        == 1
    )
